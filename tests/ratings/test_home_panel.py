"""Raters and owners find their open rating rounds on their home page; others see no trace."""

from __future__ import annotations

from tests.conftest import World
from trellis.ratings.models import RatingRound


def test_open_rounds_are_on_the_home_page_of_their_raters_and_owner(world: World) -> None:
    for key in ("coach", "supervisor"):
        page = world.client(key).get("/").content.decode()
        assert "Rating rounds in progress" in page, key
        assert "Mid-year evaluation round" in page, key
    for key in ("leader", "analyst", "teacher"):
        page = world.client(key).get("/").content.decode()
        assert "Mid-year evaluation round" not in page, key


def test_a_locked_round_leaves_the_home_page(world: World) -> None:
    RatingRound.objects.update(state=RatingRound.State.LOCKED)
    page = world.client("coach").get("/").content.decode()
    assert "Rating rounds in progress" not in page
