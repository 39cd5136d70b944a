from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action
from trellis.core.panels import per_request
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
    if scope.related_school_ids:
        system_ids |= set(
            School.objects.filter(pk__in=scope.related_school_ids).values_list(
                "system_id", flat=True
            )
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


@dataclass(frozen=True)
class SchoolRow:
    pk: int
    system_id: int
    network_id: int | None
    is_active: bool


def school_rows(user: Any) -> list[SchoolRow]:
    """Every school the user can see, as plain rows (once per request): the set over which
    per-school counts are suppressed, so that every page decides the same."""
    return per_request(
        user,
        "school_rows",
        lambda: [
            SchoolRow(*values)
            for values in visible_schools(user)
            .order_by()
            .values_list("pk", "system_id", "network_id", "is_active")
        ],
    )


def open_school_ids(user: Any, action: str) -> set[int]:
    """Of the schools the user can see, those where `action` reaches the people or students
    behind a count (their counts are shown exactly: item 8 of the repairs issue)."""
    scope = scope_for(user, action)
    return {
        row.pk
        for row in school_rows(user)
        if scope.everything
        or row.system_id in scope.system_ids
        or row.network_id in scope.network_ids
        or row.pk in scope.school_ids
        or row.pk in scope.related_school_ids
    }


def opens_every_school(user: Any, action: str) -> bool:
    """Whether `action` reaches the people (or students) behind every school the user can see:
    decided from the grants when they say so (no school rows loaded: a metro district has a
    thousand), otherwise from `open_school_ids`."""
    seen, reach = scope_for(user, Action.SCHOOLS_VIEW), scope_for(user, action)
    if reach.everything:
        return True
    if not (reach.system_ids or reach.network_ids or reach.school_ids or reach.related_school_ids):
        # Reaching no place, the action opens no school: true only of someone who sees none.
        return not (
            seen.everything
            or seen.system_ids
            or seen.network_ids
            or seen.school_ids
            or seen.related_school_ids
        )
    if not seen.everything and (
        seen.system_ids <= reach.system_ids
        and seen.network_ids <= reach.network_ids
        and seen.school_ids <= reach.school_ids
        and seen.related_school_ids <= reach.related_school_ids
    ):
        return True
    return {row.pk for row in school_rows(user)} <= open_school_ids(user, action)


def closed_system(user: Any, action: str) -> int | None:
    """The system whose every school the user sees while `action` reaches the people (or
    students) of none of them, when that is all the user sees (an analyst, a program manager, a
    coach; a district leader for students): such viewers read the counts protected once for
    the whole system (stored with the roll-ups) instead of weighing every cell per request.
    None for any other viewer."""
    seen, reach = scope_for(user, Action.SCHOOLS_VIEW), scope_for(user, action)
    if (
        seen.everything
        or len(seen.system_ids) != 1
        or seen.network_ids
        or seen.school_ids
        or seen.related_school_ids
    ):
        return None
    if (
        reach.everything
        or reach.system_ids
        or reach.network_ids
        or reach.school_ids
        or reach.related_school_ids
    ):
        return None
    return next(iter(seen.system_ids))


def whole_systems(user: Any) -> set[int] | None:
    """The systems a viewer sees whole (every school of each, by system grants), or None when
    the viewer sees anything else (networks, schools, the installation): such a viewer's totals
    are the ones stored with each system's counts."""
    seen = scope_for(user, Action.SCHOOLS_VIEW)
    if (
        seen.everything
        or seen.network_ids
        or seen.school_ids
        or seen.related_school_ids
        or not seen.system_ids
    ):
        return None
    return set(seen.system_ids)


def inactive_school_ids(user: Any, system_id: int) -> list[int]:
    """A system's schools no longer in the roster (sorted; once per request): with the
    suppression threshold, what a stored protection of the system's counts depends on besides
    the counts."""
    return per_request(
        user,
        f"inactive_schools_{system_id}",
        lambda: sorted(
            School.objects.filter(system_id=system_id, is_active=False)
            .order_by()
            .values_list("pk", flat=True)
        ),
    )


def school_list(
    user: Any,
    *,
    query: str = "",
    system_id: int | None = None,
    network_id: int | None = None,
    level: str = "",
    status: str = "active",
) -> QuerySet[School]:
    # The networks in a query of their own: joined, PostgreSQL (misjudging how many schools a
    # search matches) tested every match against every network of a metro district (item 29).
    schools = visible_schools(user).select_related("system").prefetch_related("network")
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
    return schools.order_by("name", "pk")


def school_get(user: Any, pk: int, action: str = Action.SCHOOLS_VIEW) -> School:
    school = School.objects.select_related("system", "network").filter(pk=pk).first()
    if school is None:
        raise Http404
    authorize(user, action, school)
    return school


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
