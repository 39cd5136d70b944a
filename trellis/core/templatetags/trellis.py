from __future__ import annotations

from typing import Any

from django import template

from trellis.core.suppression import people_count

register = template.Library()


@register.filter
def suppress(value: int) -> str:
    """A count of people, or "fewer than 5" when it is too small to show."""
    return str(people_count(int(value or 0)))


@register.filter
def get_field(form: Any, name: str) -> Any:
    """A bound field of a form by name (for forms whose fields are built at run time)."""
    return form[name]


@register.filter
def counts_for(figures: Any, pk: int) -> list[Any]:
    """The viewer's counts of one object, one per figure (trellis.core.panels.figures_for)."""
    return [figure.get(pk) for figure in figures]
