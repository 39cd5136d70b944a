"""In the browser (with axe): a coach logs a session with next steps, uploads a video of the
coachee's practice to it (the tiny WebM in tests/coaching/fixtures), leaves a comment at a time
stamp, clicks the time stamp and the player is at that moment. The player loads the file
through the authorized view, by HTTP range requests."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.coaching.video_world import FIXTURE
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coach_uploads_a_video_and_a_comment_seeks_the_player(
    page: Page, site: tuple[str, World]
) -> None:
    base, _ = site
    sign_in(page, base, "coach@riverbend.test")
    caseload = page.get_by_role("region", name="Your caseload")
    caseload.get_by_role("link", name="Paula Prince").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching of Paula Prince")
    page.get_by_role("link", name="Log a session").click()
    page.get_by_label("Date").fill("2026-03-09")
    page.get_by_label("Length (minutes)").fill("45")
    page.get_by_label("Mode").select_option("observation")
    page.get_by_label("Notes").fill("Watched the 4th-grade math block together on video.")
    page.get_by_label("Next step 1", exact=True).fill("Script three wait-time prompts")
    page.get_by_label("Next step 1: owner").select_option("coachee")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Session with Paula Prince logged.")).to_be_visible()
    expect(page.get_by_text("Script three wait-time prompts")).to_be_visible()

    # The video, uploaded to the session.
    page.get_by_role("link", name="Add a video").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add a video of Paula Prince's practice"
    )
    assert_accessible(page)
    page.get_by_label("Title").fill("4th-grade math block")
    page.get_by_label("Upload a video").set_input_files(str(FIXTURE))
    page.get_by_role("button", name="Add the video").click()
    expect(page.get_by_text("Video added: 4th-grade math block.")).to_be_visible()
    player = page.locator("video#player")
    # The player reads the file through the authorized view (metadata, then ranges).
    page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=15000)
    assert player.evaluate("v => Math.round(v.duration)") == 6
    assert_accessible(page)

    # A comment at 0:04, tagged to a competency.
    page.get_by_label("At (m:ss)").fill("0:04")
    page.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "Here the wait time doubles: hands go up."
    )
    competencies = page.get_by_label("Competencies", exact=True)
    competencies.select_option(index=0)
    page.get_by_role("button", name="Add the comment").click()
    expect(page.get_by_text("Comment added at 0:04.")).to_be_visible()
    expect(page.get_by_text("Here the wait time doubles: hands go up.")).to_be_visible()
    assert_accessible(page)

    # Clicking the time stamp seeks the player there (no page load: the script seeks).
    page.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=15000)
    url_before = page.url
    page.get_by_role("link", name="Go to 0:04 in the video").click()
    page.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 4) < 0.01"
    )
    assert page.url == url_before
    assert player.evaluate("v => v.currentTime") == pytest.approx(4, abs=0.01)

    # "Use the player's time" fills the moment from where the player is.
    page.get_by_role("button", name="Use the player's time").click()
    expect(page.get_by_label("At (m:ss)")).to_have_value("0:04")
