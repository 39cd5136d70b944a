"""The attendance API: a system's day as the JSON report, under the viewer's rights (their
schools only, counts of students suppressed as on the pages)."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from trellis.api.auth import api_permission
from trellis.api.schemas import ErrorOut
from trellis.attendance import selectors
from trellis.authz.roles import Action

router = Router(tags=["attendance"])


class DayFigures(Schema):
    enrolled: int | None
    absent: int | None
    absence_rate_pct: float | None
    submissions_expected_week: int
    submissions_on_time_week: int
    on_time_rate_week_pct: float | None
    chronic_absent: int | None
    chronic_absence_rate_pct: float | None
    # The figures withheld by small-cell suppression (null above).
    suppressed: list[str]


class ReportOut(Schema):
    date: datetime.date
    scope: str
    schools: dict[str, DayFigures]
    system: DayFigures


class ReportQuery(Schema):
    system: str
    date: datetime.date


@router.get(
    "/attendance/report",
    response={200: ReportOut, 403: ErrorOut, 404: ErrorOut},
    summary="A system's attendance on a day (the attendance_report command's figures)",
)
@api_permission(Action.ATTENDANCE_VIEW)
def attendance_report(request: HttpRequest, params: Query[ReportQuery]) -> Any:
    system = selectors.attendance_systems(request.user).filter(code=params.system).first()
    if system is None:
        raise Http404
    return selectors.attendance_report_for(request.user, system, params.date)
