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

Reasoning one relation at a time is not enough either: a reader can chain relations (a network's
grade total, a school's total, another grade of that school) and the labels' bounds to pin a cell
no single relation gives away. So, once every relation holds on its own, `pinned` audits the
whole system: for each small withheld cell, the least and the most it can be given every shown
figure, every relation and every label (a linear programme per cell, HiGHS; a graph search
where the group's relations form a network, `suppression_flow`, the same answers), and a cell
with only one possible value gets one more cell beside it withheld (docs/decisions.md).
"""

from __future__ import annotations

import contextvars
import ctypes
import hashlib
import heapq
import math
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import highspy
import numpy
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from trellis.core.models import SuppressionDecision
from trellis.core.suppression_flow import Network

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


def _tally(withheld: Sequence[int]) -> tuple[int, int, int, int, float, int]:
    """What `exposed` needs of withheld cells, as sums (so that some can be taken out): how
    many, their sum, the least and (finite) most their labels allow, how many are unbounded
    ("not shown") and how many small."""
    limit = threshold()
    low, unbounded, high, few = 0, 0, 0.0, 0
    for value in withheld:
        lo, hi = _bounds(value, limit)
        low += lo
        if hi == math.inf:
            unbounded += 1
        else:
            high += hi
        few += 0 < value < limit
    return len(withheld), sum(withheld), low, unbounded, high, few


def _exposed_tally(count: int, total: int, low: int, unbounded: int, high: float, few: int) -> bool:
    """`exposed` from a `_tally`: every small cell has the same bounds (1 to threshold - 1),
    so it is pinned or not whichever it is."""
    limit = threshold()
    if not count:
        return False
    if count == 1 or total < limit:
        return True
    if not few:
        return False
    others_most = math.inf if unbounded else high - (limit - 1)
    least = max(1, total - others_most)
    most = min(limit - 1, total - (low - 1))
    return least == most and (least, most) != (1, limit - 1)


def protect(
    values: Mapping[K, int],
    relations: Iterable[tuple[K, Sequence[K]]],
    *,
    open_keys: Collection[K] = (),
    hidden: Collection[K] = (),
    insiders: Mapping[K, Hashable] | None = None,
) -> set[K]:
    """The keys of `values` to hide: primary suppression, then complementary suppression over
    `relations` (total key, part keys) until nothing changes. `hidden` are keys already decided
    hidden elsewhere (e.g. a school's total when protecting its grades). `insiders` names, for a
    key some readers know exactly (a school's cells, to whoever may list its students), who
    they are: what a relation withholds must stay safe once any one of them takes out their
    own. Then the audit of every relation together (`pinned`), more cells withheld until no
    small one has a single value."""
    listed = [(total, list(parts)) for total, parts in relations]
    owners = dict(insiders or {})
    if len(values) < REMEMBER_FROM:
        return _protect(values, listed, open_keys=open_keys, hidden=hidden, owners=owners)
    # The audit costs seconds over a metropolitan system's table: the decision is remembered by
    # what it was made from (the figures, the relations, what is open), so it can never be stale:
    # in the cache, and in the table of decisions made ahead of the pages (`storing`).
    digest = _digest(values, listed, open_keys, hidden, owners)
    key = f"suppression.protect:{digest}"
    making = _storing.get()
    remembered = cache.get(key)
    stored = _stored(digest, values, listed, hidden) if remembered is None or making else None
    if remembered is not None or stored is not None:
        decided = set(remembered if stored is None else stored)
    else:
        decided = _protect(values, listed, open_keys=open_keys, hidden=hidden, owners=owners)
    if remembered is None:
        cache.set(key, list(decided), timeout=REMEMBER_FOR)
    if making is not None:
        SuppressionDecision.objects.update_or_create(
            digest=digest,
            defaults={
                "hidden": sorted(map(repr, decided)),
                "made_for": making[:200],
                "decided_at": timezone.now(),
            },
        )
    return decided


def _digest(
    values: Mapping[K, int],
    listed: list[tuple[K, list[K]]],
    open_keys: Collection[K],
    hidden: Collection[K],
    owners: Mapping[K, Hashable],
) -> str:
    return hashlib.sha256(
        repr(
            (
                threshold(),
                sorted(map(repr, values.items())),
                [(repr(t), list(map(repr, parts))) for t, parts in listed],
                sorted(map(repr, open_keys)),
                sorted(map(repr, hidden)),
                sorted(map(repr, owners.items())),
            )
        ).encode()
    ).hexdigest()


def _stored(
    digest: str,
    values: Mapping[K, int],
    listed: list[tuple[K, list[K]]],
    hidden: Collection[K],
) -> set[K] | None:
    """The decision stored ahead of the pages for these inputs, if any (one indexed query)."""
    found = (
        SuppressionDecision.objects.filter(digest=digest).values_list("hidden", flat=True).first()
    )
    if found is None:
        return None
    named: dict[str, K] = {repr(k): k for k in values}
    named.update((repr(k), k) for k in hidden)
    for total, parts in listed:
        named.update((repr(k), k) for k in (total, *parts))
    return {named[r] for r in found}


# What the decisions made inside `storing` are made for (None: not storing).
_storing: contextvars.ContextVar[str | None] = contextvars.ContextVar("storing", default=None)


@contextmanager
def storing(made_for: str) -> Iterator[None]:
    """Every decision `protect` makes inside (over a table worth remembering) is written to the
    table of decisions (`SuppressionDecision`), found there by its digest by any process later:
    the work of a background task after an import, so that no page pays it. Decisions stored
    earlier for the same purpose (`made_for`) and not made again inside are removed at the end:
    they were for figures that have changed since (a page that wants one decides it itself)."""
    started = timezone.now()
    token = _storing.set(made_for)
    try:
        yield
    finally:
        _storing.reset(token)
    SuppressionDecision.objects.filter(made_for=made_for[:200], decided_at__lt=started).delete()


def protect_beside(
    values: Mapping[K, int],
    relations: Iterable[tuple[K, Sequence[K]]],
    *,
    published: Mapping[K, int],
    published_relations: Iterable[tuple[K, Sequence[K]]],
    published_hidden: Collection[K],
    open_keys: Collection[K] = (),
    insiders: Mapping[K, Hashable] | None = None,
) -> set[K]:
    """The keys of `values` to hide from a viewer whose figures sit beside a pattern others are
    shown (`published`: a system's figures with their relations and what they withhold): a
    reader may put both pages together. A key in both names the same figure, and takes the
    published decision unless the viewer may open it; the viewer's own totals (a caseload, the
    part of a network they see) are protected with every published figure known, so only they
    can be withheld. Cells the published pattern withholds stay withheld, unless open."""
    opened = set(open_keys)
    withheld = set(published_hidden) - opened
    known = {key for key in published if key not in withheld} | opened
    for key, value in values.items():
        if published.get(key, value) != value:
            # Two figures under one key would be audited as one: refuse rather than guess.
            raise ValueError(
                f"{key!r} is {value} here and {published[key]} in the published pattern"
            )
    # Only the published relations tied to the viewer's by figures a reader does not know can
    # change what the viewer's pages give away (the others were audited with the pattern): the
    # decision is made over those, not over a metropolitan system's every cell.
    chosen = [(total, list(parts)) for total, parts in relations]
    others = [(total, list(parts)) for total, parts in published_relations]
    unknown = {k for t, parts in chosen for k in (t, *parts) if k not in known}
    grown = True
    while grown:
        grown = False
        rest = []
        for total, parts in others:
            keys = {total, *parts}
            if keys & unknown:
                chosen.append((total, parts))
                unknown |= {k for k in keys if k not in known}
                grown = True
            else:
                rest.append((total, parts))
        others = rest
    used = {k for t, parts in chosen for k in (t, *parts)} | set(values)
    union = {key: published[key] for key in used if key in published} | dict(values)
    decided = protect(
        union,
        chosen,
        open_keys=known & used,
        hidden=withheld & used,
        insiders={k: v for k, v in (insiders or {}).items() if k in used},
    )
    return (decided | withheld) & set(values)


# An insider is audited over the cells near their own: through relations of at most this many
# cells (a network's, not a metropolitan system's grade totals).
NEAR_WIDEST = 100
REMEMBER_FROM = 300  # cells; a smaller table is decided faster than it is looked up
REMEMBER_FOR = 36 * 3600  # seconds


def _protect(
    values: Mapping[K, int],
    relations: list[tuple[K, list[K]]],
    *,
    open_keys: Collection[K],
    hidden: Collection[K],
    owners: Mapping[K, Hashable],
) -> set[K]:
    limit = threshold()
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

    def insider_exposed(hidden_parts: list[K]) -> bool:
        # What the others withhold, once an insider takes out their own cells (a principal
        # knows their school's grades exactly), must stay as safe as for any reader: a lone
        # "not shown" cell learnt exactly gives a small one away through its school's total.
        # Tallied once, each insider's own taken out: a system's grade total has hundreds.
        everyone = _tally([values.get(p, 0) for p in hidden_parts])
        theirs: dict[Hashable, list[int]] = defaultdict(list)
        for p in hidden_parts:
            if p in owners:
                theirs[owners[p]].append(values.get(p, 0))
        for own in theirs.values():
            mine = _tally(own)
            count, total, low, unbounded, high, few = everyone
            if _exposed_tally(
                count - mine[0],
                total - mine[1],
                low - mine[2],
                unbounded - mine[3],
                high - mine[4],
                few - mine[5],
            ):
                return True
        return False

    # Which relations each cell is in, and those whose cells changed since they were looked at:
    # a relation none of whose cells changed decides as it did.
    relations_of: dict[K, list[int]] = defaultdict(list)
    for n, (total, parts) in enumerate(relations):
        for key in {total, *parts}:
            relations_of[key].append(n)
    dirty = set(range(len(relations)))

    def withhold(key: K) -> None:
        suppressed.add(key)
        dirty.update(relations_of.get(key, ()))

    def each_relation() -> None:
        """Every relation in turn, again and again until none changes (in the same order as
        passes over all of them, looking only at those whose cells changed)."""
        while dirty:
            turn = sorted(dirty)
            dirty.clear()
            heapq.heapify(turn)
            while turn:
                n = heapq.heappop(turn)
                while turn and turn[0] == n:
                    heapq.heappop(turn)
                changed = look_at(*relations[n])
                if changed is not None:
                    # Later relations it touches are looked at in this pass, earlier ones (and
                    # itself) in the next, as a pass over every relation would.
                    later = [m for m in relations_of[changed] if m > n]
                    for m in later:
                        heapq.heappush(turn, m)
                    dirty.difference_update(later)

    def look_at(total: K, parts: list[K]) -> K | None:
        """The cell one relation withholds further, if any."""
        hidden_parts = [p for p in parts if p in suppressed]
        if total not in suppressed:
            if not hidden_parts or not (
                exposed([values.get(p, 0) for p in hidden_parts]) or insider_exposed(hidden_parts)
            ):
                return None
            more = candidates(parts)
            if more:
                withhold(more[0])
                return more[0]
            if total not in open_keys:
                withhold(total)
                return total
        elif not hidden_parts:
            more = candidates(parts)
            if more:
                withhold(more[0])
                return more[0]
        return None

    def withhold_beside(key: K, known: Collection[K] = (), widest: int | None = None) -> bool:
        """Withhold the smallest shown cell of a relation `key` is in; when every cell of those
        is withheld already, of the relations one step further along withheld cells. `known`
        are the cells of the insider `key` is pinned for: withholding them hides nothing from
        that reader, and they tie no withheld cells together for them. With `widest`, the
        relations of at most that many cells first (a system's grade total, over every school,
        would offer a cell far away that frees nothing)."""
        return (widest is not None and beside(key, known, widest)) or beside(key, known, None)

    def beside(key: K, known: Collection[K], widest: int | None) -> bool:
        reached, seen = {key}, set()
        while reached:
            options: list[K] = []
            zeros: list[K] = []
            further: set[K] = set()
            for n in sorted({n for k in reached for n in relations_of.get(k, ())}):
                total, parts = relations[n]
                if n in seen or (widest is not None and len(parts) + 1 > widest):
                    continue
                seen.add(n)
                for cell in (total, *parts):
                    if cell in known:
                        continue
                    if cell in suppressed:
                        further.add(cell)
                    elif cell not in open_keys:
                        (options if values.get(cell, 0) else zeros).append(cell)
            # A shown 0 pins as surely as any figure: withheld too when nothing else is left.
            if options or zeros:
                withhold(min(options, key=order) if options else min(zeros, key=repr))
                return True
            reached = further - reached
        return False

    audited: set[K] = set()
    # A cell shown to move stays free when more cells are withheld (the reader then knows less).
    free: set[K] = set()
    # Cells the labels alone pin (every cell of a network "fewer than 5" and its total too: each
    # is 1) cannot be helped by withholding more; worked out once, when a pin is first found.
    by_labels: set[K] | None = None
    everything = {k for t, parts in relations for k in (t, *parts)} | set(values)
    owned: dict[Hashable, set[K]] = defaultdict(set)
    for key, owner in owners.items():
        owned[owner].add(key)
    # The insiders' audit, as every reader's: what it last saw, the cells shown to move for each
    # insider, and those their own figures and the labels alone pin (no withholding helps).
    insiders_saw: set[K] | None = None
    insider_free: dict[Hashable, set[K]] = defaultdict(set)
    insider_by_labels: dict[Hashable, set[K]] = defaultdict(set)
    insiders_pinned: set[Hashable] = set()
    labels_programmes: dict[str, Any] = {}
    # Every reader's audit, kept from round to round: only the cells withheld since change.
    audit = _Audit(values, relations, limit)

    def insider_audit() -> bool:
        """Whether some insider, their own figures known, pins a small withheld cell of someone
        else's: then one more cell beside it is withheld (not one of theirs)."""
        nonlocal insiders_saw
        changed = None if insiders_saw is None else suppressed - insiders_saw
        insiders_saw = set(suppressed)
        found = pinned_by_insiders(
            values,
            relations,
            suppressed,
            owned,
            changed=changed,
            free=insider_free,
            again=insiders_pinned,
        )
        insiders_pinned.clear()
        insiders_pinned.update(owner for owner, keys in found.items() if keys)
        for owner in found:
            found[owner] -= insider_by_labels[owner]
        if any(found.values()):
            by_labels = pinned_by_insiders(
                values,
                relations,
                everything - set(open_keys),
                {owner: owned[owner] for owner, keys in found.items() if keys},
                only=found,
                wholes=labels_programmes,
            )
            for owner, keys in by_labels.items():
                insider_by_labels[owner] |= keys
                found[owner] -= keys
        return any(
            [
                withhold_beside(key, known=owned[owner], widest=NEAR_WIDEST)
                for owner in sorted(found, key=repr)
                for key in sorted(found[owner], key=order)
            ]
        )

    while True:
        each_relation()
        # Only the groups of cells that changed since the last audit can have changed.
        fresh = suppressed - audited
        audited = set(suppressed)
        audit.withhold(fresh)
        # Cells the labels alone pin stay pinned whatever else is withheld: not asked again.
        found = audit.pinned(fresh, free, skip=by_labels or set())
        if found and by_labels is None:
            by_labels = pinned(values, relations, everything - set(open_keys))
        found -= by_labels or set()
        if found and any([withhold_beside(key) for key in sorted(found, key=order)]):
            continue
        if not owned or not insider_audit():
            break
    return suppressed & set(values) | (suppressed & set(hidden))


def pinned(
    values: Mapping[K, int],
    relations: Sequence[tuple[K, Sequence[K]]],
    withheld: Collection[K],
    *,
    changed: Collection[K] | None = None,
    free: set[K] | None = None,
) -> set[K]:
    """The small withheld cells ("fewer than 5") a reader can pin to one value from every shown
    figure, every relation and the labels' bounds together (`_bounds`). The withheld cells are
    split into the groups that relations tie together; in each, a cell's most and least are
    linear programmes over the withheld cells, the shown ones being constants. The true values
    are one answer, so one programme usually settles a cell: it can be more, or less, by one.
    With `changed`, only the groups holding one of those cells are audited; `free` holds the
    cells already shown to move (not audited again) and gains those found now."""
    free = set() if free is None else free
    limit = threshold()
    if limit <= 2:  # "fewer than 2" is 1 by its label alone: nothing more to pin
        return set()
    found: set[K] = set()
    for keys, tied in _groups(relations, withheld):
        if not any(0 < values.get(k, 0) < limit for k in keys):
            continue
        if changed is not None and not any(k in changed for k in keys):
            continue
        programme = _Programme(values, tied, keys, limit)
        found |= programme.pinned(programme.small(free), free)
    return found


class _Audit(Generic[K]):
    """`pinned` from one round of `_protect` to the next, as cells are withheld: the groups of
    withheld cells are joined as cells join them (never split: a withheld cell stays withheld),
    and one linear programme over every cell of the relations, the shown ones fixed to their
    figures, has only bounds changed (a shown cell withheld) and costs between answers, kept
    warm from the last (a metropolitan system's group of thousands of cells was built again each
    round, around the few cells pinned in it). Its answers are the group's programme's: the
    shown cells are constants, and the other groups share no relation with the withheld cells
    of this one. A group that is a network is answered by graph searches instead."""

    def __init__(
        self, values: Mapping[K, int], relations: Sequence[tuple[K, Sequence[K]]], limit: int
    ) -> None:
        self.relations, self.limit = relations, limit
        self.keys: list[K] = sorted({k for t, parts in relations for k in (t, *parts)}, key=repr)
        self.index = {key: i for i, key in enumerate(self.keys)}
        self.truth = [float(values.get(key, 0)) for key in self.keys]
        self.relations_of: dict[K, list[int]] = defaultdict(list)
        entries: list[dict[int, float]] = [defaultdict(float) for _ in self.keys]
        self.gaps: list[float] = []
        for row, (total, parts) in enumerate(relations):
            # As `_Programme`: total - parts over every cell, the true figures' gap its value.
            gap = float(values.get(total, 0))
            entries[self.index[total]][row] += 1.0
            for part in parts:
                entries[self.index[part]][row] -= 1.0
                gap -= values.get(part, 0)
            self.gaps.append(gap)
            for key in {total, *parts}:
                self.relations_of[key].append(row)
        self.columns = [sorted((r, a) for r, a in e.items() if a) for e in entries]
        # The bounds: a shown cell's its figure, a withheld one's its label's.
        self.lower = numpy.array(self.truth)
        self.upper = numpy.array(self.truth)
        self.parent: dict[K, K] = {}
        self.members: dict[K, list[K]] = {}
        self.first: dict[int, K] = {}  # each relation's first withheld cell
        self.solver: highspy.Highs | None = None
        self.costed: list[int] = []  # the programme's columns with a cost now (others' 0)

    def root(self, key: K) -> K:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def withhold(self, keys: Collection[K]) -> None:
        """Withhold `keys` (shown until now): their bounds become their labels', and their
        groups join the groups of the withheld cells they share a relation with."""
        fresh = [k for k in keys if k not in self.parent and k in self.index]
        changed = []
        for key in fresh:
            self.parent[key] = key
            self.members[key] = [key]
            i = self.index[key]
            lo, hi = _bounds(int(self.truth[i]), self.limit)
            self.lower[i], self.upper[i] = lo, (highspy.kHighsInf if hi == math.inf else hi)
            changed.append(i)
        for key in fresh:
            # A relation's withheld cells are one group: joined to the first withheld there.
            for row in self.relations_of[key]:
                self.join(key, self.first.setdefault(row, key))
        if self.solver is not None and changed:
            at = numpy.array(changed, dtype=numpy.int32)
            self.solver.changeColsBounds(len(at), at, self.lower[at], self.upper[at])

    def join(self, one: K, other: K) -> None:
        a, b = self.root(one), self.root(other)
        if a == b:
            return
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))

    def pinned(self, changed: Collection[K], free: set[K], skip: Collection[K] = ()) -> set[K]:
        """`pinned(values, relations, withheld, changed=changed, free=free)`, the withheld
        cells those given to `withhold` so far, but none of `skip` (known to be pinned)."""
        limit = self.limit
        if limit <= 2:
            return set()
        found: set[K] = set()
        for head in sorted({self.root(k) for k in changed if k in self.parent}, key=repr):
            cells = [self.index[k] for k in self.members[head]]
            small = [
                i
                for i in cells
                if 0 < self.truth[i] < limit
                and self.keys[i] not in free
                and self.keys[i] not in skip
            ]
            if not small:
                continue
            network = Network.of([self.columns[i] for i in cells])
            if network is not None:
                at = {i: n for n, i in enumerate(cells)}
                stuck = network.pinned(
                    [at[i] for i in small],
                    [self.truth[i] for i in cells],
                    self.lower[cells].tolist(),
                    self.upper[cells].tolist(),
                )
                moved = set(cells) - {cells[n] for n in stuck}
            else:
                moved = self.moved(small)
            free.update(self.keys[i] for i in small if i in moved)
            found.update(self.keys[i] for i in small if i not in moved)
        return found

    def moved(self, small: list[int]) -> set[int]:
        """Which of `small` can take another value, by the programmes (as `_Programme.pinned`:
        every small cell down at once, up at once, then each in turn)."""
        solver = self.solver if self.solver is not None else self.build()
        free: set[int] = set()
        costed = self.costed

        def settle(aim: dict[int, float]) -> None:
            # Only the costs that change are passed (a system's programme has thousands).
            at = sorted(set(costed) | set(aim))
            costs = numpy.array([aim.get(i, 0.0) for i in at])
            solver.changeColsCost(len(at), numpy.array(at, dtype=numpy.int32), costs)
            costed[:] = list(aim)
            solver.run()
            if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return
            answer = solver.getSolution().col_value
            for i in small:
                if abs(answer[i] - self.truth[i]) >= 1 - 1e-6:
                    free.add(i)

        settle(dict.fromkeys(small, 1.0))
        settle(dict.fromkeys(small, -1.0))
        for i in small:
            for direction in (1.0, -1.0):
                if i in free:
                    break
                settle({i: direction})
                if solver.getModelStatus() == highspy.HighsModelStatus.kUnbounded:
                    free.add(i)
        return free

    def build(self) -> highspy.Highs:
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.keys)
        lp.num_row_ = len(self.gaps)
        lp.col_cost_ = numpy.zeros(len(self.keys))
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = numpy.array(self.gaps)
        lp.row_upper_ = numpy.array(self.gaps)
        starts = numpy.cumsum([0] + [len(c) for c in self.columns])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts.astype(numpy.int32)
        lp.a_matrix_.index_ = numpy.array(
            [r for c in self.columns for r, _ in c], dtype=numpy.int32
        )
        lp.a_matrix_.value_ = numpy.array([a for c in self.columns for _, a in c])
        self.solver = _solver()
        self.solver.passModel(lp)
        return self.solver


def pinned_by_insiders(
    values: Mapping[K, int],
    relations: Sequence[tuple[K, Sequence[K]]],
    withheld: Collection[K],
    owned: Mapping[Hashable, Collection[K]],
    *,
    changed: Collection[K] | None = None,
    free: dict[Hashable, set[K]] | None = None,
    only: Mapping[Hashable, Collection[K]] | None = None,
    again: Collection[Hashable] = (),
    wholes: dict[str, Any] | None = None,
) -> dict[Hashable, set[K]]:
    """`pinned` for each insider (`owned`: the figures each insider knows exactly, a school's
    to its principal): the small withheld cells of others near their own that they can pin,
    their own known.

    Near: within two relations of one of their withheld cells (`_near`, through relations of
    a hundred cells or fewer: not across a metropolitan system's grade totals). Each insider
    is first audited over those cells alone, every other cell taken as known (a stronger
    reader: a cell that moves there moves for them); a cell pinned there is audited
    again over its whole group of withheld cells (`_groups`), exact. `changed` and `free`
    (per insider) as for `pinned`, but the insiders `again` (a cell was pinned for them) are
    audited whatever changed; `only` limits each insider's audit to those cells. `wholes`
    keeps the whole groups' programmes from one call to the next with the same `withheld`
    (every cell, for what the labels alone pin)."""
    free = defaultdict(set) if free is None else free
    limit = threshold()
    found: dict[Hashable, set[K]] = defaultdict(set)
    if limit <= 2:
        return found
    relations_of: dict[K, list[int]] = defaultdict(list)
    for n, (total, parts) in enumerate(relations):
        for key in {total, *parts}:
            relations_of[key].append(n)
    withheld = set(withheld)
    # Whose figures lie near what changed: only their programmes can differ from the last.
    if changed is not None:
        moved = set(changed) & withheld
        moved |= _near(relations, relations_of, moved, withheld, (), hops=4)
        owned = {
            owner: keys
            for owner, keys in owned.items()
            if owner in again or any(k in moved for k in keys)
        }
    # The whole groups, made when a cell first needs one.
    kept = {} if wholes is None else wholes
    group_of: dict[K, int] = kept.setdefault("group_of", {})
    groups: list[tuple[list[K], list[tuple[K, Sequence[K]]]]] = kept.setdefault("groups", [])
    programmes: dict[int, _Programme[K]] = kept.setdefault("programmes", {})
    for owner in sorted(owned, key=repr):
        theirs = set(owned[owner])
        start = theirs & withheld
        if not start:
            continue  # they know nothing a reader of the pages does not
        audited = _near(relations, relations_of, start, withheld, theirs, hops=2)
        wanted = {
            k
            for k in (audited if only is None else set(only.get(owner, ())) & audited)
            if 0 < values.get(k, 0) < limit and k not in free[owner]
        }
        if not wanted:
            continue
        # The programme over those cells alone: the stronger reader's answer is only a first
        # sieve (a cell that moves moves for them, one that does not is audited over its whole
        # group), so the smallest programme that frees most cells is the cheapest (four
        # relations out cost three times the CPU at metro size, with the same decisions).
        near = audited
        # Each relation as far as it ties the near cells (the others are known to this reader).
        trimmed: dict[int, list[K]] = {}
        for key in near:
            for n in relations_of[key]:
                trimmed.setdefault(n, [])
                if key != relations[n][0]:
                    trimmed[n].append(key)
        local = _Programme(
            values,
            [(relations[n][0], trimmed[n]) for n in sorted(trimmed)],
            sorted(near, key=repr),
            limit,
        )
        maybe = local.pinned([i for i in local.small() if local.keys[i] in wanted], free[owner])
        if maybe and not groups:
            groups.extend(_groups(relations, withheld))
            for g, (keys, _tied) in enumerate(groups):
                group_of.update((key, g) for key in keys)
        for g in sorted({group_of[k] for k in maybe}):
            if g not in programmes:
                keys, tied = groups[g]
                programmes[g] = _Programme(values, tied, keys, limit)
            whole = programmes[g]
            with whole.known(theirs):
                found[owner] |= whole.pinned(
                    [i for i in whole.small() if whole.keys[i] in maybe], free[owner]
                )
    return found


def _near(
    relations: Sequence[tuple[K, Sequence[K]]],
    relations_of: Mapping[K, list[int]],
    start: set[K],
    pool: Collection[K],
    known: Collection[K],
    *,
    hops: int,
    widest: int = NEAR_WIDEST,
) -> set[K]:
    """The cells of `pool`, but `known`, within `hops` relations of `start`, through relations
    of at most `widest` cells (each looked at once)."""
    reached: set[K] = set()
    frontier = set(start)
    seen: set[int] = set()
    for _ in range(hops):
        further: set[K] = set()
        for key in frontier:
            for n in relations_of.get(key, ()):
                if n in seen:
                    continue
                seen.add(n)
                total, parts = relations[n]
                if len(parts) + 1 > widest:
                    continue
                for k in (total, *parts):
                    if k in pool and k not in known and k not in reached:
                        further.add(k)
        reached |= further
        frontier = further
    return reached


def _groups(
    relations: Sequence[tuple[K, Sequence[K]]], withheld: Collection[K]
) -> list[tuple[list[K], list[tuple[K, Sequence[K]]]]]:
    """The withheld cells split into the groups that relations tie together, each with the
    relations it is in (sorted, so that every page makes the same choices)."""
    withheld = set(withheld)
    parent: dict[K, K] = {key: key for key in withheld}

    def root(key: K) -> K:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    touching: list[tuple[K, Sequence[K]]] = []
    for total, parts in relations:
        inside = [k for k in (total, *parts) if k in withheld]
        if not inside:
            continue
        touching.append((total, parts))
        for key in inside[1:]:
            parent[root(key)] = root(inside[0])
    groups: dict[K, list[K]] = defaultdict(list)
    for key in withheld:
        groups[root(key)].append(key)
    by_group: dict[K, list[tuple[K, Sequence[K]]]] = defaultdict(list)
    for total, parts in touching:
        first = next(k for k in (total, *parts) if k in withheld)
        by_group[root(first)].append((total, parts))
    return [(sorted(keys, key=repr), by_group[head]) for head, keys in groups.items()]


_quiet = threading.Lock()
_greeted = False


def _solver() -> highspy.Highs:
    """A silent HiGHS. Its first instance in a process prints a banner on the C side: that goes
    to /dev/null, not into a command's JSON on standard output."""
    global _greeted
    with _quiet:
        if not _greeted:
            sys.stdout.flush()
            saved = os.dup(1)
            sink = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(sink, 1)
                highspy.Highs()
                ctypes.CDLL(None).fflush(None)
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(sink)
            _greeted = True
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    # Primal simplex: between answers only the costs change, so the last basis stays feasible.
    solver.setOptionValue("simplex_strategy", 4)
    return solver


class _Programme(Generic[K]):
    """The linear programme of one group of withheld cells: a column per cell within its
    label's bounds, a row per relation (what the shown cells leave the withheld ones)."""

    def __init__(
        self,
        values: Mapping[K, int],
        relations: Sequence[tuple[K, Sequence[K]]],
        keys: list[K],
        limit: int,
        *,
        flow: bool = True,
    ) -> None:
        """`flow=False` keeps the linear programme for a network too (the tests compare)."""
        self.keys = keys
        self.limit = limit
        index = {key: i for i, key in enumerate(keys)}
        self.truth = [float(values.get(key, 0)) for key in keys]
        # The matrix as (column, row, sign) triples, row by row, made column-wise at the end
        # with numpy (a metropolitan system's insiders build a thousand programmes).
        at, in_row, signs = [], [], []
        sums: list[float] = []
        find = index.get
        for row, (total, parts) in enumerate(relations):
            known = 0
            # total - sum(parts) over the withheld cells equals what the shown ones leave, and
            # the reader is granted the exact gap of counts that are not quite sums (a transfer
            # counted once in a total): the strongest reader, and the true values an answer.
            i = find(total)
            if i is not None:
                at.append(i)
                in_row.append(row)
                signs.append(1.0)
                known += values.get(total, 0)
            for part in parts:
                i = find(part)
                if i is not None:
                    at.append(i)
                    in_row.append(row)
                    signs.append(-1.0)
                    known -= values.get(part, 0)
            sums.append(float(known))
        self.rows = len(sums)
        lower, upper = [], []
        for value in self.truth:
            lo, hi = _bounds(int(value), limit)
            lower.append(float(lo))
            upper.append(highspy.kHighsInf if hi == math.inf else float(hi))
        self.lower, self.upper = numpy.array(lower), numpy.array(upper)
        # The bounds a reader has now (`known` fixes an insider's own cells to their truth).
        self.low, self.high = self.lower.copy(), self.upper.copy()
        self.network: Network | None = None
        if not sums:
            return
        lp = highspy.HighsLp()
        lp.num_col_ = len(keys)
        lp.num_row_ = len(sums)
        lp.col_cost_ = numpy.zeros(len(keys))
        lp.col_lower_ = self.lower
        lp.col_upper_ = self.upper
        lp.row_lower_ = numpy.array(sums)
        lp.row_upper_ = numpy.array(sums)
        # Column by column, rows in order; a cell twice in a relation adds up, a 0 is left out.
        entry = numpy.array(at, dtype=numpy.int64) * len(sums) + numpy.array(
            in_row, dtype=numpy.int64
        )
        cell, first = numpy.unique(entry, return_index=False, return_inverse=True)[:2]
        summed = numpy.zeros(len(cell))
        numpy.add.at(summed, first, numpy.array(signs))
        kept = summed != 0
        cell, summed = cell[kept], summed[kept]
        starts = numpy.searchsorted(cell // len(sums), numpy.arange(len(keys) + 1))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = starts.astype(numpy.int32)
        lp.a_matrix_.index_ = (cell % len(sums)).astype(numpy.int32)
        lp.a_matrix_.value_ = summed
        # A network's answers are graph searches (suppression_flow: exact, the same as the
        # programme's); HiGHS only for the others.
        self.network = Network.of_matrix(starts, cell % len(sums), summed) if flow else None
        if self.network is not None:
            return
        self.solver = _solver()
        self.solver.passModel(lp)

    def small(self, skip: Collection[K] = ()) -> list[int]:
        """The small cells, but those in `skip` (already shown to move, or known)."""
        return [
            i
            for i, key in enumerate(self.keys)
            if 0 < self.truth[i] < self.limit and key not in skip
        ]

    @contextmanager
    def known(self, keys: Collection[K]) -> Iterator[None]:
        """The programme of a reader who knows `keys` exactly (an insider's own cells)."""
        fixed = numpy.array(
            [i for i, key in enumerate(self.keys) if key in keys], dtype=numpy.int32
        )
        if not self.rows or not len(fixed):
            yield
            return
        truth = numpy.array([self.truth[i] for i in fixed])
        self.low[fixed], self.high[fixed] = truth, truth
        if self.network is None:
            self.solver.changeColsBounds(len(fixed), fixed, truth, truth)
        try:
            yield
        finally:
            self.low[fixed], self.high[fixed] = self.lower[fixed], self.upper[fixed]
            if self.network is None:
                self.solver.changeColsBounds(
                    len(fixed), fixed, self.lower[fixed], self.upper[fixed]
                )

    def pinned(self, small: list[int], known_free: set[K]) -> set[K]:
        """Which of the `small` cells have one possible value; `known_free` gains the others.
        Every answer frees the small cells it moves by one or more, whatever it aimed at."""
        if not self.rows or not small:
            return set()
        if self.network is not None:
            stuck = self.network.pinned(small, self.truth, self.low.tolist(), self.high.tolist())
            known_free.update(self.keys[i] for i in small if i not in stuck)
            return {self.keys[i] for i in stuck}
        solver, width = self.solver, len(self.keys)
        free: set[int] = set()

        def settle(aim: list[float]) -> None:
            solver.changeColsCost(width, numpy.arange(width, dtype=numpy.int32), numpy.array(aim))
            solver.run()
            if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return
            answer = solver.getSolution().col_value
            for i in small:
                if abs(answer[i] - self.truth[i]) >= 1 - 1e-6:
                    free.add(i)

        # Pull every small cell down at once, then up at once: most cells move in one of the
        # two, so few are left for a programme of their own (warm-started from the last answer).
        among = set(small)
        settle([1.0 if i in among else 0.0 for i in range(width)])
        settle([-1.0 if i in among else 0.0 for i in range(width)])
        for i in small:
            for direction in (1.0, -1.0):  # the least, then the most
                if i in free:
                    break
                aim = [0.0] * width
                aim[i] = direction
                settle(aim)
                if solver.getModelStatus() == highspy.HighsModelStatus.kUnbounded:
                    free.add(i)
        known_free.update(self.keys[i] for i in free)
        return {self.keys[i] for i in small if i not in free}


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
