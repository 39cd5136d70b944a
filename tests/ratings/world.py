"""The rating round every test world holds (for the role matrix and the URL walker)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from tests.conftest import World


def add_round(world: World) -> None:
    """An open evaluation round of the principal and the teacher leader, run by the supervisor
    and rated by the coach and the far supervisor;
    the coach has submitted their ratings of the principal."""
    from trellis.frameworks.models import FrameworkVersion
    from trellis.ratings.models import RoundSubject
    from trellis.ratings.services import round_create, round_ratings_save

    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    today = timezone.localdate()
    round_ = round_create(
        actor=world.users["supervisor"],
        title="Mid-year evaluation round",
        purpose="evaluation",
        version=version,
        subjects=[world.principal_person, world.teacher_person],
        raters=[world.users["coach"], world.users["supervisor_far"]],
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30),
    )
    first, second = RoundSubject.objects.filter(round=round_).order_by("pk")
    item = version.items.filter(descriptors__isnull=False).distinct().order_by("pk").first()
    level = version.levels.get(position=3)
    assert item is not None
    (rating,) = round_ratings_save(
        actor=world.users["coach"],
        round_=round_,
        subject=first,
        entries=[(item, level, "Seen in the January visit.")],
        submit=True,
    )
    world.round_id = round_.pk
    world.round_subject_id = second.pk
    world.round_submitted_subject_id = first.pk
    world.rating_id = rating.pk
