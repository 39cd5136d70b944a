"""What ratings offer the home page: the rating rounds the viewer owns or rates in that are not
locked yet, so a rater (an interviewer, a coach) finds the round waiting for them."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest

from trellis.core.panels import Panel, register
from trellis.ratings.models import RatingRound
from trellis.ratings.selectors import rounds_for

SHOWN = 5


@register("home", weight=6)
def open_rounds(request: HttpRequest) -> Iterator[Panel]:
    rounds = list(
        rounds_for(request.user, member_only=True).exclude(state=RatingRound.State.LOCKED)[
            : SHOWN + 1
        ]
    )
    if rounds:
        yield Panel(
            "ratings/panels/open_rounds.html",
            {"rounds": rounds[:SHOWN], "more": len(rounds) > SHOWN},
            weight=6,
        )
