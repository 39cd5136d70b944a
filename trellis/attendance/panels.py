"""The home page's attendance panel: a principal's school, a supervisor's schools, the district's
system."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Window
from django.http import HttpRequest

from trellis.attendance.selectors import (
    attendance_reach,
    attendance_systems,
    morning,
    morning_day,
    morning_page,
    own_alerts,
    student_outcomes,
    student_school_ids,
    system_today,
    worklist_count,
)
from trellis.core.panels import Panel, register
from trellis.core.providers import provide
from trellis.orgs.models import School


@register("home", weight=15)
def attendance_today(request: HttpRequest) -> Iterator[Panel]:
    """This morning's attendance: a principal's school, a supervisor's schools, and for the
    district roles who may read attendance (a system grant) the whole system, read as the
    system's morning page reads it (its total and the schools that jumped: a fixed number of
    queries whatever the number of schools)."""
    reach = attendance_reach(request.user)
    if not reach.school_ids:
        return
    system = attendance_systems(request.user).first()
    if system is None:
        return
    day = morning_day(request.user, system_today(system))
    if reach.kind == "system":
        yield Panel(
            "attendance/panels/home.html",
            {"m": morning_page(request.user, day), "call_schools": [], "system_wide": True},
            weight=15,
        )
        return
    yield Panel(
        "attendance/panels/home.html",
        {
            "m": morning(request.user, day),
            # The schools whose worklist the viewer may open ("who needs a call"), each with
            # the students on its worklist that day (one query: the contact roll-up).
            "call_schools": list(
                School.objects.filter(pk__in=student_school_ids(request.user))
                .annotate(on_worklist=worklist_count(day))
                .order_by("name")
                .values_list("pk", "name", "on_worklist")
            ),
        },
        weight=15,
    )


# The impact report's student outcomes (Guskey's level 5), read by the surveys app by name
# (trellis.core.providers): the two apps do not import each other.
provide("student_outcomes")(student_outcomes)


@register("home", weight=14)
def attendance_alerts(request: HttpRequest) -> Iterator[Panel]:
    """The viewer's attendance alerts not yet acknowledged (the five newest)."""
    # The five newest and how many there are, in one query: with a count first, a viewer
    # with alerts read one query more than one without (query counts differ by data).
    newest = list(
        own_alerts(request.user, status="open").annotate(open_count=Window(Count("pk")))[:5]
    )
    if not newest:
        return
    yield Panel(
        "attendance/panels/alerts.html",
        {"alerts": newest, "count": newest[0].open_count},
        weight=14,
    )
