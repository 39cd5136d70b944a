"""Editing a framework's drafts: start one, add, change, move and delete items, name and score
levels, publish. A published version's forms answer 403 (read-only); deleting and publishing
ask for confirmation on a page of their own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.listing import form_page
from trellis.core.params import get_int
from trellis.core.postonly import post_only
from trellis.frameworks import selectors, services
from trellis.frameworks.forms import ItemForm, LevelsForm, NewFrameworkForm, StartForm
from trellis.frameworks.models import FrameworkVersion
from trellis.orgs.selectors import system_choice, systems_where


def _draft_of(request: HttpRequest, pk: int, number: int) -> FrameworkVersion:
    """The draft to edit: 404 outside scope, 403 for a published version (read-only), on GET
    as on POST, so its forms never open as if they could be saved."""
    framework = selectors.framework_get(request.user, pk, action=Action.FRAMEWORKS_MANAGE)
    version = selectors.version_get(framework, number)
    if version.is_published:
        raise PermissionDenied("A published version is read-only; start a new draft to change it.")
    return version


def _detail_url(pk: int, number: int) -> str:
    return f"{reverse('framework_detail', args=[pk])}?version={number}"


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
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """GET asks for confirmation (publishing cannot be undone); POST publishes."""
    version = _draft_of(request, pk, number)
    if request.method == "GET":
        items = version.items.count()
        return render(
            request,
            "confirm.html",
            {
                "heading": f"Publish version {version.number} of {version.framework.title}?",
                "lines": [
                    f"Version {version.number} has {items} item{'s' if items != 1 else ''} and "
                    f"{version.levels.count()} performance levels.",
                    "Once published it is read-only and can be used for ratings; to change it "
                    "later you start a new draft. Publishing cannot be undone.",
                ],
                "action": reverse("version_publish", args=[pk, number]),
                "button": f"Publish version {version.number}",
                "danger": False,
                "back_url": _detail_url(pk, number),
                "back_label": str(version),
            },
        )
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {version.number} is published and now read-only.")
    return redirect(_detail_url(pk, number))


@permission(Action.FRAMEWORKS_MANAGE)
@post_only("framework_detail")
def version_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk, action=Action.FRAMEWORKS_MANAGE)
    try:
        version = services.version_new_draft(actor=request.user, framework=framework)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("framework_detail", pk=pk)
    messages.success(
        request, f"Version {version.number} is a draft copied from the latest published one."
    )
    return redirect(_detail_url(pk, version.number))


@permission(Action.FRAMEWORKS_MANAGE)
def item_edit(
    request: HttpRequest, pk: int, number: int, item_pk: int | None = None
) -> HttpResponse:
    version = _draft_of(request, pk, number)
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
            saved = services.item_save(
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
            messages.success(request, f"Saved “{saved}”.")
            return redirect(_detail_url(pk, number))
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
            "back_url": _detail_url(pk, number),
        },
    )


@permission(Action.FRAMEWORKS_MANAGE)
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int, number: int, item_pk: int) -> HttpResponse:
    """GET asks for confirmation, saying what goes with the item; POST deletes."""
    version = _draft_of(request, pk, number)
    item = get_object_or_404(version.items, pk=item_pk)
    if request.method == "GET":
        below = selectors.descendant_count(item)
        lines = [f"“{item}” is deleted with its descriptors."]
        if below:
            lines.append(
                f"The {below} item{'s' if below != 1 else ''} under it "
                f"{'are' if below != 1 else 'is'} deleted too."
            )
        return render(
            request,
            "confirm.html",
            {
                "heading": f"Delete “{item}”?",
                "lines": lines,
                "action": reverse("item_delete", args=[pk, number, item.pk]),
                "button": "Delete" if not below else f"Delete it and the {below} under it",
                "danger": True,
                "back_url": _detail_url(pk, number),
                "back_label": str(version),
            },
        )
    try:
        services.item_delete(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted “{item}”.")
    return redirect(_detail_url(pk, number))


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
            messages.success(request, f"“{version.framework}” is ready: add its items.")
            return redirect(_detail_url(version.framework_id, version.number))
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
# The version's page, which checks who reads it (no lookup here).
@post_only(lambda request, pk, number, item_pk: _detail_url(pk, number))
def item_move(request: HttpRequest, pk: int, number: int, item_pk: int) -> HttpResponse:
    version = _draft_of(request, pk, number)
    item = get_object_or_404(version.items, pk=item_pk)
    try:
        services.item_move(
            actor=request.user,
            item=item,
            direction=-1 if request.POST.get("direction") == "up" else 1,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_detail_url(pk, number))


@permission(Action.FRAMEWORKS_MANAGE)
def levels_edit(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    version = _draft_of(request, pk, number)
    form = LevelsForm(request.POST or None, levels=list(version.levels.all()))

    def save(data: dict[str, Any]) -> None:
        services.levels_save(
            actor=request.user,
            version=version,
            names=form.names(),
            new_name=data.get("new_level", ""),
        )
        messages.success(request, "The performance levels are saved.")

    return form_page(
        request,
        form=form,
        save=save,
        success_url=_detail_url(pk, number),
        heading=f"Performance levels of {version}",
        back_label=str(version),
    )
