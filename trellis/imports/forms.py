from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.db.models import QuerySet

from trellis.core.forms import StyledFormMixin, style_field
from trellis.imports.models import ImportSettings
from trellis.imports.registry import ImportKind
from trellis.orgs.models import System


class ImportForm(StyledFormMixin, forms.Form):
    system = forms.ModelChoiceField(queryset=System.objects.none())
    kind = forms.ChoiceField(label="What kind of file")
    file = forms.FileField(required=False, label="File")
    folder = forms.CharField(
        required=False,
        max_length=500,
        label="…or a bundle folder on the server",
        help_text="A folder inside the server's import folder, for nightly drops from the SIS.",
    )

    def __init__(
        self, *args: Any, systems: QuerySet[System], kinds: list[ImportKind], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = {kind.code: kind for kind in kinds}
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]
        self.fields["kind"].choices = [(k.code, k.label) for k in kinds]  # type: ignore[attr-defined]
        self.fields["file"].help_text = " ".join(
            f"{k.label}: {', '.join(k.accepts)}." for k in kinds
        )
        if not any(kind.folders for kind in kinds):
            del self.fields["folder"]
        # The page shows only the chosen kind's options (trellis.js; without JavaScript every
        # kind's options show, each set in a fieldset named after its kind).
        self.fields["kind"].widget.attrs["data-kind-select"] = ""
        # Each kind's own choices (e.g. a people CSV's delta or bulk), named "<kind>-<option>";
        # each set sits in a fieldset whose legend names the kind, so labels stay short.
        for kind in kinds:
            for option in kind.options:
                field: forms.Field
                if option.choices:
                    field = forms.ChoiceField(
                        choices=option.choices,
                        initial=option.default,
                        required=False,
                        label=option.label,
                    )
                else:
                    field = forms.CharField(max_length=200, required=False, label=option.label)
                self.fields[f"{kind.code}-{option.name}"] = style_field(field)

    def common_fields(self) -> list[forms.BoundField]:
        """The fields every kind has (system, kind, file): shown first."""
        return [self[name] for name in ("system", "kind", "file")]

    def folder_field(self) -> forms.BoundField | None:
        return self["folder"] if "folder" in self.fields else None

    def folder_kinds(self) -> str:
        """The kinds that may be read from a server folder (the folder field shows for them)."""
        return " ".join(code for code, kind in self.kinds.items() if kind.folders)

    def kind_groups(self) -> list[tuple[ImportKind, list[forms.BoundField]]]:
        """Each kind with its own options, in the order of the kind choices."""
        return [
            (kind, [self[f"{code}-{option.name}"] for option in kind.options])
            for code, kind in self.kinds.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, folder = data.get("file"), (data.get("folder") or "").strip()
        kind = self.kinds.get(data.get("kind") or "")
        if not upload and not folder:
            raise forms.ValidationError("Choose a file to upload or give a folder on the server.")
        if upload and folder:
            raise forms.ValidationError("Give a file or a folder, not both.")
        if kind is None:
            return data
        if folder and not kind.folders:
            self.add_error("folder", f"A {kind.label} cannot be read from a folder.")
        if upload and kind.accepts:
            suffix = Path(upload.name or "").suffix.lower()
            if suffix not in kind.accepts:
                self.add_error(
                    "file",
                    f"A {kind.label} is a {' or '.join(kind.accepts)} file; {upload.name} is not.",
                )
        data["options"] = {
            option.name: data.get(f"{kind.code}-{option.name}") or option.default
            for option in kind.options
        }
        for option in kind.options:
            if option.required and not data["options"][option.name]:
                self.add_error(f"{kind.code}-{option.name}", f"Give the {option.label.lower()}.")
        return data


class CommitForm(forms.Form):
    confirm_mass_removal = forms.BooleanField(required=False)


class ImportSettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ImportSettings
        fields = ["mass_removal_percent"]
        labels = {"mass_removal_percent": "Confirm imports that remove more than (%)"}
