"""The evaluation cycle every test world holds (role matrix, URL walker, query counts).

Riverbend configured "Principal evaluation" for this school year: every principal with an
evaluator gets an evaluation. Paula's is conducted by Eve (her evaluation assignment, which
wins over Sam's supervision); Sam reads it as her supervisor (the chain above), as does
Riverbend's administrator. Cami, Paula's coach, reads none of it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import World


def cycle_dates(today: datetime.date) -> dict[str, datetime.date]:
    day = datetime.timedelta(days=1)
    return {
        "opens_on": today - 60 * day,
        "self_assessment_due": today - 30 * day,
        "goals_due": today - 20 * day,
        "midyear_due": today + 10 * day,
        "summative_due": today + 60 * day,
        "acknowledgement_due": today + 90 * day,
    }


def world_version(world: World) -> Any:
    from trellis.frameworks.models import FrameworkVersion

    return (
        FrameworkVersion.objects.filter(framework_id=world.framework_id, status="published")
        .order_by("-number")
        .first()
    )


def add_evaluations(world: World) -> None:
    from django.utils import timezone

    from trellis.evaluations.models import Evaluation
    from trellis.evaluations.services import cycle_create

    made = cycle_create(
        actor=None,
        system=world.system,
        title="Principal evaluation",
        school_year="2026-27",
        population="principal",
        version=world_version(world),
        **cycle_dates(timezone.localdate()),  # type: ignore[arg-type]
    )
    paula = Evaluation.objects.get(cycle=made.cycle, evaluatee=world.principal_person)
    world.coaching["evaluation_cycle"] = made.cycle.pk
    world.coaching["evaluation"] = paula.pk


def grow_evaluations(world: World, people: list, scale: int, tag: str) -> None:
    """Evaluations in proportion (for the query counts): Eve evaluates `scale` more principals
    (Sam supervises them), and a second cycle opens for every principal with an evaluator; half
    of the new evaluations have their goals and mid-year review."""
    from django.utils import timezone

    from tests.conftest import START
    from trellis.assignments.services import assignment_create
    from trellis.authz.roles import Relationship
    from trellis.evaluations.models import Evaluation, EvaluationCycle
    from trellis.evaluations.services import cycle_create, goals_save, midyear_record
    from trellis.people.models import Position

    ids = {p.pk for p in people}
    principals = list(
        Position.objects.filter(person_id__in=ids, kind="principal", ends_on__isnull=True)
        .values_list("person", flat=True)
        .distinct()[:scale]
    )
    eve = world.users["evaluator"].person
    sam = world.users["supervisor"].person
    by_pk = {p.pk: p for p in people}
    for pk in principals:
        for kind, supporter in ((Relationship.EVALUATION, eve), (Relationship.SUPERVISION, sam)):
            assignment_create(
                actor=None, kind=kind, supporter=supporter, assignee=by_pk[pk], starts_on=START
            )
    # One cycle per population and school year: each growth gets a year of its own.
    year = 2030 + EvaluationCycle.objects.filter(system=world.system).count()
    made = cycle_create(
        actor=None,
        system=world.system,
        title=f"{tag} principal evaluation",
        school_year=f"{year}-{str(year + 1)[2:]}",
        population="principal",
        version=world_version(world),
        **cycle_dates(timezone.localdate()),  # type: ignore[arg-type]
    )
    for n, evaluation in enumerate(Evaluation.objects.filter(cycle=made.cycle).order_by("pk")):
        if n % 2 == 0:
            # Stages run in order: the mid-year review follows the self-assessment (these
            # principals have no accounts to submit one, so it is marked as done) and the goals.
            Evaluation.objects.filter(pk=evaluation.pk).update(self_assessed_at=timezone.now())
            evaluation.refresh_from_db()
            goals_save(actor=None, evaluation=evaluation, goals=[(f"{tag} goal {n}", [])])
            midyear_record(actor=None, evaluation=evaluation, notes=f"{tag} mid-year {n}")


# The stages walked in order, each through its service as its party (Case setups and tests).


def evaluation_of(w: World) -> Any:
    from trellis.evaluations.models import Evaluation

    return Evaluation.objects.select_related("cycle__version").get(pk=w.coaching["evaluation"])


def self_assessed(w: World) -> None:
    """Paula's self-assessment submitted (so that goal setting opens)."""
    from trellis.evaluations.selectors import competencies
    from trellis.evaluations.services import self_assessment_submit

    e = evaluation_of(w)
    if e.self_assessed_at:  # done by another Case's setup already
        return
    levels, rows = competencies(e.cycle.version)
    self_assessment_submit(
        actor=w.users["principal"],
        evaluation=e,
        entries=[(row["item"], levels[-1], "My own evidence") for row in rows],
    )


def goals_set(w: World) -> None:
    """…and her goals (so that the mid-year review opens)."""
    from trellis.evaluations.services import goals_save

    self_assessed(w)
    e = evaluation_of(w)
    if not e.goals_set_at:
        goals_save(actor=w.users["principal"], evaluation=e, goals=[("Lead the data team", [])])


def midyear_done(w: World) -> None:
    """…and Eve's mid-year review (so that the summative rating opens)."""
    from trellis.evaluations.services import midyear_record

    goals_set(w)
    e = evaluation_of(w)
    if not e.midyear_at:
        midyear_record(actor=w.users["evaluator"], evaluation=e, notes="Halfway there.")


def rated_in_full(w: World) -> None:
    """The stages before the summative done, and Eve's summative drafts on every competency
    with evidence (so that her sign-off goes through)."""
    from trellis.evaluations.selectors import competencies
    from trellis.evaluations.services import summative_save

    midyear_done(w)
    e = evaluation_of(w)
    if e.is_locked:  # signed off by another Case's setup already
        return
    levels, rows = competencies(e.cycle.version)
    summative_save(
        actor=w.users["evaluator"],
        evaluation=e,
        entries=[(row["item"], levels[0], "Evidence") for row in rows],
    )


def signed_off(w: World) -> None:
    from trellis.evaluations.services import sign_off

    rated_in_full(w)
    if evaluation_of(w).is_locked:
        return
    sign_off(actor=w.users["evaluator"], evaluation=evaluation_of(w))


HANDOVER_CYCLE = "Assistant principal evaluation, handed over"


def handed_over_id(w: World) -> int:
    from trellis.evaluations.models import Evaluation

    found = Evaluation.objects.filter(
        cycle__title=HANDOVER_CYCLE, evaluatee__email="hal.handover@example.org"
    ).values_list("pk", flat=True)
    return int(found.first() or 0)


def handed_over(w: World) -> Any:
    """Hal Handover, an assistant principal at Oak Hill whom Sam supervises, was evaluated by
    Eve (her evaluation assignment) in a cycle of his own; her assignment ended before she
    signed, so Sam is his evaluator now and takes the evaluation over (role-matrix Cases; the
    walk through it with Paula is tests/evaluations/test_take_over.py). Paula's evaluation and
    Eve's other relationships are untouched, as every Case's setup runs together in the
    query-count test."""
    from django.utils import timezone

    from tests.conftest import START
    from trellis.assignments.models import Assignment
    from trellis.assignments.services import assignment_create, assignment_end
    from trellis.authz.roles import Relationship
    from trellis.evaluations.models import Evaluation
    from trellis.evaluations.services import cycle_create
    from trellis.people.services import person_create, position_add

    found = handed_over_id(w)
    if found:
        return Evaluation.objects.get(pk=found)
    hal = person_create(
        actor=None,
        system=w.system,
        given_name="Hal",
        family_name="Handover",
        email="hal.handover@example.org",
    )
    position_add(
        actor=None, person=hal, kind="assistant_principal", school=w.school, starts_on=START
    )
    for kind, who in (
        (Relationship.SUPERVISION, "supervisor"),
        (Relationship.EVALUATION, "evaluator"),
    ):
        assignment_create(
            actor=None, kind=kind, supporter=w.users[who].person, assignee=hal, starts_on=START
        )
    cycle_create(
        actor=None,
        system=w.system,
        title=HANDOVER_CYCLE,
        school_year="2027-28",
        population="assistant_principal",
        version=world_version(w),
        **cycle_dates(timezone.localdate()),  # type: ignore[arg-type]
    )
    assignment_end(
        actor=None,
        assignment=Assignment.objects.get(
            kind=Relationship.EVALUATION, assignee=hal, ends_on__isnull=True
        ),
    )
    return Evaluation.objects.get(pk=handed_over_id(w))


# An evaluatee without an account (issue 10, the walk's last defects): Abe Absent, an assistant
# principal at Oak Hill with no Trellis account, evaluated by Eve in the assistant principals'
# cycle. His self-assessment is not possible and holds nothing; Eve walks the other stages and
# signs off, then records his signed paper acknowledgement.

OFFLINE_CYCLE = "Assistant principal evaluation"


def offline_evaluation_id(w: World) -> int:
    from trellis.evaluations.models import Evaluation

    found = Evaluation.objects.filter(
        cycle__title=OFFLINE_CYCLE, evaluatee__email="abe.absent@example.org"
    ).values_list("pk", flat=True)
    return int(found.first() or 0)


def offline_opened(w: World) -> Any:
    """The assistant principals' cycle with Abe's evaluation (made once per test)."""
    from django.utils import timezone

    from tests.conftest import START
    from trellis.assignments.services import assignment_create
    from trellis.authz.roles import Relationship
    from trellis.evaluations.models import Evaluation
    from trellis.evaluations.services import cycle_create
    from trellis.people.services import person_create, position_add

    found = offline_evaluation_id(w)
    if found:
        return Evaluation.objects.select_related("cycle__version", "evaluatee").get(pk=found)
    abe = person_create(
        actor=None,
        system=w.system,
        given_name="Abe",
        family_name="Absent",
        email="abe.absent@example.org",
    )
    position_add(
        actor=None, person=abe, kind="assistant_principal", school=w.school, starts_on=START
    )
    assignment_create(
        actor=None,
        kind=Relationship.EVALUATION,
        supporter=w.users["evaluator"].person,
        assignee=abe,
        starts_on=START,
    )
    made = cycle_create(
        actor=None,
        system=w.system,
        title=OFFLINE_CYCLE,
        school_year="2026-27",
        population="assistant_principal",
        version=world_version(w),
        **cycle_dates(timezone.localdate()),  # type: ignore[arg-type]
    )
    return Evaluation.objects.select_related("cycle__version", "evaluatee").get(
        cycle=made.cycle, evaluatee=abe
    )


def offline_signed_off(w: World) -> Any:
    """…walked by Eve through goals, the mid-year review and the summative rating, signed off."""
    from trellis.accounts.models import User
    from trellis.evaluations.selectors import competencies
    from trellis.evaluations.services import goals_save, midyear_record, sign_off, summative_save

    e = offline_opened(w)
    eve = User.objects.get(pk=w.users["evaluator"].pk)  # fresh: her relationships of today
    if e.is_locked:
        return e
    if not e.goals_set_at:
        goals_save(actor=eve, evaluation=e, goals=[("Run the attendance team", [])])
    if not e.midyear_at:
        midyear_record(actor=eve, evaluation=e, notes="On track.")
    levels, rows = competencies(e.cycle.version)
    summative_save(
        actor=eve, evaluation=e, entries=[(row["item"], levels[0], "Evidence") for row in rows]
    )
    sign_off(actor=eve, evaluation=e)
    e.refresh_from_db()
    return e
