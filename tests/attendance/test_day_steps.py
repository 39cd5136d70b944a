"""The morning pages' "Previous day" and "Next day" step over the days without school
(weekends, 7 September) to the instructional days of the page's schools."""

from __future__ import annotations

import pytest

from tests.attendance.test_pages import page
from tests.attendance.world import add_attendance
from tests.conftest import World


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def steps(html: str) -> tuple[str, str]:
    previous = html.split('">Previous day</a>')[0].rsplit("?date=", 1)[1]
    following = html.split('">Next day</a>')[0].rsplit("?date=", 1)[1]
    return previous, following


def test_the_school_page_steps_over_the_weekend_and_the_holiday(w: World) -> None:
    url = f"/attendance/schools/{w.school.pk}/?date="
    assert steps(page(w, "principal", url + "2026-09-04")) == ("2026-09-03", "2026-09-08")
    assert steps(page(w, "principal", url + "2026-09-08")) == ("2026-09-04", "2026-09-09")


def test_the_system_page_steps_to_any_of_the_viewers_schools_days(w: World) -> None:
    assert steps(page(w, "admin", "/attendance/?date=2026-09-06")) == ("2026-09-04", "2026-09-08")


def test_without_a_calendar_day_either_way_it_steps_a_calendar_day(w: World) -> None:
    assert steps(page(w, "admin", "/attendance/?date=2026-10-20")) == ("2026-09-30", "2026-10-21")


def test_the_chronic_pages_step_the_same_way(w: World) -> None:
    url = f"/attendance/schools/{w.school.pk}/chronic/?date=2026-09-08"
    assert steps(page(w, "principal", url)) == ("2026-09-04", "2026-09-09")
    assert steps(page(w, "admin", "/attendance/chronic/?date=2026-09-05")) == (
        "2026-09-04",
        "2026-09-08",
    )


def test_a_day_still_to_come_is_said_on_the_page_as_the_api_refuses_it(w: World) -> None:
    """The page shows the last day with attendance and says why; the API answers 400. An
    export of such a day carries no message over to the next page."""
    html = page(w, "admin", "/attendance/chronic/?date=2030-01-07")
    assert "Jan 7, 2030 is still to come: there is no attendance for it yet." in html
    client = w.client("admin")
    api = client.get("/api/v1/attendance/chronic?system=riverbend&date=2030-01-07")
    assert api.status_code == 400
    assert client.get("/attendance/chronic/?date=2030-01-07&format=csv").status_code == 200
    assert "is still to come" not in client.get("/attendance/chronic/").content.decode()


def test_a_day_without_school_is_said_so_not_called_not_imported(w: World) -> None:
    """The walk (stop 23): a holiday's morning page said "No attendance has been imported for
    this day yet" over zeros. Labor Day is no instructional day at either school."""
    html = page(w, "admin", "/attendance/?date=2026-09-07")
    assert "Monday, Sep 7, 2026 is not an instructional day at any of these schools" in html
    assert "No attendance has been imported for this day yet" not in html
    assert "is not an instructional day" not in page(w, "admin", "/attendance/?date=2026-09-08")
