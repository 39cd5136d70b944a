"""In the browser (with axe), branch learn8: a school's leadership team records its consensus
rating of the school's conditions from the team's page (a dimension left out first); the
session's manager gives a satisfaction survey to a past session's attendees from the session
page; a team's facilitator reports the students a member teaches."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.browser.test_coaching import sign_out
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_team_rates_conditions_and_the_manager_surveys_a_session(
    page: Page, site: tuple[str, World]
) -> None:
    from trellis.surveys.models import Administration, ConsensusRating
    from trellis.surveys.services import instruments_install

    base, world = site
    # The built-in instruments come with migration 0002, which an earlier browser test's flush
    # of the database takes away (as tests/browser/test_survey_form.py installs them).
    instruments_install()
    sign_in(page, base, "principal@riverbend.test")
    page.goto(f"{base}/learning/communities/{world.learning['leadership']}/")
    page.get_by_role("link", name="Record a consensus rating").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consensus rating of Oak Hill Elementary's conditions"
    )
    assert_accessible(page)
    page.get_by_label("School year (the year it ends)").fill("2026")
    for label, value in (
        ("Adequate time for collaboration", "3"),
        ("Diverse and distributed instructional leadership", "3"),
        ("Standards-aligned curriculum and assessments", "2"),
    ):
        page.get_by_label(label).select_option(value)
    page.get_by_role("button", name="Record the rating").click()
    expect(page.get_by_text("Rate “Limited, clear priorities” from 1 to 4.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Limited, clear priorities").select_option("4")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.get_by_text("The team's consensus rating is recorded.")).to_be_visible()
    assert ConsensusRating.objects.filter(school=world.school).count() == 4
    assert_accessible(page)

    page.goto(f"{base}/learning/sessions/{world.learning['past']}/")
    page.get_by_role("link", name="Give a satisfaction survey to the attendees").click()
    assert_accessible(page)
    page.get_by_role("button", name="Give the survey").click()
    expect(page.get_by_text("The satisfaction survey is given")).to_be_visible()
    expect(page.get_by_role("region", name="Satisfaction survey")).to_contain_text(
        "Professional Learning Satisfaction"
    )
    assert Administration.objects.filter(session_id=world.learning["past"]).exists()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, "teacher@riverbend.test")
    page.goto(f"{base}/learning/communities/{world.learning['plc']}/")
    page.get_by_role("link", name="Students taught").click()
    page.get_by_label("Team member").select_option(label=world.colleague.full_name)
    page.get_by_label("Students they teach").fill("24")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("The number of students is recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="24")).to_be_visible()
    assert_accessible(page)
