"""Links to ratings pages, shown only to viewers who may open them (issue 7 item 22)."""

from __future__ import annotations

from typing import Any

from django import template

from trellis.ratings.selectors import may_read_ratings

register = template.Library()


@register.filter
def ratings_readable_by(subject: Any, user: Any) -> bool:
    return may_read_ratings(user, subject)
