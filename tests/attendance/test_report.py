"""The JSON report against figures computed by hand (tests/attendance/data.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.attendance import data


def report(code: str = "hand", day: str = "2026-09-30") -> dict[str, Any]:
    out = io.StringIO()
    call_command("attendance_report", system=code, date=day, format="json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def hand(db: Any, tmp_path: Path) -> Any:
    system, _a, _b = data.make_system()
    data.import_all(tmp_path)
    return system


def test_every_figure_of_the_report_matches_the_hand_computation(hand: Any) -> None:
    assert report() == data.EXPECTED


def test_report_keys_are_exactly_the_issues(hand: Any) -> None:
    got = report()
    assert set(got) == {"schools", "system"}
    for entry in [*got["schools"].values(), got["system"]]:
        assert list(entry) == [
            "enrolled",
            "absent",
            "absence_rate_pct",
            "submissions_expected_week",
            "submissions_on_time_week",
            "on_time_rate_week_pct",
            "chronic_absent",
            "chronic_absence_rate_pct",
        ]


def test_chronic_absence_on_a_saturday_is_as_of_the_last_school_day(hand: Any) -> None:
    got = report(day="2026-10-03")
    assert got["schools"]["sch-a"]["enrolled"] == 0
    assert got["schools"]["sch-a"]["absence_rate_pct"] is None
    assert got["schools"]["sch-a"]["chronic_absent"] == 2
    assert got["system"]["chronic_absence_rate_pct"] == 25.0  # 3 of 12: t once


def test_earlier_day_chronic_uses_only_days_to_date(hand: Any) -> None:
    # By 15 September everyone at A has 10 days (1-4, 8-11, 14, 15): a1 absent on the 2nd and
    # 10th (20%), a2 on the 3rd (10%) and t on the 9th (10%) are chronic; 3 of 7 count.
    got = report(day="2026-09-15")
    a = got["schools"]["sch-a"]
    assert a["enrolled"] == 7  # t's last day at A
    assert a["chronic_absent"] == 3
    assert a["chronic_absence_rate_pct"] == 42.9
    b = got["schools"]["sch-b"]
    # b1 absent on the 4th: 1 of 10 (10%): chronic; t and l are not at B yet.
    assert b["enrolled"] == 5 and b["chronic_absent"] == 1
    assert b["chronic_absence_rate_pct"] == 20.0


def test_the_sweep_and_the_daily_query_count_chronic_absence_alike(hand: Any) -> None:
    from trellis.attendance.rollups import chronic_on, chronic_sweep, settings_of, window_source
    from trellis.orgs.models import School

    ids = sorted(School.objects.filter(system=hand).values_list("pk", flat=True))
    own, source = settings_of(hand.pk), window_source(hand.pk)
    pairs = {(school_id, day) for school_id in ids for day in data.SEPTEMBER}
    swept = chronic_sweep(school_ids=ids, pairs=pairs, source=source, settings=own)
    for day in data.SEPTEMBER:
        by_query = {
            school_id: (counted, chronic)
            for school_id, counted, chronic in chronic_on(
                system_id=hand.pk, school_ids=ids, day=day, source=source, settings=own
            )
        }
        for school_id in ids:
            assert swept[(school_id, day)] == by_query.get(school_id, (0, 0)), (school_id, day)
    # Some days have chronic absentees, so the comparison says something.
    assert any(chronic for _counted, chronic in swept.values())
