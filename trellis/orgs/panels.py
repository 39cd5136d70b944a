"""What the orgs app offers the home page: the viewer's schools and partners."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.urls import reverse

from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.panels import Panel, register
from trellis.orgs.selectors import (
    visible_partners,
    visible_schools,
)


@register("home", weight=10)
def schools(request: HttpRequest) -> Iterator[Panel]:
    user = request.user
    if not has_grant_for(user, Action.SCHOOLS_VIEW):
        return
    active = visible_schools(user).filter(is_active=True)
    count = active.count()
    # The networks the visible schools sit in (a school grant reaches no network of its own).
    networks = active.exclude(network=None).values("network_id").distinct().count()
    yield Panel(
        "core/panels/card.html",
        {
            "title": "Schools you can see",
            "value": intcomma(count),
            "url": reverse("school_list"),
            "note": f"in {networks} network{'' if networks == 1 else 's'}",
        },
        weight=10,
        kind="card",
    )
    yield Panel(
        "orgs/panels/schools.html",
        {"schools": list(active.select_related("network").order_by("name")[:8]), "count": count},
        weight=20,
    )


@register("home", weight=60)
def partners(request: HttpRequest) -> Iterator[Panel]:
    if has_grant_for(request.user, Action.PARTNERS_VIEW):
        yield Panel(
            "orgs/panels/partners.html",
            {"partners": list(visible_partners(request.user)[:8])},
            weight=60,
        )
