"""The system's morning page and chronic pages at metro scale (issue 12, `make bench`): what a
request reads does not grow with the number of schools, and the suppression decided is the same
as over every school one by one."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tests.attendance.world import add_attendance, extra_schools
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import DailySchoolAttendance

D30 = datetime.date(2026, 9, 30)


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def _decision(w: World, who: str) -> tuple[selectors.MorningDecision, int]:
    user = type(w.users[who]).objects.get(pk=w.users[who].pk)  # a fresh request's user
    selectors.attendance_reach(user)
    with CaptureQueriesContext(connection) as captured:
        decided = selectors.morning_decision(user, D30)
    return decided, len(captured.captured_queries)


def test_no_small_count_no_school_is_read_for_the_morning_decision(w: World) -> None:
    """A day on which no school of the reach has a small count: one query, nothing hidden (what
    `protect` decides over every school: nothing small, nothing to hide beside it)."""
    extra_schools(w, 12)
    DailySchoolAttendance.objects.filter(date=D30).update(enrolled=300, absent=20)
    decided, queries = _decision(w, "leader")
    assert queries == 1
    every = _reach_ids(w)
    assert decided.page_hidden(every) == {"enrolled": set(), "absent": set()}
    assert decided.page_hidden(every[:3]) == {"enrolled": set(), "absent": set()}


def test_a_small_count_is_still_decided_over_every_school(w: World) -> None:
    """One school with 3 absent: hidden, with the next-smallest school of its network beside
    it (complementary), as before; the page's total stays shown."""
    extra_schools(w, 12)
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
    extra_schools(w, 5)
    before = _sql(w, "leader")
    extra_schools(w, 40, prefix="More")
    assert _sql(w, "leader") == before


SORTED = f"/attendance/?date={D30:%Y-%m-%d}&sort=absence_rate&page=2"


def _sorted_page(w: World) -> tuple[int, int, list[str]]:
    """The leader's morning page sorted by absence rate (its second page): the queries, the SQL
    sent, and the ORDER BY of each query that reads a page of schools."""
    client = w.client("leader")
    assert client.get(SORTED).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(SORTED).status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    paged = [s.rsplit("ORDER BY", 1)[1] for s in sql if "OFFSET 50" in s and "orgs_school" in s]
    # The page's own SQL (the session's and the savepoints' carry keys and counters).
    sent = sum(len(s) for s in sql if "django_session" not in s and "SAVEPOINT" not in s)
    return len(sql), sent, paged


def test_the_page_sorted_by_absence_rate_joins_the_days_rollup_once(w: World) -> None:
    """Sorting every school by the day's absence rate reads the day's roll-up rows in one pass
    (joined to the schools), not one lookup per school (a subquery in the ORDER BY, run for
    each of a metro district's thousand schools): the same queries and SQL at 107 schools and
    at 167 (a full second page at both), and the schools in order of their rate."""
    extra_schools(w, 105)
    before = _sorted_page(w)
    extra_schools(w, 60, prefix="More")
    # Rates that differ: 30 + i absent of 300 at "More i" (10.0% up to 29.7%).
    DailySchoolAttendance.objects.filter(date=D30, school__name__startswith="More ").update(
        absent=F("chronic_absent")
    )
    after = _sorted_page(w)
    assert after[:2] == before[:2]
    assert after[2], "no page of schools read"
    for order in after[2]:
        assert "SELECT" not in order.upper(), f"a lookup per school in the sort: {order}"
    leader = type(w.users["leader"]).objects.get(pk=w.users["leader"].pk)
    seen = selectors.morning_page(leader, D30, sort="absence_rate")
    rates = [seen.row(s).absence_rate for s in seen.schools]
    shown = [r for r in rates if r is not None]
    assert shown == sorted(shown, reverse=True)
    assert rates[: len(shown)] == shown  # a school without a rate (none, or hidden) sorts last
    assert rates[0] == 29.7
