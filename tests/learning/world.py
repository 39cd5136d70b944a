"""The professional learning every test world holds (role matrix, URL walker, query counts).

Fay (the district's PD facilitator, the `facilitator` user, no school position) facilitates
"Oak Hill: questioning routines" next week (Oak Hill's staff only; 2 seats, Paula holds one).
"Riverbend: data teams" is for all of Riverbend's staff; "Aspiring principals: budget basics"
for the Aspiring Principals' participants (Paula, Tomas); "Pine Ridge: lab classrooms" for
Pine Ridge's staff only (Farid): Tomas, at Oak Hill, cannot see it. "Oak Hill: feedback loops"
took place ten days ago: Tomas attended (his certificate), Paula registered and did not come.
"Oak Hill: today's workshop" is on now: Tomas is registered and checks in with its code.

Communities: Tomas facilitates the Oak Hill 3rd-grade PLC (Tomas, Cora, Fay; one cycle, one
meeting); Paula leads Oak Hill's leadership team (Paula, Tomas; one meeting with decisions);
Farid facilitates Pine Ridge's math team.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import World

OAK_TITLE = "Oak Hill: questioning routines"
PINE_TITLE = "Pine Ridge: lab classrooms"
PLC_NAME = "Oak Hill 3rd-grade PLC"
PINE_TEAM = "Pine Ridge math team"


def add_learning(world: World) -> None:
    from django.utils import timezone

    from tests.coaching.world import focus_item
    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.learning.models import Community, Registration
    from trellis.learning.services import (
        community_create,
        cycle_add,
        meeting_save,
        registration_create,
        session_create,
    )
    from trellis.people.services import person_create
    from trellis.programs.models import Program

    a = world.system
    u = world.users
    paula, tomas, cora, farid = (
        world.principal_person,
        world.teacher_person,
        world.colleague,
        world.far_person,
    )
    # Fay, the district's PD facilitator (no school position).
    fay = person_create(
        actor=None, system=a, given_name="Fay", family_name="Facilitator", email="fay@example.org"
    )
    u["facilitator"] = make_user(a, "fay@riverbend.test", Role.TEACHER_LEADER, person=fay, system=a)
    now = timezone.now().replace(second=0, microsecond=0)
    hours = datetime.timedelta(hours=2)
    item = focus_item(world)

    def make(title: str, start: datetime.datetime, **kw: Any) -> Any:
        return session_create(
            actor=None,
            system=a,
            title=title,
            starts_at=start,
            ends_at=start + hours,
            capacity=kw.pop("capacity", 20),
            place=kw.pop("place", "Oak Hill library"),
            competencies=[item] if item else [],
            **kw,
        )

    oak = make(
        OAK_TITLE,
        now + datetime.timedelta(days=7),
        school=world.school,
        capacity=2,
        facilitators=[fay],
        description="Try three questioning routines and plan one for next week.",
    )
    system_wide = make(
        "Riverbend: data teams",
        now + datetime.timedelta(days=9),
        place="Central office",
        online_url="https://meet.example.org/data-teams",
    )
    program = make(
        "Aspiring principals: budget basics",
        now + datetime.timedelta(days=12),
        program=Program.objects.get(pk=world.program_id),
    )
    pine = make(PINE_TITLE, now + datetime.timedelta(days=5), school=world.other_school)
    past = make(
        "Oak Hill: feedback loops",
        now - datetime.timedelta(days=10),
        school=world.school,
        facilitators=[fay],
    )
    today = make(
        "Oak Hill: today's workshop",
        now - datetime.timedelta(minutes=10),
        school=world.school,
        facilitators=[fay],
    )
    registration_create(actor=None, session=oak, person=paula)
    # Registered before they took place (the service refuses a session that is over).
    attended = Registration.objects.create(
        session=past,
        person=tomas,
        status=Registration.Status.CONFIRMED,
        registered_at=past.starts_at - datetime.timedelta(days=3),
        attended_at=past.starts_at + datetime.timedelta(minutes=5),
        checked_in_via=Registration.Via.LIST,
    )
    absent = Registration.objects.create(
        session=past,
        person=paula,
        status=Registration.Status.CONFIRMED,
        registered_at=past.starts_at - datetime.timedelta(days=2),
    )
    today_reg = registration_create(actor=None, session=today, person=tomas)
    plc = community_create(
        actor=None,
        system=a,
        name=PLC_NAME,
        kind=Community.Kind.PLC,
        school=world.school,
        facilitator=tomas,
        members=[tomas, cora, fay],
    )
    cycle = cycle_add(
        actor=None,
        community=plc,
        focus="Do our questions get every student talking?",
        starts_on=datetime.date(2025, 9, 1),
        ends_on=datetime.date(2025, 11, 30),
    )
    meeting = meeting_save(
        actor=None,
        community=plc,
        held_on=datetime.date(2025, 9, 15),
        agenda="Look at the exit tickets.",
        notes="Half the class answered.",
        cycle=cycle,
        attendees=[tomas, cora],
    )
    leadership = community_create(
        actor=None,
        system=a,
        name="Oak Hill leadership team",
        kind=Community.Kind.LEADERSHIP,
        school=world.school,
        facilitator=paula,
        members=[paula, tomas],
    )
    meeting_save(
        actor=None,
        community=leadership,
        held_on=datetime.date(2025, 10, 2),
        agenda="Attendance plan",
        decisions="Call home on the second absence.",
        attendees=[paula, tomas],
    )
    pine_team = community_create(
        actor=None,
        system=a,
        name=PINE_TEAM,
        kind=Community.Kind.CONTENT,
        school=world.other_school,
        facilitator=farid,
        members=[farid],
    )
    world.learning = {
        "fay": fay.pk,
        "oak": oak.pk,
        "system": system_wide.pk,
        "program": program.pk,
        "pine": pine.pk,
        "past": past.pk,
        "today": today.pk,
        "today_code": today.checkin_code,
        "attended": attended.pk,
        "absent": absent.pk,
        "today_registration": today_reg.pk,
        "paula_oak": oak.registrations.get(person=paula).pk,
        "plc": plc.pk,
        "cycle": cycle.pk,
        "meeting": meeting.pk,
        "leadership": leadership.pk,
        "pine_team": pine_team.pk,
    }


def grow_learning(world: World, people: list, scale: int, tag: str) -> None:
    """Learning in proportion (query counts): `scale` more sessions at Oak Hill and across the
    system, each with `scale` registrations (some waitlisted, some attended), and `scale` more
    communities with members and meetings."""
    from django.utils import timezone

    from tests.coaching.world import focus_item
    from trellis.learning.models import Community, Meeting, PDSession, Registration

    staff = [p for p in people if p.system_id == world.system.pk][: scale * 2]
    item = focus_item(world)
    now = timezone.now()
    for n in range(scale):
        start = now + datetime.timedelta(days=n - scale // 2, hours=n)
        session = PDSession.objects.create(
            system=world.system,
            school=world.school if n % 2 else None,
            title=f"{tag} session {n}",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="Room 12",
            capacity=max(1, scale // 2),
            checkin_code=f"Z{n:05d}"[:6],
        )
        if item:
            session.competencies.add(item)
        session.facilitators.add(*staff[:2])
        Registration.objects.bulk_create(
            [
                Registration(
                    session=session,
                    person=person,
                    status="confirmed" if k < scale // 2 else "waitlisted",
                    registered_at=start - datetime.timedelta(days=7, minutes=k),
                    attended_at=start if (k < scale // 2 and start < now) else None,
                )
                for k, person in enumerate(staff[:scale])
            ]
        )
        # The World's people are on every list, so their pages grow too.
        Registration.objects.create(
            session=session,
            person=world.teacher_person,
            status="confirmed",
            registered_at=start - datetime.timedelta(days=8),
            attended_at=start if start < now else None,
        )
        community = Community.objects.create(
            system=world.system,
            school=world.school if n % 2 else None,
            name=f"{tag} community {n}",
            kind="plc",
            facilitator=world.teacher_person,
        )
        community.members.add(world.teacher_person, world.colleague, *staff[:scale])
        for k in range(3):
            meeting = Meeting.objects.create(
                community=community,
                held_on=datetime.date(2025, 9, 1) + datetime.timedelta(days=7 * k),
                agenda=f"{tag} agenda {n}.{k}",
            )
            meeting.attendees.add(world.teacher_person, *staff[:scale])
    plc = Community.objects.get(pk=world.learning["plc"])
    for k in range(scale):
        meeting = Meeting.objects.create(
            community=plc, held_on=datetime.date(2025, 1, 6) + datetime.timedelta(days=k)
        )
        meeting.attendees.add(world.teacher_person, world.colleague)
