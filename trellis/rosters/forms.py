from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.core.forms import StyledFormMixin
from trellis.orgs.models import System
from trellis.people.models import PositionKind
from trellis.rosters.models import ImportRun, RoleMapping


class ImportForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    kind = forms.ChoiceField(choices=ImportRun.Kind.choices, label="What kind of file")
    file = forms.FileField(
        required=False,
        label="File",
        help_text="A OneRoster bundle as a .zip, or a people CSV.",
    )
    folder = forms.CharField(
        required=False,
        max_length=500,
        label="…or a bundle folder on the server",
        help_text="A folder inside the server's import folder, for nightly drops from the SIS.",
    )
    mode = forms.ChoiceField(
        choices=[
            ("delta", "Add and update the people in the file"),
            ("bulk", "The file lists everyone: people missing from it leave the roster"),
        ],
        initial="delta",
        label="For a people CSV",
    )

    def __init__(self, *args: Any, systems: QuerySet[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, folder = data.get("file"), (data.get("folder") or "").strip()
        if not upload and not folder:
            raise forms.ValidationError("Choose a file to upload or give a folder on the server.")
        if upload and folder:
            raise forms.ValidationError("Give a file or a folder, not both.")
        if folder and data.get("kind") != ImportRun.Kind.ONEROSTER:
            self.add_error("folder", "Only OneRoster bundles can be read from a folder.")
        return data


class RoleMappingForm(StyledFormMixin, forms.Form):
    oneroster_role = forms.CharField(max_length=40, label="OneRoster role")
    org_type = forms.ChoiceField(
        choices=RoleMapping.OrgType.choices, required=False, label="Held at"
    )
    position_kind = forms.ChoiceField(
        choices=[("", "Not recorded as a position"), *PositionKind.choices],
        required=False,
        label="Becomes",
    )
