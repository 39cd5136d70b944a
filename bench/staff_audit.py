"""An experiment for `core.suppression.pinned` (not used by Trellis): over the staff table's
relations, the audit's linear programmes form a network flow, and whether a withheld cell can
move is a graph search. Compares the two on the staff bench's tables, for the withheld
patterns "every small cell" and "every small cell and 15% more", and prints their times.

    python bench/staff_audit.py [--sizes tiny,district,metro] [--seeds 5]

Why it holds: each withheld count is in at most two relations (its school's, as a part, and
its kind's, as a part; a withheld total in its own only). Sign each relation's row so that a
cell in two rows reads +1 in one and -1 in the other (a two-colouring of the rows; the search
gives up, None, where there is none): each cell is then an arc from the row where it reads -1
to the row where it reads +1 (a row of its own missing: a ground node), and the reader's
programme is a flow with the true counts one feasible flow and each cell's label its bounds.
A small cell can be one more exactly when the residual graph has a path from its arc's head
back to its tail without the arc itself, one less when it has one from tail to head: flows
with integer bounds move by whole units, so the programmes' "moves by one or more" is the same
question. Over the metro table the searches take half a second where the programmes take 40.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict, deque
from collections.abc import Collection, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"tiny": 30, "district": 100, "metro": 1_000}


def flow_pinned(
    values: Mapping[Any, int],
    relations: Sequence[tuple[Any, Sequence[Any]]],
    withheld: Collection[Any],
    limit: int,
) -> set[Any] | None:
    """`suppression.pinned(values, relations, withheld)`, or None where the relations are not a
    network (a cell in three relations, or rows that cannot be signed)."""
    from trellis.core.suppression import _bounds

    withheld = set(withheld)
    coefficients: dict[Any, dict[int, int]] = defaultdict(dict)
    for row, (total, parts) in enumerate(relations):
        for key, sign in ((total, 1), *((p, -1) for p in parts)):
            if key in withheld:
                coefficients[key][row] = coefficients[key].get(row, 0) + sign
    rows_of: dict[Any, dict[int, int]] = {}
    for key, found in coefficients.items():
        found = {row: a for row, a in found.items() if a}
        if len(found) > 2 or any(abs(a) != 1 for a in found.values()):
            return None
        rows_of[key] = found
    linked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for found in rows_of.values():
        if len(found) == 2:
            (r1, a1), (r2, a2) = found.items()
            linked[r1].append((r2, -a1 * a2))
            linked[r2].append((r1, -a1 * a2))
    signs: dict[int, int] = {}
    for start in sorted({row for found in rows_of.values() for row in found}):
        if start in signs:
            continue
        signs[start] = 1
        todo = [start]
        while todo:
            row = todo.pop()
            for other, relative in linked[row]:
                wanted = signs[row] * relative
                if other not in signs:
                    signs[other] = wanted
                    todo.append(other)
                elif signs[other] != wanted:
                    return None
    ground: Hashable = "ground"
    arcs: dict[Any, tuple[Hashable, Hashable, int, float]] = {}
    residual: dict[Hashable, list[tuple[Hashable, Any]]] = defaultdict(list)
    for key, found in rows_of.items():
        head: Hashable = ground
        tail: Hashable = ground
        for row, a in found.items():
            if signs[row] * a > 0:
                head = row
            else:
                tail = row
        value = values.get(key, 0)
        low, high = _bounds(value, limit)
        if value < high:
            residual[tail].append((head, key))
        if value > low:
            residual[head].append((tail, key))
        arcs[key] = (tail, head, low, high)

    def reaches(source: Hashable, target: Hashable, without: Any) -> bool:
        if source == target:
            return True  # a cell in no relation: its label's bounds alone
        seen, queue = {source}, deque([source])
        while queue:
            node = queue.popleft()
            for further, key in residual[node]:
                if key == without or further in seen:
                    continue
                if further == target:
                    return True
                seen.add(further)
                queue.append(further)
        return False

    pinned = set()
    for key, (tail, head, low, high) in arcs.items():
        value = values.get(key, 0)
        if not 0 < value < limit:
            continue
        if value < high and reaches(head, tail, key):
            continue
        if value > low and reaches(tail, head, key):
            continue
        pinned.add(key)
    return pinned


def staff_relations(schools: int, seed: int) -> tuple[dict[Any, int], list[Any]]:
    """The values and relations `people.rollups.staff_protected` gives `protect` for a closed
    reader, taken from it as it calls."""
    import staff  # bench/staff.py

    import trellis.people.rollups as rollups

    listed, rows = staff.counts(schools, seed)
    taken: dict[str, Any] = {}
    protected_counts = rollups.protected_counts

    def take(values: Any, relations: Any, **kwargs: Any) -> Any:
        taken.update(values=dict(values), relations=list(relations))
        return {}

    rollups.protected_counts = take
    try:
        rollups.staff_protected(listed, rows, opened=())
    finally:
        rollups.protected_counts = protected_counts
    return taken["values"], taken["relations"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="tiny,district,metro")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    import django

    django.setup()
    from trellis.core.suppression import pinned, threshold

    for size in args.sizes.split(","):
        for seed in range(1, (1 if size == "metro" else args.seeds) + 1):
            values, relations = staff_relations(SIZES[size], seed)
            rng = random.Random(seed)  # noqa: S311 - synthetic bench data
            small = {key for key, value in values.items() if 0 < value < threshold()}
            more = small | {key for key in values if rng.random() < 0.15}
            for withheld in (small, more):
                started = time.perf_counter()
                by_flow = flow_pinned(values, relations, withheld, threshold())
                flow_s = time.perf_counter() - started
                started = time.perf_counter()
                by_lp = pinned(values, relations, withheld)
                lp_s = time.perf_counter() - started
                print(
                    f"{size} seed {seed}: {len(withheld)} withheld, {len(by_lp)} pinned; "
                    f"graph {flow_s:.3f} s, programmes {lp_s:.3f} s, "
                    f"{'same' if by_flow == by_lp else 'DIFFERENT'}",
                    flush=True,
                )
                if by_flow != by_lp:
                    raise SystemExit(1)


if __name__ == "__main__":
    main()
