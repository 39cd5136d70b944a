from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.frameworks import selectors, services
from trellis.frameworks.forms import CaseUploadForm
from trellis.frameworks.models import Framework
from trellis.orgs.selectors import system_choice, systems_where

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
            headers=["Code", "Depth", "Statement", "Type", *[lv.name for lv in levels]],
            rows=(
                [
                    r["item"].human_coding_scheme,
                    r["depth"],
                    r["item"].full_statement,
                    r["item"].item_type,
                    *r["cells"],
                ]
                for r in rows
            ),
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
            "can_manage": allows(request.user, Action.FRAMEWORKS_MANAGE, framework),
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
    systems = systems_where(request.user, Action.FRAMEWORKS_MANAGE)
    form = CaseUploadForm(
        request.POST or None,
        request.FILES or None,
        systems=systems,
        initial={"system": systems.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.framework_import_case(
                actor=request.user,
                system=system_choice(systems, data["system"].pk),
                raw=data["file"].read(),
                kind=data["kind"],
                subject_kind=data["subject_kind"],
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("framework_detail", pk=version.framework_id)
    return render(request, "frameworks/framework_import.html", {"form": form})
