"""Progress monitoring (issue 10): a coachee's progress ratings on their focus competencies over
time (chart and table), and the coach's caseload view of who is moving and who is stuck, by the
stated definitions; the person page links to the coaching history only where it opens."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest

from tests.coaching.world import focus_item
from tests.conftest import World
from trellis.coaching.services import SessionIn, sessions_bulk_create
from trellis.frameworks.models import PerformanceLevel
from trellis.ratings.services import ratings_record


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def rate(world: World, person: Any, day: datetime.date, position: int) -> None:
    item = focus_item(world)
    level = PerformanceLevel.objects.get(version_id=item.version_id, position=position)
    ratings_record(
        actor=None,
        subject=person,
        version=item.version,
        purpose="progress",
        rated_on=day,
        entries=[(item, level, "")],
    )


def sessions(world: World, person: Any, days: list[datetime.date]) -> None:
    coach = world.users["coach"].person
    sessions_bulk_create(
        actor=None,
        system=world.system,
        sessions=[
            SessionIn(
                coach=coach,
                coachee=person,
                assignment=None,
                held_on=day,
                minutes=30,
                mode="virtual",
                protocol=None,
                focus=[focus_item(world)],
                notes="",
                next_steps=[],
            )
            for day in days
        ],
    )


def test_moving_and_stuck_on_the_caseload(world: World) -> None:
    paula, cora = world.principal_person, world.colleague
    # Paula (focus in the world's session of Jan 12): rated 2, then 3 → moving.
    rate(world, paula, datetime.date(2026, 1, 5), 2)
    rate(world, paula, datetime.date(2026, 3, 1), 3)
    # Cora: rated 2 on Feb 1 and 2 again on May 1 (no change); after Feb 1 she had the world's
    # session of Feb 3 and four more → stuck.
    rate(world, cora, datetime.date(2026, 2, 1), 2)
    rate(world, cora, datetime.date(2026, 5, 1), 2)
    sessions(world, cora, [datetime.date(2026, 2, 10 + 7 * k) for k in range(3)])
    sessions(world, cora, [datetime.date(2026, 4, 1)])
    client = world.client("coach")
    text = b"".join(client.get("/coaching/progress/?format=csv").streaming_content)
    rows = {r[0]: r for r in csv.reader(io.StringIO(text.decode("utf-8-sig")))}
    assert rows["Paula Prince"][1] == "Moving"
    assert rows["Cora Colleague"][1:4] == ["Stuck", "5", "5"]
    page = client.get("/coaching/progress/?status=stuck").content.decode()
    assert "Cora Colleague" in page and "Paula Prince" not in page
    detail = client.get(f"/coaching/people/{paula.pk}/progress/").content.decode()
    assert "<svg" in detail and "Moving" in detail and "Mar 1, 2026" in detail
    # The district leader sees Paula but not her coaching (403); another system's admin: 404.
    assert world.client("leader").get(f"/coaching/people/{paula.pk}/progress/").status_code == 403
    assert world.client("admin_b").get(f"/coaching/people/{paula.pk}/progress/").status_code == 404


def test_the_person_page_links_to_coaching_only_where_it_opens(world: World) -> None:
    url = f"/people/{world.principal_person.pk}/"
    link = f"/coaching/people/{world.principal_person.pk}/"
    assert link in world.client("coach").get(url).content.decode()
    assert link in world.client("principal").get(url).content.decode()  # her own
    leader_page = world.client("leader").get(url)
    assert leader_page.status_code == 200 and link not in leader_page.content.decode()
    assert world.client("leader").get(link).status_code == 403


def test_the_progress_chart_labels_its_time_axis_with_dates(world: World) -> None:
    import re

    paula = world.principal_person
    rate(world, paula, datetime.date(2026, 1, 5), 2)
    rate(world, paula, datetime.date(2026, 3, 1), 3)
    detail = world.client("coach").get(f"/coaching/people/{paula.pk}/progress/").content.decode()
    svg = detail[detail.index("<svg") : detail.index("</svg>")]
    labels = re.findall(r'<text class="time-label"[^>]*>([^<]+)</text>', svg)
    assert labels == ["Jan 5, 2026", "Feb 2026", "Mar 1, 2026"]  # a month tick between
    assert "from Jan 5, 2026 to Mar 1, 2026" in svg
