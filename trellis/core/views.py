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
from trellis.core import selectors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_date, get_int, get_text
from trellis.orgs.selectors import visible_systems

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
        "Before",
        "After",
    ],
    row=lambda e: [
        e.at.isoformat(),
        e.actor_label,
        e.system.name if e.system else "",
        e.action,
        e.object_type,
        e.object_id,
        e.object_repr,
        e.before,
        e.after,
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
    return render(request, "core/home.html", selectors.home_summary(request.user))


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
    return render_list(
        request,
        template="core/audit_log.html",
        queryset=selectors.audit_event_list(request.user, **filters),
        export=AUDIT_EXPORT,
        context={"filters": filters, "systems": list(visible_systems(request.user))},
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", {"message": str(exception or "")}, status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
