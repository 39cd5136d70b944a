"""Minor findings of the stop-23 walk of issue 10: a blank session comment is shown again with
its error (400), not sent back to the page with a flash message; a refused dosage period offers
no export links (they answered 400); a required field left empty names itself."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.matrix import row_counts
from trellis.coaching.models import SessionComment


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def test_a_blank_comment_is_shown_again_with_its_error(world: World) -> None:
    url = f"/coaching/sessions/{world.coaching['session']}/comments/"
    before = row_counts()
    response = world.client("coach").post(url, {"text": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Fill in “Your comment”." in text and 'id="form-errors"' in text
    assert row_counts() == before
    too_long = world.client("coach").post(url, {"text": "Long words " * 500})
    assert too_long.status_code == 400
    assert "Long words Long words" in too_long.content.decode()  # what was typed is kept
    assert row_counts() == before
    added = world.client("coach").post(url, {"text": "See you Thursday."})
    assert added.status_code == 302
    assert SessionComment.objects.filter(text="See you Thursday.").count() == 1


def test_a_refused_dosage_period_offers_no_export(world: World) -> None:
    refused = world.client("leader").get("/coaching/dosage/?from=1900-01-01&to=2026-11-30")
    assert refused.status_code == 400
    assert "format=csv" not in refused.content.decode()
    shown = world.client("leader").get("/coaching/dosage/")
    assert "format=csv" in shown.content.decode()


def test_an_empty_mid_year_note_names_its_field(world: World) -> None:
    from tests.evaluations.world import goals_set

    goals_set(world)
    response = world.client("evaluator").post(
        f"/evaluations/{world.coaching['evaluation']}/mid-year/", {"notes": ""}
    )
    assert response.status_code == 400
    assert "Fill in “Mid-year review notes”." in response.content.decode()
    assert "This field is required." not in response.content.decode()


def test_a_reversed_dosage_period_is_shown_in_order_and_says_so(world: World) -> None:
    page = world.client("leader").get("/coaching/dosage/?from=2026-02-01&to=2026-01-01")
    assert page.status_code == 200
    assert "“From” came after “To”: the period is shown from Jan 2026 to Feb 2026." in (
        page.content.decode()
    )


def test_the_evaluations_list_offers_only_the_filters_that_can_show_something(
    world: World,
) -> None:
    from tests.evaluations.world import signed_off

    paula = world.client("principal").get("/evaluations/").content.decode()
    assert 'id="f-mine"' not in paula and 'id="f-signed"' not in paula
    eve = world.client("evaluator").get("/evaluations/").content.decode()
    assert 'id="f-mine"' in eve and 'id="f-signed"' not in eve
    signed_off(world)
    eve = world.client("evaluator").get("/evaluations/").content.decode()
    assert 'id="f-mine"' in eve and 'id="f-signed"' in eve
