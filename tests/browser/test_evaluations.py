"""In the browser (with axe): the evaluator finds Paula's evaluation waiting on her (the
mid-year review and the summative rating not yet open while her self-assessment and goals are
not complete); once they are, completes it from their home page (mid-year notes, summative
ratings with evidence, a sign-off refused while a competency is unrated, then signed off); Paula
acknowledges it from her home page with a response; the locked evaluation shows no forms any
more."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.browser.test_coaching import sign_out
from tests.conftest import World
from tests.evaluations.world import goals_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rate(page: Page, *, leave_last: bool) -> None:
    form = page.locator("form[aria-labelledby=summative-h]")
    groups = form.locator("fieldset")
    count = groups.count()
    assert count >= 2
    for i in range(count - 1 if leave_last else count):
        group = groups.nth(i)
        group.get_by_role("radio").nth(1).check()
        group.get_by_role("textbox").fill(f"Evidence {i}: seen in the spring walkthroughs")
    form.get_by_role("button", name="Save the summative ratings").click()
    expect(page.get_by_text("Summative ratings saved as a draft")).to_be_visible()


def test_evaluator_completes_the_cycle_and_evaluatee_acknowledges(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site

    sign_in(page, base, "evaluator@riverbend.test")
    panel = page.get_by_role("region", name="Evaluations you conduct")
    expect(panel.get_by_role("link", name="Paula Prince")).to_be_visible()
    assert_accessible(page)
    panel.get_by_role("link", name="Paula Prince").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paula Prince")
    # Paula has not assessed herself: the evaluator's stages are not open yet, and say why.
    expect(page.get_by_text("Summative rating: not yet open.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign off the evaluation")).to_have_count(0)
    expect(page.get_by_label("Mid-year review notes")).to_have_count(0)
    assert_accessible(page)
    evaluation_url = page.url

    goals_set(world)  # Paula's self-assessment and goals (the new test walks them in the browser)
    page.reload()

    page.get_by_label("Mid-year review notes").fill("Data meetings run every two weeks now.")
    page.get_by_role("button", name="Save the mid-year review").click()
    expect(page.get_by_text("Mid-year review notes saved.")).to_be_visible()

    rate(page, leave_last=True)
    page.get_by_role("button", name="Sign off the evaluation").click()
    expect(page.get_by_text("Rate every competency before signing off")).to_be_visible()
    assert_accessible(page)
    rate(page, leave_last=False)
    page.get_by_role("button", name="Sign off the evaluation").click()
    expect(page.get_by_text("Signed off: the evaluation is locked.")).to_be_visible()
    expect(page.get_by_role("button", name="Save the summative ratings")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, "principal@riverbend.test")
    asks = page.get_by_role("region", name="Your evaluation")
    expect(asks.get_by_text("acknowledge your signed-off evaluation")).to_be_visible()
    asks.get_by_role("link", name="Principal evaluation").click()
    expect(page.get_by_text("Evidence 0: seen in the spring walkthroughs")).to_be_visible()
    expect(page.get_by_text("Data meetings run every two weeks now.")).to_be_visible()
    page.get_by_label("Your response (optional)").fill("I agree; next year I want more feedback.")
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Acknowledged. Thank you.")).to_be_visible()
    expect(page.get_by_text("I agree; next year I want more feedback.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    assert_accessible(page)
    assert page.url == evaluation_url
