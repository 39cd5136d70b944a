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
figure, every relation and every label (a linear programme per cell, HiGHS), and a cell
with only one possible value gets one more cell beside it withheld (docs/decisions.md).
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import highspy
import numpy
from django.conf import settings
from django.core.cache import cache

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
    # what it was made from (the figures, the relations, what is open), so it can never be stale.
    digest = hashlib.sha256(
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
    remembered = cache.get(f"suppression.protect:{digest}")
    if remembered is not None:
        return set(remembered)
    decided = _protect(values, listed, open_keys=open_keys, hidden=hidden, owners=owners)
    cache.set(f"suppression.protect:{digest}", list(decided), timeout=REMEMBER_FOR)
    return decided


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
        for owner in {owners[p] for p in hidden_parts if p in owners}:
            rest = [values.get(p, 0) for p in hidden_parts if owners.get(p) != owner]
            if exposed(rest):
                return True
        return False

    def each_relation() -> None:
        changed = True
        while changed:
            changed = False
            for total, parts in relations:
                hidden_parts = [p for p in parts if p in suppressed]
                if total not in suppressed:
                    if not hidden_parts or not (
                        exposed([values.get(p, 0) for p in hidden_parts])
                        or insider_exposed(hidden_parts)
                    ):
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

    def withhold_beside(key: K, known: Collection[K] = ()) -> bool:
        """Withhold the smallest shown cell of a relation `key` is in; when every cell of those
        is withheld already, of the relations one step further along withheld cells. `known`
        are the cells of the insider `key` is pinned for: withholding them hides nothing from
        that reader, and they tie no withheld cells together for them."""
        reached, seen = {key}, set()
        while reached:
            options: list[K] = []
            zeros: list[K] = []
            further: set[K] = set()
            for n, (total, parts) in enumerate(relations):
                if n in seen or not (total in reached or any(p in reached for p in parts)):
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
                suppressed.add(min(options, key=order) if options else min(zeros, key=repr))
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
    # Per insider, as for any reader: what was audited (their own withheld cells and every
    # withheld cell then), the cells shown to move for them, those their labels alone pin.
    insider_audited: dict[Hashable, tuple[set[K], set[K]]] = {}
    insider_free: dict[Hashable, set[K]] = defaultdict(set)
    insider_by_labels: dict[Hashable, set[K]] = defaultdict(set)

    def insider_audit() -> bool:
        """Whether some insider, their own school's figures known, pins a small withheld cell
        of someone else's (then one more cell beside it is withheld). Only the groups of
        withheld cells that share a relation with one of their own withheld cells can differ
        from what every reader was audited on."""
        for owner in sorted(owned, key=repr):
            own = owned[owner]
            own_withheld = own & suppressed
            if not own_withheld:
                continue  # they know nothing a reader of the pages does not
            before = insider_audited.get(owner)
            if before is not None and before[0] == own_withheld and before[1] == suppressed:
                continue
            changed = (
                None if before is None or before[0] != own_withheld else suppressed - before[1]
            )
            insider_audited[owner] = (own_withheld, set(suppressed))
            near = {
                k
                for total, parts in relations
                if total in own_withheld or any(p in own_withheld for p in parts)
                for k in (total, *parts)
            }
            found = pinned(
                values,
                relations,
                suppressed - own,
                changed=changed,
                near=near,
                free=insider_free[owner],
            )
            found -= own | insider_by_labels[owner]
            if found:
                # Pinned by the labels and their own figures alone: no withholding helps.
                insider_by_labels[owner] |= pinned(
                    values, relations, everything - set(open_keys) - own, near=near, only=found
                )
                found -= insider_by_labels[owner]
            if found and any([withhold_beside(key, known=own) for key in sorted(found, key=order)]):
                return True
        return False

    while True:
        each_relation()
        # Only the groups of cells that changed since the last audit can have changed.
        fresh = suppressed - audited
        audited = set(suppressed)
        found = pinned(values, relations, suppressed, changed=fresh, free=free)
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
    near: Collection[K] | None = None,
    only: Collection[K] | None = None,
) -> set[K]:
    """The small withheld cells ("fewer than 5") a reader can pin to one value from every shown
    figure, every relation and the labels' bounds together (`_bounds`). The withheld cells are
    split into the groups that relations tie together; in each, a cell's most and least are
    linear programmes over the withheld cells, the shown ones being constants. The true values
    are one answer, so one programme usually settles a cell: it can be more, or less, by one.
    With `changed`, only the groups holding one of those cells are audited, with `near` only
    those holding one of these, and with `only` only those small cells; `free` holds the cells
    already shown to move (not audited again) and gains those found now."""
    free = set() if free is None else free
    limit = threshold()
    if limit <= 2:  # "fewer than 2" is 1 by its label alone: nothing more to pin
        return set()
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
    found: set[K] = set()
    for head, keys in groups.items():
        if not any(0 < values.get(k, 0) < limit for k in keys):
            continue
        if changed is not None and not any(k in changed for k in keys):
            continue
        if near is not None and not any(k in near for k in keys):
            continue
        if only is not None and not any(k in only for k in keys):
            continue
        found |= _pinned_in(
            values,
            by_group[head],
            sorted(keys, key=repr),
            limit,
            free,
            None if only is None else set(only),
        )
    return found


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
    return solver


def _pinned_in(
    values: Mapping[K, int],
    relations: list[tuple[K, Sequence[K]]],
    keys: list[K],
    limit: int,
    known_free: set[K],
    only: set[K] | None = None,
) -> set[K]:
    index = {key: i for i, key in enumerate(keys)}
    truth = [float(values.get(key, 0)) for key in keys]
    columns: list[dict[int, float]] = [defaultdict(float) for _ in keys]
    sums: list[float] = []
    for row, (total, parts) in enumerate(relations):
        known = 0.0
        # total - sum(parts) over the withheld cells equals what the shown ones leave, and the
        # reader is granted the exact gap of counts that are not quite sums (a transfer counted
        # once in a total): the strongest reader, and the true values always an answer.
        for key, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if key in index:
                columns[index[key]][row] += sign
                known += sign * values.get(key, 0)
        sums.append(known)
    small = [
        i
        for i, key in enumerate(keys)
        if 0 < truth[i] < limit and key not in known_free and (only is None or key in only)
    ]
    if not sums or not small:
        return set()
    lp = highspy.HighsLp()
    lp.num_col_ = len(keys)
    lp.num_row_ = len(sums)
    lp.col_cost_ = numpy.zeros(len(keys))
    lower, upper = [], []
    for value in truth:
        lo, hi = _bounds(int(value), limit)
        lower.append(float(lo))
        upper.append(highspy.kHighsInf if hi == math.inf else float(hi))
    lp.col_lower_ = numpy.array(lower)
    lp.col_upper_ = numpy.array(upper)
    lp.row_lower_ = numpy.array(sums)
    lp.row_upper_ = numpy.array(sums)
    starts, rows, signs = [0], [], []
    for column in columns:
        for row, sign in sorted(column.items()):
            if sign:
                rows.append(row)
                signs.append(sign)
        starts.append(len(rows))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = numpy.array(starts, dtype=numpy.int32)
    lp.a_matrix_.index_ = numpy.array(rows, dtype=numpy.int32)
    lp.a_matrix_.value_ = numpy.array(signs)
    solver = _solver()
    solver.passModel(lp)

    free: set[int] = set()

    def settle(aim: list[float]) -> None:
        """Solve for `aim` (a cost per cell, minimised); every small cell the answer moves by
        one or more is free, whatever the aim was."""
        solver.changeColsCost(
            len(keys), numpy.arange(len(keys), dtype=numpy.int32), numpy.array(aim)
        )
        solver.run()
        status = solver.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return
        if status != highspy.HighsModelStatus.kOptimal:
            return
        answer = solver.getSolution().col_value
        for i in small:
            if abs(answer[i] - truth[i]) >= 1 - 1e-6:
                free.add(i)

    # Pull every small cell down at once, then up at once: most cells move in one of the two,
    # so few are left for a programme of their own (warm-started from the last answer).
    among = set(small)
    settle([1.0 if i in among else 0.0 for i in range(len(keys))])
    settle([-1.0 if i in among else 0.0 for i in range(len(keys))])
    for i in small:
        for direction in (1.0, -1.0):  # the least, then the most
            if i in free:
                break
            aim = [0.0] * len(keys)
            aim[i] = direction
            settle(aim)
            if solver.getModelStatus() == highspy.HighsModelStatus.kUnbounded:
                free.add(i)
    known_free.update(keys[i] for i in free)
    return {keys[i] for i in small if i not in free}


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
