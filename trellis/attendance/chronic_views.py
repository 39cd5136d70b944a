"""Chronic absence (per school, grade and month), the chronically absent students, the
family-contact worklist, logging a contact, the contact history and contact rates (issue 12,
second slice). Pages over students by name need attendance.students and audit every read."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from trellis.attendance import selectors, services
from trellis.attendance.forms import FamilyContactForm
from trellis.attendance.models import FamilyContact
from trellis.attendance.rollups import settings_of
from trellis.attendance.views import _day, school_permission
from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.listing import form_page, querystring_without
from trellis.core.params import get_choice, get_date, get_int, get_text
from trellis.orgs.models import School, System
from trellis.students.selectors import GRADE_ORDER

CHRONIC_HEADERS = [
    "Group",
    "Name",
    "Students enrolled at least the minimum days",
    "Chronically absent",
    "Chronic absence rate (%)",
]


TRANSFER_NOTE = (
    "A student who transferred during the year counts at each school for the days enrolled "
    "there; the total and each grade's total count them once, so the schools' rows can add up "
    "to more than the total."
)


def _cell(count: Any) -> int | str:
    """An export's count: the number itself (no thousands separator, so a spreadsheet reads a
    number), or the withheld label."""
    return count.shown if count.shown is not None else str(count)


def _rate(row: Any) -> Any:
    return row.rate if row.rate is not None else ""


def _nav(request: HttpRequest, day: datetime.date, school: School | None) -> dict[str, Any]:
    """Previous and next instructional day of the page's school (or the viewer's schools)."""
    before, after = selectors.day_steps(request.user, day, [school.pk] if school else None)
    return {
        "previous_day": before,
        "next_day": after,
        "today": selectors.viewer_today(request.user),
        # The page's other choices (a network, a search) go with the day's steps.
        "nav_query": querystring_without(request, "date", "page", "format"),
    }


def _list_context(
    request: HttpRequest,
    rows: list[Any],
    *,
    day: datetime.date,
    earlier: bool,
    school: School,
) -> dict[str, Any]:
    """A day's paginated list with its search and grade filter (students' lists): the grades
    offered are the school's."""
    page = Paginator(rows, 50).get_page(get_int(request.GET, "page") or 1)
    return {
        "day": day,
        "earlier": earlier,
        **_nav(request, day, school),
        "page_obj": page,
        "object_list": page.object_list,
        "total": len(rows),
        "querystring_nopage": querystring_without(request, "page", "format"),
        "query": get_text(request.GET, "q"),
        "grade": get_choice(request.GET, "grade", GRADE_ORDER),
        "grades": selectors.school_grades(school),
    }


def _chronic_page(
    request: HttpRequest, *, day: datetime.date, earlier: bool, school: School | None
) -> HttpResponseBase:
    # A network chosen (the filter, or the network page's link): the headline, the grades and
    # the schools are the network's.
    networks = selectors.chronic_networks(request.user, day)
    network = get_int(request.GET, "network")
    if school or network not in dict(networks):
        network = None
    seen = selectors.chronic(
        request.user,
        day,
        group=selectors.chronic_group(
            request.user, school=school.pk if school else None, network=network
        ),
    )
    network_name = network_label = dict(networks)[network] if network else ""
    if network and len(seen.schools) < (whole := School.objects.filter(network_id=network).count()):
        # A supervisor may see part of a network: its figures are those schools', said so.
        network_label += f" (the {len(seen.schools)} of its {whole} schools you see)"
    query = get_text(request.GET, "q")
    rows = [
        r
        for r in seen.schools
        if r.school and (not query or query.lower() in r.school.name.lower())
    ]
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"chronic-absence-{day}",
            headers=CHRONIC_HEADERS,
            rows=[
                *(["School", r.label, _cell(r.counted), _cell(r.chronic), _rate(r)] for r in rows),
                *(
                    ["Grade", r.label, _cell(r.counted), _cell(r.chronic), _rate(r)]
                    for r in seen.grades
                ),
                *(
                    [
                        f"Month end ({p.as_of})",
                        p.row.label,
                        _cell(p.row.counted),
                        _cell(p.row.chronic),
                        _rate(p.row),
                    ]
                    for p in seen.trend
                ),
                [
                    "Total",
                    network_label or ("All" if not school else school.name),
                    _cell(seen.total.counted),
                    _cell(seen.total.chronic),
                    _rate(seen.total),
                ],
                ["Note", TRANSFER_NOTE, "", "", ""],
            ],
        )
    page = Paginator(rows, 50).get_page(get_int(request.GET, "page") or 1)
    students_allowed = selectors.student_school_ids(request.user)
    return render(
        request,
        "attendance/chronic.html",
        {
            "c": seen,
            "school": school,
            "heading": f"Chronic absence at {school.name}"
            if school
            else f"Chronic absence in {network_label}"
            if network
            else {
                "system": "Chronic absence in your system",
                "caseload": "Chronic absence in your caseload",
                "school": "Chronic absence at your school",
                "schools": "Chronic absence in your schools",
            }[seen.reach.kind],
            "day": day,
            "earlier": earlier,
            **_nav(request, day, school),
            "page_obj": page,
            "object_list": page.object_list,
            "querystring_nopage": querystring_without(request, "page", "format"),
            "query": query,
            "networks": networks,
            "network": network,
            "network_name": network_name,
            "students_allowed": students_allowed,
            "show_students": bool(school and school.pk in students_allowed),
        },
    )


@permission(Action.ATTENDANCE_VIEW)
def chronic_overview(request: HttpRequest) -> HttpResponseBase:
    day, earlier = _day(request, selectors.attendance_systems(request.user))
    return _chronic_page(request, day=day, earlier=earlier, school=None)


@school_permission(Action.ATTENDANCE_VIEW)
def chronic_school(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = selectors.attendance_school_get(request.user, pk)
    day, earlier = _day(request, System.objects.filter(pk=found.system_id), [found.pk])
    return _chronic_page(request, day=day, earlier=earlier, school=found)


@school_permission(Action.ATTENDANCE_STUDENTS)
def chronic_students(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = selectors.attendance_students_school_get(request.user, pk)
    day, earlier = _day(request, System.objects.filter(pk=found.system_id), [found.pk])
    query = get_text(request.GET, "q")
    grade = get_choice(request.GET, "grade", GRADE_ORDER)
    rows = selectors.chronic_students(found, day, query=query, grade=grade)
    fmt = get_choice(request.GET, "format", FORMATS)
    services.attendance_students_read_record(
        actor=request.user,
        school=found,
        what="chronically absent students",
        count=len(rows),
        fmt=fmt,
    )
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"chronically-absent-{day}",
            headers=[
                "Student",
                "Student ID",
                "Grade",
                "Days enrolled",
                "Days absent",
                "Rate (%)",
                "Last contact",
            ],
            rows=(
                [
                    selectors.student_name(r.student),
                    r.student.sourced_id,
                    r.student.grade,
                    r.days_enrolled,
                    r.days_absent,
                    r.rate,
                    r.last_contact.isoformat() if r.last_contact else "",
                ]
                for r in rows
            ),
        )
    own = settings_of(found.system_id)
    return render(
        request,
        "attendance/chronic_students.html",
        {
            "school": found,
            **_list_context(request, rows, day=day, earlier=earlier, school=found),
            "min_days": own.chronic_min_days,
            "percent": own.chronic_percent,
        },
    )


WORKLIST_HEADERS = [
    "Student",
    "Student ID",
    "Grade",
    "Absences this year",
    "Latest absence",
    "Contact due since",
    "Last contact",
    "Follow-up due",
    "Why",
]


@school_permission(Action.ATTENDANCE_STUDENTS)
def worklist(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = selectors.attendance_students_school_get(request.user, pk)
    day, earlier = _day(request, System.objects.filter(pk=found.system_id), [found.pk])
    query = get_text(request.GET, "q")
    grade = get_choice(request.GET, "grade", GRADE_ORDER)
    due = get_choice(request.GET, "due", ["call", "follow_up"])
    entries = selectors.worklist(found, day, query=query, grade=grade, due=due)
    fmt = get_choice(request.GET, "format", FORMATS)
    services.attendance_students_read_record(
        actor=request.user,
        school=found,
        what="family-contact worklist",
        count=len(entries),
        fmt=fmt,
    )
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"worklist-{day}",
            headers=WORKLIST_HEADERS,
            rows=(
                [
                    selectors.student_name(e.student),
                    e.student.sourced_id,
                    e.student.grade,
                    e.state.absences,
                    e.state.last_absence,
                    e.state.due_from if e.state.needs_call else "",
                    e.last_contact or "",
                    e.state.follow_up_on if e.follow_up else "",
                    e.reason,
                ]
                for e in entries
            ),
        )
    return render(
        request,
        "attendance/worklist.html",
        {
            "school": found,
            **_list_context(request, entries, day=day, earlier=earlier, school=found),
            "due": due,
            "rule": selectors.CONTACT_RULE,
            "n": settings_of(found.system_id).contact_after_absences,
        },
    )


@school_permission(Action.ATTENDANCE_STUDENTS)
def contact_log(request: HttpRequest, pk: int, student_pk: int) -> HttpResponseBase:
    found = selectors.attendance_students_school_get(request.user, pk)
    student = selectors.contact_student_get(found, student_pk)
    today = selectors.system_today(found.system)
    # The worklist's day (for the way back); the contact is dated today (the system's time
    # zone) unless the person says when it happened.
    day = get_date(request.GET, "date") or today
    form = FamilyContactForm(
        request.POST or None, initial={"contacted_on": today, "method": FamilyContact.Method.CALL}
    )
    back = reverse("attendance_worklist", args=[found.pk]) + f"?date={day:%Y-%m-%d}"
    if request.method != "POST":
        # The form names the student: a read of a student record like the lists' (audited).
        services.attendance_students_read_record(
            actor=request.user, school=found, what="family contact form", count=1
        )
    return form_page(
        request,
        form=form,
        save=lambda data: services.family_contact_log(
            actor=request.user, school=found, student=student, **data
        ),
        success_url=back,
        heading=f"Log a family contact: {selectors.student_name(student)}",
        back_label=f"Who needs a call at {found.name}",
        success_message=f"Contact with {selectors.student_name(student)}'s family logged.",
        extra={"submit_label": "Log the contact"},
    )


CONTACT_HEADERS = [
    "Date",
    "Student",
    "Student ID",
    "Grade",
    "How",
    "Outcome",
    "Follow up on",
    "Note",
    "Logged by",
]


@school_permission(Action.ATTENDANCE_STUDENTS)
def contact_history(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = selectors.attendance_students_school_get(request.user, pk)
    query = get_text(request.GET, "q")
    method = get_choice(request.GET, "method", FamilyContact.Method.values)
    outcome = get_choice(request.GET, "outcome", FamilyContact.Outcome.values)
    contacts = selectors.family_contacts(found, query=query, method=method, outcome=outcome)
    fmt = get_choice(request.GET, "format", FORMATS)
    page = Paginator(contacts, 50).get_page(get_int(request.GET, "page") or 1)
    services.attendance_students_read_record(
        actor=request.user,
        school=found,
        what="family contacts",
        count=page.paginator.count,
        fmt=fmt,
    )
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"family-contacts-{found.pk}",
            headers=CONTACT_HEADERS,
            rows=(
                [
                    c.contacted_on,
                    selectors.student_name(c.student),
                    c.student.sourced_id,
                    c.student.grade,
                    c.get_method_display(),
                    c.get_outcome_display(),
                    c.follow_up_on or "",
                    c.note,
                    c.logged_by_name,
                ]
                for c in contacts.iterator(chunk_size=2000)
            ),
        )
    return render(
        request,
        "attendance/contacts.html",
        {
            "school": found,
            "page_obj": page,
            "object_list": page.object_list,
            "querystring_nopage": querystring_without(request, "page", "format"),
            "query": query,
            "method": method,
            "outcome": outcome,
            "methods": FamilyContact.Method.choices,
            "outcomes": FamilyContact.Outcome.choices,
        },
    )


@permission(Action.ATTENDANCE_VIEW)
def contact_rates(request: HttpRequest) -> HttpResponseBase:
    day, earlier = _day(request, selectors.attendance_systems(request.user))
    rows, total = selectors.contact_rates(request.user, day)
    query = get_text(request.GET, "q")
    rows = [r for r in rows if r.school and (not query or query.lower() in r.school.name.lower())]
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"family-contact-rates-{day}",
            headers=["School", "Students due a contact this year", "Contacted", "Contact rate (%)"],
            rows=[
                *(
                    [r.school.name, _cell(r.eligible), _cell(r.contacted), _rate(r)]
                    for r in rows
                    if r.school
                ),
                ["All", _cell(total.eligible), _cell(total.contacted), _rate(total)],
            ],
        )
    page = Paginator(rows, 50).get_page(get_int(request.GET, "page") or 1)
    allowed = selectors.student_school_ids(request.user)
    return render(
        request,
        "attendance/contact_rates.html",
        {
            "total": total,
            "day": day,
            "earlier": earlier,
            **_nav(request, day, None),
            "page_obj": page,
            "object_list": page.object_list,
            "querystring_nopage": querystring_without(request, "page", "format"),
            "query": query,
            "rule": selectors.CONTACT_RULE,
            "students_allowed": allowed,
            # The worklist column only for a viewer who may open one of the schools' lists
            # (a supervisor or an analyst may not: no column, rather than an empty one).
            "worklist_column": any(r.school.pk in allowed for r in rows if r.school),
        },
    )
