"""Links to a person's coaching pages, shown only to viewers who may open them (coach-visits)."""

from __future__ import annotations

from typing import Any

from django import template

from trellis.coaching.selectors import may_open_history

register = template.Library()


@register.filter
def coaching_readable_by(person: Any, user: Any) -> bool:
    return may_open_history(user, person)
