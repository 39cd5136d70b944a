"""In the browser (with axe): a supervisor logs a session with next steps from their home page's
caseload; the coachee reads it, comments and marks a step done; the evaluator sees the session
without its notes until the coachee shares it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES = "Sam and Paula walked the 2nd-grade hall; questioning varies a lot."


def sign_out(page: Page) -> None:
    nav = page.locator("nav[aria-label=Main]")
    nav.get_by_role("button", name=re.compile("^Your account")).click()
    nav.get_by_role("button", name="Sign out").click()


def test_supervisor_logs_a_session_coachee_comments_and_shares(
    page: Page, site: tuple[str, World]
) -> None:
    base, _ = site

    # The supervisor starts from the caseload on their home page.
    sign_in(page, base, "supervisor@riverbend.test")
    caseload = page.get_by_role("region", name="Your caseload")
    expect(caseload.get_by_role("link", name="Paula Prince")).to_be_visible()
    assert_accessible(page)
    caseload.get_by_role("link", name="Paula Prince").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching of Paula Prince")
    assert_accessible(page)
    # At 375px the buttons beside the heading wrap: the page does not scroll sideways (walk of
    # stop 23: 477px wide).
    page.set_viewport_size({"width": 375, "height": 740})
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Log a session").click()
    expect(page.get_by_text("Draft the data calendar")).to_be_visible()  # carried over
    page.get_by_label("Date").fill("2026-03-02")
    page.get_by_label("Length (minutes)").fill("40")
    page.get_by_label("Mode").select_option("walkthrough")
    page.get_by_label("Protocol").select_option(label="Riverbend data dive")
    page.get_by_label("Notes").fill(NOTES)
    page.get_by_label("Next step 1", exact=True).fill("Model one questioning routine")
    page.get_by_label("Next step 1: owner").select_option("coachee")
    page.get_by_label("Next step 2", exact=True).fill("Send the routine write-up")
    page.get_by_label("Next step 2: owner").select_option("coach")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Session with Paula Prince logged.")).to_be_visible()
    expect(page.get_by_text(NOTES)).to_be_visible()
    expect(page.get_by_text("Model one questioning routine")).to_be_visible()
    assert_accessible(page)
    session_url = page.url
    sign_out(page)

    # The evaluator reads the session, not its notes.
    sign_in(page, base, "evaluator@riverbend.test")
    page.goto(session_url)
    expect(page.get_by_text("Model one questioning routine")).to_be_visible()
    expect(page.get_by_text(NOTES)).to_have_count(0)
    sign_out(page)

    # Paula finds it from her home page, comments, marks her step done and shares it.
    sign_in(page, base, "principal@riverbend.test")
    page.get_by_role("link", name="Your sessions").click()
    page.get_by_role("table").get_by_role("link", name="Mar 2, 2026").click()
    expect(page.get_by_text(NOTES)).to_be_visible()
    page.get_by_label("Your comment").fill("I will try it with the 2nd-grade team.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_text("I will try it with the 2nd-grade team.")).to_be_visible()
    page.get_by_role("button", name="Mark done").first.click()
    expect(page.get_by_role("button", name="Reopen").first).to_be_visible()
    page.get_by_role("button", name="Share with my supervisor and evaluator").click()
    expect(page.get_by_text("Shared with your supervisor and evaluator.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Now the evaluator reads the notes and the comment.
    sign_in(page, base, "evaluator@riverbend.test")
    page.goto(session_url)
    expect(page.get_by_text(NOTES)).to_be_visible()
    expect(page.get_by_text("I will try it with the 2nd-grade team.")).to_be_visible()
