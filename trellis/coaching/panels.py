"""What coaching offers the home page: a coach's or supervisor's caseload (last session, open
next steps, latest ratings on focus competencies, who has not been seen in the system's N
weeks), a coachee's own sessions, and the set-up links for those who keep the library."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import HttpRequest

from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.coaching import selectors
from trellis.core.audit import register_value
from trellis.core.models import AuditEvent
from trellis.core.panels import Panel, register
from trellis.frameworks.models import FrameworkItem


@register("home", weight=5)
def caseload(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    rows = selectors.caseload_rows(user)
    if rows:
        weeks = sorted({row.unseen_weeks for row in rows})
        label = " or ".join(f"{w} week{'s' if w != 1 else ''}" for w in weeks)
        yield Panel("coaching/panels/caseload.html", {"rows": rows, "weeks_label": label})


@register("home", weight=8)
def my_coaching(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    summary = selectors.own_summary(user)
    if summary is not None:
        yield Panel("coaching/panels/my_coaching.html", summary)


@register("home", weight=30)
def coaching_setup(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if has_grant_for(user, Action.COACHING_CONFIGURE):
        yield Panel(
            "coaching/panels/setup.html",
            {"sessions": has_grant_for(user, Action.COACHING_VIEW)},
        )


@register("home", weight=31)
def support_links(request: HttpRequest) -> Iterator[Panel]:
    """Classroom visits, instructional-leadership time and coaching dosage, for whoever reads
    them (coach-visits)."""
    user: Any = request.user
    links = {
        "visits": has_grant_for(user, Action.VISITS_VIEW),
        "log_visit": has_grant_for(user, Action.VISITS_LOG) and bool(user.person_id),
        "dosage": has_grant_for(user, Action.DOSAGE_VIEW),
    }
    if any(links.values()):
        yield Panel("coaching/panels/support.html", links)


def _competencies(pairs: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    """A session's focus, a visit's look-fors, a video comment's tags, kept as competency ids,
    read in the audit log by their codes ("1.1, 2.3"; the statement where an item has no code).
    One query for a page of events, the same for an empty page."""
    ids = {
        pk for _event, raw in pairs if isinstance(raw, list) for pk in raw if isinstance(pk, int)
    }
    items = FrameworkItem.objects.in_bulk(list(ids) or [0])

    def name(pk: Any) -> str:
        item = items.get(pk) if isinstance(pk, int) else None
        if item is None:
            return f"removed competency #{pk}"
        return item.human_coding_scheme or (item.abbreviated_statement or item.full_statement)[:60]

    return [
        ", ".join(name(pk) for pk in raw) or "—" if isinstance(raw, list) else str(raw)
        for _event, raw in pairs
    ]


register_value("focus", label="Focus", actions="coaching.session")(_competencies)
register_value("look_fors", label="Look-fors", actions="coaching.visit")(_competencies)
register_value("competencies", label="Competencies", actions="coaching.video_comment")(
    _competencies
)
