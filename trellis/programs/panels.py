"""What programs offer the home page: the viewer's own participant records (so an aspiring
leader finds their goals, evidence and project), and, for a coach or mentor, the participants
whose experiences they sign off."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest

from trellis.core.panels import Panel, register
from trellis.programs.selectors import participations_for

SHOWN = 10


@register("home", weight=7)
def my_programs(request: HttpRequest) -> Iterator[Panel]:
    own, supported = participations_for(request.user, limit=SHOWN)
    if own or supported:
        yield Panel("programs/panels/my_programs.html", {"own": own, "supported": supported})
