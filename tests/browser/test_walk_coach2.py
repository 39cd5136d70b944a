"""The administrator's navigation at 1280px and wider (issue 10's walk, branch coach2): with
fifteen items it ran off the side of the screen. Its items now wrap onto a second line; no link
is ever drawn outside the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import sign_in_admin
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1200, 1280, 1366, 1920])
def test_the_admin_navigation_never_runs_off_the_screen(
    page: Page, site: tuple[str, World], width: int
) -> None:
    base, _ = site
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_admin(page, base)
    page.goto(f"{base}/evaluations/cycles/")
    nav = page.locator("nav[aria-label=Main]")
    toggler = nav.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(nav.locator("#main-nav")).to_have_class("navbar-collapse collapse show")
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    rights = nav.locator(".navbar-nav a, .navbar-nav button").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().right)"
    )
    assert len(rights) >= 16
    assert max(rights) <= width, (width, max(rights))
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
