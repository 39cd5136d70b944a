"""The attendance import kinds for the one import pipeline: calendars, enrolment windows, daily
attendance and submissions. Each checks its file (reading.py: nothing written) and commits it
through the services in the pipeline's one transaction, with the run's report and audit event.
The upload page (Imports → Import a file) and the commands (import_calendar, import_enrollments,
import_attendance, import_submissions) share them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trellis.attendance import fastread, reading, services
from trellis.authz.roles import Action
from trellis.imports.registry import Context, ImportKind, Option, Result, register

MODES = (
    ("negative", "One row per absence or tardy (negative attendance)"),
    ("positive", "One row per student-day (positive attendance)"),
)


def _result(context: Context, records: str, diff: reading.Diff, **extra: Any) -> Result:
    return Result(
        summary={records: diff.summary()},
        sources={records: context.source_name},
        **extra,
    )


def _calendar(context: Context, commit: bool) -> Result:
    context.progress(0.1, f"Reading {context.source_name}")
    plan = reading.plan_calendar(context.system, context.path, context.source_name)
    if commit:
        context.progress(0.6, "Applying the calendar")
        services.calendar_apply(actor=context.actor, system=context.system, plan=plan)
    schools = len(plan.ranges)
    return _result(
        context,
        "instructional days",
        plan.diff,
        notes=[
            f"{len(plan.days):,} instructional days of {schools:,} school"
            f"{'s' if schools != 1 else ''}: each school's days between its first and last day "
            "in the file are replaced by the file's."
        ],
        warnings=plan.warnings,
        warning_count=len(plan.warnings),
    )


def _enrolments(context: Context, commit: bool) -> Result:
    context.progress(0.1, f"Reading {context.source_name}")
    plan = reading.plan_enrolments(context.system, context.path, context.source_name)
    if commit:
        context.progress(0.6, "Applying the enrolment windows")
        services.enrolments_apply(actor=context.actor, system=context.system, plan=plan)
    return _result(
        context,
        "enrolment windows",
        plan.diff,
        notes=[
            f"Enrolment windows of {len(plan.students):,} students: they replace those "
            "students' windows from earlier files; attendance counts the SIS's windows instead "
            "of the roster's from the first such file on."
        ],
    )


def _attendance(context: Context, commit: bool) -> Result:
    context.progress(0.1, f"Reading {context.source_name}")
    positive = context.options.get("mode") == "positive"
    # PostgreSQL reads a clean file itself (fastread); any other file, and SQLite, take the
    # Python reader, which names every problem by row and column.
    plan = fastread.stage_attendance(
        context.system, context.path, context.source_name, positive=positive, keep=commit
    ) or reading.plan_attendance(
        context.system, context.path, context.source_name, positive=positive
    )
    if commit:
        context.progress(0.6, "Applying the attendance")
        services.attendance_apply(actor=context.actor, system=context.system, plan=plan)
    lo, hi = plan.dates
    days = f"{lo}" if lo == hi else f"{lo} to {hi}"
    return _result(
        context,
        "attendance events",
        plan.diff,
        mode="positive" if positive else "negative",
        notes=[
            f"Attendance of {days} for {len({s for s, _d in plan.covered}):,} schools "
            f"({len(plan.changed_pairs):,} of {len(plan.covered):,} school-days change): a "
            "school-day in the file replaces that day's records of the school."
        ],
        warnings=plan.warnings,
        warning_count=len(plan.warnings),
    )


def _submissions(context: Context, commit: bool) -> Result:
    context.progress(0.1, f"Reading {context.source_name}")
    plan = reading.plan_submissions(context.system, context.path, context.source_name)
    if commit:
        context.progress(0.6, "Applying the submissions")
        services.submissions_apply(actor=context.actor, system=context.system, plan=plan)
    return _result(
        context,
        "submissions",
        plan.diff,
        notes=[
            f"Submissions of {len(plan.covered):,} school-days: a school-day in the file "
            "replaces that day's submissions of the school."
        ],
    )


def _kind(
    code: str,
    label: str,
    run: Callable[[Context, bool], Result],
    help_text: str,
    options: tuple[Option, ...] = (),
) -> ImportKind:
    return ImportKind(
        code=code,
        label=label,
        accepts=(".csv",),
        permission=Action.ATTENDANCE_MANAGE,
        check=lambda context: run(context, False),
        apply=lambda context: run(context, True),
        help_text=help_text,
        options=options,
        # A file that changes nothing is recognised and not committed.
        commit_unchanged=False,
    )


KINDS = {
    "calendar": _kind(
        "calendar",
        "Instructional calendar",
        _calendar,
        "CSV with columns school (its sourcedId) and date (YYYY-MM-DD): one row per "
        "instructional day of a school.",
    ),
    "enrollments": _kind(
        "enrollments",
        "School enrolment windows",
        _enrolments,
        "CSV with columns student, school (sourcedIds), entry_date and exit_date (the last day "
        "enrolled; empty while enrolled), as the SIS's student-school associations.",
    ),
    "attendance": _kind(
        "attendance",
        "Daily attendance",
        _attendance,
        "CSV with columns student, school, date, category and optionally class: Ed-Fi "
        "categories (In Attendance, Excused Absence, Unexcused Absence, Tardy, Early "
        "departure) in any case, or the system's own mapped words.",
        (Option("mode", "What the file lists", MODES, "negative"),),
    ),
    "submissions": _kind(
        "submissions",
        "Attendance submissions",
        _submissions,
        "CSV with columns class (its sourcedId), date and submitted_at (ISO 8601 with a zone).",
    ),
}


def register_kinds() -> None:
    for kind in KINDS.values():
        register(kind)
