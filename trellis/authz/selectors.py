from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.authz.models import Grant
from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action


def visible_grants(user: Any) -> QuerySet[Grant]:
    scope = scope_for(user, Action.ACCESS_MANAGE)
    if scope.is_empty:
        return Grant.objects.none()
    if scope.everything:
        return Grant.objects.all()
    return Grant.objects.filter(
        Q(system_id__in=scope.system_ids) | Q(partner__home_system_id__in=scope.system_ids)
    )


def grant_list(
    user: Any,
    *,
    query: str = "",
    role: str = "",
    system_id: int | None = None,
    status: str = "current",
) -> QuerySet[Grant]:
    grants = visible_grants(user).select_related(
        "user",
        "user__person",
        "system",
        "network",
        "school",
        "partner",
        "program",
        "cohort__program",
    )
    if query:
        grants = grants.filter(
            Q(user__email__icontains=query) | Q(user__display_name__icontains=query)
        )
    if role:
        grants = grants.filter(role=role)
    if system_id:
        grants = grants.filter(system_id=system_id)
    today = timezone.localdate()
    in_force = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    if status == "current":
        grants = grants.filter(in_force)
    elif status == "ended":
        grants = grants.filter(ends_on__lt=today)
    elif status == "future":
        grants = grants.filter(starts_on__gt=today)
    return grants.order_by("user__email", "role", "pk")


def grant_get(user: Any, pk: int) -> Grant:
    grant = (
        Grant.objects.select_related(
            "user",
            "system",
            "network",
            "school",
            "partner",
            "partner__home_system",
            "program",
            "cohort__program",
        )
        .filter(pk=pk)
        .first()
    )
    if grant is None:
        raise Http404
    node: Any = grant.node
    if grant.program is not None:
        # Program and cohort grants are managed where the program's owner is (its system, or
        # its partner's home system); installation-wide partners' by the operators.
        node = grant.system or (grant.partner.home_system if grant.partner else None)
        if node is None:
            if not user.is_superuser:
                raise Http404
            return grant
    elif grant.partner is not None and grant.school is None and grant.network is None:
        if grant.partner.home_system is None:
            if not user.is_superuser:
                raise Http404
            return grant
        node = grant.partner.home_system
    authorize(user, Action.ACCESS_MANAGE, node)
    return grant


def grants_at_program(program_id: int, cohort_id: int | None = None) -> QuerySet[Grant]:
    """Grants in force on a program, and on one of its cohorts when given (a program's team,
    shown on its pages to whoever may see the program)."""
    today = timezone.localdate()
    at = Q(program_id=program_id, cohort__isnull=True)
    if cohort_id is not None:
        at |= Q(cohort_id=cohort_id)
    return (
        Grant.objects.filter(at, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("user", "user__person", "cohort")
        .order_by("role", "user__email", "pk")
    )
