"""Issue 12, the second browser walk's defects: the usual rate stored per school-day (the
system page reads no four weeks of roll-up), a transfer counted once in a set of schools'
chronic figures, the contact-rate page's worklist column, the confirmation before removing
days with attendance, the home panel's worklist count, and one date format.

The hand-computed month of tests/attendance/data.py (Oak Hill = sch-a, Pine Ridge = sch-b):
t is at Oak Hill from 1 to 15 September and at Pine Ridge from the 16th, so on the 30th t counts
towards chronic absence at both schools (10 and 11 days), chronically absent at Oak Hill only.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.attendance import data
from tests.attendance.test_chronic_contacts import GRADES, log, regrade, set_n, student
from tests.attendance.test_report import report
from tests.attendance.world import add_alerts, add_attendance
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import (
    AttendanceEvent,
    CalendarDay,
    DailyChronicTransfer,
    DailySchoolAttendance,
    DailySchoolContacts,
)
from trellis.attendance.rollups import USUAL_WINDOW_DAYS, rollups_rebuild
from trellis.attendance.services import calendar_days_change
from trellis.core.models import AuditEvent
from trellis.orgs.services import school_create
from trellis.students.models import SchoolEnrolment, Student

DAY = "2026-09-30"
D30 = datetime.date(2026, 9, 30)


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    for grade, sids in GRADES.items():
        Student.objects.filter(system=world.system, sourced_id__in=sids).update(grade=grade)
    regrade(world)
    return world


# --- 1. The usual rate, stored ----------------------------------------------------------------


def old_usual(school_id: int, day: datetime.date) -> tuple[int, int]:
    """The computation the pages made before: the school's roll-up rows of the four weeks
    before the day, summed."""
    rows = DailySchoolAttendance.objects.filter(
        school_id=school_id,
        date__gte=day - datetime.timedelta(days=USUAL_WINDOW_DAYS),
        date__lt=day,
    )
    return sum(r.enrolled for r in rows), sum(r.absent for r in rows)


def new_school_without_history(w: World) -> Any:
    """A school whose first instructional day is the 30th, with one student enrolled from it."""
    school = school_create(actor=None, system=w.system, name="New Elementary", network=w.network)
    CalendarDay.objects.create(system=w.system, school=school, date=D30)
    pupil = Student.objects.create(system=w.system, school=school, sourced_id="n1")
    SchoolEnrolment.objects.create(
        system=w.system, student=pupil, school=school, entry_date=D30, source="sis"
    )
    rollups_rebuild(system_id=w.system.pk, start=D30, end=D30)
    return school


def school_closed_on_the_30th(w: World) -> Any:
    """A school with roll-ups from 1 to 29 September (300 enrolled, 12 to 18 absent) and no
    day on the 30th."""
    from trellis.attendance.rollups import usual_refresh

    school = school_create(actor=None, system=w.system, name="Closed Academy", network=w.network)
    days = [d for d in data.SEPTEMBER if d < D30]
    CalendarDay.objects.bulk_create(
        CalendarDay(system=w.system, school=school, date=d) for d in days
    )
    DailySchoolAttendance.objects.bulk_create(
        DailySchoolAttendance(
            system=w.system, school=school, date=d, enrolled=300, absent=12 + i % 7
        )
        for i, d in enumerate(days)
    )
    usual_refresh(school_ids=[school.pk], start=days[0], end=D30)
    return school


def test_the_stored_usual_figures_equal_the_old_computation(w: World) -> None:
    school = new_school_without_history(w)
    closed = school_closed_on_the_30th(w)
    rows = list(DailySchoolAttendance.objects.filter(system=w.system))
    assert len(rows) == 2 * len(data.SEPTEMBER) + 1 + len(data.SEPTEMBER) - 1
    for row in rows:
        assert (row.usual_enrolled, row.usual_absent) == old_usual(row.school_id, row.date), row
    # Oak Hill on the 30th: its days from 2 to 29 September; the new school has none.
    oak = DailySchoolAttendance.objects.get(school=w.school, date=D30)
    assert oak.usual_enrolled > 0 and oak.usual_absent == 5
    new = DailySchoolAttendance.objects.get(school=school, date=D30)
    assert (new.usual_enrolled, new.usual_absent) == (0, 0)
    # Every school's usual rate and the jumped schools as before, on every page's path: the
    # school page, home panel and API (`morning`) and the system page (`morning_page`); a school
    # without the day keeps its usual rate of the four weeks before.
    m = selectors.morning(w.users["admin"], D30)
    page = selectors.morning_page(w.users["admin"], D30)
    listed = page.rows(page.schools)
    assert len(m.rows) == len(listed) == 4
    for r in [*m.rows, *listed]:
        enrolled, absent = old_usual(r.school.pk, D30)
        assert r.usual_rate == selectors.pct(absent, enrolled), r.school.name
    assert [r.usual_rate for r in m.rows if r.school == school] == [None]
    assert [r.usual_rate for r in listed if r.school == closed] == [
        selectors.pct(*reversed(old_usual(closed.pk, D30)))
    ]
    expected = sorted(
        r.school.name
        for r in m.rows
        if selectors.absence_jumped(
            selectors.pct(r.f.absent, r.f.enrolled),
            selectors.pct(old_usual(r.school.pk, D30)[1], old_usual(r.school.pk, D30)[0]),
        )
    )
    assert sorted(r.school.name for r in page.jumped) == expected
    assert sorted(r.school.name for r in m.jumped) == expected
    assert "Oak Hill Elementary" in expected
    # The total's usual rate: of the schools with the day (those its rate today is of), the
    # same on both paths.
    open_today = [r.school.pk for r in m.rows if r.f.has_day]
    assert closed.pk not in open_today and len(open_today) == 3
    total_enrolled = sum(old_usual(pk, D30)[0] for pk in open_today)
    total_absent = sum(old_usual(pk, D30)[1] for pk in open_today)
    assert page.total.usual_rate == selectors.pct(total_absent, total_enrolled)
    assert m.total.usual_rate == page.total.usual_rate


def test_a_changed_day_moves_the_usual_figures_of_the_four_weeks_after_it(w: World) -> None:
    # One more absence at Oak Hill on the 10th, rolled up for that day only (as an import of
    # the 10th would): every later day whose four weeks hold the 10th follows.
    AttendanceEvent.objects.create(
        system=w.system,
        student=student(w, "a5"),
        school=w.school,
        date=datetime.date(2026, 9, 10),
        category="unexcused_absence",
    )
    before = DailySchoolAttendance.objects.get(school=w.school, date=D30).usual_absent
    rollups_rebuild(
        system_id=w.system.pk, start=datetime.date(2026, 9, 10), end=datetime.date(2026, 9, 10)
    )
    for row in DailySchoolAttendance.objects.filter(system=w.system):
        assert (row.usual_enrolled, row.usual_absent) == old_usual(row.school_id, row.date), row
    assert DailySchoolAttendance.objects.get(school=w.school, date=D30).usual_absent == before + 1


def test_the_system_page_reads_no_four_weeks_of_roll_up(w: World) -> None:
    """The pages read the day's rows (and the week's), not the window of the usual rate: the
    total and the jumped schools come from the day's rows alone."""
    since = (D30 - datetime.timedelta(days=USUAL_WINDOW_DAYS)).isoformat()
    for who, url in (
        ("leader", f"/attendance/?date={DAY}"),
        ("leader", f"/attendance/?date={DAY}&jumped=1&sort=absence_rate"),
        ("leader", f"/attendance/networks/{w.network.pk}/?date={DAY}"),
        ("principal", f"/attendance/schools/{w.school.pk}/?date={DAY}"),
    ):
        client = w.client(who)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        daily = DailySchoolAttendance._meta.db_table
        reading = [q["sql"] for q in captured.captured_queries if daily in q["sql"]]
        assert reading, url
        # The four weeks are asked for only where a school has no row on the day: beside each
        # listed school, after the stored figures (COALESCE), or for the schools without the
        # day (none here: id 0).
        window = [sql for sql in reading if since in sql]
        assert all(
            "COALESCE" in sql.upper() or re.search(r"school_id\"? IN \(0\)", sql) for sql in window
        ), (url, window)
        assert "usually" in response.content.decode() or "Usual rate" in response.content.decode()


# --- 2. A transfer counts once in a set of schools --------------------------------------------


def test_the_system_counts_a_transfer_once(w: World) -> None:
    # Each school counts t for its own days; the system counts t once (a1-a6, b1-b5, t: 12),
    # chronically absent (at Oak Hill): a1, t, b1.
    assert DailyChronicTransfer.objects.filter(date=D30).count() == 2
    got = report("riverbend")
    assert got["schools"]["sch-a"]["chronic_absence_rate_pct"] == 28.6  # 2 of 7
    assert got["schools"]["sch-b"]["chronic_absence_rate_pct"] == 16.7  # 1 of 6
    assert got["system"]["chronic_absent"] == 3
    assert got["system"]["chronic_absence_rate_pct"] == 25.0  # 3 of 12 (not 3 of 13)
    seen = selectors.chronic(w.users["admin"], D30)
    assert (seen.total.counted.shown, seen.total.chronic.shown, seen.total.rate) == (12, 3, 25.0)
    grades = {r.label: (r.counted.shown, r.chronic.shown) for r in seen.grades}
    assert grades["Grade 04"] == (4, 1)  # a4-a6 and t once
    assert [(p.row.counted.value, p.row.chronic.value) for p in seen.trend] == [(12, 3)]
    # The API's system objects (the report's and the chronic figures'), the page, and any set
    # of schools holding both (a network, a caseload) alike.
    # (As the administrator, who may open the students: no figure under 5 is hidden.)
    api = w.client("admin").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    assert api.json()["system"]["chronic_absence_rate_pct"] == 25.0
    api = w.client("admin").get(f"/api/v1/attendance/chronic?system=riverbend&date={DAY}")
    assert api.json()["system"]["chronic_absence_rate_pct"] == 25.0
    assert "25.0%" in w.client("admin").get(f"/attendance/chronic/?date={DAY}").content.decode()
    both = selectors.chronic(w.users["admin"], D30, group=("system", w.system.pk))
    assert (both.total.counted.value, both.total.chronic.value) == (12, 3)
    one = selectors.chronic(w.users["admin"], D30, group=("network", w.other_network.pk))
    assert (one.total.counted.value, one.total.chronic.value) == (6, 1)
    # Before t joined Pine Ridge nothing is counted twice.
    assert DailyChronicTransfer.objects.filter(date__lte=datetime.date(2026, 9, 15)).count() == 0


def test_a_transfer_chronically_absent_at_both_schools_counts_once(w: World) -> None:
    # t absent at Pine Ridge on the 17th and the 18th too: 3 of 11 there (27.3%), and 1 of 10
    # at Oak Hill: chronic at both, once in the system (a1, t, b1 of 12).
    for day in (17, 18):
        AttendanceEvent.objects.create(
            system=w.system,
            student=student(w, "t"),
            school=w.other_school,
            date=datetime.date(2026, 9, day),
            category="unexcused_absence",
        )
    rollups_rebuild(system_id=w.system.pk, start=data.SEPTEMBER[0], end=D30)
    got = report("riverbend")
    assert got["schools"]["sch-a"]["chronic_absent"] == 2
    assert got["schools"]["sch-b"]["chronic_absent"] == 2
    assert got["system"]["chronic_absent"] == 3
    assert got["system"]["chronic_absence_rate_pct"] == 25.0


# --- 3. The contact-rate page's worklist column -----------------------------------------------


def test_the_worklist_column_only_for_who_may_open_a_worklist(w: World) -> None:
    url = f"/attendance/contacts/?date={DAY}"
    for who in ("supervisor", "analyst", "leader"):
        html = w.client(who).get(url).content.decode()
        assert "Family contact rates" in html, who
        assert ">Worklist<" not in html and "/worklist/" not in html, who
        assert "Who needs a call" not in html, who
    admin = w.client("admin").get(url).content.decode()
    assert ">Worklist</th>" in admin and f"/attendance/schools/{w.school.pk}/worklist/" in admin


# --- 4. Removing days that have attendance asks first -----------------------------------------


def calendar_url(w: World) -> str:
    return f"/attendance/schools/{w.school.pk}/calendar/?year=2026"


def test_removing_days_with_attendance_asks_first_and_states_the_counts(w: World) -> None:
    client = w.client("admin")
    response = client.post(
        calendar_url(w), {"change": "remove", "start": "2026-09-29", "end": "2026-09-30"}
    )
    confirm = (
        f"/attendance/schools/{w.school.pk}/calendar/remove/"
        "?year=2026&start=2026-09-29&end=2026-09-30"
    )
    assert response.status_code == 302 and response["Location"] == confirm
    # Nothing removed yet.
    assert CalendarDay.objects.filter(school=w.school, date=D30).exists()
    assert not AuditEvent.objects.filter(action="attendance.calendar_remove").exists()
    html = client.get(confirm).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    # Oak Hill on the 29th and 30th: a1's and a4's absences and a3's tardy (3 records of 3
    # students), and hr-a1's two submissions and hr-a2's one.
    assert "Remove instructional days at Oak Hill Elementary?" in text
    assert "2 instructional days (Sep 29, 2026, Sep 30, 2026)" in text
    assert "3 attendance records of 3 students and 3 class submissions" in text
    response = client.post(confirm)
    assert response.status_code == 302
    assert response["Location"] == f"/attendance/schools/{w.school.pk}/calendar/?year=2026"
    assert not CalendarDay.objects.filter(school=w.school, date__gte=datetime.date(2026, 9, 29))
    event = AuditEvent.objects.get(action="attendance.calendar_remove")
    assert event.actor == w.users["admin"] and event.after is not None
    assert event.after["confirmed"] is True and event.after["records_kept"] == 6
    follow = client.get(response["Location"]).content.decode()
    # The result says the confirmation's figures (test_walk_minor.py).
    assert (
        "Removed 2 instructional days; 3 attendance records of 3 students and 3 class "
        "submissions recorded on those days are kept" in follow
    )


def test_the_service_refuses_an_unconfirmed_removal_of_recorded_days(w: World) -> None:
    with pytest.raises(ValidationError, match="confirm the removal"):
        calendar_days_change(
            actor=w.users["admin"],
            school=w.school,
            year_start=datetime.date(2026, 7, 1),
            start=D30,
            add=False,
        )
    assert CalendarDay.objects.filter(school=w.school, date=D30).exists()


def test_removing_days_without_attendance_needs_no_confirmation(w: World) -> None:
    CalendarDay.objects.create(system=w.system, school=w.school, date=datetime.date(2026, 10, 1))
    response = w.client("admin").post(calendar_url(w), {"change": "remove", "start": "2026-10-01"})
    assert response.status_code == 302 and "/remove/" not in response["Location"]
    assert not CalendarDay.objects.filter(school=w.school, date=datetime.date(2026, 10, 1))


# --- 5. The home panel's worklist count -------------------------------------------------------


def test_the_home_panel_counts_the_worklist(w: World) -> None:
    import time_machine

    set_n(w, 1)
    log(w, "a2", datetime.date(2026, 9, 20), follow_up=datetime.date(2026, 9, 28))
    # On the 30th at Oak Hill with N = 1: a1, a4 and t due a call (a2 contacted after their
    # last absence), and a2's follow-up is due: four students.
    listed = selectors.worklist(w.school, D30)
    assert sorted(e.student.sourced_id for e in listed) == ["a1", "a2", "a4", "t"]
    assert DailySchoolContacts.objects.get(school=w.school, date=D30).on_worklist == 4
    with time_machine.travel(datetime.datetime(2026, 9, 30, 16, 0), tick=False):
        client = w.client("principal")
        html = client.get("/").content.decode()
        assert (
            f'<a href="/attendance/schools/{w.school.pk}/worklist/?date={DAY}">Who needs a call'
            "</a> (4 students)" in html
        )
        client.get("/")
        with CaptureQueriesContext(connection) as before:
            client.get("/")
        # More contacts due: the same number of queries.
        log(w, "a1", datetime.date(2026, 9, 21), follow_up=datetime.date(2026, 9, 29))
        with CaptureQueriesContext(connection) as after:
            html = client.get("/").content.decode()
        assert len(after.captured_queries) == len(before.captured_queries)


def test_the_worklist_count_of_every_day_matches_the_worklist(w: World) -> None:
    set_n(w, 1)
    log(w, "a2", datetime.date(2026, 9, 20), follow_up=datetime.date(2026, 9, 24))
    log(w, "a1", datetime.date(2026, 9, 11), follow_up=datetime.date(2026, 9, 14))
    # The month rolled up at once (the sweep) and day by day (the daily queries) agree with
    # the worklist itself.
    rollups_rebuild(system_id=w.system.pk, start=data.SEPTEMBER[0], end=D30)
    swept = {(r.school_id, r.date): r.on_worklist for r in DailySchoolContacts.objects.all()}
    for day in data.SEPTEMBER:
        rollups_rebuild(system_id=w.system.pk, start=day, end=day)
    daily = {(r.school_id, r.date): r.on_worklist for r in DailySchoolContacts.objects.all()}
    assert swept == daily
    for school in (w.school, w.other_school):
        for day in data.SEPTEMBER:
            assert daily[(school.pk, day)] == len(selectors.worklist(school, day)), (school, day)


# --- 6. Dates ---------------------------------------------------------------------------------


def test_attendance_pages_write_dates_one_way(w: World) -> None:
    add_alerts(w)
    old = re.compile(
        r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|"
        r"October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    )
    for who, url, wanted in (
        ("leader", f"/attendance/?date={DAY}", "Wednesday, Sep 30, 2026"),
        ("principal", f"/attendance/schools/{w.school.pk}/?date={DAY}", "Wednesday, Sep 30, 2026"),
        ("admin", f"/attendance/chronic/?date={DAY}", "Wednesday, Sep 30, 2026"),
        ("admin", f"/attendance/contacts/?date={DAY}", "Wednesday, Sep 30, 2026"),
        ("principal", f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}", "Sep 30, 2026"),
        ("admin", calendar_url(w), "Jul 1, 2026"),
        ("principal", "/attendance/alerts/?status=all", "Sep 30, 2026"),
    ):
        html = w.client(who).get(url).content.decode()
        assert wanted in html, url
        assert not old.search(re.sub(r"<[^>]+>", " ", html)), (url, old.search(html))
