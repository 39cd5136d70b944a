from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone

from trellis.core.forms import DateInput, StyledFormMixin, style_field
from trellis.learning import selectors
from trellis.learning.models import Community, Cycle
from trellis.people.models import Person


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _person_label(person: Any) -> str:
    return str(person.full_name)


PICKER_HELP = (
    "Type part of a name or e-mail address and choose from the suggestions (or type an e-mail "
    "address or employee number), then press Add or Save. Untick someone to remove them."
)


def people_picker(
    form: forms.BaseForm,
    name: str,
    people: Any,
    *,
    system_id: int,
    add_label: str,
    single: bool = False,
    picker_for: str = "",
) -> None:
    """A choice of people without a list of everyone: the people chosen so far as ticked boxes
    (untick to remove) and a search box, `<name>_add`, to add one more. Typing asks the server
    for up to 20 matches among the people this user may choose (`learning_people`), offered
    in a <datalist>; the box takes a suggestion, an e-mail address or an employee number.
    `people` is who may be chosen (the field's queryset, so nothing else validates), from
    `selectors.picker_people`; `picker_for` ("community=<pk>" or "session=<pk>") tells the
    search box which form it serves, so that it suggests from the same people."""
    fields: Any = form.fields
    field = fields[name]
    field.queryset = people
    field.widget = forms.CheckboxSelectMultiple()
    if form.is_bound:
        raw = form.data.getlist(name) if hasattr(form.data, "getlist") else form.data.get(name)
    else:
        raw = form.initial.get(name) or []
    if not isinstance(raw, list | tuple):
        raw = [raw]
    ids = {int(getattr(v, "pk", v)) for v in raw if str(getattr(v, "pk", v)).isdigit()}
    field.widget.choices = [(p.pk, selectors.person_label(p)) for p in people.filter(pk__in=ids)]
    field.help_text = "" if ids else "No one chosen yet."
    add = forms.CharField(required=False, max_length=255, label=add_label, help_text=PICKER_HELP)
    style_field(add)
    add.widget.attrs.update(
        {
            "list": f"{name}-options",
            "autocomplete": "off",
            "hx-get": reverse("learning_people")
            + f"?system={system_id}&field={name}"
            + (f"&{picker_for}" if picker_for else ""),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{name}-options",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )
    order = list(fields)
    fields[f"{name}_add"] = add
    order.insert(order.index(name) + 1, f"{name}_add")
    form.order_fields(order)
    pickers = getattr(form, "pickers", [])
    form.pickers = [*pickers, name]  # type: ignore[attr-defined]
    if single:
        form.single_pickers = {*getattr(form, "single_pickers", set()), name}  # type: ignore[attr-defined]


def picker_clean(form: forms.BaseForm, data: dict[str, Any], name: str) -> Any:
    """The person named in `<name>_add`, added to the people chosen in `data` (None when the
    box is empty; an error on the box when it names no one, or more than one)."""
    reference = (data.get(f"{name}_add") or "").strip()
    if not reference:
        return None
    field: Any = form.fields[name]
    person, problem = selectors.person_from_reference(field.queryset, reference)
    if person is None:
        form.add_error(f"{name}_add", problem)
        return None
    chosen = list(data.get(name) or [])
    if name in getattr(form, "single_pickers", set()):
        chosen = [person]
    elif person not in chosen:
        chosen.append(person)
    data[name] = chosen
    data[f"{name}_add"] = ""
    return person


def picker_added(form: forms.BaseForm) -> Any:
    """For the Add button: the form's data, as the initial values of a form shown again unsaved,
    with the person typed in each picker's box added to the people chosen (and the box
    emptied); errors on the boxes that name no one. Returns the initial values, or None when a
    box named no one (the form then shows the errors)."""
    data = form.data.copy()  # type: ignore[attr-defined]
    ok = True
    for name in getattr(form, "pickers", []):
        reference = (data.get(f"{name}_add") or "").strip()
        if not reference:
            continue
        field: Any = form.fields[name]
        person, problem = selectors.person_from_reference(field.queryset, reference)
        if person is None:
            form.add_error(f"{name}_add", problem)
            ok = False
            continue
        ids = [v for v in data.getlist(name) if v != str(person.pk)]
        if name in getattr(form, "single_pickers", set()):
            ids = []
        data.setlist(name, [*ids, str(person.pk)])
        data[f"{name}_add"] = ""
    if not ok:
        return None
    fields: Any = form.fields
    return {
        key: data.getlist(key)
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        else data.get(key)
        for key, field in fields.items()
        if key in data
    }


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

    def __init__(
        self,
        *args: Any,
        system: Any,
        choices: dict[str, Any],
        people: Any,
        picker_for: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["school"].queryset = choices["schools"].filter(system=system)
        fields["program"].queryset = choices["programs"]
        self.whole_systems = bool(choices.get("whole_systems"))
        if not self.whole_systems:
            # Someone who manages sessions for a school or a program only (a principal, a
            # program manager) cannot offer one to the whole system: say so on the form, and
            # offer only what they may save. A principal (schools, no program) chooses among
            # their schools, their own preselected; "No single school" stays only for those
            # who may serve a program instead.
            fields["program"].help_text = (
                "Only this program's participants may register. Choose the school or the "
                "program this session serves."
            )
            schools = list(fields["school"].queryset[:2])
            if schools and not fields["program"].queryset.exists():
                fields["school"].empty_label = None
                fields["school"].required = True
                del fields["program"]
                fields["school"].help_text = "Only this school's staff may register."
            if len(schools) == 1 and not self.is_bound and not self.initial.get("school"):
                self.initial["school"] = schools[0].pk
        competencies = selectors.competency_choices(system.pk)
        labels = selectors.competency_labels(competencies)
        fields["competencies"].queryset = competencies
        fields["competencies"].label_from_instance = lambda item: labels.get(
            item.pk, selectors.competency_label(item)
        )
        people_picker(
            self,
            "facilitators",
            people,
            system_id=system.pk,
            add_label="Add a facilitator",
            picker_for=picker_for,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picker_clean(self, data, "facilitators")
        data.setdefault("program", None)
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
    # One person (the teacher leader who leads it), chosen with the same picker as the members.
    facilitator: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )
    members: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )

    def __init__(
        self,
        *args: Any,
        system: Any,
        schools: Any,
        people: Any,
        picker_for: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["school"].queryset = schools.filter(system=system)
        people_picker(
            self,
            "facilitator",
            people,
            system_id=system.pk,
            add_label="Choose the facilitator",
            single=True,
            picker_for=picker_for,
        )
        people_picker(
            self,
            "members",
            people,
            system_id=system.pk,
            add_label="Add a member",
            picker_for=picker_for,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picker_clean(self, data, "facilitator")
        picker_clean(self, data, "members")
        leaders = list(data.get("facilitator") or [])
        if len(leaders) > 1:
            self.add_error("facilitator", "A community has one facilitator: untick the others.")
        data["facilitator"] = leaders[0] if leaders else None
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


class ReportedStudentsForm(StyledFormMixin, forms.Form):
    """How many students a team member teaches in a school year (for a school without a class
    roster); the service checks the member, the year and the number."""

    person: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=Person.objects.none(), label="Team member"
    )
    school_year = forms.IntegerField(
        label="School year (the year it ends)", help_text="2018 is the school year 2017-18."
    )
    students = forms.IntegerField(label="Students they teach")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["person"]
        field.queryset = members


def cycle_label(cycle: Cycle) -> str:
    """A cycle as a choice names its dates: a community may ask the same question twice."""
    return f"{cycle.focus} ({cycle.starts_on:%b %-d, %Y} \u2013 {cycle.ends_on:%b %-d, %Y})"


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
        fields["cycle"].label_from_instance = cycle_label
        ids = list(community.members.values_list("pk", flat=True))
        if community.facilitator_id:
            ids.append(community.facilitator_id)
        fields["attendees"].queryset = Person.objects.filter(pk__in=ids).order_by(
            "family_name", "given_name"
        )
        fields["attendees"].label_from_instance = _person_label
        if not community.is_leadership:
            del fields["decisions"]
