"""The attendance imports through the one pipeline: errors by row (nothing written), the same
file twice, a day re-imported, positive files, the system's own category words, and the upload
page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.attendance import data
from tests.attendance.test_report import report
from trellis.attendance.models import (
    AttendanceEvent,
    AttendanceSubmission,
    CalendarDay,
    Category,
    DailySchoolAttendance,
)
from trellis.attendance.services import category_mapping_set
from trellis.imports.models import ImportRun
from trellis.students.models import SchoolEnrolment


def run(command: str, path: Path, code: str = "hand", **options: Any) -> str:
    out = io.StringIO()
    call_command(command, str(path), system=code, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def hand(db: Any, tmp_path: Path) -> Any:
    system, _a, _b = data.make_system()
    data.import_all(tmp_path)
    return system


def counts() -> dict[str, int]:
    return {
        "events": AttendanceEvent.objects.count(),
        "days": CalendarDay.objects.count(),
        "submissions": AttendanceSubmission.objects.count(),
        "rollups": DailySchoolAttendance.objects.count(),
        "windows": SchoolEnrolment.objects.filter(source="sis").count(),
    }


def test_bad_attendance_rows_are_each_named_and_nothing_is_written(
    hand: Any, tmp_path: Path
) -> None:
    from tests.attendance.data import make_system

    other, _x, _y = make_system("other")
    # other's school sch-o only exists there: this row belongs to another system.
    from trellis.orgs.services import school_create

    school_create(actor=None, system=other, name="Other only", sourced_id="sch-o")
    before = counts()
    path = data.write(
        tmp_path,
        "bad.csv",
        "student,school,date,category,class\n"
        "nobody,sch-a,2026-09-30,Excused Absence,\n"  # 2 unknown student
        "a1,sch-z,2026-09-30,Excused Absence,\n"  # 3 unknown school
        "a1,sch-a,2026-09-07,Excused Absence,\n"  # 4 Labor Day
        "t,sch-a,2026-09-30,Excused Absence,\n"  # 5 t left A on the 15th
        "a1,sch-a,2026-09-29,Sick,\n"  # 6 unknown category
        "a1,sch-a,2026-09-29,Tardy,hr-zz\n"  # 7 unknown class
        "a1,sch-o,2026-09-29,Tardy,\n"  # 8 another system's school
        "a1,sch-a,2026-09-29,Tardy,hr-b1\n"  # 9 a class of another school
        "a1,sch-a,2026-9-29,Tardy,\n",  # 10 not a date
    )
    with pytest.raises(CommandError) as caught:
        run("import_attendance", path)
    text = str(caught.value)
    assert "nothing was written" in text
    assert "row 2 column student: There is no student nobody in this system." in text
    assert "row 3 column school: There is no school sch-z in this system." in text
    assert "row 4 column date: 2026-09-07 is not an instructional day of school sch-a." in text
    assert "row 5 column student: Student t is not enrolled at school sch-a on 2026-09-30." in text
    assert "row 6 column category: 'Sick' is not an attendance category" in text
    assert "row 7 column class: There is no class hr-zz in this system." in text
    assert "row 8 column school: School sch-o belongs to the system 'other'" in text
    assert "this file is for another system" in text
    assert "row 9 column class: Class hr-b1 is not a class of school sch-a." in text
    assert "row 10 column date: '2026-9-29' is not a date" in text
    assert counts() == before
    assert ImportRun.objects.filter(kind="attendance", status="rejected").count() == 1


def test_bad_calendar_enrolment_and_submission_rows(hand: Any, tmp_path: Path) -> None:
    before = counts()
    with pytest.raises(CommandError) as caught:
        run("import_calendar", data.write(tmp_path, "c.csv", "school,date\nsch-q,2026-10-01\n"))
    assert "row 2 column school: There is no school sch-q" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(
            "import_enrollments",
            data.write(
                tmp_path,
                "e.csv",
                "student,school,entry_date,exit_date\n"
                "a1,sch-a,2026-09-01,2026-08-01\n"
                "a2,sch-a,2026-09-01,\n"
                "a2,sch-b,2026-09-10,\n",
            ),
        )
    assert "row 2 column exit_date: The exit date (the last day enrolled) is before" in str(
        caught.value
    )
    assert "row 4 column entry_date: This window overlaps row 3's" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(
            "import_submissions",
            data.write(
                tmp_path,
                "s.csv",
                "class,date,submitted_at\n"
                "hr-a1,2026-09-27,2026-09-27T08:00:00-04:00\n"
                "hr-a1,2026-09-28,2026-09-28T08:00:00\n"
                "hr-qq,2026-09-28,2026-09-28T08:00:00Z\n",
            ),
        )
    text = str(caught.value)
    assert "row 2 column date: 2026-09-27 is not an instructional day" in text
    assert (
        "row 3 column submitted_at: '2026-09-28T08:00:00' is not a moment with a time zone" in text
    )
    assert "row 4 column class: There is no class hr-qq in this system." in text
    with pytest.raises(CommandError) as caught:
        run("import_attendance", data.write(tmp_path, "h.csv", "student,school,day\n"))
    assert "The header lacks the columns date, category" in str(caught.value)
    assert counts() == before


def test_the_same_files_again_change_nothing_and_say_so(hand: Any, tmp_path: Path) -> None:
    before = counts()
    rollups = list(DailySchoolAttendance.objects.order_by("pk").values())
    for command, name, text in (
        ("import_calendar", "calendar.csv", data.CALENDAR),
        ("import_enrollments", "enrollments.csv", data.ENROLLMENTS),
        ("import_attendance", "attendance.csv", data.ATTENDANCE),
        ("import_submissions", "submissions.csv", data.SUBMISSIONS),
    ):
        out = run(command, data.write(tmp_path, name, text))
        assert "already imported on" in out and "nothing would change" in out, out
        assert "0 changes" in out
    assert counts() == before
    assert list(DailySchoolAttendance.objects.order_by("pk").values()) == rollups
    assert report() == data.EXPECTED


def test_a_day_reimported_replaces_that_days_records_of_the_schools_in_the_file(
    hand: Any, tmp_path: Path
) -> None:
    # The SIS's corrected 30 September for A: a1 was present after all, a5 is absent.
    out = run(
        "import_attendance",
        data.write(
            tmp_path,
            "fix.csv",
            "student,school,date,category\n"
            "a3,sch-a,2026-09-30,Tardy\n"
            "a4,sch-a,2026-09-30,Unexcused Absence\n"
            "a5,sch-a,2026-09-30,Excused Absence\n",
        ),
    )
    assert "1 of 1 school-days change" in out
    got = report()
    assert got["schools"]["sch-a"]["absent"] == 2  # a4, a5
    # a1 falls to 2 absences of 21 (9.5%): no longer chronic.
    assert got["schools"]["sch-a"]["chronic_absent"] == 1
    # B's 30 September is untouched; earlier days of A too.
    assert got["schools"]["sch-b"] == data.EXPECTED["schools"]["sch-b"]
    assert (
        AttendanceEvent.objects.filter(school__sourced_id="sch-a", date="2026-09-10").count() == 1
    )


def test_positive_attendance_counts_only_absences_and_warns_of_missing_rows(
    hand: Any, tmp_path: Path
) -> None:
    rows = "student,school,date,category\n" + "".join(
        f"{s},sch-b,2026-10-01,{'Unexcused Absence' if s == 'b3' else 'In Attendance'}\n"
        for s in ("b1", "b2", "b3", "b4", "t")
    )
    run(
        "import_calendar",
        data.write(tmp_path, "oct.csv", "school,date\nsch-a,2026-10-01\nsch-b,2026-10-01\n"),
    )
    out = run("import_attendance", data.write(tmp_path, "pos.csv", rows), positive=True)
    assert "positive" in out
    assert "2 enrolled student-days of the schools and days in this file have no row" in out
    got = report(day="2026-10-01")
    assert got["schools"]["sch-b"]["enrolled"] == 7
    assert got["schools"]["sch-b"]["absent"] == 1
    # A positive file has one row per student-day.
    with pytest.raises(CommandError) as caught:
        run(
            "import_attendance",
            data.write(
                tmp_path,
                "twice.csv",
                "student,school,date,category\nb1,sch-b,2026-10-01,In Attendance\n"
                "b1,sch-b,2026-10-01,Tardy\n",
            ),
            positive=True,
        )
    assert "row 3 column student: Student b1 is on row 2 for the same day" in str(caught.value)


def test_a_systems_own_category_words_are_mapped(hand: Any, tmp_path: Path) -> None:
    path = data.write(
        tmp_path, "codes.csv", "student,school,date,category\na6,sch-a,2026-09-29,AE\n"
    )
    with pytest.raises(CommandError):
        run("import_attendance", path)
    category_mapping_set(actor=None, system=hand, label="ae", category=Category.EXCUSED_ABSENCE)
    run("import_attendance", path)
    assert report(day="2026-09-29")["schools"]["sch-a"]["absent"] == 1


def test_the_upload_page_offers_the_attendance_kinds_and_commits_through_the_pipeline(
    world: Any,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trellis.orgs.models import School

    School.objects.filter(pk=world.school.pk).update(sourced_id="oak")
    client = world.client("admin")
    page = client.get("/imports/new/")
    for label in (
        "Instructional calendar",
        "School enrolment windows",
        "Daily attendance",
        "Attendance submissions",
    ):
        assert label in page.content.decode()
    response = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": "calendar",
            "file": SimpleUploadedFile("cal.csv", b"school,date\noak,2026-09-01\noak,2026-09-02\n"),
        },
        follow=True,
    )
    assert response.status_code == 200
    run_ = ImportRun.objects.get(kind="calendar")
    assert run_.status == "ready" and run_.summary["instructional days"]["added"] == 2
    assert not CalendarDay.objects.exists()  # the preview writes nothing
    client.post(f"/imports/{run_.pk}/commit/", follow=True)
    run_.refresh_from_db()
    assert run_.status == "done"
    assert CalendarDay.objects.filter(school=world.school).count() == 2
    # A principal may not import attendance files.
    assert world.client("principal").get("/imports/new/").status_code == 403


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="partitioning is PostgreSQL's; SQLite keeps one plain table",
)
def test_postgresql_keeps_the_events_in_month_partitions(hand: Any, tmp_path: Path) -> None:
    from django.db import connection

    from trellis.attendance.partitions import is_partitioned

    assert is_partitioned()
    run(
        "import_calendar",
        data.write(tmp_path, "oct.csv", "school,date\nsch-a,2026-10-01\nsch-b,2026-10-01\n"),
    )
    run(
        "import_attendance",
        data.write(
            tmp_path, "oct-att.csv", "student,school,date,category\na1,sch-a,2026-10-01,Tardy\n"
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM attendance_attendanceevent_p202609")
        assert cursor.fetchone()[0] == 14
        cursor.execute("SELECT COUNT(*) FROM attendance_attendanceevent_p202610")
        assert cursor.fetchone()[0] == 1
    assert AttendanceEvent.objects.count() == 15
