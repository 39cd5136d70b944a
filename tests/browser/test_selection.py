"""In the browser (with axe on every page): a selection cycle end to end. A member of staff
applies with a résumé; her principal recommends through the e-mailed link (which then says it
has been used); the committee screens and schedules an interview; two raters score it blind;
the committee reads the agreement, decides, sends the letters; the chair admits her into the
cohort. Once it has begun she records evidence that her coach signs off, and she is placed: the
placement shows on her person page as a position (issue 9: one test of the whole pipeline)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.browser.conftest import CSP_LISTENER, watch_csp
from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World
from tests.selection.world import PDF, competencies
from trellis.programs.models import Participant
from trellis.selection.models import Application, SelectionCycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser: Browser, base: str, email: str, violations: list[str]) -> Page:
    """A fresh browser context signed in as `email` (each user has their own cookies)."""
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watch_csp(page, violations)
    sign_in(page, base, email)
    return page


def last_link(pattern: str) -> str:
    found = re.search(pattern, str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return found.group(0)


def test_the_pipeline_from_application_to_placement(
    page: Page, browser: Browser, site: tuple[str, World]
) -> None:
    base, world = site
    violations: list[str] = []
    cycle = SelectionCycle.objects.select_related("version", "cohort").get(
        pk=world.selection["cycle"]
    )
    cohort_name = cycle.cohort.name

    # 1. Paula applies, signed in as herself.
    sign_in(page, base, "principal@riverbend.test")
    page.goto(f"{base}/selection/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Apply to {cohort_name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Apply to")
    assert_accessible(page)
    page.get_by_label("Why do you want to lead a school?").fill("Every child reads by grade 3.")
    # A draft first: she comes back to it from the selection page.
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator("#main")).to_contain_text("Your draft is saved")
    assert_accessible(page)
    page.goto(f"{base}/selection/")
    page.get_by_role("link", name="Continue your draft application").click()
    expect(page.get_by_label("Why do you want to lead a school?")).to_have_value(
        "Every child reads by grade 3."
    )
    page.get_by_label("Your track record of student outcomes").fill(
        "Grade 3 reading proficiency rose from 48% to 71% (2023-2025, state assessment)."
    )
    page.get_by_label("Résumé").set_input_files(
        files=FilePayload(name="cv.exe", mimeType="application/octet-stream", buffer=b"MZ")
    )
    page.get_by_label("Your principal's name").fill("Rhea Recommender")
    page.get_by_label("Your principal's e-mail address").fill("rhea@example.org")
    page.get_by_role("button", name="Submit my application").click()
    expect(page.locator("#main")).to_contain_text("is not accepted; upload a .docx, .pdf file")
    assert_accessible(page)
    page.get_by_label("Résumé").set_input_files(
        files=FilePayload(name="resume.pdf", mimeType="application/pdf", buffer=PDF)
    )
    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your application to")
    expect(page.locator("#main")).to_contain_text("has not written their recommendation yet")
    assert_accessible(page)
    application = Application.objects.get(cycle=cycle, applicant=world.principal_person)

    # 2. Her principal recommends through the e-mailed link, without an account.
    link = last_link(r"http://[^\s]+/recommend/[^\s/]+/")
    recommender = browser.new_context().new_page()
    watch_csp(recommender, violations)
    recommender.goto(link)
    expect(recommender.get_by_role("heading", level=1)).to_contain_text("Recommendation for")
    assert_accessible(recommender)
    level4 = cycle.version.levels.get(position=4)
    for item in cycle.recommendation_items.all():
        recommender.locator(f"input[name=level_{item.pk}][value='{level4.pk}']").check()
    recommender.get_by_label("Your recommendation").fill("Paula built our data culture.")
    recommender.get_by_role("button", name="Send my recommendation").click()
    expect(recommender.get_by_role("heading", level=1)).to_have_text("Thank you")
    recommender.goto(link)
    expect(recommender.get_by_role("heading", level=1)).to_have_text("This link has been used")
    assert_accessible(recommender)

    # 3. The committee screens her and schedules an interview with two raters.
    committee = as_user(browser, base, "committee@riverbend.test", violations)
    committee.goto(f"{base}/selection/applications/{application.pk}/")
    expect(committee.locator("#main")).to_contain_text("Paula built our data culture.")
    assert_accessible(committee)
    committee.get_by_label("Pass").check()
    committee.get_by_label("Note for the committee").fill("Strong outcomes; interview.")
    committee.get_by_role("button", name="Record screening").click()
    expect(committee.get_by_role("heading", name="Screening: Pass")).to_be_visible()
    committee.get_by_label("Panel").fill("panel_a@riverbend.test\npanel_b@riverbend.test")
    committee.get_by_role("button", name="Schedule the interview").click()
    expect(committee.locator("#main")).to_contain_text("Pat Panel (not submitted)")
    assert_accessible(committee)

    # 4. Two raters score blind: the second sees the first's scores only after submitting.
    items = competencies(cycle.version)
    levels = {lv.position: lv for lv in cycle.version.levels.all()}

    def rate(email: str, position: int) -> Page:
        rater = as_user(browser, base, email, violations)
        rater.goto(f"{base}/selection/applications/{application.pk}/")
        assert_accessible(rater)
        rater.get_by_role("link", name="Score the interview").click()
        assert_accessible(rater)
        for item in items:
            rater.locator(f"input[name=level_{item.pk}][value='{levels[position].pk}']").check()
        return rater

    first = rate("panel_a@riverbend.test", 3)
    first.get_by_role("button", name=re.compile("^Submit")).click()
    expect(first.locator("#main")).to_contain_text("Submitted.")
    second = rate("panel_b@riverbend.test", 4)
    expect(second.locator("#main")).not_to_contain_text("Pat Panel")
    second.get_by_role("button", name=re.compile("^Submit")).click()
    expect(second.locator("#main")).to_contain_text("Pat Panel")
    assert_accessible(second)

    # 5a. The chair (on the committee; the interview was scheduled by another member) closes
    # the panel's scoring, records the consensus and locks the scores.
    chair = as_user(browser, base, "chair@riverbend.test", violations)
    chair.goto(f"{base}/selection/applications/{application.pk}/")
    chair.get_by_role("button", name="Close the panel's scoring and agree a consensus").click()
    expect(chair.get_by_role("heading", name="The committee's consensus")).to_be_visible()
    assert_accessible(chair)
    chair.get_by_role("button", name="Record the consensus").click()
    expect(chair.locator("#main")).to_contain_text("Consensus recorded by")
    chair.get_by_role("button", name="Lock the interview's scores").click()
    expect(chair.locator("#main")).to_contain_text("Locked")
    assert_accessible(chair)

    # 5. The committee reads the spread and the agreement per competency, then decides.
    committee.goto(f"{base}/selection/{cycle.pk}/agreement/")
    expect(committee.get_by_role("table")).to_contain_text("100%")
    assert_accessible(committee)
    committee.goto(f"{base}/selection/applications/{application.pk}/")
    expect(committee.locator("#main")).to_contain_text("Pia Panel:")
    committee.get_by_label("Admit").check()
    committee.get_by_label("The committee's reason").fill("Strongest track record.")
    committee.get_by_role("button", name="Decide").click()
    expect(committee.locator("#decision")).to_contain_text("Admit, by Carla Committee")
    assert_accessible(committee)

    # 6. Letters go out; the decision is then final and Paula sees it.
    committee.goto(f"{base}/selection/{cycle.pk}/")
    assert_accessible(committee)
    committee.get_by_role("link", name=re.compile("Send decision letters")).click()
    assert_accessible(committee)
    outbox_before = len(mail.outbox)
    committee.get_by_role("button", name="Send the letters").click()
    expect(committee.get_by_role("status")).to_contain_text("Letters sent")
    letters = [m for m in mail.outbox[outbox_before:] if world.principal_person.email in m.to]
    assert len(letters) == 1 and "Dear Paula Prince" in letters[0].body
    page.goto(f"{base}/selection/applications/{application.pk}/")
    expect(page.locator("#decision")).to_contain_text("Admit")

    # 7. The chair (program manager on the committee) admits her into the cohort.
    chair.goto(f"{base}/selection/{cycle.pk}/")
    chair.get_by_role("link", name=re.compile("Admit into the cohort")).click()
    assert_accessible(chair)
    chair.get_by_role("button", name="Admit into the cohort").click()
    expect(chair.get_by_role("status")).to_contain_text(f"New participants of {cohort_name}: 1")
    assert Participant.objects.filter(cohort=cycle.cohort, person=world.principal_person).exists()

    # 8. The cohort begins (the chair brings its first day forward and marks it active), with
    # one essential experience on the program's checklist and Pat (who interviewed her) as her
    # mentor.
    today = timezone.localdate()
    started = today - datetime.timedelta(days=7)
    chair.goto(f"{base}/programs/cohorts/{cycle.cohort_id}/")
    chair.get_by_role("link", name="Edit cohort").click()
    chair.get_by_label("First day").fill(started.isoformat())
    chair.get_by_label("State").select_option("active")
    chair.get_by_role("button", name="Save").click()
    assert_accessible(chair)
    chair.goto(f"{base}/programs/{cycle.cohort.program_id}/")
    chair.get_by_role("link", name="Add an experience").click()
    chair.get_by_label("Title").fill("Lead a data meeting")
    chair.get_by_label("Due (days after the cohort's first day)").fill("30")
    chair.get_by_role("button", name="Save").click()
    expect(chair.locator("#main")).to_contain_text("Lead a data meeting")
    chair.goto(f"{base}/programs/cohorts/{cycle.cohort_id}/")
    chair.get_by_role("link", name="Assign a coach or mentor").click()
    assert_accessible(chair)
    chair.get_by_label("Participant").select_option(label="Paula Prince")
    chair.get_by_role("combobox", name=re.compile("^As")).select_option("mentoring")
    chair.get_by_label("Coach or mentor").fill("pat.panel@example.org")
    chair.get_by_role("button", name="Save").click()
    expect(chair.get_by_role("status")).to_contain_text("is now Paula Prince's mentor")

    # 9. Paula records evidence from her new record; her mentor signs it off.
    page.goto(f"{base}/")
    page.get_by_role("link", name=f"Leadership Residency — {cohort_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paula Prince")
    page.get_by_role("link", name="Add evidence for Lead a data meeting").click()
    page.get_by_label("Evidence").fill("Led the grade 3 team's data meeting on reading.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Evidence saved for Lead a data meeting.")).to_be_visible()
    record = page.url
    mentor = first  # Pat, still signed in from the interview
    mentor.goto(record)
    mentor.get_by_role("link", name="Sign off Lead a data meeting").click()
    assert_accessible(mentor)
    mentor.get_by_label("Date of sign-off").fill(today.isoformat())
    mentor.get_by_role("button", name="Save").click()
    expect(mentor.get_by_text(f"Signed off by Pat Panel on {today:%b %-d, %Y}")).to_be_visible()

    # 10. The chair records her placement; her person page shows it as a position.
    chair.goto(record)
    chair.get_by_role("link", name="Record a placement").click()
    chair.get_by_label("Role").select_option("assistant_principal")
    chair.get_by_label("School").select_option(label="Pine Ridge Middle (Riverbend Public Schools)")
    chair.get_by_label("Start date").fill(today.isoformat())
    assert_accessible(chair)
    chair.get_by_role("button", name="Save").click()
    expect(chair.get_by_text(re.compile("^Placement saved: Assistant principal"))).to_be_visible()
    chair.get_by_role("link", name="Paula Prince's record (positions, education)").click()
    expect(chair.locator("#main")).to_contain_text(
        f"Placed from Leadership Residency ({cohort_name})"
    )
    assert_accessible(chair)
    assert not violations, "Content-Security-Policy:\n" + "\n".join(violations)
