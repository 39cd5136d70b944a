"""Classroom visits and instructional-leadership time (issue 10) through the pages, the exports
and the API: a principal logs visits to the staff of their own school only; the weekly time is
hand-computed against the system's goal; the supervisor reads it for their caseload."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from tests.coaching.world_support import VISIT_FEEDBACK
from tests.conftest import World
from tests.matrix import row_counts
from trellis.accounts.models import User
from trellis.coaching.models import ClassroomVisit
from trellis.coaching.services import (
    SessionIn,
    sessions_bulk_create,
    support_settings_save,
    visit_log,
)
from trellis.core.models import AuditEvent


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def fresh(world: World, key: str) -> User:
    return User.objects.get(pk=world.users[key].pk)


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def test_a_principal_logs_a_visit_through_the_page(world: World) -> None:
    client = world.client("principal")
    chooser = client.get("/coaching/visits/new/").content.decode()
    assert "Tomas Teller" in chooser and "Cora Colleague" in chooser
    assert "Farid Faraway" not in chooser  # Pine Ridge is not Paula's school
    url = f"/coaching/visits/new/?teacher={world.colleague.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"visited_at": "2026-02-10T08:45", "minutes": 15, "feedback": "Clear objective."}
    )
    assert response.status_code == 302
    visit = ClassroomVisit.objects.get(teacher=world.colleague)
    assert (visit.principal_id, visit.school_id, visit.minutes) == (
        world.principal_person.pk,
        world.school.pk,
        15,
    )
    assert AuditEvent.objects.filter(action="coaching.visit_log", object_id=str(visit.pk)).exists()
    listing = client.get("/coaching/visits/?q=objective").content.decode()
    assert "Cora Colleague" in listing and "Tomas Teller" not in listing
    rows = csv_rows(client.get("/coaching/visits/?format=csv"))
    assert rows[0][:3] == ["Date and time", "Principal", "Teacher"]
    assert {r[2] for r in rows[1:]} == {"Cora Colleague", "Tomas Teller"}
    assert VISIT_FEEDBACK in {r[6] for r in rows[1:]}


def test_a_teacher_outside_the_school_is_refused(world: World) -> None:
    farid = world.far_person  # teaches at Pine Ridge
    before = row_counts()
    data = {"visited_at": "2026-02-10T08:45", "minutes": 15}
    # Paula does not see Farid: 404 on the page and the API.
    assert (
        world.client("principal")
        .post(f"/coaching/visits/new/?teacher={farid.pk}", data)
        .status_code
        == 404
    )
    api = world.client("principal").post(
        "/api/v1/coaching/visits",
        {"teacher_id": farid.pk, "visited_at": "2026-02-10T08:45:00", "minutes": 15},
        content_type="application/json",
    )
    assert api.status_code == 404
    # Percy, principal of Pine Ridge, does not visit Tomas of Oak Hill.
    assert (
        world.client("principal_pine")
        .post(f"/coaching/visits/new/?teacher={world.teacher_person.pk}", data)
        .status_code
        == 404
    )
    with pytest.raises(Http404):
        visit_log(
            actor=fresh(world, "principal"),
            teacher=farid,
            visited_at=at(datetime.date(2026, 2, 10)),
            minutes=15,
        )
    assert row_counts() == before


def test_bad_visits_are_refused_with_clear_messages(world: World) -> None:
    client = world.client("principal")
    url = f"/coaching/visits/new/?teacher={world.teacher_person.pk}"
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    text = client.post(url, {"visited_at": future, "minutes": 15}).content.decode()
    assert "the time is in the future" in text
    text = client.post(url, {"visited_at": "2026-02-10T08:45", "minutes": 500}).content.decode()
    assert "240" in text
    assert not ClassroomVisit.objects.filter(minutes=500).exists()


def test_an_untouched_visit_form_logs_nothing(world: World) -> None:
    """The form fills in no time or length: clicking "Log the visit" on it untouched logs no
    15-minute visit that would count as leadership time (issue 10 walk); each blank field says
    what to enter."""
    client = world.client("principal")
    url = f"/coaching/visits/new/?teacher={world.teacher_person.pk}"
    form = client.get(url).content.decode()
    assert 'name="minutes" value=' not in form and 'name="visited_at" value=' not in form
    before = ClassroomVisit.objects.count()
    text = client.post(url, {"feedback": ""}).content.decode()
    assert "Enter the date and time of the visit." in text
    assert "Enter how long the visit lasted, in minutes (1 to 240)." in text
    assert ClassroomVisit.objects.count() == before
    text = client.post(url, {"visited_at": "2026-02-10T08:45", "minutes": 0}).content.decode()
    assert "The length is between 1 and 240 minutes." in text


def test_leadership_time_per_week_is_hand_computed(world: World) -> None:
    paula, tomas = world.principal_person, world.teacher_person
    support_settings_save(actor=None, system=world.system, leadership_goal_minutes=100)
    # The world's visit: Tue Jan 20, 2026, 20 minutes (the week of Monday Jan 19).
    for day, minutes in (
        (datetime.date(2026, 1, 21), 30),
        (datetime.date(2026, 1, 25), 15),  # Sunday: still the week of Jan 19
        (datetime.date(2026, 1, 26), 40),  # Monday: the next week
    ):
        visit_log(actor=None, principal=paula, teacher=tomas, visited_at=at(day), minutes=minutes)
    # A session Paula led (as coach) counts; the world's session in which she is coached
    # (Jan 12, 50 minutes) does not.
    sessions_bulk_create(
        actor=None,
        system=world.system,
        sessions=[
            SessionIn(
                coach=paula,
                coachee=tomas,
                assignment=None,
                held_on=datetime.date(2026, 1, 22),
                minutes=45,
                mode="observation",
                protocol=None,
                focus=[],
                notes="",
                next_steps=[],
            )
        ],
    )
    url = "/coaching/leadership-time/?week=2026-01-28"
    rows = csv_rows(world.client("principal").get(url + "&format=csv"))
    header, paula_row = rows[0], rows[1]
    assert header[2:4] == ["Week of 2025-12-08", "Week of 2025-12-15"]
    assert header[-5:] == [
        "Week of 2026-01-19",
        "Week of 2026-01-26",
        "Average (complete weeks)",
        "Weeks at goal (complete weeks)",
        "Complete weeks",
    ]
    # Jan 12: 0 (coached, not leading); Jan 19: 20 + 30 + 15 + 45 = 110; Jan 26: 40.
    assert paula_row[:2] == ["Paula Prince", "100"]
    assert paula_row[2:10] == ["0", "0", "0", "0", "0", "0", "110", "40"]
    assert paula_row[10:] == ["19", "1", "8"]  # 150 / 8 = 18.75; one week at the goal
    page = world.client("principal").get(url).content.decode()
    assert "the minutes of the classroom visits they logged that week plus" in page
    assert "<svg" in page
    assert "in progress" in page  # the definition says how a week not over is shown
    # The supervisor reads Paula's (his caseload); a supervisor with no caseload may not.
    sup = csv_rows(world.client("supervisor").get(url + "&format=csv"))
    assert [r[0] for r in sup[1:]] == ["Paula Prince"]
    assert sup[1][8:10] == ["110", "40"]
    assert world.client("supervisor_far").get(url).status_code == 403
    api = world.client("supervisor").get("/api/v1/coaching/leadership-time?week=2026-01-28")
    assert api.json()[0]["minutes"][-2:] == [110, 40]

    # On Wednesday Jan 28 the week of Jan 26 has just begun: its 40 minutes are shown, marked
    # in progress, and count neither in the average (110 / 7 complete weeks = 15.7 → 16) nor
    # in the weeks at goal (1 of 7), nor as a week below the goal.
    with time_machine.travel(datetime.datetime(2026, 1, 28, 12, 0), tick=False):
        rows = csv_rows(world.client("principal").get(url + "&format=csv"))
        page = world.client("principal").get(url).content.decode()
        api = world.client("supervisor").get("/api/v1/coaching/leadership-time?week=2026-01-28")
    assert rows[0][8:10] == ["Week of 2026-01-19", "Week of 2026-01-26 (in progress)"]
    assert rows[1][9:] == ["40", "16", "1", "7"]
    assert "(in progress)" in page and "1 of 7" in page
    assert '40<span class="visually-hidden"> (week not over)</span>' in page
    got = api.json()[0]
    assert (got["average"], got["weeks_at_goal"], got["weeks_complete"]) == (16, 1, 7)
    # A week after today's (a `week` in the future) is to come, and counts in nothing either.
    with time_machine.travel(datetime.datetime(2026, 1, 21, 12, 0), tick=False):
        rows = csv_rows(world.client("principal").get(url + "&format=csv"))
    assert rows[0][8:10] == ["Week of 2026-01-19 (in progress)", "Week of 2026-01-26 (to come)"]
    assert rows[1][10:] == ["0", "0", "6"]


def test_only_teachers_are_offered_for_a_classroom_visit(world: World) -> None:
    """An assistant principal of the school holds no classroom: not offered as "whose
    classroom", a 403 that says why on the form, and refused by the service."""
    from django.core.exceptions import ValidationError

    from tests.conftest import START
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add

    ava = person_create(
        actor=None,
        system=world.system,
        given_name="Ava",
        family_name="Assistant",
        email="ava@riverbend.test",
    )
    position_add(
        actor=None,
        person=ava,
        kind=PositionKind.ASSISTANT_PRINCIPAL,
        school=world.school,
        starts_on=START,
    )
    client = world.client("principal")
    chooser = client.get("/coaching/visits/new/").content.decode()
    assert "Cora Colleague" in chooser and "Ava Assistant" not in chooser
    before = row_counts()
    refused = client.post(
        f"/coaching/visits/new/?teacher={ava.pk}",
        {"visited_at": "2026-02-10T08:45", "minutes": 15},
    )
    assert refused.status_code == 403
    assert "does not teach at your school" in refused.content.decode()
    with pytest.raises(ValidationError, match="did not teach at a school of yours"):
        visit_log(
            actor=fresh(world, "principal"),
            teacher=ava,
            visited_at=at(datetime.date(2026, 2, 10)),
            minutes=15,
        )
    assert row_counts() == before
