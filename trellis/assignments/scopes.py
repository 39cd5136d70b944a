"""What assignments tell authz: whom a supporter reaches, and the scope of an assignment."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
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


def active_q(day: datetime.date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def supported_people(person_id: int, day: datetime.date) -> Iterable[tuple[str, int]]:
    """(kind, assignee id) of the person's assignments in force: one indexed query."""
    return list(
        Assignment.objects.filter(active_q(day), supporter_id=person_id).values_list(
            "kind", "assignee_id"
        )
    )


def supervised_schools(
    person_id: int, day: datetime.date
) -> Iterable[tuple[str, int, int, int | None]]:
    """(relationship, school, system, network) of the schools the principals and assistant
    principals on the person's supervision caseload lead that day: what a supervisor reaches
    beyond their grants (authz.roles.RELATIONSHIP_SCHOOL_POLICY). One query."""
    from trellis.assignments.selectors import caseload_school_rows

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
