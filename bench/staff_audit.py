"""`core.suppression.pinned` over the staff table's relations, where each group of withheld
cells is a network and the audit is a graph search (`core.suppression_flow`), against the
linear programmes it replaces (`_Programme(flow=False)`): the same cells pinned, and both
times, for the withheld patterns "every small cell" and "every small cell and 15% more".

    python bench/staff_audit.py [--sizes tiny,district,metro] [--seeds 5]

Why it holds (suppression_flow's docstring): each withheld count is in at most two relations
(its school's, as a part, and its kind's, as a part; a withheld total in its own only), the
rows can be signed so that a cell reads +1 in one and -1 in the other, and the reader's
programme is then a flow whose possible values a residual graph gives exactly.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"tiny": 30, "district": 100, "metro": 1_000}


def programmes_pinned(
    values: Mapping[Any, int],
    relations: Sequence[tuple[Any, Sequence[Any]]],
    withheld: Collection[Any],
) -> set[Any]:
    """`pinned` by the linear programmes alone (what it was before the graph searches)."""
    from trellis.core.suppression import _groups, _Programme, threshold

    found: set[Any] = set()
    for keys, tied in _groups(relations, withheld):
        programme = _Programme(values, tied, keys, threshold(), flow=False)
        found |= programme.pinned(programme.small(), set())
    return found


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
                started = time.process_time()
                by_flow = pinned(values, relations, withheld)
                flow_s = time.process_time() - started
                started = time.process_time()
                by_lp = programmes_pinned(values, relations, withheld)
                lp_s = time.process_time() - started
                print(
                    f"{size} seed {seed}: {len(withheld)} withheld, {len(by_lp)} pinned; "
                    f"graph {flow_s:.3f} s, programmes {lp_s:.3f} s CPU, "
                    f"{'same' if by_flow == by_lp else 'DIFFERENT'}",
                    flush=True,
                )
                if by_flow != by_lp:
                    raise SystemExit(1)


if __name__ == "__main__":
    main()
