"""In the browser (with axe), on a phone-sized screen: a teacher finds the survey open to them on
their home page, answers half of it, saves and comes back to it (the answers kept), submits too
early (the questions left are listed and linked), and submits; the survey being anonymous, the
form said beforehand that submitting is final, and afterwards it shows no questions (nothing
links the answers to the teacher, so they can be neither shown nor changed); the administration
then counts one respondent, shown as fewer than 5."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.browser.test_coaching import sign_out
from tests.conftest import World
from trellis.surveys.models import Administration, Instrument, Participation, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_answers_a_survey_on_the_phone(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    from trellis.surveys.services import instruments_install

    instruments_install()
    satisfaction = Instrument.objects.get(system__isnull=True, measures="satisfaction")
    today = timezone.localdate()
    made = Administration.objects.create(
        instrument=satisfaction,
        system=world.system,
        window="moy",
        school_year=today.year + 1 if today.month >= 7 else today.year,
        anonymous=True,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, base, "teacher@riverbend.test")
    panel = page.get_by_role("region", name="Surveys to answer")
    expect(panel).to_contain_text("not answered yet")
    panel.get_by_role("link", name=satisfaction.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(satisfaction.title)
    assert_accessible(page)
    # Nothing runs off the side of the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.get_by_text("Once you submit, your answers cannot be changed")).to_be_visible()
    questions = page.locator("fieldset")
    questions.nth(0).get_by_label("Agree", exact=True).check()
    questions.nth(1).get_by_label("Strongly agree").check()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    # Back later from the home page: the two answers are kept.
    page.goto(f"{base}/")
    expect(page.get_by_role("region", name="Surveys to answer")).to_contain_text(
        "saved: finish and submit"
    )
    page.get_by_role("link", name=satisfaction.title).click()
    expect(questions.nth(0).get_by_label("Agree", exact=True)).to_be_checked()
    expect(questions.nth(1).get_by_label("Strongly agree")).to_be_checked()
    # Submitting too early: the questions left are listed, each a link to its question.
    page.get_by_role("button", name="Submit", exact=True).click()
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Question 3: Answer this question before you submit.")
    assert_accessible(page)
    errors.get_by_role("link", name="Question 3").click()
    assert page.url.endswith(f"#q-{satisfaction.items.get(code='S3').pk}")
    questions.nth(2).get_by_label("Disagree", exact=True).check()
    questions.nth(3).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(
        page.get_by_text("Thank you: your answers are submitted, without your name.")
    ).to_be_visible()
    # Anonymous: submitted once and for all; the answers are nobody's.
    expect(page.get_by_text("You have answered this survey.")).to_be_visible()
    expect(page.locator("fieldset")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit my changes")).to_have_count(0)
    assert_accessible(page)
    submission = Submission.objects.get(administration=made)
    assert submission.submitted_at is not None and submission.person is None
    assert submission.responses.count() == 4
    assert Participation.objects.filter(administration=made).count() == 1
    page.goto(f"{base}/")
    panel = page.get_by_role("region", name="Surveys to answer")
    expect(panel).to_contain_text("· answered")
    expect(panel).not_to_contain_text("you may change")
    # The district leader sees one respondent as "fewer than 5", never the answers.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)
    sign_in(page, base, "leader@riverbend.test")
    page.goto(f"{base}/surveys/administrations/{made.pk}/")
    expect(page.get_by_text("fewer than 5", exact=True)).to_be_visible()
    assert_accessible(page)
