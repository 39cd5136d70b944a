"""Importing a framework from a file: upload → check → preview → confirm → write.

The pages only move the file between the three steps of `case_read`/`case_diff`/`case_import`
(CASE) and `spreadsheets` (CSV, XLSX); nothing is written before the confirmation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.frameworks import uploads
from trellis.frameworks.case_diff import ImportPreview, preview_case
from trellis.frameworks.case_import import apply_case
from trellis.frameworks.case_read import CasePackage, read_case
from trellis.frameworks.forms import FrameworkUploadForm
from trellis.frameworks.models import FrameworkVersion
from trellis.frameworks.problems import FrameworkImportError
from trellis.frameworks.spreadsheets import (
    SheetPackage,
    apply_spreadsheet,
    preview_spreadsheet,
    read_spreadsheet,
)
from trellis.orgs.models import System
from trellis.orgs.selectors import system_choice, systems_where


def is_case(filename: str) -> bool:
    return filename.lower().endswith(".json")


def _read(data: bytes, filename: str) -> CasePackage | SheetPackage:
    if is_case(filename):
        return read_case(data, filename=filename)
    return read_spreadsheet(data, filename=filename)


def _preview(system: System, package: CasePackage | SheetPackage) -> ImportPreview:
    if isinstance(package, CasePackage):
        return preview_case(system=system, package=package)
    return preview_spreadsheet(system=system, package=package)


@permission(Action.FRAMEWORKS_MANAGE)
def framework_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a good file shows what importing it would change, with a confirm
    button; a bad one lists every problem by row or element."""
    systems = systems_where(request.user, Action.FRAMEWORKS_MANAGE)
    form = FrameworkUploadForm(
        request.POST or None,
        request.FILES or None,
        systems=systems,
        initial={"system": systems.first()},
    )
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        system = system_choice(systems, data["system"].pk)
        upload = data["file"]
        raw, filename = upload.read(), upload.name
        try:
            package = _read(raw, filename)
        except FrameworkImportError as error:
            errors = [p for p in error.problems if p.severity == "error"]
            form.add_error(
                "file",
                f"{filename} has {len(errors)} problem{'s' if len(errors) != 1 else ''}; "
                "nothing was saved. Correct the file and upload it again.",
            )
            context["problems"] = error.problems
            context["filename"] = filename
        else:
            preview = _preview(system, package)
            token = ""
            if not preview.identical:
                token = uploads.stage(
                    raw,
                    filename=filename,
                    system_id=system.pk,
                    kind=data["kind"],
                    subject_kind=data["subject_kind"],
                    title=data.get("title", ""),
                )
            return render(
                request,
                "frameworks/framework_import_preview.html",
                {
                    "preview": preview,
                    "token": token,
                    "filename": filename,
                    "system": system,
                    "is_case": isinstance(package, CasePackage),
                    "title": data.get("title") or preview.title,
                },
            )
    return render(request, "frameworks/framework_import.html", context)


@permission(Action.FRAMEWORKS_MANAGE)
@require_http_methods(["POST"])
def framework_import_confirm(request: HttpRequest) -> HttpResponse:
    """Write the previewed file (checked again: the code may have changed since)."""
    token = request.POST.get("token", "")
    staged = uploads.staged(token)
    if staged is None:
        messages.error(request, "This preview has expired or is unknown; upload the file again.")
        return redirect("framework_import")
    systems = systems_where(request.user, Action.FRAMEWORKS_MANAGE)
    system = system_choice(systems, staged.system_id)
    try:
        package = _read(staged.data, staged.filename)
    except FrameworkImportError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("framework_import")
    version: FrameworkVersion
    if isinstance(package, CasePackage):
        preview = preview_case(system=system, package=package)
        version = apply_case(
            actor=request.user,
            system=system,
            package=package,
            kind=staged.kind,
            subject_kind=staged.subject_kind,
        )
    else:
        preview = preview_spreadsheet(system=system, package=package)
        version = apply_spreadsheet(
            actor=request.user,
            system=system,
            package=package,
            title=staged.title,
            kind=staged.kind,
            subject_kind=staged.subject_kind,
        )
    uploads.discard(token)
    messages.success(request, " ".join(preview.lines()))
    return redirect(
        f"{reverse('framework_detail', args=[version.framework_id])}?version={version.number}"
    )
