"""Issue 8 in the browser: a supervisor opens their caseload and assigns a mentor."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import (  # noqa: F401 (fixtures)
    assert_accessible,
    browser,
    page,
    sign_in,
    site,
)
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_sees_their_caseload_and_assigns_a_mentor(
    page: Page,  # noqa: F811
    site: tuple[str, World],  # noqa: F811
) -> None:
    base, world = site
    sign_in(page, base, "supervisor@riverbend.test")
    page.get_by_role("link", name="Assignments", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assignments")
    assert_accessible(page)
    page.get_by_role("link", name="Caseloads").click()
    expect(page.get_by_role("cell", name="Paula Prince")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/assignments/new/")
    page.get_by_label("Kind of support").select_option("mentoring")
    page.get_by_label("Supporter (coach, supervisor, evaluator or mentor)").fill(
        "sam.supervisor@example.org"
    )
    page.get_by_label("Person supported").fill(world.teacher_person.email)
    assert_accessible(page)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned: Mentor Sam Supervisor → Tomas Teller.")).to_be_visible()
    assert_accessible(page)
