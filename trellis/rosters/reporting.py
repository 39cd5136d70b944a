"""Plain-text summaries of an import run (the command line and the report page share them)."""

from __future__ import annotations

from collections.abc import Iterator

from trellis.rosters.models import ImportRun

COLUMNS = ("added", "changed", "soft_deleted", "reactivated", "unchanged")
# Which files each kind of record comes from, for the preview's "per file" reading.
SOURCES = {
    "schools": "orgs.csv",
    "academic sessions": "academicSessions.csv",
    "people": "users.csv",
    "students": "users.csv",
    "positions": "roles.csv (1.1: users.csv)",
    "courses": "courses.csv",
    "classes": "classes.csv",
    "enrollments": "enrollments.csv",
}


def source_of(run: ImportRun, target: str) -> str:
    if run.kind == ImportRun.Kind.PEOPLE_CSV:
        return run.source_name
    return SOURCES.get(target, "")


def summary_lines(run: ImportRun, *, dry_run: bool = False) -> Iterator[str]:
    yield (
        f"{run.source_name}: OneRoster {run.oneroster_version or '?'} {run.mode or ''}, "
        f"{run.get_status_display()}" + (" (dry run: nothing written)" if dry_run else "")
    )
    if run.status == ImportRun.Status.REJECTED:
        for problem in run.errors:
            row = f" row {problem['row']}" if problem.get("row") else ""
            column = f" column {problem['column']}" if problem.get("column") else ""
            yield f"  {problem['file']}{row}{column}: {problem['reason']}"
        if run.error_count > len(run.errors):
            yield f"  … and {run.error_count - len(run.errors)} more problems"
        return
    yield (
        f"  {'records':<20}"
        + "".join(f"{name.replace('_', ' '):>14}" for name in COLUMNS)
        + ("  from")
    )
    for target, counts in run.summary.items():
        yield (
            f"  {target:<20}"
            + "".join(f"{counts.get(name, 0):>14,}" for name in COLUMNS)
            + f"  {source_of(run, target)}"
        )
    changes = run.total_changes
    yield (
        f"  {changes:,} changes"
        + (" (the same bundle as before: nothing to do)" if changes == 0 else "")
        + (f" in {run.seconds:.1f} s" if run.seconds is not None else "")
    )
    for note in run.notes:
        yield f"  note: {note}"
