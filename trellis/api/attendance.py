"""The attendance API: a system's day as the JSON report, under the viewer's rights (their
schools only, counts of students suppressed as on the pages); chronic absence; family
contacts; and each person's own alerts."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field as PydanticField

from trellis.api.auth import api_permission
from trellis.api.paging import Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.attendance import selectors, services
from trellis.attendance.models import AttendanceAlert, FamilyContact
from trellis.authz.roles import Action
from trellis.orgs.models import School
from trellis.orgs.selectors import visible_systems

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
    # Why the day's figures (enrolled, absent, absence rate) are null: not an instructional
    # day; null when they are given.
    day_note: str | None = None


class ReportOut(Schema):
    date: datetime.date
    scope: str
    schools: dict[str, DayFigures]
    system: DayFigures


class ReportQuery(Schema):
    system: str
    date: datetime.date


def _sees_system(request: HttpRequest, params: ReportQuery, **kwargs: Any) -> bool:
    """The system (by its code) is in the viewer's scope (they see it, or some of it)."""
    return visible_systems(request.user).filter(code=params.system).exists()


@router.get(
    "/attendance/report",
    response={200: ReportOut, 403: ErrorOut, 404: ErrorOut},
    summary="A system's attendance on a day (the attendance_report command's figures)",
)
@api_permission(Action.ATTENDANCE_VIEW, in_scope=_sees_system)
def attendance_report(request: HttpRequest, params: Query[ReportQuery]) -> Any:
    system = selectors.attendance_systems(request.user).filter(code=params.system).first()
    if system is None:
        raise Http404
    _not_in_the_future(system, params.date)
    return selectors.attendance_report_for(request.user, system, params.date)


def _not_in_the_future(system: Any, day: datetime.date) -> None:
    """A day still to come has no attendance: a 400 that says so, not figures for it."""
    today = selectors.system_today(system)
    if day > today:
        raise HttpError(400, f"The date {day:%Y-%m-%d} is after today ({today:%Y-%m-%d}).")


# --- Chronic absence and family contacts (issue 12, second slice) -----------------------------


class ChronicFigures(Schema):
    chronic_counted: int | None
    chronic_absent: int | None
    chronic_absence_rate_pct: float | None
    # The figures withheld by small-cell suppression (null above).
    suppressed: list[str]


class ChronicMonth(ChronicFigures):
    month: str  # YYYY-MM
    as_of: datetime.date


class ChronicOut(Schema):
    date: datetime.date
    scope: str
    chronic_min_days: int
    chronic_percent: int
    schools: dict[str, ChronicFigures]
    grades: dict[str, ChronicFigures]
    system: ChronicFigures
    trend: list[ChronicMonth]


@router.get(
    "/attendance/chronic",
    response={200: ChronicOut, 403: ErrorOut, 404: ErrorOut},
    summary="Chronic absence per school, grade and month's end (suppressed as on pages)",
)
@api_permission(Action.ATTENDANCE_VIEW, in_scope=_sees_system)
def attendance_chronic(request: HttpRequest, params: Query[ReportQuery]) -> Any:
    system = selectors.attendance_systems(request.user).filter(code=params.system).first()
    if system is None:
        raise Http404
    _not_in_the_future(system, params.date)
    reach = selectors.attendance_reach(request.user)
    seen = selectors.chronic(
        request.user,
        params.date,
        group=selectors.chronic_group(request.user, system=system.pk),
    )
    return {
        "date": params.date,
        "scope": "system" if reach.kind == "system" else "schools in your reach",
        "chronic_min_days": seen.min_days,
        "chronic_percent": seen.percent,
        "schools": {selectors.school_key(r.school): r.entry() for r in seen.schools if r.school},
        "grades": {r.grade or "not recorded": r.entry() for r in seen.grades},
        "system": seen.total.entry(),
        "trend": [
            {"month": p.month.strftime("%Y-%m"), "as_of": p.as_of, **p.row.entry()}
            for p in seen.trend
        ],
    }


class ContactOut(Schema):
    id: int
    school: str
    student: str
    contacted_on: datetime.date
    method: FamilyContact.Method
    outcome: FamilyContact.Outcome
    note: str
    follow_up_on: datetime.date | None
    logged_by: str | None


class ContactFilters(Schema):
    system: str
    school: str = PydanticField(description="The school's sourcedId")
    student: str | None = PydanticField(None, description="A student's sourcedId")
    since: datetime.date | None = None


class ContactIn(Schema):
    system: str
    school: str = PydanticField(description="The school's sourcedId")
    student: str = PydanticField(description="The student's sourcedId")
    contacted_on: datetime.date
    method: FamilyContact.Method
    outcome: FamilyContact.Outcome
    note: str = PydanticField("", max_length=5000)
    follow_up_on: datetime.date | None = None


def _contact_out(contact: FamilyContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "school": selectors.school_key(contact.school),
        "student": contact.student.sourced_id,
        "contacted_on": contact.contacted_on,
        "method": contact.method,
        "outcome": contact.outcome,
        "note": contact.note,
        "follow_up_on": contact.follow_up_on,
        "logged_by": contact.logged_by_name or None,
    }


def _students_school(request: HttpRequest, system_code: str, school_sid: str) -> School:
    """The school (by the system's code and its sourcedId) whose absent students the viewer may
    read: 404 outside their reach, 403 when they see its attendance only."""
    system = selectors.attendance_systems(request.user).filter(code=system_code).first()
    found = School.objects.filter(system=system, sourced_id=school_sid).first() if system else None
    if found is None:
        raise Http404
    return selectors.attendance_students_school_get(request.user, found.pk)


def _school_in_scope(request: HttpRequest, system_code: str, school_sid: str) -> bool:
    """The school (by its system's code and its sourcedId) is in the viewer's scope."""
    found = School.objects.filter(system__code=system_code, sourced_id=school_sid).first()
    return found is not None and selectors.attendance_school_in_scope(request.user, found.pk)


def _sees_filtered_school(request: HttpRequest, filters: ContactFilters, **kwargs: Any) -> bool:
    return _school_in_scope(request, filters.system, filters.school)


def _sees_posted_school(request: HttpRequest, payload: ContactIn, **kwargs: Any) -> bool:
    return _school_in_scope(request, payload.system, payload.school)


@router.get(
    "/attendance/contacts",
    response={200: list[ContactOut], 403: ErrorOut, 404: ErrorOut},
    summary="A school's family contacts, latest first (a read of student records: audited)",
)
@api_permission(Action.ATTENDANCE_STUDENTS, in_scope=_sees_filtered_school)
@paginate(Pages, max_limit=500)
def list_family_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> Any:
    school = _students_school(request, filters.system, filters.school)
    student_id = None
    if filters.student:
        student_id = selectors.contact_student_by_sourced_id(school, filters.student).pk
    contacts = selectors.family_contacts(school, student_id=student_id, since=filters.since)
    services.attendance_students_read_record(
        actor=request.user, school=school, what="family contacts", count=contacts.count(), fmt="api"
    )
    return _MappedQuerySet(contacts, _contact_out)


@router.post(
    "/attendance/contacts",
    response={201: ContactOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Log a contact with an absent student's family",
)
@api_permission(Action.ATTENDANCE_STUDENTS, in_scope=_sees_posted_school)
def log_family_contact(request: HttpRequest, payload: ContactIn) -> Any:
    school = _students_school(request, payload.system, payload.school)
    student = selectors.contact_student_by_sourced_id(school, payload.student)
    try:
        contact = services.family_contact_log(
            actor=request.user,
            school=school,
            student=student,
            contacted_on=payload.contacted_on,
            method=payload.method,
            outcome=payload.outcome,
            note=payload.note,
            follow_up_on=payload.follow_up_on,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(201, _contact_out(contact))


# --- Alerts (issue 12): each person's own, and acknowledging one ------------------------------


class AlertOut(Schema):
    id: int
    date: datetime.date
    school: str = PydanticField(description="The school's sourcedId")
    school_name: str
    kind: AttendanceAlert.Kind
    summary: str
    details: str
    emailed_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None


class AlertFilters(Schema):
    status: Literal["open", "acknowledged", "all"] = "open"
    kind: AttendanceAlert.Kind | None = None
    q: str = PydanticField("", max_length=200, description="School name or summary")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _alert_out(alert: AttendanceAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "date": alert.date,
        "school": selectors.school_key(alert.school),
        "school_name": alert.school.name,
        "kind": alert.kind,
        "summary": alert.summary,
        "details": alert.details,
        "emailed_at": alert.emailed_at,
        "acknowledged_at": alert.acknowledged_at,
    }


@router.get(
    "/attendance/alerts",
    response={200: list[AlertOut]},
    summary="Your own attendance alerts, newest first (filters as on the alerts page)",
)
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def list_attendance_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> Any:
    alerts = selectors.own_alerts(
        request.user,
        status=filters.status,
        kind=filters.kind or "",
        query=filters.q.strip(),
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return _MappedQuerySet(alerts, _alert_out)


@router.post(
    "/attendance/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, 404: ErrorOut},
    summary="Acknowledge one of your attendance alerts (again: nothing changes)",
)
@api_permission(Action.SIGNED_IN)
def acknowledge_attendance_alert(
    request: HttpRequest, alert_id: int = Path(..., ge=1, le=2**31 - 1)
) -> Any:
    alert = selectors.own_alert_get(request.user, alert_id)
    return _alert_out(services.attendance_alert_acknowledge(actor=request.user, alert=alert))


@router.get(
    "/attendance/alerts/{alert_id}/acknowledge",
    response={405: ErrorOut},
    include_in_schema=False,
)
@api_permission(Action.SIGNED_IN)
def acknowledge_attendance_alert_get(
    request: HttpRequest, alert_id: int = Path(..., ge=1, le=2**31 - 1)
) -> Any:
    """Acknowledging is a POST. Asked with GET, the path answers as the API's other
    operations do: who is asking first (401 for nobody), then 405."""
    raise HttpError(405, "Acknowledge an alert with POST.")
