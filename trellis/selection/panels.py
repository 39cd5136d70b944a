"""What the selection app offers the home page: the programs taking applications from the
viewer's system today, and the viewer's own applications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest

from trellis.core.panels import Panel, register
from trellis.selection.selectors import open_cycles


@register("home", weight=20)
def open_applications(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if not user.person_id:
        return
    cycles = open_cycles(user)
    if cycles:
        yield Panel("selection/panels/open_cycles.html", {"open_cycles": cycles}, weight=20)
