"""Fixes after the third browser walk of professional learning (branch learn3): a teacher who
gives up their seat is not told which colleague was waiting for it, and someone on the waiting
list who types the room's code is told that they are on the waiting list (not that the code is
wrong or that nothing of theirs is open)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from tests.conftest import World
from trellis.learning import services
from trellis.learning.models import PDSession, Registration


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def test_a_teacher_giving_up_a_seat_is_not_told_who_got_it(world: World) -> None:
    oak = PDSession.objects.get(pk=world.learning["oak"])  # 2 seats, Paula holds one
    services.registration_create(actor=None, session=oak, person=world.teacher_person)
    services.registration_create(actor=None, session=oak, person=world.colleague)
    response = world.client("teacher").post(f"/learning/sessions/{oak.pk}/cancel/", follow=True)
    page = response.content.decode()
    assert "Registration cancelled. The first person on the waiting list has the seat." in page
    assert "Cora Colleague" not in page
    assert Registration.objects.get(session=oak, person=world.colleague).status == "confirmed"


def test_someone_on_the_waiting_list_is_told_so_at_check_in(world: World) -> None:
    today = PDSession.objects.get(pk=world.learning["today"])
    Registration.objects.filter(pk=world.learning["today_registration"]).update(
        status=Registration.Status.WAITLISTED
    )
    with pytest.raises(ValidationError, match="You are on the waiting list for"):
        services.checkin(actor=world.users["teacher"], code=today.checkin_code)
    page = (
        world.client("teacher")
        .post("/learning/check-in/", {"code": today.checkin_code})
        .content.decode()
    )
    assert escape(f"You are on the waiting list for {today.title}, not registered") in page
    assert Registration.objects.get(pk=world.learning["today_registration"]).attended_at is None
