"""Today's expected submissions count toward the week's on-time rate only once the system's
deadline has passed (docs/decisions.md): the report, the morning page's total and its rows."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django.utils import timezone

from tests.attendance import data
from tests.attendance.test_report import report
from trellis.attendance import selectors
from trellis.attendance.models import AttendanceSettings
from trellis.orgs.models import School

NY = ZoneInfo("America/New_York")
DAY = datetime.date(2026, 9, 30)  # a Wednesday


@pytest.fixture
def hand(db: Any, tmp_path: Path) -> Any:
    system, _a, _b = data.make_system()
    data.import_all(tmp_path)
    return system


def at(monkeypatch: Any, hour: int, minute: int) -> None:
    moment = datetime.datetime(2026, 9, 30, hour, minute, tzinfo=NY)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def week_of(got: dict[str, Any]) -> tuple[int, int, float | None]:
    return (
        got["submissions_expected_week"],
        got["submissions_on_time_week"],
        got["on_time_rate_week_pct"],
    )


def test_before_the_deadline_today_is_left_out_of_the_week(hand: Any, monkeypatch: Any) -> None:
    at(monkeypatch, 8, 30)
    got = report()
    # Monday and Tuesday only: A 2 homerooms x 2 days, on time hr-a1 28 and 29, hr-a2 28;
    # B 1 homeroom x 2 days, on time 28.
    assert week_of(got["schools"]["sch-a"]) == (4, 3, 75.0)
    assert week_of(got["schools"]["sch-b"]) == (2, 1, 50.0)
    assert week_of(got["system"]) == (6, 4, 66.7)


def test_after_the_deadline_today_counts(hand: Any, monkeypatch: Any) -> None:
    at(monkeypatch, 9, 31)
    assert report() == data.EXPECTED


def test_an_earlier_day_is_never_open(hand: Any, monkeypatch: Any) -> None:
    at(monkeypatch, 8, 30)
    got = report(day="2026-09-29")
    assert week_of(got["schools"]["sch-a"]) == (4, 3, 75.0)


def test_the_systems_own_deadline_and_zone_decide(hand: Any, monkeypatch: Any) -> None:
    AttendanceSettings.objects.create(
        system=hand, time_zone="America/New_York", deadline=datetime.time(8, 0)
    )
    at(monkeypatch, 8, 30)  # past this system's 08:00: today counts
    got = report()
    assert got["system"]["submissions_expected_week"] == 9


def test_the_morning_pages_total_and_rows_follow_the_same_rule(hand: Any, monkeypatch: Any) -> None:
    at(monkeypatch, 8, 30)
    total, _smallest = selectors._morning_total(Q(system_id=hand.pk), None, DAY)
    assert (total.expected_week, total.on_time_week) == (6, 4)
    rows = {
        s.sourced_id: selectors._figures_of(s)
        for s in School.objects.filter(system=hand).annotate(**selectors._figure_annotations(DAY))
    }
    assert (rows["sch-a"].expected_week, rows["sch-a"].on_time_week) == (4, 3)
    assert (rows["sch-b"].expected_week, rows["sch-b"].on_time_week) == (2, 1)
    # Today's own figures (classes not submitted yet) are unchanged.
    assert rows["sch-a"].expected_today == 2
    at(monkeypatch, 10, 0)
    total, _smallest = selectors._morning_total(Q(system_id=hand.pk), None, DAY)
    assert (total.expected_week, total.on_time_week) == (9, 5)


def test_the_pages_say_today_is_still_open_until_the_deadline(world: Any, monkeypatch: Any) -> None:
    from tests.attendance.test_pages import page
    from tests.attendance.world import add_attendance

    add_attendance(world)
    at(monkeypatch, 8, 30)
    school = page(world, "principal", f"/attendance/schools/{world.school.pk}/?date=2026-09-30")
    assert "3 of 4 expected; today still open until 09:30" in school
    assert "75.0%" in school
    system = page(world, "admin", "/attendance/?date=2026-09-30")
    assert "today still open until 09:30" in system
    at(monkeypatch, 9, 45)
    school = page(world, "principal", f"/attendance/schools/{world.school.pk}/?date=2026-09-30")
    assert "3 of 6 expected</p>" in school
    assert "today still open until 09:30" not in school
