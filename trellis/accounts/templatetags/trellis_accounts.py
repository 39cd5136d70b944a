from __future__ import annotations

from typing import Any

from django import template

from trellis.accounts.selectors import system_name_for

register = template.Library()


@register.simple_tag(takes_context=True)
def system_name(context: dict[str, Any]) -> str:
    """The school system to name on a sign-in page (see system_name_for)."""
    request = context.get("request")
    return system_name_for(getattr(request, "user", None))
