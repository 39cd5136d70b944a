"""A month of attendance small enough to compute by hand (test_report.py holds the figures).

Two schools, A (sch-a) and B (sch-b), both in session on every weekday of September 2026 but
Labor Day (21 instructional days: 1-4, 8-11, 14-18, 21-25, 28-30). The report's day is
Wednesday 30 September; its week is Monday 28 to Wednesday 30.

- a1-a6 at A and b1-b5 at B all month;
- t transfers: at A from 1 to 15 September (10 days), at B from 16 September (11 days);
- l joins B on 24 September (5 days: under the 10-day minimum).

Absences (E = Excused, U = Unexcused; tardies and early departures are not absences):
- a1: E on 2, 10 and 30 (3 of 21: 14.3%, chronic); a2: U on 3 and 17 (2 of 21: 9.5%, not);
  a3: Tardy on 30; a4: U on 30 (1 of 21);
- t: U on 9 at A (1 of 10: exactly 10%, chronic at A); U on 30 at B (1 of 11: 9.1%, not);
- b1: E on 4, 22 and 30 (3 of 21: chronic); b2: Early departure on 30; l: U on 30 (not counted:
  5 days).

Homeroom classes hr-a1, hr-a2 (A) and hr-b1 (B); sc-a1 is a scheduled class (not expected while
attendance is taken by homeroom). Deadline 09:30 America/New_York (UTC-4 in September):
- hr-a1: 28 at 08:10 (on time), 29 at 09:30:00 exactly (on time), 30 at 09:31 (late);
- hr-a2: 28 at 13:25Z = 09:25 (on time), 29 at 10:15 (late), 30 none (not submitted);
- hr-b1: 25 (last week), 28 on time, 29 at 14:00Z = 10:00 (late), 30 at 08:00 (on time);
- sc-a1: 28 on time (not counted).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from trellis.orgs.models import School, System
from trellis.orgs.services import school_create, system_create
from trellis.rosters.models import SchoolClass
from trellis.students.models import Student
from trellis.students.services import students_bulk_create

DAY = datetime.date(2026, 9, 30)
SEPTEMBER = [
    datetime.date(2026, 9, d)
    for d in range(1, 31)
    if datetime.date(2026, 9, d).weekday() < 5 and d != 7
]

CALENDAR = "school,date\n" + "".join(
    f"{school},{day}\n" for school in ("sch-a", "sch-b") for day in SEPTEMBER
)
ENROLLMENTS = (
    "student,school,entry_date,exit_date\n"
    + "".join(f"a{i},sch-a,2026-09-01,\n" for i in range(1, 7))
    + "".join(f"b{i},sch-b,2026-09-01,\n" for i in range(1, 6))
    + "t,sch-a,2026-09-01,2026-09-15\n"
    + "t,sch-b,2026-09-16,\n"
    + "l,sch-b,2026-09-24,\n"
)
ATTENDANCE = """student,school,date,category
a1,sch-a,2026-09-02,Excused Absence
a1,sch-a,2026-09-10,excused absence
a1,sch-a,2026-09-30,EXCUSED ABSENCE
a2,sch-a,2026-09-03,Unexcused Absence
a2,sch-a,2026-09-17,Unexcused Absence
a3,sch-a,2026-09-30,Tardy
a4,sch-a,2026-09-30,Unexcused Absence
t,sch-a,2026-09-09,Unexcused Absence
t,sch-b,2026-09-30,Unexcused Absence
b1,sch-b,2026-09-04,Excused Absence
b1,sch-b,2026-09-22,uri://ed-fi.org/AttendanceEventCategoryDescriptor#Excused Absence
b1,sch-b,2026-09-30,Excused Absence
b2,sch-b,2026-09-30,Early departure
l,sch-b,2026-09-30,Unexcused Absence
"""
SUBMISSIONS = """class,date,submitted_at
hr-a1,2026-09-28,2026-09-28T08:10:00-04:00
hr-a1,2026-09-29,2026-09-29T09:30:00-04:00
hr-a1,2026-09-30,2026-09-30T09:31:00-04:00
hr-a2,2026-09-28,2026-09-28T13:25:00Z
hr-a2,2026-09-29,2026-09-29T10:15:00-04:00
hr-b1,2026-09-25,2026-09-25T08:00:00-04:00
hr-b1,2026-09-28,2026-09-28T07:55:00-04:00
hr-b1,2026-09-29,2026-09-29T14:00:00Z
hr-b1,2026-09-30,2026-09-30T08:00:00-04:00
sc-a1,2026-09-28,2026-09-28T08:00:00-04:00
"""

# The figures of 30 September, computed by hand from the above.
EXPECTED: dict[str, Any] = {
    "schools": {
        "sch-a": {
            "enrolled": 6,  # a1-a6 (t left on the 15th)
            "absent": 2,  # a1, a4 (a3 was only tardy)
            "absence_rate_pct": 33.3,  # 2/6
            "submissions_expected_week": 6,  # 2 homerooms x 3 days
            "submissions_on_time_week": 3,  # hr-a1 28 and 29, hr-a2 28
            "on_time_rate_week_pct": 50.0,
            "chronic_absent": 2,  # a1 (3/21), t (1/10, exactly 10%)
            "chronic_absence_rate_pct": 28.6,  # 2/7: a1-a6 and t count
        },
        "sch-b": {
            "enrolled": 7,  # b1-b5, t, l
            "absent": 3,  # b1, t, l (b2 only left early)
            "absence_rate_pct": 42.9,  # 3/7
            "submissions_expected_week": 3,  # 1 homeroom x 3 days
            "submissions_on_time_week": 2,  # 28 and 30
            "on_time_rate_week_pct": 66.7,
            "chronic_absent": 1,  # b1 (3/21); t 1/11 is not
            "chronic_absence_rate_pct": 16.7,  # 1/6: b1-b5 and t count, l does not (5 days)
        },
    },
    "system": {
        "enrolled": 13,
        "absent": 5,
        "absence_rate_pct": 38.5,  # 5/13
        "submissions_expected_week": 9,
        "submissions_on_time_week": 5,
        "on_time_rate_week_pct": 55.6,  # 5/9
        "chronic_absent": 3,
        # 3/12: a1-a6, b1-b5 and t count (t at each school, once in the system).
        "chronic_absence_rate_pct": 25.0,
    },
}


def make_system(code: str = "hand") -> tuple[System, School, School]:
    system = system_create(actor=None, code=code, name=f"{code.title()} Schools")
    a = school_create(actor=None, system=system, name="School A", sourced_id="sch-a")
    b = school_create(actor=None, system=system, name="School B", sourced_id="sch-b")
    add_people(system, a, b)
    return system, a, b


def add_people(system: System, a: School, b: School, *, prefix: str = "") -> None:
    """The students (the roster's windows say the whole year: the SIS file corrects them) and
    the classes, with sourcedIds as in the files above."""
    students = [
        Student(school=a, sourced_id=f"{prefix}a{i}", enrolled_on=datetime.date(2026, 8, 1))
        for i in range(1, 7)
    ]
    students += [
        Student(school=b, sourced_id=f"{prefix}b{i}", enrolled_on=datetime.date(2026, 8, 1))
        for i in range(1, 6)
    ]
    students += [
        Student(school=b, sourced_id=f"{prefix}t", enrolled_on=datetime.date(2026, 8, 1)),
        Student(school=b, sourced_id=f"{prefix}l", enrolled_on=datetime.date(2026, 8, 1)),
    ]
    students_bulk_create(actor=None, system=system, students=students)
    for sid, school, kind in (
        ("hr-a1", a, SchoolClass.Kind.HOMEROOM),
        ("hr-a2", a, SchoolClass.Kind.HOMEROOM),
        ("sc-a1", a, SchoolClass.Kind.SCHEDULED),
        ("hr-b1", b, SchoolClass.Kind.HOMEROOM),
    ):
        SchoolClass.objects.create(
            system=system,
            sourced_id=f"{prefix}{sid}",
            title=f"Homeroom {sid.upper()}" if kind == "homeroom" else f"Maths {sid}",
            class_type=kind,
            school=school,
        )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def import_all(folder: Path, code: str = "hand") -> None:
    from django.core.management import call_command

    for command, name, text in (
        ("import_calendar", "calendar.csv", CALENDAR),
        ("import_enrollments", "enrollments.csv", ENROLLMENTS),
        ("import_attendance", "attendance.csv", ATTENDANCE),
        ("import_submissions", "submissions.csv", SUBMISSIONS),
    ):
        call_command(command, str(write(folder, name, text)), system=code, stdout=_Sink())


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass
