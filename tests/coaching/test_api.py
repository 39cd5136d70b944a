"""The coaching API: sessions to those allowed (notes only to those who read them), logging a
session, and next steps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.coaching.world import PAULA_NOTES, focus_item
from tests.conftest import World
from tests.matrix import row_counts
from trellis.coaching.models import CoachingSession


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def post(world: World, key: str, **data: Any) -> Any:
    payload = {
        "coachee_id": world.principal_person.pk,
        "held_on": "2026-03-02",
        "minutes": 45,
        "mode": "virtual",
        "notes": "Talked it through.",  # a session needs a focus competency or notes
        **data,
    }
    return world.client(key).post(
        "/api/v1/coaching/sessions", payload, content_type="application/json"
    )


def test_log_a_session_through_the_api(world: World) -> None:
    item = focus_item(world)
    response = post(
        world,
        "coach",
        protocol_id=world.coaching["protocol"],
        focus=[item.pk],
        notes="API notes.",
        next_steps=[
            {
                "text": "Read the chapter",
                "owner_id": world.principal_person.pk,
                "due_on": "2026-03-09",
            }
        ],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["notes"] == "API notes." and body["notes_shown"] is True
    assert body["focus"] == [item.pk] and body["protocol"] == "Riverbend data dive"
    assert [s["text"] for s in body["next_steps"]] == ["Read the chapter"]
    session = CoachingSession.objects.get(pk=body["id"])
    assert session.coach == world.users["coach"].person
    # The supervisor reads it without its notes.
    seen = world.client("supervisor").get(f"/api/v1/coaching/sessions/{session.pk}").json()
    assert seen["notes"] is None and seen["minutes"] == 45


def test_the_api_refuses_bad_sessions_and_writes_nothing(world: World) -> None:
    before = row_counts()
    draft = world.draft_framework_id
    from trellis.frameworks.models import FrameworkItem

    wrong_item = FrameworkItem.objects.filter(version__framework_id=draft).first()
    assert wrong_item is not None
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"focus": [wrong_item.pk]}, 400, "focus"),
        ({"protocol_id": 999_999}, 400, "protocol_id"),
        ({"held_on": "2099-01-01"}, 400, "future"),
        ({"held_on": "2019-01-01"}, 400, "caseload"),
        ({"minutes": 0}, 422, "minutes"),
        ({"mode": "telepathy"}, 422, "mode"),
        ({"coachee_id": world.foreign_person.pk}, 404, ""),
    ]
    for data, status, words in cases:
        response = post(world, "coach", **data)
        assert response.status_code == status, (data, response.content)
        assert words in response.content.decode(), (data, response.content)
    assert row_counts() == before


def test_sessions_list_filters_and_next_steps(world: World) -> None:
    client = world.client("coach")
    everything = client.get("/api/v1/coaching/sessions").json()
    assert everything["count"] == 2
    paula = client.get(
        f"/api/v1/coaching/sessions?coachee={world.principal_person.pk}&mode=in_person"
    ).json()
    assert [s["notes"] for s in paula["items"]] == [PAULA_NOTES]
    assert client.get("/api/v1/coaching/sessions?from=2026-02-01").json()["count"] == 1
    assert client.get("/api/v1/coaching/sessions?mode=telepathy").status_code == 422
    steps = world.client("supervisor").get("/api/v1/coaching/next-steps").json()["items"]
    assert [s["text"] for s in steps] == ["Draft the data calendar"]
    done = client.get("/api/v1/coaching/next-steps?status=done").json()["items"]
    assert [s["text"] for s in done] == ["Send the article on data teams"]
    assert client.get("/api/v1/coaching/next-steps?status=maybe").status_code == 422
    # The administrator sees the system's sessions, never a note.
    admin = world.client("admin").get("/api/v1/coaching/sessions").json()
    assert admin["count"] == 2 and {s["notes"] for s in admin["items"]} == {None}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/coaching/sessions/999999",  # an operation's own 404
        "/api/v1/coaching/sessions/999999/",  # a trailing slash: no operation
        "/api/v1/coaching/visits/999999",
        "/api/v1/coaching/protocols/999999",
        "/api/v1/coaching/videos/999999/file",
        "/api/v1/coaching/nothing-here",
    ],
)
def test_api_404s_are_json(world: World, url: str) -> None:
    response = world.client("coach").get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not Found"}
    # ...and a page's 404 stays the layout's page.
    page = world.client("coach").get("/coaching/sessions/999999/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
