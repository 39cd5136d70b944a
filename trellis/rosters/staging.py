"""Staging tables: temporary tables that a run streams validated rows into, set-based from there.

PostgreSQL gets its rows by COPY; SQLite by batched inserts. Both see the same SQL afterwards.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connection

# Column types of staging tables, per database.
TYPES = {
    "postgresql": {
        "text": "text",
        "int": "integer",
        "date": "date",
        "ts": "timestamptz",
        "bool": "boolean",
    },
    "sqlite": {"text": "TEXT", "int": "INTEGER", "date": "TEXT", "ts": "TEXT", "bool": "INTEGER"},
}
BATCH = 20_000


def vendor() -> str:
    return connection.vendor


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime.datetime):
        # Django keeps aware date-times in SQLite as naive UTC text.
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class StagingTable:
    def __init__(self, name: str, columns: Sequence[tuple[str, str]]) -> None:
        self.name = name
        self.columns = [("row", "int"), *columns]
        self.names = [c for c, _ in self.columns]
        self._pending: list[tuple[Any, ...]] = []
        self.count = 0

    def create(self) -> None:
        types = TYPES[vendor()]
        ddl = ", ".join(f"{name} {types[kind]}" for name, kind in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} ({ddl})")

    def write(self, row: tuple[Any, ...]) -> None:
        self.count += 1
        self._pending.append(row)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Send the buffered rows: one COPY on PostgreSQL, one batched insert on SQLite.
        Buffering lets one pass over a file feed several staging tables on one connection."""
        if not self._pending:
            return
        if vendor() == "postgresql":
            raw = connection.cursor().cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {self.name} ({', '.join(self.names)}) FROM STDIN") as copy:
                for row in self._pending:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.names))
            rows = [tuple(_sqlite_value(v) for v in row) for row in self._pending]
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)
        self._pending = []

    def index(self, *columns: str) -> None:
        with connection.cursor() as cursor:
            name = f"{self.name}_{'_'.join(columns)}_ix"
            cursor.execute(f"CREATE INDEX {name} ON {self.name} ({', '.join(columns)})")
            if vendor() == "postgresql":
                cursor.execute(f"ANALYZE {self.name}")

    def analyze(self) -> None:
        if vendor() == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.name}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
