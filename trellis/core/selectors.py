"""Reads for the cross-cutting pages: the audit log and each role's home page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from trellis.authz.policies import has_grant_for, roles_of, scope_for
from trellis.authz.roles import Action
from trellis.core.models import AuditEvent
from trellis.core.suppression import people_count


def visible_audit_events(user: Any) -> QuerySet[AuditEvent]:
    scope = scope_for(user, Action.AUDIT_VIEW)
    if scope.everything:
        return AuditEvent.objects.all()
    if not scope.system_ids:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(system_id__in=scope.system_ids)


def audit_event_list(
    user: Any,
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    system_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    events = visible_audit_events(user).select_related("system")
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if system_id:
        events = events.filter(system_id=system_id)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(at__gte=datetime.datetime.combine(date_from, datetime.time.min, tz))
    if date_to:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tz)
        events = events.filter(at__lt=end)
    return events.order_by("-at", "-pk")


def home_summary(user: Any) -> dict[str, Any]:
    """What a user's home page shows: only records and counts their grants reach."""
    from trellis.authz.models import Grant
    from trellis.orgs.selectors import visible_networks, visible_partners, visible_schools
    from trellis.people.models import Position, PositionKind
    from trellis.people.selectors import current_positions, visible_people
    from trellis.students.models import Student

    today = timezone.localdate()
    summary: dict[str, Any] = {
        "grants": list(
            Grant.objects.filter(user=user, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .select_related("system", "network", "school", "partner")
        ),
        "is_operator": user.is_superuser,
    }
    if user.person_id:
        summary["own_positions"] = list(
            current_positions().filter(person_id=user.person_id).select_related("school", "network")
        )
    if has_grant_for(user, Action.SCHOOLS_VIEW):
        schools = visible_schools(user).filter(is_active=True)
        summary["school_count"] = schools.count()
        summary["network_count"] = visible_networks(user).count()
        summary["schools"] = list(schools.select_related("network").order_by("name")[:8])
        kinds = dict(PositionKind.choices)
        by_kind = (
            current_positions()
            .filter(school__in=schools)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("person_id", distinct=True))
        )
        summary["staff_by_kind"] = [
            (kinds[kind], people_count(n)) for kind, n in sorted(by_kind, key=lambda r: -r[1])
        ]
        summary["student_count"] = people_count(
            Student.objects.filter(school__in=schools, is_active=True).count()
        )
    if has_grant_for(user, Action.PEOPLE_VIEW):
        people = visible_people(user).filter(is_active=True)
        summary["people_count"] = people.count()
        # Read from the positions at places in scope: ordering a join through people would
        # sort every position of a metro district.
        summary["recent_positions"] = list(
            Position.objects.filter(
                scope_for(user, Action.PEOPLE_VIEW).positions_q(), starts_on__lte=today
            )
            # only people the user may open (someone who has left a school drops out)
            .filter(person__in=people)
            .select_related("person", "school", "network")
            .order_by("-starts_on", "-pk")[:6]
        )
    if has_grant_for(user, Action.PARTNERS_VIEW):
        summary["partners"] = list(visible_partners(user)[:8])
    if has_grant_for(user, Action.ACCESS_MANAGE):
        from trellis.authz.selectors import visible_grants

        in_force = (
            visible_grants(user)
            .filter(starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        )
        summary["grant_count"] = in_force.count()
        summary["account_count"] = in_force.values("user_id").distinct().count()
    if has_grant_for(user, Action.AUDIT_VIEW):
        summary["recent_events"] = list(visible_audit_events(user).select_related("system")[:8])
    if has_grant_for(user, Action.RATINGS_SELF_STUDY):
        from trellis.orgs.selectors import systems_where

        summary["self_study_systems"] = list(systems_where(user, Action.RATINGS_SELF_STUDY))
    summary["roles"] = sorted(roles_of(user))
    return summary
