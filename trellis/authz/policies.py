"""Scopes: what a user may see, computed once per request from the user's grants in force.

Every read starts here. `scope_for(user, action)` is the union of the nodes of the user's grants
whose role allows the action; `authorize` turns an object outside every grant into a 404 and an
object inside some grant, but not one that allows the action, into a 403.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trellis.authz.roles import MFA_REQUIRED_ROLES, POLICY, Action

# Actions that every signed-in user may take on their own record, whatever their grants.
OWN_RECORD_ACTIONS = frozenset({Action.PEOPLE_VIEW})


@dataclass(frozen=True)
class GrantRow:
    role: str
    system_id: int | None
    network_id: int | None
    school_id: int | None
    partner_id: int | None


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    system_ids: frozenset[int] = field(default_factory=frozenset)
    network_ids: frozenset[int] = field(default_factory=frozenset)
    school_ids: frozenset[int] = field(default_factory=frozenset)
    partner_ids: frozenset[int] = field(default_factory=frozenset)
    person_id: int | None = None
    # Every system any of these grants sits in (a school grant reaches its system's frameworks).
    reached_system_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.system_ids
            or self.network_ids
            or self.school_ids
            or self.partner_ids
            or self.person_id
        )

    def schools_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        return (
            Q(**{f"{prefix}system_id__in": self.system_ids})
            | Q(**{f"{prefix}network_id__in": self.network_ids})
            | Q(**{f"{prefix}id__in": self.school_ids})
        )

    def networks_q(self) -> Q:
        if self.everything:
            return Q()
        return Q(system_id__in=self.system_ids) | Q(id__in=self.network_ids)

    def partners_q(self) -> Q:
        if self.everything:
            return Q()
        return Q(home_system_id__in=self.system_ids) | Q(id__in=self.partner_ids)

    def people_q(self, on: datetime.date | None = None) -> Q:
        """People in scope: the whole system for system grants; for school and network grants,
        people holding a position there on the day (today by default); and the user's own record.
        """
        if self.everything:
            return Q()
        from trellis.people.models import Position  # people depends on authz only here

        q: Any = Q(system_id__in=self.system_ids)
        if self.school_ids or self.network_ids:
            day = on or timezone.localdate()
            # An IN over the (small) set of people placed here lets the database start from the
            # positions at these places instead of testing every person of the system.
            placed = (
                Position.objects.filter(
                    Q(school_id__in=self.school_ids)
                    | Q(school__network_id__in=self.network_ids)
                    | Q(network_id__in=self.network_ids),
                    starts_on__lte=day,
                )
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
                .values("person_id")
            )
            q |= Q(pk__in=placed)
        if self.person_id:
            q |= Q(pk=self.person_id)
        return q

    def positions_q(self) -> Q:
        """Positions held at places in scope (for lists of recent changes)."""
        if self.everything:
            return Q()
        return (
            Q(system_id__in=self.system_ids)
            | Q(school_id__in=self.school_ids)
            | Q(school__network_id__in=self.network_ids)
            | Q(network_id__in=self.network_ids)
        )


def _grant_rows(user: Any) -> list[GrantRow]:
    """The user's grants in force today, loaded once per request and kept on the user object."""
    cached = getattr(user, "_trellis_grants", None)
    if cached is not None:
        return cached
    from trellis.authz.models import Grant

    today = timezone.localdate()
    rows = [
        GrantRow(*values)
        for values in Grant.objects.filter(user=user, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("role", "system_id", "network_id", "school_id", "partner_id")
    ]
    user._trellis_grants = rows
    return rows


def forget_grants(user: Any) -> None:
    if hasattr(user, "_trellis_grants"):
        del user._trellis_grants


def scope_for(user: Any, action: str | None = None) -> Scope:
    """The nodes where `user` may take `action` (any role at all when action is None)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    systems: set[int] = set()
    networks: set[int] = set()
    schools: set[int] = set()
    partners: set[int] = set()
    reached: set[int] = set()
    for row in _grant_rows(user):
        if action is not None and action not in POLICY.get(row.role, frozenset()):
            continue
        if row.system_id:
            reached.add(row.system_id)
        if row.school_id:
            schools.add(row.school_id)
        elif row.network_id:
            networks.add(row.network_id)
        elif row.partner_id:
            partners.add(row.partner_id)
        elif row.system_id:
            systems.add(row.system_id)
    own = user.person_id if (action is None or action in OWN_RECORD_ACTIONS) else None
    return Scope(
        system_ids=frozenset(systems),
        network_ids=frozenset(networks),
        school_ids=frozenset(schools),
        partner_ids=frozenset(partners),
        person_id=own,
        reached_system_ids=frozenset(reached),
    )


def has_grant_for(user: Any, action: str) -> bool:
    """Whether some grant in force lets the user take `action` somewhere (own record aside)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(action in POLICY.get(row.role, frozenset()) for row in _grant_rows(user))


def user_may(user: Any, action: str) -> bool:
    """Whether a page declaring `action` may be opened at all by this user."""
    if not user.is_authenticated:
        return False
    if action == Action.SIGNED_IN:
        return True
    if action in OWN_RECORD_ACTIONS and user.person_id:
        return True
    return has_grant_for(user, action)


def roles_of(user: Any) -> set[str]:
    if not user.is_authenticated:
        return set()
    return {row.role for row in _grant_rows(user)}


def requires_mfa(user: Any) -> bool:
    return bool(user.is_superuser or roles_of(user) & MFA_REQUIRED_ROLES)


def _in_scope(scope: Scope, obj: Any) -> bool:
    from trellis.frameworks.models import Framework
    from trellis.orgs.models import Network, Partner, School, System
    from trellis.people.models import Person

    if scope.everything:
        return True
    if isinstance(obj, System):
        return obj.pk in scope.system_ids
    if isinstance(obj, Network):
        return obj.system_id in scope.system_ids or obj.pk in scope.network_ids
    if isinstance(obj, School):
        return (
            obj.system_id in scope.system_ids
            or obj.network_id in scope.network_ids
            or obj.pk in scope.school_ids
        )
    if isinstance(obj, Partner):
        return obj.home_system_id in scope.system_ids or obj.pk in scope.partner_ids
    if isinstance(obj, Framework):
        # Templates (no system) are open to every role that may see frameworks at all.
        if obj.system_id is None:
            return bool(scope.reached_system_ids or scope.partner_ids)
        return obj.system_id in scope.reached_system_ids
    if isinstance(obj, Person):
        if obj.pk == scope.person_id or obj.system_id in scope.system_ids:
            return True
        if not (scope.school_ids or scope.network_ids):
            return False
        return Person.objects.filter(scope.people_q(), pk=obj.pk).exists()
    raise TypeError(f"No scope rule for {type(obj).__name__}")


def allows(user: Any, action: str, obj: Any) -> bool:
    """Whether the user may take `action` on `obj` (for showing or hiding links and sections)."""
    return _in_scope(scope_for(user, action), obj)


def authorize(user: Any, action: str, obj: Any) -> None:
    """Raise Http404 when obj is outside every grant, PermissionDenied when the grants that
    reach it do not allow the action."""
    if _in_scope(scope_for(user, action), obj):
        return
    if _in_scope(scope_for(user), obj):
        raise PermissionDenied
    raise Http404


def require(actor: Any, action: str, obj: Any) -> None:
    """The permission check at the top of every service.

    `actor=None` is the command line (manage.py demo, import jobs): whoever runs it already holds
    the database. Web and API requests always pass the signed-in user.
    """
    if actor is None:
        return
    authorize(actor, action, obj)
