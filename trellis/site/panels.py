"""What the site offers every home page: roles in force, the latest changes, and for roles whose
work arrives later (interviewers, partner staff), what they will find here and what to do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from trellis.authz.policies import has_grant_for, roles_of
from trellis.authz.roles import Action, Role
from trellis.authz.selectors import visible_grants
from trellis.core.audit import Entry, grouped
from trellis.core.panels import Panel, register
from trellis.selection.selectors import panel_seats
from trellis.site.selectors import visible_audit_events


@register("home", weight=0)
def guidance(request: HttpRequest) -> Iterator[Panel]:
    roles = roles_of(request.user)
    for role in (Role.INTERVIEWER, Role.PARTNER_STAFF):
        if role in roles:
            # An interviewer's guidance lists the panels they sit on (it used to say nothing
            # was assigned to them whatever they sat on).
            seats = panel_seats(request.user) if role == Role.INTERVIEWER else []
            yield Panel("site/panels/guidance.html", {"role": role, "seats": seats}, weight=0)


@register("home", weight=40)
def access(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if not has_grant_for(user, Action.ACCESS_MANAGE):
        return
    today = timezone.localdate()
    in_force = (
        visible_grants(user)
        .filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    )
    accounts = in_force.values("user_id").distinct().count()
    yield Panel(
        "core/panels/card.html",
        {
            "title": "Roles in force",
            "value": intcomma(in_force.count()),
            "url": reverse("grant_list"),
            "note": f"held by {intcomma(accounts)} account{'' if accounts == 1 else 's'}",
        },
        weight=40,
        kind="card",
    )


@register("home", weight=70)
def latest_changes(request: HttpRequest) -> Iterator[Panel]:
    if not has_grant_for(request.user, Action.AUDIT_VIEW):
        return
    events = list(visible_audit_events(request.user).select_related("system")[:40])
    entries = grouped([Entry(event=e) for e in events], with_changes=False)[:8]
    yield Panel("site/panels/latest_changes.html", {"entries": entries}, weight=70)
