"""The "this morning" pages: the viewer's schools (their school, their caseload, the system),
one school with its classes not yet submitted, and the system's attendance settings."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from trellis.attendance import selectors, services
from trellis.attendance.forms import AttendanceSettingsForm
from trellis.attendance.rollups import settings_of
from trellis.authz.decorators import View, permission, scoped_permission
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.listing import form_page, querystring_without
from trellis.core.params import get_choice, get_date, get_int, get_text
from trellis.orgs.models import System
from trellis.orgs.selectors import system_choice, systems_where, visible_systems

SCHOOL_HEADERS = [
    "School",
    "Network",
    "Enrolled",
    "Absent",
    "Absence rate (%)",
    "Usual rate (%)",
    "Jumped",
    "Classes not submitted",
    "On time this week (%)",
]


def _day(request: HttpRequest, systems: Any, school_ids: Any = None) -> tuple[datetime.date, bool]:
    """The day asked for, else today or the last day with attendance (and whether it is an
    earlier day than today)."""
    given = get_date(request.GET, "date")
    first = systems.first()
    today = selectors.system_today(first) if first else datetime.date.today()
    # A day still to come has no attendance: it is not shown as if it had (walk of issue 12).
    if given and given <= today:
        return given, False
    day = selectors.morning_day(request.user, today, school_ids)
    if given and request.GET.get("format") not in FORMATS:
        # Said on the page, as the API refuses such a day with its reason (400).
        messages.warning(
            request,
            f"{given:%b} {given.day}, {given.year} is still to come: there is no attendance "
            f"for it yet. Shown: {day:%b} {day.day}, {day.year}.",
        )
    return day, day != today


def _sees_school(request: HttpRequest, *args: Any, pk: int, **kwargs: Any) -> bool:
    return selectors.attendance_school_in_scope(request.user, pk)


def school_permission(action: str) -> Callable[[View], View]:
    """@permission for the pages of one school (its `pk` in the address): whoever's roles
    allow `action` nowhere gets 404 for a school they do not see at all (outside their scope,
    e.g. a supervisor asking for a school outside their network and caseload) and 403 for one
    they see; whoever may, the view's own lookup answers (404 outside, 403 not allowed)."""
    return scoped_permission(action, _sees_school)


def _sees_system(request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
    """The system a page names in its query (`?system=`) is in the viewer's scope; a page that
    names none is refused as not allowed (403)."""
    named = get_int(request.GET, "system")
    return named is None or visible_systems(request.user).filter(pk=named).exists()


def _school_row(row: selectors.Row) -> list[Any]:
    return [
        row.school.name,
        row.school.network.name if row.school.network else "",
        row.enrolled,
        row.absent,
        row.absence_rate,
        row.usual_rate,
        row.jumped,
        row.f.not_submitted,
        row.on_time_rate,
    ]


def _steps(request: HttpRequest, day: datetime.date, school_ids: Any) -> dict[str, Any]:
    """Previous and next instructional day of the page's schools."""
    before, after = selectors.day_steps(request.user, day, school_ids)
    return {
        "previous_day": before,
        "next_day": after,
        "today": selectors.viewer_today(request.user),
        # The page's other choices (a network, a search) go with the day's steps.
        "nav_query": querystring_without(request, "date", "page", "format"),
    }


HEADINGS = {
    "system": "This morning in your system",
    "caseload": "This morning in your caseload",
    "school": "This morning at your school",
    "schools": "This morning in your schools",
}


# The classes not yet submitted listed on the morning page of a viewer with one school (the
# school's page lists them all).
OWN_CLASSES_SHOWN = 10


def _own_school(request: HttpRequest, day: datetime.date) -> dict[str, Any]:
    """For a viewer with one school (a principal at 8:30): that school's classes not yet
    submitted and, when they may open its worklist, how many students need a call, on the
    morning page itself (the issue's "done when"), with the ways to the full lists."""
    reach = selectors.attendance_reach(request.user)
    if len(reach.school_ids) != 1 or get_choice(request.GET, "format", FORMATS):
        return {}  # many schools (their table), or an export (the schools' rows only)
    school = selectors.attendance_school_get(request.user, next(iter(reach.school_ids)))
    classes = selectors.classes_not_submitted(school, day)
    shown = list(classes[: OWN_CLASSES_SHOWN + 1])
    calls = None
    if school.pk in selectors.student_school_ids(request.user):
        calls = selectors.worklist_size(school, day)
    return {
        "own_school": school,
        "own_no_school": selectors.instructional(school, day) is False,
        "own_classes": shown[:OWN_CLASSES_SHOWN],
        "own_classes_total": classes.count() if len(shown) > OWN_CLASSES_SHOWN else len(shown),
        "own_calls": calls,
    }


@permission(Action.ATTENDANCE_VIEW)
def morning(request: HttpRequest) -> HttpResponseBase:
    systems = selectors.attendance_systems(request.user)
    day, earlier = _day(request, systems)
    only = list(systems.values_list("pk", flat=True)[:2])
    return morning_response(
        request,
        day=day,
        earlier=earlier,
        heading=HEADINGS[selectors.attendance_reach(request.user).kind],
        can_manage=bool(systems_where(request.user, Action.ATTENDANCE_MANAGE).exists()),
        extra={
            "week_open_until": selectors.week_open_until(only[0], day) if len(only) == 1 else None,
            **_own_school(request, day),
        },
    )


def morning_response(
    request: HttpRequest,
    *,
    day: datetime.date,
    earlier: bool,
    heading: str,
    can_manage: bool,
    school_ids: Any = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """The morning page of a set of schools (the viewer's, or a network's): figures, the
    schools that jumped, and the schools' table to search, filter, sort, page and export. Only
    the page's schools are read (selectors.morning_page)."""
    query = get_text(request.GET, "q")
    network = get_int(request.GET, "network")
    jumped = get_choice(request.GET, "jumped", ["1"]) == "1"
    sort = get_choice(request.GET, "sort", selectors.MORNING_SORTS) or "name"
    seen = selectors.morning_page(
        request.user,
        day,
        school_ids=school_ids,
        query=query,
        network=network,
        jumped=jumped,
        sort=sort,
    )
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"attendance-{day}",
            headers=SCHOOL_HEADERS,
            rows=(_school_row(seen.row(s)) for s in seen.schools.iterator(chunk_size=2000)),
        )
    page = Paginator(seen.schools, 50).get_page(get_int(request.GET, "page") or 1)
    return render(
        request,
        "attendance/morning.html",
        {
            "m": seen,
            "heading": heading,
            "page_obj": page,
            "object_list": seen.rows(page.object_list),
            "querystring_nopage": querystring_without(request, "page", "format"),
            "query": query,
            "networks": seen.networks,
            "network": seen.network,
            "jumped": jumped,
            "sort": sort,
            "sorts": selectors.MORNING_SORTS.items(),
            "day": day,
            "earlier": earlier,
            # Said apart from "nothing imported yet": a weekend or holiday has nothing to import.
            "no_school_day": not seen.has_data
            and selectors.instructional_anywhere(request.user, day, school_ids) is False,
            **_steps(request, day, school_ids),
            "can_manage": can_manage,
            **(extra or {}),
        },
    )


@school_permission(Action.ATTENDANCE_VIEW)
def school(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = selectors.attendance_school_get(request.user, pk)
    day, earlier = _day(request, System.objects.filter(pk=found.system_id), [found.pk])
    seen = selectors.morning(request.user, day, school_ids=[found.pk])
    query = get_text(request.GET, "q")
    classes = selectors.classes_not_submitted(found, day, query)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"not-submitted-{day}",
            headers=["Class", "Code", "Kind"],
            rows=([c.title, c.class_code, c.get_class_type_display()] for c in classes),
        )
    page = Paginator(classes, 50).get_page(get_int(request.GET, "page") or 1)
    own = settings_of(found.system_id)
    return render(
        request,
        "attendance/school.html",
        {
            "school": found,
            "m": seen,
            "row": seen.rows[0],
            "day": day,
            "earlier": earlier,
            **_steps(request, day, [found.pk]),
            "no_school": selectors.instructional(found, day) is False,
            "week_open_until": selectors.week_open_until(found.system_id, day),
            "deadline": own.deadline,
            "time_zone": own.time_zone,
            "page_obj": page,
            "object_list": page.object_list,
            "querystring_nopage": querystring_without(request, "page", "format"),
            "query": query,
            "students_allowed": found.pk in selectors.student_school_ids(request.user),
            "can_edit_calendar": systems_where(request.user, Action.ATTENDANCE_MANAGE)
            .filter(pk=found.system_id)
            .exists(),
        },
    )


@scoped_permission(Action.ATTENDANCE_MANAGE, _sees_system)
def attendance_settings(request: HttpRequest) -> HttpResponseBase:
    systems = systems_where(request.user, Action.ATTENDANCE_MANAGE)
    system = system_choice(systems, get_int(request.GET, "system"))
    form = AttendanceSettingsForm(request.POST or None, instance=settings_of(system.pk))
    return form_page(
        request,
        form=form,
        save=lambda data: services.attendance_settings_set(
            actor=request.user, system=system, **data
        ),
        success_url="/attendance/",
        heading=f"Attendance settings of {system.name}",
        back_label="This morning",
    )
