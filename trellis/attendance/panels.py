"""The home page's attendance panel, for principals and supervisors (their school or caseload)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest

from trellis.attendance.selectors import (
    attendance_reach,
    attendance_systems,
    morning,
    morning_day,
    own_alerts,
    student_outcomes,
    student_school_ids,
    system_today,
)
from trellis.core.panels import Panel, register
from trellis.core.providers import provide
from trellis.orgs.models import School


@register("home", weight=15)
def attendance_today(request: HttpRequest) -> Iterator[Panel]:
    reach = attendance_reach(request.user)
    if reach.kind not in ("school", "caseload", "schools") or not reach.school_ids:
        return
    system = attendance_systems(request.user).first()
    if system is None:
        return
    yield Panel(
        "attendance/panels/home.html",
        {
            "m": morning(request.user, morning_day(request.user, system_today(system))),
            # The schools whose worklist the viewer may open ("who needs a call").
            "call_schools": list(
                School.objects.filter(pk__in=student_school_ids(request.user))
                .order_by("name")
                .values_list("pk", "name")
            ),
        },
        weight=15,
    )


# The impact report's student outcomes (Guskey's level 5), read by the surveys app by name
# (trellis.core.providers): the two apps do not import each other.
provide("student_outcomes")(student_outcomes)


@register("home", weight=14)
def attendance_alerts(request: HttpRequest) -> Iterator[Panel]:
    """The viewer's attendance alerts not yet acknowledged (the five newest)."""
    alerts = own_alerts(request.user, status="open")
    count = alerts.count()
    if not count:
        return
    yield Panel(
        "attendance/panels/alerts.html", {"alerts": list(alerts[:5]), "count": count}, weight=14
    )
