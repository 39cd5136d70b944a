"""Progress monitoring pages (coach-visits): a coachee's progress ratings on their focus
competencies over time (a chart with a table), and the caseload's view (who is moving, who is
stuck). The definitions are in `selectors` and stated on the pages."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from trellis.coaching import selectors
from trellis.coaching.access import coaching_page
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


@coaching_page
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


# The time axis's labels: a date's width is estimated generously (DejaVu Sans averages about
# 0.55 em a character; 0.62 em leaves room), and labels keep LABEL_GAP apart.
LABEL_FONT = 12
LABEL_EM = 0.62
LABEL_GAP = 10
MONTH_STEPS = (1, 2, 3, 4, 6, 12)


def _label_width(label: str) -> float:
    return len(label) * LABEL_FONT * LABEL_EM


def _month_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first day of each month after `first` and before `last`."""
    found = []
    day = (first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    while day < last:
        found.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return found


def _time_labels(
    first: datetime.date, last: datetime.date, x_of: Any, x0: float, x1: float
) -> list[dict[str, Any]]:
    """Labels of a time axis that cannot collide: the first day rated (anchored at its start)
    and the last (anchored at its end), and between them month ticks ("Mar 2026") every one,
    two, three, four, six or twelve months, the smallest step whose labels keep apart, leaving
    out any that would touch the end labels."""
    if first == last:
        return [{"x": (x0 + x1) / 2, "label": day_text(first), "anchor": "middle", "tick": False}]
    ends: list[dict[str, Any]] = [
        {"x": x0, "label": day_text(first), "anchor": "start", "tick": False},
        {"x": x1, "label": day_text(last), "anchor": "end", "tick": False},
    ]
    left_edge = x0 + _label_width(ends[0]["label"]) + LABEL_GAP
    right_edge = x1 - _label_width(ends[1]["label"]) - LABEL_GAP
    months = _month_starts(first, last)
    between: list[dict[str, Any]] = []
    for step in MONTH_STEPS:
        chosen = [m for m in months if (m.year * 12 + m.month - 1) % step == 0]
        labels = [
            {"x": x_of(m), "label": f"{m:%b %Y}", "anchor": "middle", "tick": True} for m in chosen
        ]
        labels = [
            t
            for t in labels
            if t["x"] - _label_width(t["label"]) / 2 >= left_edge
            and t["x"] + _label_width(t["label"]) / 2 <= right_edge
        ]
        if all(
            b["x"] - a["x"] >= (_label_width(a["label"]) + _label_width(b["label"])) / 2 + LABEL_GAP
            for a, b in itertools.pairwise(labels)
        ):
            between = labels
            break
    return [ends[0], *between, ends[1]]


def _line(series: selectors.FocusSeries, top: int) -> dict[str, Any]:
    """A small line chart of one competency's levels over time: a time scale (each rating at
    its date), the axis labelled by `_time_labels` (first and last day rated, month ticks
    between that cannot collide)."""
    width, height, left, pad, axis = 420, 176, 40, 12, 26
    x0, x1 = left + 6, width - pad
    first, last = series.ratings[0].rated_on, series.ratings[-1].rated_on
    span = (last - first).days

    def x_of(day: datetime.date) -> float:
        if not span:
            return round((x0 + x1) / 2, 1)
        return round(x0 + (day - first).days / span * (x1 - x0), 1)

    scale = (height - axis - 2 * pad) / max(top - 1, 1)
    points = [
        {
            "x": x_of(r.rated_on),
            "y": round(height - axis - pad - (r.level.position - 1) * scale, 1),
            "rating": r,
            "rater": rater_kind_label(r),
        }
        for r in series.ratings
    ]
    ticks = [
        {"y": round(height - axis - pad - (level - 1) * scale, 1), "level": level}
        for level in range(1, top + 1)
    ]
    dates = _time_labels(first, last, x_of, x0, x1)
    for d in dates:
        d["x"] = round(d["x"], 1)
    return {
        "series": series,
        "points": points,
        "path": " ".join(f"{p['x']},{p['y']}" for p in points),
        "ticks": ticks,
        "dates": dates,
        "span": (
            f"from {day_text(first)} to {day_text(last)}" if span else f"on {day_text(first)}"
        ),
        "axis_y": height - axis,
        "label_y": height - 6,
        "font": LABEL_FONT,
        "width": width,
        "height": height,
        "left": left,
    }


@coaching_page
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
