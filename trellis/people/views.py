from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.orgs.selectors import (
    system_choice,
    systems_where,
    visible_networks,
    visible_schools,
    visible_systems,
)
from trellis.people import selectors, services
from trellis.people.forms import (
    CertificationForm,
    EducationForm,
    PersonForm,
    PositionEndForm,
    PositionForm,
)
from trellis.people.models import Person, PositionKind


def _current(person: Person) -> str:
    return "; ".join(str(p) for p in person.current_positions)  # type: ignore[attr-defined]


PEOPLE_EXPORT = ExportSpec(
    filename="people",
    headers=[
        "Family name",
        "Given name",
        "Preferred name",
        "E-mail",
        "Employee number",
        "System",
        "Current positions",
        "Status",
    ],
    row=lambda p: [
        p.family_name,
        p.given_name,
        p.preferred_name,
        p.email,
        p.identifier,
        p.system.name,
        _current(p),
        "active" if p.is_active else "inactive",
    ],
)


@permission(Action.PEOPLE_VIEW)
def people_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "system_id": get_int(params, "system"),
        "school_id": get_int(params, "school"),
        "network_id": get_int(params, "network"),
        "kind": get_choice(params, "kind", PositionKind.values),
        "status": get_choice(params, "status", ["active", "inactive", "all"]) or "active",
    }
    people = selectors.people_list(request.user, **filters)
    schools = visible_schools(request.user, Action.PEOPLE_VIEW).filter(is_active=True)
    return render_list(
        request,
        template="people/people_list.html",
        queryset=people,
        export=PEOPLE_EXPORT,
        context={
            "filters": filters,
            "systems": list(visible_systems(request.user)),
            "schools": schools.only("pk", "name").order_by("name")[:2000],
            "networks": visible_networks(request.user, Action.PEOPLE_VIEW),
            "kinds": PositionKind.choices,
            "can_create": systems_where(request.user, Action.PEOPLE_MANAGE).exists(),
        },
    )


@permission(Action.PEOPLE_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_manage": allows(request.user, Action.PEOPLE_MANAGE, person),
            # Never a link that answers 403: the ratings page needs a rating action (or it is
            # their own record).
            "can_see_ratings": getattr(request.user, "person_id", None) == person.pk
            or allows(request.user, Action.RATINGS_PROGRESS, person)
            or allows(request.user, Action.RATINGS_EVALUATION, person),
            "end_form": PositionEndForm(),
            **selectors.person_record(person),
        },
    )


@permission(Action.PEOPLE_MANAGE)
def person_create(request: HttpRequest) -> HttpResponse:
    systems = list(systems_where(request.user, Action.PEOPLE_MANAGE))
    if not systems:
        raise PermissionDenied
    system_id = get_int(request.GET, "system") or get_int(request.POST, "system_id")
    system = system_choice(systems, system_id)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, system=system, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person_detail", pk=person.pk)
    return render(
        request, "people/person_form.html", {"form": form, "system": system, "systems": systems}
    )


@permission(Action.PEOPLE_MANAGE)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk, action=Action.PEOPLE_MANAGE)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": person, "system": person.system},
    )


def _record_form(
    request: HttpRequest,
    pk: int,
    form_class: type,
    service: object,
    heading: str,
    **form_kwargs: object,
) -> HttpResponse:
    person = selectors.person_get(request.user, pk, action=Action.PEOPLE_MANAGE)
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, person=person, **form.cleaned_data)  # type: ignore[operator]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person_detail", pk=person.pk)
    return render(
        request, "people/record_form.html", {"form": form, "person": person, "heading": heading}
    )


@permission(Action.PEOPLE_MANAGE)
def position_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk, action=Action.PEOPLE_MANAGE)
    return _record_form(
        request, pk, PositionForm, services.position_add, "Add a position", system=person.system
    )


@permission(Action.PEOPLE_MANAGE)
def education_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form(request, pk, EducationForm, services.education_add, "Add education")


@permission(Action.PEOPLE_MANAGE)
def certification_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form(
        request, pk, CertificationForm, services.certification_add, "Add a certification"
    )


@permission(Action.PEOPLE_MANAGE)
@require_http_methods(["POST"])
def position_end(request: HttpRequest, pk: int, position_pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk, action=Action.PEOPLE_MANAGE)
    position = get_object_or_404(person.positions, pk=position_pk)
    form = PositionEndForm(request.POST)
    if form.is_valid():
        try:
            services.position_end(
                actor=request.user, position=position, ends_on=form.cleaned_data["ends_on"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "people/record_form.html",
        {
            "form": form,
            "person": person,
            "heading": f"End position: {position}",
        },
        status=400,
    )
