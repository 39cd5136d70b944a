"""Editing a school's instructional calendar on screen: the month grid, adding and removing
one day or a range, the checks, the audit trail, and figures that follow."""

from __future__ import annotations

import datetime

import pytest

from tests.attendance.test_report import report
from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance.models import AttendanceEvent, CalendarDay, DailySchoolAttendance
from trellis.core.models import AuditEvent


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def url(w: World) -> str:
    return f"/attendance/schools/{w.school.pk}/calendar/?year=2026"


def days(w: World) -> set[datetime.date]:
    return set(CalendarDay.objects.filter(school=w.school).values_list("date", flat=True))


def test_the_grid_shows_the_school_year_month_by_month(w: World) -> None:
    html = w.client("admin").get(url(w)).content.decode()
    assert "Instructional calendar of Oak Hill Elementary, 2026\N{EN DASH}27" in html
    assert "July 2026" in html and "June 2027" in html
    assert "September 2026 <span" in html and "(21 instructional days)" in html
    assert "attendance recorded" in html
    # The school page links to it for whoever may change it, and only for them.
    school = f"/attendance/schools/{w.school.pk}/?date=2026-09-30"
    assert "Instructional calendar" in w.client("admin").get(school).content.decode()
    assert "Instructional calendar" not in w.client("supervisor").get(school).content.decode()


def test_adding_a_day_and_a_range_of_weekdays(w: World) -> None:
    client = w.client("admin")
    before = days(w)
    response = client.post(url(w), {"change": "add", "start": "2026-10-01"})
    assert response.status_code == 302
    assert days(w) - before == {datetime.date(2026, 10, 1)}
    # A range (Friday 2 to Friday 9 October): weekdays only by default.
    client.post(
        url(w), {"change": "add", "start": "2026-10-02", "end": "2026-10-09", "weekdays_only": "on"}
    )
    added = sorted(days(w) - before)
    assert len(added) == 7 and all(d.weekday() < 5 for d in added)
    event = AuditEvent.objects.filter(action="attendance.calendar_add").order_by("pk").last()
    assert event is not None and event.actor == w.users["admin"] and event.after is not None
    assert event.after["days"][0] == "2026-10-02" and len(event.after["days"]) == 6
    # The new days have roll-ups only up to the last day attendance was imported for: the
    # figures of 30 September do not change.
    assert report("riverbend")["schools"]["sch-a"]["enrolled"] == 6


def test_duplicates_days_outside_the_year_and_reversed_ranges_are_refused(w: World) -> None:
    client = w.client("admin")
    before = days(w)
    for data, message in (
        ({"change": "add", "start": "2026-09-30"}, "Sep 30, 2026 is already an instructional day"),
        ({"change": "add", "start": "2027-07-01"}, "Give days of the school year shown"),
        ({"change": "add", "start": "2026-09-10", "end": "2026-09-01"}, "comes before"),
        ({"change": "remove", "start": "2026-09-07"}, "is not an instructional day"),
        ({"change": "add", "start": ""}, "Fill in “Day (or first day of the range)”."),
    ):
        response = client.post(url(w), data)
        assert response.status_code == 200
        assert message in response.content.decode(), data
    assert days(w) == before
    assert not AuditEvent.objects.filter(
        action__in=["attendance.calendar_add", "attendance.calendar_remove"]
    ).exists()


def test_removing_a_closure_recomputes_the_figures_and_keeps_the_records(w: World) -> None:
    # Close Oak Hill on 28-30 September (a3's tardy, a1's and a4's absences are on the 30th).
    events = AttendanceEvent.objects.filter(school=w.school).count()
    client = w.client("admin")
    response = client.post(url(w), {"change": "remove", "start": "2026-09-28", "end": "2026-09-30"})
    # Attendance was recorded on those days: the removal asks first (test_walk_fixes2).
    assert response.status_code == 302 and "/calendar/remove/" in response["Location"]
    response = client.post(response["Location"])
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "Removed 3 instructional days" in follow and "kept but no longer counted" in follow
    assert not CalendarDay.objects.filter(
        school=w.school, date__gte=datetime.date(2026, 9, 28)
    ).exists()
    assert not DailySchoolAttendance.objects.filter(
        school=w.school, date__gte=datetime.date(2026, 9, 28)
    ).exists()
    assert AttendanceEvent.objects.filter(school=w.school).count() == events
    got = report("riverbend")["schools"]["sch-a"]
    # No day at Oak Hill on the 30th: nobody enrolled or absent, nothing expected this week.
    # Chronic absence to date is as of the 25th (18 days): a1 and a2 absent 2 of 18 (11.1%),
    # t 1 of 10: three (a2 was 2 of 21, 9.5%, before).
    assert got["enrolled"] == 0 and got["absent"] == 0
    assert got["submissions_expected_week"] == 0
    assert got["chronic_absent"] == 3
    event = AuditEvent.objects.get(action="attendance.calendar_remove")
    assert event.after is not None
    assert event.after["days"] == ["2026-09-28", "2026-09-29", "2026-09-30"]
    assert event.after["records_kept"] > 0
    # Adding the days back counts the records again.
    w.client("admin").post(url(w), {"change": "add", "start": "2026-09-28", "end": "2026-09-30"})
    assert report("riverbend")["schools"]["sch-a"]["absent"] == 2


def test_who_may_open_and_change_the_calendar(w: World) -> None:
    assert w.client("leader").get(url(w)).status_code == 403
    assert w.client("admin_b").get(url(w)).status_code == 404
    before = days(w)
    assert (
        w.client("leader").post(url(w), {"change": "add", "start": "2026-10-01"}).status_code == 403
    )
    assert days(w) == before
