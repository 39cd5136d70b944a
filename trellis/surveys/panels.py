"""What surveys offer other pages: the home page's "Surveys to answer" panel, the web forms
open today that ask the signed-in person (a respondent has no other way to find them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from trellis.core.panels import Panel, register
from trellis.surveys import selectors


@register("home", weight=11)
def surveys_to_answer(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if not getattr(user, "person_id", None):
        return
    forms = selectors.administrations_to_answer(user, timezone.localdate())
    if forms:
        yield Panel("surveys/panels/to_answer.html", {"forms": forms})
