"""In the browser (branch coach4): the progress chart's time axis (ratings at their dates; the
axis's labels, first and last day rated and month ticks between, never overlap, at a desktop's
width and a phone's) and the dosage chart's labels and values, drawn at 12px."""

from __future__ import annotations

import datetime
import itertools
import os

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import sign_in
from tests.conftest import World
from trellis.frameworks.models import FrameworkItem, PerformanceLevel
from trellis.ratings.services import ratings_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAYS = [datetime.date(2026, m, 28) for m in range(5, 10)] + [
    datetime.date(2026, 10, 31),
    datetime.date(2026, 11, 30),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_progress_chart_labels_never_overlap(
    page: Page, site: tuple[str, World], width: int
) -> None:
    base, world = site
    item = (
        FrameworkItem.objects.filter(
            version__framework_id=world.framework_id, descriptors__isnull=False
        )
        .distinct()
        .order_by("pk")
        .first()
    )
    assert item is not None
    for n, day in enumerate(DAYS):
        ratings_record(
            actor=None,
            subject=world.principal_person,
            version=item.version,
            purpose="progress",
            rated_on=day,
            entries=[
                (item, PerformanceLevel.objects.get(version=item.version, position=1 + n % 3), "")
            ],
        )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "coach@riverbend.test")
    page.goto(f"{base}/coaching/people/{world.principal_person.pk}/progress/")
    chart = page.locator("svg[role=img]").first
    expect(chart).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("Nov 30, 2026")
    if os.environ.get("TRELLIS_SCREENSHOTS"):
        chart.screenshot(path=f"{os.environ['TRELLIS_SCREENSHOTS']}/progress-{width}.png")
    boxes = chart.locator("text.time-label").evaluate_all(
        "els => els.map(el => { const r = el.getBoundingClientRect();"
        " return [r.left, r.right, el.textContent]; })"
    )
    assert next(b[2] for b in boxes) == "May 28, 2026" and boxes[-1][2] == "Nov 30, 2026"
    ordered = sorted(boxes)
    for a, b in itertools.pairwise(ordered):
        assert a[1] + 2 <= b[0], (a, b)
    frame = chart.evaluate(
        "el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; }"
    )
    assert frame[0] <= ordered[0][0] and ordered[-1][1] <= frame[1] + 0.5
    # Readable on a phone too: the labels are drawn at 9px or more.
    heights = chart.locator("text.time-label").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().height)"
    )
    assert min(heights) >= 9, heights
    # The points are placed by date: May 28 → Jun 28 is about as far as Oct 31 → Nov 30.
    xs = chart.locator("circle").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().left)"
    )
    assert abs((xs[1] - xs[0]) - (xs[6] - xs[5])) < 3


@pytest.mark.parametrize("width", [1280, 375])
def test_the_dosage_chart_is_readable(page: Page, site: tuple[str, World], width: int) -> None:
    base, _world = site
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "coaching.lead@riverbend.test")
    page.goto(f"{base}/coaching/dosage/?group=school")
    chart = page.locator("svg[aria-labelledby=dosage-chart-title]")
    expect(chart).to_be_visible()
    if os.environ.get("TRELLIS_SCREENSHOTS"):
        chart.screenshot(path=f"{os.environ['TRELLIS_SCREENSHOTS']}/dosage-{width}.png")
    sizes = chart.locator("text").evaluate_all(
        "els => els.map(el => el.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 12, sizes
    # Each bar carries its value in hours.
    values = chart.locator("text.bar-value").evaluate_all("els => els.map(el => el.textContent)")
    assert values and all(v.endswith(" h") for v in values), values
    # The page itself never scrolls sideways (the chart scrolls in its own box on a phone).
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
