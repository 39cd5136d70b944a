"""What learning offers other pages: the home page's "Professional learning" panel (one's
upcoming registrations and links to sessions, communities and check-in), and the "participant"
slot that the programs app's participant record renders (sessions attended and communities),
so that programs need not import learning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from trellis.core.panels import Panel, register
from trellis.learning import selectors


@register("home", weight=12)
def my_learning(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if not user.person_id and not selectors.may_create_sessions(user):
        return
    mine = list(
        selectors.with_waiting_place(selectors.my_registrations(user))
        .exclude(status="cancelled")
        .filter(session__ends_at__gte=timezone.now())
        .order_by("session__starts_at")[:5]
    )
    attended = selectors.my_registrations(user).filter(attended_at__isnull=False).count()
    yield Panel("learning/panels/home.html", {"upcoming": mine, "attended": attended})


@register("participant", weight=50)
def participant_learning(request: HttpRequest, *, person_id: int) -> Iterator[Panel]:
    user: Any = request.user
    record = selectors.learning_record(person_id)
    linked = {
        r.pk
        for r in record.attended
        if selectors.certificate_ready(r)
        and (r.person_id == user.person_id or selectors.may_manage(user, r.session))
    }
    yield Panel("learning/panels/participant.html", {"record": record, "linked": linked})
