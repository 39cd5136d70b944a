from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from trellis.core.forms import DateInput, StyledFormMixin
from trellis.learning import selectors
from trellis.learning.models import Community, Cycle


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _person_label(person: Any) -> str:
    return str(person.full_name)


class SessionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeInput())
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput())
    place = forms.CharField(max_length=200, required=False, help_text="Room and building.")
    online_url = forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        help_text="For a virtual or hybrid session.",
    )
    capacity = forms.IntegerField(min_value=1, max_value=10000, help_text="Seats.")
    school: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No single school",
        label="School served",
        help_text="Only this school's staff may register.",
    )
    program: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No program",
        label="Program served",
        help_text="Only this program's participants may register. Leave both empty for all "
        "staff of the system.",
    )
    competencies: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Aligned competencies"
    )
    facilitators: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )

    def __init__(self, *args: Any, system: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["school"].queryset = choices["schools"].filter(system=system)
        fields["program"].queryset = choices["programs"]
        self.whole_systems = bool(choices.get("whole_systems"))
        if not self.whole_systems:
            # Someone who manages sessions for a school or a program only (a principal, a
            # program manager) cannot offer one to the whole system: say so on the form.
            fields["program"].help_text = (
                "Only this program's participants may register. Choose the school or the "
                "program this session serves."
            )
        fields["competencies"].queryset = selectors.competency_choices(system.pk)
        fields["competencies"].label_from_instance = selectors.competency_label
        fields["facilitators"].queryset = selectors.people_of(system.pk)
        fields["facilitators"].label_from_instance = _person_label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("school") and data.get("program"):
            self.add_error("program", "Choose a school or a program, not both.")
        elif not self.whole_systems and not data.get("school") and not data.get("program"):
            self.add_error(
                "school",
                "Choose the school (or the program) this session serves: you may offer "
                "sessions to your school's staff or your program's participants, not to the "
                "whole system.",
            )
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The end must come after the start.")
        if not (data.get("place") or "").strip() and not data.get("online_url"):
            self.add_error("place", "Say where the session takes place, or give its online link.")
        return data


class SystemChoiceForm(StyledFormMixin, forms.Form):
    system: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args: Any, systems: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]


class CheckinForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Check-in code",
        max_length=12,
        help_text="The 6 letters and digits shown in the room.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )


class CommunityForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Community.Kind.choices)
    school: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="The whole system",
        help_text="A school leadership team belongs to its school.",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    facilitator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, help_text="The teacher leader who leads it."
    )
    members: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )

    def __init__(self, *args: Any, system: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["school"].queryset = schools.filter(system=system)
        people = selectors.people_of(system.pk)
        for name in ("facilitator", "members"):
            fields[name].queryset = people
            fields[name].label_from_instance = _person_label

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Community.Kind.LEADERSHIP and not data.get("school"):
            self.add_error("school", "A school leadership team belongs to a school.")
        return data


class CycleForm(StyledFormMixin, forms.Form):
    focus = forms.CharField(max_length=300, label="Inquiry focus")
    starts_on = forms.DateField(widget=DateInput())
    ends_on = forms.DateField(widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The cycle ends on or after the day it starts.")
        return data


class MeetingForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label="Date", widget=DateInput(), initial=timezone.localdate)
    cycle: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No cycle"
    )
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attendees: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Attendance"
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["cycle"].queryset = Cycle.objects.filter(community=community)
        from trellis.people.models import Person

        ids = list(community.members.values_list("pk", flat=True))
        if community.facilitator_id:
            ids.append(community.facilitator_id)
        fields["attendees"].queryset = Person.objects.filter(pk__in=ids).order_by(
            "family_name", "given_name"
        )
        fields["attendees"].label_from_instance = _person_label
        if not community.is_leadership:
            del fields["decisions"]
