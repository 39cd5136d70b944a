"""Forms of evaluation cycles: configuring a cycle, and the goals and notes of the stages (the
rubric of the self-assessment and the summative rating is the ratings app's RubricForm)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms

from trellis.core.forms import DateInput, StyledFormMixin, no_control_characters

SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
GOAL_SLOTS = 3


class CycleForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, validators=[no_control_characters])
    school_year = forms.CharField(
        max_length=7, help_text="As 2025-26.", validators=[no_control_characters]
    )
    population = forms.ChoiceField(help_text="Everyone holding this position on the opening day.")
    version = forms.ChoiceField(label="Framework rated")
    opens_on = forms.DateField(widget=DateInput(), label="Opens on")
    self_assessment_due = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Self-assessment due",
        help_text="Leave empty for a cycle without this stage.",
    )
    goals_due = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Goal setting due",
        help_text="Leave empty for a cycle without this stage.",
    )
    midyear_due = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Mid-year review due",
        help_text="Leave empty for a cycle without this stage.",
    )
    summative_due = forms.DateField(widget=DateInput(), label="Summative rating due")
    acknowledgement_due = forms.DateField(widget=DateInput(), label="Acknowledgement due")

    def __init__(
        self, *args: Any, populations: list[tuple[str, str]], versions: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(v.pk): v for v in versions}
        self.fields["population"].choices = populations  # type: ignore[attr-defined]
        self.fields["version"].choices = [  # type: ignore[attr-defined]
            (str(v.pk), f"{v.framework.title} (version {v.number})") for v in versions
        ]
        self.style_fields()

    def clean_school_year(self) -> str:
        value: str = self.cleaned_data["school_year"].strip()
        match = SCHOOL_YEAR.match(value)
        if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise forms.ValidationError("Write the school year as 2025-26 (two years that follow).")
        return value

    def clean_version(self) -> Any:
        return self.versions[self.cleaned_data["version"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens: datetime.date | None = data.get("opens_on")
        previous_name, previous = "opens_on", opens
        for name in (
            "self_assessment_due",
            "goals_due",
            "midyear_due",
            "summative_due",
            "acknowledgement_due",
        ):
            due = data.get(name)
            if due is None or previous is None:
                previous_name, previous = (name, due) if due else (previous_name, previous)
                continue
            if due < previous:
                self.add_error(
                    name,
                    f"This deadline comes before {str(self.fields[previous_name].label).lower()} "
                    f"({previous:%Y-%m-%d}): stages run in order.",
                )
            previous_name, previous = name, due
        return data


class GoalsForm(StyledFormMixin, forms.Form):
    """Up to three goals, each with the competencies it serves."""

    def __init__(self, *args: Any, items: list[Any], goals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {str(i.pk): i for i in items}
        choices = [
            (
                str(i.pk),
                (f"{i.human_coding_scheme} " if i.human_coding_scheme else "")
                + (i.abbreviated_statement or i.full_statement)[:80],
            )
            for i in items
        ]
        self.slots: list[tuple[str, str]] = []
        for n in range(1, GOAL_SLOTS + 1):
            goal = goals[n - 1] if n <= len(goals) else None
            text, comps = f"goal_{n}_text", f"goal_{n}_competencies"
            self.fields[text] = forms.CharField(
                required=False,
                label=f"Goal {n}",
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=goal.text if goal else "",
                validators=[no_control_characters],
            )
            self.fields[comps] = forms.MultipleChoiceField(
                required=False,
                choices=choices,
                label=f"Competencies of goal {n}",
                widget=forms.CheckboxSelectMultiple,
                initial=[str(c.pk) for c in goal.competencies.all()] if goal else [],
            )
            self.slots.append((text, comps))
        self.style_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for text, comps in self.slots:
            if data.get(comps) and not (data.get(text) or "").strip():
                self.add_error(text, "Write the goal, or clear its competencies.")
        if not any((data.get(text) or "").strip() for text, _ in self.slots):
            raise forms.ValidationError("Write at least one goal.")
        return data

    def goals(self) -> list[tuple[str, list[Any]]]:
        return [
            (self.cleaned_data[text], [self.items[pk] for pk in self.cleaned_data.get(comps, [])])
            for text, comps in self.slots
            if (self.cleaned_data.get(text) or "").strip()
        ]


class MidyearForm(StyledFormMixin, forms.Form):
    notes = forms.CharField(
        label="Mid-year review notes",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[no_control_characters],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class AcknowledgeForm(StyledFormMixin, forms.Form):
    response = forms.CharField(
        label="Your response (optional)",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[no_control_characters],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()


class PaperAcknowledgeForm(StyledFormMixin, forms.Form):
    """The evaluator records the signed paper acknowledgement of an evaluatee without an
    account."""

    signed_on = forms.DateField(
        widget=DateInput(),
        label="Signed on",
        help_text="The day the evaluatee signed the paper copy.",
        error_messages={"required": "Give the day the evaluatee signed the paper copy."},
    )
    response = forms.CharField(
        label="Their response, as written (optional)",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[no_control_characters],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
