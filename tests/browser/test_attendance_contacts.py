"""In the browser (with axe): a principal opens this morning's page for their school, follows
"Who needs a call", logs a call with the student's family, and sees the list clear; the chronic
absence page draws its trend."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.attendance.world import add_attendance
from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World
from trellis.attendance.models import FamilyContact
from trellis.students.models import Student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_principal_opens_the_worklist_and_logs_a_call(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    add_attendance(world)
    Student.objects.filter(system=world.system, sourced_id="a1").update(
        given_name="Ada", family_name="Abbott", grade="03"
    )
    sign_in(page, base, "principal@riverbend.test")
    page.goto(f"{base}/attendance/schools/{world.school.pk}/?date=2026-09-30")
    page.get_by_role("link", name="Who needs a call").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Who needs a call at Oak Hill Elementary"
    )
    expect(page.get_by_role("rowheader", name="Abbott, Ada a1")).to_be_visible()
    page.get_by_text("Who is on this list").click()
    expect(
        page.get_by_text("no family contact has been logged on or after the day")
    ).to_be_visible()
    assert_accessible(page)
    # On the narrowest screen WCAG asks for (320px) the table scrolls in its box and the page
    # itself does not: its buttons' screen-reader text carried the page sideways (stop 23 walk).
    page.set_viewport_size({"width": 320, "height": 740})
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Log contact for Abbott Ada").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a family contact: Abbott, Ada")
    # The form is dated today (the system's time zone); this call was made on the 30th.
    page.get_by_label("Date of the contact").fill("2026-09-30")
    page.get_by_label("How the family was contacted").select_option("call")
    page.get_by_label("Outcome").select_option("left_message")
    page.get_by_label("Note (optional)").fill("Left a message with the grandmother.")
    page.get_by_label("Follow up on (optional)").fill("2026-09-20")
    page.get_by_role("button", name="Log the contact").click()
    # A follow-up before the contact is refused, with the reason by the field.
    expect(page.get_by_text("The follow-up date cannot be before the contact.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Follow up on (optional)").fill("2026-10-02")
    page.get_by_role("button", name="Log the contact").click()

    expect(page.get_by_text("Contact with Abbott, Ada's family logged.")).to_be_visible()
    expect(page.get_by_text("Nobody needs a call.")).to_be_visible()
    contact = FamilyContact.objects.get()
    assert (contact.method, contact.outcome, str(contact.follow_up_on)) == (
        "call",
        "left_message",
        "2026-10-02",
    )
    assert_accessible(page)

    page.goto(f"{base}/attendance/schools/{world.school.pk}/chronic/?date=2026-09-30")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Chronic absence at Oak Hill Elementary"
    )
    expect(page.get_by_role("img", name="Chronic absence rate at each month's end")).to_be_visible()
    expect(
        page.get_by_role("columnheader", name="Students enrolled at least 10 days").first
    ).to_be_visible()
    assert_accessible(page)

    # On a phone the tables scroll sideways inside their boxes, which the keyboard reaches
    # (axe: scrollable-region-focusable).
    page.set_viewport_size({"width": 375, "height": 740})
    page.reload()
    boxes = page.locator(".table-responsive[tabindex='0'][role='region']")
    expect(boxes.first).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/attendance/schools/{world.school.pk}/contacts/")
    assert_accessible(page)
