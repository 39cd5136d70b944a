"""Issue 10's browser test, as written: "a supervisor logs a session with next steps, comments on
a video at a time stamp (the player seeks there), completes an evaluation cycle through
acknowledgement" (with axe on every page on the way).

One supervisor, Sam, does all of it for Paula, a principal on his caseload: he logs a coaching
session with next steps; uploads a video of her practice to it, comments at 0:04, and clicking
the time stamp puts the player at 4 s; then walks this year's supervision cycle, in which he is
her evaluator, through every stage. Paula, signed in as herself in a second browser context,
submits her self-assessment, sets her goals and, after Sam's sign-off, acknowledges with a
response. Stages run in order: before Paula's self-assessment Sam's stages say they are not yet
open, and why."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CSP_LISTENER, watch_csp
from tests.browser.test_browser import assert_accessible, sign_in
from tests.coaching.video_world import FIXTURE
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CYCLE = "Supervision cycle 2026-27"
NOTES = "Walked the 3rd-grade hall with Paula; exit tickets are used in two rooms of six."


def supervision_cycle(world: World) -> None:
    """This year's cycle in which Sam, Paula's supervisor, is her evaluator: her evaluation
    assignment to Eve ended yesterday, so the cycle opening today finds her supervisor."""
    from django.utils import timezone

    from tests.evaluations.world import world_version
    from trellis.assignments.models import Assignment
    from trellis.assignments.services import assignment_end
    from trellis.authz.roles import Relationship
    from trellis.evaluations.models import Evaluation
    from trellis.evaluations.services import cycle_create

    assignment = Assignment.objects.get(
        kind=Relationship.EVALUATION, assignee=world.principal_person, ends_on__isnull=True
    )
    assignment_end(actor=None, assignment=assignment)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    made = cycle_create(
        actor=None,
        system=world.system,
        title=CYCLE,
        school_year="2027-28",
        population="principal",
        version=world_version(world),
        opens_on=today,
        self_assessment_due=today + 14 * day,
        goals_due=today + 30 * day,
        midyear_due=today + 120 * day,
        summative_due=today + 200 * day,
        acknowledgement_due=today + 215 * day,
    )
    evaluation = Evaluation.objects.get(cycle=made.cycle, evaluatee=world.principal_person)
    assert evaluation.evaluator == world.users["supervisor"].person


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """A second browser context (its own cookies), held to the same Content-Security-Policy
    checks as the `page` fixture's."""
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    violations: list[str] = []
    watch_csp(page, violations)
    yield page
    context.close()
    assert not violations, "Content-Security-Policy:\n" + "\n".join(violations)


def rate_every_competency(page: Page, form_label: str, evidence: str) -> int:
    """Choose a level and write the evidence for every competency of a rubric form."""
    form = page.locator(f"form[aria-labelledby={form_label}]")
    groups = form.locator("fieldset")
    count = groups.count()
    assert count >= 2
    for i in range(count):
        group = groups.nth(i)
        group.get_by_role("radio").nth(1).check()
        group.get_by_role("textbox").fill(f"{evidence} {i}")
    return count


def test_supervisor_session_video_and_evaluation_cycle(
    page: Page, second_page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    supervision_cycle(world)
    sam, paula = page, second_page

    # 1. Sam logs a coaching session with next steps, from the caseload on his home page.
    sign_in(sam, base, "supervisor@riverbend.test")
    caseload = sam.get_by_role("region", name="Your caseload")
    expect(caseload.get_by_role("link", name="Paula Prince")).to_be_visible()
    assert_accessible(sam)
    caseload.get_by_role("link", name="Paula Prince").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Coaching of Paula Prince")
    sam.get_by_role("link", name="Log a session").click()
    sam.get_by_label("Date").fill("2026-03-09")
    sam.get_by_label("Length (minutes)").fill("45")
    sam.get_by_label("Mode").select_option("walkthrough")
    sam.get_by_label("Notes").fill(NOTES)
    sam.get_by_label("Next step 1", exact=True).fill("Plan exit tickets with the 3rd-grade team")
    sam.get_by_label("Next step 1: owner").select_option("coachee")
    sam.get_by_label("Next step 2", exact=True).fill("Send Paula the exit-ticket bank")
    sam.get_by_label("Next step 2: owner").select_option("coach")
    assert_accessible(sam)
    sam.get_by_role("button", name="Save").click()
    expect(sam.get_by_text("Session with Paula Prince logged.")).to_be_visible()
    expect(sam.get_by_text("Plan exit tickets with the 3rd-grade team")).to_be_visible()
    expect(sam.get_by_text("Send Paula the exit-ticket bank")).to_be_visible()
    assert_accessible(sam)

    # 2. A video of Paula's practice, uploaded to the session; a comment at 0:04; clicking its
    # time stamp seeks the player there (the file comes through the authorized view by ranges).
    sam.get_by_role("link", name="Add a video").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(
        "Add a video of Paula Prince's practice"
    )
    assert_accessible(sam)
    sam.get_by_label("Title").fill("3rd-grade exit tickets")
    sam.get_by_label("Upload a video").set_input_files(str(FIXTURE))
    sam.get_by_role("button", name="Add the video").click()
    expect(sam.get_by_text("Video added: 3rd-grade exit tickets.")).to_be_visible()
    player = sam.locator("video#player")
    sam.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=15000)
    sam.get_by_label("At (m:ss)").fill("0:04")
    sam.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "Here the exit ticket goes out before the lesson's end."
    )
    sam.get_by_role("button", name="Add the comment").click()
    expect(sam.get_by_text("Comment added at 0:04.")).to_be_visible()
    expect(
        sam.get_by_text("Here the exit ticket goes out before the lesson's end.")
    ).to_be_visible()
    assert_accessible(sam)
    sam.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=15000)
    assert player.evaluate("v => v.currentTime") == 0
    sam.get_by_role("link", name="Go to 0:04 in the video").click()
    sam.wait_for_function(
        "() => Math.abs(document.getElementById('player').currentTime - 4) < 0.01"
    )
    assert player.evaluate("v => v.currentTime") == pytest.approx(4, abs=0.01)

    # 3. The evaluation cycle. Sam opens Paula's evaluation from his home page: his stages are
    # not open until hers are complete, and the page says why.
    sam.goto(f"{base}/")
    panel = sam.get_by_role("region", name="Evaluations you conduct")
    # Eve's unsigned evaluation of this school year waits under "To take over" (her
    # assignment ended); his own, of the new cycle, comes first.
    expect(panel.get_by_role("list", name="To take over")).to_contain_text("Paula Prince")
    panel.get_by_role("link", name="Paula Prince").first.click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(f"Paula Prince: {CYCLE}")
    expect(sam.get_by_text("Mid-year review: not yet open.")).to_be_visible()
    expect(sam.get_by_text("Summative rating: not yet open.")).to_be_visible()
    expect(sam.get_by_role("button", name="Sign off the evaluation")).to_have_count(0)
    assert_accessible(sam)
    evaluation_url = sam.url

    # Paula, as herself: the self-assessment, then her goals.
    sign_in(paula, base, "principal@riverbend.test")
    asks = paula.get_by_role("region", name="Your evaluation")
    expect(asks.get_by_text("your self-assessment is asked")).to_have_count(2)  # two cycles
    asks.get_by_role("link", name=CYCLE, exact=True).click()
    expect(paula).to_have_url(evaluation_url)
    expect(paula.get_by_text("Goal setting: not yet open.")).to_be_visible()
    rate_every_competency(paula, "self-h", "My evidence")
    assert_accessible(paula)
    paula.get_by_role("button", name="Submit my self-assessment").click()
    expect(paula.get_by_text("Your self-assessment is submitted.")).to_be_visible()
    paula.get_by_label("Goal 1", exact=True).fill("Exit tickets in every 3rd-grade room by May")
    paula.locator("#id_goal_1_competencies").get_by_role("checkbox").first.check()
    assert_accessible(paula)
    paula.get_by_role("button", name="Save goals").click()
    expect(paula.get_by_text("Goals saved.")).to_be_visible()
    expect(
        paula.locator("li", has_text="Exit tickets in every 3rd-grade room by May")
    ).to_be_visible()

    # Sam: the mid-year review, the summative ratings with evidence, the sign-off.
    sam.reload()
    expect(sam.get_by_text("Mid-year review: not yet open.")).to_have_count(0)
    expect(
        sam.locator("li", has_text="Exit tickets in every 3rd-grade room by May")
    ).to_be_visible()
    sam.get_by_label("Mid-year review notes").fill("Exit tickets now in four rooms of six.")
    sam.get_by_role("button", name="Save the mid-year review").click()
    expect(sam.get_by_text("Mid-year review notes saved.")).to_be_visible()
    rate_every_competency(sam, "summative-h", "Seen on walkthroughs")
    sam.get_by_role("button", name="Save the summative ratings").click()
    expect(sam.get_by_text("Summative ratings saved as a draft")).to_be_visible()
    assert_accessible(sam)
    sam.get_by_role("button", name="Sign off the evaluation").click()
    expect(sam.get_by_text("Signed off: the evaluation is locked.")).to_be_visible()
    expect(sam.get_by_role("button", name="Save the summative ratings")).to_have_count(0)

    # Paula acknowledges, with a response.
    paula.goto(f"{base}/")
    asks = paula.get_by_role("region", name="Your evaluation")
    expect(asks.get_by_text("acknowledge your signed-off evaluation")).to_be_visible()
    asks.get_by_role("link", name=CYCLE, exact=True).click()
    expect(paula.get_by_text("Seen on walkthroughs 0", exact=True)).to_be_visible()
    expect(paula.get_by_text("Exit tickets now in four rooms of six.")).to_be_visible()
    paula.get_by_label("Your response (optional)").fill("Agreed; I want more feedback in spring.")
    assert_accessible(paula)
    paula.get_by_role("button", name="Acknowledge").click()
    expect(paula.get_by_text("Acknowledged. Thank you.")).to_be_visible()
    expect(paula.get_by_role("button", name="Acknowledge")).to_have_count(0)
    # The acknowledged evaluation is no longer asked of her; the home page still leads back.
    paula.goto(f"{base}/")
    asks = paula.get_by_role("region", name="Your evaluation")
    expect(asks.get_by_text("acknowledge your signed-off evaluation")).to_have_count(0)
    asks.get_by_role("link", name="All your evaluations").click()
    expect(paula.get_by_role("row").filter(has_text=CYCLE)).to_contain_text("Complete")
    assert_accessible(paula)

    # Sam sees the cycle complete, every stage done, with Paula's response.
    sam.reload()
    expect(sam.get_by_text("stage Complete")).to_be_visible()
    stages = sam.get_by_role("table", name="Stages of this evaluation")
    expect(stages.get_by_text(re.compile(r"^done [A-Z][a-z]{2} \d{1,2}, \d{4}"))).to_have_count(5)
    expect(sam.get_by_text("Agreed; I want more feedback in spring.")).to_be_visible()
    assert_accessible(sam)
