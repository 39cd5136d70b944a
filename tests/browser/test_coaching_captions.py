"""In the browser (with axe): a video without captions says so; its coach adds a WebVTT file;
the player loads it as a captions track through the authorized view (the Content-Security-
Policy allows it: same origin), and the transcript lists its cues, each opening the player at
its moment (issue 10, the fixes after the browser walk; WCAG 1.2.2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.coaching.video_world import CAPTIONS
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coach_adds_captions_the_player_shows_and_the_transcript_reads(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    sign_in(page, base, "coach@riverbend.test")
    page.goto(f"{base}/coaching/videos/{world.coaching['video']}/")
    expect(page.get_by_text("This video has no captions yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Captions (WebVTT)").set_input_files(
        FilePayload(name="meeting.vtt", mimeType="text/vtt", buffer=CAPTIONS)
    )
    page.get_by_role("button", name="Add the captions").click()
    expect(page.get_by_text("Captions added")).to_be_visible()
    expect(page.get_by_text("This video has no captions yet")).to_have_count(0)
    # The player reads the track (two cues) from the authorized view.
    page.wait_for_function(
        "() => { const t = document.getElementById('player').textTracks[0];"
        " return t && t.kind === 'captions' && t.cues && t.cues.length === 2; }",
        timeout=15000,
    )
    assert_accessible(page)
    page.get_by_role("link", name="Read the transcript").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transcript: Grade 3 data meeting")
    expect(page.get_by_text("Let's look at Tuesday's exit tickets.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Go to 0:02 in the video").click()
    expect(page.locator("video#player")).to_have_attribute(
        "src", f"/coaching/videos/{world.coaching['video']}/file/#t=2"
    )
