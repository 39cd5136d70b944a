"""Fixes of branch learn3 (issue 11, after the third browser walk):

- the conditions chart says once that no school was rated, not in every cell (a program's
  report, a year not surveyed); with one point missing, its reason is the chart's note;
- the report's heading and its school-year picker name a year alike ("2017-18");
- the knowledge drill-down says which subjects are withheld (fewer than 5 people), not that
  there is no data;
- the satisfaction drill-down suppresses complementarily, like knowledge and practice;
- the web form: once submitted, changes are submitted too (a draft would leave a counted
  submission with questions unanswered); the home page lists the forms open to the person.
"""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.utils import timezone

from tests.conftest import World
from tests.surveys.test_impact_walk import client, district
from tests.surveys.test_web_form import OPEN_DAY, administration, post
from tests.surveys.world import surveyed
from trellis.surveys.models import Submission

__all__ = ["district"]


def test_the_conditions_chart_says_once_that_no_school_was_rated(world: World) -> None:
    surveyed(world)  # one school rated at the beginning of 2017-18, none at the end
    page = world.client("leader").get("/impact/?system=riverbend&year=2018").content.decode()
    assert page.count("no schools rated at the end of the year") == 1
    assert page.count("fewer than 5 schools rated at the beginning of the year") == 1
    assert 'data-chart="conditions-distribution"' not in page


def test_a_conditions_chart_with_one_point_missing_gives_its_reason_once(world: World) -> None:
    from trellis.surveys.charts import figures, svg
    from trellis.surveys.impact import impact_report

    surveyed(world)
    report = impact_report(system=world.system, year=2018)
    conditions = report["conditions"]
    conditions["distribution_boy"] = {band: 1 for band in conditions["bands"]}
    figure = figures(report)["conditions"][0]
    assert figure.chart.key == "conditions-distribution"
    assert figure.chart.note == "End of year: no schools rated at the end of the year"
    assert [row[2] for row in figure.rows] == ["—"] * len(conditions["bands"])
    assert (
        str(svg(figure.chart)).count("no schools rated at the end of the year") == 2
    )  # note, desc


def test_the_heading_and_the_year_picker_name_the_year_alike(world: World) -> None:
    surveyed(world)
    page = world.client("leader").get("/impact/?system=riverbend&year=2018").content.decode()
    assert "Impact report: Riverbend Public Schools, 2017-18" in page
    assert '<option value="2018" selected>2017-18</option>' in page
    assert "2017\u20132018" not in page


def test_the_knowledge_drill_down_says_a_subject_is_withheld(
    district: dict[str, Any], settings: Any
) -> None:
    """Metro 2017-18: ELA has 6 people with both scores, math 3 (tests/surveys/data.py)."""
    c = client(district, "leader")
    url = "/impact/schools/?system=metro&year=2018&level=knowledge"
    page = c.get(url).content.decode()
    assert "Withheld (fewer than 5 people): Math." in page
    assert "School S1" in page  # ELA's schools are still listed
    # Both subjects withheld: the page says so, not that there is no data.
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 7
    page = c.get(url).content.decode()
    assert "Withheld (fewer than 7 people): ELA, Math." in page
    assert "No school has data" not in page


def test_the_satisfaction_drill_down_suppresses_complementarily(
    district: dict[str, Any], settings: Any
) -> None:
    """Satisfaction respondents: S1 2, S2 2, S3 2, and one more at S4 added here (7 in all). At a
    threshold of 2, S4 alone is withheld: the report's total minus the others would give it
    back, so one more school (S1, S2 or S3) is withheld with it."""
    from trellis.orgs.models import School
    from trellis.surveys.models import Administration, Response

    settings.TRELLIS_SUPPRESSION_THRESHOLD = 2
    administration = Administration.objects.get(instrument__code="sat")
    item = administration.instrument.items.get(code="Q1")
    s4 = School.objects.get(name="School S4")
    submission = Submission.objects.create(
        administration=administration, school=s4, submitted_at=timezone.now()
    )
    Response.objects.create(submission=submission, item=item, value=5)
    c = client(district, "leader")
    rows = c.get("/impact/schools/?system=metro&year=2018&level=satisfaction&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    by_school = {line.split(",")[0]: line.split(",", 1)[1] for line in csv[1:]}
    assert by_school["School S4"] == "fewer than 2,—"
    hidden = [s for s in ("School S1", "School S2", "School S3") if by_school[s] == "not shown,—"]
    assert len(hidden) == 1
    shown = sum(int(v.split(",")[0]) for v in by_school.values() if v[0].isdigit())
    assert 7 - shown >= 2


@time_machine.travel(OPEN_DAY)
def test_a_submitted_answer_does_not_go_back_to_a_draft(world: World) -> None:
    made = administration(world, anonymous=False)
    client_ = world.client("teacher")
    post(client_, made, "3", submit=True)
    page = client_.get(f"/surveys/administrations/{made.pk}/respond/").content.decode()
    assert "Submit my changes" in page and "Save and finish later" not in page
    # A "save" sent anyway (an old page) with the answer left out is a submission: refused.
    response = post(client_, made, None, submit=False)
    assert response.status_code == 200
    assert "Answer this question before you submit." in response.content.decode()
    submission = Submission.objects.get(administration=made)
    assert submission.submitted_at is not None
    assert [r.value for r in submission.responses.all()] == [3]


def test_the_home_page_lists_the_forms_open_to_the_person(world: World) -> None:
    made = administration(world, anonymous=True)
    url = f"/surveys/administrations/{made.pk}/respond/"
    with time_machine.travel(OPEN_DAY):
        home = world.client("teacher").get("/").content.decode()
        assert "Surveys to answer" in home and f'href="{url}"' in home
        assert "not answered yet" in home
        post(world.client("teacher"), made, "3", submit=False)
        assert "saved: finish and submit" in world.client("teacher").get("/").content.decode()
        post(world.client("teacher"), made, "3", submit=True)
        # Anonymous: answered once and for all (nothing links the answers to change them).
        home = world.client("teacher").get("/").content.decode()
        assert "answered</li>" in home and "you may change" not in home
        # Another system's administrator is not asked: no panel.
        assert "Surveys to answer" not in world.client("admin_b").get("/").content.decode()
    # Once the form has closed it is no longer listed.
    with time_machine.travel(datetime.datetime(2025, 10, 1, 12, tzinfo=datetime.UTC)):
        assert "Surveys to answer" not in world.client("teacher").get("/").content.decode()


def test_a_form_with_a_first_answer_does_not_move_the_report_onto_its_year(world: World) -> None:
    """The report opens on the newest year answered by at least 5 (the demo's open form, once a
    demo user has answered it, would otherwise open the report on a year with nothing shown)."""
    from trellis.surveys.models import Administration, Response

    surveyed(world)  # 2017-18: five respondents
    base = Administration.objects.get(school_year=2018)
    newer = Administration.objects.create(
        instrument=base.instrument, system=world.system, window="moy", school_year=2019
    )
    submission = Submission.objects.create(
        administration=newer, school=world.school, submitted_at=timezone.now()
    )
    Response.objects.create(submission=submission, item=base.instrument.items.get(), value=3)
    page = world.client("leader").get("/impact/?system=riverbend").content.decode()
    assert "Impact report: Riverbend Public Schools, 2017-18" in page
    assert '<option value="2019">2018-19</option>' in page
