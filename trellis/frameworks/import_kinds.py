"""The frameworks' import kinds for the one import pipeline: CASE packages and spreadsheets.

The pipeline stores the file, checks it in the background (read_* and preview_*: nothing is
written), shows the preview, and commits it (apply_*) in its one transaction with the run's
report and audit event. A file identical to what is there offers no commit. The frameworks'
Import button, `/frameworks/import/` and `manage.py import_case` all lead here.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from trellis.authz.roles import Action
from trellis.frameworks.case_diff import ImportPreview, preview_case
from trellis.frameworks.case_import import apply_case
from trellis.frameworks.case_read import CasePackage, read_case
from trellis.frameworks.models import Framework, FrameworkVersion
from trellis.frameworks.problems import FrameworkImportError
from trellis.frameworks.spreadsheets import (
    SheetPackage,
    apply_spreadsheet,
    preview_spreadsheet,
    read_spreadsheet,
)
from trellis.imports.registry import Context, ImportKind, ImportProblems, Option, Result, register

# The preview lists at most this many records per record kind and change (as the framework
# page's own preview did); the counts above it are always whole.
LISTED = 200


def headline(preview: ImportPreview, *, case: bool, committed: bool) -> str:
    """What importing the file does (or did), in one sentence for the preview and report."""
    if preview.identical and preview.base is not None:
        return (
            f"Nothing changed: “{preview.base.framework.title}” version {preview.base.number} "
            "is identical to this file, so there is nothing to import."
        )
    if preview.framework is None:
        state = "published (read-only)" if case else "a draft to edit and publish"
        if committed:
            return f"Imported as a new framework “{preview.title}”, version 1, {state}."
        return f"A new framework “{preview.title}”, version 1, {state}."
    base = preview.base.number if preview.base else "?"
    if committed:
        return (
            f"Imported as version {preview.number} of “{preview.framework.title}”, published, "
            f"compared with version {base}."
        )
    return (
        f"A new version {preview.number} of “{preview.framework.title}”: committing this file "
        f"makes version {preview.number}, published, compared below with version {base}. Items "
        "keep their identifiers, so ratings line up across versions."
    )


def _result(preview: ImportPreview, context: Context, *, case: bool, committed: bool) -> Result:
    name = context.source_name
    summary = preview.counts()
    warnings = [w.as_dict(name) for w in preview.warnings]
    # Each record that changes, with the fields that changed: only for a new edition of a
    # framework already here (a new framework adds everything; its counts say it).
    changes: list[dict[str, Any]] = []
    if preview.framework is not None:
        for kind in preview.kinds:
            for verb, listed in (
                ("added", kind.added),
                ("changed", kind.changed),
                ("removed", kind.removed),
            ):
                changes += [
                    {"records": kind.kind, "change": verb, "label": c.label, "fields": c.fields}
                    for c in listed[:LISTED]
                ]
    result = Result(
        summary=summary,
        sources=dict.fromkeys(summary, name),
        notes=[headline(preview, case=case, committed=committed)],
        warnings=warnings,
        warning_count=len(warnings),
        changes=changes,
    )
    # The preview links the framework it is compared with (or identical to).
    if preview.base is not None:
        result.outcome_url = _version_url(preview.base)
        result.outcome_label = f"{preview.base.framework.title}, version {preview.base.number}"
    return result


def _version_url(version: FrameworkVersion) -> str:
    return f"{reverse('framework_detail', args=[version.framework_id])}?version={version.number}"


def _read(context: Context, case: bool) -> CasePackage | SheetPackage:
    data = context.path.read_bytes()
    try:
        if case:
            return read_case(data, filename=context.source_name)
        return read_spreadsheet(data, filename=context.source_name)
    except FrameworkImportError as error:
        problems = [p.as_dict(context.source_name) for p in error.problems]
        raise ImportProblems(problems) from None


def _preview(context: Context, package: CasePackage | SheetPackage) -> ImportPreview:
    if isinstance(package, CasePackage):
        return preview_case(system=context.system, package=package)
    preview = preview_spreadsheet(system=context.system, package=package)
    # A spreadsheet is named by the title the user gave, else after its file.
    preview.title = (context.options.get("title") or "").strip() or preview.title
    return preview


def _check(context: Context, *, case: bool) -> Result:
    context.progress(0.1, f"Reading {context.source_name}")
    package = _read(context, case)
    context.progress(0.6, "Checking what would change")
    return _result(_preview(context, package), context, case=case, committed=False)


def _apply(context: Context, *, case: bool) -> Result:
    package = _read(context, case)
    options = context.options
    preview = _preview(context, package)
    version: FrameworkVersion
    if isinstance(package, CasePackage):
        version = apply_case(
            actor=context.actor,
            system=context.system,
            package=package,
            kind=options.get("kind") or None,
            subject_kind=options.get("subject_kind") or None,
        )
    else:
        version = apply_spreadsheet(
            actor=context.actor,
            system=context.system,
            package=package,
            title=options.get("title", ""),
            kind=options.get("kind") or Framework.Kind.OTHER,
            subject_kind=options.get("subject_kind") or Framework.Subject.PERSON,
        )
    result = _result(preview, context, case=case, committed=True)
    if version.pk != getattr(preview.base, "pk", None):  # not an identical package
        size = f"{version.items.count()} items, {version.levels.count()} levels"
        result.notes = [f"{result.notes[0].removesuffix('.')}: {size}."]
    result.outcome_url = _version_url(version)
    result.outcome_label = f"{version.framework.title}, version {version.number}"
    return result


def register_kinds() -> None:
    kinds = tuple(Framework.Kind.choices)
    subjects = tuple(Framework.Subject.choices)
    register(
        ImportKind(
            code="case",
            label="CASE framework",
            accepts=(".json",),
            permission=Action.FRAMEWORKS_MANAGE,
            check=lambda context: _check(context, case=True),
            apply=lambda context: _apply(context, case=True),
            help_text="A CFPackage in CASE 1.0 or 1.1 (JSON), e.g. exported from OpenSALT. It "
            "is imported as a published version (read-only); a newer edition of a package "
            "already here becomes its framework's next version.",
            options=(
                Option("kind", "What it is", kinds, Framework.Kind.STANDARDS),
                Option("subject_kind", "It rates", subjects, Framework.Subject.PERSON),
            ),
            commit_unchanged=False,
        )
    )
    register(
        ImportKind(
            code="framework_csv",
            label="Framework spreadsheet",
            accepts=(".csv", ".xlsx"),
            permission=Action.FRAMEWORKS_MANAGE,
            check=lambda context: _check(context, case=False),
            apply=lambda context: _apply(context, case=False),
            help_text="Columns code, parent_code, statement, type, then one per performance "
            "level (lowest first) holding the descriptors, parents above their children, as a "
            "framework's “Export CSV” or “Export XLSX” writes them. It is imported as a draft "
            "to edit and publish.",
            options=(
                Option("title", "Title"),
                Option("kind", "What it is", kinds, Framework.Kind.OTHER),
                Option("subject_kind", "It rates", subjects, Framework.Subject.PERSON),
            ),
            commit_unchanged=False,
        )
    )
