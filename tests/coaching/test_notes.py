"""Coaching notes are non-evaluative (issue 10): the coachee's supervisor (unless they led the
session), evaluator, administrators and district leaders never read them, on pages, in exports
or in the API, unless the coachee shared that session; then the supervisor and the evaluator
do, and still no administrator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.coaching.world import CORA_NOTES, PAULA_NOTES
from tests.conftest import World
from tests.test_role_matrix import text_of
from trellis.coaching.models import CoachingSession
from trellis.coaching.services import session_share

COMMENT = "Thanks, the calendar helps."


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def session_url(world: World) -> str:
    return f"/coaching/sessions/{world.coaching['session']}/"


def everywhere(world: World, key: str) -> dict[str, str]:
    """What the user reads of Paula's session on every surface that shows it."""
    client = world.client(key)
    paula = world.principal_person.pk
    surfaces = {
        "page": session_url(world),
        "history": f"/coaching/people/{paula}/",
        "history csv": f"/coaching/people/{paula}/?format=csv",
        "list csv": "/coaching/?format=csv",
        "list xlsx": "/coaching/?format=xlsx",
        "api list": "/api/v1/coaching/sessions",
        "api one": f"/api/v1/coaching/sessions/{world.coaching['session']}",
    }
    found = {}
    for name, url in surfaces.items():
        response = client.get(url)
        assert response.status_code == 200, (key, url, response.status_code)
        found[name] = text_of(response)
    return found


@pytest.mark.parametrize("key", ["supervisor", "evaluator", "admin"])
def test_notes_never_reach_supervisor_evaluator_or_administrator(world: World, key: str) -> None:
    for surface, text in everywhere(world, key).items():
        assert "Paula Prince" in text or "Prince" in text, (key, surface)  # the record is there
        assert PAULA_NOTES not in text, (key, surface)
        assert COMMENT not in text, (key, surface)
    api = json.loads(
        world.client(key).get(f"/api/v1/coaching/sessions/{world.coaching['session']}").content
    )
    assert api["notes"] is None and api["notes_shown"] is False
    assert [s["text"] for s in api["next_steps"]]  # next steps are the session's record


@pytest.mark.parametrize("key", ["coach", "principal"])
def test_the_coach_and_the_coachee_read_the_notes(world: World, key: str) -> None:
    for surface, text in everywhere(world, key).items():
        if surface == "history":
            continue  # the history page lists sessions; notes are on the session's page
        assert PAULA_NOTES in text, (key, surface)
    assert COMMENT in everywhere(world, key)["page"]


def test_sharing_opens_the_notes_to_supervisor_and_evaluator_only(world: World) -> None:
    session = CoachingSession.objects.get(pk=world.coaching["session"])
    response = world.client("principal").post(
        f"/coaching/sessions/{session.pk}/share/", {"shared": "1"}
    )
    assert response.status_code == 302
    for key in ("supervisor", "evaluator"):
        for surface, text in everywhere(world, key).items():
            if surface == "history":
                continue
            assert PAULA_NOTES in text, (key, surface)
        assert COMMENT in everywhere(world, key)["page"]
    for key in ("admin",):
        for surface, text in everywhere(world, key).items():
            assert PAULA_NOTES not in text, (key, surface)
    # Cora's session was not shared, and the supervisor does not supervise Cora anyway.
    assert CORA_NOTES not in text_of(world.client("supervisor").get("/coaching/?format=csv"))
    # Taking it back closes them again.
    session_share(actor=world.users["principal"], session=session, shared=False)
    for surface, text in everywhere(world, "supervisor").items():
        assert PAULA_NOTES not in text, surface


def test_a_supervisor_reads_the_notes_of_the_sessions_they_led(world: World) -> None:
    response = world.client("supervisor").post(
        f"/coaching/new/?coachee={world.principal_person.pk}",
        {"held_on": "2026-03-02", "minutes": 40, "mode": "walkthrough", "notes": "SAM-NOTES"},
    )
    assert response.status_code == 302, response.content
    mine = CoachingSession.objects.get(notes="SAM-NOTES")
    assert mine.coach == world.users["supervisor"].person
    page = world.client("supervisor").get(f"/coaching/sessions/{mine.pk}/").content.decode()
    assert "SAM-NOTES" in page
    # The evaluator does not: the session is not shared.
    page = world.client("evaluator").get(f"/coaching/sessions/{mine.pk}/").content.decode()
    assert "SAM-NOTES" not in page
    # Nor an administrator, whose list export shows the record with its notes withheld.
    export = text_of(world.client("admin").get("/coaching/?format=csv"))
    assert "SAM-NOTES" not in export and "(not shown: coaching notes)" in export


def test_the_audit_trail_keeps_no_notes(world: World) -> None:
    world.client("coach").post(
        f"/coaching/sessions/{world.coaching['session']}/edit/",
        {"held_on": "2026-01-12", "minutes": 55, "mode": "in_person", "notes": "EDITED-SECRET"},
    )
    audit = text_of(world.client("admin").get("/audit/?format=csv"))
    assert "coaching.session_update" in audit
    assert "EDITED-SECRET" not in audit and PAULA_NOTES not in audit and COMMENT not in audit
