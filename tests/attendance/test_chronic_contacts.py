"""Chronic absence per school, grade and month, the chronically absent students, the
family-contact worklist, contacts and contact rates, on the hand-computed month (data.py).

Grades given here: a1-a3 grade 03; a4-a6 and t grade 04; b1-b5 and l grade 07. On 30 September:
- Oak Hill (A): a1-a6 (21 days) and t (10 days, 1 absent: exactly 10%) count: 7; chronic a1
  (3 of 21) and t. Grade 03: 3 count, 1 chronic; grade 04: a4-a6 and t, 4 count, 1 chronic.
- Pine Ridge (B): b1-b5 and t (11 days, 1 absent: 9.1%, not) count: 6; l (5 days) does not.
  Chronic b1 (3 of 21). Grade 07: 5 count, 1 chronic; grade 04: t, 1 count, 0 chronic.
- The system: grade 03 1 of 3 (33.3%); grade 04 1 of 4 (25.0%: t counts at each school, once
  in the system); grade 07 1 of 5 (20.0%); all 3 of 12 (25.0%).
Absences this year (the worklist): a1 on 2, 10 and 30; a2 on 3 and 17; a4 on 30; t on 9 at A and
on 30 at B; b1 on 4, 22 and 30; l on 30.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.attendance import data
from tests.attendance.world import add_attendance, extra_schools
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import AttendanceSettings, FamilyContact
from trellis.attendance.rollups import rollups_rebuild, settings_of
from trellis.attendance.services import attendance_settings_set, family_contact_log
from trellis.core.models import AuditEvent
from trellis.students.models import SchoolEnrolment, Student

DAY = "2026-09-30"
D30 = datetime.date(2026, 9, 30)
GRADES = {
    "03": ["a1", "a2", "a3"],
    "04": ["a4", "a5", "a6", "t"],
    "07": [*(f"b{i}" for i in range(1, 6)), "l"],
}


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    for grade, sids in GRADES.items():
        Student.objects.filter(system=world.system, sourced_id__in=sids).update(grade=grade)
    Student.objects.filter(system=world.system, sourced_id="a1").update(
        given_name="Ada", family_name="Abbott"
    )
    regrade(world)
    return world


def regrade(world: World) -> None:
    """The grade roll-up takes each student's roster grade when it is written: after changing
    grades by hand, the month is rolled up again (as the next import would)."""
    rollups_rebuild(system_id=world.system.pk, start=data.SEPTEMBER[0], end=data.SEPTEMBER[-1])


def student(w: World, sid: str) -> Student:
    return Student.objects.get(system=w.system, sourced_id=sid)


def page(w: World, who: str, url: str) -> str:
    response = w.client(who).get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.content.decode()


def streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def by_label(rows: list[selectors.ChronicRow]) -> dict[str, tuple[Any, Any, Any]]:
    return {r.label: (r.counted.shown, r.chronic.shown, r.rate) for r in rows}


def test_chronic_figures_per_school_and_grade_by_hand(w: World) -> None:
    seen = selectors.chronic(w.users["admin"], D30)
    assert by_label(seen.schools) == {
        "Oak Hill Elementary": (7, 2, 28.6),
        "Pine Ridge Middle": (6, 1, 16.7),
    }
    assert by_label(seen.grades) == {
        "Grade 03": (3, 1, 33.3),
        "Grade 04": (4, 1, 25.0),  # a4-a6 and t (at Oak Hill and at Pine Ridge: once)
        "Grade 07": (5, 1, 20.0),  # l (5 days) does not count
    }
    assert (seen.total.counted.shown, seen.total.chronic.shown, seen.total.rate) == (12, 3, 25.0)
    oak = selectors.chronic(w.users["admin"], D30, group=("school", w.school.pk))
    assert by_label(oak.grades) == {"Grade 03": (3, 1, 33.3), "Grade 04": (4, 1, 25.0)}
    pine = selectors.chronic(w.users["admin"], D30, group=("school", w.other_school.pk))
    assert by_label(pine.grades) == {"Grade 04": (1, 0, 0.0), "Grade 07": (5, 1, 20.0)}
    # The trend: one month of school so far, September to the 30th.
    assert [(p.month, p.as_of, p.row.counted.value, p.row.chronic.value) for p in seen.trend] == [
        (datetime.date(2026, 9, 1), D30, 12, 3)
    ]


def test_the_trend_reads_each_months_last_day_and_carries_it_forward(w: World) -> None:
    seen = selectors.chronic(w.users["admin"], datetime.date(2026, 10, 20))
    assert [
        (p.month.month, p.as_of, p.row.counted.value, p.row.chronic.value) for p in seen.trend
    ] == [
        (9, D30, 12, 3),
        (10, datetime.date(2026, 10, 20), 12, 3),  # no day imported since: as of the 30th
    ]
    # On the 15th (10 instructional days): at Oak Hill a1 2 of 10, a2 1 of 10 and t 1 of 10
    # are chronic (7 count); at Pine Ridge b1 1 of 10 (5 count; t not there yet).
    mid = selectors.chronic(w.users["admin"], datetime.date(2026, 9, 15))
    assert by_label(mid.schools) == {
        "Oak Hill Elementary": (7, 3, 42.9),
        "Pine Ridge Middle": (5, 1, 20.0),
    }
    assert by_label(mid.grades) == {
        "Grade 03": (3, 2, 66.7),
        "Grade 04": (4, 1, 25.0),
        "Grade 07": (5, 1, 20.0),
    }
    assert [(p.as_of, p.row.counted.value, p.row.chronic.value) for p in mid.trend] == [
        (datetime.date(2026, 9, 15), 12, 4)
    ]


def test_chronic_pages_follow_viewer_rights_and_suppression(w: World) -> None:
    admin = page(w, "admin", f"/attendance/chronic/?date={DAY}")
    assert "Chronic absence in your system" in admin
    assert "25.0%" in admin and "Grade 04" in admin and "<svg" in admin
    assert "Over the year" in admin and "September 2026" in admin
    analyst = page(w, "analyst", f"/attendance/chronic/?date={DAY}")
    # Chronic counts 2, 1 (and grade cells of 1) are under 5: not shown, nor their rates.
    assert "fewer than 5" in analyst and "28.6%" not in analyst and "16.7%" not in analyst
    assert "/chronic/students/" not in analyst  # no link to a list the analyst may not open
    # No count of chronically absent students (a 0 included) over a hidden number of students:
    # a grade of one student who is not chronically absent shows neither figure.
    Student.objects.filter(system=w.system, sourced_id="a5").update(grade="05")
    regrade(w)
    figures = selectors.chronic(w.users["analyst"], datetime.date(2026, 9, 30))
    rows = [*figures.schools, *figures.grades, figures.total, *(p.row for p in figures.trend)]
    fifth = next(r for r in figures.grades if r.label == "Grade 05")
    assert (fifth.counted.value, fifth.chronic.value) == (1, 0)
    assert all(r.chronic.suppressed for r in rows if r.counted.suppressed)
    Student.objects.filter(system=w.system, sourced_id="a5").update(grade="04")
    regrade(w)
    principal = page(w, "principal", f"/attendance/chronic/?date={DAY}")
    assert "Chronic absence at your school" in principal and "Pine Ridge" not in principal
    school = page(w, "principal", f"/attendance/schools/{w.school.pk}/chronic/?date={DAY}")
    assert "List the chronically absent students" in school and "25.0%" in school
    supervisor = page(w, "supervisor", f"/attendance/schools/{w.school.pk}/chronic/?date={DAY}")
    assert "List the chronically absent students" not in supervisor
    assert (
        w.client("supervisor").get(f"/attendance/schools/{w.other_school.pk}/chronic/").status_code
        == 404
    )
    assert w.client("teacher").get(f"/attendance/schools/{w.school.pk}/chronic/").status_code == 403
    export = streamed(w.client("analyst").get(f"/attendance/chronic/?date={DAY}&format=csv"))
    assert "fewer than 5" in export and "Grade 07" in export and "28.6" not in export


def test_the_student_list_and_every_read_of_it_is_audited(w: World) -> None:
    url = f"/attendance/schools/{w.school.pk}/chronic/students/?date={DAY}"
    before = AuditEvent.objects.filter(action="attendance.students_read").count()
    html = page(w, "principal", url)
    assert "Abbott, Ada" in html and 'text-body-secondary">t</span>' in html
    # 2 of 21: not chronic. The row's own id, not "a2" anywhere (a CSRF token may hold it).
    assert 'text-body-secondary">a1</span>' in html
    assert 'text-body-secondary">a2</span>' not in html
    assert "14.3%" in html and "10.0%" in html
    assert "none this year" in html
    export = streamed(w.client("principal").get(url + "&format=csv"))
    assert "Abbott, Ada" in export and ",21,3,14.3," in export
    graded = page(w, "principal", url + "&grade=04")
    assert "Abbott" not in graded and "10.0%" in graded
    events = list(
        AuditEvent.objects.filter(action="attendance.students_read").order_by("pk")[before:]
    )
    assert [(e.after or {}).get("list") for e in events] == ["chronically absent students"] * 3
    assert [((e.after or {})["format"], (e.after or {})["students"]) for e in events] == [
        ("page", 2),
        ("csv", 2),
        ("page", 1),
    ]
    assert all(e.actor == w.users["principal"] for e in events)
    # Not the supervisor (attendance, not students), not another school's principal.
    assert w.client("supervisor").get(url).status_code == 403
    assert w.client("leader").get(url).status_code == 403
    assert w.client("admin_b").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="attendance.students_read").count() == before + 3


def worklist_sids(w: World, day: datetime.date, school: Any = None) -> list[str]:
    return [e.student.sourced_id for e in selectors.worklist(school or w.school, day)]


def set_n(w: World, n: int) -> None:
    """N through the settings service (the contact roll-up follows it)."""
    own = settings_of(w.system.pk)
    attendance_settings_set(
        actor=None,
        system=w.system,
        time_zone=own.time_zone,
        deadline=own.deadline,
        chronic_min_days=own.chronic_min_days,
        chronic_percent=own.chronic_percent,
        taken_by=own.taken_by,
        contact_after_absences=n,
    )


def log(
    w: World,
    sid: str,
    day: datetime.date,
    follow_up: datetime.date | None = None,
    school: Any = None,
) -> FamilyContact:
    return family_contact_log(
        actor=w.users["principal"] if school is None else None,
        school=school or w.school,
        student=student(w, sid),
        contacted_on=day,
        method=FamilyContact.Method.CALL,
        outcome=FamilyContact.Outcome.LEFT_MESSAGE,
        follow_up_on=follow_up,
    )


def test_worklist_rule_edges(w: World) -> None:
    # N = 3 (the default): a1 reaches 3 absences on the 30th; before that nobody.
    assert worklist_sids(w, datetime.date(2026, 9, 29)) == []
    assert worklist_sids(w, D30) == ["a1"]
    assert worklist_sids(w, D30, w.other_school) == ["b1"]  # t and l: 1 absence each
    # A contact before the third absence does not count; one on the day does.
    log(w, "a1", datetime.date(2026, 9, 29))
    assert worklist_sids(w, D30) == ["a1"]
    log(w, "a1", D30, follow_up=datetime.date(2026, 10, 2))
    assert worklist_sids(w, D30) == []
    # The follow-up brings a1 back on its day (and after), then a contact clears it.
    assert worklist_sids(w, datetime.date(2026, 10, 1)) == []
    entries = selectors.worklist(w.school, datetime.date(2026, 10, 2))
    assert [(e.student.sourced_id, e.follow_up, e.state.needs_call) for e in entries] == [
        ("a1", True, False)
    ]
    log(w, "a1", datetime.date(2026, 10, 2))
    assert worklist_sids(w, datetime.date(2026, 10, 5)) == []


def test_worklist_counts_from_the_latest_multiple_of_n(w: World) -> None:
    set_n(w, 2)
    # a1: 2nd absence on the 10th; a2: 2nd on the 17th; a1 is due again only at 4 absences.
    assert sorted(worklist_sids(w, D30)) == ["a1", "a2"]
    log(w, "a1", datetime.date(2026, 9, 12))
    assert worklist_sids(w, D30) == ["a2"]
    set_n(w, 1)
    # Every absence: a1's latest (the 30th) is after the contact of the 12th.
    assert sorted(worklist_sids(w, D30)) == ["a1", "a2", "a4", "t"]


def test_contact_rates_per_school_and_suppression(w: World) -> None:
    set_n(w, 1)
    log(w, "a4", D30)
    log(w, "a2", datetime.date(2026, 9, 20))  # after a2's latest absence (17th)
    rows, total = selectors.contact_rates(w.users["admin"], D30)
    got = {r.school.name: (r.eligible.shown, r.contacted.shown, r.rate) for r in rows if r.school}
    # Oak Hill: a1, a2, a4, t absent at least once; a2 and a4 contacted since. Pine Ridge: b1, t, l.
    assert got == {"Oak Hill Elementary": (4, 2, 50.0), "Pine Ridge Middle": (3, 0, 0.0)}
    assert (total.eligible.shown, total.contacted.shown, total.rate) == (7, 2, 28.6)
    analyst = page(w, "analyst", f"/attendance/contacts/?date={DAY}")
    assert "fewer than 5" in analyst and "50.0%" not in analyst
    export = streamed(w.client("analyst").get(f"/attendance/contacts/?date={DAY}&format=csv"))
    assert "50.0" not in export and "fewer than 5" in export
    admin = page(w, "admin", f"/attendance/contacts/?date={DAY}")
    assert "50.0%" in admin and "28.6%" in admin and "Who needs a call" in admin


def test_logging_a_contact_through_the_page(w: World) -> None:
    client = w.client("principal")
    a1 = student(w, "a1")
    url = f"/attendance/schools/{w.school.pk}/students/{a1.pk}/contact/?date={DAY}"
    assert "Log a family contact: Abbott, Ada" in page(w, "principal", url)
    # The form names the student: its read is audited like the lists'.
    read = AuditEvent.objects.filter(action="attendance.students_read").latest("pk")
    assert read.actor == w.users["principal"]
    assert (read.after or {}).get("list") == "family contact form"
    bad = client.post(
        url,
        {"contacted_on": DAY, "method": "call", "outcome": "reached", "follow_up_on": "2026-09-01"},
    )
    assert bad.status_code == 200 and "cannot be before the contact" in bad.content.decode()
    future = client.post(
        url, {"contacted_on": "2099-01-05", "method": "call", "outcome": "reached"}
    )
    assert future.status_code == 200 and "the date is in the future" in future.content.decode()
    assert not FamilyContact.objects.exists()
    response = client.post(
        url,
        {"contacted_on": DAY, "method": "call", "outcome": "reached", "note": "Mother: flu"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}"
    contact = FamilyContact.objects.get()
    assert (contact.student, contact.school, contact.logged_by) == (
        a1,
        w.school,
        w.users["principal"],
    )
    assert AuditEvent.objects.filter(
        action="attendance.family_contact_log", object_id=str(contact.pk)
    ).exists()
    assert "Nobody needs a call" in page(
        w, "principal", f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}"
    )
    history = page(w, "principal", f"/attendance/schools/{w.school.pk}/contacts/")
    assert "Mother: flu" in history and "Reached the family" in history


def test_a_contact_for_a_student_outside_the_school_is_not_found(w: World) -> None:
    b1 = student(w, "b1")
    client = w.client("principal")
    data_ = {"contacted_on": DAY, "method": "call", "outcome": "reached"}
    # b1 is Pine Ridge's: not a student of Oak Hill.
    assert (
        client.post(
            f"/attendance/schools/{w.school.pk}/students/{b1.pk}/contact/", data_
        ).status_code
        == 404
    )
    # Pine Ridge itself is outside the principal's reach.
    assert (
        client.post(
            f"/attendance/schools/{w.other_school.pk}/students/{b1.pk}/contact/", data_
        ).status_code
        == 404
    )
    # The API likewise.
    api = client.post(
        "/api/v1/attendance/contacts",
        {
            "system": "riverbend",
            "school": "sch-a",
            "student": "b1",
            "contacted_on": DAY,
            "method": "call",
            "outcome": "reached",
        },
        content_type="application/json",
    )
    assert api.status_code == 404
    assert not FamilyContact.objects.exists()
    # t transferred from Oak Hill: still Oak Hill's to call about its absences.
    t = student(w, "t")
    assert (
        client.post(
            f"/attendance/schools/{w.school.pk}/students/{t.pk}/contact/", data_
        ).status_code
        == 302
    )


def test_the_api_chronic_figures_and_contacts(w: World) -> None:
    admin = w.client("admin").get(f"/api/v1/attendance/chronic?system=riverbend&date={DAY}").json()
    assert admin["schools"]["sch-a"]["chronic_absence_rate_pct"] == 28.6
    assert admin["grades"]["04"] == {
        "chronic_counted": 4,  # a4-a6 and t (once, though t counts at both schools)
        "chronic_absent": 1,
        "chronic_absence_rate_pct": 25.0,
        "suppressed": [],
    }
    assert admin["system"]["chronic_absent"] == 3 and admin["trend"][0]["month"] == "2026-09"
    leader = (
        w.client("leader").get(f"/api/v1/attendance/chronic?system=riverbend&date={DAY}").json()
    )
    assert leader["schools"]["sch-a"]["chronic_absent"] is None
    assert "chronic_absent" in leader["schools"]["sch-a"]["suppressed"]
    client = w.client("principal")
    created = client.post(
        "/api/v1/attendance/contacts",
        {
            "system": "riverbend",
            "school": "sch-a",
            "student": "a1",
            "contacted_on": DAY,
            "method": "text",
            "outcome": "no_answer",
            "follow_up_on": "2026-10-01",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["student"] == "a1"
    before = AuditEvent.objects.filter(action="attendance.students_read").count()
    listed = client.get("/api/v1/attendance/contacts?system=riverbend&school=sch-a")
    assert listed.status_code == 200
    assert [c["method"] for c in listed.json()["items"]] == ["text"]
    assert AuditEvent.objects.filter(action="attendance.students_read").count() == before + 1
    assert (
        w.client("supervisor")
        .get("/api/v1/attendance/contacts?system=riverbend&school=sch-a")
        .status_code
        == 403
    )
    assert (
        w.client("admin_b")
        .get("/api/v1/attendance/contacts?system=riverbend&school=sch-a")
        .status_code
        == 404
    )


def _queries(w: World, who: str, url: str) -> int:
    client = w.client(who)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_of_the_new_pages_do_not_grow_with_data(w: World) -> None:
    urls = [
        ("admin", f"/attendance/chronic/?date={DAY}"),
        ("analyst", f"/attendance/chronic/?date={DAY}&format=csv"),
        ("principal", f"/attendance/schools/{w.school.pk}/chronic/?date={DAY}"),
        ("principal", f"/attendance/schools/{w.school.pk}/chronic/students/?date={DAY}"),
        ("principal", f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}"),
        ("principal", f"/attendance/schools/{w.school.pk}/contacts/"),
        ("admin", f"/attendance/contacts/?date={DAY}"),
        ("leader", f"/api/v1/attendance/chronic?system=riverbend&date={DAY}"),
        ("principal", "/"),
    ]
    log(w, "a1", datetime.date(2026, 9, 12))
    before = [_queries(w, who, url) for who, url in urls]
    # Forty more schools with a month of roll-ups, and thirty more students at Oak Hill, each
    # absent four times and contacted once.
    from trellis.attendance.models import AttendanceEvent

    extra_schools(w, 40)
    extra = Student.objects.bulk_create(
        Student(
            system=w.system,
            school=w.school,
            sourced_id=f"x{i}",
            grade="05",
            family_name=f"Extra{i}",
        )
        for i in range(30)
    )
    SchoolEnrolment.objects.bulk_create(
        SchoolEnrolment(
            system=w.system,
            student=s,
            school=w.school,
            entry_date=datetime.date(2026, 9, 1),
            source="sis",
        )
        for s in extra
    )
    AttendanceEvent.objects.bulk_create(
        AttendanceEvent(
            system=w.system, student=s, school=w.school, date=d, category="unexcused_absence"
        )
        for s in extra
        for d in data.SEPTEMBER[:4]
    )
    FamilyContact.objects.bulk_create(
        FamilyContact(
            system=w.system,
            school=w.school,
            student=s,
            contacted_on=D30,
            method="call",
            outcome="reached",
        )
        for s in extra[:10]
    )
    after = [_queries(w, who, url) for who, url in urls]
    assert after == before


def test_the_school_page_and_home_panel_lead_to_the_worklist_and_chronic_page(w: World) -> None:
    import time_machine

    school = page(w, "principal", f"/attendance/schools/{w.school.pk}/?date={DAY}")
    assert f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}" in school
    assert f"/attendance/schools/{w.school.pk}/chronic/?date={DAY}" in school
    supervisor = page(w, "supervisor", f"/attendance/schools/{w.school.pk}/?date={DAY}")
    assert "/worklist/" not in supervisor and "/chronic/" in supervisor
    with time_machine.travel(datetime.datetime(2026, 9, 30, 12, 0), tick=False):
        home = page(w, "principal", "/")
        assert f"/attendance/schools/{w.school.pk}/worklist/" in home and "Who needs a call" in home
        assert "/worklist/" not in page(w, "supervisor", "/")
    morning = page(w, "leader", f"/attendance/?date={DAY}")
    assert "/attendance/chronic/" in morning and "/attendance/contacts/" in morning


def test_the_contact_threshold_is_a_system_setting(w: World) -> None:
    client = w.client("admin")
    settings_data = {
        "time_zone": "America/New_York",
        "deadline": "09:30",
        "chronic_min_days": "10",
        "chronic_percent": "10",
        "taken_by": "homeroom",
    }
    bad = client.post(
        f"/attendance/settings/?system={w.system.pk}",
        {**settings_data, "contact_after_absences": "0"},
    )
    assert bad.status_code == 200
    ok = client.post(
        f"/attendance/settings/?system={w.system.pk}",
        {**settings_data, "contact_after_absences": "2"},
    )
    assert ok.status_code == 302
    assert AttendanceSettings.objects.get(system=w.system).contact_after_absences == 2
    assert sorted(worklist_sids(w, D30)) == ["a1", "a2"]
    # Left empty, it stays.
    assert (
        client.post(f"/attendance/settings/?system={w.system.pk}", settings_data).status_code == 302
    )
    assert AttendanceSettings.objects.get(system=w.system).contact_after_absences == 2
