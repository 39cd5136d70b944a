"""Issue 12, a browser walk's minor findings (branch attminor): an attendance row after today;
a principal's own school suppressed on the morning page; 404 (not 403) for a school outside the
viewer's scope and a network filter of another network; a family contact after the student
left the school; the calendar removal's figures; a principal's classes not submitted and who
needs a call on /attendance/; an import's problems in row order.

On the hand-computed month (data.py): Oak Hill is school A (sch-a), Pine Ridge school B."""

from __future__ import annotations

import csv
import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tests.attendance import data
from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import AttendanceEvent, DailySchoolAttendance, FamilyContact
from trellis.attendance.reading import MAX_LISTED, Problems
from trellis.attendance.services import family_contact_log
from trellis.imports.models import ImportRun
from trellis.students.models import Student

DAY = "2026-09-30"
D30 = datetime.date(2026, 9, 30)
# 08:30 in Riverbend (America/New_York, UTC-4 in September) on the 30th, and on the 29th.
MORNING_30 = datetime.datetime(2026, 9, 30, 12, 30, tzinfo=datetime.UTC)
MORNING_29 = datetime.datetime(2026, 9, 29, 12, 30, tzinfo=datetime.UTC)


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def _html(w: World, who: str, url: str) -> str:
    response = w.client(who).get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _csv(w: World, who: str, url: str) -> list[list[str]]:
    response = w.client(who).get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]


def _stored() -> tuple[int, int]:
    return AttendanceEvent.objects.count(), DailySchoolAttendance.objects.count()


# --- 1. An attendance row dated after today ----------------------------------------------------


def test_an_attendance_row_after_today_is_refused_by_row_and_nothing_is_written(
    w: World, tmp_path: Path
) -> None:
    """30 September is an instructional day of Oak Hill with a1 enrolled, but on the morning of
    the 29th it has not happened: the row is refused, naming it, and nothing is written (the
    29th's row in the same file included), from the command and from the upload page."""
    before = _stored()
    path = data.write(
        tmp_path,
        "ahead.csv",
        "student,school,date,category\n"
        "a5,sch-a,2026-09-29,Unexcused Absence\n"
        "a6,sch-a,2026-09-30,Unexcused Absence\n",
    )
    with time_machine.travel(MORNING_29, tick=False):
        with pytest.raises(CommandError) as caught:
            call_command("import_attendance", str(path), system="riverbend", stdout=io.StringIO())
        text = str(caught.value)
        assert "row 3 column date: 2026-09-30 is after today (2026-09-29)" in text
        assert "row 2" not in text and "nothing was written" in text
        assert _stored() == before
        response = w.client("admin").post(
            "/imports/new/",
            {
                "system": w.system.pk,
                "kind": "attendance",
                "attendance-mode": "negative",
                "file": SimpleUploadedFile("ahead.csv", path.read_bytes()),
            },
            follow=True,
        )
        assert response.status_code == 200
        run = ImportRun.objects.filter(kind="attendance").latest("pk")
        assert run.status == "rejected"
        assert [(e["row"], e["column"]) for e in run.errors] == [(3, "date")]
        assert "is after today" in run.errors[0]["reason"]
        assert "2026-09-30 is after today" in response.content.decode()
    assert _stored() == before
    # On the 30th itself the same file is taken.
    with time_machine.travel(MORNING_30, tick=False):
        call_command("import_attendance", str(path), system="riverbend", stdout=io.StringIO())
    assert AttendanceEvent.objects.filter(student__sourced_id="a6", date=D30).exists()


# --- 2. A principal's own school on the morning page ------------------------------------------


def test_a_principal_sees_the_exact_counts_of_the_school_whose_students_they_may_list(
    w: World,
) -> None:
    """Oak Hill's 2 absent of 6 were "fewer than 5" on the principal's morning page though the
    principal lists those students by name (attendance.students): shown exactly on the morning
    page, its export, the school's page and the home panel. The supervisor, who may not list
    them, still sees them withheld."""
    html = _text(_html(w, "principal", f"/attendance/?date={DAY}"))
    assert "fewer than 5" not in html
    assert "Absent on Sep 30 2" in html and "33.3%" in html
    rows = _csv(w, "principal", f"/attendance/?date={DAY}&format=csv")
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [("Oak Hill Elementary", "6", "2", "33.3")]
    school = _text(_html(w, "principal", f"/attendance/schools/{w.school.pk}/?date={DAY}"))
    assert "fewer than 5" not in school and "Absent on Sep 30 2" in school
    with time_machine.travel(MORNING_30, tick=False):
        home = _text(_html(w, "principal", "/"))
    assert "2 of 6 students absent" in home
    supervisor = _text(_html(w, "supervisor", f"/attendance/?date={DAY}"))
    assert "fewer than 5" in supervisor and "33.3%" not in supervisor


# --- 3. Outside scope is 404 -------------------------------------------------------------------


def test_a_school_outside_the_viewers_scope_is_not_found_even_without_the_action(
    w: World,
) -> None:
    """Pine Ridge is outside the supervisor's network and caseload, and outside Oak Hill's
    principal's and teacher leader's school: its worklist, student lists, contacts and
    calendar are "not found" (they were 403, which told them the school was one they might be
    refused). A school they see but may not open stays 403."""
    pine, oak = w.other_school.pk, w.school.pk
    pages = [
        "worklist/",
        "chronic/students/",
        "contacts/",
        "calendar/",
        f"calendar/remove/?start={DAY}",
        "",
        "chronic/",
    ]
    for who in ("supervisor", "principal", "teacher"):
        for tail in pages:
            url = f"/attendance/schools/{pine}/{tail}"
            assert w.client(who).get(url).status_code == 404, (who, url)
    a1 = Student.objects.get(system=w.system, sourced_id="a1")
    contact = {"contacted_on": DAY, "method": "call", "outcome": "reached"}
    assert (
        w.client("supervisor")
        .post(f"/attendance/schools/{pine}/students/{a1.pk}/contact/", contact)
        .status_code
        == 404
    )
    assert (
        w.client("principal")
        .post(f"/attendance/schools/{pine}/calendar/", {"change": "add", "start": "2026-10-01"})
        .status_code
        == 404
    )
    # In scope but not allowed: 403.
    for who, tail in (
        ("supervisor", "worklist/"),
        ("supervisor", "calendar/"),
        ("principal", "calendar/"),
        ("teacher", ""),
        ("leader", "worklist/"),
    ):
        url = f"/attendance/schools/{oak}/{tail}"
        assert w.client(who).get(url).status_code == 403, (who, url)
    assert not FamilyContact.objects.exists()


def test_a_network_filter_of_another_network_is_ignored_like_any_value_not_offered(
    w: World,
) -> None:
    """Oak Hill's principal asking `?network=` the South Cluster (Pine Ridge's) got an empty
    table under Oak Hill's figures ("No school among these filters"). A network not among the
    page's networks filters nothing, as the chronic page and the other filters do: the page is
    the principal's own, and nothing of the South Cluster shows."""
    for network in (w.other_network.pk, 999999):
        url = f"/attendance/?date={DAY}&network={network}"
        html = _html(w, "principal", url)
        assert "No school among these filters" not in html
        assert "Oak Hill Elementary" in html and "Pine Ridge Middle" not in html
        assert [r[0] for r in _csv(w, "principal", url + "&format=csv")] == ["Oak Hill Elementary"]
    # A network that is the viewer's still filters: the analyst's South Cluster is Pine Ridge.
    south = _csv(w, "analyst", f"/attendance/?date={DAY}&network={w.other_network.pk}&format=csv")
    assert [r[0] for r in south] == ["Pine Ridge Middle"]


# --- 4. A family contact after the student left ------------------------------------------------


def test_a_contact_after_the_student_left_is_still_taken(w: World) -> None:
    """t left Oak Hill on 15 September (the enrolment window's exit date): Oak Hill keeps t's
    absences on its call list, so a call made on the 30th is taken, by the service and the page
    (refusing it would leave the call impossible to log but by backdating; docs/decisions.md)."""
    t = Student.objects.get(system=w.system, sourced_id="t")
    with time_machine.travel(MORNING_30, tick=False):
        family_contact_log(
            actor=w.users["principal"],
            school=w.school,
            student=t,
            contacted_on=D30,
            method="call",
            outcome="reached",
        )
        page = w.client("principal").post(
            f"/attendance/schools/{w.school.pk}/students/{t.pk}/contact/",
            {"contacted_on": "2026-09-29", "method": "text", "outcome": "reached"},
        )
        assert page.status_code == 302
    assert FamilyContact.objects.filter(student=t, school=w.school).count() == 2


# --- 5. The calendar removal's figures ---------------------------------------------------------


def test_the_removal_says_the_same_figures_before_and_after(w: World) -> None:
    """Removing Oak Hill's 30 September: the confirmation counted 3 attendance records and 1
    class submission, the result "4 attendance record(s)". Both now say the same figures."""
    client = w.client("admin")
    url = f"/attendance/schools/{w.school.pk}/calendar/remove/?year=2026&start={DAY}&end={DAY}"
    asked = _text(_html(w, "admin", url))
    figures = "3 attendance records of 3 students and 1 class submission"
    assert figures in asked
    done = client.post(url, follow=True)
    said = _text(done.content.decode())
    assert f"Removed 1 instructional day; {figures} recorded on that day are kept" in said


# --- 6. A principal's classes not submitted and who needs a call on /attendance/ ----------------


def test_a_principal_at_8_30_sees_the_classes_not_submitted_and_who_needs_a_call(
    w: World,
) -> None:
    """The issue's "done when": at 8:30 the principal's /attendance/ names the classes that
    have not submitted (hr-a2; hr-a1 submitted, late) and how many students need a call, with
    the way to the worklist (a1's third absence was on the 30th)."""
    with time_machine.travel(MORNING_30, tick=False):
        html = _html(w, "principal", "/attendance/")
    text = _text(html)
    assert "Classes that have not submitted attendance" in text
    assert "Homeroom HR-A2" in text and "Homeroom HR-A1" not in text
    calls = len(selectors.worklist(w.school, D30))
    assert calls == 1
    assert "Who needs a call" in text and f"{calls} student at Oak Hill Elementary needs" in text
    assert f'href="/attendance/schools/{w.school.pk}/worklist/?date={DAY}"' in html
    # The supervisor (one school, no student records) sees the classes but no worklist.
    supervisor = _text(_html(w, "supervisor", f"/attendance/?date={DAY}"))
    assert "Homeroom HR-A2" in supervisor and "Who needs a call" not in supervisor
    # District roles, with many schools, have the schools' table instead.
    assert "Homeroom HR-A2" not in _text(_html(w, "admin", f"/attendance/?date={DAY}"))


# --- 7. An import's problems in row order ------------------------------------------------------


def test_an_imports_problems_are_listed_by_row(w: World, tmp_path: Path) -> None:
    """The checks run column by column (schools, students, dates, then each row), so the
    problems came out of row order: they are listed by row number."""
    path = data.write(
        tmp_path,
        "bad.csv",
        "student,school,date,category\n"
        "a1,sch-a,2026-09-29,Sick\n"  # 2 unknown category
        "a1,sch-z,2026-09-29,Tardy\n"  # 3 unknown school
        "zz,sch-a,2026-09-29,Tardy\n"  # 4 unknown student
        "a1,sch-a,2026-9-29,Tardy\n",  # 5 not a date
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_attendance", str(path), system="riverbend", stdout=io.StringIO())
    rows = [int(n) for n in re.findall(r"row (\d+) column", str(caught.value))]
    assert rows == [2, 3, 4, 5]
    run = ImportRun.objects.filter(kind="attendance").latest("pk")
    assert [e["row"] for e in run.errors] == [2, 3, 4, 5]


def test_the_problems_kept_are_the_first_rows_when_there_are_too_many() -> None:
    problems = Problems("big.csv")
    for row in range(MAX_LISTED + 50, 1, -1):
        problems.add(row, "date", f"row {row}")
    problems.add(None, "", "the whole file")
    listed: list[Any] = [p["row"] for p in problems.items]
    assert problems.count == MAX_LISTED + 50
    assert listed == [None, *range(2, MAX_LISTED + 1)]
