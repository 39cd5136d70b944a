"""Crosswalks: a framework's competencies beside another framework's, with the links between
them (alignments, which managers may add even to a published version)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.params import get_int
from trellis.frameworks import selectors, services
from trellis.frameworks.models import Association


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
                messages.success(request, "The link is removed.")
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
                else:
                    messages.success(request, f"“{origin}” is linked to “{destination}”.")
            return redirect(f"{reverse('framework_crosswalk', args=[pk])}?with={other.pk}")
        if request.method == "POST":
            raise PermissionDenied
        context["rows"] = selectors.crosswalk(version, other_version)
    return render(request, "frameworks/crosswalk.html", context)
