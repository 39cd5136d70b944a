"""The need-profile import kind for the one import pipeline (coach-visits): a CSV of schools'
performance bands, checked row by row (nothing written) and committed through the service in the
pipeline's transaction, with the run's report and audit event. Re-running the same file changes
nothing and the pipeline says so."""

from __future__ import annotations

import csv
from typing import Any

from trellis.authz.roles import Action
from trellis.coaching import services
from trellis.coaching.models import PerformanceBand, SchoolNeedProfile
from trellis.imports.registry import Context, ImportKind, ImportProblems, Result, register
from trellis.orgs.models import School

MAX_ROWS = 20000


def _read(context: Context) -> list[tuple[School, int | None]]:
    """(school, band) per row, or ImportProblems with every row's problem."""
    problems: list[dict[str, Any]] = []

    def problem(row: int, column: str, reason: str) -> None:
        problems.append(
            {
                "file": context.source_name,
                "row": row,
                "column": column,
                "reason": reason,
                "severity": "error",
            }
        )

    with open(context.path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        if not {"school", "performance_band"} <= columns:
            problem(1, "", "The file needs the columns school and performance_band.")
            raise ImportProblems(problems)
        rows = [{k.strip().lower(): (v or "").strip() for k, v in r.items() if k} for r in reader]
    if len(rows) > MAX_ROWS:
        problem(1, "", f"At most {MAX_ROWS:,} rows.")
        raise ImportProblems(problems)
    schools = list(School.objects.filter(system=context.system))
    by_key: dict[str, School] = {}
    for school in schools:
        by_key[school.name.lower()] = school
        if school.identifier:
            by_key[school.identifier.lower()] = school
        if school.sourced_id:
            by_key[school.sourced_id.lower()] = school
    out: list[tuple[School, int | None]] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        found = by_key.get(row.get("school", "").lower())
        if found is None:
            problem(
                number,
                "school",
                f"No school {row.get('school')!r} in {context.system}: give its name, "
                "identifier or sourcedId.",
            )
            continue
        if found.pk in seen:
            problem(number, "school", f"{found} is also on row {seen[found.pk]}.")
            continue
        seen[found.pk] = number
        text = row.get("performance_band", "")
        if text == "":
            out.append((found, None))
        elif text.isdigit() and int(text) in PerformanceBand.values:
            out.append((found, int(text)))
        else:
            problem(number, "performance_band", f"{text!r} is not a band: 1 (lowest) to 4.")
    if problems:
        raise ImportProblems(problems)
    return out


def _run(context: Context, commit: bool) -> Result:
    context.progress(0.1, f"Reading {context.source_name}")
    rows = _read(context)
    current = dict(
        SchoolNeedProfile.objects.filter(school__in=[s for s, _ in rows]).values_list(
            "school_id", "performance_band"
        )
    )
    added = [(s, b) for s, b in rows if s.pk not in current]
    changed = [(s, b) for s, b in rows if s.pk in current and current[s.pk] != b]
    unchanged = len(rows) - len(added) - len(changed)
    if commit:
        context.progress(0.6, "Saving the performance bands")
        services.performance_bands_apply(
            actor=context.actor, system=context.system, bands=added + changed
        )
    return Result(
        summary={
            "need profiles": {
                "added": len(added),
                "changed": len(changed),
                "unchanged": unchanged,
            }
        },
        sources={"need profiles": context.source_name},
        notes=[
            "Each row sets a school's performance band (empty: not entered); the rest of its "
            "need profile (attendance, conditions, flags) is kept."
        ],
        changes=[
            {"records": "need profiles", "change": kind, "label": f"{s}: band {b or '—'}"}
            for kind, group in (("added", added), ("changed", changed))
            for s, b in group[:20]
        ],
    )


KIND = ImportKind(
    code="need_profiles",
    label="School performance bands (need profiles)",
    accepts=(".csv",),
    permission=Action.SUPPORT_CONFIGURE,
    check=lambda context: _run(context, False),
    apply=lambda context: _run(context, True),
    help_text="CSV with columns school (its name, identifier or sourcedId) and "
    "performance_band (1 lowest to 4 highest; empty: not entered).",
    commit_unchanged=False,
)


def register_kinds() -> None:
    register(KIND)
