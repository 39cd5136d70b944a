"""A network's "this morning": the morning figures of its schools, for whoever's scope holds
the network (or its whole system)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from trellis.attendance import selectors
from trellis.attendance.views import _day, morning_response
from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.orgs.models import System


@permission(Action.ATTENDANCE_VIEW)
def network_morning(request: HttpRequest, pk: int) -> HttpResponseBase:
    network, school_ids = selectors.attendance_network_get(request.user, pk)
    day, earlier = _day(request, System.objects.filter(pk=network.system_id), school_ids)
    seen = selectors.morning(request.user, day, school_ids=school_ids)
    return morning_response(
        request,
        seen,
        earlier=earlier,
        heading=f"This morning in {network.name}",
        can_manage=False,
        extra={"network_page": network},
    )
