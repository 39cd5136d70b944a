"""A school's instructional calendar for a school year, as a month grid, where whoever may
configure attendance adds or removes days (one, or a range such as a closure)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from trellis.attendance import selectors, services
from trellis.attendance.forms import CalendarChangeForm
from trellis.attendance.rollups import school_year_start
from trellis.attendance.views import school_permission
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.params import get_date, get_int


def _year_start(request: HttpRequest, school: object) -> datetime.date:
    year = get_int(request.GET, "year")
    if year and 2000 <= year <= 2100:
        return datetime.date(year, 7, 1)
    return school_year_start(selectors.system_today(school.system))  # type: ignore[attr-defined]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _done_text(done: services.CalendarChange, *, add: bool) -> str:
    """What a change did, in the confirmation's words and figures (records and students of
    the attendance, class submissions: selectors.calendar_removal)."""
    n = len(done.days)
    text = f"{'Added' if add else 'Removed'} {_plural(n, 'instructional day')}"
    if done.records_kept:
        text += (
            f"; {_plural(done.events_kept, 'attendance record')} of "
            f"{_plural(done.students_kept, 'student')} and "
            f"{_plural(done.submissions_kept, 'class submission')} recorded on "
            f"{'that day' if n == 1 else 'those days'} are kept but no longer counted"
        )
    return text + ". The school's figures are recomputed."


@school_permission(Action.ATTENDANCE_MANAGE)
def school_calendar(request: HttpRequest, pk: int) -> HttpResponseBase:
    school = selectors.calendar_school_get(request.user, pk)
    year_start = _year_start(request, school)
    form = CalendarChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        add = data["change"] == "add"
        if not add:
            removal = selectors.calendar_removal(
                school, data["start"], data["end"] or data["start"]
            )
            if removal.records:
                # Attendance was recorded on those days: say what the removal takes out of the
                # figures and ask first (the confirmation page removes them).
                query = urlencode(
                    {
                        "year": year_start.year,
                        "start": data["start"].isoformat(),
                        "end": (data["end"] or data["start"]).isoformat(),
                    }
                )
                return redirect(
                    f"{reverse('attendance_calendar_remove', args=[school.pk])}?{query}"
                )
        try:
            done = services.calendar_days_change(
                actor=request.user,
                school=school,
                year_start=year_start,
                start=data["start"],
                end=data["end"],
                add=add,
                weekdays_only=data["weekdays_only"],
                weekend_confirmed=data["confirm_weekend"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _done_text(done, add=add))
            return redirect(f"{request.path}?year={year_start.year}")
    return render(
        request,
        "attendance/calendar.html",
        {
            "school": school,
            "year_start": year_start,
            "year_end": datetime.date(year_start.year + 1, 6, 30),
            "months": selectors.calendar_months(school, year_start),
            "form": form,
            "previous_year": year_start.year - 1,
            "next_year": year_start.year + 1,
        },
    )


@school_permission(Action.ATTENDANCE_MANAGE)
def calendar_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The confirmation of removing instructional days on which attendance was recorded: what
    the removal takes out of the figures (days, records, students, submissions), then, on
    confirm, the removal (audited by the service)."""
    school = selectors.calendar_school_get(request.user, pk)
    year_start = _year_start(request, school)
    back = f"{reverse('attendance_calendar', args=[school.pk])}?year={year_start.year}"
    start = get_date(request.GET, "start")
    end = get_date(request.GET, "end") or start
    if start is None or end is None or end < start:
        messages.error(request, "Choose the days to remove on the calendar.")
        return redirect(back)
    removal = selectors.calendar_removal(school, start, end)
    if request.method == "POST":
        try:
            done = services.calendar_days_change(
                actor=request.user,
                school=school,
                year_start=year_start,
                start=start,
                end=end,
                add=False,
                confirmed=True,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(request, _done_text(done, add=False))
        return redirect(back)
    return render(
        request,
        "attendance/calendar_remove.html",
        {
            "school": school,
            "year_start": year_start,
            "start": start,
            "end": end,
            "removal": removal,
            "back": back,
        },
    )
