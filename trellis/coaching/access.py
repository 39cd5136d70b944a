"""Who opens the coaching pages, and why not: coaching sessions, videos and progress belong to a
coach and a coachee, so an account not linked to a person (a coaching lead's, say) has none of
its own (`coaching.view` is an own-record action for every linked account). Such an account is
told so in plain words rather than shown a bare 403 (coach5), and the coaching home and the
protocol library open for whoever keeps the coaching set-up."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from trellis.authz.decorators import permission
from trellis.authz.policies import has_grant_for, user_may
from trellis.authz.roles import Action
from trellis.core.refusals import Refused

NO_PERSON = (
    "Your account is not linked to a person in Trellis. Coaching sessions, videos of practice "
    "and progress belong to a coach and a coachee, so this page needs your person record: ask "
    "your system administrator to link your account to it."
)


def has_person(user: Any) -> bool:
    return bool(getattr(user, "person_id", None))


def reads_sessions(user: Any) -> bool:
    """Whether the user reads sessions at all (their own, as coach or coachee, or others')."""
    return user_may(user, Action.COACHING_VIEW)


def opens_coaching(user: Any) -> bool:
    """The coaching home (/coaching/) and the protocol library: whoever reads sessions, and
    whoever keeps the coaching set-up (the coaching lead, administrators), linked or not."""
    return reads_sessions(user) or has_grant_for(user, Action.COACHING_CONFIGURE)


def refuse_without_person(user: Any) -> None:
    """A refusal that says why, for a signed-in account without a person that reads no sessions
    through a grant; others go on to the page's own checks."""
    if user.is_authenticated and not has_person(user) and not reads_sessions(user):
        raise Refused(NO_PERSON)


View = Callable[..., HttpResponseBase]


def coaching_page(view: View) -> View:
    """`@permission(Action.COACHING_VIEW)`, with the reason for an account without a person."""
    checked = permission(Action.COACHING_VIEW)(view)

    @wraps(checked)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refuse_without_person(request.user)
        return checked(request, *args, **kwargs)

    return wrapped
