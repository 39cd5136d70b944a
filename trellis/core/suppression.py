"""Small-cell suppression: an aggregate over fewer people than the threshold is not shown.

Primary suppression hides every count from 1 to threshold - 1. That alone is not enough: a total
shown beside (or on another page than) its parts gives a hidden part back by subtraction.
`protect` adds complementary suppression over a set of linear relations (a total and the cells
it adds up): while a shown total's hidden parts are `exposed` (their sum, the total minus the
shown parts, with each label's bounds, pins a cell: a lone hidden cell, five "fewer than 5"
adding up to 5 = each is 1, or they add up to less than the threshold), the next-smallest
shown part is hidden too (the total itself when
no part is left); and a hidden total whose parts are all shown gets its smallest
part hidden. Cells the viewer may open one by one (`open_keys`: they can list the people behind
them) are never hidden and count as known.

Counts of distinct people are not exactly additive (someone holding two positions counts once in
a school's total); treating them as sums errs on the side of hiding more.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)


def threshold() -> int:
    return int(settings.TRELLIS_SUPPRESSION_THRESHOLD)


@dataclass(frozen=True)
class Count:
    """A count of people as one viewer may see it.

    `hidden` is None for the primary rule alone (1 to threshold - 1 is hidden); `protect` sets it
    for complementary suppression, and `open` counts (the viewer may list the people) are shown.
    """

    value: int
    hidden: bool | None = None

    @property
    def suppressed(self) -> bool:
        if self.hidden is not None:
            return self.hidden
        return small(self.value)

    @property
    def secondary(self) -> bool:
        """Hidden only to protect another hidden count (the value itself is not small)."""
        return self.suppressed and not small(self.value)

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.value

    def __str__(self) -> str:
        if not self.suppressed:
            return f"{self.value:,}"
        # A complementary cell says it is withheld, never "fewer than 5" (that would be untrue).
        return "not shown" if self.secondary else f"fewer than {threshold()}"


def small(value: int) -> bool:
    return 0 < value < threshold()


def people_count(value: int) -> Count:
    return Count(value)


Relation = tuple[K, Sequence[K]]


def _bounds(value: int, limit: int) -> tuple[int, float]:
    """What a reader knows of a withheld cell from its label alone: "fewer than 5" is 1 to 4
    (a listed cell is never 0), "not shown" is at least 5."""
    if value == 0:
        return 0, math.inf
    if value < limit:
        return 1, limit - 1
    return limit, math.inf


def exposed(withheld: Sequence[int]) -> bool:
    """Whether a reader who knows the sum of `withheld` (a shown total minus its shown parts)
    and each cell's label can pin a withheld cell "fewer than 5" to one value: a listed cell is
    at least 1 and "fewer than 5" at most 4, a "not shown" one at least 5. A lone withheld cell,
    and withheld cells adding up to less than the threshold, always count as exposed.

    The walk's case: five schools "fewer than 5" with 5 between them are each 1; two with 8
    between them are each 4. With the next school (6) withheld too, 11 over them still leaves
    each small one at most 11 - 4 - 5 = 2 and at least 1: not pinned. A reader may narrow a
    withheld cell (1 or 2) but never learn it."""
    limit = threshold()
    if not withheld:
        return False
    total = sum(withheld)
    if len(withheld) == 1 or total < limit:
        return True
    bounds = [_bounds(v, limit) for v in withheld]
    low_sum = sum(lo for lo, _ in bounds)
    unbounded = sum(1 for _, hi in bounds if hi == math.inf)
    high_sum = sum(hi for _, hi in bounds if hi != math.inf)
    for value, (lo, hi) in zip(withheld, bounds, strict=True):
        # The others' most: unbounded while another cell is "not shown".
        others_unbounded = unbounded - (hi == math.inf) > 0
        others_most = math.inf if others_unbounded else high_sum - (0 if hi == math.inf else hi)
        least = max(lo, total - others_most)
        most = min(hi, total - (low_sum - lo))
        # Only the small cells matter: a "not shown" one pinned is at least the threshold
        # (with a threshold of 3 or more it cannot be pinned while the small ones are free).
        if 0 < value < limit and least == most and (least, most) != (1, limit - 1):
            return True
    return False


def protect(
    values: Mapping[K, int],
    relations: Iterable[tuple[K, Sequence[K]]],
    *,
    open_keys: Collection[K] = (),
    hidden: Collection[K] = (),
) -> set[K]:
    """The keys of `values` to hide: primary suppression, then complementary suppression over
    `relations` (total key, part keys) until nothing changes. `hidden` are keys already decided
    hidden elsewhere (e.g. a school's total when protecting its grades)."""
    limit = threshold()
    relations = [(total, list(parts)) for total, parts in relations]
    suppressed = {k for k, v in values.items() if 0 < v < limit and k not in open_keys}
    suppressed |= set(hidden) - set(open_keys)

    def order(key: K) -> tuple[int, str]:
        # Smallest first; ties broken by the key so every page makes the same choice.
        return (values.get(key, 0), repr(key))

    def candidates(parts: Sequence[K]) -> list[K]:
        return sorted(
            (p for p in parts if p not in suppressed and p not in open_keys and values.get(p, 0)),
            key=order,
        )

    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            hidden_parts = [p for p in parts if p in suppressed]
            if total not in suppressed:
                if not hidden_parts or not exposed([values.get(p, 0) for p in hidden_parts]):
                    continue
                more = candidates(parts)
                if more:
                    suppressed.add(more[0])
                elif total not in open_keys:
                    suppressed.add(total)
                else:
                    continue
                changed = True
            elif not hidden_parts:
                more = candidates(parts)
                if more:
                    suppressed.add(more[0])
                    changed = True
    return suppressed & set(values) | (suppressed & set(hidden))


def protected_counts(
    values: Mapping[K, int],
    relations: Iterable[tuple[K, Sequence[K]]],
    *,
    open_keys: Collection[K] = (),
    hidden: Collection[K] = (),
) -> dict[K, Count]:
    """`values` as Counts after `protect`."""
    out = protect(values, relations, open_keys=open_keys, hidden=hidden)
    return {key: Count(value, hidden=key in out) for key, value in values.items()}
