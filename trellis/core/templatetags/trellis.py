from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

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


@register.filter
def options(choices: Iterable[Any], selected: Any) -> str:
    """`<option>`s of objects with an integer `pk` and a `name` (a filter's hundred networks at
    metro size: joined in Python, a fraction of the template loop's time), the one whose pk is
    `selected` marked so."""
    return mark_safe(  # noqa: S308 - the names are escaped, the pks are integers
        "".join(
            f'<option value="{int(c.pk)}"{" selected" if c.pk == selected else ""}>'
            f"{escape(c.name)}</option>"
            for c in choices
        )
    )
