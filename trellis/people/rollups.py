"""Complementary suppression of the staff roll-up, as one function of the counts and of what the
viewer sees and may open: the request-time reader (`selectors.staff_table`) and the protection
stored with the roll-up for a system's closed readers (`staff_protection_decide`, the task
worker's after a recount, and `services.staff_protection_store`) both call it, so they cannot
decide differently."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.db import transaction

from trellis.core.suppression import Count as PeopleCount
from trellis.core.suppression import protected_counts, threshold
from trellis.orgs.models import School, System
from trellis.people.models import PositionKind, SchoolStaffCount, StaffCountsAsOf

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


def stored_protection(system_id: int) -> dict[str, Any]:
    as_of = StaffCountsAsOf.objects.filter(system_id=system_id).first()
    return dict(as_of.protection or {}) if as_of else {}


def protection_counts(
    system_id: int,
) -> tuple[list[tuple[int, bool]], list[tuple[int, int, str, int]]]:
    schools = list(
        School.objects.filter(system_id=system_id).values_list("pk", "is_active").order_by()
    )
    rows = list(
        SchoolStaffCount.objects.filter(system_id=system_id)
        .order_by()
        .values_list("pk", "school_id", "kind", "people")
    )
    return schools, rows


def protection_weighed(
    schools: list[tuple[int, bool]], rows: list[tuple[int, int, str, int]]
) -> tuple[list[int], dict[str, Any]]:
    """The rows to withhold from closed readers, and the protection to store with them."""
    counts = staff_protected(schools, ((s, k, n) for _pk, s, k, n in rows), opened=())
    hide = [
        pk
        for pk, school_id, kind, _n in rows
        if counts.get(("cell", school_id, kind) if kind else ("school", school_id))
        and counts[("cell", school_id, kind) if kind else ("school", school_id)].suppressed
    ]
    return hide, {
        "threshold": threshold(),
        "inactive": sorted(pk for pk, is_active in schools if not is_active),
        "kinds": {
            key[1]: [count.value, count.suppressed]
            for key, count in counts.items()
            if key[0] == "kind"
        },
    }


def protection_save(system_id: int, hide: list[int], protection: dict[str, Any]) -> None:
    SchoolStaffCount.objects.filter(system_id=system_id, hidden=True).update(hidden=False)
    for start in range(0, len(hide), 500):
        SchoolStaffCount.objects.filter(pk__in=hide[start : start + 500]).update(hidden=True)
    StaffCountsAsOf.objects.filter(system_id=system_id).update(protection=protection)


def staff_protection_decide(*, system_id: int) -> bool:
    """The task worker's decision after a recount: the counts are read under the system's lock,
    weighed without it (a position added meanwhile does not wait for minutes of weighing), and
    stored only if no recount came in between (that one's own task decides over its counts).
    Whether it stored a decision. Derived data: no permission check, no audit event."""
    with transaction.atomic():
        System.objects.select_for_update().filter(pk=system_id).first()
        read = stored_protection(system_id)
        if not read.get("pending"):
            return False  # decided since (by an earlier task, or a reader)
        schools, rows = protection_counts(system_id)
    hide, protection = protection_weighed(schools, rows)
    with transaction.atomic():
        System.objects.select_for_update().filter(pk=system_id).first()
        now = stored_protection(system_id)
        if not now.get("pending") or now.get("recount") != read.get("recount"):
            return False
        protection_save(system_id, hide, {**protection, "recount": read.get("recount")})
    return True
