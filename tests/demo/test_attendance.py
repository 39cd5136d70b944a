"""The demo district's attendance: a year's calendar and realistic days up to today."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from trellis.attendance.models import AttendanceEvent, CalendarDay, DailySchoolAttendance
from trellis.attendance.selectors import attendance_report
from trellis.demo.generator import DemoResult
from trellis.students.models import SchoolEnrolment

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_demo_attendance_has_a_year_of_calendar_and_realistic_mornings(demo: DemoResult) -> None:
    result = demo
    counts = result.counts
    assert counts["transfers"] > 0 and counts["homerooms"] > 100
    per_school = (
        CalendarDay.objects.filter(school__system=result.system).values("school").distinct()
    )
    assert per_school.count() == 12
    # This school year's (the demo also loads the year before, for the impact report).
    days = CalendarDay.objects.filter(
        school=result.system.schools.first(), date__gte=datetime.date(2026, 7, 1)
    )
    assert 170 <= days.count() <= 185  # the whole school year, breaks left out
    assert not days.filter(date=datetime.date(2026, 9, 7)).exists()  # Labor Day
    report = attendance_report(result.system, TODAY)
    system = report["system"]
    assert system["enrolled"] > 5000
    assert 2 < system["absence_rate_pct"] < 20
    # Late teachers and a morning still in progress: not every class is on time.
    assert 50 < system["on_time_rate_week_pct"] < 100
    assert system["chronic_absent"] > 0 and 2 < system["chronic_absence_rate_pct"] < 25
    today = DailySchoolAttendance.objects.filter(date=TODAY)
    assert today.count() == 12
    assert sum(r.expected_submissions - r.submitted for r in today) > 0
    # Transfers: students with two windows, counted at each school for their days there.
    assert SchoolEnrolment.objects.filter(source="sis", exit_date__isnull=False).exists()
    # Mondays are worse than Wednesdays, and the flu week (three weeks back) worst of all.
    rates: dict[datetime.date, float] = {}
    this_year = DailySchoolAttendance.objects.filter(date__gte=datetime.date(2026, 7, 1))
    for day in sorted({r.date for r in this_year}):
        rows = DailySchoolAttendance.objects.filter(date=day)
        rates[day] = sum(r.absent for r in rows) / max(1, sum(r.enrolled for r in rows))
    flu = {datetime.date(2026, 9, 7) + datetime.timedelta(days=d) for d in range(5)}

    def mean(days: list[datetime.date]) -> float:
        return sum(rates[d] for d in days) / len(days)

    mondays = [d for d in rates if d.weekday() == 0 and d not in flu]
    wednesdays = [d for d in rates if d.weekday() == 2 and d not in flu]
    assert mean(mondays) > mean(wednesdays)
    assert mean([d for d in rates if d in flu]) > 1.5 * mean(wednesdays)
    assert AttendanceEvent.objects.filter(category="tardy").exists()
    out = io.StringIO()
    call_command(
        "attendance_report", system="riverbend", date=TODAY.isoformat(), format="json", stdout=out
    )
    assert json.loads(out.getvalue())["system"] == system


@pytest.mark.django_db
def test_demo_principals_have_alerts_of_the_day_before_on_their_home_page(demo: DemoResult) -> None:
    from django.test import Client

    from trellis.attendance.models import AttendanceAlert

    result = demo
    assert result.counts["attendance_alerts"] > 0
    late = AttendanceAlert.objects.filter(kind=AttendanceAlert.Kind.NOT_SUBMITTED)
    # The days before: their deadline passed; the last day's (08:45) is still to come.
    assert late.exists() and not late.filter(date=TODAY).exists()
    alert = late.select_related("recipient").first()
    assert alert is not None
    client = Client()
    client.force_login(alert.recipient)
    assert "Attendance alerts" in client.get("/").content.decode()
