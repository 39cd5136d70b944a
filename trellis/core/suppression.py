"""Small-cell suppression: an aggregate over fewer people than the threshold is not shown.

Primary suppression hides every count from 1 to threshold - 1. That alone is not enough: a total
shown beside (or on another page than) its parts gives a hidden part back by subtraction.
`protect` adds complementary suppression over a set of linear relations (a total and the cells
it adds up): while a shown total has exactly one hidden cell among its parts, or its hidden
parts add up to less than the threshold, the next-smallest shown part is hidden too (the total
itself when no part is left); and a hidden total whose parts are all shown gets its smallest
part hidden. Cells the viewer may open one by one (`open_keys`: they can list the people behind
them) are never hidden and count as known.

Counts of distinct people are not exactly additive (someone holding two positions counts once in
a school's total); treating them as sums errs on the side of hiding more.
"""

from __future__ import annotations

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
                at_risk = len(hidden_parts) == 1 or (
                    hidden_parts and sum(values.get(p, 0) for p in hidden_parts) < limit
                )
                if not at_risk:
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
