"""The hand-computed month (data.py) in the shared World: Oak Hill is school A (sch-a), Pine
Ridge school B (sch-b), both in Riverbend. Paula (Oak Hill's principal) is on Sam the
supervisor's caseload, so Sam's caseload is Oak Hill."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tests.attendance import data
from tests.conftest import World
from trellis.orgs.models import School


def add_attendance(world: World) -> None:
    if School.objects.filter(pk=world.school.pk, sourced_id="sch-a").exists():
        return
    School.objects.filter(pk=world.school.pk).update(sourced_id="sch-a")
    School.objects.filter(pk=world.other_school.pk).update(sourced_id="sch-b")
    world.school.refresh_from_db()
    world.other_school.refresh_from_db()
    data.add_people(world.system, world.school, world.other_school)
    data.import_all(Path(tempfile.mkdtemp(prefix="trellis-attendance-")), code="riverbend")


def add_alerts(world: World) -> None:
    """The hand-made month's alerts of 30 September: Oak Hill's two homerooms had not
    submitted by 09:30, so its principal (Paula) has one alert."""
    import datetime

    from trellis.attendance.services import attendance_alerts_send

    add_attendance(world)
    attendance_alerts_send(actor=None, system=world.system, day=datetime.date(2026, 9, 30))


def principal_alert(world: World) -> int:
    from trellis.attendance.models import AttendanceAlert

    return AttendanceAlert.objects.get(recipient=world.users["principal"]).pk


def _september_schools(world: World, n: int, prefix: str, **figures: Any) -> list[Any]:
    """`n` more schools named "`prefix` i" in the North Cluster, each with September's calendar
    and a roll-up row for each of its days: `figures` are the rows' values, each a number or a
    function of the school's index i."""
    from trellis.attendance.models import CalendarDay, DailySchoolAttendance
    from trellis.orgs.services import school_create

    schools = [
        school_create(actor=None, system=world.system, name=f"{prefix} {i}", network=world.network)
        for i in range(n)
    ]
    CalendarDay.objects.bulk_create(
        CalendarDay(system=world.system, school=s, date=d) for s in schools for d in data.SEPTEMBER
    )
    DailySchoolAttendance.objects.bulk_create(
        DailySchoolAttendance(
            system=world.system,
            school=s,
            date=d,
            **{k: v(i) if callable(v) else v for k, v in figures.items()},
        )
        for i, s in enumerate(schools)
        for d in data.SEPTEMBER
    )
    return schools


def schools_by_grade(
    world: World,
    day: Any,
    grades: dict[str, dict[str, tuple[int, int]]],
    absent: dict[str, int],
) -> dict[str, School]:
    """Schools of the North Cluster by name, each with September's calendar and one day's
    roll-ups: per grade (students who count, chronically absent), the school's row their sums
    with `absent[name]` absent that day."""
    from trellis.attendance.models import CalendarDay, DailyGradeChronic, DailySchoolAttendance
    from trellis.orgs.services import school_create

    schools = {
        name: school_create(actor=None, system=world.system, name=name, network=world.network)
        for name in grades
    }
    CalendarDay.objects.bulk_create(
        CalendarDay(system=world.system, school=s, date=d)
        for s in schools.values()
        for d in data.SEPTEMBER
    )
    for name, school in schools.items():
        cells = grades[name]
        counted = sum(c for c, _a in cells.values())
        DailySchoolAttendance.objects.create(
            system=world.system,
            school=school,
            date=day,
            enrolled=counted,
            absent=absent[name],
            chronic_counted=counted,
            chronic_absent=sum(a for _c, a in cells.values()),
        )
        DailyGradeChronic.objects.bulk_create(
            DailyGradeChronic(
                system=world.system,
                school=school,
                date=day,
                grade=grade,
                chronic_counted=c,
                chronic_absent=a,
            )
            for grade, (c, a) in cells.items()
        )
    return schools


def extra_schools(world: World, n: int, prefix: str = "Extra") -> None:
    """`n` more schools in the North Cluster with September's calendar and roll-ups that carry
    chronic figures (300 enrolled, 20 absent; 280 counted, 30 + i chronically absent), for
    query counts and SQL that must not grow with the schools (the chronic pages', the
    morning decision's)."""
    _september_schools(
        world,
        n,
        prefix,
        enrolled=300,
        absent=20,
        chronic_counted=280,
        chronic_absent=lambda i: 30 + i,
    )


def more_schools(world: World, n: int) -> None:
    """`n` more schools in the North Cluster, each with September's calendar and roll-ups (for
    query counts that must not grow with the schools)."""
    schools = _september_schools(
        world,
        n,
        "Extra",
        enrolled=300,
        absent=lambda i: 20 + i % 7,
        expected_submissions=12,
        submitted=12,
        on_time=10,
    )
    # What the roll-up's writer stores with each row: its usual figures (rollups.usual_refresh).
    from trellis.attendance.rollups import usual_refresh

    usual_refresh(
        school_ids=[s.pk for s in schools], start=data.SEPTEMBER[0], end=data.SEPTEMBER[-1]
    )


def add_foreign_teacher(world: World) -> None:
    """Lakeside's teacher leader at Harbor Prep (`teacher_b`): no attendance role anywhere, and
    none of Riverbend's schools, networks or system in sight. Asking for Riverbend's attendance
    is outside their scope (404), not a role they lack in scope (403)."""
    from tests.conftest import make_user
    from trellis.accounts.models import User
    from trellis.authz.roles import Role

    email = "teacher@lakeside.test"
    found = User.objects.filter(email=email).first()
    world.users["teacher_b"] = found or make_user(
        world.other_system, email, Role.TEACHER_LEADER, school=world.foreign_school
    )


def add_attendance_and_foreign_teacher(world: World) -> None:
    add_attendance(world)
    add_foreign_teacher(world)
