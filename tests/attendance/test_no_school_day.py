"""The school page on a day that is not an instructional day says so and shows no figures;
an instructional day without data yet says that instead."""

from __future__ import annotations

import datetime

import pytest

from tests.attendance.test_pages import page
from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance.models import CalendarDay


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def card(html: str, title: str) -> str:
    return html.split(f">{title}</p>", 1)[1].split('<p class="stat mb-0">', 1)[1].split("<", 1)[0]


def test_a_day_without_school_says_so_and_shows_no_figures(w: World) -> None:
    # 7 September (Labor Day) is not in the school's calendar.
    html = page(w, "principal", f"/attendance/schools/{w.school.pk}/?date=2026-09-07")
    assert "Not an instructional day at this school." in html
    assert "No attendance has been imported" not in html
    assert card(html, "Enrolled on Sep 7") == "—"
    assert card(html, "Absent on Sep 7") == "—"
    assert card(html, "Absence rate") == "—"
    assert card(html, "Classes not submitted") == "—"
    assert "Every class expected" not in html


def test_an_instructional_day_without_data_says_not_imported_yet(w: World) -> None:
    CalendarDay.objects.create(system=w.system, school=w.school, date=datetime.date(2026, 10, 1))
    html = page(w, "principal", f"/attendance/schools/{w.school.pk}/?date=2026-10-01")
    assert "No attendance has been imported for this school on this day yet." in html
    assert "Not an instructional day" not in html


def test_a_school_day_with_data_has_neither_message(w: World) -> None:
    html = page(w, "principal", f"/attendance/schools/{w.school.pk}/?date=2026-09-30")
    assert "Not an instructional day" not in html
    assert "No attendance has been imported" not in html
    assert card(html, "Enrolled on Sep 30") == "6"


def test_the_api_report_gives_no_day_figures_on_a_day_without_school(w: World) -> None:
    """Issue 12, minor: the API gave zeros on a day that is not an instructional day. The day's
    figures are null with the reason, as the pages say; the week's and chronic figures (to
    date) stand; an instructional day is unchanged."""
    url = "/api/v1/attendance/report?system=riverbend&date="
    body = w.client("admin").get(url + "2026-09-07").json()
    for entry in body["schools"].values():
        assert entry["enrolled"] is None and entry["absent"] is None
        assert entry["absence_rate_pct"] is None
        assert entry["day_note"] == "Not an instructional day at this school."
        assert entry["suppressed"] == []
    assert body["system"]["enrolled"] is None and body["system"]["absence_rate_pct"] is None
    assert body["system"]["day_note"] == "Not an instructional day at any of these schools."
    assert body["system"]["chronic_absent"] is not None
    school_day = w.client("admin").get(url + "2026-09-30").json()
    assert school_day["schools"]["sch-a"]["enrolled"] == 6
    assert school_day["schools"]["sch-a"]["day_note"] is None
    assert school_day["system"]["day_note"] is None
    # One school in session: only the other says so; the total is the one in session.
    CalendarDay.objects.create(system=w.system, school=w.school, date=datetime.date(2026, 9, 7))
    mixed = w.client("admin").get(url + "2026-09-07").json()
    assert mixed["schools"]["sch-a"]["day_note"] is None
    assert mixed["schools"]["sch-b"]["day_note"] == "Not an instructional day at this school."
    assert mixed["schools"]["sch-b"]["enrolled"] is None
    assert mixed["system"]["day_note"] is None
