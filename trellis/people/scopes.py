"""How authz finds whom a scope reaches among people (see trellis.authz.registry)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from trellis.authz.registry import extra_reach_q, register_scope
from trellis.authz.roles import Action
from trellis.people.models import Person, Position


def people_q(scope: Any, on: datetime.date | None = None) -> Q:
    """The whole system for system grants; for school and network grants, people holding a
    position there on the day (today by default); people reached through relationships; the
    user's own record."""
    q: Any = Q(system_id__in=scope.system_ids)
    persons = scope.related_person_ids | ({scope.person_id} if scope.person_id else set())
    if scope.school_ids or scope.network_ids:
        day = on or timezone.localdate()
        # The people placed at these places are read first (one indexed query on the
        # positions: a school's or a network's staff, a few hundred) and given to the database
        # as a list of ids, with the relationships and the own record: as a subquery, PostgreSQL
        # misjudged how many it finds and scanned a metro district's every person to join
        # them (item 29).
        placed = set(
            Position.objects.filter(
                # The networks' schools by id (Scope.network_school_ids): one index each.
                Q(school_id__in=scope.school_ids | scope.network_school_ids)
                | Q(network_id__in=scope.network_ids),
                starts_on__lte=day,
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .order_by()
            .values_list("person_id", flat=True)
        )
        q |= Q(pk__in=sorted(placed | persons))
    elif persons:
        q |= scope.persons_q()
    if scope.program_ids or scope.cohort_ids:
        # Program and cohort grants reach people the programs app names (their participants).
        extra = extra_reach_q(Person, scope)
        if extra is not None:
            q |= extra
    return q


def _person(scope: Any, obj: Person) -> bool:
    if (
        obj.pk == scope.person_id
        or obj.pk in scope.related_person_ids
        or obj.system_id in scope.system_ids
    ):
        return True
    if not (scope.school_ids or scope.network_ids or scope.program_ids or scope.cohort_ids):
        return False
    return Person.objects.filter(people_q(scope), pk=obj.pk).exists()


def register() -> None:
    # Whoever may not view a person gets a 404 for anything about them (not a 403).
    register_scope(Person, _person, q=people_q, reach=Action.PEOPLE_VIEW)
