"""The staff roll-up's suppression decision for a system's closed readers at district and metro
size, cold (nothing remembered): what `people.services.staff_protection_store` decided with
every position added or ended before this bench was written. No database: the counts are
drawn, the relations are `people.rollups.staff_protected`'s.

    python bench/staff.py --sizes district,metro [--seed 1] [--runs 3] [--changes 5]
    BENCH_DB_PREFIX=trellis_me python bench/staff.py --database [--sizes …] [--changes 5]

Each school has a principal, 0 to 3 assistant principals, 0 to 4 teacher leaders, 0 to 2
coaches, 12 to 45 teachers, 0 to 8 other staff and now and then district staff, and one school
in twenty is inactive: most schools hold several "fewer than 5" cells (the hard case). A
school's total is the sum of its cells less someone holding two positions now and then.
Prints one JSON line per size: the cold decision (`seconds`), and the mean time of
`--changes` position changes (one teacher added at a random school, then the stored decision
updated as `position_add` did: `staff_store_seconds`).

With `--database` it measures the write itself instead: a system of that many schools with
the same staff is built in a fresh PostgreSQL database `<BENCH_DB_PREFIX>_staff_<size>` (on
BENCH_DATABASE_URL's server; dropped and created again), then `--changes` teachers are added
through `people.services.position_add`, each a transaction of its own, as a principal's page
does (`position_add_seconds`: their mean). The task worker does not run meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"district": 100, "metro": 1_000}  # schools (docs: product.md's scale table)
RANGES = {
    "principal": (1, 1),
    "assistant_principal": (0, 3),
    "teacher_leader": (0, 4),
    "coach": (0, 2),
    "teacher": (12, 45),
    "other_staff": (0, 8),
    "district_staff": (0, 1),
}


def counts(schools: int, seed: int) -> tuple[list[tuple[int, bool]], list[tuple[int, str, int]]]:
    """The schools (id, is_active) and roll-up rows (school, kind or "" for the total, people)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic bench data
    rows: list[tuple[int, str, int]] = []
    listed = []
    for pk in range(1, schools + 1):
        listed.append((pk, rng.random() >= 0.05))
        total = 0
        for kind, (low, high) in RANGES.items():
            if kind == "district_staff" and rng.random() < 0.9:
                continue
            n = rng.randint(low, high)
            if n:
                rows.append((pk, kind, n))
                total += n
        # Someone holding two positions at the school counts once in its total.
        rows.append((pk, "", total - (rng.random() < 0.1)))
    return listed, rows


def fresh_database(name: str) -> None:
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    admin = server.rstrip("/") + "/postgres"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(
            ["psql", admin, "-qc", sql],
            check=True,
            env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"},
        )
    os.environ["DATABASE_URL"] = f"{server.rstrip('/')}/{name}"


def position_changes(size: str, seed: int, changes: int) -> dict[str, Any]:
    """Build the system (ORM, set-wise), then time `changes` teachers added one by one."""
    import datetime

    from django.core.management import call_command

    from trellis.orgs.models import School
    from trellis.orgs.services import schools_bulk_create, system_create
    from trellis.people.models import Person, Position, PositionKind
    from trellis.people.services import people_bulk_create, person_create, position_add

    call_command("migrate", "--noinput", verbosity=0)
    listed, rows = counts(SIZES[size], seed)
    system = system_create(actor=None, code=f"staff-{size}", name=f"Staff bench {size}")
    schools = schools_bulk_create(
        actor=None,
        system=system,
        schools=[
            School(name=f"School {pk}", level=School.Level.HIGH, is_active=active)
            for pk, active in listed
        ],
    )
    people: list[Person] = []
    positions: list[Position] = []
    for pk, kind, count in rows:
        if not kind:
            continue
        for _ in range(count):
            person = Person(given_name="P", family_name=f"S{len(people)}")
            people.append(person)
            positions.append(
                Position(
                    person=person,
                    kind=kind,
                    school=schools[pk - 1],
                    starts_on=datetime.date(2020, 8, 1),
                )
            )
    started = time.perf_counter()
    people_bulk_create(actor=None, system=system, people=people, positions=positions)
    built = time.perf_counter() - started
    rng = random.Random(seed)  # noqa: S311 - synthetic bench data
    times = []
    for i in range(changes):
        person = person_create(actor=None, system=system, given_name="New", family_name=f"T{i}")
        school = schools[rng.randrange(len(schools))]
        started = time.perf_counter()
        position_add(
            actor=None,
            person=person,
            kind=PositionKind.TEACHER,
            school=school,
            starts_on=datetime.date(2020, 9, 1),
        )
        times.append(time.perf_counter() - started)
    return {
        "size": size,
        "people": len(people),
        "bulk_create_seconds": round(built, 2),
        "position_add_seconds": round(statistics.mean(times), 3) if times else None,
        "position_add_max": round(max(times), 3) if times else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="district,metro")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--database", action="store_true", help="Time position_add itself.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    import django

    if args.database:
        prefix = os.environ.get("BENCH_DB_PREFIX", "trellis_bench")
        for size in args.sizes.split(","):
            # Each size in its own process: Django connects to one database per process.
            if len(args.sizes.split(",")) > 1:
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--database",
                        "--sizes",
                        size,
                        "--seed",
                        str(args.seed),
                        "--changes",
                        str(args.changes),
                    ],
                    check=True,
                )
                continue
            fresh_database(f"{prefix}_staff_{size}")
            django.setup()
            print(json.dumps(position_changes(size, args.seed, args.changes)), flush=True)
        return

    # The decision alone, no database but the empty table of stored decisions `protect` looks
    # in first (as bench/suppression.py).
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from trellis.core.models import SuppressionDecision
    from trellis.people.rollups import staff_protected

    with connection.schema_editor() as editor:
        editor.create_model(SuppressionDecision)

    for size in args.sizes.split(","):
        schools, rows = counts(SIZES[size], args.seed)
        times, cpu, withheld = [], [], 0
        for _ in range(args.runs):
            cache.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            decided = staff_protected(schools, rows, opened=())
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            withheld = sum(1 for c in decided.values() if c.suppressed)
        small = sum(1 for _s, _k, n in rows if 0 < n < 5)
        out: dict[str, Any] = {
            "size": size,
            "cells": len(rows),
            "small": small,
            "withheld": withheld,
            "seconds": round(statistics.median(times), 2),
            "cpu_seconds": round(statistics.median(cpu), 2),
        }
        rng = random.Random(args.seed)  # noqa: S311 - synthetic bench data
        changes = []
        for _ in range(args.changes):
            school = rng.randint(1, SIZES[size])
            rows = [
                (s, k, n + 1) if s == school and k in ("teacher", "") else (s, k, n)
                for s, k, n in rows
            ]
            cache.clear()
            started = time.perf_counter()
            staff_protected(schools, rows, opened=())
            changes.append(time.perf_counter() - started)
        if changes:
            out["staff_store_seconds"] = round(statistics.mean(changes), 2)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
