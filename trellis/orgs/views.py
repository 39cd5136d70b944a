from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from trellis.authz.decorators import permission
from trellis.authz.policies import scope_for
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.suppression import people_count
from trellis.orgs import selectors, services
from trellis.orgs.forms import SchoolForm
from trellis.orgs.models import School, System
from trellis.people.selectors import school_current_staff

SCHOOL_EXPORT = ExportSpec(
    filename="schools",
    headers=[
        "School",
        "System",
        "Network",
        "Level",
        "Identifier",
        "City",
        "Status",
        "Current staff",
        "Students enrolled",
    ],
    row=lambda s: [
        s.name,
        s.system.name,
        s.network.name if s.network else "",
        s.get_level_display(),
        s.identifier,
        s.city,
        "active" if s.is_active else "inactive",
        people_count(s.staff_count),
        people_count(s.student_count),
    ],
)


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
    return render_list(
        request,
        template="orgs/school_list.html",
        queryset=schools,
        export=SCHOOL_EXPORT,
        context={
            "filters": filters,
            "systems": systems,
            "networks": selectors.visible_networks(request.user).select_related("system"),
            "levels": School.Level.choices,
            "can_create": bool(_manageable_systems(request)),
        },
    )


@permission(Action.SCHOOLS_VIEW)
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.school_get(request.user, pk)
    people_scope = scope_for(request.user, Action.PEOPLE_VIEW)
    may_see_people = people_scope.everything or (
        school.system_id in people_scope.system_ids
        or school.network_id in people_scope.network_ids
        or school.pk in people_scope.school_ids
    )
    manage_scope = scope_for(request.user, Action.SCHOOLS_MANAGE)
    return render(
        request,
        "orgs/school_detail.html",
        {
            "school": school,
            "staff_by_kind": [
                (row.label, people_count(row.count))
                for row in selectors.school_staff_by_kind(school)
            ],
            "students_by_grade": [
                (grade, people_count(n)) for grade, n in selectors.school_students_by_grade(school)
            ],
            "staff": list(school_current_staff(school.pk)) if may_see_people else None,
            "can_edit": manage_scope.everything or school.system_id in manage_scope.system_ids,
        },
    )


def _manageable_systems(request: HttpRequest) -> list[System]:
    scope = scope_for(request.user, Action.SCHOOLS_MANAGE)
    if scope.everything:
        return list(System.objects.all())
    return list(System.objects.filter(pk__in=scope.system_ids))


@permission(Action.SCHOOLS_MANAGE)
def school_create(request: HttpRequest) -> HttpResponse:
    systems = _manageable_systems(request)
    if not systems:
        raise PermissionDenied
    system_id = get_int(request.GET, "system") or get_int(request.POST, "system_id")
    system = next((s for s in systems if s.pk == system_id), systems[0])
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
