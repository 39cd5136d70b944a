from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, form_page, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.frameworks import selectors, services
from trellis.frameworks.forms import (
    CaseUploadForm,
    ItemForm,
    LevelsForm,
    NewFrameworkForm,
    StartForm,
)
from trellis.frameworks.models import Association, Framework, FrameworkVersion
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
    systems = systems_where(request.user, Action.FRAMEWORKS_MANAGE)
    form = CaseUploadForm(
        request.POST or None,
        request.FILES or None,
        systems=systems,
        initial={"system": systems.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        system = system_choice(systems, data["system"].pk)
        try:
            if data["file"].name.lower().endswith(".csv"):
                version = services.framework_import_csv(
                    actor=request.user,
                    system=system,
                    title=data["title"],
                    raw=data["file"].read(),
                    kind=data["kind"],
                    subject_kind=data["subject_kind"],
                )
            else:
                version = services.framework_import_case(
                    actor=request.user,
                    system=system,
                    raw=data["file"].read(),
                    kind=data["kind"],
                    subject_kind=data["subject_kind"],
                )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("framework_detail", pk=version.framework_id)
    return render(request, "frameworks/framework_import.html", {"form": form})


def _version_of(request: HttpRequest, pk: int, number: int) -> FrameworkVersion:
    framework = selectors.framework_get(request.user, pk, action=Action.FRAMEWORKS_MANAGE)
    return selectors.version_get(framework, number)


@permission(Action.FRAMEWORKS_MANAGE)
def framework_start(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk)
    source = selectors.version_get(framework, None)
    systems = systems_where(request.user, Action.FRAMEWORKS_MANAGE)
    form = StartForm(
        request.POST or None,
        systems=systems,
        initial={
            "system": systems.first(),
            "title": framework.title.replace(" (Trellis template)", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        version = services.framework_start_from(
            actor=request.user,
            source=source,
            system=system_choice(systems, form.cleaned_data["system"].pk),
            title=form.cleaned_data["title"],
        )
        messages.success(request, "Your draft is ready: edit it, then publish it.")
        return redirect(
            f"{reverse('framework_detail', args=[version.framework_id])}?version={version.number}"
        )
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Start a framework from “{framework.title}”",
            "back_url": reverse("framework_detail", args=[framework.pk]),
            "back_label": framework.title,
        },
    )


@permission(Action.FRAMEWORKS_MANAGE)
@require_http_methods(["POST"])
def version_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version_of(request, pk, number)
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {version.number} is published and now read-only.")
    return redirect(f"{reverse('framework_detail', args=[pk])}?version={number}")


@permission(Action.FRAMEWORKS_MANAGE)
@require_http_methods(["POST"])
def version_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk, action=Action.FRAMEWORKS_MANAGE)
    try:
        version = services.version_new_draft(actor=request.user, framework=framework)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("framework_detail", pk=pk)
    return redirect(f"{reverse('framework_detail', args=[pk])}?version={version.number}")


@permission(Action.FRAMEWORKS_MANAGE)
def item_edit(
    request: HttpRequest, pk: int, number: int, item_pk: int | None = None
) -> HttpResponse:
    version = _version_of(request, pk, number)
    item = get_object_or_404(version.items, pk=item_pk) if item_pk else None
    parent_pk = get_int(request.GET, "parent") or get_int(request.POST, "parent")
    parent = (
        get_object_or_404(version.items, pk=parent_pk)
        if parent_pk
        else (item.parent if item else None)
    )
    levels = list(version.levels.all())
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {
            "human_coding_scheme": item.human_coding_scheme,
            "full_statement": item.full_statement,
            "item_type": item.item_type,
        }
        for descriptor in item.descriptors.all():
            initial[f"descriptor_{descriptor.level_id}"] = descriptor.text
    form = ItemForm(request.POST or None, levels=levels, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(
                actor=request.user,
                version=version,
                item=item,
                parent=parent,
                full_statement=form.cleaned_data["full_statement"],
                human_coding_scheme=form.cleaned_data["human_coding_scheme"],
                item_type=form.cleaned_data["item_type"],
                descriptors=form.descriptors(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(f"{reverse('framework_detail', args=[pk])}?version={number}")
    heading = (
        f"Edit {item}"
        if item
        else (f"Add an item under {parent}" if parent else "Add a top-level item")
    )
    return render(
        request,
        "frameworks/item_form.html",
        {
            "form": form,
            "heading": heading,
            "version": version,
            "parent": parent,
            "back_url": f"{reverse('framework_detail', args=[pk])}?version={number}",
        },
    )


@permission(Action.FRAMEWORKS_MANAGE)
@require_http_methods(["POST"])
def item_delete(request: HttpRequest, pk: int, number: int, item_pk: int) -> HttpResponse:
    version = _version_of(request, pk, number)
    item = get_object_or_404(version.items, pk=item_pk)
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('framework_detail', args=[pk])}?version={number}")


@permission(Action.FRAMEWORKS_VIEW)
def framework_crosswalk(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk)
    version = selectors.version_get(framework, None)
    others = [
        f
        for f in selectors.visible_frameworks(request.user).order_by("title")
        if f.pk != framework.pk
    ]
    other_pk = get_int(request.GET, "with") or get_int(request.POST, "with")
    other = selectors.framework_get(request.user, other_pk) if other_pk else None
    can_manage = framework.system_id is not None and allows(
        request.user, Action.FRAMEWORKS_MANAGE, framework
    )
    context: dict[str, Any] = {
        "framework": framework,
        "version": version,
        "others": others,
        "other": other,
        "can_manage": can_manage,
        "types": services.CROSSWALK_TYPES,
    }
    if other is not None:
        other_version = selectors.version_get(other, None)
        context["other_version"] = other_version
        context["other_items"] = selectors.rubric_grid(other_version)[1]
        if request.method == "POST" and can_manage:
            if request.POST.get("unlink"):
                link = get_object_or_404(
                    Association, pk=get_int(request.POST, "unlink") or 0, version=version
                )
                services.crosswalk_unlink(actor=request.user, link=link)
            else:
                origin = get_object_or_404(version.items, pk=get_int(request.POST, "origin") or 0)
                destination = get_object_or_404(
                    other_version.items, pk=get_int(request.POST, "destination") or 0
                )
                try:
                    services.crosswalk_link(
                        actor=request.user,
                        origin=origin,
                        destination=destination,
                        association_type=request.POST.get("association_type", ""),
                    )
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse('framework_crosswalk', args=[pk])}?with={other.pk}")
        if request.method == "POST":
            raise PermissionDenied
        context["rows"] = selectors.crosswalk(version, other_version)
    return render(request, "frameworks/crosswalk.html", context)


@permission(Action.FRAMEWORKS_MANAGE)
def framework_new(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.FRAMEWORKS_MANAGE)
    form = NewFrameworkForm(
        request.POST or None, systems=systems, initial={"system": systems.first()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.framework_create(
                actor=request.user,
                system=system_choice(systems, data["system"].pk),
                title=data["title"],
                kind=data["kind"],
                subject_kind=data["subject_kind"],
                level_names=data["levels"].split(","),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(
                f"{reverse('framework_detail', args=[version.framework_id])}"
                f"?version={version.number}"
            )
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": "New framework",
            "back_url": reverse("framework_list"),
            "back_label": "Frameworks",
        },
    )


@permission(Action.FRAMEWORKS_MANAGE)
@require_http_methods(["POST"])
def item_move(request: HttpRequest, pk: int, number: int, item_pk: int) -> HttpResponse:
    version = _version_of(request, pk, number)
    item = get_object_or_404(version.items, pk=item_pk)
    try:
        services.item_move(
            actor=request.user,
            item=item,
            direction=-1 if request.POST.get("direction") == "up" else 1,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('framework_detail', args=[pk])}?version={number}")


@permission(Action.FRAMEWORKS_MANAGE)
def levels_edit(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    version = _version_of(request, pk, number)
    form = LevelsForm(request.POST or None, levels=list(version.levels.all()))
    return form_page(
        request,
        form=form,
        save=lambda data: services.levels_save(
            actor=request.user,
            version=version,
            names=form.names(),
            new_name=data.get("new_level", ""),
        ),
        success_url=f"{reverse('framework_detail', args=[pk])}?version={number}",
        heading=f"Performance levels of {version}",
        back_label=str(version),
    )
