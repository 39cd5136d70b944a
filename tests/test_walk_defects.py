"""Defects found by the browser walk of the assignments, rating-rounds and audit pages (issue 8):
each test fails on the code before its fix and goes through the pages a user uses."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from tests.conftest import World
from tests.matrix import row_counts
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignment_create
from trellis.authz.roles import Relationship
from trellis.core.models import AuditEvent

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


@pytest.fixture
def today() -> Any:
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield TODAY


# 1. Ending an assignment never moves its first day ------------------------------------------


def test_defect1_ending_an_assignment_that_started_today_removes_it_and_moves_no_date(
    world: World, today: datetime.date
) -> None:
    made = assignment_create(
        actor=None,
        kind=Relationship.MENTORING,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
        starts_on=today,
    )
    client = world.client("admin")
    confirm = client.get(f"/assignments/{made.pk}/end/").content.decode()
    assert "has not been in force before today" in confirm
    response = client.post(f"/assignments/{made.pk}/end/", follow=True)
    assert "Removed (never in force): Mentor Cami Coach → Tomas Teller." in (
        response.content.decode()
    )
    # Never in force before today: removed, not rewritten to a start of yesterday.
    assert not Assignment.objects.filter(pk=made.pk).exists()
    event = AuditEvent.objects.get(action="assignment.remove", object_id=str(made.pk))
    assert event.before["starts_on"] == "2026-03-10"
    assert event.before["ends_on"] is None


def test_defect1_ending_keeps_the_first_day_of_past_and_future_assignments(
    world: World, today: datetime.date
) -> None:
    client = world.client("admin")
    past = assignment_create(
        actor=None,
        kind=Relationship.MENTORING,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
        starts_on=datetime.date(2026, 1, 5),
    )
    later = assignment_create(
        actor=None,
        kind=Relationship.EVALUATION,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
        starts_on=datetime.date(2026, 4, 1),
    )
    client.post(f"/assignments/{past.pk}/end/")
    past.refresh_from_db()
    assert (past.starts_on, past.ends_on) == (datetime.date(2026, 1, 5), datetime.date(2026, 3, 9))
    # One that has not started is removed as never in force (its start never moves to yesterday).
    client.post(f"/assignments/{later.pk}/end/")
    assert not Assignment.objects.filter(pk=later.pk).exists()
    assert not Assignment.objects.filter(starts_on=datetime.date(2026, 3, 9)).exists()
    # Ending twice names the last day in the house format and changes nothing.
    before = row_counts()
    again = client.post(f"/assignments/{past.pk}/end/", follow=True).content.decode()
    assert "already ended on Mar 9, 2026" in again
    assert row_counts() == before
