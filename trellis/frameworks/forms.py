from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.core.forms import StyledFormMixin
from trellis.frameworks.editing import scores_problem
from trellis.frameworks.models import Framework
from trellis.orgs.models import System


class ItemForm(StyledFormMixin, forms.Form):
    human_coding_scheme = forms.CharField(
        max_length=200, required=False, label="Code", help_text="e.g. 2.3"
    )
    full_statement = forms.CharField(label="Statement", widget=forms.Textarea(attrs={"rows": 3}))
    item_type = forms.CharField(
        max_length=200, required=False, label="Kind", help_text="Domain, Competency, Indicator…"
    )

    def __init__(self, *args: Any, levels: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        for level in levels:
            self.fields[f"descriptor_{level.pk}"] = forms.CharField(
                required=False,
                label=f"Descriptor at “{level.name}”",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def descriptors(self) -> dict[int, str]:
        return {
            level.pk: self.cleaned_data.get(f"descriptor_{level.pk}", "") for level in self.levels
        }


class StartForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    title = forms.CharField(max_length=500, label="Title of your framework")

    def __init__(self, *args: Any, systems: QuerySet[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]


class NewFrameworkForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    title = forms.CharField(max_length=500)
    kind = forms.ChoiceField(choices=Framework.Kind.choices, initial=Framework.Kind.LEADERSHIP)
    subject_kind = forms.ChoiceField(choices=Framework.Subject.choices, label="It rates")
    levels = forms.CharField(
        max_length=1000,
        label="Performance levels, lowest first, separated by commas",
        initial="Beginning, Developing, Proficient, Exemplary",
    )

    def __init__(self, *args: Any, systems: QuerySet[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]


class LevelsForm(StyledFormMixin, forms.Form):
    new_level = forms.CharField(
        max_length=200, required=False, label="Add a level above the others"
    )

    def __init__(self, *args: Any, levels: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        for level in levels:
            self.fields[f"name_{level.pk}"] = forms.CharField(
                max_length=200, initial=level.name, label=f"Level {level.position}: name"
            )
            self.fields[f"score_{level.pk}"] = forms.FloatField(
                required=False, initial=level.score, label=f"Level {level.position}: score"
            )
        self.order_fields(
            [*(f for lv in levels for f in (f"name_{lv.pk}", f"score_{lv.pk}")), "new_level"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(f"score_{level.pk}" in data for level in self.levels):
            problem = scores_problem([data[f"score_{level.pk}"] for level in self.levels])
            if problem:
                self.add_error(None, problem)
        return data

    def names(self) -> dict[int, tuple[str, float | None]]:
        return {
            level.pk: (
                self.cleaned_data[f"name_{level.pk}"],
                self.cleaned_data.get(f"score_{level.pk}"),
            )
            for level in self.levels
        }
