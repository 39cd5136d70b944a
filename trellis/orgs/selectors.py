from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action
from trellis.orgs.models import Network, Partner, School, System


def visible_systems(user: Any) -> QuerySet[System]:
    scope = scope_for(user)
    if scope.everything:
        return System.objects.all()
    system_ids = set(scope.system_ids)
    system_ids |= set(
        School.objects.filter(pk__in=scope.school_ids).values_list("system_id", flat=True)
    )
    system_ids |= set(
        Network.objects.filter(pk__in=scope.network_ids).values_list("system_id", flat=True)
    )
    return System.objects.filter(pk__in=system_ids)


def systems_where(user: Any, action: str) -> QuerySet[System]:
    """Systems in which the user's system-level grants allow `action` (e.g. adding records)."""
    scope = scope_for(user, action)
    if scope.everything:
        return System.objects.all()
    return System.objects.filter(pk__in=scope.system_ids)


def system_choice(systems: Iterable[System], system_id: int | None) -> System:
    """The system a new record goes into: one of `systems`, never a silent substitute."""
    for system in systems:
        if system_id is None or system.pk == system_id:
            return system
    raise Http404


def visible_schools(user: Any, action: str = Action.SCHOOLS_VIEW) -> QuerySet[School]:
    scope = scope_for(user, action)
    if scope.is_empty:
        return School.objects.none()
    return School.objects.filter(scope.schools_q())


def visible_networks(user: Any, action: str = Action.SCHOOLS_VIEW) -> QuerySet[Network]:
    scope = scope_for(user, action)
    if scope.is_empty:
        return Network.objects.none()
    return Network.objects.filter(scope.networks_q())


def visible_partners(user: Any) -> QuerySet[Partner]:
    scope = scope_for(user, Action.PARTNERS_VIEW)
    if scope.is_empty:
        return Partner.objects.none()
    return Partner.objects.filter(scope.partners_q())


def _staff_count() -> Coalesce:
    from trellis.people.models import Position

    today = timezone.localdate()
    current = (
        Position.objects.filter(school_id=OuterRef("pk"), starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by()
        .values("school_id")
        .annotate(n=Count("person_id", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(current, output_field=IntegerField()), 0)


def _student_count() -> Coalesce:
    from trellis.students.models import Student

    active = (
        Student.objects.filter(school_id=OuterRef("pk"), is_active=True)
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(active, output_field=IntegerField()), 0)


def school_list(
    user: Any,
    *,
    query: str = "",
    system_id: int | None = None,
    network_id: int | None = None,
    level: str = "",
    status: str = "active",
) -> QuerySet[School]:
    schools = visible_schools(user).select_related("system", "network")
    if query:
        schools = schools.filter(
            Q(name__icontains=query) | Q(identifier__icontains=query) | Q(city__icontains=query)
        )
    if system_id:
        schools = schools.filter(system_id=system_id)
    if network_id:
        schools = schools.filter(network_id=network_id)
    if level:
        schools = schools.filter(level=level)
    if status == "active":
        schools = schools.filter(is_active=True)
    elif status == "inactive":
        schools = schools.filter(is_active=False)
    return schools.annotate(staff_count=_staff_count(), student_count=_student_count()).order_by(
        "name", "pk"
    )


def school_get(user: Any, pk: int, action: str = Action.SCHOOLS_VIEW) -> School:
    school = School.objects.select_related("system", "network").filter(pk=pk).first()
    if school is None:
        raise Http404
    authorize(user, action, school)
    return school


@dataclass(frozen=True)
class StaffRow:
    kind: str
    label: str
    count: int


def school_staff_by_kind(school: School) -> list[StaffRow]:
    """Current staff at a school by position kind (an aggregate: suppress when shown)."""
    from trellis.people.models import Position, PositionKind

    today = timezone.localdate()
    counts = dict(
        Position.objects.filter(school=school, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("person_id", distinct=True))
    )
    return [
        StaffRow(kind=kind, label=label, count=counts.get(kind, 0))
        for kind, label in PositionKind.choices
        if counts.get(kind)
    ]


def school_students_by_grade(school: School) -> list[tuple[str, int]]:
    from trellis.students.models import Student

    rows = (
        Student.objects.filter(school=school, is_active=True)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    return sorted(rows, key=lambda row: grade_sort_key(row[0]))


# CEDS grade codes in school order (standards.md §1.5).
GRADE_ORDER = ["IT", "PR", "PK", "TK", "KG", *[f"{n:02d}" for n in range(1, 14)], "PS", "UG"]


def grade_sort_key(grade: str) -> tuple[int, str]:
    return (GRADE_ORDER.index(grade) if grade in GRADE_ORDER else len(GRADE_ORDER), grade)


def network_list(user: Any, *, query: str = "", system_id: int | None = None) -> QuerySet[Network]:
    networks = visible_networks(user).select_related("system")
    if query:
        networks = networks.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if system_id:
        networks = networks.filter(system_id=system_id)
    return networks.annotate(
        school_count=Count("schools", filter=Q(schools__is_active=True))
    ).order_by("system__name", "name", "pk")


def network_get(user: Any, pk: int, action: str = Action.SCHOOLS_VIEW) -> Network:
    network = Network.objects.select_related("system").filter(pk=pk).first()
    if network is None:
        raise Http404
    authorize(user, action, network)
    return network


def partner_list(user: Any, *, query: str = "", kind: str = "") -> QuerySet[Partner]:
    partners = visible_partners(user).select_related("home_system")
    if query:
        partners = partners.filter(name__icontains=query)
    if kind:
        partners = partners.filter(kind=kind)
    return partners.order_by("name", "pk")


def partner_get(user: Any, pk: int, action: str = Action.PARTNERS_VIEW) -> Partner:
    partner = Partner.objects.select_related("home_system").filter(pk=pk).first()
    if partner is None:
        raise Http404
    authorize(user, action, partner)
    return partner
