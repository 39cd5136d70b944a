"""The daily per-school roll-up (DailySchoolAttendance), rebuilt set-wise inside the transaction
of every import that changes what it counts. Pages and the API read only the roll-up.

Derived data, not a record anyone edits: no permission check (the import was checked) and no
audit event of its own (the import's run carries one).

Definitions (also stated on the pages):
- enrolled: students whose enrolment window at the school covers the day;
- absent: enrolled students with an Excused or Unexcused Absence that day;
- expected submissions: one per active homeroom class (per active scheduled class when the
  system takes attendance by period) of the school per instructional day;
- chronic absence to date: from the school year's first instructional day (school years start
  on 1 July) to the day, students enrolled at the school at least `chronic_min_days`
  instructional days count; those absent on at least `chronic_percent` % of those days are
  chronically absent. A student who transfers counts at each school for the days there only.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Collection, Iterator
from typing import Any

from django.db import connection
from django.db.models import Count as Count_
from django.db.models import Exists, OuterRef, Q

from trellis.attendance.models import (
    ABSENCES,
    AttendanceEvent,
    AttendanceSettings,
    AttendanceSubmission,
    CalendarDay,
    Category,
    DailyChronicTransfer,
    DailyGradeChronic,
    DailySchoolAttendance,
    DailySchoolContacts,
    FamilyContact,
)
from trellis.orgs.models import School
from trellis.rosters.models import SchoolClass
from trellis.students.models import SchoolEnrolment, Student

# Enrolment windows imported from the SIS (import_enrollments); the roster import's are "roster".
SIS_SOURCE = "sis"
# The school's usual absence rate: its rolled-up days in the four weeks before the day.
USUAL_WINDOW_DAYS = 28


def school_year_start(day: datetime.date) -> datetime.date:
    """The first day of the school year holding `day` (school years run 1 July to 30 June)."""
    return datetime.date(day.year if day.month >= 7 else day.year - 1, 7, 1)


def school_year_end(day: datetime.date) -> datetime.date:
    """The last day of the school year holding `day` (30 June)."""
    return datetime.date(school_year_start(day).year + 1, 6, 30)


def settings_of(system_id: int) -> AttendanceSettings:
    own = AttendanceSettings.objects.filter(system_id=system_id).first()
    return own or AttendanceSettings(system_id=system_id)


def window_source(system_id: int) -> str:
    """Where a system's enrolment windows come from: the SIS's own export once one has been
    imported, else the windows the roster import keeps (never both: a student would count
    twice)."""
    has_sis = SchoolEnrolment.objects.filter(system_id=system_id, source=SIS_SOURCE).exists()
    return SIS_SOURCE if has_sis else "roster"


def class_type(settings: AttendanceSettings) -> str:
    return (
        SchoolClass.Kind.SCHEDULED
        if settings.taken_by == AttendanceSettings.TakenBy.PERIOD
        else SchoolClass.Kind.HOMEROOM
    )


def last_rolled_up(system_id: int) -> datetime.date | None:
    return (
        DailySchoolAttendance.objects.filter(system_id=system_id)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def _in(values: Collection[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _tables() -> dict[str, str]:
    return {
        "cal": CalendarDay._meta.db_table,
        "ev": AttendanceEvent._meta.db_table,
        "win": SchoolEnrolment._meta.db_table,
        "sub": AttendanceSubmission._meta.db_table,
        "cls": SchoolClass._meta.db_table,
    }


def rollups_rebuild(
    *,
    system_id: int,
    start: datetime.date,
    end: datetime.date,
    school_ids: Collection[int] | None = None,
) -> int:
    """Rebuild the roll-up of every instructional day in [start, end] of `school_ids` (all the
    system's schools when None): one DELETE, one SELECT of the day figures, one SELECT of the
    chronic figures per day, one bulk INSERT. Returns the rows written."""
    if start > end:
        return 0
    if school_ids is None:
        ids = sorted(School.objects.filter(system_id=system_id).values_list("pk", flat=True))
    else:
        ids = sorted(int(pk) for pk in school_ids)
    if not ids:
        return 0
    own = settings_of(system_id)
    source = window_source(system_id)
    kind = class_type(own)
    t = _tables()
    absences = [str(c) for c in ABSENCES]
    DailySchoolAttendance.objects.filter(school_id__in=ids, date__gte=start, date__lte=end).delete()
    # "+w.school_id": the student's own windows are few; without the plus SQLite walks the
    # school's (enrolment_school) for every event: 80 times slower on the demo's year.
    enrolled_on_day = (
        f"EXISTS (SELECT 1 FROM {t['win']} w WHERE w.student_id = e.student_id "
        "AND +w.school_id = e.school_id AND w.source = %s AND w.entry_date <= e.date "
        "AND (w.exit_date IS NULL OR w.exit_date >= e.date))"
    )
    sql = f"""
        SELECT c.school_id, c.date,
          (SELECT COUNT(DISTINCT w.student_id) FROM {t["win"]} w
            WHERE w.school_id = c.school_id AND w.source = %s AND w.entry_date <= c.date
              AND (w.exit_date IS NULL OR w.exit_date >= c.date)),
          (SELECT COUNT(DISTINCT e.student_id) FROM {t["ev"]} e
            WHERE e.school_id = c.school_id AND e.date = c.date
              AND e.category IN ({_in(absences)}) AND {enrolled_on_day}),
          (SELECT COUNT(DISTINCT e.student_id) FROM {t["ev"]} e
            WHERE e.school_id = c.school_id AND e.date = c.date
              AND e.category = %s AND {enrolled_on_day}),
          (SELECT COUNT(*) FROM {t["cls"]} k
            WHERE k.school_id = c.school_id AND k.is_active AND k.class_type = %s),
          (SELECT COUNT(*) FROM {t["sub"]} s JOIN {t["cls"]} k ON k.id = s.school_class_id
            WHERE s.school_id = c.school_id AND s.date = c.date AND k.is_active
              AND k.class_type = %s),
          (SELECT COUNT(*) FROM {t["sub"]} s JOIN {t["cls"]} k ON k.id = s.school_class_id
            WHERE s.school_id = c.school_id AND s.date = c.date AND k.is_active
              AND k.class_type = %s AND s.on_time)
        FROM {t["cal"]} c
        WHERE c.school_id IN ({_in(ids)}) AND c.date >= %s AND c.date <= %s
    """
    params: list[Any] = [
        source,
        *absences,
        source,
        str(Category.TARDY),
        source,
        kind,
        kind,
        kind,
        *ids,
        start,
        end,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        days = cursor.fetchall()
    rows: dict[tuple[int, datetime.date], DailySchoolAttendance] = {}
    for school_id, day, enrolled, absent, tardy, expected, submitted, on_time in days:
        day = _date(day)
        rows[(school_id, day)] = DailySchoolAttendance(
            system_id=system_id,
            school_id=school_id,
            date=day,
            enrolled=enrolled,
            absent=absent,
            tardy=tardy,
            expected_submissions=expected,
            submitted=submitted,
            on_time=on_time,
        )
    # Chronic absence to date, counted per grade (the grade roll-up is written from the same
    # figures) and added up per school.
    grades = chronic_by_grade(school_ids=ids, pairs=set(rows), source=source, settings=own)
    for (school_id, day, _grade), (counted, chronic) in grades.items():
        row = rows.get((school_id, day))
        if row is not None:
            row.chronic_counted += counted
            row.chronic_absent += chronic
    DailySchoolAttendance.objects.bulk_create(rows.values(), batch_size=5000)
    # The usual rate of the rebuilt days and of the four weeks after them (whose windows hold
    # the rebuilt days).
    usual_refresh(school_ids=ids, start=start, end=end + datetime.timedelta(days=USUAL_WINDOW_DAYS))
    detail_rollups_rebuild(system_id=system_id, start=start, end=end, school_ids=ids, grades=grades)
    transfer_rollups_rebuild(system_id=system_id, start=start, end=end, source=source, settings=own)
    return len(rows)


def usual_refresh(*, school_ids: Collection[int], start: datetime.date, end: datetime.date) -> int:
    """Store each roll-up row's usual figures (from `start` to `end`, of the schools): the sums
    of enrolled and absent over the school's rows of the USUAL_WINDOW_DAYS days before the row's
    day, in one UPDATE (an index range of the school's rows per row). Returns the rows
    updated."""
    ids = sorted(int(pk) for pk in school_ids)
    if not ids or start > end:
        return 0
    daily = DailySchoolAttendance._meta.db_table
    # The window's first day, in each database's date arithmetic (a constant, not a parameter).
    since = (
        f"d.date - {int(USUAL_WINDOW_DAYS)}"
        if connection.vendor == "postgresql"
        else f"date(d.date, '-{int(USUAL_WINDOW_DAYS)} days')"
    )

    def summed(field: str) -> str:
        return (
            f"COALESCE((SELECT SUM(u.{field}) FROM {daily} u WHERE u.school_id = d.school_id "
            f"AND u.date >= {since} AND u.date < d.date), 0)"
        )

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {daily} AS d SET usual_enrolled = {summed('enrolled')}, "
            f"usual_absent = {summed('absent')} "
            f"WHERE d.school_id IN ({_in(ids)}) AND d.date >= %s AND d.date <= %s",
            [*ids, start, end],
        )
        return int(cursor.rowcount)


# Up to this many days, chronic absence is counted by one SQL query a day; beyond, by one sweep.
SQL_DAYS = 3


def _date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def chronic_by_grade(
    *,
    school_ids: list[int],
    pairs: set[tuple[int, datetime.date]],
    source: str,
    settings: AttendanceSettings,
) -> dict[tuple[int, datetime.date, str], tuple[int, int]]:
    """{(school, day, grade): (students who count, chronically absent)} to each of the days:
    for a few days (the daily import) one grouped query a day, the database doing the counting
    (`grade_chronic_on`); for more (a backfill: a year of calendar, enrolments or history) one
    pass over the windows (`grade_chronic_sweep`)."""
    days = sorted({day for _school, day in pairs})
    if len(days) > SQL_DAYS:
        return grade_chronic_sweep(
            school_ids=school_ids, pairs=pairs, source=source, settings=settings
        )
    found: dict[tuple[int, datetime.date, str], tuple[int, int]] = {}
    for day in days:
        for school_id, grade, counted, chronic in grade_chronic_on(
            school_ids=school_ids, day=day, source=source, settings=settings
        ):
            if (school_id, day) in pairs:
                found[(school_id, day, grade)] = (counted, chronic)
    return found


def chronic_on(
    *,
    system_id: int,
    school_ids: list[int],
    day: datetime.date,
    source: str,
    settings: AttendanceSettings,
) -> list[tuple[int, int, int]]:
    """(school, students who count, chronically absent) to `day`: `grade_chronic_on` added up
    per school. Every school with a window that day or earlier in the year is listed."""
    out: dict[int, list[int]] = {}
    for school_id, _grade, counted, chronic in grade_chronic_on(
        school_ids=school_ids, day=day, source=source, settings=settings
    ):
        figures = out.setdefault(school_id, [0, 0])
        figures[0] += counted
        figures[1] += chronic
    return [(school_id, counted, chronic) for school_id, (counted, chronic) in out.items()]


def counts_for_chronic(days_enrolled: int, settings: AttendanceSettings) -> bool:
    """A student counts towards a school's chronic absence once enrolled the minimum days."""
    return days_enrolled >= settings.chronic_min_days


def is_chronic(days_enrolled: int, days_absent: int, settings: AttendanceSettings) -> bool:
    """Chronically absent: counted, and absent on at least the share of the days enrolled."""
    return (
        counts_for_chronic(days_enrolled, settings)
        and days_absent * 100 >= settings.chronic_percent * days_enrolled
    )


def chronic_days(
    *, school_ids: Collection[int], day: datetime.date, source: str
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """Per (school, student), from the school year's first instructional day to `day`: the
    instructional days enrolled there, and the days absent while enrolled there (two grouped
    queries). The one computation behind chronic absence, per school (`chronic_on`), per grade
    and per student (attendance.selectors)."""
    ids = sorted(int(pk) for pk in school_ids)
    if not ids:
        return {}, {}
    (enrolled_sql, enrolled_params), (absent_sql, absent_params) = _chronic_sql(ids, day, source)
    with connection.cursor() as cursor:
        cursor.execute(enrolled_sql, enrolled_params)
        enrolled = {(int(k), int(s)): int(n) for k, s, n in cursor.fetchall()}
        cursor.execute(absent_sql, absent_params)
        absent = {(int(k), int(s)): int(n) for k, s, n in cursor.fetchall()}
    return enrolled, absent


def _chronic_sql(
    ids: list[int], day: datetime.date, source: str, students: list[int] | None = None
) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
    """The two grouped queries of `chronic_days` (school_id, student_id, n), with their
    parameters: days enrolled, and days absent while enrolled, from the school year's first day
    to `day` (of the given students only, when given)."""
    t = _tables()
    absences = [str(c) for c in ABSENCES]
    first = school_year_start(day)
    only = list(students or [])
    own_w = f" AND w.student_id IN ({_in(only)})" if students is not None and only else ""
    own_e = f" AND e.student_id IN ({_in(only)})" if students is not None and only else ""
    enrolled_sql = f"""
        SELECT w.school_id, w.student_id, COUNT(c.date) AS n
        FROM {t["win"]} w JOIN {t["cal"]} c ON c.school_id = w.school_id
          AND c.date >= (CASE WHEN w.entry_date > %s THEN w.entry_date ELSE %s END)
          AND c.date <= (CASE WHEN w.exit_date IS NOT NULL AND w.exit_date < %s
                              THEN w.exit_date ELSE %s END)
        WHERE w.school_id IN ({_in(ids)}) AND w.source = %s AND w.entry_date <= %s
          AND (w.exit_date IS NULL OR w.exit_date >= %s){own_w}
        GROUP BY w.school_id, w.student_id
    """
    absent_sql = f"""
        SELECT e.school_id, e.student_id, COUNT(DISTINCT e.date) AS n
        FROM {t["ev"]} e
        JOIN {t["win"]} w ON w.student_id = e.student_id AND w.school_id = e.school_id
          AND w.source = %s AND w.entry_date <= e.date
          AND (w.exit_date IS NULL OR w.exit_date >= e.date)
        JOIN {t["cal"]} c ON c.school_id = e.school_id AND c.date = e.date
        WHERE e.school_id IN ({_in(ids)}) AND e.category IN ({_in(absences)})
          AND e.date >= %s AND e.date <= %s{own_e}
        GROUP BY e.school_id, e.student_id
    """
    own = only if own_w else []
    return (
        (enrolled_sql, [first, first, day, day, *ids, source, day, first, *own]),
        (absent_sql, [source, *ids, *absences, first, day, *own]),
    )


def chronic_sweep(
    *,
    school_ids: list[int],
    pairs: set[tuple[int, datetime.date]],
    source: str,
    settings: AttendanceSettings,
) -> dict[tuple[int, datetime.date], tuple[int, int]]:
    """The same figures as `chronic_on` for many days at once (`grade_chronic_sweep` added up
    per school). {(school, day): (count, chronic)}."""
    out: dict[tuple[int, datetime.date], list[int]] = {pair: [0, 0] for pair in pairs}
    for (school_id, day, _grade), (counted, chronic) in grade_chronic_sweep(
        school_ids=school_ids, pairs=pairs, source=source, settings=settings
    ).items():
        figures = out[(school_id, day)]
        figures[0] += counted
        figures[1] += chronic
    return {pair: (counted, chronic) for pair, (counted, chronic) in out.items()}


# --- Detail roll-ups: chronic absence per school and grade, family contact per school ---------
# (issue 12). Written for the same school-days as DailySchoolAttendance, in the transaction that
# rebuilt it (`rollups_rebuild` calls `detail_rollups_rebuild`), and for contacts also by the
# services that log them. The chronic and contact-rate pages read these, never the raw events.


def detail_rollups_rebuild(
    *,
    system_id: int,
    start: datetime.date,
    end: datetime.date,
    school_ids: Collection[int],
    grades: dict[tuple[int, datetime.date, str], tuple[int, int]] | None = None,
) -> int:
    """The grade and contact roll-ups of every rolled-up school-day in [start, end] of the
    schools (`grades`: the grade figures when the caller has counted them already). Returns
    the rows written."""
    return grade_rollups_rebuild(
        system_id=system_id, start=start, end=end, school_ids=school_ids, grades=grades
    ) + contact_rollups_rebuild(system_id=system_id, start=start, end=end, school_ids=school_ids)


def _rolled_up_pairs(
    ids: list[int], start: datetime.date, end: datetime.date
) -> set[tuple[int, datetime.date]]:
    return {
        (school_id, _date(day))
        for school_id, day in DailySchoolAttendance.objects.filter(
            school_id__in=ids, date__gte=start, date__lte=end
        ).values_list("school_id", "date")
    }


def grade_rollups_rebuild(
    *,
    system_id: int,
    start: datetime.date,
    end: datetime.date,
    school_ids: Collection[int],
    grades: dict[tuple[int, datetime.date, str], tuple[int, int]] | None = None,
) -> int:
    """DailyGradeChronic for the rolled-up school-days in [start, end] (`chronic_by_grade`,
    unless given). Only grades with students who count get a row."""
    ids = sorted(int(pk) for pk in school_ids)
    if not ids or start > end:
        return 0
    DailyGradeChronic.objects.filter(school_id__in=ids, date__gte=start, date__lte=end).delete()
    if grades is None:
        pairs = _rolled_up_pairs(ids, start, end)
        grades = chronic_by_grade(
            school_ids=ids,
            pairs=pairs,
            source=window_source(system_id),
            settings=settings_of(system_id),
        )
    rows = [
        DailyGradeChronic(
            system_id=system_id,
            school_id=school_id,
            date=day,
            grade=grade,
            chronic_counted=counted,
            chronic_absent=chronic,
        )
        for (school_id, day, grade), (counted, chronic) in sorted(grades.items())
        if counted and start <= day <= end
    ]
    DailyGradeChronic.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def grade_chronic_on(
    *,
    school_ids: list[int],
    day: datetime.date,
    source: str,
    settings: AttendanceSettings,
) -> list[tuple[int, str, int, int]]:
    """(school, grade, students who count, chronically absent) to `day`: `chronic_days`'
    two grouped queries joined and counted in the database, by the student's roster grade."""
    (enrolled_sql, enrolled_params), (absent_sql, absent_params) = _chronic_sql(
        school_ids, day, source
    )
    counts = "en.n >= %s"
    chronic = f"{counts} AND COALESCE(ab.n, 0) * 100 >= %s * en.n"
    sql = f"""
        SELECT en.school_id, st.grade,
          SUM(CASE WHEN {counts} THEN 1 ELSE 0 END),
          SUM(CASE WHEN {chronic} THEN 1 ELSE 0 END)
        FROM ({enrolled_sql}) en
        JOIN {Student._meta.db_table} st ON st.id = en.student_id
        LEFT JOIN ({absent_sql}) ab ON ab.school_id = en.school_id AND ab.student_id = en.student_id
        GROUP BY en.school_id, st.grade
    """
    minimum, share = settings.chronic_min_days, settings.chronic_percent
    with connection.cursor() as cursor:
        cursor.execute(sql, [minimum, minimum, share, *enrolled_params, *absent_params])
        return [
            (int(school_id), grade or "", int(counted or 0), int(chronic or 0))
            for school_id, grade, counted, chronic in cursor.fetchall()
        ]


def grade_chronic_sweep(
    *,
    school_ids: list[int],
    pairs: set[tuple[int, datetime.date]],
    source: str,
    settings: AttendanceSettings,
) -> dict[tuple[int, datetime.date, str], tuple[int, int]]:
    """`grade_chronic_on` for many days at once, by `chronic_sweep`'s method (the windows,
    instructional days and absence days read once, counted by bisection), per grade."""
    out: dict[tuple[int, datetime.date, str], list[int]] = defaultdict(lambda: [0, 0])
    grade_of = _grades(school_ids, source)
    for (school_id, student_id, day), chronic in _chronic_students(
        school_ids=school_ids, pairs=pairs, source=source, settings=settings
    ):
        figures = out[(school_id, day, grade_of.get(student_id, ""))]
        figures[0] += 1
        figures[1] += int(chronic)
    return {key: (counted, chronic) for key, (counted, chronic) in out.items()}


def _grades(school_ids: list[int], source: str) -> dict[int, str]:
    """The roster grade of every student with a window at the schools."""
    return dict(
        Student.objects.filter(
            pk__in=SchoolEnrolment.objects.filter(school_id__in=school_ids, source=source).values(
                "student_id"
            )
        ).values_list("pk", "grade")
    )


def _chronic_students(
    *,
    school_ids: list[int],
    pairs: set[tuple[int, datetime.date]],
    source: str,
    settings: AttendanceSettings,
    students: list[int] | None = None,
) -> Iterator[tuple[tuple[int, int, datetime.date], bool]]:
    """((school, student, day), chronically absent) for each student who counts at the school
    on each of the days (of the given students only, when given): `chronic_sweep`'s
    computation, student by student."""
    if not pairs or (students is not None and not students):
        return
    held = SchoolEnrolment.objects.filter(school_id__in=school_ids, source=source)
    events = AttendanceEvent.objects.all()
    if students is not None:
        held = held.filter(student_id__in=students)
        events = events.filter(student_id__in=students)
        school_ids = sorted(set(held.values_list("school_id", flat=True)) & set(school_ids))
    first = school_year_start(min(day for _s, day in pairs))
    last = max(day for _s, day in pairs)
    days_of: dict[int, list[datetime.date]] = defaultdict(list)
    for school_id, day in (
        CalendarDay.objects.filter(school_id__in=school_ids, date__gte=first, date__lte=last)
        .order_by("school_id", "date")
        .values_list("school_id", "date")
    ):
        days_of[school_id].append(day)
    instructional = {(s, d) for s, days in days_of.items() for d in days}
    spans: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = defaultdict(
        list
    )
    for student_id, school_id, entry, exit_ in (
        held.filter(school_id__in=school_ids, entry_date__lte=last)
        .exclude(exit_date__lt=first)
        .values_list("student_id", "school_id", "entry_date", "exit_date")
        .iterator(chunk_size=20000)
    ):
        spans[(student_id, school_id)].append((entry, exit_))
    absent_on: dict[tuple[int, int], set[datetime.date]] = defaultdict(set)
    for student_id, school_id, day in (
        events.filter(
            school_id__in=school_ids,
            date__gte=first,
            date__lte=last,
            category__in=[str(c) for c in ABSENCES],
        )
        .values_list("student_id", "school_id", "date")
        .iterator(chunk_size=20000)
    ):
        if (school_id, day) in instructional and any(
            entry <= day and (exit_ is None or day <= exit_)
            for entry, exit_ in spans.get((student_id, school_id), ())
        ):
            absent_on[(student_id, school_id)].add(day)
    targets: dict[int, list[datetime.date]] = defaultdict(list)
    for school_id, day in sorted(pairs):
        targets[school_id].append(day)
    for (student_id, school_id), windows in spans.items():
        days = days_of.get(school_id, [])
        absences = sorted(absent_on.get((student_id, school_id), ()))
        for day in targets.get(school_id, ()):
            start = school_year_start(day)
            enrolled = 0
            for entry, exit_ in windows:
                if entry > day or (exit_ is not None and exit_ < start):
                    continue
                upper = day if exit_ is None else min(day, exit_)
                enrolled += bisect.bisect_right(days, upper) - bisect.bisect_left(
                    days, max(entry, start)
                )
            if not counts_for_chronic(enrolled, settings):
                continue
            absent = bisect.bisect_right(absences, day) - bisect.bisect_left(absences, start)
            yield (school_id, student_id, day), is_chronic(enrolled, absent, settings)


def movers(*, system_id: int, start: datetime.date, end: datetime.date, source: str) -> list[int]:
    """The students with enrolment windows at more than one school of the system in the school
    years from `start`'s to `end` (one grouped query over the windows): the only ones who can
    count towards chronic absence at two schools on a day."""
    return sorted(
        SchoolEnrolment.objects.filter(system_id=system_id, source=source, entry_date__lte=end)
        .exclude(exit_date__lt=school_year_start(start))
        .order_by()
        .values("student_id")
        .annotate(n=Count_("school_id", distinct=True))
        .filter(n__gt=1)
        .values_list("student_id", flat=True)
    )


def transfer_rollups_rebuild(
    *,
    system_id: int,
    start: datetime.date,
    end: datetime.date,
    source: str | None = None,
    settings: AttendanceSettings | None = None,
) -> int:
    """DailyChronicTransfer for every rolled-up school-day of the system in [start, end]: the
    students who count towards chronic absence at two or more of its schools that day, one row
    per school, with whether they are chronically absent there. Only the students with windows
    at more than one school are counted (`movers`): per day in the database for a few days,
    by `_chronic_students`' sweep for more. Returns the rows written."""
    if start > end:
        return 0
    source = source or window_source(system_id)
    settings = settings or settings_of(system_id)
    DailyChronicTransfer.objects.filter(
        system_id=system_id, date__gte=start, date__lte=end
    ).delete()
    students = movers(system_id=system_id, start=start, end=end, source=source)
    if not students:
        return 0
    ids = sorted(School.objects.filter(system_id=system_id).values_list("pk", flat=True))
    pairs = _rolled_up_pairs(ids, start, end)
    if not pairs:
        return 0
    at: dict[tuple[int, datetime.date], list[tuple[int, bool]]] = defaultdict(list)
    days = sorted({day for _school, day in pairs})
    if len(days) <= SQL_DAYS:
        minimum, share = settings.chronic_min_days, settings.chronic_percent
        for day in days:
            (enrolled_sql, enrolled_params), (absent_sql, absent_params) = _chronic_sql(
                ids, day, source, students
            )
            sql = f"""
                SELECT en.school_id, en.student_id,
                  CASE WHEN COALESCE(ab.n, 0) * 100 >= %s * en.n THEN 1 ELSE 0 END
                FROM ({enrolled_sql}) en
                LEFT JOIN ({absent_sql}) ab
                  ON ab.school_id = en.school_id AND ab.student_id = en.student_id
                WHERE en.n >= %s
            """
            with connection.cursor() as cursor:
                cursor.execute(sql, [share, *enrolled_params, *absent_params, minimum])
                for school_id, student_id, chronic in cursor.fetchall():
                    if (int(school_id), day) in pairs:
                        at[(int(student_id), day)].append((int(school_id), bool(chronic)))
    else:
        for (school_id, student_id, day), chronic in _chronic_students(
            school_ids=ids, pairs=pairs, source=source, settings=settings, students=students
        ):
            at[(student_id, day)].append((school_id, chronic))
    grade_of = dict(Student.objects.filter(pk__in=students).values_list("pk", "grade"))
    rows = [
        DailyChronicTransfer(
            system_id=system_id,
            school_id=school_id,
            date=day,
            student_id=student_id,
            grade=grade_of.get(student_id) or "",
            chronic=chronic,
        )
        for (student_id, day), found in sorted(at.items())
        if len(found) > 1
        for school_id, chronic in found
    ]
    DailyChronicTransfer.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def contact_rollups_rebuild(
    *,
    system_id: int,
    start: datetime.date,
    end: datetime.date | None = None,
    school_ids: Collection[int],
) -> int:
    """DailySchoolContacts for the rolled-up school-days in [start, end] (end: the last one
    rolled up when None): one grouped query a day for a few days, else one sweep."""
    ids = sorted(int(pk) for pk in school_ids)
    if end is None:
        end = last_rolled_up(system_id)
    if not ids or end is None or start > end:
        return 0
    DailySchoolContacts.objects.filter(school_id__in=ids, date__gte=start, date__lte=end).delete()
    pairs = _rolled_up_pairs(ids, start, end)
    if not pairs:
        return 0
    n = settings_of(system_id).contact_after_absences
    days = sorted({day for _school, day in pairs})
    found: dict[tuple[int, datetime.date], tuple[int, int, int]] = {}
    if len(days) <= SQL_DAYS:
        for day in days:
            extra = follow_ups_not_due_a_call(school_ids=ids, day=day, n=n)
            for school_id, eligible, contacted in contacts_on(school_ids=ids, day=day, n=n):
                found[(school_id, day)] = (
                    eligible,
                    contacted,
                    eligible - contacted + extra.get(school_id, 0),
                )
            for school_id, more in extra.items():
                found.setdefault((school_id, day), (0, 0, more))
    else:
        found = contacts_sweep(school_ids=ids, pairs=pairs, n=n)
    DailySchoolContacts.objects.bulk_create(
        (
            DailySchoolContacts(
                system_id=system_id,
                school_id=school_id,
                date=day,
                eligible=found.get((school_id, day), (0, 0, 0))[0],
                contacted=found.get((school_id, day), (0, 0, 0))[1],
                on_worklist=found.get((school_id, day), (0, 0, 0))[2],
            )
            for school_id, day in sorted(pairs)
        ),
        batch_size=5000,
    )
    return len(pairs)


def follow_ups_not_due_a_call(
    *, school_ids: list[int], day: datetime.date, n: int
) -> dict[int, int]:
    """{school: students whose latest contact this school year set a follow-up on or before
    `day` and who are not due a call} (the worklist's other students, `contacts_on` counting
    those due a call): the follow-ups due (one query), then those students' absences (one
    query, by student). Due a call: their latest Nth absence is after that latest contact."""
    first = school_year_start(day)
    contacts = FamilyContact.objects.filter(
        school_id__in=school_ids, contacted_on__gte=first, contacted_on__lte=day
    )
    later = contacts.filter(
        school_id=OuterRef("school_id"), student_id=OuterRef("student_id")
    ).filter(
        Q(contacted_on__gt=OuterRef("contacted_on"))
        | Q(contacted_on=OuterRef("contacted_on"), pk__gt=OuterRef("pk"))
    )
    due = {
        (school_id, student_id): contacted_on
        for school_id, student_id, contacted_on in contacts.filter(follow_up_on__lte=day)
        .exclude(Exists(later))
        .values_list("school_id", "student_id", "contacted_on")
    }
    if not due:
        return {}
    absent: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for school_id, student_id, date in (
        AttendanceEvent.objects.filter(
            student_id__in=sorted({student for _school, student in due}),
            school_id__in=sorted({school for school, _student in due}),
            date__gte=first,
            date__lte=day,
            category__in=[str(c) for c in ABSENCES],
        )
        .order_by()
        .values_list("school_id", "student_id", "date")
        .distinct()
    ):
        absent[(school_id, student_id)].append(date)
    out: dict[int, int] = defaultdict(int)
    for key, contacted_on in due.items():
        dates = sorted(absent.get(key, ()))
        reached = len(dates) // n
        if reached and dates[reached * n - 1] > contacted_on:
            continue  # due a call: counted by `contacts_on`
        out[key[0]] += 1
    return dict(out)


def contacts_on(*, school_ids: list[int], day: datetime.date, n: int) -> list[tuple[int, int, int]]:
    """(school, students due a contact this year, contacted since their latest Nth absence) on
    `day`, counted in the database (one query): the worklist rule of attendance.selectors
    (`contact_states`) per school."""
    t = _tables()
    absences = [str(c) for c in ABSENCES]
    sql = f"""
        SELECT d.school_id, COUNT(*),
          SUM(CASE WHEN EXISTS (
            SELECT 1 FROM {FamilyContact._meta.db_table} f
            WHERE f.school_id = d.school_id AND f.student_id = d.student_id
              AND f.contacted_on >= d.date AND f.contacted_on <= %s
          ) THEN 1 ELSE 0 END)
        FROM (
          SELECT a.school_id, a.student_id, a.date,
            ROW_NUMBER() OVER (PARTITION BY a.school_id, a.student_id ORDER BY a.date) AS k,
            COUNT(*) OVER (PARTITION BY a.school_id, a.student_id) AS total
          FROM (
            SELECT DISTINCT e.school_id, e.student_id, e.date FROM {t["ev"]} e
            WHERE e.school_id IN ({_in(school_ids)}) AND e.category IN ({_in(absences)})
              AND e.date >= %s AND e.date <= %s
          ) a
        ) d
        WHERE d.total >= %s AND d.k = (d.total / %s) * %s
        GROUP BY d.school_id
    """
    params: list[Any] = [day, *school_ids, *absences, school_year_start(day), day, n, n, n]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (int(school_id), int(eligible), int(contacted or 0))
            for school_id, eligible, contacted in cursor.fetchall()
        ]


def contacts_sweep(
    *, school_ids: list[int], pairs: set[tuple[int, datetime.date]], n: int
) -> dict[tuple[int, datetime.date], tuple[int, int, int]]:
    """`contacts_on` for many days at once, with the students on the worklist (due a call, or
    a follow-up due: `follow_ups_not_due_a_call`): the absence days and contacts read once
    (two queries), each student's latest Nth absence, contacts since and latest follow-up
    found by bisection."""
    first = school_year_start(min(day for _s, day in pairs))
    last = max(day for _s, day in pairs)
    absent: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for school_id, student_id, day in (
        AttendanceEvent.objects.filter(
            school_id__in=school_ids,
            date__gte=first,
            date__lte=last,
            category__in=[str(c) for c in ABSENCES],
        )
        .order_by()
        .values_list("school_id", "student_id", "date")
        .distinct()
        .iterator(chunk_size=20000)
    ):
        absent[(school_id, student_id)].append(day)
    contacted: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    # Each contact's follow-up date, in the order of the contacts (day, then as logged).
    follow_ups: dict[tuple[int, int], list[datetime.date | None]] = defaultdict(list)
    for school_id, student_id, day, follow_up in (
        FamilyContact.objects.filter(
            school_id__in=school_ids, contacted_on__gte=first, contacted_on__lte=last
        )
        .order_by("contacted_on", "pk")
        .values_list("school_id", "student_id", "contacted_on", "follow_up_on")
    ):
        contacted[(school_id, student_id)].append(day)
        follow_ups[(school_id, student_id)].append(follow_up)
    for dates in absent.values():
        dates.sort()
    targets: dict[int, list[datetime.date]] = defaultdict(list)
    for school_id, day in sorted(pairs):
        targets[school_id].append(day)
    out: dict[tuple[int, datetime.date], list[int]] = {pair: [0, 0, 0] for pair in pairs}
    for school_id, student_id in {*absent, *contacted}:
        dates = absent.get((school_id, student_id), [])
        contacts = contacted.get((school_id, student_id), [])
        follow = follow_ups.get((school_id, student_id), [])
        for day in targets.get(school_id, ()):
            start = school_year_start(day)
            lo = bisect.bisect_left(dates, start)
            reached = (bisect.bisect_right(dates, day) - lo) // n
            figures = out[(school_id, day)]
            needs_call = False
            if reached:
                due = dates[lo + reached * n - 1]
                figures[0] += 1
                if bisect.bisect_left(contacts, due) < bisect.bisect_right(contacts, day):
                    figures[1] += 1
                else:
                    needs_call = True
            # The latest contact this school year up to the day, and its follow-up.
            latest = bisect.bisect_right(contacts, day) - 1
            follow_up = follow[latest] if latest >= 0 and contacts[latest] >= start else None
            follow_up_due = follow_up is not None and follow_up <= day
            if needs_call or follow_up_due:
                figures[2] += 1
    return {pair: (eligible, done, listed) for pair, (eligible, done, listed) in out.items()}


def submission_rollups_refresh(*, system_id: int, start: datetime.date, end: datetime.date) -> int:
    """After a submissions import: only the submission figures (expected, submitted, on time)
    of the roll-up rows from `start` to `end` are recounted, in one UPDATE, by the same
    definitions as `rollups_rebuild` (submissions change nothing else a roll-up counts, nor
    any later day's). Where the range is not exactly one roll-up row per instructional day of
    the system's schools (a day not rolled up yet, a calendar changed since), the range is
    rebuilt whole by `rollups_rebuild` instead. Returns the rows written."""
    if start > end:
        return 0
    own = settings_of(system_id)
    kind = class_type(own)
    t = _tables()
    daily = DailySchoolAttendance._meta.db_table
    schools = f"SELECT id FROM {School._meta.db_table} WHERE system_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT EXISTS (SELECT 1 FROM {t["cal"]} c
                           WHERE c.school_id IN ({schools}) AND c.date >= %s AND c.date <= %s
                             AND NOT EXISTS (SELECT 1 FROM {daily} d
                                             WHERE d.school_id = c.school_id AND d.date = c.date))
                OR EXISTS (SELECT 1 FROM {daily} d
                           WHERE d.school_id IN ({schools}) AND d.date >= %s AND d.date <= %s
                             AND NOT EXISTS (SELECT 1 FROM {t["cal"]} c
                                             WHERE c.school_id = d.school_id AND c.date = d.date))
            """,
            [system_id, start, end, system_id, start, end],
        )
        if cursor.fetchone()[0]:
            return rollups_rebuild(system_id=system_id, start=start, end=end)
        cursor.execute(
            f"""
            UPDATE {daily} AS d
            SET expected_submissions = x.expected, submitted = x.submitted, on_time = x.on_time
            FROM (
              SELECT c.school_id, c.date,
                (SELECT COUNT(*) FROM {t["cls"]} k
                  WHERE k.school_id = c.school_id AND k.is_active AND k.class_type = %s)
                  AS expected,
                (SELECT COUNT(*) FROM {t["sub"]} s JOIN {t["cls"]} k ON k.id = s.school_class_id
                  WHERE s.school_id = c.school_id AND s.date = c.date AND k.is_active
                    AND k.class_type = %s) AS submitted,
                (SELECT COUNT(*) FROM {t["sub"]} s JOIN {t["cls"]} k ON k.id = s.school_class_id
                  WHERE s.school_id = c.school_id AND s.date = c.date AND k.is_active
                    AND k.class_type = %s AND s.on_time) AS on_time
              FROM {t["cal"]} c
              WHERE c.school_id IN ({schools}) AND c.date >= %s AND c.date <= %s
            ) x
            WHERE d.school_id = x.school_id AND d.date = x.date
            """,
            [kind, kind, kind, system_id, start, end],
        )
        return int(cursor.rowcount)
