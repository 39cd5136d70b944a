from __future__ import annotations

from typing import Any

from django import forms

from trellis.core.forms import StyledFormMixin
from trellis.orgs.models import Network, Partner, School, System


class SchoolForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "network", "level", "identifier", "address", "city", "phone"]

    def __init__(self, *args: Any, system: System, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(system=system)  # type: ignore[attr-defined]
        self.fields["network"].required = False


class SystemChoiceForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none(), label="System")

    def __init__(self, *args: Any, systems: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]


class NetworkForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Network
        fields = ["name", "code"]
        help_texts = {"code": "A short code: letters, numbers and hyphens."}


class PartnerForm(StyledFormMixin, forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = ["name", "kind", "website"]
