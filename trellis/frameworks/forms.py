from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.core.forms import StyledFormMixin
from trellis.frameworks.models import Framework
from trellis.orgs.models import System


class CaseUploadForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    file = forms.FileField(
        label="CASE package (.json)",
        help_text="A CFPackage in CASE 1.0 or 1.1, e.g. exported from OpenSALT.",
    )
    kind = forms.ChoiceField(
        choices=Framework.Kind.choices, initial=Framework.Kind.STANDARDS, label="What it is"
    )
    subject_kind = forms.ChoiceField(
        choices=Framework.Subject.choices, initial=Framework.Subject.PERSON, label="It rates"
    )

    MAX_BYTES = 50 * 1024 * 1024

    def __init__(self, *args: Any, systems: QuerySet[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB.")
        return upload
