"""In the browser (with axe): a participant records evidence, their coach signs it off, the
program manager checks the cohort dashboard and records a placement, and the placement shows
on the person's page as a position."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page) -> None:
    nav = page.locator("nav[aria-label=Main]")
    nav.get_by_role("button", name=re.compile("^Your account")).click()
    nav.get_by_role("button", name="Sign out").click()


def test_evidence_sign_off_dashboard_and_placement(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    record = f"{base}/programs/participants/{world.participant_id}/"

    # Paula finds her record from the home page and records evidence for the schedule.
    sign_in(page, base, "principal@riverbend.test")
    page.get_by_role("link", name="Aspiring Principals, Cohort 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paula Prince")
    assert_accessible(page)
    page.get_by_role("link", name="Add evidence for Build the master schedule").click()
    assert_accessible(page)
    page.get_by_label("Evidence").fill("Built the 6th-grade block schedule with the principal.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Evidence saved for Build the master schedule.")).to_be_visible()
    sign_out(page)

    # Her coach signs it off.
    sign_in(page, base, "coach@riverbend.test")
    page.goto(record)
    page.get_by_role("link", name="Sign off Build the master schedule").click()
    assert_accessible(page)
    page.get_by_label("Date of sign-off").fill("2025-02-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Signed off by Cami Coach on Feb 1, 2025")).to_be_visible()
    sign_out(page)

    # The program manager sees the cohort's progress, then records Paula's placement.
    sign_in(page, base, "pm@riverbend.test")
    page.get_by_role("link", name="Programs", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Aspiring Principals").click()
    page.get_by_role("link", name="Cohort 1").click()
    assert_accessible(page)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Who is behind")).to_be_visible()
    assert_accessible(page)
    page.goto(record)
    page.get_by_role("link", name="Record a placement").click()
    page.get_by_label("Role").select_option("principal")
    page.get_by_label("School").select_option(label="Pine Ridge Middle (Riverbend Public Schools)")
    page.get_by_label("Start date").fill("2025-07-01")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Principal, Pine Ridge Middle, from Jul 1, 2025")).to_be_visible()
    sign_out(page)

    # The coach (who may open Paula's page) sees the placement as a position.
    sign_in(page, base, "coach@riverbend.test")
    page.goto(f"{base}/people/{world.principal_person.pk}/")
    expect(page.get_by_text("Placed from Aspiring Principals (Cohort 1)")).to_be_visible()
