"""A network's "this morning": the morning figures of its schools, for whoever's scope holds
the network (or its whole system); a supervisor whose caseload leads schools there sees those
schools; one who sees the network but none of its schools' attendance is told why (403)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from trellis.attendance import selectors
from trellis.attendance.views import _day, morning_response
from trellis.authz.decorators import scoped_permission
from trellis.authz.roles import Action
from trellis.orgs.models import System
from trellis.orgs.selectors import visible_networks, visible_schools


def _sees_network(request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> bool:
    """The network is in the viewer's scope: they see it, or a school of it (a teacher leader
    their school's network). Whoever may see no attendance at all gets 403 for it, and 404 for
    a network outside their scope."""
    user = request.user
    return (
        visible_networks(user).filter(pk=pk).exists()
        or visible_schools(user).filter(network_id=pk).exists()
    )


@scoped_permission(Action.ATTENDANCE_VIEW, _sees_network)
def network_morning(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        network, school_ids, partly = selectors.attendance_network_get(request.user, pk)
    except selectors.NetworkOutOfReach as refused:
        return render(
            request,
            "attendance/network_forbidden.html",
            {"reason": str(refused)},
            status=403,
        )
    day, earlier = _day(request, System.objects.filter(pk=network.system_id), school_ids)
    return morning_response(
        request,
        day=day,
        earlier=earlier,
        school_ids=school_ids,
        heading=f"This morning in {network.name}",
        can_manage=False,
        extra={
            "network_page": network,
            "caseload_only": partly,
            "week_open_until": selectors.week_open_until(network.system_id, day),
        },
    )
