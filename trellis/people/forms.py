from __future__ import annotations

from typing import Any

from django import forms

from trellis.core.forms import DateInput, StyledFormMixin
from trellis.orgs.models import Network, School, System
from trellis.people.models import Certification, Education, EndReason, Person, Position


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "middle_name",
            "preferred_name",
            "email",
            "identifier",
        ]


class PositionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Position
        fields = [
            "kind",
            "title",
            "school",
            "network",
            "external_organisation",
            "starts_on",
            "ends_on",
        ]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        help_texts = {
            "network": "For roles that serve a network rather than one school (e.g. supervisors).",
            "external_organisation": "Only for employment outside this system.",
            "ends_on": "The last day in the position. Leave empty while it continues.",
        }

    def __init__(self, *args: Any, system: System, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(system=system, is_active=True)  # type: ignore[attr-defined]
        self.fields["network"].queryset = Network.objects.filter(system=system)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date is before the start date.")
        if data.get("school") and data.get("network"):
            self.add_error("network", "Choose a school or a network, not both.")
        return data


class PositionEndForm(StyledFormMixin, forms.Form):
    ends_on = forms.DateField(label="Last day in the position", widget=DateInput())


class PositionEndReasonForm(StyledFormMixin, forms.Form):
    end_reason = forms.ChoiceField(label="Why the position ended", choices=EndReason.choices)


class EducationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Education
        fields = [
            "institution",
            "degree",
            "field_of_study",
            "completed_year",
            "leadership_preparation",
        ]

    def clean_completed_year(self) -> int | None:
        year = self.cleaned_data.get("completed_year")
        if year is not None and not 1940 <= year <= 2100:
            raise forms.ValidationError("Enter a year between 1940 and 2100.")
        return year


class CertificationForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["name", "issuer", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires < issued:
            self.add_error("expires_on", "The expiry date is before the issue date.")
        return data
