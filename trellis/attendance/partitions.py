"""The raw attendance table is partitioned by month on PostgreSQL (migration 0002): one
partition per calendar month, created when the first events of that month are written. On
SQLite the table is a plain table and nothing here does anything.

Keeping years of history: old months stay as their own tables; a district that wants them off
the live database detaches a month (`ALTER TABLE attendance_attendanceevent DETACH PARTITION
attendance_attendanceevent_p202409`) and archives or drops it, without touching the rest. Pages
never read these tables (they read the daily roll-up), so detached months change no page; the
chronic-absence figures of a past year stay in its roll-up rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection

from trellis.attendance.models import AttendanceEvent


def partition_name(month: datetime.date) -> str:
    return f"{AttendanceEvent._meta.db_table}_p{month:%Y%m}"


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c "
            "ON c.oid = p.partrelid WHERE c.relname = %s)",
            [AttendanceEvent._meta.db_table],
        )
        return bool(cursor.fetchone()[0])


def ensure_partitions(days: Iterable[datetime.date]) -> list[str]:
    """Create the month partitions the days fall in (PostgreSQL); returns their names."""
    months = sorted({day.replace(day=1) for day in days})
    if not months or connection.vendor != "postgresql":
        return []
    parent = AttendanceEvent._meta.db_table
    names = []
    with connection.cursor() as cursor:
        for month in months:
            first, following = month_bounds(month)
            name = partition_name(month)
            cursor.execute(
                f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{parent}" '
                "FOR VALUES FROM (%s) TO (%s)",
                [first, following],
            )
            names.append(name)
    return names
