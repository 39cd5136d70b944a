from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action
from trellis.people.models import Person, Position, PositionKind


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


def people_list(
    user: Any,
    *,
    query: str = "",
    system_id: int | None = None,
    school_id: int | None = None,
    network_id: int | None = None,
    kind: str = "",
    status: str = "active",
) -> QuerySet[Person]:
    people = visible_people(user).select_related("system")
    if query:
        for word in query.split()[:4]:
            people = people.filter(
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(email__icontains=word)
                | Q(identifier__iexact=word)
            )
    if system_id:
        people = people.filter(system_id=system_id)
    if school_id or network_id or kind:
        positions = current_positions().filter(person_id=OuterRef("pk"))
        if school_id:
            positions = positions.filter(school_id=school_id)
        if network_id:
            positions = positions.filter(
                Q(school__network_id=network_id) | Q(network_id=network_id)
            )
        if kind:
            positions = positions.filter(kind=kind)
        people = people.filter(Exists(positions))
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    return people.prefetch_related(
        Prefetch(
            "positions",
            queryset=current_positions().select_related("school", "network"),
            to_attr="current_positions",
        )
    ).order_by("family_name", "given_name", "pk")


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
