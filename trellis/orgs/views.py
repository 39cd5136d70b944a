from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, form_page, render_list
from trellis.core.panels import Figure, figures_for, panels_for
from trellis.core.params import get_choice, get_int, get_text
from trellis.orgs import selectors, services
from trellis.orgs.forms import NetworkForm, PartnerForm, SchoolForm
from trellis.orgs.models import Network, Partner, School

SCHOOL_HEADERS = ["School", "System", "Network", "Level", "Identifier", "City", "Status"]


def _school_export(figures: list[Figure]) -> ExportSpec:
    """The school list's columns, then one per figure the apps offer (current staff, students),
    suppressed for this viewer exactly as on the page."""
    return ExportSpec(
        filename="schools",
        headers=[*SCHOOL_HEADERS, *(f.label for f in figures)],
        row=lambda s: [
            s.name,
            s.system.name,
            s.network.name if s.network else "",
            s.get_level_display(),
            s.identifier,
            s.city,
            "active" if s.is_active else "inactive",
            *(f.get(s.pk) for f in figures),
        ],
    )


def _load_figures(figures: list[Figure], schools: list[School]) -> None:
    for figure in figures:
        figure.load(school.pk for school in schools)


@permission(Action.SCHOOLS_VIEW)
def school_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "system_id": get_int(params, "system"),
        "network_id": get_int(params, "network"),
        "level": get_choice(params, "level", School.Level.values),
        "status": get_choice(params, "status", ["active", "inactive", "all"]) or "active",
    }
    schools = selectors.school_list(request.user, **filters)
    systems = list(selectors.visible_systems(request.user))
    figures = figures_for("school", request.user)
    return render_list(
        request,
        template="orgs/school_list.html",
        queryset=schools,
        export=_school_export(figures),
        on_page=lambda schools: _load_figures(figures, schools),
        context={
            "figures": figures,
            "filters": filters,
            "systems": systems,
            # The filter names networks only (100 in a metro district).
            "networks": selectors.visible_networks(request.user).only("pk", "name"),
            "levels": School.Level.choices,
            "can_create": selectors.systems_where(request.user, Action.SCHOOLS_MANAGE).exists(),
        },
    )


@permission(Action.SCHOOLS_VIEW)
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(request.user, pk)
    return render(
        request,
        "orgs/school_detail.html",
        {
            "school": school,
            # Staff, students and people working here come from the apps that own them.
            "panels": panels_for("school", request, school=school),
            "can_edit": allows(request.user, Action.SCHOOLS_MANAGE, school),
        },
    )


@permission(Action.SCHOOLS_MANAGE)
def school_create(request: HttpRequest) -> HttpResponse:
    systems = list(selectors.systems_where(request.user, Action.SCHOOLS_MANAGE))
    if not systems:
        raise PermissionDenied
    system_id = get_int(request.GET, "system") or get_int(request.POST, "system_id")
    system = selectors.system_choice(systems, system_id)
    form = SchoolForm(request.POST or None, system=system)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_create(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("school_detail", pk=school.pk)
    return render(
        request, "orgs/school_form.html", {"form": form, "system": system, "systems": systems}
    )


@permission(Action.SCHOOLS_MANAGE)
def school_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(request.user, pk, action=Action.SCHOOLS_MANAGE)
    form = SchoolForm(request.POST or None, instance=school, system=school.system)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_update(actor=request.user, school=school, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("school_detail", pk=school.pk)
    return render(
        request, "orgs/school_form.html", {"form": form, "school": school, "system": school.system}
    )


NETWORK_EXPORT = ExportSpec(
    filename="networks",
    headers=["Network", "Code", "System", "Active schools"],
    row=lambda n: [n.name, n.code, n.system.name, n.school_count],
)
PARTNER_EXPORT = ExportSpec(
    filename="partners",
    headers=["Partner", "Kind", "Internal to", "Website"],
    row=lambda p: [
        p.name,
        p.get_kind_display(),
        p.home_system.name if p.home_system else "",
        p.website,
    ],
)


@permission(Action.SCHOOLS_VIEW)
def network_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "query": get_text(request.GET, "q"),
        "system_id": get_int(request.GET, "system"),
    }
    manageable = list(selectors.systems_where(request.user, Action.SCHOOLS_MANAGE))
    return render_list(
        request,
        template="orgs/network_list.html",
        queryset=selectors.network_list(request.user, **filters),
        export=NETWORK_EXPORT,
        context={
            "filters": filters,
            "systems": list(selectors.visible_systems(request.user)),
            "can_create": bool(manageable),
            "manageable": {s.pk for s in manageable},
        },
    )


@permission(Action.SCHOOLS_MANAGE)
def network_create(request: HttpRequest) -> HttpResponseBase:
    systems = list(selectors.systems_where(request.user, Action.SCHOOLS_MANAGE))
    system = selectors.system_choice(systems, get_int(request.POST, "system_id"))
    return form_page(
        request,
        form=NetworkForm(request.POST or None),
        save=lambda data: services.network_create(actor=request.user, system=system, **data),
        success_url=reverse("network_list"),
        heading=f"Add a network to {system.name}",
        back_label="Networks",
        extra={"system": system},
    )


@permission(Action.SCHOOLS_MANAGE)
def network_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    network = selectors.network_get(request.user, pk, action=Action.SCHOOLS_MANAGE)
    return form_page(
        request,
        form=NetworkForm(request.POST or None, instance=Network.objects.get(pk=pk)),
        save=lambda data: services.network_update(actor=request.user, network=network, **data),
        success_url=reverse("network_list"),
        heading=f"Edit {network.name}",
        back_label="Networks",
    )


@permission(Action.PARTNERS_VIEW)
def partner_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "query": get_text(request.GET, "q"),
        "kind": get_choice(request.GET, "kind", Partner.Kind.values),
    }
    manageable = list(selectors.systems_where(request.user, Action.SCHOOLS_MANAGE))
    return render_list(
        request,
        template="orgs/partner_list.html",
        queryset=selectors.partner_list(request.user, **filters),
        export=PARTNER_EXPORT,
        context={
            "filters": filters,
            "kinds": Partner.Kind.choices,
            "can_create": bool(manageable),
            "manageable": {s.pk for s in manageable},
        },
    )


@permission(Action.SCHOOLS_MANAGE)
def partner_create(request: HttpRequest) -> HttpResponseBase:
    systems = list(selectors.systems_where(request.user, Action.SCHOOLS_MANAGE))
    system = selectors.system_choice(systems, get_int(request.POST, "system_id"))
    return form_page(
        request,
        form=PartnerForm(request.POST or None),
        save=lambda data: services.partner_create(actor=request.user, home_system=system, **data),
        success_url=reverse("partner_list"),
        heading=f"Add a partner of {system.name}",
        back_label="Partners",
        extra={"system": system},
    )


@permission(Action.SCHOOLS_MANAGE)
def partner_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    partner = selectors.partner_get(request.user, pk, action=Action.SCHOOLS_MANAGE)
    return form_page(
        request,
        form=PartnerForm(request.POST or None, instance=Partner.objects.get(pk=pk)),
        save=lambda data: services.partner_update(actor=request.user, partner=partner, **data),
        success_url=reverse("partner_list"),
        heading=f"Edit {partner.name}",
        back_label="Partners",
    )
