"""Progress monitoring pages (coach-visits): a coachee's progress ratings on their focus
competencies over time (a chart with a table), and the caseload's view (who is moving, who is
stuck). The definitions are in `selectors` and stated on the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.coaching import selectors
from trellis.core.dates import day_text
from trellis.core.exports import export_response
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_text
from trellis.ratings.selectors import may_read_ratings, rater_kind_label

FORMATS = ("csv", "xlsx")
HEADERS = [
    "Person",
    "Status",
    "Sessions",
    "Sessions since the last change",
    "Last change of level",
    "Focus competencies (latest level)",
]


def _row(r: selectors.ProgressRow) -> list[Any]:
    return [
        r.person.full_name,
        r.status_label,
        r.sessions,
        r.sessions_since,
        r.last_change,
        "; ".join(
            f"{s.label}: {s.latest.level.name if s.latest else 'not rated'}" for s in r.series
        ),
    ]


@permission(Action.COACHING_VIEW)
def caseload_progress(request: HttpRequest) -> HttpResponseBase:
    query = get_text(request.GET, "q")
    status = get_choice(request.GET, "status", selectors.PROGRESS_STATUSES)
    people = selectors.progress_people(request.user, query=query)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt or status:
        # The status is computed from ratings and sessions: filter after reading every row.
        rows = [
            r for r in selectors.progress_rows(list(people)) if not status or r.status == status
        ]
        if fmt:
            return export_response(
                fmt=fmt, filename="coaching-progress", headers=HEADERS, rows=(_row(r) for r in rows)
            )
        people = people.filter(pk__in=[r.person.pk for r in rows])

    def load(page: list[Any]) -> None:
        progress = {r.person.pk: r for r in selectors.progress_rows(page)}
        for person in page:
            person.progress = progress[person.pk]

    return render_list(
        request,
        template="coaching/progress_caseload.html",
        queryset=people,
        export=ExportSpec(
            filename="coaching-progress",
            headers=HEADERS,
            row=lambda p: _row(selectors.progress_rows([p])[0]),
        ),
        per_page=25,
        on_page=load,
        context={
            "query": query,
            "status": status,
            "statuses": [("moving", "Moving"), ("stuck", "Stuck"), ("early", "Too early to tell")],
            "stuck_sessions": selectors.STUCK_SESSIONS,
        },
    )


def _line(series: selectors.FocusSeries, top: int) -> dict[str, Any]:
    """A small line chart of one competency's levels over time (x: ratings in date order, the
    axis labelled with the days rated: the first, the last and up to three between)."""
    width, height, left, pad, axis = 420, 172, 40, 16, 22
    n = len(series.ratings)
    step = (width - left - pad) / max(n - 1, 1)
    scale = (height - axis - 2 * pad) / max(top - 1, 1)
    points = [
        {
            "x": round(left + k * step, 1),
            "y": round(height - axis - pad - (r.level.position - 1) * scale, 1),
            "rating": r,
            "rater": rater_kind_label(r),
        }
        for k, r in enumerate(series.ratings)
    ]
    ticks = [
        {"y": round(height - axis - pad - (level - 1) * scale, 1), "level": level}
        for level in range(1, top + 1)
    ]
    # Up to five dates under the axis, evenly spread, the first and the last always.
    shown = sorted({round(k * (n - 1) / 4) for k in range(5)}) if n > 1 else [0]
    dates = [
        {
            "x": points[k]["x"],
            "label": day_text(series.ratings[k].rated_on),
            "anchor": "start"
            if k == 0 and n > 1
            else ("end" if k == n - 1 and n > 1 else "middle"),
        }
        for k in shown
    ]
    return {
        "series": series,
        "points": points,
        "path": " ".join(f"{p['x']},{p['y']}" for p in points),
        "ticks": ticks,
        "dates": dates,
        "span": (f"from {dates[0]['label']} to {dates[-1]['label']}" if len(dates) > 1 else ""),
        "axis_y": height - axis + 4,
        "label_y": height - 4,
        "width": width,
        "height": height,
        "left": left,
    }


@permission(Action.COACHING_VIEW)
def coachee_progress(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = selectors.coachee_get(request.user, pk)
    if not may_read_ratings(request.user, person):
        raise PermissionDenied
    row = selectors.progress_rows([person])[0]
    top = max(
        [r.level.position for s in row.series for r in s.ratings] + [4],
    )
    return render(
        request,
        "coaching/progress_person.html",
        {
            "person": person,
            "row": row,
            "charts": [_line(s, top) for s in row.series if s.ratings],
            "unrated": [s for s in row.series if not s.ratings],
            "stuck_sessions": selectors.STUCK_SESSIONS,
        },
    )
