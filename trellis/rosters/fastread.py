"""PostgreSQL's own CSV reader for a clean bulk enrollments file (part of the OneRoster import).

At metro size enrollments.csv holds three million rows, and checking each in Python was the
largest part of reading a bundle. On PostgreSQL the file's bytes go to the server as they are
(COPY … FROM STDIN, CSV), into a temporary table of text columns numbered in file order. One
SQL pass then asks whether every row is one the Python reader would take exactly as written:
identifiers in the sourcedId alphabet, a role from the vocabulary as spelled, dates written
YYYY-MM-DD, `primary` true or false, status and dateLastModified empty (a bulk file), an end
after the start. Only then are the rows converted in SQL into the staging table.

Anything else (a short row, a stray quote, a value with spaces around it, a capitalised role,
an impossible date, a delta file) makes this path decline, and the file is read row by row in
Python instead, which says exactly what is wrong where. So problems keep one wording, and a
clean file takes the fast path to the same staged rows.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from django.db import DatabaseError, connection, transaction

from trellis.rosters import spec
from trellis.rosters.staging import execute, fetch

RAW = "stg_raw_enrollments"
# Columns of the staging table the fast path fills, in order (see read.STAGING).
STAGED = (
    "row, sid, status, dlm, class_sid, school_sid, user_sid, role, is_primary, begin_date, end_date"
)
CHUNK = 1 << 20


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def copy_enrollments(path: Path, header: list[str], positions: dict[str, int], mode: str) -> bool:
    """Stage a bulk enrollments file through COPY; False (nothing staged) when the file is not
    one the fast path can take as it is."""
    if connection.vendor != "postgresql" or mode != "bulk":
        return False
    with path.open("rb") as handle:
        first = handle.readline()
    if b'"' in first:
        return False  # a quoted header might span lines; COPY's HEADER skips exactly one
    names = [f"c{i}" for i in range(len(header))]

    def column(name: str) -> str:
        index = positions.get(name)
        return f"r.c{index}" if index is not None else "NULL"

    # The sourcedId alphabet without its bound: PostgreSQL compiles {1,255} into an automaton
    # that costs a hundred times more per row than `+` and a length test.
    assert spec.GUID.pattern.endswith("{1,255}$")
    guid = _literal(spec.GUID.pattern.replace("{1,255}$", "+$"))
    date = r"'^\d{4}-\d{2}-\d{2}$'"
    roles = ", ".join(_literal(r) for r in sorted(spec.ENROLLMENT_ROLES))
    sid, cls, school, user = (
        column(n) for n in ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId")
    )
    status, modified = column("status"), column("dateLastModified")
    role, primary = column("role"), column("primary")
    begin, end = column("beginDate"), column("endDate")

    def day(value: str) -> str:
        # Cast only what looks like a date; an impossible one (2024-02-30) raises, and the
        # file is read in Python instead.
        return f"CASE WHEN {value} ~ {date} THEN {value}::date END"

    clean = " AND ".join(
        [
            *(
                f"COALESCE({v} ~ {guid} AND length({v}) <= 255, FALSE)"
                for v in (sid, cls, school, user)
            ),
            f"COALESCE({status}, '') = ''",
            f"COALESCE({modified}, '') = ''",
            f"COALESCE({role} IN ({roles}), FALSE)",
            f"COALESCE(lower({primary}) IN ('true', 'false', ''), TRUE)",
            f"({begin} IS NULL OR {begin} ~ {date})",
            f"({end} IS NULL OR {end} ~ {date})",
            f"({begin} IS NULL OR {end} IS NULL OR {day(end)} > {day(begin)})",
        ]
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {RAW} ({', '.join(f'{n} text' for n in names)}, "
                "n bigserial)"
            )
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with (
                raw.copy(
                    f"COPY {RAW} ({', '.join(names)}) FROM STDIN (FORMAT csv, HEADER true)"
                ) as copy,
                path.open("rb") as handle,
            ):
                while chunk := handle.read(CHUNK):
                    copy.write(chunk)
            # Row numbers as the Python reader gives them: the header is row 1. The clean rows
            # are converted in the pass that tests them; one row left out and the whole file
            # goes to the Python reader (the savepoint takes back what was staged).
            staged = execute(
                f"INSERT INTO stg_enrollments ({STAGED}) SELECT r.n + 1, {sid}, NULL, NULL, "
                f"{cls}, {school}, {user}, {role}, COALESCE(lower({primary}) = 'true', "
                f"FALSE), {day(begin)}, {day(end)} - 1 FROM {RAW} r WHERE {clean}"
            )
            if staged != fetch(f"SELECT COUNT(*) FROM {RAW}")[0][0]:
                raise _Declined
            execute(f"DROP TABLE {RAW}")
    except (_Declined, psycopg.Error, DatabaseError):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
        return False
    return True


class _Declined(Exception):
    """The file holds a row the fast path does not take as written."""
