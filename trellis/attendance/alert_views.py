"""Attendance alerts: each person's own (the alerts page, with their history) and acknowledging
one (a POST; the address opened again goes to the alerts page). Nobody sees or acknowledges
anyone else's: "not found"."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone

from trellis.attendance import selectors, services
from trellis.attendance.models import AttendanceAlert
from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_date, get_text
from trellis.core.postonly import post_only

ALERT_HEADERS = ["Date", "School", "Alert", "Summary", "Details", "E-mailed", "Acknowledged"]


def _alert_row(alert: AttendanceAlert) -> list[object]:
    return [
        alert.date,
        alert.school.name,
        alert.get_kind_display(),
        alert.summary,
        alert.details,
        _moment(alert.emailed_at),
        _moment(alert.acknowledged_at),
    ]


def _moment(value: datetime.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


@permission(Action.SIGNED_IN)
def alert_list(request: HttpRequest) -> HttpResponseBase:
    status = get_choice(request.GET, "status", selectors.ALERT_STATUSES) or "open"
    kind = get_choice(request.GET, "kind", AttendanceAlert.Kind.values)
    query = get_text(request.GET, "q")
    date_from, date_to = get_date(request.GET, "from"), get_date(request.GET, "to")
    alerts = selectors.own_alerts(
        request.user, status=status, kind=kind, query=query, date_from=date_from, date_to=date_to
    )
    return render_list(
        request,
        template="attendance/alerts/list.html",
        queryset=alerts,
        context={
            "status": status,
            "kind": kind,
            "query": query,
            "date_from": date_from,
            "date_to": date_to,
            "kinds": AttendanceAlert.Kind.choices,
            # Link a school only where the viewer may open its attendance.
            "reach_ids": selectors.attendance_reach(request.user).school_ids,
            "statuses": [
                ("open", "Not acknowledged"),
                ("acknowledged", "Acknowledged"),
                ("all", "All"),
            ],
        },
        export=ExportSpec(filename="attendance-alerts", headers=ALERT_HEADERS, row=_alert_row),
    )


@permission(Action.SIGNED_IN)
@post_only("attendance_alerts", with_pk=False)
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponseBase:
    alert = selectors.own_alert_get(request.user, pk)
    services.attendance_alert_acknowledge(actor=request.user, alert=alert)
    messages.success(
        request, f"Acknowledged: {alert.get_kind_display()} at {alert.school.name} on {alert.date}."
    )
    return redirect("home" if request.POST.get("next") == "home" else "attendance_alerts")
