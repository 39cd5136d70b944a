"""The attendance pages' remaining gaps (issue 12): the system page reads only its page of
schools; chronic absence per grade and contact rates come from roll-ups; the alerts' API; and
the browser walk's findings (the worklist's "Why" and "Last contact", the contact form's date,
the grade filter, who logged a contact)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.attendance import data
from tests.attendance.world import add_alerts, add_attendance, more_schools, principal_alert
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import (
    AttendanceAlert,
    DailyGradeChronic,
    DailySchoolAttendance,
    DailySchoolContacts,
    FamilyContact,
)
from trellis.attendance.rollups import rollups_rebuild
from trellis.attendance.services import family_contact_log
from trellis.core.models import AuditEvent
from trellis.orgs.models import School
from trellis.students.models import Student

DAY = "2026-09-30"
D30 = datetime.date(2026, 9, 30)
EVENTS = "attendance_attendanceevent"


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def page(w: World, who: str, url: str) -> str:
    response = w.client(who).get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.content.decode()


def _queries(w: World, who: str, url: str) -> list[str]:
    client = w.client(who)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


# --- 1. The system's morning page, a page of schools at a time ---------------------------------


def test_the_system_page_works_out_only_its_page_of_schools(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    more_schools(w, 60)
    url = f"/attendance/?date={DAY}"
    before = len(_queries(w, "analyst", url))

    def every_school(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the page worked out every school's figures")

    monkeypatch.setattr(selectors, "figures", every_school)
    monkeypatch.setattr(selectors, "morning", every_school)
    html = page(w, "analyst", url)
    assert "Page 1 of 2" in html and "This morning in your system" in html
    # Oak Hill's and Pine Ridge's counts (on the second page) are small: hidden.
    assert "fewer than 5" in page(w, "analyst", url + "&page=2")
    more_schools(w, 60)
    assert len(_queries(w, "analyst", url)) == before
    assert "Page 1 of 3" in page(w, "analyst", url)
    # The export still holds every school (and the same suppression).
    export = b"".join(w.client("analyst").get(url + "&format=csv").streaming_content).decode()
    assert export.count("Extra ") == 120 and "fewer than 5" in export


def test_the_page_of_schools_has_the_figures_and_suppression_of_every_school(w: World) -> None:
    more_schools(w, 12)
    # A school of four students (one absent) among the extra ones: its enrolment is hidden
    # (primary suppression) and, to protect it, the next smallest enrolment, Oak Hill's 6
    # (complementary), though the analyst's page never reads most schools' figures.
    small = School.objects.get(name="Extra 3")
    DailySchoolAttendance.objects.filter(school=small, date=D30).update(enrolled=4, absent=1)
    for who in ("analyst", "admin", "principal", "supervisor"):
        full = selectors.morning(w.users[who], D30)
        paged = selectors.morning_page(w.users[who], D30)
        rows = paged.rows(paged.schools)
        assert [r.school.pk for r in rows] == [r.school.pk for r in full.rows]
        for mine, theirs in zip(rows, full.rows, strict=True):
            assert (str(mine.enrolled), str(mine.absent)) == (
                str(theirs.enrolled),
                str(theirs.absent),
            ), (who, mine.school.name)
            assert (mine.absence_rate, mine.usual_rate, mine.jumped, mine.on_time_rate) == (
                theirs.absence_rate,
                theirs.usual_rate,
                theirs.jumped,
                theirs.on_time_rate,
            )
            assert mine.f.not_submitted == theirs.f.not_submitted
        assert (str(paged.total.enrolled), str(paged.total.absent)) == (
            str(full.total.enrolled),
            str(full.total.absent),
        )
        assert paged.total.absence_rate == full.total.absence_rate
        assert [r.school.pk for r in paged.jumped] == [r.school.pk for r in full.jumped]
    analyst = selectors.morning_page(w.users["analyst"], D30)
    enrolled = {r.school.name: str(r.enrolled) for r in analyst.rows(analyst.schools)}
    assert enrolled["Extra 3"] == "fewer than 5"
    assert enrolled["Oak Hill Elementary"] == "not shown"
    # And a third of the network's, Pine Ridge's 7: Oak Hill's principal, who knows its 6,
    # would otherwise have Extra 3's 4 from the network's total.
    assert enrolled["Pine Ridge Middle"] == "not shown" and enrolled["Extra 4"] == "300"


def _table(html: str) -> str:
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_sorting_and_filtering_by_a_figure_happen_over_every_school(w: World) -> None:
    more_schools(w, 60)
    # Extra 59 jumps: 90 of 300 absent against its usual 20-odd; Extra 58 has ten classes
    # not submitted.
    DailySchoolAttendance.objects.filter(school__name="Extra 59", date=D30).update(absent=90)
    DailySchoolAttendance.objects.filter(school__name="Extra 58", date=D30).update(
        expected_submissions=12, submitted=2
    )
    # Highest rate first, over all 62 schools (the first page holds 50): Pine Ridge 42.9%,
    # Oak Hill 33.3%, Extra 59 30.0%; the extra schools' 6.7% (Extra 0) is on the second page.
    rows = _table(page(w, "admin", f"/attendance/?date={DAY}&sort=absence_rate"))
    assert (
        rows.index("Pine Ridge Middle</a>")
        < rows.index("Oak Hill Elementary</a>")
        < rows.index("Extra 59</a>")
    )
    assert "Extra 0</a>" not in rows
    assert "Extra 0</a>" in _table(
        page(w, "admin", f"/attendance/?date={DAY}&sort=absence_rate&page=2")
    )
    busy = _table(page(w, "admin", f"/attendance/?date={DAY}&sort=not_submitted"))
    assert busy.index("Extra 58</a>") < busy.index("Oak Hill Elementary</a>")
    jumped = page(w, "admin", f"/attendance/?date={DAY}&jumped=1")
    assert "Extra 59</a>" in _table(jumped) and "Extra 1</a>" not in _table(jumped)
    # The filter names exactly the schools the jumped rule (absence_jumped) names.
    paged = selectors.morning_page(w.users["admin"], D30, jumped=True)
    assert {s.name for s in paged.schools} == {
        r.school.name for r in selectors.morning(w.users["admin"], D30).jumped
    }
    assert "Extra 59" in {s.name for s in paged.schools}


# --- 2. Per-grade chronic absence and contact rates from roll-ups ------------------------------


def test_grade_and_contact_rollups_are_written_with_the_import(w: World) -> None:
    grades = {"03": ["a1", "a2", "a3"], "04": ["a4", "a5", "a6", "t"], "07": ["b1", "b2"]}
    for grade, sids in grades.items():
        Student.objects.filter(system=w.system, sourced_id__in=sids).update(grade=grade)
    rollups_rebuild(system_id=w.system.pk, start=data.SEPTEMBER[0], end=D30)
    got = {
        (r.school_id, r.grade): (r.chronic_counted, r.chronic_absent)
        for r in DailyGradeChronic.objects.filter(date=D30)
    }
    # Oak Hill: grade 03 a1-a3 (a1 chronic), grade 04 a4-a6 and t (t chronic); Pine Ridge:
    # b1 and b2 in grade 07 (b1 chronic), b3-b5 ungraded, t (04); l does not count.
    assert got == {
        (w.school.pk, "03"): (3, 1),
        (w.school.pk, "04"): (4, 1),
        (w.other_school.pk, "07"): (2, 1),
        (w.other_school.pk, ""): (3, 0),
        (w.other_school.pk, "04"): (1, 0),
    }
    # Grades add up to the school's roll-up, every day.
    for row in DailySchoolAttendance.objects.filter(system=w.system):
        mine = DailyGradeChronic.objects.filter(school_id=row.school_id, date=row.date)
        assert sum(g.chronic_counted for g in mine) == row.chronic_counted
        assert sum(g.chronic_absent for g in mine) == row.chronic_absent
    # Contacts: N = 3, a1 (Oak Hill) and b1 (Pine Ridge) due on the 30th, nobody contacted.
    contacts = {
        r.school_id: (r.eligible, r.contacted) for r in DailySchoolContacts.objects.filter(date=D30)
    }
    assert contacts == {w.school.pk: (1, 0), w.other_school.pk: (1, 0)}
    # Every rolled-up school-day has its contact row.
    assert DailySchoolContacts.objects.count() == DailySchoolAttendance.objects.count()


def test_logging_a_contact_updates_the_contact_rollup_in_its_transaction(w: World) -> None:
    family_contact_log(
        actor=w.users["principal"],
        school=w.school,
        student=Student.objects.get(system=w.system, sourced_id="a1"),
        contacted_on=D30,
        method=FamilyContact.Method.CALL,
        outcome=FamilyContact.Outcome.REACHED,
    )
    assert DailySchoolContacts.objects.get(school=w.school, date=D30).contacted == 1
    rows, _total = selectors.contact_rates(w.users["admin"], D30)
    assert {r.school.name: r.contacted.value for r in rows if r.school} == {
        "Oak Hill Elementary": 1,
        "Pine Ridge Middle": 0,
    }


def test_the_chronic_and_contact_rate_pages_read_no_attendance_events(w: World) -> None:
    for who, url in (
        ("admin", f"/attendance/chronic/?date={DAY}"),
        ("analyst", f"/attendance/chronic/?date={DAY}&format=csv"),
        ("supervisor", f"/attendance/schools/{w.school.pk}/chronic/?date={DAY}"),
        ("admin", f"/attendance/contacts/?date={DAY}"),
        ("leader", f"/api/v1/attendance/chronic?system=riverbend&date={DAY}"),
    ):
        read = [sql for sql in _queries(w, who, url) if EVENTS in sql]
        assert not read, (url, read)
    # The figures themselves: a weekend shows each school's last instructional day's.
    saturday = selectors.chronic(w.users["admin"], datetime.date(2026, 10, 3))
    # t counts at each school and once in the system (and in their grade).
    assert (saturday.total.counted.value, saturday.total.chronic.value) == (12, 3)
    assert sum(g.counted.value for g in saturday.grades) == 12


# --- 3. The alerts' API ------------------------------------------------------------------------


def test_the_api_lists_ones_own_alerts_and_acknowledges_them(w: World) -> None:
    add_alerts(w)
    client = w.client("principal")
    listed = client.get("/api/v1/attendance/alerts")
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item["school"] == "sch-a" and item["kind"] == "not_submitted"
    assert "2 classes had not submitted" in item["summary"] and item["acknowledged_at"] is None
    # Filters as the page: kind, search, dates, status.
    assert client.get("/api/v1/attendance/alerts?kind=absence_spike").json()["items"] == []
    assert client.get("/api/v1/attendance/alerts?q=pine").json()["items"] == []
    assert client.get("/api/v1/attendance/alerts?date_from=2026-10-01").json()["items"] == []
    assert len(client.get("/api/v1/attendance/alerts?date_to=2026-09-30").json()["items"]) == 1
    # Someone else's alert is not found, and nothing changes.
    pk = principal_alert(w)
    url = f"/api/v1/attendance/alerts/{pk}/acknowledge"
    assert w.client("supervisor").post(url).status_code == 404
    assert AttendanceAlert.objects.get(pk=pk).acknowledged_at is None
    done = client.post(url)
    assert done.status_code == 200 and done.json()["acknowledged_at"] is not None
    assert (
        AuditEvent.objects.filter(action="attendance.alert_acknowledge", object_id=str(pk)).count()
        == 1
    )
    # Again: nothing changes (the page's service).
    assert client.post(url).status_code == 200
    assert AuditEvent.objects.filter(action="attendance.alert_acknowledge").count() == 1
    assert client.get("/api/v1/attendance/alerts").json()["items"] == []
    assert len(client.get("/api/v1/attendance/alerts?status=acknowledged").json()["items"]) == 1


# --- 4. The browser walk's findings ------------------------------------------------------------


def test_the_worklists_why_and_last_contact_come_from_one_computation(w: World) -> None:
    url = f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}"
    html = page(w, "principal", url)
    assert "3rd absence on Sep 30, 2026; no contact this school year" in html
    assert "none this school year" in html
    family_contact_log(
        actor=w.users["principal"],
        school=w.school,
        student=Student.objects.get(system=w.system, sourced_id="a1"),
        contacted_on=datetime.date(2026, 9, 29),
        method=FamilyContact.Method.CALL,
        outcome=FamilyContact.Outcome.NO_ANSWER,
    )
    (entry,) = selectors.worklist(w.school, D30)
    assert entry.last_contact == datetime.date(2026, 9, 29)
    assert entry.reason == "3rd absence on Sep 30, 2026; last contact Sep 29, 2026, before it"
    html = page(w, "principal", url)
    assert "last contact Sep 29, 2026, before it" in html and "Sep 29, 2026</td>" in html
    export = b"".join(w.client("principal").get(url + "&format=csv").streaming_content).decode()
    assert "2026-09-29" in export and "last contact Sep 29, 2026, before it" in export


def test_the_contact_form_is_dated_today_in_the_systems_time_zone(w: World) -> None:
    a1 = Student.objects.get(system=w.system, sourced_id="a1")
    url = f"/attendance/schools/{w.school.pk}/students/{a1.pk}/contact/?date=2026-09-28"
    # 03:00 UTC on 1 October is 23:00 on 30 September in New York (the system's zone).
    with time_machine.travel(datetime.datetime(2026, 10, 1, 3, 0, tzinfo=datetime.UTC)):
        html = page(w, "principal", url)
    assert 'value="2026-09-30"' in html and 'value="2026-09-28"' not in html
    # The way back is still the worklist of the day it came from.
    assert f"/attendance/schools/{w.school.pk}/worklist/?date=2026-09-28" in html


def test_the_grade_filter_lists_the_schools_grades(w: World) -> None:
    Student.objects.filter(system=w.system, sourced_id__in=["a1", "a2"]).update(grade="03")
    Student.objects.filter(system=w.system, sourced_id__in=["a4", "t"]).update(grade="04")
    Student.objects.filter(system=w.system, sourced_id="b1").update(grade="07")
    for path in ("worklist", "chronic/students"):
        html = page(w, "principal", f"/attendance/schools/{w.school.pk}/{path}/?date={DAY}")
        options = html[
            html.index('id="f-grade"') : html.index("</select>", html.index('id="f-grade"'))
        ]
        assert '<option value="03"' in options and '<option value="04"' in options
        assert '<option value="07"' not in options and '<option value="KG"' not in options


def test_logged_by_shows_the_persons_name(w: World) -> None:
    family_contact_log(
        actor=w.users["principal"],
        school=w.school,
        student=Student.objects.get(system=w.system, sourced_id="a1"),
        contacted_on=D30,
        method=FamilyContact.Method.CALL,
        outcome=FamilyContact.Outcome.REACHED,
    )
    url = f"/attendance/schools/{w.school.pk}/contacts/"
    html = _table(page(w, "principal", url))
    assert "Paula Prince" in html and "principal@riverbend.test" not in html
    export = b"".join(w.client("principal").get(url + "?format=csv").streaming_content).decode()
    assert "Paula Prince" in export and "principal@riverbend.test" not in export
