"""What assignments tell authz: whom a supporter reaches, and the scope of an assignment."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from typing import Any

from django.db.models import Q

from trellis.assignments.models import Assignment
from trellis.authz.registry import (
    register_relationship_schools,
    register_relationships,
    register_scope,
    rule_for,
)
from trellis.authz.roles import Action, Relationship
from trellis.people.models import PositionKind


def active_q(day: datetime.date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def supported_people(person_id: int, day: datetime.date) -> Iterable[tuple[str, int]]:
    """(kind, assignee id) of the person's assignments in force: one indexed query."""
    return list(
        Assignment.objects.filter(active_q(day), supporter_id=person_id).values_list(
            "kind", "assignee_id"
        )
    )


# The positions whose holders' schools are their supervisor's: a principal's or an assistant
# principal's.
LEADER_KINDS = (PositionKind.PRINCIPAL, PositionKind.ASSISTANT_PRINCIPAL)


def caseload_school_rows(
    day: Any, *, supervisor_ids: Collection[int] | None = None, system_ids: Collection[int] = ()
) -> list[tuple[int, int, int, int | None]]:
    """(supervisor's person id, school id, its system id, its network id) for the schools where
    the principals and assistant principals on a supervision caseload in force on `day` hold a
    position that day: of these supervisors, or (`supervisor_ids` None) of every supervisor
    whose caseload is in `system_ids`. One query."""
    caseload = Assignment.objects.filter(active_q(day), kind=Relationship.SUPERVISION)
    if supervisor_ids is None:
        caseload = caseload.filter(system_id__in=list(system_ids))
    else:
        caseload = caseload.filter(supporter_id__in=list(supervisor_ids))
    # One filter() call: the position's conditions hold of the same position (one join).
    found = (
        caseload.filter(
            Q(assignee__positions__ends_on__isnull=True) | Q(assignee__positions__ends_on__gte=day),
            assignee__positions__starts_on__lte=day,
            assignee__positions__kind__in=LEADER_KINDS,
            assignee__positions__school__isnull=False,
        )
        .values_list(
            "supporter_id",
            "assignee__positions__school_id",
            "assignee__positions__school__system_id",
            "assignee__positions__school__network_id",
        )
        .distinct()
        .order_by()
    )
    return [(sup, school, system, network) for sup, school, system, network in found]


def supervised_schools(
    person_id: int, day: datetime.date
) -> Iterable[tuple[str, int, int, int | None]]:
    """(relationship, school, system, network) of the schools the principals and assistant
    principals on the person's supervision caseload lead that day: what a supervisor reaches
    beyond their grants (authz.roles.RELATIONSHIP_SCHOOL_POLICY). One query."""
    return [
        (Relationship.SUPERVISION, school, system, network)
        for _sup, school, system, network in caseload_school_rows(day, supervisor_ids=[person_id])
    ]


def _assignment(scope: Any, obj: Assignment) -> bool:
    # An assignment lies where its assignee does.
    return rule_for("people.Person").contains(scope, obj.assignee)


def register() -> None:
    register_relationships(supported_people)
    register_relationship_schools(supervised_schools)
    register_scope(Assignment, _assignment, reach=Action.PEOPLE_VIEW)
