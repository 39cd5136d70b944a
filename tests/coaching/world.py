"""The coaching every test world holds (role matrix, URL walker, query counts).

Cami (coach) coaches Paula (principal) and Cora; Sam supervises Paula (conftest). Here: Eve
evaluates Paula (an evaluation assignment; her own grant is a supervisor's on the south
network, where Paula does not work); Oscar is a coach with no coachees; Sid is a supervisor of
the south network with a person record and no caseload; Lena is Riverbend's coaching lead.
Cami logged a session with Paula (notes, two next steps: one Paula's, open; one Cami's, done)
that Paula commented on and did not share, and one with Cora. Riverbend's library holds
"Riverbend data dive" next to the built-in protocols.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import World

PAULA_NOTES = "Paula worried aloud about the budget cut and the readiness of her AP."
CORA_NOTES = "Cora wants to try a new questioning routine."


def focus_item(world: World) -> Any:
    from trellis.frameworks.models import FrameworkItem

    return (
        FrameworkItem.objects.filter(
            version__framework_id=world.framework_id, descriptors__isnull=False
        )
        .distinct()
        .order_by("pk")
        .first()
    )


def add_coaching(world: World) -> None:
    from tests.conftest import START, make_user
    from trellis.assignments.services import assignment_create
    from trellis.authz.roles import Relationship, Role
    from trellis.coaching.models import Protocol
    from trellis.coaching.services import (
        NextStepIn,
        builtin_protocols_install,
        comment_add,
        next_step_done,
        protocol_create,
        session_log,
    )
    from trellis.people.services import person_create

    builtin_protocols_install()  # a transactional test (the browser's) empties the table
    a = world.system
    eve = person_create(
        actor=None, system=a, given_name="Eve", family_name="Evaluator", email="eve@example.org"
    )
    oscar = person_create(
        actor=None, system=a, given_name="Oscar", family_name="Other", email="oscar@example.org"
    )
    lena = person_create(
        actor=None, system=a, given_name="Lena", family_name="Lead", email="lena@example.org"
    )
    sid = person_create(
        actor=None, system=a, given_name="Sid", family_name="South", email="sid@example.org"
    )
    u = world.users
    u["supervisor_south"] = make_user(
        a, "sid.south@riverbend.test", Role.SUPERVISOR, person=sid, network=world.other_network
    )
    u["evaluator"] = make_user(
        a, "evaluator@riverbend.test", Role.SUPERVISOR, person=eve, network=world.other_network
    )
    u["coach_other"] = make_user(
        a, "coach.other@riverbend.test", Role.COACH, person=oscar, system=a
    )
    u["coaching_lead"] = make_user(
        a, "coaching.lead@riverbend.test", Role.COACHING_LEAD, person=lena, system=a
    )
    assignment_create(
        actor=None,
        kind=Relationship.EVALUATION,
        supporter=eve,
        assignee=world.principal_person,
        starts_on=START,
    )
    protocol = protocol_create(
        actor=None,
        system=a,
        name="Riverbend data dive",
        description="Our own data protocol.",
        steps="Look at the data\nName one pattern\nPlan one move",
    )
    coach = world.users["coach"].person
    paula = world.principal_person
    session = session_log(
        actor=None,
        coach=coach,
        coachee=paula,
        held_on=datetime.date(2026, 1, 12),
        minutes=50,
        mode="in_person",
        protocol=protocol,
        focus=[focus_item(world)],
        notes=PAULA_NOTES,
        next_steps=[
            NextStepIn(
                text="Draft the data calendar", owner=paula, due_on=datetime.date(2026, 2, 1)
            ),
            NextStepIn(text="Send the article on data teams", owner=coach),
        ],
    )
    sent = session.next_steps.get(text__startswith="Send")
    next_step_done(actor=None, step=sent, done=True, on=datetime.date(2026, 1, 14))
    comment_add(actor=world.users["principal"], session=session, text="Thanks, the calendar helps.")
    cora_session = session_log(
        actor=None,
        coach=coach,
        coachee=world.colleague,
        held_on=datetime.date(2026, 2, 3),
        minutes=30,
        mode="virtual",
        notes=CORA_NOTES,
    )
    world.coaching = {
        "session": session.pk,
        "cora_session": cora_session.pk,
        "protocol": protocol.pk,
        "builtin": Protocol.objects.filter(system__isnull=True).order_by("pk").first().pk,
        "open_step": session.next_steps.get(text__startswith="Draft").pk,
        "done_step": sent.pk,
    }


def grow_coaching(world: World, people: list, scale: int, tag: str) -> None:
    """Coaching in proportion (for the query counts): `scale` more coachees of Cami, half of
    them also on Sam's caseload, each with a few sessions (focus, next steps open and done) and
    a progress rating on the focus; and `scale` more sessions with Paula."""
    from tests.conftest import START
    from trellis.assignments.services import assignment_create
    from trellis.authz.roles import Relationship
    from trellis.coaching.models import Protocol
    from trellis.coaching.selectors import caseload_assignment
    from trellis.coaching.services import SessionIn, sessions_bulk_create
    from trellis.frameworks.models import FrameworkVersion, PerformanceLevel
    from trellis.ratings.services import ratings_record

    coach = world.users["coach"].person
    supervisor = world.users["supervisor"].person
    item = focus_item(world)
    protocol = Protocol.objects.get(pk=world.coaching["protocol"])
    version = FrameworkVersion.objects.get(pk=item.version_id)  # type: ignore[attr-defined]
    level = PerformanceLevel.objects.filter(version=version).order_by("position").first()
    assert level is not None
    coachees = [p for p in people if p.system_id == world.system.pk][:scale]
    pending = []
    for n, person in enumerate(coachees):
        assignment = assignment_create(
            actor=None,
            kind=Relationship.COACHING,
            supporter=coach,
            assignee=person,
            starts_on=START,
        )
        if n % 2 == 0:
            assignment_create(
                actor=None,
                kind=Relationship.SUPERVISION,
                supporter=supervisor,
                assignee=person,
                starts_on=START,
            )
        ratings_record(
            actor=None,
            subject=person,
            version=version,
            purpose="progress",
            rated_on=datetime.date(2025, 12, 1),
            entries=[(item, level, "")],
        )
        for k in range(3):
            pending.append(
                SessionIn(
                    coach=coach,
                    coachee=person,
                    assignment=assignment,
                    held_on=datetime.date(2025, 9, 1) + datetime.timedelta(days=14 * k + n),
                    minutes=45,
                    mode="virtual",
                    protocol=protocol,
                    focus=[item],
                    notes=f"{tag} notes {n}.{k}",
                    next_steps=[
                        (f"{tag} step {n}.{k}", person, None, None),
                        (f"{tag} done {n}.{k}", coach, None, datetime.date(2025, 10, 1)),
                    ],
                )
            )
    paula = world.principal_person
    paula_assignment = caseload_assignment(coach, paula, datetime.date(2025, 1, 1))  # type: ignore[arg-type]
    for k in range(scale):
        pending.append(
            SessionIn(
                coach=coach,
                coachee=paula,
                assignment=paula_assignment,
                held_on=datetime.date(2025, 1, 6) + datetime.timedelta(days=7 * k),
                minutes=30,
                mode="in_person",
                protocol=None,
                focus=[item],
                notes=f"{tag} Paula {k}",
                next_steps=[(f"{tag} Paula step {k}", paula, None, None)],
            )
        )
    sessions_bulk_create(actor=None, system=world.system, sessions=pending)


def add_coaching_support(world: World) -> None:
    """Visits, tiers and need profiles (tests/coaching/world_support.py)."""
    from tests.coaching.world_support import add_support

    add_support(world)
