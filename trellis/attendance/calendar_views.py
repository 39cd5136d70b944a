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
from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.params import get_date, get_int


def _year_start(request: HttpRequest, school: object) -> datetime.date:
    year = get_int(request.GET, "year")
    if year and 2000 <= year <= 2100:
        return datetime.date(year, 7, 1)
    return school_year_start(selectors.system_today(school.system))  # type: ignore[attr-defined]


@permission(Action.ATTENDANCE_MANAGE)
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
            n = len(done.days)
            text = f"{'Added' if add else 'Removed'} {n} instructional day{'s' if n != 1 else ''}"
            if done.records_kept:
                text += (
                    f"; {done.records_kept} attendance record(s) on "
                    f"{'that day' if n == 1 else 'those days'} are kept but no longer counted"
                )
            messages.success(request, text + ". The school's figures are recomputed.")
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


@permission(Action.ATTENDANCE_MANAGE)
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
        n = len(done.days)
        messages.success(
            request,
            f"Removed {n} instructional day{'s' if n != 1 else ''}; {done.records_kept} "
            f"attendance record(s) on {'that day' if n == 1 else 'those days'} are kept but no "
            "longer counted. The school's figures are recomputed.",
        )
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
