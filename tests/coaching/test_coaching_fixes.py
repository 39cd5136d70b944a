"""Coaching, the fixes after the browser walk and review (issue 10): a session form that saves
nothing blank; the caseload panel's focus from the recent sessions, not the last one only; the
session's record (protocol, focus, next steps) read by supervisors and evaluators while the notes
wait for sharing, as the pages tell the coach and the coachee."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils.html import escape

from tests.coaching.world import PAULA_NOTES, focus_item
from tests.conftest import World
from tests.matrix import row_counts
from tests.test_role_matrix import text_of
from trellis.accounts.models import User
from trellis.coaching.models import CoachingSession
from trellis.coaching.selectors import caseload_rows
from trellis.coaching.services import session_log
from trellis.frameworks.models import FrameworkItem, PerformanceLevel
from trellis.ratings.services import ratings_record


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def paula_new(world: World) -> str:
    return f"/coaching/new/?coachee={world.principal_person.pk}"


# -- A blank session form saves nothing ------------------------------------------------------------


def test_the_log_form_prefills_nothing(world: World) -> None:
    page = text_of(world.client("coach").get(paula_new(world)))
    assert 'name="minutes"' in page and 'value="45"' not in page
    assert 'name="held_on" value=' not in page
    assert '<option value="" selected>Choose the mode…</option>' in page


def test_a_blank_session_form_is_refused_field_by_field(world: World) -> None:
    before = row_counts()
    # As a browser sends the untouched form: every field, empty.
    blank = {"held_on": "", "minutes": "", "mode": "", "protocol": "", "notes": ""}
    blank |= {f"step_{n}_{part}": "" for n in (1, 2, 3) for part in ("text", "owner", "due")}
    response = world.client("coach").post(paula_new(world), blank)
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    page = text_of(response)
    for message in (
        "Give the date the session took place.",
        "Give the session&#x27;s length in minutes.",
        "Choose how the session was held.",
        "Choose at least one focus competency or write notes",
    ):
        assert message in page, message
    assert row_counts() == before


def test_a_session_needs_a_length_and_some_substance(world: World) -> None:
    client = world.client("coach")
    base = {"held_on": "2026-03-02", "mode": "in_person"}
    zero = text_of(client.post(paula_new(world), {**base, "minutes": "0"}))
    assert "The length is between 1 and 600 minutes." in zero
    empty = text_of(client.post(paula_new(world), {**base, "minutes": "30"}))
    assert "Choose at least one focus competency or write notes" in empty
    assert not CoachingSession.objects.filter(held_on=datetime.date(2026, 3, 2)).exists()
    # Focus alone, or notes alone, is a session.
    item = focus_item(world)
    ok = client.post(paula_new(world), {**base, "minutes": "30", "focus": [item.pk]})
    assert ok.status_code == 302
    ok = client.post(paula_new(world), {**base, "minutes": "20", "notes": "Planned the PLC."})
    assert ok.status_code == 302
    assert CoachingSession.objects.filter(held_on=datetime.date(2026, 3, 2)).count() == 2


def test_the_api_and_the_service_refuse_a_session_about_nothing(world: World) -> None:
    from django.core.exceptions import ValidationError

    before = row_counts()
    response = world.client("coach").post(
        "/api/v1/coaching/sessions",
        {
            "coachee_id": world.principal_person.pk,
            "held_on": "2026-03-02",
            "minutes": 30,
            "mode": "virtual",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "at least one focus competency or write notes" in response.json()["detail"]
    assert row_counts() == before
    with pytest.raises(ValidationError, match="focus competency or write notes"):
        session_log(
            actor=None,
            coach=world.users["coach"].person,
            coachee=world.principal_person,
            held_on=datetime.date(2026, 3, 2),
            minutes=30,
            mode="virtual",
            notes="   ",
        )


# -- The caseload panel: recent focus --------------------------------------------------------------


def test_the_caseload_shows_ratings_on_the_focus_of_recent_sessions(world: World) -> None:
    """Paula's January session focused on one competency (rated); her February one on another
    (not rated). The panel shows both: the focus of January is still being worked on. Before,
    only the last session's focus showed, and the rating on January's was lost."""
    first = focus_item(world)
    second = (
        FrameworkItem.objects.filter(version_id=first.version_id, descriptors__isnull=False)
        .exclude(pk=first.pk)
        .distinct()
        .order_by("pk")
        .first()
    )
    assert second is not None
    coach = User.objects.get(pk=world.users["coach"].pk)
    level = PerformanceLevel.objects.get(version_id=first.version_id, position=3)
    ratings_record(
        actor=coach,
        subject=world.principal_person,
        version=level.version,
        purpose="progress",
        rated_on=datetime.date(2026, 1, 20),
        entries=[(first, level, "")],
    )
    session_log(
        actor=None,
        coach=coach.person,
        coachee=world.principal_person,
        held_on=datetime.date(2026, 2, 2),
        minutes=40,
        mode="virtual",
        focus=[second],
    )
    with time_machine.travel(datetime.date(2026, 2, 10), tick=False):
        rows = {r.person.family_name: r for r in caseload_rows(User.objects.get(pk=coach.pk))}
        page = text_of(world.client("coach").get("/"))
    focus = dict(rows["Prince"].focus)
    assert set(focus) == {first, second}
    assert focus[first].level == level and focus[second] is None
    panel = page.split('id="caseload-coaching-h"', 1)[1].split("</section>")[0]
    assert f"{level.name} (" in panel and "not rated" in panel


# -- The record and the notes ----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["supervisor", "evaluator"])
def test_the_record_of_an_unshared_session_is_read_the_notes_are_not(
    world: World, key: str
) -> None:
    session = CoachingSession.objects.get(pk=world.coaching["session"])
    page = text_of(world.client(key).get(f"/coaching/sessions/{session.pk}/"))
    assert session.protocol is not None and session.protocol.name in page
    assert "Draft the data calendar" in page  # a next step: the session's record
    item = focus_item(world)
    assert escape((item.abbreviated_statement or item.full_statement)[:40]) in page
    assert PAULA_NOTES not in page
    assert "What this page shows is the session's record" in page


def test_the_pages_tell_who_reads_the_record(world: World) -> None:
    form = text_of(world.client("coach").get(paula_new(world)))
    assert "is the session&#x27;s record, which their supervisor, evaluator" in form
    assert "Next steps are part of the session's record" in form
    own = text_of(world.client("principal").get(f"/coaching/sessions/{world.coaching['session']}/"))
    assert "they already see its record" in own
