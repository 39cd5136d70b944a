"""What ratings offer the home page: the rating rounds the viewer owns or rates in that are not
locked yet, so a rater (an interviewer, a coach) finds the round waiting for them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

from django.http import HttpRequest

from trellis.core.audit import register_value
from trellis.core.dates import day_text
from trellis.core.models import AuditEvent
from trellis.core.panels import Panel, register
from trellis.ratings.models import Purpose, RatingRound
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


@register_value("purpose", label="Purpose", actions="rating.")
def purposes(pairs: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    """A rating's purpose by its label ("Progress monitoring"), not its stored code."""
    labels = dict(Purpose.choices)
    return [str(labels.get(raw, raw)) for _event, raw in pairs]


def _day(text: Any) -> str:
    try:
        return day_text(datetime.date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


@register_value("window", label="Window", actions="round.")
def windows(pairs: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    """A round's window as the round page shows it: "Oct 30, 2026 to Dec 29, 2026"."""
    return [
        f"{_day(raw[0])} to {_day(raw[1])}" if isinstance(raw, list) and len(raw) == 2 else str(raw)
        for _event, raw in pairs
    ]
