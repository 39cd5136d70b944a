"""The hand-computed month (data.py) in the shared World: Oak Hill is school A (sch-a), Pine
Ridge school B (sch-b), both in Riverbend. Paula (Oak Hill's principal) is on Sam the
supervisor's caseload, so Sam's caseload is Oak Hill."""

from __future__ import annotations

import tempfile
from pathlib import Path

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


def more_schools(world: World, n: int) -> None:
    """`n` more schools in the North Cluster, each with September's calendar and roll-ups (for
    query counts that must not grow with the schools)."""
    from trellis.attendance.models import CalendarDay, DailySchoolAttendance
    from trellis.orgs.services import school_create

    schools = [
        school_create(actor=None, system=world.system, name=f"Extra {i}", network=world.network)
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
            enrolled=300,
            absent=20 + i % 7,
            expected_submissions=12,
            submitted=12,
            on_time=10,
        )
        for i, s in enumerate(schools)
        for d in data.SEPTEMBER
    )
    # What the roll-up's writer stores with each row: its usual figures (rollups.usual_refresh).
    from trellis.attendance.rollups import usual_refresh

    usual_refresh(
        school_ids=[s.pk for s in schools], start=data.SEPTEMBER[0], end=data.SEPTEMBER[-1]
    )
