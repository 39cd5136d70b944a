"""PostgreSQL's own CSV reader for a clean daily attendance file (issue 12, speed and scale).

At metro size a day of positive attendance is half a million rows, and reading and checking
each in Python (twice: the preview, then the commit) was most of the import. On PostgreSQL the
file's bytes go to the server as they are (COPY … FROM STDIN, CSV) into a temporary table of
text columns. The few distinct dates and category words are read back and judged by the very
functions the Python reader uses (reading.parse_date, reading.category_of); every other check
is one set-based statement: each row's school, student and class are this system's (by
sourcedId), the class is the school's, the day is an instructional day of the school, the
student is enrolled there that day, and no student-day (positive) or student-day-category-class
(negative) comes twice. Only then is the file staged (ids resolved) and compared with what is
stored, set-wise, for the preview's counts and the school-days that change; the commit
(services.attendance_apply) replaces those school-days from the staging table.

Anything else (a missing or unknown value, a row that is not the header's width, a quote that
does not enclose a whole field, a value with spaces around it, a duplicate, a file that is not
UTF-8) makes this path decline: nothing it staged stays, and the file is read row by row in
Python (reading.plan_attendance), which words every problem with its row and column. So
problems keep one wording, and a clean file takes the fast path to the same stored rows. SQLite
always takes the Python path.
"""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction

from trellis.attendance.models import AttendanceEvent, CalendarDay
from trellis.attendance.reading import (
    DayPlan,
    Diff,
    category_of,
    category_words,
    missing_rows_warning,
    parse_date,
)
from trellis.attendance.rollups import window_source
from trellis.attendance.selectors import system_today
from trellis.orgs.models import School
from trellis.rosters.models import SchoolClass
from trellis.students.models import SchoolEnrolment, Student

# Off only in the tests that compare this path with the Python reader.
ENABLED = True
# Temporary tables (this session's only): the file as text, its rows with ids resolved, the
# school-days it covers, and those whose records change (what the commit replaces).
RAW = "stg_attendance_raw"
STAGED = "stg_attendance"
COVERED = "stg_attendance_days"
CHANGED = "stg_attendance_changed"
CHUNK = 1 << 20
# A whole quoted field ("…", quotes inside doubled). Both readers agree on these; a quote
# anywhere else (inside an unquoted field, text after a closing quote) is a character to
# Python's csv module but opens a quoted section for PostgreSQL's.
QUOTED_FIELD = re.compile(rb'(?:^|(?<=[,\r\n]))"(?:[^"]|"")*"(?=[,\r\n]|$)')
# COPY's end-of-data marker, alone on a line: PostgreSQL would stop reading there.
END_MARKER = re.compile(rb"(?:^|[\r\n])\\\.(?:[\r\n]|$)")


class _Declined(Exception):
    """The file holds something the fast path does not take as written."""


def header_of(path: Path) -> list[str] | None:
    """The header's column names as the Python reader sees them (stripped, lower case), or
    None when the first line is one the fast path leaves to the Python reader."""
    with path.open("rb") as handle:
        first = handle.readline()
    if b'"' in first:
        return None  # a quoted header might span lines; COPY's HEADER skips exactly one
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    text = text.removesuffix("\n").removesuffix("\r")
    if "\r" in text:
        return None
    names = [name.strip().lower() for name in next(csv.reader([text]), [])]
    if len(set(names)) != len(names):
        return None
    return names


def _copy(cursor: Any, path: Path, header: list[str]) -> None:
    """The file's rows (not its header) into RAW, as text columns c0, c1, … in file order."""
    data = path.read_bytes()
    if b"\\." in data and END_MARKER.search(data):
        raise _Declined
    if b'"' in data and b'"' in QUOTED_FIELD.sub(b"", data):
        raise _Declined
    cursor.execute(f"DROP TABLE IF EXISTS {RAW}, {STAGED}, {COVERED}, {CHANGED}")
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    cursor.execute(f"CREATE TEMPORARY TABLE {RAW} ({columns})")
    with cursor.cursor.copy(f"COPY {RAW} FROM STDIN (FORMAT csv, HEADER true)") as copy:
        for start in range(0, len(data), CHUNK):
            copy.write(data[start : start + CHUNK])


def _one(cursor: Any, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def drop_staging() -> None:
    """Drop this session's staging tables (after the commit wrote from them, or a decline)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW}, {STAGED}, {COVERED}, {CHANGED}")


def stage_attendance(
    system: Any, path: Path, source: str, *, positive: bool, keep: bool
) -> DayPlan | None:
    """The plan of a clean attendance file read by PostgreSQL, or None (nothing staged) when
    the Python reader must read it. `keep`: leave the staging tables for the commit (inside
    the pipeline's transaction); else drop them."""
    if not ENABLED or connection.vendor != "postgresql":
        return None
    header = header_of(path)
    if header is None or any(
        name not in header for name in ("student", "school", "date", "category")
    ):
        return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, path, header)
            plan = _stage(cursor, system, header, positive=positive, source=source)
            if not keep:
                cursor.execute(f"DROP TABLE {RAW}, {STAGED}, {COVERED}, {CHANGED}")
    except (_Declined, psycopg.Error, DatabaseError):
        drop_staging()
        return None
    return plan


def _stage(cursor: Any, system: Any, header: list[str], *, positive: bool, source: str) -> DayPlan:
    def column(name: str) -> str:
        return f"r.c{header.index(name)}" if name in header else "NULL"

    student, school, date, category = (column(n) for n in ("student", "school", "date", "category"))
    klass = column("class")
    rows = _one(cursor, f"SELECT COUNT(*) FROM {RAW}")
    if not rows:
        raise _Declined  # "The file has no rows under its header."
    cursor.execute(f"ANALYZE {RAW}")
    # The distinct dates and category words, judged as the Python reader judges them.
    cursor.execute(f"SELECT {date}, {category} FROM {RAW} r GROUP BY 1, 2")
    distinct = cursor.fetchall()
    words = category_words(system)
    days: dict[str, datetime.date] = {}
    categories: dict[str, str] = {}
    for date_text, category_text in distinct:
        day = parse_date((date_text or "").strip())
        word = (category_text or "").strip()
        found = category_of(words, word) if word else None
        if day is None or found is None:
            raise _Declined
        days[date_text] = day
        categories[category_text] = found
    lo, hi = min(days.values()), max(days.values())
    if hi > system_today(system):
        raise _Declined  # a day still to come: the Python reader names its rows
    day_values = ", ".join(["(%s, %s::date)"] * len(days))
    word_values = ", ".join(["(%s, %s)"] * len(categories))
    has_class = klass != "NULL"
    class_join = (
        f"LEFT JOIN {SchoolClass._meta.db_table} k ON k.system_id = %s "
        f"AND k.sourced_id = {klass} AND {klass} <> ''"
        if has_class
        else ""
    )
    # A column, not a filter: in the WHERE clause its selectivity misleads the planner into
    # nested loops over half a million rows.
    class_ok = f"(COALESCE({klass}, '') = '' OR k.school_id = sc.id)" if has_class else "TRUE"
    params: list[Any] = [
        *(value for pair in days.items() for value in pair),
        *(value for pair in categories.items() for value in pair),
        system.pk,
        system.pk,
        *([system.pk] if has_class else []),
        system.pk,
        window_source(system.pk),
    ]
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {STAGED} AS
        SELECT sc.id AS school_id, st.id AS student_id, d.day AS date, w.category,
               {"k.id" if has_class else "NULL::bigint"} AS class_id, {class_ok} AS class_ok
        FROM {RAW} r
        JOIN (VALUES {day_values}) AS d(raw, day) ON d.raw = {date}
        JOIN (VALUES {word_values}) AS w(raw, category) ON w.raw = {category}
        JOIN {School._meta.db_table} sc ON sc.system_id = %s AND sc.sourced_id = {school}
          AND sc.sourced_id <> ''
        JOIN {Student._meta.db_table} st ON st.system_id = %s AND st.sourced_id = {student}
          AND st.sourced_id <> ''
        {class_join}
        WHERE EXISTS (SELECT 1 FROM {CalendarDay._meta.db_table} c
                      WHERE c.school_id = sc.id AND c.date = d.day)
          AND EXISTS (SELECT 1 FROM {SchoolEnrolment._meta.db_table} e
                      WHERE e.student_id = st.id AND e.school_id = sc.id AND e.system_id = %s
                        AND e.source = %s AND e.entry_date <= d.day
                        AND (e.exit_date IS NULL OR e.exit_date >= d.day))
        """,
        params,
    )
    if _one(cursor, f"SELECT COUNT(*) FROM {STAGED} WHERE class_ok") != rows:
        raise _Declined  # a row the Python reader would refuse (it says which and why)
    key = "student_id, date" if positive else "student_id, date, category, class_id"
    if _one(
        cursor,
        f"SELECT EXISTS (SELECT 1 FROM {STAGED} GROUP BY {key} HAVING COUNT(*) > 1)",
    ):
        raise _Declined
    cursor.execute(f"ANALYZE {STAGED}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {COVERED} AS SELECT DISTINCT school_id, date FROM {STAGED}"
    )
    # What is stored for the covered school-days against the file's rows, as multisets (the
    # Python reader's Counter arithmetic): per school-day, rows unchanged, added and removed.
    events = AttendanceEvent._meta.db_table
    cursor.execute(
        f"""
        WITH old AS (
          SELECT e.school_id, e.date, e.student_id, e.category,
                 COALESCE(e.school_class_id, 0) AS class_id, COUNT(*) AS n
          FROM {events} e JOIN {COVERED} p ON p.school_id = e.school_id AND p.date = e.date
          WHERE e.date >= %s AND e.date <= %s
          GROUP BY 1, 2, 3, 4, 5),
        new AS (
          SELECT school_id, date, student_id, category, COALESCE(class_id, 0) AS class_id,
                 1 AS n
          FROM {STAGED})
        SELECT COALESCE(new.school_id, old.school_id), COALESCE(new.date, old.date),
               SUM(LEAST(COALESCE(new.n, 0), COALESCE(old.n, 0))),
               SUM(GREATEST(COALESCE(new.n, 0) - COALESCE(old.n, 0), 0)),
               SUM(GREATEST(COALESCE(old.n, 0) - COALESCE(new.n, 0), 0))
        FROM new FULL JOIN old ON old.school_id = new.school_id AND old.date = new.date
          AND old.student_id = new.student_id AND old.category = new.category
          AND old.class_id = new.class_id
        GROUP BY 1, 2
        """,
        [lo, hi],
    )
    diff = Diff()
    covered: set[tuple[int, datetime.date]] = set()
    changed: list[tuple[int, datetime.date]] = []
    for school_id, day, unchanged, added, removed in cursor.fetchall():
        covered.add((school_id, day))
        diff.unchanged += int(unchanged)
        diff.added += int(added)
        diff.removed += int(removed)
        if added or removed:
            changed.append((school_id, day))
    cursor.execute(f"CREATE TEMPORARY TABLE {CHANGED} (school_id bigint, date date)")
    if changed:
        with cursor.cursor.copy(f"COPY {CHANGED} (school_id, date) FROM STDIN") as copy:
            for pair in changed:
                copy.write_row(pair)
    plan = DayPlan(
        covered=covered,
        records={},
        changed_pairs=set(changed),
        diff=diff,
        dates=(lo, hi),
        staged=True,
    )
    if positive:
        # Every staged row is an enrolled student-day, and a positive file has one row per
        # student-day: the enrolled student-days of its school-days less its rows have none.
        enrolled = _one(
            cursor,
            f"""
            SELECT COUNT(*) FROM (
              SELECT DISTINCT e.student_id, e.school_id, p.date
              FROM {SchoolEnrolment._meta.db_table} e
              JOIN {COVERED} p ON p.school_id = e.school_id AND e.entry_date <= p.date
                AND (e.exit_date IS NULL OR e.exit_date >= p.date)
              WHERE e.system_id = %s AND e.source = %s) x
            """,
            [system.pk, window_source(system.pk)],
        )
        if enrolled > rows:
            plan.warnings.append(missing_rows_warning(source, enrolled - rows))
    return plan
