"""What the people app offers: the viewer's own record, the people they can see, staff counts
(suppressed for viewers who may not open the people behind them) and recent position changes;
on a school's page, its staff by role and the people working there."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from trellis.authz.policies import allows, has_grant_for, scope_for
from trellis.authz.roles import Action
from trellis.core.panels import Panel, register, register_figure
from trellis.core.suppression import Count
from trellis.people.models import Position
from trellis.people.selectors import (
    current_positions,
    school_current_staff,
    school_staff_by_kind,
    staff_by_kind,
    staff_by_school,
    staff_counts_pending,
    visible_people,
    visible_people_count,
)


@register("home", weight=1)
def own_record(request: HttpRequest) -> Iterator[Panel]:
    user: Any = request.user
    if user.person_id:
        positions = list(
            current_positions().filter(person_id=user.person_id).select_related("school", "network")
        )
        yield Panel("people/panels/own_record.html", {"positions": positions}, weight=1)


@register("home", weight=30)
def people(request: HttpRequest) -> Iterator[Panel]:
    user = request.user
    if has_grant_for(user, Action.SCHOOLS_VIEW):
        by_kind = staff_by_kind(user)
        if by_kind:
            yield Panel(
                "people/panels/staff_by_kind.html",
                {"rows": by_kind, "pending": staff_counts_pending(user)},
                weight=30,
            )
    if not has_grant_for(user, Action.PEOPLE_VIEW):
        return
    visible = visible_people(user).filter(is_active=True)
    yield Panel(
        "core/panels/card.html",
        {
            "title": "People you can see",
            "value": intcomma(visible_people_count(user)),
            "url": reverse("people_list"),
            "note": "active staff records",
        },
        weight=30,
        kind="card",
    )
    # Read from the positions at places in scope: ordering a join through people would sort
    # every position of a metro district.
    latest = (
        Position.objects.filter(
            scope_for(user, Action.PEOPLE_VIEW).positions_q(),
            starts_on__lte=timezone.localdate(),
        )
        # only people the user may open (someone who has left a school drops out)
        .filter(person__in=visible)
        .order_by("-starts_on", "-pk")
        .values("pk")[:6]
    )
    # The six found first, then joined to their people and places: joined before the LIMIT,
    # a network's every position was joined to be sorted (item 29).
    recent = list(
        Position.objects.filter(pk__in=latest)
        .select_related("person", "school", "network")
        .order_by("-starts_on", "-pk")
    )
    yield Panel("people/panels/recent_positions.html", {"positions": recent}, weight=40)


@register("school", weight=20)
def school_staff(request: HttpRequest, school: Any) -> Iterator[Panel]:
    yield Panel(
        "people/panels/school_staff.html",
        {
            "rows": school_staff_by_kind(request.user, school.pk),
            "pending": staff_counts_pending(request.user),
        },
        weight=20,
    )
    if allows(request.user, Action.PEOPLE_VIEW, school):
        yield Panel(
            "people/panels/school_people.html",
            {"school": school, "staff": list(school_current_staff(school.pk))},
            weight=90,
        )


@register_figure("school", name="current_staff", label="Current staff", weight=10)
def staff_figure(user: Any, school_ids: Collection[int] | None) -> Mapping[int, Count]:
    return staff_by_school(user, school_ids)
