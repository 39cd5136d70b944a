"""Reads of assignments and caseloads, always starting from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.assignments.models import DEFAULT_TARGETS, Assignment, CaseloadTarget
from trellis.assignments.scopes import active_q
from trellis.authz.policies import authorize
from trellis.authz.roles import Action, Relationship
from trellis.people.models import Person, PositionKind
from trellis.people.selectors import current_positions, visible_people

STATUSES = ["current", "future", "ended", "all"]

# Who should have a supporter of each kind: the caseload page lists those without one.
POPULATION: dict[str, list[str]] = {Relationship.SUPERVISION: [PositionKind.PRINCIPAL]}


def visible_assignments(user: Any, action: str = Action.ASSIGNMENTS_VIEW) -> QuerySet[Assignment]:
    """Assignments whose assignee the user may see with `action` (one query, with a subquery)."""
    people = visible_people(user, action)
    return Assignment.objects.filter(assignee__in=people.values("pk"))


def assignment_list(
    user: Any,
    *,
    query: str = "",
    kind: str = "",
    status: str = "current",
    supporter_id: int | None = None,
) -> QuerySet[Assignment]:
    assignments = visible_assignments(user).select_related("supporter", "assignee")
    for word in query.split()[:4]:
        assignments = assignments.filter(
            Q(supporter__given_name__icontains=word)
            | Q(supporter__family_name__icontains=word)
            | Q(supporter__preferred_name__icontains=word)
            | Q(assignee__given_name__icontains=word)
            | Q(assignee__family_name__icontains=word)
            | Q(assignee__preferred_name__icontains=word)
        )
    if kind:
        assignments = assignments.filter(kind=kind)
    if supporter_id:
        assignments = assignments.filter(supporter_id=supporter_id)
    today = timezone.localdate()
    if status == "current":
        assignments = assignments.filter(active_q(today))
    elif status == "future":
        assignments = assignments.filter(starts_on__gt=today)
    elif status == "ended":
        assignments = assignments.filter(ends_on__lt=today)
    return assignments.order_by(
        "kind", "supporter__family_name", "supporter__given_name", "assignee__family_name", "pk"
    )


def assignment_get(user: Any, pk: int, action: str = Action.ASSIGNMENTS_VIEW) -> Assignment:
    assignment = (
        Assignment.objects.select_related("supporter", "assignee", "assignee__system")
        .filter(pk=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    authorize(user, action, assignment)
    return assignment


def person_by_reference(system_id: int, reference: str) -> Person | None:
    """A person of the system by e-mail, employee number or roster id (for the form)."""
    reference = reference.strip()
    if not reference:
        return None
    people = Person.objects.filter(system_id=system_id, is_active=True)
    return (
        people.filter(email__iexact=reference).order_by("pk").first()
        or people.filter(identifier=reference).order_by("pk").first()
        or people.filter(sourced_id=reference).order_by("pk").first()
    )


def people_outside_system(system_id: int, person_ids: set[int]) -> bool:
    return Person.objects.filter(pk__in=person_ids).exclude(system_id=system_id).exists()


@dataclass
class Caseload:
    supporter: Person
    assignments: list[Assignment] = field(default_factory=list)
    target: int | None = None

    @property
    def over_target(self) -> bool:
        return self.target is not None and len(self.assignments) > self.target


def targets_for(system_ids: set[int]) -> dict[tuple[int, str], int]:
    return {
        (row.system_id, row.kind): row.target
        for row in CaseloadTarget.objects.filter(system_id__in=system_ids)
    }


def target_of(targets: dict[tuple[int, str], int], system_id: int, kind: str) -> int | None:
    return targets.get((system_id, kind), DEFAULT_TARGETS.get(kind))


def caseloads(user: Any, *, kind: str, query: str = "") -> list[Caseload]:
    """Each supporter's active assignees of this kind that the user may see, with the target
    (two queries whatever the number of supporters)."""
    active = (
        visible_assignments(user)
        .filter(active_q(timezone.localdate()), kind=kind)
        .select_related("supporter", "assignee")
        .order_by("supporter__family_name", "supporter__given_name", "supporter_id")
    )
    for word in query.split()[:4]:
        active = active.filter(
            Q(supporter__given_name__icontains=word)
            | Q(supporter__family_name__icontains=word)
            | Q(supporter__preferred_name__icontains=word)
        )
    by_supporter: dict[int, Caseload] = {}
    for assignment in active:
        load = by_supporter.setdefault(
            assignment.supporter_id, Caseload(supporter=assignment.supporter)
        )
        load.assignments.append(assignment)
    targets = targets_for({load.supporter.system_id for load in by_supporter.values()})
    for load in by_supporter.values():
        load.assignments.sort(key=lambda a: (a.assignee.family_name, a.assignee.given_name))
        load.target = target_of(targets, load.supporter.system_id, kind)
    return list(by_supporter.values())


def unassigned(user: Any, *, kind: str) -> QuerySet[Person]:
    """People the user may see who hold a position that calls for a supporter of this kind
    (principals for supervision) and have none today."""
    kinds = POPULATION.get(kind)
    if not kinds:
        return Person.objects.none()
    today = timezone.localdate()
    return (
        visible_people(user, Action.ASSIGNMENTS_VIEW)
        .filter(
            Exists(current_positions().filter(person_id=OuterRef("pk"), kind__in=kinds)),
            is_active=True,
        )
        .exclude(
            Exists(
                Assignment.objects.filter(active_q(today), kind=kind, assignee_id=OuterRef("pk"))
            )
        )
        .order_by("family_name", "given_name", "pk")
    )


def supporters_of(person_ids: Any, kinds: list[str]) -> QuerySet[Assignment]:
    """Assignments of these kinds in force today whose assignee is one of `person_ids` (ids or a
    values subquery), for a page that already decided the viewer may see those people (a
    cohort's coaches and mentors). One query."""
    return (
        Assignment.objects.filter(active_q(timezone.localdate()), kind__in=kinds)
        .filter(assignee_id__in=person_ids)
        .select_related("supporter", "assignee")
        .order_by("assignee__family_name", "assignee__given_name", "kind", "pk")
    )
