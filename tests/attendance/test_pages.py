"""The "this morning" pages, the home panel and the API, as each role sees them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.attendance import data
from tests.attendance.world import add_attendance, more_schools
from tests.conftest import World
from trellis.attendance.services import attendance_settings_set
from trellis.orgs.models import School
from trellis.orgs.services import school_create

DAY = "2026-09-30"


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def page(world: World, who: str, url: str) -> str:
    response = world.client(who).get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.content.decode()


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_principal_sees_their_school_this_morning_with_definitions(w: World) -> None:
    html = page(w, "principal", f"/attendance/?date={DAY}")
    assert "This morning at your school" in html
    assert "Oak Hill Elementary" in html and "Pine Ridge Middle" not in html
    # Enrolled 6, 2 absent: exact, as the principal may list those students by name
    # (attendance.students; test_walk_minor.py).
    assert ">6<" in html and ">2<" in html and "fewer than 5" not in html
    assert "How these figures are counted" in html
    assert "enrolled students with an Excused or Unexcused Absence that day" in html
    assert "the instructional days from Monday up to the day shown" in html
    # One class has not submitted; on time this week 3 of 6.
    assert "50.0%" in html and "3 of 6 expected" in html


def test_the_administrator_sees_exact_figures_the_jump_and_classes_not_submitted(
    w: World,
) -> None:
    html = page(w, "admin", f"/attendance/?date={DAY}")
    assert "This morning in your system" in html
    assert "38.5%" in html  # 5 of 13 absent in the system
    assert "Schools whose absence rate jumped" in html
    assert "33.3% absent" in html  # Oak Hill
    school = page(w, "admin", f"/attendance/schools/{w.school.pk}/?date={DAY}")
    assert "Homeroom HR-A2" in school  # not submitted on the 30th
    assert "Homeroom HR-A1" not in school  # submitted (late)
    assert "Maths sc-a1" not in school  # scheduled classes are not expected
    assert "Expected by 09:30 (America/New_York)" in school
    csv = streamed(
        w.client("admin").get(f"/attendance/schools/{w.school.pk}/?date={DAY}&format=csv")
    )
    assert "Homeroom HR-A2" in csv
    export = streamed(w.client("admin").get(f"/attendance/?date={DAY}&format=csv"))
    assert "Oak Hill Elementary" in export and "33.3" in export


def test_the_supervisor_sees_their_schools_only(w: World) -> None:
    # A supervisor's schools: their network's and their caseload's (docs/decisions.md,
    # 2026-11-30); Sam is granted the North Cluster and supervises Oak Hill's principal.
    html = page(w, "supervisor", f"/attendance/?date={DAY}")
    assert "This morning in your schools" in html
    assert "Oak Hill Elementary" in html and "Pine Ridge Middle" not in html
    # Pine Ridge (another network, not on the caseload): not found.
    assert (
        w.client("supervisor").get(f"/attendance/schools/{w.other_school.pk}/").status_code == 404
    )
    # A supervisor with no caseload sees the attendance of the network they are granted.
    far = w.client("supervisor_far").get(f"/attendance/?date={DAY}")
    assert far.status_code == 200 and "Pine Ridge Middle" in far.content.decode()
    assert "Oak Hill Elementary" not in far.content.decode()


def test_a_school_seen_but_whose_attendance_is_not_reachable_is_forbidden(w: World) -> None:
    # Oak Hill's teacher leader sees the school's page, not its attendance.
    assert w.client("teacher").get(f"/attendance/schools/{w.school.pk}/").status_code == 403
    # A school of the supervisor's network outside their caseload is one of their schools.
    extra = school_create(actor=None, system=w.system, name="Elm Street", network=w.network)
    assert w.client("supervisor").get(f"/attendance/schools/{extra.pk}/").status_code == 200


def test_the_analyst_sees_suppressed_counts_and_no_total_gives_them_away(w: World) -> None:
    html = page(w, "analyst", f"/attendance/?date={DAY}")
    assert "fewer than 5" in html
    assert "33.3%" not in html and "42.9%" not in html  # rates of hidden counts
    # The system's 5 of 13 is withheld too: both schools' counts are hidden, but Oak Hill's
    # principal, who may list its absent students (2), would have Pine Ridge's 3 from it.
    assert "38.5%" not in html


def test_the_api_gives_the_report_under_the_viewers_rights(w: World) -> None:
    leader = w.client("leader").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    assert leader.status_code == 200
    body = leader.json()
    oak = body["schools"]["sch-a"]
    assert oak["absent"] is None and "absent" in oak["suppressed"]
    assert oak["enrolled"] == 6 and oak["on_time_rate_week_pct"] == 50.0
    # Withheld, as on the analyst's page: Oak Hill's principal knows its 2 (an insider).
    assert body["system"]["absent"] is None and "absent" in body["system"]["suppressed"]
    admin = w.client("admin").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    exact = admin.json()
    for key, figures in data.EXPECTED["schools"].items():
        assert {k: exact["schools"][key][k] for k in figures} == figures
        assert exact["schools"][key]["suppressed"] == []
    assert {k: exact["system"][k] for k in data.EXPECTED["system"]} == data.EXPECTED["system"]
    principal = w.client("principal").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    assert set(principal.json()["schools"]) == {"sch-a"}
    assert (
        w.client("leader_b")
        .get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
        .status_code
        == 404
    )


def test_home_panel_for_principals_and_supervisors(w: World) -> None:
    with time_machine.travel(datetime.datetime(2026, 9, 30, 12, 0), tick=False):
        for who in ("principal", "supervisor"):
            html = page(w, who, "/")
            assert "Attendance this morning" in html
            assert "See this morning&#x27;s attendance" in html or "See this morning's" in html
        # District roles have the system's morning (walk item 9, branch att3).
        assert "Attendance this morning in your system" in page(w, "leader", "/")
        assert "Attendance this morning" not in page(w, "teacher", "/")


def test_changing_the_deadline_recomputes_on_time(w: World) -> None:
    from tests.attendance.test_report import report

    attendance_settings_set(
        actor=None,
        system=w.system,
        time_zone="America/New_York",
        deadline=datetime.time(10, 30),
        chronic_min_days=10,
        chronic_percent=10,
        taken_by="homeroom",
    )
    got = report("riverbend")
    # hr-a1 30th at 09:31 and hr-a2 29th at 10:15 are now on time: 5 of 6.
    assert got["schools"]["sch-a"]["submissions_on_time_week"] == 5
    assert got["schools"]["sch-b"]["submissions_on_time_week"] == 3  # 10:00 on the 29th too


def test_the_settings_page_saves_through_the_service(w: World) -> None:
    client = w.client("admin")
    response = client.post(
        f"/attendance/settings/?system={w.system.pk}",
        {
            "time_zone": "Mars/Olympus",
            "deadline": "09:00",
            "chronic_min_days": "10",
            "chronic_percent": "10",
            "taken_by": "homeroom",
        },
    )
    assert response.status_code == 200 and "is not a time zone" in response.content.decode()


def _queries(world: World, who: str, url: str) -> int:
    client = world.client(who)
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_schools_and_days(w: World) -> None:
    urls = [
        ("leader", f"/attendance/?date={DAY}"),
        ("admin", f"/attendance/?date={DAY}&format=csv"),
        ("supervisor", f"/attendance/schools/{w.school.pk}/?date={DAY}"),
        ("leader", f"/api/v1/attendance/report?system=riverbend&date={DAY}"),
        ("principal", "/"),
    ]
    before = [_queries(w, who, url) for who, url in urls]
    # Forty more schools with a month of roll-ups each.
    more_schools(w, 40)
    assert School.objects.count() > 40
    after = [_queries(w, who, url) for who, url in urls]
    assert after == before


def test_before_the_first_import_the_page_opens_on_the_last_day_with_attendance(w: World) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 3, 12, 0), tick=False):  # a Saturday
        html = page(w, "principal", "/attendance/")
        assert "Wednesday, Sep 30, 2026" in html
        assert "the last day with attendance" in html
        home = page(w, "principal", "/")
        assert "Wednesday, Sep 30, 2026" in home
