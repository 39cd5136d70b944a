"""In the browser (with axe): the principal acknowledges an attendance alert from the home page
and finds it in their alerts' history; the administrator closes a day on the school's
instructional calendar."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.attendance.world import add_alerts
from tests.browser.test_browser import assert_accessible, sign_in, sign_in_admin
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_principal_acknowledges_an_alert_from_the_home_page(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    add_alerts(world)
    sign_in(page, base, "principal@riverbend.test")
    panel = page.get_by_role("region", name="Attendance alerts")
    expect(panel).to_contain_text("2 classes had not submitted attendance by 09:30")
    expect(panel).to_contain_text("Homeroom HR-A2 (hr-a2): not submitted")
    assert_accessible(page)
    panel.get_by_role("button", name="Acknowledge the alert about Oak Hill Elementary").click()
    expect(
        page.get_by_text("Acknowledged: Attendance not submitted by the deadline")
    ).to_be_visible()
    expect(page.get_by_role("region", name="Attendance alerts")).to_have_count(0)
    page.goto(f"{base}/attendance/alerts/?status=all")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your attendance alerts")
    expect(page.get_by_role("rowheader", name="Sep 30, 2026")).to_be_visible()
    assert_accessible(page)


def test_the_administrator_closes_a_day_on_the_calendar(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    add_alerts(world)
    sign_in_admin(page, base)
    page.goto(f"{base}/attendance/schools/{world.school.pk}/?date=2026-09-30")
    page.get_by_role("link", name="Instructional calendar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Instructional calendar of Oak Hill Elementary"
    )
    assert_accessible(page)
    page.goto(f"{base}/attendance/schools/{world.school.pk}/calendar/?year=2026")
    page.get_by_label("Change").select_option("remove")
    page.get_by_label("Day (or first day of the range)").fill("2026-09-30")
    page.get_by_role("button", name="Save").click()
    # The day holds attendance records: the removal asks first, stating what it takes out.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove instructional days at Oak Hill Elementary?"
    )
    figures = "3 attendance records of 3 students and 1 class submission"
    expect(page.get_by_role("listitem").filter(has_text=figures)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Remove 1 day").click()
    # The result says the confirmation's figures (test_walk_minor.py).
    expect(
        page.get_by_text(f"Removed 1 instructional day; {figures} recorded on that day")
    ).to_be_visible()
    assert_accessible(page)
    # A Saturday is added only once confirmed (walk item 8, branch att3).
    page.get_by_label("Change").select_option("add")
    page.get_by_label("Day (or first day of the range)").fill("2026-10-03")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saturday, Oct 3, 2026 is a weekend day")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Yes, add the weekend days").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added 1 instructional day")).to_be_visible()
