"""Forms of classroom visits and differentiated support (coach-visits)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from trellis.coaching.models import PerformanceBand, RuleField, RuleOperator
from trellis.core.forms import StyledFormMixin


class VisitForm(StyledFormMixin, forms.Form):
    visited_at = forms.DateTimeField(
        label="Date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": "Enter the date and time of the visit.",
            "invalid": "Enter the date and time of the visit, e.g. 2026-11-30 09:15.",
        },
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=1,
        max_value=240,
        error_messages={
            "required": "Enter how long the visit lasted, in minutes (1 to 240).",
            "min_value": "The length is between 1 and 240 minutes.",
            "max_value": "The length is between 1 and 240 minutes.",
            "invalid": "The length is a whole number of minutes, between 1 and 240.",
        },
    )
    look_fors = forms.MultipleChoiceField(
        label="Look-fors", required=False, widget=forms.CheckboxSelectMultiple
    )
    feedback = forms.CharField(
        label="Feedback given",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, look_fors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in look_fors}
        cast(Any, self.fields["look_fors"]).choices = [
            (
                str(item.pk),
                (f"{item.human_coding_scheme} " if item.human_coding_scheme else "")
                + (item.abbreviated_statement or item.full_statement)[:100],
            )
            for item in look_fors
        ]

    def chosen(self) -> list[Any]:
        return [self.items[pk] for pk in self.cleaned_data.get("look_fors", [])]


class GoalForm(StyledFormMixin, forms.Form):
    leadership_goal_minutes = forms.IntegerField(
        label="Instructional-leadership goal (minutes per week)", min_value=1, max_value=3000
    )


class ClassroomFrameworkForm(StyledFormMixin, forms.Form):
    classroom_framework = forms.TypedChoiceField(
        label="Framework of classroom practice (a visit's look-fors)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Without one, principals choose among the frameworks the system uses for "
        "teachers, a standard of classroom practice first.",
    )

    def __init__(self, *args: Any, frameworks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["classroom_framework"]).choices = [
            ("", "None: principals choose")
        ] + [(f.pk, f"{f.title} ({f.get_kind_display()})") for f in frameworks]


class FlagForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="New flag", max_length=100)


class TierForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="Tier name", max_length=100)
    hours_per_month = forms.DecimalField(
        label="Planned hours per month (per school)",
        min_value=0,
        max_value=200,
        decimal_places=1,
    )
    is_default = forms.BooleanField(label="Default tier (no rule matches)", required=False)


class RuleForm(StyledFormMixin, forms.Form):
    field = forms.ChoiceField(label="When", choices=RuleField.choices)
    operator = forms.ChoiceField(label="Comparison", choices=RuleOperator.choices)
    value = forms.DecimalField(label="Value", required=False, max_digits=6, decimal_places=2)
    flag = forms.TypedChoiceField(label="Flag", required=False, coerce=int, empty_value=None)
    tier = forms.TypedChoiceField(label="Then tier", coerce=int)

    def __init__(self, *args: Any, flags: list[Any], tiers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["flag"]).choices = [("", "—")] + [(f.pk, f.name) for f in flags]
        cast(Any, self.fields["tier"]).choices = [(t.pk, t.name) for t in tiers]


class ProfileForm(StyledFormMixin, forms.Form):
    performance_band = forms.TypedChoiceField(
        label="Performance band",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not entered"), *list(PerformanceBand.choices)],
    )
    attendance_rate = forms.DecimalField(
        label="Attendance rate (%)", required=False, min_value=0, max_value=100, decimal_places=1
    )
    conditions_score = forms.DecimalField(
        label="Conditions score (1-4)", required=False, min_value=1, max_value=4, decimal_places=2
    )
    flags = forms.MultipleChoiceField(
        label="High-need flags", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, flags: list[Any], from_data: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.flag_objects = {str(f.pk): f for f in flags}
        cast(Any, self.fields["flags"]).choices = [(str(f.pk), f.name) for f in flags]
        # A figure the data has for this school is not entered by hand: its field goes.
        for figure, found in (from_data or {}).items():
            if found is not None:
                del self.fields[figure]
        if "attendance_rate" in self.fields:
            self.fields[
                "attendance_rate"
            ].help_text = "Entered by hand: the attendance roll-ups have no figure for this school."
        if "conditions_score" in self.fields:
            self.fields["conditions_score"].help_text = (
                "Entered by hand: no school conditions survey rates this school (or too few "
                "answered to show its score)."
            )

    def chosen_flags(self) -> list[Any]:
        return [self.flag_objects[pk] for pk in self.cleaned_data.get("flags", [])]
