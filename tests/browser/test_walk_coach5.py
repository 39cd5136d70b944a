"""In the browser (with axe), branch coach5: a coaching lead whose account is not linked to a
person finds Coaching in the menu, reads why there are no sessions of theirs, and opens the
set-up their role keeps; the administrator who reloads the need profiles' refresh address lands
on the need profiles, not on a 405."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in, sign_in_admin
from tests.browser.test_coaching import sign_out
from tests.conftest import World, make_user
from trellis.authz.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coaching_lead_without_a_person_and_the_refresh_reloaded(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    make_user(world.system, "lead.unlinked@riverbend.test", Role.COACHING_LEAD, system=world.system)
    sign_in(page, base, "lead.unlinked@riverbend.test")
    page.locator("nav[aria-label=Main]").get_by_role("link", name="Coaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching sessions")
    expect(page.get_by_role("status")).to_contain_text("not linked to a person")
    expect(page.get_by_role("link", name="Video settings")).to_be_visible()
    assert_accessible(page)
    setup = page.get_by_role("navigation", name="Coaching set-up and support")
    setup.get_by_role("link", name="Protocols").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching protocols")
    assert_accessible(page)
    # A page that needs a person says so.
    page.goto(f"{base}/coaching/videos/")
    expect(page.get_by_text("Your account is not linked to a person in Trellis.")).to_be_visible()
    sign_out(page)

    sign_in_admin(page, base)
    page.goto(f"{base}/coaching/support/schools/refresh/")
    expect(page.get_by_role("heading", level=1)).to_have_text("School need profiles")
    assert page.url == f"{base}/coaching/support/schools/"
    assert_accessible(page)
