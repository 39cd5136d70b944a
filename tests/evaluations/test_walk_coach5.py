"""An evaluation cycle rates a competency framework (branch coach5): the cycle form offers the
published competency frameworks only (leadership, teacher-leader, a system's "other"), never
external or content standards (a CASE import's default kind) or a school or system scale; a
version outside is refused by the form and by the service, and nothing is made."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.coaching.test_walk_coach5 import standards
from tests.conftest import World
from tests.evaluations.world import cycle_dates, world_version
from trellis.evaluations.models import EvaluationCycle
from trellis.evaluations.services import cycle_create
from trellis.frameworks.models import FrameworkVersion
from trellis.frameworks.selectors import COMPETENCY_KINDS

pytestmark = pytest.mark.django_db


def test_a_cycle_rates_a_competency_framework_only(world: World) -> None:
    version = standards(world)
    client = world.client("admin")
    offered = client.get("/evaluations/cycles/new/").context["form"].versions
    assert str(world_version(world).pk) in offered  # the leadership framework
    assert str(version.pk) not in offered
    assert {v.framework.kind for v in offered.values()} <= COMPETENCY_KINDS
    conditions = FrameworkVersion.objects.filter(framework_id=world.conditions_id).first()
    assert conditions is not None and str(conditions.pk) not in offered
    dates = {k: v.isoformat() for k, v in cycle_dates(timezone.localdate()).items()}
    data = {
        "title": "Standards cycle",
        "school_year": "2027-28",
        "population": "principal",
        "version": str(version.pk),
        **dates,
    }
    refused = client.post("/evaluations/cycles/new/", data)
    assert refused.status_code == 400 and refused.context["form"].errors.get("version")
    with pytest.raises(ValidationError) as caught:
        cycle_create(
            actor=world.users["admin"],
            system=world.system,
            title="Standards cycle",
            school_year="2027-28",
            population="principal",
            version=version,
            **cycle_dates(timezone.localdate()),
        )
    assert "competency framework" in str(caught.value)
    assert not EvaluationCycle.objects.filter(title="Standards cycle").exists()
