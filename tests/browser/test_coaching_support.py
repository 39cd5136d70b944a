"""In the browser (with axe): a supervisor opens planned versus delivered coaching dosage from
their home page and regroups it per network; a principal logs a classroom visit and finds it in
the list and in their instructional-leadership time."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in, sign_in_admin
from tests.browser.test_coaching import sign_out
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_reads_dosage_and_principal_logs_a_visit(
    page: Page, site: tuple[str, World]
) -> None:
    base, _ = site

    sign_in(page, base, "supervisor@riverbend.test")
    page.get_by_role("link", name="Coaching dosage: planned and delivered").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Coaching dosage: planned and delivered"
    )
    table = page.get_by_role("table")
    expect(table.get_by_role("rowheader", name="Oak Hill Elementary")).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(1)
    assert_accessible(page)
    page.get_by_label("Per", exact=True).select_option("network")
    page.get_by_label("From (month of)").fill("2026-01-01")
    page.get_by_label("To (month of)").fill("2026-02-28")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("rowheader", name="North Cluster")).to_be_visible()
    assert_accessible(page)
    # Per supervisor, the rows and the total (each school once) are the same figures.
    page.get_by_label("Per", exact=True).select_option("supervisor")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("rowheader", name="Total (each school once)")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, base, "principal@riverbend.test")
    page.get_by_role("link", name="Log a visit").click()
    page.get_by_label("Whose classroom?").select_option(label="Cora Colleague")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a visit to Cora Colleague")
    page.get_by_label("Date and time").fill("2026-02-10T09:15")
    page.get_by_label("Length (minutes)").fill("20")
    page.get_by_label("Feedback given").fill("Students used the sentence frames well.")
    assert_accessible(page)
    page.get_by_role("button", name="Log the visit").click()
    expect(page.get_by_text("Visit to Cora Colleague logged.")).to_be_visible()
    expect(page.get_by_text("Students used the sentence frames well.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Instructional-leadership time").click()
    page.get_by_label("Up to the week of").fill("2026-02-10")
    page.get_by_role("button", name="Show").click()
    row = page.get_by_role("row", name="Paula Prince")
    expect(row).to_contain_text("20")
    assert_accessible(page)


def test_the_support_set_up_fits_a_phone(page: Page, site: tuple[str, World]) -> None:
    """At 375px the set-up's forms (a framework's long title in a select) do not make the page
    scroll sideways (walk of stop 23)."""
    base, _ = site
    sign_in_admin(page, base)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}/coaching/support/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    widest = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)"""
    )
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), widest
    assert_accessible(page)
