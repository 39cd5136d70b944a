"""What evaluation cycles offer the home page: an evaluator's evaluations due and overdue, what
an evaluatee is asked to do, and the cycles' set-up for those who configure them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest

from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.panels import Panel, register
from trellis.evaluations import selectors


@register("home", weight=6)
def evaluator_due(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    due = selectors.evaluator_due(user)
    if due is not None:
        yield Panel("evaluations/panels/evaluator.html", due)


@register("home", weight=7)
def evaluatee_asks(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    rows = selectors.evaluatee_asks(user)
    # Once nothing is asked of them, an evaluatee still finds their evaluations from here.
    if rows or selectors.has_own_evaluations(user):
        yield Panel("evaluations/panels/evaluatee.html", {"rows": rows, "today": selectors.today()})


@register("home", weight=31)
def cycles_setup(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if has_grant_for(user, Action.EVALUATIONS_CONFIGURE):
        yield Panel("evaluations/panels/setup.html", {})
