from __future__ import annotations

from django import template

from trellis.core.suppression import people_count

register = template.Library()


@register.filter
def suppress(value: int) -> str:
    """A count of people, or "fewer than 5" when it is too small to show."""
    return str(people_count(int(value or 0)))
