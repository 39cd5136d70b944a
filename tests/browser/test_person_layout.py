"""Repairs issue item 26 in the browser: the person page's details keep to their column."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Page

from tests.browser.test_browser import browser, page, sign_in, site  # noqa: F401
from tests.conftest import World
from trellis.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def box(on: Page, selector: str) -> Any:
    found = on.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


@pytest.mark.parametrize("width", [1000, 1300])
def test_item26_long_email_and_labels_stay_in_the_details(
    page: Page,  # noqa: F811
    site: tuple[str, World],  # noqa: F811
    width: int,
) -> None:
    base, world = site
    Person.objects.filter(pk=world.colleague.pk).update(
        email="cora.colleague-with-a-very-long-address@oakhill-elementary.riverbend.example.org",
        identifier="EMP-000123456",
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "leader@riverbend.test")
    page.goto(f"{base}/people/{world.colleague.pk}/")
    # The e-mail wraps inside its cell: nothing of it is drawn outside (into the positions).
    overflow = page.locator("section[aria-labelledby=details-h] dl dd >> nth=2").evaluate(
        "el => el.scrollWidth - el.clientWidth"
    )
    assert overflow <= 0
    # A label that wraps ("Employee number") keeps a gap from the next label ("Now").
    employee = box(page, "section[aria-labelledby=details-h] dl dt >> nth=3")
    now = box(page, "section[aria-labelledby=details-h] dl dt >> nth=4")
    assert now["y"] - (employee["y"] + employee["height"]) >= 4, (employee, now)
