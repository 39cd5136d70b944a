"""In the browser (with axe): the principal opens this morning's attendance from the home page,
the supervisor their caseload's school and its classes not yet submitted."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.attendance.world import add_attendance
from tests.browser.test_browser import assert_accessible, sign_in
from tests.browser.test_programs import sign_out
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_this_morning_for_a_principal_and_a_supervisor(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    add_attendance(world)
    sign_in(page, base, "principal@riverbend.test")
    page.get_by_role("link", name="Attendance", exact=True).click()
    page.get_by_label("Day", exact=True).fill("2026-09-30")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This morning at your school")
    # The school whose absent students the principal lists: its counts exact (2 of 6).
    expect(page.locator(".card .stat").nth(1)).to_have_text("2")
    expect(page.get_by_role("cell", name="fewer than 5")).to_have_count(0)
    # At 8:30, on this page: the classes not submitted and who needs a call (issue 12's "done
    # when"; test_walk_minor.py).
    expect(
        page.get_by_role("heading", name="Classes that have not submitted attendance")
    ).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Homeroom HR-A2")).to_be_visible()
    expect(page.get_by_text("1 student at Oak Hill Elementary needs a call")).to_be_visible()
    page.get_by_text("How these figures are counted").click()
    expect(
        page.get_by_text("the instructional days from Monday up to the day shown")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Who needs a call (1)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who needs a call at Oak Hill Elementary"
    )
    sign_out(page)

    sign_in(page, base, "supervisor@riverbend.test")
    page.goto(f"{base}/attendance/?date=2026-09-30")
    # A supervisor's schools: their network's and their caseload's (docs/decisions.md).
    expect(page.get_by_role("heading", level=1)).to_have_text("This morning in your schools")
    page.get_by_role("link", name="Oak Hill Elementary").click()
    expect(page.get_by_role("rowheader", name="Homeroom HR-A2")).to_be_visible()
    assert_accessible(page)
