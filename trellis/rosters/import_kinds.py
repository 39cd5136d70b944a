"""The roster's import kinds for the one import pipeline: OneRoster bundles and people CSVs."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings

from trellis.authz.roles import Action
from trellis.imports.registry import Context, ImportKind, ImportProblems, Option, Result
from trellis.people.models import Person
from trellis.rosters.bundle import Bundle, BundleRejected, Problem, open_bundle
from trellis.rosters.oneroster import Rejected, run_import
from trellis.rosters.people_csv import open_people_csv
from trellis.rosters.reporting import SOURCES
from trellis.students.models import Student

PEOPLE_MODES = (
    ("delta", "Add and update the people in the file"),
    ("bulk", "The file lists everyone: people missing from it leave the roster"),
)


def _problem(problem: Problem) -> dict[str, Any]:
    item = problem.as_dict()
    item.setdefault("severity", getattr(problem, "severity", "error") or "error")
    return item


def _open(context: Context, people_csv: bool) -> Bundle:
    limit = settings.TRELLIS_IMPORT_MAX_BYTES
    if people_csv:
        return open_people_csv(
            context.path, mode=context.options.get("mode", "delta"), max_bytes=limit
        )
    return open_bundle(context.path, max_bytes=limit)


def _as_of(context: Context) -> datetime.date | None:
    text = str(context.options.get("as_of") or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        problem = {
            "file": context.source_name,
            "row": None,
            "column": "as of",
            "reason": f"'{text}' is not a date: write the day the export was taken as YYYY-MM-DD.",
            "severity": "error",
        }
        raise ImportProblems([problem], 1) from None


def _run(context: Context, *, people_csv: bool, commit: bool) -> Result:
    system = context.system
    as_of = None if people_csv else _as_of(context)
    # The guard's denominators, counted before anything changes.
    guarded = {
        "people": Person.objects.filter(system=system, is_active=True).count(),
        "students": Student.objects.filter(system=system, is_active=True).count(),
    }

    def progress(share: float, label: str) -> None:
        # The engine reads the files into its staging tables first (faster outside a
        # transaction), then checks and writes. Its first report that is not about reading
        # comes before its own transaction opens: the pipeline's opens there, so that the
        # engine's becomes a savepoint inside it.
        if commit and not label.startswith("Reading"):
            context.begin()
        context.progress(share, label)

    try:
        with _open(context, people_csv) as bundle:
            version, mode = bundle.version, bundle.mode
            outcome = run_import(bundle, system, commit=commit, progress=progress, as_of=as_of)
    except (BundleRejected, Rejected) as error:
        count = getattr(error, "error_count", len(error.problems))
        raise ImportProblems([_problem(p) for p in error.problems], count) from error
    notes = list(outcome.notes)
    warnings = [_problem(p) for p in getattr(outcome, "warnings", [])]
    if people_csv:
        sources = dict.fromkeys(outcome.summary, context.source_name)
        version, mode = "", context.options.get("mode", "delta")
    else:
        sources = {target: SOURCES.get(target, "") for target in outcome.summary}
    return Result(
        summary=outcome.summary,
        sources=sources,
        notes=notes,
        warnings=warnings,
        warning_count=int(getattr(outcome, "warning_count", len(warnings)) or len(warnings)),
        version=version,
        mode=mode,
        guarded=guarded,
    )


def _kind(code: str, label: str, *, people_csv: bool) -> ImportKind:
    return ImportKind(
        code=code,
        label=label,
        accepts=(".csv",) if people_csv else (".zip",),
        permission=Action.ROSTERS_MANAGE,
        check=lambda context: _run(context, people_csv=people_csv, commit=False),
        apply=lambda context: _run(context, people_csv=people_csv, commit=True),
        help_text="A people CSV (one row per person and position)."
        if people_csv
        else "A OneRoster 1.1 or 1.2 CSV bundle as a .zip, or a folder on the server.",
        folders=not people_csv,
        opens_transaction=True,
        options=(Option("mode", "Who the file lists", PEOPLE_MODES, "delta"),)
        if people_csv
        else (
            # Backfill: an archived export imported as of the day it was taken.
            Option("as_of", "As of (only for an archived export: the day it was taken)"),
        ),
    )


def register_kinds() -> None:
    from trellis.imports.registry import register

    register(_kind("oneroster", "OneRoster bundle", people_csv=False))
    register(_kind("people_csv", "People CSV", people_csv=True))
