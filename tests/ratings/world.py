"""The rating round every test world holds (for the role matrix and the URL walker)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from tests.conftest import World


def add_round(world: World) -> None:
    """An open evaluation round of the principal and the teacher leader, run by the supervisor
    and rated by the coach and the far supervisor;
    the coach has submitted their ratings of the principal."""
    from trellis.frameworks.models import FrameworkVersion
    from trellis.ratings.models import RatingRound, RoundSubject
    from trellis.ratings.services import round_create, round_ratings_save
    from trellis.ratings.subjects import user_name

    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    today = timezone.localdate()
    # Written as the command line and handed to the supervisor, so that the world does not
    # depend on how far the supervisor's grants reach.
    round_ = round_create(
        actor=None,
        title="Mid-year evaluation round",
        purpose="evaluation",
        version=version,
        subjects=[world.principal_person, world.teacher_person],
        raters=[world.users["coach"], world.users["supervisor_far"]],
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=30),
    )
    supervisor = world.users["supervisor"]
    RatingRound.objects.filter(pk=round_.pk).update(
        owner=supervisor, owner_label=user_name(supervisor)
    )
    round_.refresh_from_db()
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


def rate_as(world: World, key: str, **kwargs: Any) -> list[Any]:
    """Ratings recorded as the command line and attributed to one of the world's users: tests
    of reading ratings do not depend on how far that user's grants reach to write them."""
    from trellis.ratings.models import Rating
    from trellis.ratings.services import _rater_kind, ratings_record
    from trellis.ratings.subjects import user_name

    ratings = ratings_record(actor=None, **kwargs)
    user = world.users[key]
    Rating.objects.filter(pk__in=[r.pk for r in ratings]).update(
        rater=user, rater_label=user_name(user), rater_kind=_rater_kind(user, kwargs["purpose"])
    )
    return ratings
