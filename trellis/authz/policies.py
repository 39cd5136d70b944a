"""Scopes: what a user may see, computed once per request from the user's grants and
relationships in force.

Every read starts here. `scope_for(user, action)` is the union of the nodes of the user's grants
whose role allows the action, plus the people the user supports (coachees, caseload...) through
relationships that allow it; `authorize` turns an object outside every grant into a 404 and an
object inside some grant, but not one that allows the action, into a 403. Which objects lie in a
scope is told by the app that owns them (`trellis.authz.registry`): authz imports only core.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trellis.authz.registry import (
    network_schools,
    relationship_loaders,
    relationship_schools,
    rule_for,
)
from trellis.authz.roles import (
    MFA_REQUIRED_ROLES,
    RELATIONSHIP_POLICY,
    RELATIONSHIP_SCHOOL_POLICY,
    SENSITIVE_ACTIONS,
    Action,
    row_actions,
)

# Actions that every signed-in user may take on their own record, whatever their grants.
OWN_RECORD_ACTIONS = frozenset(
    {Action.PEOPLE_VIEW, Action.PROGRAMS_OWN_RECORD, Action.COACHING_VIEW}
)


@dataclass(frozen=True)
class GrantRow:
    role: str
    system_id: int | None
    network_id: int | None
    school_id: int | None
    partner_id: int | None
    program_id: int | None = None
    cohort_id: int | None = None


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    system_ids: frozenset[int] = field(default_factory=frozenset)
    network_ids: frozenset[int] = field(default_factory=frozenset)
    school_ids: frozenset[int] = field(default_factory=frozenset)
    partner_ids: frozenset[int] = field(default_factory=frozenset)
    # Programs and cohorts granted directly (program managers, partner staff of one program).
    program_ids: frozenset[int] = field(default_factory=frozenset)
    cohort_ids: frozenset[int] = field(default_factory=frozenset)
    person_id: int | None = None
    # Every system any of these grants sits in (a school grant reaches its system's frameworks).
    reached_system_ids: frozenset[int] = field(default_factory=frozenset)
    # People reached through relationships in force (my coachees, my caseload...), whatever
    # place they work at.
    related_person_ids: frozenset[int] = field(default_factory=frozenset)
    # The schools in `network_ids` (registered by the orgs app; loaded once per request): a
    # network grant filters records at schools by school id, which an index serves, rather
    # than through a join to the schools (item 29).
    network_school_ids: frozenset[int] = field(default_factory=frozenset)
    # Schools reached through relationships (RELATIONSHIP_SCHOOL_POLICY: a supervisor's
    # caseload's schools) that no grant of this scope already reaches: "a supervisor's schools"
    # are these and their grants' (docs/decisions.md, 2026-11-30).
    related_school_ids: frozenset[int] = field(default_factory=frozenset)
    # The action this scope was computed for (None: any role at all). A registered rule may
    # reach further for some actions than for others (a program is visible, not manageable,
    # in the systems it serves).
    action: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.system_ids
            or self.network_ids
            or self.school_ids
            or self.partner_ids
            or self.program_ids
            or self.cohort_ids
            or self.person_id
            or self.related_person_ids
            or self.related_school_ids
        )

    def q(self, model: type | str, **options: Any) -> Q:
        """The filter for a queryset of `model` to what this scope reaches (the owning app's
        registered rule)."""
        if self.everything:
            return Q()
        rule = rule_for(model)
        if rule.q is None:
            raise TypeError(f"No queryset rule for {model}")
        return rule.q(self, **options)

    def persons_q(self, field: str = "pk") -> Q:
        """The user's own record and the people reached through relationships, on `field`."""
        q = Q(**{f"{field}__in": self.related_person_ids}) if self.related_person_ids else Q()
        if self.person_id:
            q |= Q(**{field: self.person_id})
        return q if (self.person_id or self.related_person_ids) else Q(pk__in=[])

    def schools_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        return (
            Q(**{f"{prefix}system_id__in": self.system_ids})
            | Q(**{f"{prefix}network_id__in": self.network_ids})
            | Q(**{f"{prefix}id__in": self.school_ids | self.related_school_ids})
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
        """People in scope (the people app's rule): the whole system for system grants; for
        school and network grants, people holding a position there on the day (today by
        default); the people reached through relationships; and the user's own record."""
        return self.q("people.Person", on=on)

    def positions_q(self) -> Q:
        """Positions held at places in scope, and those of the people the user supports (for
        lists of recent changes)."""
        if self.everything:
            return Q()
        q = (
            Q(system_id__in=self.system_ids)
            | Q(school_id__in=self.school_ids | self.network_school_ids)
            | Q(network_id__in=self.network_ids)
        )
        if self.related_person_ids:
            q |= Q(person_id__in=self.related_person_ids)
        return q


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
        .values_list(
            "role",
            "system_id",
            "network_id",
            "school_id",
            "partner_id",
            "program_id",
            "cohort_id",
        )
    ]
    user._trellis_grants = rows
    return rows


def _relationship_rows(user: Any) -> list[tuple[str, int]]:
    """(relationship, person id) of the relationships in force today in which the user's person
    supports someone: loaded once per request (one query) and kept on the user object."""
    cached = getattr(user, "_trellis_relationships", None)
    if cached is not None:
        return cached
    rows: list[tuple[str, int]] = []
    person_id = getattr(user, "person_id", None)
    if person_id:
        today = timezone.localdate()
        for loader in relationship_loaders():
            rows.extend(loader(person_id, today))
    user._trellis_relationships = rows
    return rows


# Actions that some relationship allows at the schools its assignees lead.
_SCHOOL_ACTIONS: frozenset[str] = frozenset().union(*RELATIONSHIP_SCHOOL_POLICY.values())


def _relationship_school_rows(user: Any, action: str | None) -> list[tuple[str, int, int, Any]]:
    """(relationship, school id, system id, network id) of the schools the people the user
    supports lead today, for the relationships that reach schools at all: loaded once per request
    (one query), and only for a user who holds such a relationship and an action that asks."""
    if action is not None and action not in _SCHOOL_ACTIONS:
        return []
    if not any(kind in RELATIONSHIP_SCHOOL_POLICY for kind, _ in _relationship_rows(user)):
        return []
    cached = getattr(user, "_trellis_relationship_schools", None)
    if cached is not None:
        return cached
    rows = relationship_schools(user.person_id, timezone.localdate())
    user._trellis_relationship_schools = rows
    return rows


def _network_school_ids(user: Any, network_ids: frozenset[int]) -> frozenset[int]:
    """The schools of these networks, loaded once per request and kept on the user object."""
    if not network_ids:
        return frozenset()
    cache: dict[frozenset[int], frozenset[int]] | None = getattr(
        user, "_trellis_network_schools", None
    )
    if cache is None:
        # Set as the grants are (through a request's lazy user, onto the user itself), so
        # that forget_grants finds it.
        cache = {}
        user._trellis_network_schools = cache
    if network_ids not in cache:
        cache[network_ids] = network_schools(network_ids)
    return cache[network_ids]


def forget_grants(user: Any) -> None:
    """Drop what was loaded for this request (after the user's grants or relationships change)."""
    for name in (
        "_trellis_grants",
        "_trellis_relationships",
        "_trellis_network_schools",
        "_trellis_relationship_schools",
    ):
        if hasattr(user, name):
            delattr(user, name)


def scope_for(user: Any, action: str | None = None) -> Scope:
    """The nodes where `user` may take `action` (any role at all when action is None)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser and action not in SENSITIVE_ACTIONS:
        # Installation operators reach everything, except the sensitive reads: those follow
        # their grants and relationships like anyone's.
        return Scope(everything=True)
    systems: set[int] = set()
    networks: set[int] = set()
    schools: set[int] = set()
    partners: set[int] = set()
    programs: set[int] = set()
    cohorts: set[int] = set()
    reached: set[int] = set()
    for row in _grant_rows(user):
        on_program = bool(row.program_id or row.cohort_id)
        if action is not None and action not in row_actions(row.role, on_program=on_program):
            continue
        if row.system_id:
            reached.add(row.system_id)
        # The most specific node wins: a cohort grant keeps its program and the program's
        # owner, a program grant its owner, and reaches neither.
        if row.cohort_id:
            cohorts.add(row.cohort_id)
        elif row.program_id:
            programs.add(row.program_id)
        elif row.school_id:
            schools.add(row.school_id)
        elif row.network_id:
            networks.add(row.network_id)
        elif row.partner_id:
            partners.add(row.partner_id)
        elif row.system_id:
            systems.add(row.system_id)
    own = user.person_id if (action is None or action in OWN_RECORD_ACTIONS) else None
    related = frozenset(
        person_id
        for relationship, person_id in _relationship_rows(user)
        if action is None or action in RELATIONSHIP_POLICY.get(relationship, frozenset())
    )
    # The schools the user's relationships reach (a supervisor's caseload's), beyond the grants.
    related_schools = frozenset(
        school_id
        for relationship, school_id, system_id, network_id in _relationship_school_rows(
            user, action
        )
        if (action is None or action in RELATIONSHIP_SCHOOL_POLICY.get(relationship, ()))
        and not (system_id in systems or network_id in networks or school_id in schools)
    )
    return Scope(
        related_school_ids=related_schools,
        network_school_ids=_network_school_ids(user, frozenset(networks)),
        system_ids=frozenset(systems),
        network_ids=frozenset(networks),
        school_ids=frozenset(schools),
        partner_ids=frozenset(partners),
        program_ids=frozenset(programs),
        cohort_ids=frozenset(cohorts),
        person_id=own,
        reached_system_ids=frozenset(reached),
        related_person_ids=related,
        action=action,
    )


def has_grant_for(user: Any, action: str) -> bool:
    """Whether some grant or relationship in force lets the user take `action` somewhere (own
    record aside)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and action not in SENSITIVE_ACTIONS:
        return True
    if any(
        action in row_actions(row.role, on_program=bool(row.program_id or row.cohort_id))
        for row in _grant_rows(user)
    ):
        return True
    if any(
        action in RELATIONSHIP_POLICY.get(relationship, frozenset())
        for relationship, _ in _relationship_rows(user)
    ):
        return True
    return any(
        action in RELATIONSHIP_SCHOOL_POLICY.get(row[0], frozenset())
        for row in _relationship_school_rows(user, action)
    )


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
    if scope.everything:
        return True
    return rule_for(obj).contains(scope, obj)


def allows(user: Any, action: str, obj: Any) -> bool:
    """Whether the user may take `action` on `obj` (for showing or hiding links and sections)."""
    return _in_scope(scope_for(user, action), obj)


def authorize(user: Any, action: str, obj: Any) -> None:
    """Raise Http404 when obj is outside every grant, PermissionDenied when the grants that
    reach it do not allow the action."""
    if _in_scope(scope_for(user, action), obj):
        return
    # Outside scope is what the user may not see at all: for most objects, anything any of
    # their grants reaches; for people, whom they may view (a coach's system grant does not
    # make every teacher of the system "in scope").
    reach = rule_for(obj).reach
    if _in_scope(scope_for(user, reach), obj):
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
