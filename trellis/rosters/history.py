"""Position spells and school enrolment windows: the history retention and forecasts read.

The roster import keeps history append-only (decisions.md, 2026-11-29: position history):

- A change of a position's kind, school or person ends the current spell (its last day is the
  day before the new one starts) and starts a new spell under the same OneRoster key; the old
  spell is marked `superseded` and never touched by the roster again.
- A role that returns after its spell ended starts a new spell; nothing is reopened.
- Every ended spell gets an end reason, inferred from what follows it.
- Each student has one window per school stay (entry date to exit date); a transfer closes one
  window and opens another, a soft-delete closes it, a return opens a new one.
- A complete (bulk) import moves the system's `observed_through` date to the day it describes.

Most runs change few spells, so the changes that need date arithmetic per row are computed in
Python from a set-based selection; everything that applies to many rows is one SQL statement.
"""

from __future__ import annotations

import datetime
from typing import Any

from trellis.people.models import EndReason, Position
from trellis.rosters.bundle import Bundle
from trellis.rosters.models import RosterState
from trellis.rosters.staging import execute, fetch
from trellis.students.models import SchoolEnrolment

ONE_DAY = datetime.timedelta(days=1)


def as_moment(value: Any) -> datetime.datetime | None:
    """Staged date-times come back as naive UTC text from SQLite."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value)).replace(tzinfo=datetime.UTC)


def as_date(value: Any) -> datetime.date | None:
    """Dates come back as text from SQLite, as dates from PostgreSQL."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


# -- observed through ----------------------------------------------------------------------


def positions_file(bundle: Bundle) -> str:
    """The manifest file whose mode says whether the bundle lists every position."""
    return "roles" if bundle.version == "1.2" else "users"


def is_complete(bundle: Bundle) -> bool:
    """A bulk list of positions: what it does not hold has ended."""
    return bundle.modes.get(positions_file(bundle)) == "bulk"


def observed_through(system_id: int) -> datetime.date | None:
    state = RosterState.objects.filter(system_id=system_id).first()
    return state.observed_through if state else None


def advance_observed_through(system_id: int, day: datetime.date) -> None:
    state, _created = RosterState.objects.get_or_create(system_id=system_id)
    if state.observed_through is None or day > state.observed_through:
        state.observed_through = day
        state.save(update_fields=["observed_through", "updated_at"])


# -- position spells -----------------------------------------------------------------------


def supersede_positions(
    *, system_id: int, newer: str, now: datetime.datetime, run_date: datetime.date
) -> dict[str, int]:
    """Start new spells where a staged role (in `nxt`) changes kind, school or person, or returns
    after its spell ended. Runs before the in-place updates, which then find nothing to change
    on those rows. Returns {"changed": spells ended, "added": spells started}."""
    s = int(system_id)
    rows = fetch(
        "SELECT t.id, t.starts_on, t.ends_on, t.kind, t.school_id, n.sid, n.dlm, "
        "n.person_id, n.kind, n.school_id, n.begin_date, n.ends_on FROM people_position t "
        f"JOIN nxt n ON t.system_id = {s} AND t.sourced_id = n.sid AND t.source = 'roster' "
        f"AND NOT t.superseded WHERE n.active AND {newer} AND (t.kind <> n.kind OR "
        "t.school_id IS DISTINCT FROM n.school_id OR t.person_id <> n.person_id OR "
        "(t.ends_on IS NOT NULL AND t.ends_on < %s AND (n.ends_on IS NULL OR n.ends_on >= %s)))",
        [run_date, run_date],
    )
    ended: list[Position] = []
    started: list[Position] = []
    starts: list[tuple[datetime.date, str]] = []
    for (
        pk,
        t_start,
        t_end,
        t_kind,
        t_school,
        sid,
        dlm,
        person_id,
        kind,
        school_id,
        begin,
        n_end,
    ) in rows:
        t_start, t_end, begin, n_end = (as_date(v) for v in (t_start, t_end, begin, n_end))
        assert t_start is not None
        returned = t_end is not None and t_end < run_date and (n_end is None or n_end >= run_date)
        if returned:
            assert t_end is not None
            new_start = begin if begin is not None and begin > t_end else run_date
            old_end = t_end
            reason = ""  # the ending already has its reason
        else:
            new_start = begin if begin is not None and begin > t_start else run_date
            if new_start <= t_start:
                continue  # the spell began today: corrected in place, no history to keep
            old_end = new_start - ONE_DAY if t_end is None else min(t_end, new_start - ONE_DAY)
            if school_id != t_school:
                reason = EndReason.MOVED_SCHOOL
            elif kind != t_kind:
                reason = EndReason.CHANGED_ROLE
            else:
                reason = EndReason.UNKNOWN  # the role passed to another person
        if n_end is not None and n_end < new_start:
            continue  # a new spell that would end before it starts: corrected in place
        old = Position(pk=pk, ends_on=old_end, superseded=True, updated_at=now)
        old.end_reason = reason
        ended.append(old)
        started.append(
            Position(
                system_id=s,
                person_id=person_id,
                kind=kind,
                school_id=school_id,
                starts_on=new_start,
                ends_on=n_end,
                source=Position.Source.ROSTER,
                sourced_id=sid,
                roster_modified_at=as_moment(dlm),
                created_at=now,
                updated_at=now,
            )
        )
        starts.append((new_start, sid))
    if not ended:
        return {"changed": 0, "added": 0}
    for old in ended:
        fields: dict[str, Any] = {"ends_on": old.ends_on, "superseded": True, "updated_at": now}
        if old.end_reason:
            fields["end_reason"] = old.end_reason
        Position.objects.filter(pk=old.pk).update(**fields)
    Position.objects.bulk_create(started, batch_size=5000)
    # Later statements compare the new spells with `nxt`: give them the start they got.
    for start, sid in starts:
        execute("UPDATE nxt SET starts_on = %s WHERE sid = %s", [start, sid])
    return {"changed": len(ended), "added": len(started)}


def infer_end_reasons(*, system_id: int, run_date: datetime.date) -> int:
    """Give every roster spell that has ended by `run_date` and has no reason yet the reason the
    data shows: the next position (started later, continuing past the end) at another school →
    moved school; any position that continues past its end → changed role; none → left the
    system."""
    s = int(system_id)
    continuing = (
        "SELECT 1 FROM people_position f WHERE f.person_id = t.person_id AND f.id <> t.id "
        "AND (f.ends_on IS NULL OR f.ends_on > t.ends_on)"
    )
    # The position that follows next (started later, continues past the end) tells the reason.
    following = continuing.replace("SELECT 1", "SELECT f.school_id") + (
        " AND f.starts_on > t.starts_on ORDER BY f.starts_on, f.id LIMIT 1"
    )
    return execute(
        "UPDATE people_position AS t SET end_reason = CASE "
        f"WHEN EXISTS ({continuing} AND f.starts_on > t.starts_on) AND ({following}) "
        f"IS DISTINCT FROM t.school_id THEN '{EndReason.MOVED_SCHOOL.value}' "
        f"WHEN EXISTS ({continuing}) THEN '{EndReason.CHANGED_ROLE.value}' "
        f"ELSE '{EndReason.LEFT_SYSTEM.value}' END "
        f"WHERE t.system_id = {s} AND t.source = 'roster' AND t.end_reason = '' "
        "AND t.ends_on IS NOT NULL AND t.ends_on < %s",
        [run_date],
    )


# -- school enrolment windows --------------------------------------------------------------

# The latest roster window of each student.
CURRENT_WINDOW = (
    "w.source = 'roster' AND NOT EXISTS (SELECT 1 FROM students_schoolenrolment l WHERE "
    "l.student_id = w.student_id AND l.source = 'roster' AND (l.entry_date > w.entry_date OR "
    "(l.entry_date = w.entry_date AND l.id > w.id)))"
)


def apply_enrolments(
    *, system_id: int, now: datetime.datetime, run_date: datetime.date
) -> dict[str, int]:
    """Make each student's windows follow their record after the students were applied."""
    s = int(system_id)
    last_day = run_date - ONE_DAY
    counts = {"added": 0, "changed": 0, "soft_deleted": 0, "reactivated": 0}
    # Soft-deleted students leave: their open window closes the day before this import.
    counts["soft_deleted"] = execute(
        "UPDATE students_schoolenrolment AS w SET exit_date = CASE WHEN w.entry_date > %s THEN "
        "w.entry_date ELSE %s END, updated_at = %s WHERE w.system_id = "
        f"{s} AND (w.exit_date IS NULL OR w.exit_date > CASE WHEN w.entry_date > %s THEN "
        f"w.entry_date ELSE %s END) AND {CURRENT_WINDOW} AND EXISTS (SELECT 1 FROM "
        "students_student st WHERE st.id = w.student_id AND NOT st.is_active)",
        [last_day, last_day, now, last_day, last_day],
    )
    # Transfers, returns and changed exit dates: few per run, worked out row by row.
    rows = fetch(
        "SELECT w.id, w.school_id, w.entry_date, w.exit_date, st.id, st.school_id, "
        "st.enrolled_on, st.exits_on FROM students_schoolenrolment w JOIN students_student st "
        f"ON st.id = w.student_id WHERE w.system_id = {s} AND st.is_active AND {CURRENT_WINDOW} "
        "AND (w.school_id <> st.school_id OR w.exit_date IS DISTINCT FROM st.exits_on)"
    )
    new: list[SchoolEnrolment] = []
    for w_id, w_school, w_entry, w_exit, student_id, school_id, enrolled, exits in rows:
        w_entry, w_exit, enrolled, exits = (as_date(v) for v in (w_entry, w_exit, enrolled, exits))
        assert w_entry is not None
        closed = w_exit is not None and w_exit < run_date
        if w_school == school_id and not (closed and (exits is None or exits >= run_date)):
            # Same stay, a new exit date (or none).
            if exits is None or exits >= w_entry:
                SchoolEnrolment.objects.filter(pk=w_id).update(exit_date=exits, updated_at=now)
                counts["changed"] += 1
            continue
        if closed:
            assert w_exit is not None
            entry = enrolled if enrolled is not None and enrolled > w_exit else run_date
            counts["reactivated"] += 1
        else:
            entry = enrolled if enrolled is not None and enrolled > w_entry else run_date
            if entry <= w_entry:
                # Moved on the day the window opened: the window was wrong, not a stay.
                SchoolEnrolment.objects.filter(pk=w_id).update(
                    school_id=school_id, exit_date=exits, updated_at=now
                )
                counts["changed"] += 1
                continue
            exit_day = entry - ONE_DAY if w_exit is None else min(w_exit, entry - ONE_DAY)
            SchoolEnrolment.objects.filter(pk=w_id).update(exit_date=exit_day, updated_at=now)
            counts["changed"] += 1
        if exits is not None and exits < entry:
            exits = entry
        new.append(
            SchoolEnrolment(
                system_id=s,
                student_id=student_id,
                school_id=school_id,
                entry_date=entry,
                exit_date=exits,
                created_at=now,
                updated_at=now,
            )
        )
    SchoolEnrolment.objects.bulk_create(new, batch_size=5000)
    counts["added"] += len(new)
    # Students with no window yet (new, or stored before windows existed) get their first.
    counts["added"] += execute(
        "INSERT INTO students_schoolenrolment (system_id, student_id, school_id, entry_date, "
        "exit_date, source, created_at, updated_at) SELECT st.system_id, st.id, st.school_id, "
        "COALESCE(st.enrolled_on, CASE WHEN st.exits_on < %s THEN st.exits_on ELSE %s END), "
        "st.exits_on, 'roster', %s, %s FROM students_student st WHERE st.system_id = "
        f"{s} AND st.is_active AND NOT EXISTS (SELECT 1 FROM students_schoolenrolment w "
        "WHERE w.student_id = st.id AND w.source = 'roster')",
        [run_date, run_date, now, now],
    )
    return counts
