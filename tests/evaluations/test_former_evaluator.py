"""Who reads an evaluation once the relationships change (issue 10; docs/decisions.md,
2026-12-01). Eve signed Paula's evaluation off, then her evaluation assignment ended: she keeps
reading what she signed, read-only (every write 403, nothing written), and loses Abe's
evaluation, which she had not signed (it follows current relationships only). Sid, Paula's new
supervisor, reads her signed evaluation of last year."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World
from tests.evaluations.test_api_stages import ratings
from tests.evaluations.test_cycle import rubric_data
from tests.evaluations.world import offline_opened, signed_off
from tests.matrix import row_counts
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignment_create, assignment_end
from trellis.authz.roles import Relationship
from trellis.evaluations.models import Evaluation, EvaluationCycle


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def _end(world: World, kind: str, who: str, assignee: Any) -> None:
    assignment = Assignment.objects.get(
        kind=kind, supporter=world.users[who].person, assignee=assignee, ends_on__isnull=True
    )
    assignment_end(actor=None, assignment=assignment)


def _eve_moved_on(world: World) -> tuple[int, int]:
    """Paula's evaluation signed off and Abe's opened (both Eve's), then Eve's evaluation
    assignments ended: (Paula's evaluation, Abe's evaluation)."""
    signed_off(world)
    abe = offline_opened(world)
    paula = world.principal_person
    _end(world, Relationship.EVALUATION, "evaluator", paula)
    _end(world, Relationship.EVALUATION, "evaluator", abe.evaluatee)
    return int(world.coaching["evaluation"]), abe.pk


def test_the_former_evaluator_reads_what_she_signed(world: World) -> None:
    signed, _unsigned = _eve_moved_on(world)
    eve = world.client("evaluator")
    page = eve.get(f"/evaluations/{signed}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Halfway there." in text and "Evidence" in text  # the notes, the signed ratings
    # Read-only: no form of any stage, not even the paper acknowledgement.
    for action in ("mid-year/", "summative/", "sign-off/", "goals/", "acknowledge-on-paper/"):
        assert f"/evaluations/{signed}/{action}" not in text, action
    got = eve.get(f"/api/v1/evaluations/{signed}")
    assert got.status_code == 200
    assert got.json()["content_shown"] is True
    assert got.json()["midyear_notes"] == "Halfway there."
    stage = eve.get(f"/api/v1/evaluations/{signed}/summative").json()
    assert stage["you_act"] is False
    # Where she would look: the list's "Evaluations you signed", and her home panel.
    listed = eve.get("/evaluations/?signed=1").content.decode()
    assert f'href="/evaluations/{signed}/"' in listed
    api_listed = eve.get("/api/v1/evaluations?signed=true").json()
    assert [row["id"] for row in api_listed["items"]] == [signed]
    home = eve.get("/").content.decode()
    assert "Evaluations you signed" in home and "/evaluations/?signed=1" in home


def test_the_former_evaluator_changes_nothing(world: World) -> None:
    signed, _unsigned = _eve_moved_on(world)
    eve = world.client("evaluator")
    evaluation = Evaluation.objects.get(pk=signed)
    before = row_counts()
    pages = {
        "mid-year/": {"notes": "Rewritten afterwards"},
        "summative/": rubric_data(evaluation, "summative"),
        "sign-off/": {},
        "goals/": {"goal_1_text": "Another goal"},
        # Invalid as well: who may change it is answered before what was entered.
        "mid-year/?invalid": {"notes": ""},
        "acknowledge-on-paper/": {"signed_on": ""},
    }
    for tail, data in pages.items():
        response = eve.post(f"/evaluations/{signed}/{tail.split('?')[0]}", data)
        assert response.status_code == 403, tail
    api = {
        "mid-year": {"notes": "Rewritten afterwards"},
        "summative": ratings(world),
        "sign-off": {},
        "goals": {"goals": [{"text": "Another goal"}]},
    }
    for tail, data in api.items():
        response = eve.post(
            f"/api/v1/evaluations/{signed}/{tail}", data, content_type="application/json"
        )
        assert response.status_code == 403, tail
    # Nothing written: no row anywhere (not even a refusal in the audit log), nothing changed.
    assert row_counts() == before
    again = Evaluation.objects.get(pk=signed)
    assert again.midyear_notes == evaluation.midyear_notes == "Halfway there."
    assert again.updated_at == evaluation.updated_at


def test_the_former_evaluator_loses_what_she_had_not_signed(world: World) -> None:
    _signed, unsigned = _eve_moved_on(world)
    eve = world.client("evaluator")
    # Abe is nobody she sees any more (her grant is on another network): outside scope, 404.
    assert eve.get(f"/evaluations/{unsigned}/").status_code == 404
    assert eve.get(f"/api/v1/evaluations/{unsigned}").status_code == 404
    assert eve.post(f"/evaluations/{unsigned}/mid-year/", {"notes": "x"}).status_code == 404
    # …and no link to it: not in her list, not in her home panel.
    assert f"/evaluations/{unsigned}/" not in eve.get("/evaluations/").content.decode()
    assert f"/evaluations/{unsigned}/" not in eve.get("/").content.decode()
    ids = [row["id"] for row in eve.get("/api/v1/evaluations").json()["items"]]
    assert unsigned not in ids


def test_the_new_supervisor_reads_last_years_signed_evaluation(world: World) -> None:
    signed, _unsigned = _eve_moved_on(world)
    EvaluationCycle.objects.filter(evaluations__pk=signed).update(school_year="2025-26")
    paula = world.principal_person
    _end(world, Relationship.SUPERVISION, "supervisor", paula)
    # Sam no longer supervises Paula: he neither signed it nor is in her chain any more.
    assert world.client("supervisor").get(f"/evaluations/{signed}/").status_code in (403, 404)
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=world.users["supervisor_south"].person,
        assignee=paula,
        starts_on=timezone.localdate(),
    )
    sid = world.client("supervisor_south")
    page = sid.get(f"/evaluations/{signed}/")
    assert page.status_code == 200
    assert "Halfway there." in page.content.decode()
    got = sid.get(f"/api/v1/evaluations/{signed}").json()
    assert got["content_shown"] is True and got["school_year"] == "2025-26"
    listed = sid.get("/evaluations/?year=2025-26").content.decode()
    assert f'href="/evaluations/{signed}/"' in listed
    # He reads it and writes nothing in it: he is not its evaluator.
    before = row_counts()
    assert sid.post(f"/evaluations/{signed}/mid-year/", {"notes": "x"}).status_code == 403
    assert row_counts() == before
