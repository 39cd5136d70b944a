from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from trellis.core.forms import DateInput, StyledFormMixin
from trellis.ratings.models import Purpose


def _not_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(
            f"{value:%Y-%m-%d} is in the future: a rating is dated the day it was made "
            f"(today is {timezone.localdate():%Y-%m-%d} or earlier)."
        )


class RubricForm(StyledFormMixin, forms.Form):
    """A rubric to fill in: for each competency, a level (each showing its descriptor) and the
    evidence behind it. Competencies left blank are not rated."""

    require_one = True

    def __init__(
        self,
        *args: Any,
        rows: list[dict[str, Any]],
        levels: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        self.rubric: list[tuple[Any, str, str]] = []
        for row in rows:
            if not row["has_descriptors"]:
                continue
            item = row["item"]
            choices = [
                (str(level.pk), f"{level.name}: {text}" if text else level.name)
                for level, text in zip(levels, row["cells"], strict=True)
            ]
            level_name, evidence_name = f"level_{item.pk}", f"evidence_{item.pk}"
            self.fields[level_name] = forms.ChoiceField(
                choices=choices, required=False, widget=forms.RadioSelect, label=str(item)
            )
            self.fields[evidence_name] = forms.CharField(
                required=False,
                label=f"Evidence for {item.human_coding_scheme or item}",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.rubric.append((item, level_name, evidence_name))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item, level, evidence in self.rubric:
            if data.get(evidence) and not data.get(level):
                self.add_error(
                    level,
                    f"Choose a level for {item.human_coding_scheme or item}, "
                    "or leave its evidence empty.",
                )
        if self.require_one and not any(data.get(level) for _, level, _ in self.rubric):
            raise forms.ValidationError("Choose a level for at least one competency.")
        return data

    def entries(self) -> list[tuple[Any, Any, str]]:
        by_pk = {str(level.pk): level for level in self.levels}
        return [
            (item, by_pk[self.cleaned_data[level]], self.cleaned_data[evidence])
            for item, level, evidence in self.rubric
            if self.cleaned_data.get(level)
        ]

    @property
    def competency_errors(self) -> bool:
        return any(self.errors.get(level) for _, level, _ in self.rubric)


class RatingForm(RubricForm):
    def __init__(self, *args: Any, purposes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"] = forms.ChoiceField(choices=purposes, label="Purpose")
        self.fields["rated_on"] = forms.DateField(
            label="Date of the rating", widget=DateInput(), validators=[_not_future]
        )


class RoundRatingForm(RubricForm):
    """The rater's form in a round: save as a draft (nothing required) or submit."""

    require_one = False


class CorrectForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(label="Level")
    rated_on = forms.DateField(
        label="Date of the rating", widget=DateInput(), validators=[_not_future]
    )
    evidence = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, levels: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(str(lv.pk), lv.name) for lv in levels]  # type: ignore[attr-defined]


class RoundForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    purpose = forms.ChoiceField(choices=Purpose.choices)
    subject_kind = forms.ChoiceField(
        choices=[("person", "People"), ("school", "Schools"), ("system", "A system")],
        label="It rates",
    )
    framework = forms.ChoiceField(label="Framework")
    subjects = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "One a line: a person's e-mail address or employee number, a school's name or "
            "state identifier, or a system's code."
        ),
    )
    raters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One e-mail address a line: the accounts that rate in this round.",
    )
    opens_on = forms.DateField(label="Opens on", widget=DateInput())
    closes_on = forms.DateField(label="Closes on (last day)", widget=DateInput())

    def __init__(
        self,
        *args: Any,
        purposes: list[tuple[str, str]],
        frameworks: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = purposes  # type: ignore[attr-defined]
        self.fields["framework"].choices = [(str(pk), title) for pk, title in frameworks]  # type: ignore[attr-defined]

    @staticmethod
    def lines(text: str) -> list[tuple[int, str]]:
        return [
            (number, line.strip())
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]
