from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.exports import export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int
from trellis.orgs.selectors import system_choice, systems_where
from trellis.people.models import PositionKind
from trellis.rosters import selectors, services
from trellis.rosters.forms import ImportForm, RoleMappingForm
from trellis.rosters.models import ImportRun
from trellis.rosters.reporting import COLUMNS, source_of
from trellis.rosters.tasks import check_import, commit_import

KIND_LABELS = dict(PositionKind.choices)

RUN_EXPORT = ExportSpec(
    filename="imports",
    headers=["Started", "By", "System", "Kind", "File", "Status", "Changes", "Problems"],
    row=lambda r: [
        r.created_at.isoformat(),
        r.created_by_label,
        r.system.name,
        r.get_kind_display(),
        r.source_name,
        r.get_status_display(),
        r.total_changes,
        r.error_count,
    ],
)


@permission(Action.ROSTERS_MANAGE)
def import_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "system_id": get_int(request.GET, "system"),
        "kind": get_choice(request.GET, "kind", ImportRun.Kind.values),
        "status": get_choice(request.GET, "status", ImportRun.Status.values),
    }
    return render_list(
        request,
        template="rosters/import_list.html",
        queryset=selectors.import_run_list(request.user, **filters),
        export=RUN_EXPORT,
        context={
            "filters": filters,
            "kinds": ImportRun.Kind.choices,
            "statuses": ImportRun.Status.choices,
            "systems": list(systems_where(request.user, Action.ROSTERS_MANAGE)),
        },
    )


@permission(Action.ROSTERS_MANAGE)
def import_new(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.ROSTERS_MANAGE)
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        systems=systems,
        initial={"system": systems.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        system = system_choice(systems, data["system"].pk)
        try:
            if data["file"]:
                path = services.save_upload(data["file"])
                name = data["file"].name
            else:
                path = services.server_folder(system, data["folder"])
                name = Path(data["folder"]).name or str(path)
            run = services.import_run_create(
                actor=request.user,
                system=system,
                kind=data["kind"],
                path=path,
                source_name=name,
                mode=data["mode"] if data["kind"] == ImportRun.Kind.PEOPLE_CSV else "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            check_import.enqueue(run.pk)
            return redirect("import_detail", pk=run.pk)
    return render(request, "rosters/import_new.html", {"form": form})


@permission(Action.ROSTERS_MANAGE)
def import_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = selectors.import_run_get(request.user, pk)
    if get_choice(request.GET, "format", ["csv", "xlsx"]):
        return export_response(
            fmt=request.GET["format"],
            filename=f"import-{run.pk}-problems",
            headers=["File", "Row", "Column", "Problem"],
            rows=([e["file"], e["row"], e["column"], e["reason"]] for e in run.errors),
        )
    errors = Paginator(run.errors, 100).get_page(get_int(request.GET, "page") or 1)
    return render(
        request,
        "rosters/import_detail.html",
        {
            "run": run,
            "discardable": services.is_discardable(run),
            "columns": [c.replace("_", "-").capitalize() for c in COLUMNS],
            "errors": errors,
            "summary_rows": [
                (name, source_of(run, name), [counts.get(c, 0) for c in COLUMNS])
                for name, counts in run.summary.items()
            ],
        },
    )


@permission(Action.ROSTERS_MANAGE)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(request.user, pk)
    response = render(request, "rosters/_progress.html", {"run": run})
    if not run.is_running:
        response["HX-Refresh"] = "true"  # show the finished report
    return response


@permission(Action.ROSTERS_MANAGE)
@require_http_methods(["POST"])
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(request.user, pk)
    try:
        run = services.import_run_commit(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        commit_import.enqueue(run.pk)
    return redirect("import_detail", pk=run.pk)


@permission(Action.ROSTERS_MANAGE)
@require_http_methods(["POST"])
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(request.user, pk)
    try:
        services.import_run_discard(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_detail", pk=run.pk)
    messages.success(request, f"{run.source_name} was discarded; nothing was written.")
    return redirect("import_list")


@permission(Action.ROSTERS_MANAGE)
def role_mapping(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.ROSTERS_MANAGE)
    system = system_choice(
        systems, get_int(request.GET, "system") or get_int(request.POST, "system_id")
    )
    form = RoleMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.role_mapping_set(actor=request.user, system=system, **form.cleaned_data)
        messages.success(request, "The mapping is saved; the next import uses it.")
        return redirect(f"{request.path}?system={system.pk}")
    return render(
        request,
        "rosters/role_mapping.html",
        {
            "form": form,
            "system": system,
            "systems": systems,
            "rows": [
                {
                    **row,
                    "kind_label": KIND_LABELS.get(row["kind"], "not recorded"),
                    "default_label": KIND_LABELS.get(row["default"], "not recorded"),
                }
                for row in selectors.role_mapping_table(system)
            ],
        },
    )
