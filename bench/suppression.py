"""The chronic-absence pattern's suppression decision at district and metro size, cold (nothing
remembered): what the first page of the day pays for a system whose figures changed
(`attendance.selectors._withheld_alone`, both measures, with each school's principal as the
insider of its figures). No database of Trellis's: the figures are drawn, the relations are the
pages'; the table of stored decisions `protect` looks in first is an empty one in memory.

    python bench/suppression.py --sizes district,metro [--seed 1] [--runs 3]

Schools are elementary (KG-05), middle (06-08) or high (09-12), 20 to a network; each grade
counts 5 to 150 students and 1% to 25% of them chronically absent, so most schools have a
"fewer than 5" cell somewhere (the hard case for the audit). Prints one JSON line per size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"district": 100, "metro": 1_000}  # schools (docs: product.md's scale table)
PER_NETWORK = 20
BANDS = (
    ("KG", "01", "02", "03", "04", "05"),
    ("06", "07", "08"),
    ("09", "10", "11", "12"),
)


def figures(schools: int, seed: int) -> tuple[dict[str, dict[Any, int]], list[Any]]:
    """A system's chronic figures (the shape `_chronic_figures` builds) and their relations."""
    from trellis.attendance.selectors import ALL, CHRONIC_MEASURES, grade_key

    rng = random.Random(seed)  # noqa: S311 - synthetic bench data
    members: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    grades: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    values: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in CHRONIC_MEASURES}
    for pk in range(1, schools + 1):
        groups = [("school", pk), ALL, ("system", 1), ("network", (pk - 1) // PER_NETWORK + 1)]
        for group in groups:
            members[group].append(pk)
        for grade in BANDS[pk % len(BANDS)]:
            counted = rng.randint(5, 150)
            absent = sum(rng.random() < rng.uniform(0.01, 0.25) for _ in range(counted))
            for group in groups:
                grades[group].add(grade)
                for name, value in (("chronic_counted", counted), ("chronic_absent", absent)):
                    values[name][group] += value
                    values[name][grade_key(group, grade)] += value
    relations: list[tuple[Any, list[Any]]] = []
    for group, pks in members.items():
        relations.append((group, [grade_key(group, g) for g in sorted(grades[group])]))
        if group[0] == "school":
            continue
        relations.append((group, [("school", pk) for pk in pks]))
        for g in sorted(grades[group]):
            relations.append(
                (
                    grade_key(group, g),
                    [grade_key(("school", pk), g) for pk in pks if g in grades[("school", pk)]],
                )
            )
    for group, parts in [
        (ALL, [("system", 1)]),
        (
            ("system", 1),
            [("network", n) for n in sorted({k[1] for k in members if k[0] == "network"})],
        ),
    ]:
        relations.append((group, parts))
        for g in sorted(grades[group]):
            relations.append((grade_key(group, g), [grade_key(p, g) for p in parts]))
    return {name: dict(v) for name, v in values.items()}, relations


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="district,metro")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    from trellis.core.models import SuppressionDecision

    with connection.schema_editor() as editor:
        editor.create_model(SuppressionDecision)

    from trellis.attendance.selectors import _withheld_alone

    for size in args.sizes.split(","):
        values, relations = figures(SIZES[size], args.seed)
        times, cpu, withheld = [], [], 0
        for _ in range(args.runs):
            cache.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            hidden = _withheld_alone(values, relations)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            withheld = len(hidden["chronic_absent"])
        small = sum(1 for v in values["chronic_absent"].values() if 0 < v < 5)
        print(
            json.dumps(
                {
                    "size": size,
                    "cells": len(values["chronic_absent"]),
                    "small": small,
                    "withheld": withheld,
                    "seconds": round(statistics.median(times), 2),
                    "cpu_seconds": round(statistics.median(cpu), 2),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
