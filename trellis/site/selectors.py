"""Reads for the cross-cutting pages: the audit log and the roles on the home page."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from trellis.authz.models import Grant
from trellis.authz.policies import scope_for
from trellis.authz.roles import Action
from trellis.core.models import AuditEvent


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


def grants_in_force(user: Any) -> list[Grant]:
    today = timezone.localdate()
    return list(
        Grant.objects.filter(user=user, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("system", "network", "school", "partner")
    )
