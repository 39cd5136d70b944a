"""PostgreSQL's reader of clean attendance files (attendance.fastread) against the Python
reader: the same files store the same events and roll-ups and report the same counts, notes
and warnings by either path; a file the fast path does not take as written is read in Python,
which still names every problem by row and column. And a submissions import recounts only the
roll-ups' submission figures, as a full rebuild would."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError
from django.db import connection

from tests.attendance import data
from tests.attendance.test_imports import run
from tests.attendance.test_report import report
from trellis.attendance import fastread, reading
from trellis.attendance.models import AttendanceEvent, DailySchoolAttendance
from trellis.attendance.rollups import rollups_rebuild
from trellis.imports.models import ImportRun

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the fast path is PostgreSQL's COPY; SQLite reads every file in Python",
)


def events(code: str) -> list[tuple[Any, ...]]:
    return sorted(
        AttendanceEvent.objects.filter(system__code=code).values_list(
            "student__sourced_id",
            "school__sourced_id",
            "date",
            "category",
            "school_class__sourced_id",
        ),
        key=str,
    )


def rollups(code: str) -> list[dict[str, Any]]:
    rows = DailySchoolAttendance.objects.filter(system__code=code).values(
        "school__sourced_id",
        "date",
        "enrolled",
        "absent",
        "tardy",
        "expected_submissions",
        "submitted",
        "on_time",
        "chronic_counted",
        "chronic_absent",
    )
    return sorted((dict(r) for r in rows), key=lambda r: (r["school__sourced_id"], r["date"]))


def last_run(code: str) -> dict[str, Any]:
    got = ImportRun.objects.filter(system__code=code, kind="attendance").latest("pk")
    return {
        "status": got.status,
        "summary": got.summary,
        "notes": got.notes,
        "warnings": [{**w, "file": ""} for w in got.warnings],
        "errors": got.errors,
    }


class Paths:
    """Counts the attendance files each reader read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fast = self.python = 0
        stage, plan = fastread.stage_attendance, reading.plan_attendance

        def counted_stage(*args: Any, **kwargs: Any) -> Any:
            got = stage(*args, **kwargs)
            self.fast += got is not None
            return got

        def counted_plan(*args: Any, **kwargs: Any) -> Any:
            self.python += 1
            return plan(*args, **kwargs)

        monkeypatch.setattr(fastread, "stage_attendance", counted_stage)
        monkeypatch.setattr(reading, "plan_attendance", counted_plan)


@pytest.fixture
def twins(db: Any, tmp_path: Path) -> Path:
    """Two systems with the hand-made month's schools, students, classes, calendar and windows
    (no attendance yet): "fast" is read by PostgreSQL, "slow" by the Python reader."""
    for code in ("fast", "slow"):
        data.make_system(code)
        run("import_calendar", data.write(tmp_path, "calendar.csv", data.CALENDAR), code)
        run("import_enrollments", data.write(tmp_path, "enrol.csv", data.ENROLLMENTS), code)
    return tmp_path


def both(
    monkeypatch: pytest.MonkeyPatch, path: Path, *, positive: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same file into both systems, each by its own reader; their runs' reports."""
    paths = Paths(monkeypatch)
    run("import_attendance", path, "fast", positive=positive)
    assert (paths.fast, paths.python) == (2, 0)  # the preview and the commit, both by COPY
    monkeypatch.setattr(fastread, "ENABLED", False)
    try:
        run("import_attendance", path, "slow", positive=positive)
    finally:
        monkeypatch.setattr(fastread, "ENABLED", True)
    assert paths.python == 2
    return last_run("fast"), last_run("slow")


@postgresql_only
def test_both_readers_store_the_same_month_and_its_corrections(
    twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = both(monkeypatch, data.write(twins, "attendance.csv", data.ATTENDANCE))
    assert fast == slow and fast["status"] == "done"
    assert fast["summary"]["attendance events"]["added"] == 14
    for code in ("fast", "slow"):
        run("import_submissions", data.write(twins, "submissions.csv", data.SUBMISSIONS), code)
    assert events("fast") == events("slow") and len(events("fast")) == 14
    assert rollups("fast") == rollups("slow")
    assert report("fast") == report("slow") == data.EXPECTED
    # A corrected 30 September for A (a class now named): that school-day is replaced.
    fix = data.write(
        twins,
        "fix.csv",
        "student,school,date,category,class\n"
        "a3,sch-a,2026-09-30,Tardy,hr-a1\n"
        "a4,sch-a,2026-09-30,unexcused absence,\n"
        "a5,sch-a,2026-09-30,Excused Absence,hr-a2\n",
    )
    fast, slow = both(monkeypatch, fix)
    assert fast == slow
    assert fast["summary"]["attendance events"] == {
        "added": 2,
        "changed": 0,
        "removed": 2,
        "unchanged": 1,
    }
    assert events("fast") == events("slow")
    assert rollups("fast") == rollups("slow")
    assert report("fast") == report("slow")
    # The same file again: nothing would change, and the run says so.
    paths = Paths(monkeypatch)
    out = run("import_attendance", fix, "fast")
    assert paths.fast == 1 and paths.python == 0
    assert "nothing would change" in out and "0 changes" in out
    assert events("fast") == events("slow")


@postgresql_only
def test_both_readers_agree_on_a_positive_day_and_its_warning(
    twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 30 September at B, one row per student-day, with classes; t and l have no row.
    rows = "student,school,date,category,class\n" + "".join(
        f"{s},sch-b,2026-09-30,{c},hr-b1\n"
        for s, c in (
            ("b1", "Excused Absence"),
            ("b2", "Early departure"),
            ("b3", "In Attendance"),
            ("b4", "uri://ed-fi.org/AttendanceEventCategoryDescriptor#Tardy"),
            ("b5", "IN ATTENDANCE"),
        )
    )
    fast, slow = both(monkeypatch, data.write(twins, "positive.csv", rows), positive=True)
    assert fast == slow
    assert [w["reason"] for w in fast["warnings"]] == [
        "2 enrolled student-days of the schools and days in this file have no row: they are "
        "not counted absent."
    ]
    assert events("fast") == events("slow") and len(events("fast")) == 5
    assert rollups("fast") == rollups("slow")


@postgresql_only
def test_a_file_the_fast_path_declines_is_read_in_python_with_row_numbered_problems(
    twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths(monkeypatch)
    bad = data.write(
        twins,
        "bad.csv",
        "student,school,date,category,class\n"
        "a1,sch-a,2026-09-30,Excused Absence,\n"
        "a2,sch-a,2026-09-30,Excused Absence,hr-b1\n"  # 3: B's class
        "t,sch-a,2026-09-30,Excused Absence,\n"  # 4: t left A on the 15th
        "a3,sch-a,2026-09-07,Tardy,\n",  # 5: Labor Day
    )
    with pytest.raises(CommandError) as caught:
        run("import_attendance", bad, "fast")
    text = str(caught.value)
    assert (paths.fast, paths.python) == (0, 1)
    assert "row 3 column class: Class hr-b1 is not a class of school sch-a." in text
    assert "row 4 column student: Student t is not enrolled at school sch-a on 2026-09-30." in text
    assert "row 5 column date: 2026-09-07 is not an instructional day of school sch-a." in text
    assert not AttendanceEvent.objects.exists()
    # One student-day twice in a positive file.
    twice = data.write(
        twins,
        "twice.csv",
        "student,school,date,category\nb1,sch-b,2026-09-30,In Attendance\n"
        "b1,sch-b,2026-09-30,Tardy\n",
    )
    with pytest.raises(CommandError) as caught:
        run("import_attendance", twice, "fast", positive=True)
    assert "row 3 column student: Student b1 is on row 2 for the same day" in str(caught.value)
    assert (paths.fast, paths.python) == (0, 2)
    assert not AttendanceEvent.objects.exists()


@postgresql_only
def test_what_python_reads_differently_from_copy_is_left_to_python(
    twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths(monkeypatch)
    # Spaces around values (Python strips them), a blank line, and a short row: the Python
    # reader takes the file; the fast path declines it.
    loose = data.write(
        twins,
        "loose.csv",
        "Student , School,date,category,class\n"
        " a1 ,sch-a, 2026-09-30 ,Excused Absence\n"
        "\n"
        'a4,"sch-a",2026-09-30,Unexcused Absence,\n',
    )
    run("import_attendance", loose, "fast")
    assert (paths.fast, paths.python) == (0, 2)
    assert events("fast") == [
        ("a1", "sch-a", datetime.date(2026, 9, 30), "excused_absence", None),
        ("a4", "sch-a", datetime.date(2026, 9, 30), "unexcused_absence", None),
    ]
    # A stray quote inside a field: PostgreSQL's CSV would open a quoted section there.
    stray = data.write(
        twins, "stray.csv", 'student,school,date,category\na"1",sch-a,2026-09-29,Tardy\n'
    )
    with pytest.raises(CommandError) as caught:
        run("import_attendance", stray, "fast")
    assert 'row 2 column student: There is no student a"1" in this system.' in str(caught.value)
    assert (paths.fast, paths.python) == (0, 3)


def test_a_submissions_import_recounts_the_submission_figures_as_a_full_rebuild_would(
    db: Any, tmp_path: Path
) -> None:
    system, _a, _b = data.make_system()
    data.import_all(tmp_path)
    got = rollups("hand")
    assert sum(r["submitted"] for r in got) == 9  # sc-a1 is not a homeroom
    # The days the imports rolled up (from the attendance file's first day), rebuilt whole.
    rollups_rebuild(system_id=system.pk, start=got[0]["date"], end=data.SEPTEMBER[-1])
    assert rollups("hand") == got
    assert report() == data.EXPECTED
    # A day not rolled up yet (1 October: no attendance) gets its whole roll-up from its
    # submissions file.
    run(
        "import_calendar",
        data.write(tmp_path, "oct.csv", "school,date\nsch-a,2026-10-01\nsch-b,2026-10-01\n"),
    )
    run(
        "import_submissions",
        data.write(
            tmp_path,
            "oct-sub.csv",
            "class,date,submitted_at\nhr-a1,2026-10-01,2026-10-01T08:00:00-04:00\n"
            "hr-b1,2026-10-01,2026-10-01T09:45:00-04:00\n",
        ),
    )
    october = [r for r in rollups("hand") if r["date"] == datetime.date(2026, 10, 1)]
    assert [
        (r["school__sourced_id"], r["enrolled"], r["expected_submissions"], r["submitted"])
        for r in october
    ] == [("sch-a", 6, 2, 1), ("sch-b", 7, 1, 1)]
    assert [r["on_time"] for r in october] == [1, 0]
