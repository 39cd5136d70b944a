"""What surveys offer other pages: the home page's "Surveys to answer" panel, the web forms
open today that ask the signed-in person (a respondent has no other way to find them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from trellis.core.panels import Panel, register
from trellis.core.providers import provide
from trellis.core.suppression import threshold
from trellis.learning import selectors as learning_selectors
from trellis.surveys import selectors
from trellis.surveys.impact import rostered_teachers, session_satisfaction

# learning's "Students taught" page says which reported counts the report ignores.
provide("rostered_teachers")(rostered_teachers)


@register("home", weight=11)
def surveys_to_answer(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if not getattr(user, "person_id", None):
        return
    forms = selectors.administrations_to_answer(user, timezone.localdate())
    if forms:
        yield Panel("surveys/panels/to_answer.html", {"forms": forms})


@register("learning_session", weight=20)
def session_surveys(request: HttpRequest, *, session: Any) -> Iterator[Panel]:
    """A PD session's satisfaction surveys on its page: for whoever manages the session, the
    surveys given, their respondents and the favourable share (withheld under the threshold),
    and the link to give one; for an attendee asked by one that is open today, the link to
    answer it."""
    user: Any = request.user
    manages = learning_selectors.may_manage(user, session)
    today = timezone.localdate()
    surveys = selectors.session_surveys(session)
    person = getattr(user, "person", None)
    to_answer = [
        a
        for a in surveys
        if person is not None and a.open_on(today) and selectors.in_population(a, person, today)
    ]
    if not manages and not to_answer:
        return
    yield Panel(
        "surveys/panels/session_surveys.html",
        {
            "session": session,
            "manages": manages,
            "surveys": surveys if manages else [],
            "figure": session_satisfaction(session) if manages and surveys else None,
            "to_answer": to_answer,
            "threshold": threshold(),
            # The link while one can be given (each instrument once, within the school year).
            "refusal": selectors.session_survey_refusal(session, today) if manages else "",
        },
    )


@register("learning_community", weight=20)
def team_consensus(request: HttpRequest, *, community: Any) -> Iterator[Panel]:
    """A school leadership team's page: for its facilitator and members, the team's consensus
    ratings of the school's conditions and the link to record one."""
    if not selectors.on_leadership_team(request.user, community):
        return
    yield Panel(
        "surveys/panels/team_consensus.html",
        {"team": community, "rows": selectors.consensus_rows(community.school_id)[:2]},
    )
