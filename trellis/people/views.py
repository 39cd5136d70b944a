from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, querystring_without, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.postonly import post_only
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
    PositionEndReasonForm,
    PositionForm,
)
from trellis.people.models import EndReason, Person, PositionKind


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


# Up to this many schools the filter is a drop-down; beyond it (a metro district's 1,000) a
# search box, so the page does not carry every school's name (repairs issue, item 29).
SCHOOL_PICKER_LIMIT = 60


@permission(Action.PEOPLE_VIEW)
def people_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "system_id": get_int(params, "system"),
        "school_id": get_int(params, "school"),
        "school_name": get_text(params, "school_name", max_length=100),
        "network_id": get_int(params, "network"),
        "kind": get_choice(params, "kind", PositionKind.values),
        "status": get_choice(params, "status", ["active", "inactive", "all"]) or "active",
    }
    schools = visible_schools(request.user, Action.PEOPLE_VIEW).filter(is_active=True)
    if filters["network_id"]:
        # A network is chosen: only its schools are offered, and a school outside it (left
        # from an earlier choice) is not accepted, rather than answering with no one.
        schools = schools.filter(network_id=filters["network_id"])
        if filters["school_id"] and not schools.filter(pk=filters["school_id"]).exists():
            filters["school_id"] = None
    people = selectors.people_list(request.user, **filters)
    choices = list(schools.only("pk", "name").order_by("name")[: SCHOOL_PICKER_LIMIT + 1])
    searching = len(choices) > SCHOOL_PICKER_LIMIT
    chosen = None
    if filters["school_id"]:
        chosen = next((s for s in choices if s.pk == filters["school_id"]), None)
        if chosen is None and searching:
            chosen = schools.only("pk", "name").filter(pk=filters["school_id"]).first()
    return render_list(
        request,
        template="people/people_list.html",
        queryset=people,
        export=PEOPLE_EXPORT,
        # "Next page" instead of an exact count of a metro district's people (item 29).
        exact_count=False,
        context={
            "filters": filters,
            "systems": list(visible_systems(request.user)),
            "schools": [] if searching else choices,
            "school_search": searching,
            "chosen_school": chosen,
            "querystring_noschool": querystring_without(request, "school", "page", "format"),
            "networks": visible_networks(request.user, Action.PEOPLE_VIEW),
            "kinds": PositionKind.choices,
            "can_create": systems_where(request.user, Action.PEOPLE_MANAGE).exists(),
        },
    )


@permission(Action.PEOPLE_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk)
    record = selectors.person_record(person)
    # Never a link that answers 404: a past post may be at a school the viewer cannot open.
    school_ids = {p.school_id for p in record["positions"] if p.school_id}
    openable = set(
        visible_schools(request.user).filter(pk__in=school_ids).values_list("pk", flat=True)
    )
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_manage": allows(request.user, Action.PEOPLE_MANAGE, person),
            "end_form": PositionEndForm(),
            "end_reasons": EndReason.choices,
            "openable_school_ids": openable,
            **record,
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
@post_only("person_detail")
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


@permission(Action.PEOPLE_MANAGE)
@post_only("person_detail")
def position_end_reason(request: HttpRequest, pk: int, position_pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk, action=Action.PEOPLE_MANAGE)
    position = get_object_or_404(person.positions, pk=position_pk)
    form = PositionEndReasonForm(request.POST)
    if form.is_valid():
        try:
            services.position_end_reason_set(
                actor=request.user, position=position, end_reason=form.cleaned_data["end_reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "people/record_form.html",
        {"form": form, "person": person, "heading": f"Why the position ended: {position}"},
        status=400,
    )
