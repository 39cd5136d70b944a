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
