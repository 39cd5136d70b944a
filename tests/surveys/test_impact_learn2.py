"""The impact report's fixes after the browser walk (branch learn2), on the hand-worked
district of tests/surveys/data.py and the teams of tests/surveys/test_impact_walk.py:

- reach keeps a past year's students once the SIS has dropped that year's class rosters
  (soft-deleted enrollments that carry their dates);
- the knowledge drill-down suppresses complementarily, as the practice one does (a school of 1
  to 4 takes the next-smallest school with it), and leaves out subjects the report withholds;
- charts: long labels wrap (or end in "…") with the full label in a <title> and the table;
  beliefs colour a fall as the improvement and say so; satisfaction items are tabled once;
  subjects read "ELA"/"Math" as the instrument names them (the JSON keeps its lower-case keys).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management import call_command

from tests.surveys.test_impact_walk import D, add_teams, client, district, report_json

__all__ = ["district"]


def test_reach_keeps_a_past_years_students_after_the_sis_drops_its_rosters(
    district: dict[str, Any],
) -> None:
    from trellis.rosters.models import Enrollment

    add_teams(district)
    assert report_json()["reach"]["students"] == 13
    # A year later the SIS no longer lists 2017-18's classes: the import soft-deletes them.
    # Their dates still say that they held in 2017-18 (N14's ended before it began).
    Enrollment.objects.exclude(sourced_id="C1-N14").update(
        is_active=False, begins_on=D(2017, 8, 21), ends_on=D(2018, 6, 8)
    )
    reach = report_json()["reach"]
    # N0..N13 (N13's enrollment now carries the year's dates); not N14.
    assert reach["students"] == 14 and "students_reason" not in reach
    # Dropped without dates: nothing says when they held, so they do not count.
    Enrollment.objects.update(begins_on=None, ends_on=None)
    reach = report_json()["reach"]
    assert reach["students"] is None
    assert reach["students_reason"] == "no class roster for these teachers (and no reported count)"


def test_the_knowledge_drill_down_suppresses_complementarily(
    district: dict[str, Any], settings: Any
) -> None:
    """Scores with pre and post (person x subject): ELA P1, P2 (S1), P3 (S2), P4, P5 (S3), P6
    (S4); math P1, P2 (S1), P3 (S2). At a threshold of 2 both subjects are shown (n 6 and 3):
    S1 4, S2 2, S3 2, S4 1. S4 alone is withheld, so the report's total (9) minus the others
    would give it back: the next-smallest school (S2 or S3) is withheld with it."""
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 2
    c = client(district, "leader")
    rows = c.get("/impact/schools/?system=metro&year=2018&level=knowledge&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    by_school = {line.split(",")[0]: line.split(",", 1)[1] for line in csv[1:]}
    assert by_school["School S4"] == "fewer than 2,—"
    assert by_school["School S1"] == "4,+37.50"
    hidden = [s for s in ("School S2", "School S3") if by_school[s] == "not shown,—"]
    assert len(hidden) == 1
    shown = sum(int(v.split(",")[0]) for v in by_school.values() if v[0].isdigit())
    assert 9 - shown >= 2  # what the total leaves is never one school's alone
    # At a threshold of 4 math (3 people) is withheld in the report, so its scores are left
    # out of the schools too: S1 holds ELA's 2 only (fewer than 4), not 4.
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 4
    rows = c.get("/impact/schools/?system=metro&year=2018&level=knowledge&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    assert "School S1,fewer than 4,—" in csv


def test_chart_labels_wrap_and_keep_their_full_text() -> None:
    from trellis.surveys.charts import Chart, Line, Value, svg, wrap_label

    long = "1.1 Builds a shared vision of rigorous instruction with every team in the school"
    assert wrap_label("ELA") == ["ELA"]
    lines = wrap_label(long)
    assert len(lines) == 2 and all(len(line) <= 28 for line in lines)
    assert lines[0] == "1.1 Builds a shared vision" and lines[1].endswith("…")
    chart = Chart("practice", "Practice", "levels", ["Mean change"], lowest=-1, highest=1)
    chart.lines.append(Line(long, [Value(0.5, "+0.50 (95% CI 0.10 to 0.90, n 12)")]))
    drawn = str(svg(chart))
    assert f"<title>{long}</title>" in drawn
    assert "<tspan" in drawn and "1.1 Builds a shared vision</tspan>" in drawn
    # The value written after the bar fits inside the chart's width.
    width = int(re.search(r'width="(\d+)"', drawn).group(1))  # type: ignore[union-attr]
    x = float(re.findall(r'<text x="([0-9.]+)" y="[0-9.]+" font-size="11">', drawn)[-1])
    assert x + 6.2 * len("+0.50 (95% CI 0.10 to 0.90, n 12)") <= width


def test_beliefs_colour_a_fall_as_the_improvement_and_say_so() -> None:
    from trellis.surveys.charts import COLOURS, NEGATIVE, charts, svg

    report: dict[str, Any] = {
        "conditions": {"by_school": [{"school": "A", "change": 0.5}]},
        "knowledge": {},
        "beliefs": {"by_school": [{"school": "A", "change": -0.4}, {"school": "B", "change": 0.3}]},
        "satisfaction": {},
    }
    drawn = {c.key: c for c in charts(report)}
    beliefs = str(svg(drawn["beliefs-change"]))
    fall = re.search(r'<rect [^>]*fill="(#[0-9a-f]+)" data-value="-0.4"', beliefs)
    rise = re.search(r'<rect [^>]*fill="(#[0-9a-f]+)" data-value="0.3"', beliefs)
    assert fall and fall.group(1) == COLOURS[0]
    assert rise and rise.group(1) == NEGATIVE
    assert "Blue: a fall, the improvement; red: a rise" in beliefs
    assert "a fall is the improvement" in drawn["beliefs-change"].title
    conditions = str(svg(drawn["conditions-change"]))
    assert re.search(rf'fill="{COLOURS[0]}" data-value="0.5"', conditions)
    assert "Blue: a rise, the improvement; red: a fall" in conditions


def test_the_report_names_subjects_and_tables_satisfaction_items_once(
    district: dict[str, Any],
) -> None:
    report = report_json()
    # The JSON's paths keep the lower-case key; the name is the instrument's.
    assert report["knowledge"]["ela"]["name"] == "ELA"
    assert report["knowledge"]["math"]["name"] == "Math"
    page = client(district, "leader").get("/impact/?system=metro&year=2018").content.decode()
    assert '<th scope="row" class="fw-normal">ELA</th>' in page
    assert '<th scope="row" class="fw-normal">Math</th>' in page
    assert '<th scope="row" class="fw-normal">ela</th>' not in page
    item = '<th scope="row" class="fw-normal">Q1: The session was relevant.</th>'
    assert page.count(item) == 1
    from io import StringIO

    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="html", stdout=out)
    assert out.getvalue().count(item) == 1


def test_the_reach_drill_down_counts_each_schools_teacher_leaders_and_teachers(
    district: dict[str, Any], settings: Any
) -> None:
    """The reach drill-down listed the schools' names only. Teacher leaders (8): P1, P2, Q1, Q2
    at S1, P3 at S2, P4, P5 at S3, P6 at S4; the teachers on their teams (8) all at S1. At a
    threshold of 3, S2, S3 and S4 are under it (1, 2, 1): what the total leaves them, 4, pins
    none of them (1+2+1, 2+1+1, 1+1+2), so S1's 4 is shown."""
    add_teams(district)

    def by_school() -> dict[str, str]:
        response = client(district, "leader").get(
            "/impact/schools/?system=metro&year=2018&level=reach&format=csv"
        )
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        assert lines[0] == "School,Teacher leaders,Teachers reached"
        return {line.split(",")[0]: line.split(",", 1)[1] for line in lines[1:]}

    assert by_school() == {
        "School S1": "fewer than 5,8",
        "School S2": "fewer than 5,0",
        "School S3": "fewer than 5,0",
        "School S4": "fewer than 5,0",
    }
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 3
    assert by_school() == {
        "School S1": "4,8",
        "School S2": "fewer than 3,0",
        "School S3": "fewer than 3,0",
        "School S4": "fewer than 3,0",
    }
    page = client(district, "leader").get("/impact/schools/?system=metro&year=2018&level=reach")
    assert '<th scope="col">Teacher leaders</th>' in page.content.decode()
