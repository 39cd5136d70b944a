"""Fixes after the fourth browser walk of professional learning (branch learn4): the people
picker of a community's facilitator, meetings' dates, the waiting list on the tick list, the
audience's school as written, a principal's default school, dates in one format, and the
waiting list's promotion and the cancel confirmation on the session page."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape

from tests.conftest import World
from trellis.learning import selectors, services
from trellis.learning.models import Community, PDSession, Registration


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def test_a_community_facilitator_gets_suggestions_the_form_accepts(world: World) -> None:
    """S6: Tomas (a teacher) leads the Oak Hill PLC: the search box of its form suggests Oak
    Hill's staff, the same people its fields accept, and nobody from another school."""
    plc = Community.objects.get(pk=world.learning["plc"])
    tomas = world.client("teacher")
    form = tomas.get(f"/learning/communities/{plc.pk}/edit/").content.decode()
    assert f"community={plc.pk}" in form  # the search box says which form it serves
    base = f"/learning/people/?system={world.system.pk}&field=members&community={plc.pk}"
    found = tomas.get(base + "&members_add=Cor").content.decode()
    assert escape(selectors.person_label(world.colleague)) in found
    # The suggestions are the form's people, no one else: not Pine Ridge's Farid.
    far = world.far_person
    assert (
        far.family_name not in tomas.get(base + f"&members_add={far.family_name}").content.decode()
    )
    people = selectors.picker_people(world.users["teacher"], world.system.pk, community=plc)
    assert world.colleague in people and far not in people
    # Another community's form is answered as that form is: Tomas does not see Pine's team.
    pine = world.learning["pine_team"]
    assert tomas.get(base.replace(f"community={plc.pk}", f"community={pine}")).status_code == 404
    # "Add" takes what the suggestions would give for the text typed (one person).
    data = {
        "name": plc.name,
        "kind": plc.kind,
        "school": world.school.pk,
        "facilitator": [world.teacher_person.pk],
        "members": [world.teacher_person.pk],
        "members_add": "Cora Coll",
        "add": "1",
    }
    page = tomas.post(f"/learning/communities/{plc.pk}/edit/", data).content.decode()
    assert "No one you may choose matches" not in page
    assert escape(selectors.person_label(world.colleague)) in page


def test_a_meeting_takes_only_possible_dates(world: World) -> None:
    """M4: a meeting "held" years ahead, notes of a meeting still to come and a meeting dated
    outside the cycle it is filed under are refused with their reasons; the cycle choice names
    its dates."""
    plc = Community.objects.get(pk=world.learning["plc"])
    cycle = plc.cycles.get()  # Sep 1 to Nov 30, 2025
    tomas = world.client("teacher")
    url = f"/learning/communities/{plc.pk}/meetings/new/"
    today = timezone.localdate()
    before = plc.meetings.count()
    far = today + datetime.timedelta(days=800)
    page = tomas.post(url, {"held_on": far.isoformat(), "agenda": "Plan"}).content.decode()
    assert "is more than a year ahead" in page
    soon = today + datetime.timedelta(days=7)
    page = tomas.post(url, {"held_on": soon.isoformat(), "notes": "We met."}).content.decode()
    assert "Notes are written once the meeting has been held" in page
    outside = {"held_on": "2025-12-01", "cycle": cycle.pk, "agenda": "Exit tickets"}
    page = tomas.post(url, outside).content.decode()
    assert escape("Dec 1, 2025 is outside the cycle “Do our questions get every student") in page
    assert "Sep 1, 2025 \u2013 Nov 30, 2025" in page  # in the message and in the cycle's choice
    assert plc.meetings.count() == before
    # Inside the cycle, it saves; a planned meeting with its agenda too.
    assert tomas.post(url, {**outside, "held_on": "2025-11-30"}).status_code == 302
    assert tomas.post(url, {"held_on": soon.isoformat(), "agenda": "Plan"}).status_code == 302
    assert plc.meetings.count() == before + 2


def test_the_audience_names_the_school_as_written(world: World) -> None:
    """M7: someone outside the audience reads the school's name as written."""
    pine = PDSession.objects.get(pk=world.learning["pine"])
    page = world.client("leader").get(f"/learning/sessions/{pine.pk}/").content.decode()
    assert f"This session is for staff of {escape(world.other_school.name)}." in page
    assert pine.audience_phrase == f"staff of {world.other_school.name}"


def test_a_principals_new_session_serves_their_school(world: World) -> None:
    """M8: a principal may offer sessions to their school's staff only: the form preselects
    their school and offers no choice they may not save."""
    page = world.client("principal").get("/learning/new/").content.decode()
    assert "No single school" not in page
    assert f'<option value="{world.school.pk}" selected>' in page
    assert 'name="program"' not in page
    # A district leader still chooses: no single school (the whole system) is theirs to offer.
    assert "No single school" in world.client("leader").get("/learning/new/").content.decode()


def test_community_pages_write_dates_in_the_projects_format(world: World) -> None:
    """M11: "Sep 1, 2025", as everywhere (not "Sept. 1, 2025" beside "Nov 25, 2026")."""
    plc = world.learning["plc"]
    page = world.client("teacher").get(f"/learning/communities/{plc}/").content.decode()
    assert "(Sep 1, 2025 \u2013 Nov 30, 2025)" in page
    assert "Sept." not in page and "Nov. 30" not in page
    assert "of Sep 15, 2025</span>" in page


def test_the_tick_list_seats_someone_from_the_waiting_list(world: World) -> None:
    """M6: the person taking attendance sees the waiting list and seats who came, raising the
    capacity when no seat is free; the check-in page tells a waiting person to ask for that."""
    today = PDSession.objects.get(pk=world.learning["today"])  # Tomas registered
    PDSession.objects.filter(pk=today.pk).update(capacity=1)
    cora = Registration.objects.create(
        session=today,
        person=world.colleague,
        status=Registration.Status.WAITLISTED,
        registered_at=timezone.now(),
    )
    fay = world.client("facilitator")
    url = f"/learning/sessions/{today.pk}/attendance/"
    page = fay.get(url).content.decode()
    assert "Waiting list" in page and f'id="present-{cora.pk}"' in page
    assert "no seat is free" in page
    response = fay.post(
        url, {"present": [world.teacher_person.pk, world.colleague.pk]}, follow=True
    )
    page = response.content.decode()
    assert "Seated from the waiting list: Cora Colleague. Capacity raised from 1 to 2." in page
    cora.refresh_from_db()
    assert cora.status == Registration.Status.CONFIRMED and cora.attended_at is not None
    assert PDSession.objects.get(pk=today.pk).capacity == 2
    # Someone waiting who types the code is told what the facilitator can do.
    cora.status, cora.attended_at, cora.checked_in_via = Registration.Status.WAITLISTED, None, ""
    cora.save()
    message = "ask the facilitator to tick you on their attendance list"
    with pytest.raises(ValidationError, match=message):
        services.checkin(
            actor=SimpleNamespace(person_id=world.colleague.pk, pk=-7),
            code=today.checkin_code,
        )


def test_someone_moved_up_is_told_so_on_the_session_page(world: World) -> None:
    """A seat that opens for the first person waiting: their session page says that they moved
    up from the waiting list, and when."""
    oak = PDSession.objects.get(pk=world.learning["oak"])  # 2 seats, Paula holds one
    services.registration_create(actor=None, session=oak, person=world.colleague)
    services.registration_create(actor=None, session=oak, person=world.teacher_person)
    tomas = world.client("teacher")
    page = tomas.get(f"/learning/sessions/{oak.pk}/").content.decode()
    assert "on the waiting list" in page and "moved up" not in page
    services.registration_cancel(
        actor=None, registration=oak.registrations.get(person=world.colleague)
    )
    page = tomas.get(f"/learning/sessions/{oak.pk}/").content.decode()
    day = timezone.localdate().strftime("%b %-d, %Y")
    assert f"A seat opened on {day}: you moved up from the waiting list." in page


def test_cancelling_a_registration_asks_for_confirmation(world: World) -> None:
    """The session page's cancel button leads to a confirmation; only its "Yes" cancels."""
    oak = PDSession.objects.get(pk=world.learning["oak"])
    paula = world.client("principal")
    page = paula.get(f"/learning/sessions/{oak.pk}/").content.decode()
    assert f'href="/learning/sessions/{oak.pk}/cancel/"' in page
    confirm = paula.get(f"/learning/sessions/{oak.pk}/cancel/").content.decode()
    assert "Cancel your registration?" in confirm and "Yes, cancel my registration" in confirm
    mine = Registration.objects.get(pk=world.learning["paula_oak"])
    assert mine.status == Registration.Status.CONFIRMED  # asking changed nothing
    assert paula.post(f"/learning/sessions/{oak.pk}/cancel/").status_code == 302
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CANCELLED
