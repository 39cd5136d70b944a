from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action
from trellis.core.panels import per_request
from trellis.core.suppression import Count as PeopleCount
from trellis.core.suppression import threshold
from trellis.orgs.selectors import (
    closed_system,
    inactive_school_ids,
    open_school_ids,
    opens_every_school,
    school_rows,
    visible_schools,
    whole_systems,
)
from trellis.people.models import (
    Person,
    Position,
    PositionKind,
    SchoolStaffCount,
    StaffCountsAsOf,
)
from trellis.people.rollups import KINDS, staff_protected


def current_positions(on: Any = None) -> QuerySet[Position]:
    day = on or timezone.localdate()
    return Position.objects.filter(starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )


def visible_people(user: Any, action: str = Action.PEOPLE_VIEW) -> QuerySet[Person]:
    scope = scope_for(user, action)
    if scope.is_empty:
        return Person.objects.none()
    return Person.objects.filter(scope.people_q())


def visible_people_count(user: Any) -> int:
    """Active people the viewer can see (the home page's card). The people of systems seen
    whole are counted from the `person_active` index alone, then anyone else in scope (the
    viewer's own record, people reached through relationships) apart: as one query with
    their OR, PostgreSQL read every person of a metro district (item 29)."""
    scope = scope_for(user, Action.PEOPLE_VIEW)
    if scope.is_empty:
        return 0
    if scope.everything:
        return Person.objects.filter(is_active=True).count()
    if not scope.system_ids:
        return visible_people(user).filter(is_active=True).count()
    systems = set(scope.system_ids)
    # The rest of the scope (own record, relationships, programs, places) without the systems:
    # written as (systems OR rest) AND NOT systems, the planner scanned the systems' people.
    rest = replace(scope, system_ids=frozenset()).people_q()
    return (
        Person.objects.filter(system_id__in=systems, is_active=True).count()
        + Person.objects.filter(rest, is_active=True).exclude(system_id__in=systems).count()
    )


def person_search_q(word: str) -> Q:
    """One search word: in a name or the e-mail, or exactly the employee number. On PostgreSQL
    each branch has its index (migration people.0004: trigram GIN on UPPER(col), B-tree on
    UPPER(identifier)), which is the form Django writes `icontains`/`iexact` in."""
    return (
        Q(given_name__icontains=word)
        | Q(family_name__icontains=word)
        | Q(preferred_name__icontains=word)
        | Q(email__icontains=word)
        | Q(identifier__iexact=word)
    )


def people_list(
    user: Any,
    *,
    query: str = "",
    system_id: int | None = None,
    school_id: int | None = None,
    school_name: str = "",
    network_id: int | None = None,
    kind: str = "",
    status: str = "active",
) -> QuerySet[Person]:
    people = visible_people(user).select_related("system")
    if query:
        for word in query.split()[:4]:
            people = people.filter(person_search_q(word))
    if system_id:
        people = people.filter(system_id=system_id)
    if school_id or school_name or network_id or kind:
        positions = current_positions().filter(person_id=OuterRef("pk"))
        if school_id:
            positions = positions.filter(school_id=school_id)
        if school_name:
            positions = positions.filter(school__name__icontains=school_name)
        if network_id:
            positions = positions.filter(
                Q(school__network_id=network_id) | Q(network_id=network_id)
            )
        if kind:
            positions = positions.filter(kind=kind)
        if query:
            # The search has narrowed the people (trigram indexes): check each one's positions
            # through the person index. As EXISTS, PostgreSQL joins instead and, not knowing
            # how few people match, hashes every current position of a metro district.
            # A scalar subquery (LIMIT 1) is evaluated per found person, never flattened.
            people = people.alias(
                _position=Subquery(
                    positions.order_by().values("pk")[:1], output_field=IntegerField()
                )
            ).filter(_position__isnull=False)
        else:
            people = people.filter(Exists(positions))
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    # By name. A system's whole staff (no search, no filter) is read a page at a time in the
    # order of an index (person_name_order). Anything narrower orders by the same names written
    # as an expression that index cannot give, so that PostgreSQL finds the few people first
    # (trigram indexes, the ids of a network's staff) and sorts them, rather than walking every
    # name before "smith" in order (item 29).
    scope = scope_for(user, Action.PEOPLE_VIEW)
    whole = scope.everything or bool(
        scope.system_ids and not (scope.school_ids or scope.network_ids)
    )
    narrowed = query or school_id or school_name or network_id or kind or not whole
    family = Concat("family_name", Value("")) if narrowed else F("family_name")
    return people.prefetch_related(
        Prefetch(
            "positions",
            queryset=current_positions().select_related("school", "network"),
            to_attr="current_positions",
        )
    ).order_by(family.asc(), "given_name", "pk")


def person_get(user: Any, pk: int, action: str = Action.PEOPLE_VIEW) -> Person:
    person = Person.objects.select_related("system").filter(pk=pk).first()
    if person is None:
        raise Http404
    authorize(user, action, person)
    return person


def person_record(person: Person) -> dict[str, Any]:
    """Everything the person page shows, in a fixed number of queries."""
    positions = list(
        person.positions.select_related("school", "network").order_by("-starts_on", "-pk")
    )
    today = timezone.localdate()
    return {
        "positions": positions,
        "current": [
            p
            for p in positions
            if p.starts_on <= today and (p.ends_on is None or p.ends_on >= today)
        ],
        "education": list(person.education.all()),
        "certifications": list(person.certifications.all()),
        # A certification past its date reads "expired", not "expires" (repairs issue, item 26).
        "today": today,
        # The reverse one-to-one raises (an AttributeError) when the person has no account.
        "account": getattr(person, "account", None),
    }


# School leaders first, then teacher leaders, then everyone else.
LEADERSHIP_ORDER = [
    PositionKind.PRINCIPAL,
    PositionKind.ASSISTANT_PRINCIPAL,
    PositionKind.TEACHER_LEADER,
    PositionKind.TEACHER,
]


def school_current_staff(school_id: int) -> QuerySet[Position]:
    rank = Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(LEADERSHIP_ORDER)),
        default=Value(len(LEADERSHIP_ORDER)),
        output_field=IntegerField(),
    )
    return (
        current_positions()
        .filter(school_id=school_id)
        .select_related("person")
        .order_by(rank, "person__family_name", "person__given_name")
    )


@dataclass(frozen=True)
class StaffTable:
    """Current staff by school and position kind as one viewer may see them (suppressed
    together: a school's total, its kinds and the totals by kind across schools)."""

    by_school: dict[int, PeopleCount]
    cells: dict[int, list[tuple[str, str, PeopleCount]]]
    by_kind: list[tuple[str, PeopleCount]]


def _fresh_counts_of(system_ids: set[int]) -> dict[int, StaffCountsAsOf]:
    """The systems' `StaffCountsAsOf`, recounted first where they are out of date: counted for
    another day, or past the next day on which a position starts or ends (`good_until`)."""
    from trellis.people.services import school_staff_counts_rebuild

    today = timezone.localdate()
    as_of = {a.system_id: a for a in StaffCountsAsOf.objects.filter(system_id__in=system_ids)}
    stale = [
        system_id
        for system_id in sorted(system_ids)
        if (known := as_of.get(system_id)) is None
        or known.counted_on > today
        or (known.good_until is not None and today >= known.good_until)
    ]
    for system_id in stale:
        # A reader that writes: the roll-up is derived data, recounted set-wise (once a
        # day at most, or when a dated change takes effect); docs/decisions.md, item 29.
        school_staff_counts_rebuild(system_id=system_id, on=today)
    if stale:
        as_of = {a.system_id: a for a in StaffCountsAsOf.objects.filter(system_id__in=system_ids)}
    return as_of


def staff_counts(system_ids: set[int], school_ids: Any = None) -> QuerySet[SchoolStaffCount]:
    """The roll-up rows of these systems' schools (optionally only `school_ids`, a list or a
    subquery), recounted first where they are out of date."""
    _fresh_counts_of(system_ids)
    rows = SchoolStaffCount.objects.filter(system_id__in=system_ids)
    if school_ids is not None:
        rows = rows.filter(school_id__in=school_ids)
    return rows.order_by()


def _closed_protection(user: Any) -> tuple[int, dict[str, Any]] | None:
    """For a closed reader of one system (`orgs.selectors.closed_system`): the system and the
    protection stored with its counts, decided again first if it was decided for another
    threshold or other inactive schools. None for other viewers."""
    system_id = closed_system(user, Action.PEOPLE_VIEW)
    if system_id is None:
        return None

    return system_id, _stored_protection(user, system_id)


def _stored_protection(user: Any, system_id: int) -> dict[str, Any]:
    """The protection stored with a system's counts (with each kind's exact total over its
    active schools), decided again first if it was decided for another threshold or other
    inactive schools. Once per request and system. While a recount's decision is `pending`
    (the task worker weighs it), closed readers see every count withheld: each figure then
    gives away no more than its label, whatever the counts are."""

    def load() -> dict[str, Any]:
        from trellis.people.services import staff_protection_store

        as_of = _fresh_counts_of({system_id})[system_id]
        protection = as_of.protection or {}
        if protection.get("pending"):
            return protection
        if protection.get("threshold") != threshold() or protection.get(
            "inactive"
        ) != inactive_school_ids(user, system_id):
            staff_protection_store(system_id=system_id)
            as_of.refresh_from_db(fields=["protection"])
            protection = as_of.protection or {}
        return protection

    return per_request(user, f"staff_protection_{system_id}", load)


def _systems_seen(user: Any) -> set[int]:
    seen = scope_for(user, Action.SCHOOLS_VIEW)
    if (
        not seen.everything
        and not seen.network_ids
        and not seen.school_ids
        and not seen.related_school_ids
    ):
        return set(seen.system_ids)
    return {row.system_id for row in school_rows(user)}


def staff_by_school(user: Any, school_ids: Collection[int] | None = None) -> dict[int, PeopleCount]:
    """Current staff of these schools (None: every school the viewer sees), as `staff_table`
    protects them, reading only those schools' roll-up rows where the viewer may open every
    school's people (exact) or is a closed reader (the stored protection)."""
    if school_ids is None:
        return staff_table(user).by_school
    if opens_every_school(user, Action.PEOPLE_VIEW):
        return {
            school_id: PeopleCount(n, hidden=False)
            for school_id, n in staff_counts(_systems_seen(user), list(school_ids))
            .filter(kind="")
            .values_list("school_id", "people")
        }
    closed = _closed_protection(user)
    if closed is None:
        return staff_table(user).by_school
    pending = bool(closed[1].get("pending"))
    return {
        school_id: PeopleCount(n, hidden=hidden or pending)
        for school_id, n, hidden in SchoolStaffCount.objects.filter(
            system_id=closed[0], school_id__in=list(school_ids), kind=""
        )
        .order_by()
        .values_list("school_id", "people", "hidden")
        if n
    }


def staff_counts_pending(user: Any) -> bool:
    """Whether the viewer is a closed reader whose staff counts are withheld while the task
    worker decides again after a position change (the pages say so: every count reads "not
    shown" for a while, which would otherwise look like data gone)."""
    closed = _closed_protection(user)
    return closed is not None and bool(closed[1].get("pending"))


def _cells(rows: Iterable[tuple[str, int, bool]]) -> list[tuple[str, str, PeopleCount]]:
    labels = dict(PositionKind.choices)
    found = {kind: (n, hidden) for kind, n, hidden in rows if n}
    return [
        (kind, labels[kind], PeopleCount(found[kind][0], hidden=found[kind][1]))
        for kind in KINDS
        if kind in found
    ]


def school_staff_by_kind(user: Any, school_id: int) -> list[tuple[str, str, PeopleCount]]:
    """A school's current staff by kind: exact for a viewer who may open its people (without
    computing the whole table), as stored for a closed reader, otherwise as `staff_table`
    protects them."""
    closed = _closed_protection(user)
    if closed is not None:
        # A closed reader opens no school's people.
        pending = bool(closed[1].get("pending"))
        return _cells(
            (kind, n, hidden or pending)
            for kind, n, hidden in SchoolStaffCount.objects.filter(
                system_id=closed[0], school_id=school_id
            )
            .exclude(kind="")
            .values_list("kind", "people", "hidden")
        )
    if opens_every_school(user, Action.PEOPLE_VIEW) or school_id in open_school_ids(
        user, Action.PEOPLE_VIEW
    ):
        return _cells(
            (kind, n, False)
            for kind, n in staff_counts(_systems_seen(user), [school_id])
            .exclude(kind="")
            .values_list("kind", "people")
        )
    return staff_table(user).cells.get(school_id, [])


def staff_by_kind(user: Any) -> list[tuple[str, PeopleCount]]:
    """Current staff by kind across the viewer's active schools (the home page). A viewer who
    may open every school they see gets one SUM over the roll-up, a closed reader the stored
    totals; only other viewers weigh the whole table."""
    labels = dict(PositionKind.choices)
    whole = whole_systems(user)
    if whole is not None and opens_every_school(user, Action.PEOPLE_VIEW):
        # Every active school of whole systems: the totals stored with the counts are the
        # sums this viewer would add up over a metro district's 9,000 cells (item 29).
        sums: dict[str, int] = {}
        for system_id in sorted(whole):
            for kind, (n, _hidden) in _stored_protection(user, system_id).get("kinds", {}).items():
                sums[kind] = sums.get(kind, 0) + n
        found = [(kind, PeopleCount(n, hidden=False)) for kind, n in sums.items()]
    elif opens_every_school(user, Action.PEOPLE_VIEW):
        totals = (
            staff_counts(
                _systems_seen(user),
                visible_schools(user).filter(is_active=True).values("pk"),
            )
            .exclude(kind="")
            .values_list("kind")
            .annotate(n=Sum("people"))
        )
        found = [(kind, PeopleCount(n, hidden=False)) for kind, n in totals]
    else:
        closed = _closed_protection(user)
        if closed is None:
            return staff_table(user).by_kind
        pending = bool(closed[1].get("pending"))
        found = [
            (kind, PeopleCount(n, hidden=hidden or pending))
            for kind, (n, hidden) in closed[1].get("kinds", {}).items()
        ]
    order = {kind: i for i, kind in enumerate(KINDS)}
    return [
        (labels[kind], count)
        for kind, count in sorted(
            (pair for pair in found if pair[0] in labels and pair[1].value),
            key=lambda pair: (-pair[1].value, order[pair[0]]),
        )
    ]


def staff_table(user: Any) -> StaffTable:
    return per_request(user, "staff_table", lambda: _staff_table(user))


def _staff_table(user: Any) -> StaffTable:
    """From the roll-up (`SchoolStaffCount`), never from the positions themselves, protected by
    `rollups.staff_protected` over every school the viewer sees."""
    rows = school_rows(user)
    counts = staff_protected(
        ((row.pk, row.is_active) for row in rows),
        staff_counts({row.system_id for row in rows}, [row.pk for row in rows]).values_list(
            "school_id", "kind", "people"
        ),
        open_school_ids(user, Action.PEOPLE_VIEW),
    )
    labels = dict(PositionKind.choices)
    cells: dict[int, list[tuple[str, str, PeopleCount]]] = {}
    order = {kind: i for i, kind in enumerate(KINDS)}
    for key in sorted(
        (key for key in counts if key[0] == "cell" and key[2] in order),
        key=lambda key: order[key[2]],
    ):
        cells.setdefault(key[1], []).append((key[2], labels[key[2]], counts[key]))
    by_kind = sorted(
        ((labels[kind], counts[("kind", kind)]) for kind in KINDS if ("kind", kind) in counts),
        key=lambda pair: -pair[1].value,
    )
    return StaffTable(
        by_school={row.pk: counts.get(("school", row.pk), PeopleCount(0)) for row in rows},
        cells=cells,
        by_kind=by_kind,
    )
