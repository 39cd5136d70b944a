"""The stages through the API: a whole cycle walked by POSTs (self-assessment, goals, mid-year
notes, summative draft, sign-off, acknowledgement with a response) through the same services
as the pages; a stage not yet open is a 409 with its reason, wrong input a 400 naming the
element, the wrong party a 403; each GET says whether the stage is open and why not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.matrix import row_counts
from trellis.evaluations.models import Evaluation
from trellis.evaluations.selectors import competencies


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def url(world: World, tail: str = "") -> str:
    return f"/api/v1/evaluations/{world.coaching['evaluation']}" + (f"/{tail}" if tail else "")


def post(world: World, who: str, tail: str, data: dict[str, Any]) -> Any:
    return world.client(who).post(url(world, tail), data, content_type="application/json")


def ratings(world: World, evidence: str = "Seen in the spring") -> dict[str, Any]:
    evaluation = Evaluation.objects.select_related("cycle__version").get(
        pk=world.coaching["evaluation"]
    )
    levels, rows = competencies(evaluation.cycle.version)
    return {
        "ratings": [
            {"competency_id": row["item"].pk, "level_id": levels[n % 2].pk, "evidence": evidence}
            for n, row in enumerate(rows)
        ]
    }


def test_a_whole_cycle_through_the_api(world: World) -> None:
    # Out of order: 409 with the reason, nothing written.
    before = row_counts()
    early = post(world, "evaluator", "summative", ratings(world))
    assert early.status_code == 409
    assert early.json()["detail"].startswith("The summative rating is not yet open: ")
    assert post(world, "evaluator", "sign-off", {}).status_code == 409
    assert post(world, "principal", "goals", {"goals": [{"text": "Too early"}]}).status_code == 409
    assert row_counts() == before
    stage = world.client("evaluator").get(url(world, "summative")).json()
    assert stage["status"] == "not_yet_open" and stage["you_act"] is True
    assert stage["reason"] == (
        "The self-assessment, goal setting and the mid-year review are not complete yet."
    )
    self_stage = world.client("principal").get(url(world, "self-assessment")).json()
    assert self_stage["status"] == "open" and self_stage["overdue"] is True

    # The rubric's ids come with the evaluation.
    detail = world.client("principal").get(url(world)).json()
    assert {c["id"] for c in detail["competencies"]} == {
        r["competency_id"] for r in ratings(world)["ratings"]
    }
    assert detail["levels"]

    submitted = post(world, "principal", "self-assessment", ratings(world, "My own evidence"))
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["stage"] == "goals"
    assert len(submitted.json()["self_assessment"]) == len(detail["competencies"])
    again = post(world, "principal", "self-assessment", ratings(world))
    assert again.status_code == 409 and "already" in again.json()["detail"]

    item = detail["competencies"][0]["id"]
    goals = post(
        world,
        "principal",
        "goals",
        {"goals": [{"text": "Lead the data team", "competency_ids": [item]}]},
    )
    assert goals.status_code == 200
    assert goals.json()["goals"] == [{"text": "Lead the data team", "competency_ids": [item]}]
    assert goals.json()["stage"] == "midyear"

    # The mid-year review is the evaluator's: the evaluatee is the wrong party.
    assert post(world, "principal", "mid-year", {"notes": "Mine"}).status_code == 403
    midyear = post(world, "evaluator", "mid-year", {"notes": "Data meetings run weekly."})
    assert midyear.status_code == 200 and midyear.json()["stage"] == "summative"

    # Summative drafts: seen by the evaluator alone until sign-off.
    draft = post(world, "evaluator", "summative", ratings(world, ""))
    assert draft.status_code == 200 and draft.json()["summative"]
    assert world.client("principal").get(url(world)).json()["summative"] == []
    sign_off = world.client("evaluator").get(url(world, "sign-off")).json()
    assert sign_off["unrated_competency_ids"] == []
    assert len(sign_off["without_evidence_competency_ids"]) == len(detail["competencies"])
    refused = post(world, "evaluator", "sign-off", {})
    assert refused.status_code == 400
    assert "Give the evidence for every competency" in refused.json()["detail"]
    assert post(world, "evaluator", "summative", ratings(world)).status_code == 200
    signed = post(world, "evaluator", "sign-off", {})
    assert signed.status_code == 200 and signed.json()["stage"] == "acknowledgement"
    assert signed.json()["signed_off_at"]

    # Locked: the summative can no longer change (409, audited).
    locked = post(world, "evaluator", "summative", ratings(world))
    assert locked.status_code == 409 and "is locked" in locked.json()["detail"]

    acknowledged = post(world, "principal", "acknowledgement", {"response": "Read; I agree."})
    assert acknowledged.status_code == 200
    assert acknowledged.json()["stage"] == "complete"
    assert acknowledged.json()["response"] == "Read; I agree."
    stage = world.client("supervisor").get(url(world, "acknowledgement")).json()
    assert stage["status"] == "done" and stage["you_act"] is False


def test_wrong_input_is_a_400_naming_the_element(world: World) -> None:
    body = ratings(world)
    body["ratings"][1]["competency_id"] = 2**31 - 1
    response = post(world, "principal", "self-assessment", body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("ratings[1].competency_id: ")
    twice = ratings(world)
    twice["ratings"].append(dict(twice["ratings"][0]))
    response = post(world, "principal", "self-assessment", twice)
    assert response.status_code == 400 and "rated twice" in response.json()["detail"]
    body = ratings(world)
    body["ratings"][0]["evidence"] = "bell\x07"
    response = post(world, "principal", "self-assessment", body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("ratings[0].evidence: ")
    # A partial self-assessment is bad input too (every competency is rated at once).
    partial = {"ratings": ratings(world)["ratings"][:1]}
    response = post(world, "principal", "self-assessment", partial)
    assert response.status_code == 400
    assert "Rate every competency" in response.json()["detail"]
