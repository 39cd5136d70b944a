"""Plain-text summaries of an import run (the command line and the report page share them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trellis.imports.models import ImportRun

COLUMNS = ("added", "changed", "removed", "soft_deleted", "reactivated", "unchanged")


def columns_of(run: ImportRun) -> list[str]:
    """The columns this run's kinds use (a framework removes; a roster soft-deletes)."""
    used = {key for counts in run.summary.values() for key in counts}
    return [c for c in COLUMNS if c in used] or ["added", "changed", "unchanged"]


def change_groups(run: ImportRun) -> list[tuple[str, list[dict[str, Any]]]]:
    """The listed records by record kind, in the order the kind gave them."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for change in run.changes:
        groups.setdefault(str(change.get("records", "")), []).append(change)
    return list(groups.items())


def _problem_line(problem: dict[str, Any]) -> str:
    row = f" row {problem['row']}" if problem.get("row") else ""
    column = f" column {problem['column']}" if problem.get("column") else ""
    return f"{problem['file']}{row}{column}: {problem['reason']}"


def summary_lines(run: ImportRun, *, dry_run: bool = False) -> Iterator[str]:
    version = f" {run.oneroster_version}" if run.oneroster_version else ""
    yield (
        f"{run.source_name}: {run.kind_label}{version} {run.mode or ''}, "
        f"{run.get_status_display()}" + (" (dry run: nothing written)" if dry_run else "")
    )
    if run.status in (ImportRun.Status.REJECTED, ImportRun.Status.FAILED):
        for problem in run.errors:
            yield f"  {_problem_line(problem)}"
        if run.error_count > len(run.errors):
            yield f"  … and {run.error_count - len(run.errors)} more problems"
        return
    if run.mass_removal:
        from trellis.imports.services import mass_removal_text

        yield f"  MASS REMOVAL: {mass_removal_text(run)}"
    columns = columns_of(run)
    yield (
        f"  {'records':<20}"
        + "".join(f"{name.replace('_', ' '):>14}" for name in columns)
        + ("  from")
    )
    for target, counts in run.summary.items():
        yield (
            f"  {target:<20}"
            + "".join(f"{counts.get(name, 0):>14,}" for name in columns)
            + f"  {run.sources.get(target, '')}"
        )
    changes = run.total_changes
    noun = "bundle" if run.kind == ImportRun.Kind.ONEROSTER else "file"
    yield (
        f"  {changes:,} changes"
        + (f" (the same {noun} as before: nothing to do)" if changes == 0 else "")
        + (f" in {run.seconds:.1f} s" if run.seconds is not None else "")
    )
    for note in run.notes:
        yield f"  note: {note}"
    for records, listed in change_groups(run):
        for change in listed:
            fields = f" ({', '.join(change['fields'])})" if change.get("fields") else ""
            yield f"  {records} {change['change']}: {change['label']}{fields}"
    if run.outcome_url:
        label = "result" if run.status == ImportRun.Status.DONE else "compared with"
        yield f"  {label}: {run.outcome_label} ({run.outcome_url})"
    for warning in run.warnings:
        yield f"  warning: {_problem_line(warning)}"
    if run.warning_count > len(run.warnings):
        yield f"  … and {run.warning_count - len(run.warnings)} more warnings"
