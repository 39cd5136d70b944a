"""The system's morning page and chronic pages at metro scale (issue 12, `make bench`): what a
request reads does not grow with the number of schools, and the suppression decided is the same
as over every school one by one."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.attendance import data
from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import CalendarDay, DailySchoolAttendance
from trellis.orgs.services import school_create

D30 = datetime.date(2026, 9, 30)


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def _extra_schools(w: World, n: int, prefix: str = "Extra") -> None:
    schools = [
        school_create(actor=None, system=w.system, name=f"{prefix} {i}", network=w.network)
        for i in range(n)
    ]
    CalendarDay.objects.bulk_create(
        CalendarDay(system=w.system, school=s, date=d) for s in schools for d in data.SEPTEMBER
    )
    DailySchoolAttendance.objects.bulk_create(
        DailySchoolAttendance(
            system=w.system,
            school=s,
            date=d,
            enrolled=300,
            absent=20,
            chronic_counted=280,
            chronic_absent=30 + i,
        )
        for i, s in enumerate(schools)
        for d in data.SEPTEMBER
    )


def _decision(w: World, who: str) -> tuple[selectors.MorningDecision, int]:
    user = type(w.users[who]).objects.get(pk=w.users[who].pk)  # a fresh request's user
    selectors.attendance_reach(user)
    with CaptureQueriesContext(connection) as captured:
        decided = selectors.morning_decision(user, D30)
    return decided, len(captured.captured_queries)


def test_no_small_count_no_school_is_read_for_the_morning_decision(w: World) -> None:
    """A day on which no school of the reach has a small count: one query, nothing hidden (what
    `protect` decides over every school: nothing small, nothing to hide beside it)."""
    _extra_schools(w, 12)
    DailySchoolAttendance.objects.filter(date=D30).update(enrolled=300, absent=20)
    decided, queries = _decision(w, "leader")
    assert queries == 1
    every = _reach_ids(w)
    assert decided.page_hidden(every) == {"enrolled": set(), "absent": set()}
    assert decided.page_hidden(every[:3]) == {"enrolled": set(), "absent": set()}


def test_a_small_count_is_still_decided_over_every_school(w: World) -> None:
    """One school with 3 absent: hidden, with the next-smallest school of its network beside
    it (complementary), as before; the page's total stays shown."""
    _extra_schools(w, 12)
    DailySchoolAttendance.objects.filter(date=D30).update(enrolled=300, absent=20)
    DailySchoolAttendance.objects.filter(date=D30, school=w.school).update(absent=3)
    DailySchoolAttendance.objects.filter(date=D30, school=w.other_school).update(absent=4)
    decided, queries = _decision(w, "leader")
    assert queries > 1
    hidden = decided.page_hidden(_reach_ids(w))
    assert ("school", w.school.pk) in hidden["absent"]
    assert len(hidden["absent"]) >= 2
    assert hidden["enrolled"] == set()


def _reach_ids(w: World) -> list[int]:
    return sorted(selectors.attendance_reach(w.users["leader"]).school_ids)


def _sql(w: World, who: str) -> tuple[int, int]:
    user = type(w.users[who]).objects.get(pk=w.users[who].pk)
    selectors.attendance_reach(user)
    with CaptureQueriesContext(connection) as captured:
        selectors.chronic_table(user, D30)
    return len(captured.captured_queries), sum(len(q["sql"]) for q in captured.captured_queries)


def test_the_chronic_table_sends_the_same_sql_whatever_the_number_of_schools(w: World) -> None:
    """A district role's chronic figures are read by system, not by listing every school's id
    in each query (a metro district's thousand ids, compiled and sent six times a page)."""
    _extra_schools(w, 5)
    before = _sql(w, "leader")
    _extra_schools(w, 40, prefix="More")
    assert _sql(w, "leader") == before
