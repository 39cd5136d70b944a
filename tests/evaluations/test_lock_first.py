"""A locked (signed-off) evaluation says it is locked before anything about what was sent: the
walk posted an empty mid-year note to a signed-off evaluation and was told to write the notes
(400), not that the evaluation is locked (issue 10, branch eval7)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.evaluations.world import signed_off
from trellis.core.models import AuditEvent


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


@pytest.mark.parametrize(
    ("tail", "data", "who"),
    [
        ("mid-year/", {"notes": ""}, "evaluator"),
        ("summative/", {"summative-level_0": "nonsense"}, "evaluator"),
        ("goals/", {"goal_1_text": ""}, "evaluator"),
        ("self-assessment/", {"self-level_0": "nonsense"}, "principal"),
    ],
)
def test_a_locked_evaluation_refuses_before_validating_the_form(
    world: World, tail: str, data: dict[str, str], who: str
) -> None:
    signed_off(world)
    pk = world.coaching["evaluation"]
    refused = AuditEvent.objects.filter(action="evaluation.change_refused").count()
    response = world.client(who).post(f"/evaluations/{pk}/{tail}", data)
    assert response.status_code == 409
    assert "is locked: the " in response.content.decode()
    assert AuditEvent.objects.filter(action="evaluation.change_refused").count() == refused + 1


def test_the_api_says_locked_before_naming_a_wrong_competency(world: World) -> None:
    signed_off(world)
    pk = world.coaching["evaluation"]
    response = world.client("evaluator").post(
        f"/api/v1/evaluations/{pk}/summative",
        {"ratings": [{"competency_id": 2**31 - 1, "level_id": 1}]},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "is locked: the summative rating can no longer change." in response.json()["detail"]


def test_an_acknowledged_evaluation_says_so_before_validating_the_form(world: World) -> None:
    """A second acknowledgement, with nothing or nonsense in the form, is told the evaluation
    was acknowledged (409, audited), not what is wrong with the form (the stop-23 walk sent an
    empty paper date and was told to give the day)."""
    from django.utils import timezone

    from tests.evaluations.world import offline_signed_off

    e = offline_signed_off(world)
    eve = world.client("evaluator")
    day = timezone.localdate().isoformat()
    assert (
        eve.post(f"/evaluations/{e.pk}/acknowledge-on-paper/", {"signed_on": day}).status_code
        == 302
    )
    refused = AuditEvent.objects.filter(action="evaluation.change_refused").count()
    again = eve.post(f"/evaluations/{e.pk}/acknowledge-on-paper/", {"signed_on": ""})
    assert again.status_code == 409
    assert "was acknowledged on paper on" in again.content.decode()
    signed_off(world)
    pk = world.coaching["evaluation"]
    paula = world.client("principal")
    assert paula.post(f"/evaluations/{pk}/acknowledge/", {"response": ""}).status_code == 302
    twice = paula.post(f"/evaluations/{pk}/acknowledge/", {"response": "x\x00"})
    assert twice.status_code == 409 and "was acknowledged on" in twice.content.decode()
    assert AuditEvent.objects.filter(action="evaluation.change_refused").count() == refused + 2


def test_the_api_answers_the_lock_before_an_empty_note(world: World) -> None:
    """The API checked the body's shape first: empty mid-year notes on a signed-off evaluation
    were a 422, not the lock's 409 (stop-23 walk). Empty notes and a blank goal are the
    service's 400 on an open one, after who may write."""
    from tests.evaluations.world import goals_set

    pk = world.coaching["evaluation"]
    url = f"/api/v1/evaluations/{pk}"
    eve = world.client("evaluator")
    goals_set(world)
    empty = eve.post(f"{url}/mid-year", {"notes": "  "}, content_type="application/json")
    assert empty.status_code == 400 and "Write the mid-year review notes." in empty.json()["detail"]
    sam = world.client("supervisor")
    assert (
        sam.post(f"{url}/mid-year", {"notes": ""}, content_type="application/json").status_code
        == 403
    )
    blank = eve.post(
        f"{url}/goals",
        {"goals": [{"text": "Lead"}, {"text": " "}]},
        content_type="application/json",
    )
    assert blank.status_code == 400 and "goals[1].text: write the goal." in blank.json()["detail"]
    signed_off(world)
    locked = eve.post(f"{url}/mid-year", {"notes": ""}, content_type="application/json")
    assert locked.status_code == 409 and "is locked" in locked.json()["detail"]
