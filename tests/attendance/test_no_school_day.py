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
