"""Complementary suppression of the staff roll-up, as one function of the counts and of what the
viewer sees and may open: the request-time reader (`selectors.staff_table`) and the protection
stored with the roll-up for a system's closed readers (`services.staff_protection_store`) both
call it, so they cannot decide differently."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from trellis.core.suppression import Count as PeopleCount
from trellis.core.suppression import protected_counts
from trellis.people.models import PositionKind

KINDS = [kind for kind, _label in PositionKind.choices]


def staff_protected(
    schools: Iterable[tuple[int, bool]],
    counts: Iterable[tuple[int, str, int]],
    opened: Collection[int],
) -> dict[Any, PeopleCount]:
    """`schools`: (id, is_active) of every school the viewer sees; `counts`: the roll-up rows
    (school, kind or "" for the school's total, people); `opened`: the schools whose people the
    viewer may open. Keys: ("school", id), ("cell", id, kind), ("kind", kind); only counts
    above zero. A kind's total is the sum of its active schools' cells (item 29)."""
    # In id order: the relations are weighed in a fixed order, so every reader decides alike.
    schools = sorted(schools)
    active_set = {pk for pk, is_active in schools if is_active}
    seen = {pk for pk, _active in schools}
    values: dict[Any, int] = {}
    kind_totals: dict[str, int] = {}
    for school_id, kind, n in counts:
        if school_id not in seen or not n:
            continue
        if kind:
            values[("cell", school_id, kind)] = n
            if school_id in active_set:
                kind_totals[kind] = kind_totals.get(kind, 0) + n
        else:
            values[("school", school_id)] = n
    for kind, n in kind_totals.items():
        values[("kind", kind)] = n
    if seen <= set(opened):
        # The viewer may open every school's people: every count is exact, nothing to protect
        # (and no need to weigh a metro district's 8,000 cells).
        return {key: PeopleCount(n, hidden=False) for key, n in values.items()}
    # Only cells that hold someone: an empty cell is never hidden nor used to hide.
    cells_of: dict[Any, list[Any]] = {}
    for key in values:
        if key[0] == "cell":
            cells_of.setdefault(("school", key[1]), []).append(key)
            if key[1] in active_set:
                cells_of.setdefault(("kind", key[2]), []).append(key)
    relations: list[tuple[Any, list[Any]]] = [
        (("school", pk), cells_of.get(("school", pk), [])) for pk, _active in schools
    ]
    relations += [(("kind", kind), cells_of.get(("kind", kind), [])) for kind in KINDS]
    open_keys: set[Any] = {("school", pk) for pk in opened}
    open_keys |= {key for key in values if key[0] == "cell" and key[1] in opened}
    if active_set <= set(opened):
        open_keys |= {("kind", kind) for kind in KINDS}
    return protected_counts(values, relations, open_keys=open_keys)
