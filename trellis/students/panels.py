"""What the students app offers: counts of enrolled students, never a student's record."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from django.http import HttpRequest

from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.panels import Panel, register, register_figure
from trellis.core.suppression import Count
from trellis.students.selectors import students_by_grade, students_by_school, students_enrolled


@register("home", weight=20)
def students(request: HttpRequest) -> Iterator[Panel]:
    if has_grant_for(request.user, Action.SCHOOLS_VIEW):
        yield Panel(
            "core/panels/card.html",
            {
                "title": "Students enrolled",
                "value": students_enrolled(request.user),
                "note": "active in the roster",
            },
            weight=20,
            kind="card",
        )


@register("school", weight=30)
def school_students(request: HttpRequest, school: Any) -> Iterator[Panel]:
    yield Panel(
        "students/panels/by_grade.html",
        {"rows": students_by_grade(request.user, school.pk)},
        weight=30,
    )


@register_figure("school", name="students_enrolled", label="Students", weight=20)
def students_figure(user: Any, school_ids: Collection[int] | None) -> Mapping[int, Count]:
    return students_by_school(user, school_ids)
