"""The impact report's new figures against the hand computations of tests/surveys/data.py and
tests/surveys/guskey.py: Guskey's levels 3 (use of new practice) and 5 (student outcomes), the
charts (inline SVG: the right bars with the right values, no bar where a figure is suppressed),
the PDF, and the distribution and per-school changes the charts draw."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.surveys.data import build
from tests.surveys.guskey import add_attendance, add_practice


@pytest.fixture
def district(db: Any, tmp_path: Path) -> dict[str, Any]:
    d = build(tmp_path)
    add_practice(d)
    add_attendance(d)
    return d


def report_json(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_use_of_new_practice_matches_the_hand_computation(district: dict[str, Any]) -> None:
    p = report_json()["practice"]
    assert p["people_rated_twice"] == 6
    assert p["pct_improved"] == 66.7  # P1, P2, P4, P5 of six
    assert p["mean_change"] == 0.33  # (1 + 1 - 1 + 1 + 1 - 1) / 6
    (one_a,) = [v for k, v in p["competencies"].items() if k.startswith("1.A")]
    assert one_a == {"n": 5, "mean_change": 0.6}
    (one_b,) = [v for k, v in p["competencies"].items() if k.startswith("1.B")]
    assert one_b["n"] is None and one_b["mean_change"] is None
    assert "fewer than 5" in one_b["mean_change_reason"]


def test_student_outcomes_match_the_hand_computation(district: dict[str, Any]) -> None:
    o = report_json()["outcomes"]
    assert o["previous_year"]["absence_rate_pct"] == 9.1  # 20 / 220
    assert o["previous_year"]["chronic_absence_pct"] == 13.3  # 16 / 120
    assert o["this_year"]["absence_rate_pct"] == 6.0  # 15 / 250 (S5 is not served)
    assert o["this_year"]["chronic_absence_pct"] == 8.7  # 13 / 150, S1's last day
    assert o["absence_rate_change_pts"] == -3.1
    assert o["chronic_absence_change_pts"] == -4.7  # from the unrounded rates
    assert o["this_year"]["schools"] == 2 and o["previous_year"]["schools"] == 2


def test_student_outcomes_under_five_students_are_null_with_a_reason(
    district: dict[str, Any],
) -> None:
    from trellis.attendance.models import DailySchoolAttendance

    DailySchoolAttendance.objects.filter(date__year__lte=2017, date__month__lt=7).update(
        chronic_counted=1, chronic_absent=0
    )
    DailySchoolAttendance.objects.filter(date__year__lte=2016).update(chronic_counted=1)
    o = report_json()["outcomes"]
    assert o["previous_year"]["absence_rate_pct"] is None
    assert o["previous_year"]["absence_rate_pct_reason"] == "fewer than 5 students"
    assert o["absence_rate_change_pts"] is None and o["absence_rate_change_pts_reason"]
    assert o["this_year"]["absence_rate_pct"] == 6.0


def test_the_existing_paths_are_kept_and_the_conditions_distribution_counts_schools(
    district: dict[str, Any],
) -> None:
    c = report_json()["conditions"]
    assert c["at_target_boy_pct"] == 33.3 and c["improved_pct"] == 60.0
    # Beginning: S6 1.0, S2 2.0, S3 2.5, S5 2.5, S1 3.0 (exactly at target: upper band), S4 4.0.
    assert c["distribution_boy"] == {
        "1.0-1.5": 1,
        "1.5-2.0": 0,
        "2.0-2.5": 1,
        "2.5-3.0": 2,
        "3.0-3.5": 1,
        "3.5-4.0": 1,
    }
    # End: S2 2.5, S5 2.5, S3 3.0, S4 3.0, S1 4.0, S7 4.0.
    assert c["distribution_eoy"] == {
        "1.0-1.5": 0,
        "1.5-2.0": 0,
        "2.0-2.5": 0,
        "2.5-3.0": 2,
        "3.0-3.5": 2,
        "3.5-4.0": 2,
    }
    # Each school has one or two respondents: no school's change is shown.
    assert [e["school"] for e in c["by_school"]] == [f"School S{i}" for i in range(1, 6)]
    assert all(e["change"] is None for e in c["by_school"])
    assert all(e["change_reason"] == "fewer than 5 respondents" for e in c["by_school"])


def _bars(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r'<rect [^>]*data-value="([-0-9.e]+)"', svg)]


def test_the_svg_charts_draw_the_figures_and_no_bar_where_suppressed(
    district: dict[str, Any],
) -> None:
    from trellis.surveys.charts import charts, svg

    drawn = {c.key: c for c in charts(report_json())}
    dist = str(svg(drawn["conditions-distribution"]))
    assert 'role="img"' in dist and "<title" in dist and "<desc" in dist
    # Band by band, beginning then end: bars for every count but zero (a zero is a 1px bar).
    assert _bars(dist) == [1, 0, 0, 0, 1, 0, 2, 2, 1, 2, 1, 2]
    growth = str(svg(drawn["knowledge-growth"]))
    assert _bars(growth) == [20.83]  # ELA only: math is suppressed
    assert 'data-low="-9.84" data-high="51.5"' in growth
    assert "fewer than 5 people with both a pre and a post score" in growth
    sat = str(svg(drawn["satisfaction"]))
    assert _bars(sat) == [63.6, 50.0, 80.0]
    change = str(svg(drawn["conditions-change"]))
    assert _bars(change) == [] and change.count("fewer than 5 respondents") >= 5
    practice = str(svg(drawn["practice"]))
    assert _bars(practice) == [0.6]
    outcomes = str(svg(drawn["outcomes"]))
    assert _bars(outcomes) == [9.1, 6.0, 13.3, 8.7]
    assert "Absence rate: Previous year 9.1%, This year 6.0%" in outcomes


def test_the_html_has_each_chart_with_its_table_and_the_definitions(
    district: dict[str, Any],
) -> None:
    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="html", stdout=out)
    html = out.getvalue()
    assert html.count("<svg") == 7
    assert html.count('class="table table-sm align-middle impact-data"') == 7
    for name in ("School conditions score", "Knowledge growth", "Use of new practice"):
        assert f"<dt>{name}</dt>" in html
    assert "Student&#x27;s t with n - 1" in html
    assert "Absence rate, previous year" in html


def test_the_pdf_is_made_from_the_same_html(district: dict[str, Any], tmp_path: Path) -> None:
    from trellis.surveys.impact import impact_report
    from trellis.surveys.printing import report_html

    target = tmp_path / "impact.pdf"
    call_command("impact_report", system="metro", year=2018, format="pdf", output=str(target))
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000 and pdf.rstrip().endswith(b"%%EOF")
    # The text WeasyPrint lays out on the PDF's pages (pypdf is not installed to read it back):
    # the figures are there, and the charts are drawn from the same HTML.
    from weasyprint import HTML

    html = report_html(impact_report(system=district["system"], year=2018))
    assert "<svg" in html
    document = HTML(string=html).render()
    text = " ".join(_texts(page._page_box) for page in document.pages)
    for figure in ("33.3%", "20.83", "-9.84 to 51.50", "63.6%", "66.7%", "9.1%", "-3.10"):
        assert figure in text, figure
    assert "Definitions" in text and "Use of new practice" in text
    # Titled with the system's name, not its code (the walk); a program's file named apart.
    assert "Impact report: Metro Public Schools, 2017-18" in " ".join(text.split())
    from trellis.surveys.printing import pdf_filename

    program = impact_report(system=district["system"], year=2018, program=district["fellowship"])
    assert pdf_filename(program) == f"impact-metro-program-{district['fellowship'].pk}-2018.pdf"


def _texts(box: Any) -> str:
    own = getattr(box, "text", "") or ""
    return " ".join([own, *(_texts(child) for child in getattr(box, "children", []))])


def test_the_outcomes_drill_down_lists_each_school_served(district: dict[str, Any]) -> None:
    """S1: 2016-17 18/200 = 9.0% absent, chronic 12/100; 2017-18 10/200 = 5.0%, chronic 8/100
    (its last day). S2 only this year, S3 only last year; S4 has no attendance: not listed;
    S5 is not served."""
    from trellis.surveys.impact import impact_schools

    columns, rows = impact_schools(
        system=district["system"], year=2018, program=None, level="outcomes"
    )
    assert columns[0] == "Absence rate, previous year"
    assert {r.school.name: r.cells for r in rows} == {
        "School S1": ["9.0%", "12.0%", "5.0%", "8.0%"],
        "School S2": [
            "no attendance recorded",
            "no attendance recorded",
            "10.0%",
            "10.0%",
        ],
        "School S3": ["10.0%", "20.0%", "no attendance recorded", "no attendance recorded"],
    }


def test_a_change_chart_over_many_schools_counts_schools_per_band() -> None:
    """Over 30 schools the chart counts schools per band of change (each school stays in the
    drill-down): 10 fell by more than 0.5, 5 by up to 0.5, 3 unchanged, 12 rose by up to 0.5,
    2 by more; 4 withheld."""
    from trellis.surveys.charts import _school_changes, svg

    changes = [-0.75] * 10 + [-0.25] * 5 + [0.0] * 3 + [0.5] * 12 + [1.0] * 2 + [None] * 4
    rows = [
        {"school": f"S{n}", "change": c, "change_reason": "fewer than 5 respondents"}
        for n, c in enumerate(changes)
    ]
    drawn = str(svg(_school_changes("conditions-change", "Change", rows, "conditions")))
    assert _bars(drawn) == [10, 5, 3, 12, 2]
    assert "4 schools with fewer than 5 respondents" in drawn
