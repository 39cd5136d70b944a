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
    system_today,
)
from trellis.core.panels import Panel, register


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
        {"m": morning(request.user, morning_day(request.user, system_today(system)))},
        weight=15,
    )


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
