"""Coaching fixes of the browser walk of issue 10 (branch eval7): a coaching form shown again
with its errors answers 400, as the evaluations pages do (the session form answered 200); a
dosage period longer than ten years is refused with an error on the page (400) and in the API
(422, as its other bad parameters), and so is an API period whose first day would come after
its last (a period starting after today)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World
from tests.matrix import row_counts


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def test_an_invalid_session_form_answers_400_and_saves_nothing(world: World) -> None:
    before = row_counts()
    response = world.client("coach").post(
        f"/coaching/new/?coachee={world.principal_person.pk}", {"held_on": "", "minutes": "x"}
    )
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode() or "errorlist" in (
        response.content.decode()
    )
    assert row_counts() == before


def test_an_invalid_protocol_form_answers_400(world: World) -> None:
    assert world.client("admin").post("/coaching/protocols/new/", {"name": ""}).status_code == 400


def test_the_dosage_page_refuses_a_period_since_1900(world: World) -> None:
    response = world.client("leader").get("/coaching/dosage/?from=1900-01-01&to=2026-11-30")
    assert response.status_code == 400
    text = response.content.decode()
    assert "is 1,523 months long: choose at most 120 months (ten years)." in text
    assert 'id="period-error"' in text and 'aria-invalid="true"' in text
    assert "over 1523 months" not in text and "1523 month" not in text
    # Ten years to the month is a period the report covers.
    ten_years = world.client("leader").get("/coaching/dosage/?from=2016-12-01&to=2026-11-30")
    assert ten_years.status_code == 200


def test_the_dosage_api_refuses_a_period_since_1900(world: World) -> None:
    response = world.client("leader").get("/api/v1/coaching/dosage?from=1900-01-01&to=2026-11-30")
    assert response.status_code == 422
    assert "choose at most 120 months" in str(response.json()["detail"])


def test_the_dosage_api_refuses_a_period_starting_after_today(world: World) -> None:
    later = timezone.localdate().replace(day=1) + datetime.timedelta(days=40)
    response = world.client("leader").get(f"/api/v1/coaching/dosage?from={later.isoformat()}")
    assert response.status_code == 422
    assert "after today" in str(response.json()["detail"])
    # A period that has begun is answered with its first day before its last.
    got = world.client("leader").get("/api/v1/coaching/dosage").json()
    assert got["first_day"] <= got["last_day"]
