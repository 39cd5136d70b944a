"""In the browser (with axe): a district leader opens the impact report from the navigation and
goes from a figure to the schools behind it, where a school with fewer than 5 respondents keeps
its score hidden."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World
from tests.surveys.world import knowledge_given, pine_surveyed, surveyed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_drills_from_a_figure_to_the_schools(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    surveyed(world)
    pine_surveyed(world)
    sign_in(page, base, "leader@riverbend.test")
    page.get_by_role("link", name="Impact", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Impact report: Riverbend Public Schools, 2017-18"
    )
    expect(page.get_by_role("heading", name="Definitions")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Schools at target, beginning of year").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The schools behind the conditions figures"
    )
    oak = page.get_by_role("row", name="Oak Hill Elementary")
    expect(oak).to_contain_text("3.20")
    expect(page.get_by_role("row", name="Pine Ridge Middle")).to_contain_text(
        "fewer than 5 respondents"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Impact report, 2017-18").click()
    expect(page.get_by_role("heading", name="School conditions")).to_be_visible()


def test_a_leader_goes_from_a_figure_to_the_schools_and_then_to_people(
    page: Page, site: tuple[str, World]
) -> None:
    """The report draws each level as an SVG chart with its table; from the knowledge figures
    the leader opens the schools behind them, then the people (pre and post scores)."""
    base, world = site
    surveyed(world)
    knowledge_given(world)
    sign_in(page, base, "leader@riverbend.test")
    page.goto(f"{base}/impact/?system=riverbend&year=2018")
    chart = page.get_by_role("img", name="Knowledge growth by subject")
    expect(chart).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="The schools behind these figures (Teacher knowledge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The schools behind the knowledge figures"
    )
    # Two people with both scores, both at Oak Hill, in the only subject: the report withholds
    # the subject (fewer than 5), so no school is listed for it (its people would otherwise come
    # back by subtraction; decisions.md, learn2). The page says that the subject is withheld,
    # not that there is no data (learn3).
    expect(page.get_by_text("Withheld (fewer than 5 people): ELA.")).to_be_visible()
    expect(page.get_by_text("No school has data for this level in this year.")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="The people behind these figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The people behind the knowledge figures"
    )
    teller = page.get_by_role("row", name="Teller, Tomas")
    expect(teller).to_contain_text("50.0")
    expect(teller).to_contain_text("100.0")
    expect(page.get_by_role("row", name="Colleague, Cora")).to_contain_text("0.0")
    assert_accessible(page)


def test_the_report_fits_a_phone_screen_without_sideways_scrolling(
    page: Page, site: tuple[str, World]
) -> None:
    """M2 (imp4): at 375px the charts (772px drawn) scale to the page: nothing scrolls sideways."""
    base, world = site
    surveyed(world)
    pine_surveyed(world)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base, "leader@riverbend.test")
    page.goto(f"{base}/impact/?system=riverbend&year=2018")
    expect(page.get_by_role("heading", name="Definitions")).to_be_visible()
    chart = page.locator("svg.impact-chart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
