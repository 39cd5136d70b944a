from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from trellis.authz.decorators import permission, public
from trellis.authz.roles import Action
from trellis.core.audit import describe, grouped, object_types
from trellis.core.exports import export_response
from trellis.core.listing import ExportSpec, querystring_without
from trellis.core.panels import panels_for
from trellis.core.params import get_choice, get_date, get_int, get_text, paginate
from trellis.orgs.selectors import visible_systems
from trellis.site import selectors

AUDIT_EXPORT = ExportSpec(
    filename="audit-log",
    headers=[
        "When",
        "Who",
        "System",
        "Action",
        "Object type",
        "Object id",
        "Object",
        "Change",
        "Before",
        "After",
    ],
    row=lambda entry: [
        entry.event.at.isoformat(),
        entry.event.actor_label,
        entry.event.system.name if entry.event.system else "",
        entry.event.action,
        entry.event.object_type,
        entry.event.object_id,
        entry.event.object_repr,
        "; ".join(
            f"{c.label}: {c.before or '—'} → {c.after or '—'}"
            if c.before is not None
            else f"{c.label}: {c.after}"
            for c in entry.changes
        ),
        entry.event.before,
        entry.event.after,
    ],
)


@public
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@permission(Action.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    panels = panels_for("home", request)
    return render(
        request,
        "site/home.html",
        {
            "grants": selectors.grants_in_force(request.user),
            "is_operator": request.user.is_superuser,
            "cards": [p for p in panels if p.kind == "card"],
            "sections": [p for p in panels if p.kind != "card"],
        },
    )


def _export_rows(queryset: Any) -> Any:
    """Readable changes for the export too, a batch of events at a time. A batch is the
    2,000 rows every other export streams per chunk: `describe` asks each model a snapshot may
    name once per batch (some 25 queries), so smaller batches made the query count grow with
    a district's audit trail."""
    batch: list[Any] = []
    for event in queryset.iterator(chunk_size=2000):
        batch.append(event)
        if len(batch) == 2000:
            yield from (AUDIT_EXPORT.row(e) for e in describe(batch))
            batch = []
    yield from (AUDIT_EXPORT.row(e) for e in describe(batch))


@permission(Action.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "actor": get_text(params, "actor"),
        "action": get_text(params, "action", max_length=80),
        "object_type": get_text(params, "object_type", max_length=80),
        "system_id": get_int(params, "system"),
        "date_from": get_date(params, "from"),
        "date_to": get_date(params, "to"),
    }
    events = selectors.audit_event_list(request.user, **filters)
    fmt = get_choice(request.GET, "format", ("csv", "xlsx"))
    if fmt:
        return export_response(
            fmt=fmt,
            filename=AUDIT_EXPORT.filename,
            headers=AUDIT_EXPORT.headers,
            rows=_export_rows(events),
        )
    page = paginate(events, request.GET, per_page=50)
    return render(
        request,
        "site/audit_log.html",
        {
            "filters": filters,
            "systems": list(visible_systems(request.user)),
            "page_obj": page,
            "object_list": page.object_list,
            "entries": grouped(describe(list(page.object_list))),
            "object_types": object_types(),
            "querystring_nopage": querystring_without(request, "page", "format"),
        },
    )
