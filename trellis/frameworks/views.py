from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.frameworks import selectors
from trellis.frameworks.models import Framework
from trellis.orgs.selectors import systems_where

FRAMEWORK_EXPORT = ExportSpec(
    filename="frameworks",
    headers=["Framework", "Kind", "Owner", "Rates", "Latest version", "Status"],
    row=lambda f: [
        f.title,
        f.get_kind_display(),
        f.system.name if f.system else "Template",
        f.get_subject_kind_display(),
        f.latest.number if f.latest else "",
        f.latest.get_status_display() if f.latest else "",
    ],
)


@permission(Action.FRAMEWORKS_VIEW)
def framework_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "query": get_text(request.GET, "q"),
        "kind": get_choice(request.GET, "kind", Framework.Kind.values),
    }
    return render_list(
        request,
        template="frameworks/framework_list.html",
        queryset=selectors.framework_list(request.user, **filters),
        export=FRAMEWORK_EXPORT,
        context={
            "filters": filters,
            "kinds": Framework.Kind.choices,
            "can_import": systems_where(request.user, Action.FRAMEWORKS_MANAGE).exists(),
        },
    )


def csv_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Rubric rows as spreadsheet rows; items without a code get one from their place."""
    codes: dict[int, str] = {}
    counters: dict[int | None, int] = {}
    out = []
    for row in rows:
        item = row["item"]
        counters[item.parent_id] = counters.get(item.parent_id, 0) + 1
        parent_code = codes.get(item.parent_id, "") if item.parent_id else ""
        code = item.human_coding_scheme or (
            f"{parent_code}.{counters[item.parent_id]}"
            if parent_code
            else str(counters[item.parent_id])
        )
        codes[item.pk] = code
        out.append([code, parent_code, item.full_statement, item.item_type, *row["cells"]])
    return out


@permission(Action.FRAMEWORKS_VIEW)
def framework_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    framework = selectors.framework_get(request.user, pk)
    version = selectors.version_get(framework, get_int(request.GET, "version"))
    query = get_text(request.GET, "q")
    levels, rows = selectors.rubric_grid(version, query=query)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"framework-{framework.pk}-v{version.number}",
            # The same columns the CSV import reads, so a spreadsheet can go out and back in.
            headers=["code", "parent_code", "statement", "type", *[lv.name for lv in levels]],
            rows=csv_rows(rows),
        )
    return render(
        request,
        "frameworks/framework_detail.html",
        {
            "framework": framework,
            "version": version,
            "levels": levels,
            "rows": rows,
            "query": query,
            "versions": list(framework.versions.all()),
            "can_manage": (
                request.user.is_superuser
                or (
                    framework.system_id is not None
                    and allows(request.user, Action.FRAMEWORKS_MANAGE, framework)
                )
            ),
            "can_start": systems_where(request.user, Action.FRAMEWORKS_MANAGE).exists(),
            "has_draft": any(not v.is_published for v in framework.versions.all()),
            "move_choices": [("up", "↑"), ("down", "↓")],
        },
    )


@permission(Action.FRAMEWORKS_VIEW)
def framework_case(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk)
    version = selectors.version_get(framework, get_int(request.GET, "version"))
    package = selectors.build_package(version, base_uri=settings.TRELLIS_BASE_URL)
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="framework-{framework.pk}-v{version.number}-case.json"'
    )
    return response


@permission(Action.FRAMEWORKS_MANAGE)
def framework_import(request: HttpRequest) -> HttpResponse:
    """Framework files are imported through the one import pipeline (check, preview, commit,
    report and history at Imports); this address, once the frameworks' own upload page, leads
    there with the kind chosen (a spreadsheet when asked for by `?kind=framework_csv`)."""
    kind = get_choice(request.GET, "kind", ["case", "framework_csv"]) or "case"
    return redirect(f"{reverse('import_new')}?kind={kind}")
