"""Every figure of the impact report against values worked out by hand (tests/surveys/data.py).

Conditions, school overall = mean of its dimension means (answers pooled, D1b reversed):
  beginning: S1 3.0, S2 2.0, S3 2.5, S4 4.0, S5 2.5, S6 1.0 -> at target (>= 3.0) S1, S4: 2/6
  end:       S1 4.0, S2 2.5, S3 3.0, S4 3.0, S5 2.5, S7 4.0 -> at target S1, S3, S4, S7: 4/6
  both: S1..S5; improved (end > beginning) S1, S2, S3: 3/5 (S5 equal, S4 fell)
Beliefs, school mean (B3 reversed): fell in S1, S2, S5 of S1..S5 -> 3/5.
Satisfaction: 11 answers to Q1, Q2 (the text item does not count), 7 favourable -> 63.6%;
  Q1: 3 of 6 -> 50.0%; Q2: 4 of 5 -> 80.0%.
Knowledge, ELA changes [50, 0, 25, 25, -25, 50] (P7 and P8 have one score only): n 6,
  improved 4/6 = 66.7%, mean 20.83, sd 29.2261, t(0.975, 5) = 2.570582 (published table),
  CI 20.8333 -/+ 2.570582 x 29.2261 / sqrt(6) = -9.84 to 51.50, d_z = 20.8333 / 29.2261 = 0.71.
  Math: three people with both -> every figure null with its reason.
Reach: P1..P6 active fellows at S1, S1, S2, S3, S3, S4 -> 4 schools, 1 system, 6 teacher leaders
  (leading no team: 0 teachers, 0 students).
Alumni: A1..A5 placed by June 2018 (A6 only later); A1's position ended in December 2017 ->
  4 of 5 retained = 80.0%.
"""

from __future__ import annotations

import json
import math
import statistics
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.surveys.data import ELA_CHANGES, build

T_975_5 = 2.570582  # Student's t, 0.975 quantile, 5 degrees of freedom (published tables)


@pytest.fixture
def district(db: Any, tmp_path: Path) -> dict[str, Any]:
    return build(tmp_path)


def report_json(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="json", stdout=out, **options)
    return json.loads(out.getvalue())


def dotted(report: dict[str, Any], path: str) -> Any:
    value: Any = report
    for part in path.split("."):
        value = value[part]
    return value


def test_every_path_of_the_issue_reaches_a_figure(district: dict[str, Any]) -> None:
    report = report_json()
    paths = [
        "conditions.at_target_boy_pct",
        "conditions.at_target_eoy_pct",
        "conditions.improved_pct",
        "conditions.schools_rated_both",
        "beliefs.pct_schools_decreased",
        "satisfaction.pct_favorable",
        "reach.schools",
        "reach.systems",
        "reach.teacher_leaders",
        "reach.teachers",
        "reach.students",
        "alumni.retention_pct",
    ]
    for subject in ("ela", "math"):
        paths += [
            f"knowledge.{subject}.{key}"
            for key in ("n", "pct_improved", "mean_change", "ci95_low", "ci95_high", "effect_size")
        ]
    for path in paths:
        dotted(report, path)  # KeyError if missing


def test_conditions_beliefs_and_satisfaction_match_the_hand_computation(
    district: dict[str, Any],
) -> None:
    report = report_json()
    assert report["school_year"] == "2017-18"
    c = report["conditions"]
    assert c["at_target_boy_pct"] == 33.3  # 2 of 6
    assert c["at_target_eoy_pct"] == 66.7  # 4 of 6
    assert c["improved_pct"] == 60.0  # 3 of 5
    assert c["schools_rated_both"] == 5
    assert report["beliefs"]["pct_schools_decreased"] == 60.0
    s = report["satisfaction"]
    assert s["pct_favorable"] == 63.6
    assert s["items"]["Q1"]["pct_favorable"] == 50.0
    assert s["items"]["Q2"]["pct_favorable"] == 80.0
    assert "Q3" not in s["items"]


def test_knowledge_growth_matches_an_independent_computation(district: dict[str, Any]) -> None:
    ela = report_json()["knowledge"]["ela"]
    mean = statistics.fmean(ELA_CHANGES)
    sd = statistics.stdev(ELA_CHANGES)
    half = T_975_5 * sd / math.sqrt(len(ELA_CHANGES))
    assert ela["n"] == 6
    assert ela["pct_improved"] == 66.7
    assert ela["mean_change"] == round(mean, 2) == 20.83
    assert ela["ci95_low"] == round(mean - half, 2) == -9.84
    assert ela["ci95_high"] == round(mean + half, 2) == 51.50
    assert ela["effect_size"] == round(mean / sd, 2) == 0.71


def test_a_subject_with_fewer_than_five_people_is_null_with_a_reason(
    district: dict[str, Any],
) -> None:
    math_ = report_json()["knowledge"]["math"]
    for key in ("n", "pct_improved", "mean_change", "ci95_low", "ci95_high", "effect_size"):
        assert math_[key] is None
        assert "fewer than 5" in math_[f"{key}_reason"]


def test_reach_and_alumni_retention_come_from_programs_and_positions(
    district: dict[str, Any],
) -> None:
    report = report_json()
    assert report["reach"]["schools"] == 4
    assert report["reach"]["systems"] == 1
    assert report["reach"]["teacher_leaders"] == 6
    # The fellows lead no learning community here (tests/surveys/test_impact_walk.py has teams).
    assert report["reach"]["teachers"] == 0 and report["reach"]["students"] == 0
    assert report["alumni"]["known"] == 5
    assert report["alumni"]["retention_pct"] == 80.0


def test_a_program_report_counts_only_its_own(district: dict[str, Any]) -> None:
    report = report_json(program=str(district["fellowship"].pk))
    assert report["program"] == "Teacher Leader Fellowship"
    # The surveys were given to the staff, not to the fellowship: no figures, with reasons.
    assert report["conditions"]["at_target_boy_pct"] is None
    assert report["conditions"]["at_target_boy_pct_reason"]
    assert report["reach"]["teacher_leaders"] == 6
    assert report["alumni"]["known"] == 0
    assert report["alumni"]["retention_pct"] is None


def test_the_html_report_has_tables_and_the_definitions(district: dict[str, Any]) -> None:
    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="html", stdout=out)
    html = out.getvalue()
    assert "School conditions" in html and "33.3%" in html
    assert "Definitions" in html and "Student&#x27;s t" in html


def test_a_schools_score_is_one_administrations_never_two_instruments_pooled(
    district: dict[str, Any], tmp_path: Path
) -> None:
    """The walk of stop 25: a district's own conditions instrument ("Pulse", sub-scales Trust
    and Workload) given in the same window as the built-in one pooled the two into one score,
    six dimensions, over a respondent count that was the largest of any item. S6 at the
    beginning: the built-in survey 1.0 from one person (every dimension 1); the pulse 3.0 from
    two (Trust 3 and 3, Workload 3 and 3). The school's score is the pulse's (more of its
    people answered), 3.0 over 2, not (1 + 1 + 3 + 3) / 4 = 2.0."""
    from tests.surveys.data import load
    from trellis.orgs.models import System
    from trellis.surveys.impact import Scope, school_scores

    load(
        tmp_path,
        "import_instrument",
        "pulse.csv",
        [
            "code,text,scale,subscale,reverse",
            "T1,I trust my colleagues.,agree4,Trust,0",
            "W1,My workload is manageable.,agree4,Workload,0",
        ],
        system="metro",
        code="pulse",
        title="Climate pulse",
        measures="conditions",
    )
    load(
        tmp_path,
        "import_responses",
        "pulse-boy.csv",
        ["respondent,school,item,value", "x1,S6,T1,3", "x1,S6,W1,3", "x2,S6,T1,3", "x2,S6,W1,3"],
        system="metro",
        instrument="pulse",
        window="boy",
        year=2018,
        anonymous=True,
    )
    scores = school_scores(Scope(System.objects.get(code="metro"), 2018, None), "conditions", "boy")
    s6 = district["schools"]["S6"].pk
    assert (scores[s6].overall, scores[s6].respondents) == (3.0, 2)
    s1 = district["schools"]["S1"].pk
    assert (scores[s1].overall, scores[s1].respondents) == (3.0, 1)  # the built-in's alone
