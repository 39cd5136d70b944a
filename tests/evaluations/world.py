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
    from trellis.evaluations.models import Evaluation
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
    made = cycle_create(
        actor=None,
        system=world.system,
        title=f"{tag} principal evaluation",
        school_year="2026-27",
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
