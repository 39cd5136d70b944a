"""The frameworks' import kinds for the one import pipeline: CASE packages and spreadsheets.

The pipeline stores the file, checks it in the background (read_* and preview_*: nothing is
written), shows the preview, and commits it (apply_*) in its one transaction with the run's
report and audit event. A file identical to what is there offers no commit.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from trellis.authz.roles import Action
from trellis.frameworks.case_diff import ImportPreview, preview_case
from trellis.frameworks.case_import import apply_case
from trellis.frameworks.case_read import read_case
from trellis.frameworks.models import Framework
from trellis.frameworks.problems import FrameworkImportError, Problem
from trellis.frameworks.spreadsheets import apply_spreadsheet, preview_spreadsheet, read_spreadsheet
from trellis.imports.registry import Context, ImportKind, ImportProblems, Option, Result, register

# A spreadsheet problem's element reads "row 4, column code" (or "row 4", or "column code").
_WHERE = re.compile(r"^(?:row (?P<row>\d+))?(?:,\s*)?(?:column (?P<column>.+))?$")


def _as_dict(problem: Problem, filename: str) -> dict[str, Any]:
    match = _WHERE.match(problem.element or "")
    row = column = None
    if match and problem.element:
        row = int(match["row"]) if match["row"] else None
        column = match["column"]
    return {
        "file": filename,
        "row": row,
        "column": column if column is not None else (problem.element if row is None else ""),
        "reason": problem.message,
        "severity": problem.severity,
    }


def _result(preview: ImportPreview, filename: str) -> Result:
    summary = {kind: {**counts, "unchanged": 0} for kind, counts in preview.counts().items()}
    warnings = [_as_dict(w, filename) for w in preview.warnings]
    notes = [line for line in preview.lines() if not line.startswith("Warning: ")][:1]
    # The records behind the counts, the first few of each (the report keeps them).
    for kind in preview.kinds:
        for verb, changes in (
            ("added", kind.added),
            ("changed", kind.changed),
            ("removed", kind.removed),
        ):
            notes += [f"{kind.kind.capitalize()} {verb}: {c.label}" for c in changes[:10]]
            if len(changes) > 10:
                notes.append(f"{kind.kind.capitalize()} {verb}: … and {len(changes) - 10} more")
    return Result(
        summary=summary,
        sources=dict.fromkeys(summary, filename),
        notes=notes,
        warnings=warnings,
        warning_count=len(warnings),
    )


def _read(context: Context, case: bool) -> Any:
    data = context.path.read_bytes()
    try:
        if case:
            return read_case(data, filename=context.source_name)
        return read_spreadsheet(data, filename=context.source_name)
    except FrameworkImportError as error:
        problems = [_as_dict(p, context.source_name) for p in error.problems]
        raise ImportProblems(problems) from None


def _check(context: Context, *, case: bool) -> Result:
    package = _read(context, case)
    if case:
        return _result(preview_case(system=context.system, package=package), context.source_name)
    return _result(preview_spreadsheet(system=context.system, package=package), context.source_name)


def _apply(context: Context, *, case: bool) -> Result:
    package = _read(context, case)
    options = context.options
    if case:
        preview = preview_case(system=context.system, package=package)
        version = apply_case(
            actor=context.actor,
            system=context.system,
            package=package,
            kind=options.get("kind") or None,
            subject_kind=options.get("subject_kind") or None,
        )
    else:
        preview = preview_spreadsheet(system=context.system, package=package)
        version = apply_spreadsheet(
            actor=context.actor,
            system=context.system,
            package=package,
            title=options.get("title", ""),
            kind=options.get("kind") or Framework.Kind.OTHER,
            subject_kind=options.get("subject_kind") or Framework.Subject.PERSON,
        )
    result = _result(preview, context.source_name)
    result.outcome_url = reverse("framework_detail", args=[version.framework_id])
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
            help_text="A CFPackage in CASE 1.0 or 1.1 (JSON), e.g. exported from OpenSALT.",
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
            help_text="Columns code, parent_code, statement, type, then one per level.",
            options=(
                Option("title", "Title"),
                Option("kind", "What it is", kinds, Framework.Kind.OTHER),
                Option("subject_kind", "It rates", subjects, Framework.Subject.PERSON),
            ),
            commit_unchanged=False,
        )
    )
