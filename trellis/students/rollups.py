"""Complementary suppression of the student roll-up, as one function of the counts and of what
the viewer sees and may open: the request-time reader (`selectors.student_table`) and the
protection stored for a system's closed readers (`services.student_protection_store`) both call
it, so they cannot decide differently."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from trellis.core.suppression import Count as PeopleCount
from trellis.core.suppression import protected_counts


def students_protected(
    schools: Iterable[tuple[int, bool]],
    counts: Iterable[tuple[int, int]],
    opened: Collection[int],
) -> dict[Any, PeopleCount]:
    """`schools`: (id, is_active) of every school the viewer sees; `counts`: active students per
    school (from the roll-up); `opened`: the schools whose students the viewer may open. Keys:
    ("school", id) and ("all",), the total over the viewer's active schools."""
    schools = sorted(schools)
    seen = {pk for pk, _active in schools}
    active = [pk for pk, is_active in schools if is_active]
    values: dict[Any, int] = {("school", pk): n for pk, n in counts if pk in seen}
    values[("all",)] = sum(values.get(("school", pk), 0) for pk in active)
    if seen <= set(opened):
        # Every school open to the viewer: exact, nothing to weigh (item 29).
        return {key: PeopleCount(n, hidden=False) for key, n in values.items()}
    open_keys: set[Any] = {("school", pk) for pk in opened}
    if set(active) <= set(opened):
        open_keys.add(("all",))
    return protected_counts(
        values,
        [(("all",), [("school", pk) for pk in active if ("school", pk) in values])],
        open_keys=open_keys,
    )
