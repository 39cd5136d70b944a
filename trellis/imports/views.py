"""The import pages: import a file, watch its check, read the preview, commit, the history."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from trellis.authz.decorators import permission
from trellis.authz.policies import user_may
from trellis.authz.roles import Action
from trellis.core.exports import export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int
from trellis.core.postonly import post_only
from trellis.imports import registry, selectors, services
from trellis.imports.forms import CommitForm, ImportForm, ImportSettingsForm
from trellis.imports.models import ImportRun, ImportSettings
from trellis.imports.reporting import change_groups, columns_of
from trellis.imports.tasks import check_import, commit_import
from trellis.orgs.models import System
from trellis.orgs.selectors import system_choice, systems_where

View = Callable[..., HttpResponseBase]

RUN_EXPORT = ExportSpec(
    filename="imports",
    headers=["Started", "By", "System", "Kind", "File", "Status", "Changes", "Problems"],
    row=lambda r: [
        r.created_at.isoformat(),
        r.created_by_label,
        r.system.name,
        r.kind_label,
        r.source_name,
        r.get_status_display(),
        r.total_changes,
        r.error_count,
    ],
)


def import_permission(view: View) -> View:
    """The import pages open to whoever may import some kind (rosters: system administrators;
    frameworks: also program managers); each run is then checked against its own kind."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(user_may(request.user, action) for action in registry.actions()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.trellis_permission = "|".join(sorted(registry.actions()))  # type: ignore[attr-defined]
    return wrapped


def import_systems(user: Any) -> QuerySet[System]:
    ids: set[int] = set()
    for action in registry.actions():
        ids.update(systems_where(user, action).values_list("pk", flat=True))
    return System.objects.filter(pk__in=ids).order_by("name")


@import_permission
def import_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "system_id": get_int(request.GET, "system"),
        "kind": get_choice(request.GET, "kind", [k.code for k in registry.kinds()]),
        "status": get_choice(request.GET, "status", ImportRun.Status.values),
    }
    return render_list(
        request,
        template="imports/import_list.html",
        queryset=selectors.import_run_list(request.user, **filters),
        export=RUN_EXPORT,
        context={
            "filters": filters,
            "kinds": [(k.code, k.label) for k in selectors.kinds_for(request.user)],
            "statuses": ImportRun.Status.choices,
            "systems": list(import_systems(request.user)),
            "can_set": user_may(request.user, Action.ROSTERS_MANAGE),
        },
    )


@import_permission
def import_new(request: HttpRequest) -> HttpResponse:
    systems = import_systems(request.user)
    kinds = selectors.kinds_for(request.user)
    wanted = request.GET.get("kind")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        systems=systems,
        kinds=kinds,
        initial={"system": systems.first(), "kind": wanted},
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
                options=data.get("options") or {},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            check_import.enqueue(run.pk)
            return redirect("import_detail", pk=run.pk)
    return render(request, "imports/import_new.html", {"form": form, "kinds": kinds})


@import_permission
def import_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = services.import_run_reconcile(selectors.import_run_get(request.user, pk))
    problems = run.errors + run.warnings
    if get_choice(request.GET, "format", ["csv", "xlsx"]):
        return export_response(
            fmt=request.GET["format"],
            filename=f"import-{run.pk}-problems",
            headers=["File", "Row", "Column", "Severity", "Problem"],
            rows=(
                [p["file"], p["row"], p["column"], p.get("severity") or "error", p["reason"]]
                for p in problems
            ),
        )
    kind = registry.get(run.kind)
    errors = Paginator(run.errors, 100).get_page(get_int(request.GET, "page") or 1)
    columns = columns_of(run)
    return render(
        request,
        "imports/import_detail.html",
        {
            "run": run,
            "discardable": services.is_discardable(run),
            "superseded_by": selectors.committed_since_check(run),
            "committable": run.status == ImportRun.Status.READY
            and (run.total_changes > 0 or (kind is not None and kind.commit_unchanged)),
            "mass_removal": services.mass_removal_text(run) if run.mass_removal else "",
            "columns": [c.replace("_", "-").capitalize() for c in columns],
            "errors": errors,
            "change_groups": change_groups(run),
            "summary_rows": [
                (name, run.sources.get(name, ""), [counts.get(c, 0) for c in columns])
                for name, counts in run.summary.items()
            ],
        },
    )


@import_permission
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = services.import_run_reconcile(selectors.import_run_get(request.user, pk))
    response = render(request, "imports/_progress.html", {"run": run})
    if not run.is_running:
        response["HX-Refresh"] = "true"  # show the finished report
    return response


@import_permission
@post_only("import_detail")
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(request.user, pk)
    form = CommitForm(request.POST)
    confirm = form.is_valid() and form.cleaned_data["confirm_mass_removal"]
    try:
        run = services.import_run_commit(actor=request.user, run=run, confirm_mass_removal=confirm)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        commit_import.enqueue(run.pk)
    return redirect("import_detail", pk=run.pk)


@import_permission
@post_only("import_detail")
def import_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    run = services.import_run_reconcile(selectors.import_run_get(request.user, pk))
    try:
        run = services.import_run_rerun(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        check_import.enqueue(run.pk)
    return redirect("import_detail", pk=run.pk)


@import_permission
@post_only("import_detail")
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    run = services.import_run_reconcile(selectors.import_run_get(request.user, pk))
    try:
        services.import_run_discard(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_detail", pk=run.pk)
    messages.success(request, f"{run.source_name} was discarded; nothing was written.")
    return redirect("import_list")


@permission(Action.ROSTERS_MANAGE)
def import_settings(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.ROSTERS_MANAGE)
    system = system_choice(
        systems, get_int(request.GET, "system") or get_int(request.POST, "system_id")
    )
    current = ImportSettings.objects.filter(system=system).first() or ImportSettings(
        system=system, mass_removal_percent=services.DEFAULT_MASS_REMOVAL_PERCENT
    )
    form = ImportSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_settings_set(
                actor=request.user,
                system=system,
                mass_removal_percent=form.cleaned_data["mass_removal_percent"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The import settings are saved.")
            return redirect(f"{request.path}?system={system.pk}")
    return render(
        request,
        "imports/import_settings.html",
        {"form": form, "system": system, "systems": systems},
    )
