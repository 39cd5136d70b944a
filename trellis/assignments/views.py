from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trellis.assignments import selectors, services
from trellis.assignments.forms import AssignmentForm, CaseloadTargetForm
from trellis.authz.decorators import permission
from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action, Relationship
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, querystring_without, render_list
from trellis.core.params import SlicePage, get_choice, get_int, get_text
from trellis.core.postonly import post_only
from trellis.orgs.selectors import systems_where
from trellis.people.models import Person
from trellis.people.selectors import visible_people

ASSIGNMENT_EXPORT = ExportSpec(
    filename="assignments",
    headers=[
        "Kind",
        "Supporter",
        "Supporter e-mail",
        "Person supported",
        "E-mail",
        "From",
        "Last day",
        "Note",
    ],
    row=lambda a: [
        a.get_kind_display(),
        a.supporter.full_name,
        a.supporter.email,
        a.assignee.full_name,
        a.assignee.email,
        a.starts_on,
        a.ends_on,
        a.note,
    ],
)


@permission(Action.ASSIGNMENTS_VIEW)
def assignment_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "kind": get_choice(params, "kind", Relationship.values),
        "status": get_choice(params, "status", selectors.STATUSES) or "current",
        "supporter_id": get_int(params, "supporter"),
    }
    assignments = selectors.assignment_list(request.user, **filters)
    if get_choice(params, "format", FORMATS):
        return render_list(
            request,
            template="assignments/assignment_list.html",
            queryset=assignments,
            export=ASSIGNMENT_EXPORT,
            context={},
        )
    # "Next page" instead of an exact count of a metro district's assignments, found without
    # sorting all of them (item 29); past the end, the first page.
    number = min(get_int(params, "page") or 1, 10**6)
    rows, more = selectors.assignment_page(assignments, number)
    if not rows and number > 1:
        number = 1
        rows, more = selectors.assignment_page(assignments, number)
    page = SlicePage(number=number, object_list=rows, has_next=more, per_page=50)
    return render(
        request,
        "assignments/assignment_list.html",
        {
            "page_obj": page,
            "object_list": page.object_list,
            "querystring_nopage": querystring_without(request, "page", "format"),
            "filters": filters,
            "kinds": Relationship.choices,
            "can_manage": has_grant_for(request.user, Action.ASSIGNMENTS_MANAGE),
            "linkable": _linkable(request, [a.assignee_id for a in page.object_list]),
        },
    )


def _linkable(request: HttpRequest, person_ids: list[int]) -> set[int]:
    """Which of these people the viewer may open (never a link that answers 404): each of
    these few tested on its own (an EXISTS per person), not the viewer's every person."""
    visible = visible_people(request.user).filter(pk=OuterRef("pk"))
    return set(
        Person.objects.filter(Exists(visible), pk__in=person_ids)
        .order_by()
        .values_list("pk", flat=True)
    )


@permission(Action.ASSIGNMENTS_MANAGE)
def assignment_create(request: HttpRequest) -> HttpResponse:
    assignable = visible_people(request.user, Action.ASSIGNMENTS_MANAGE)
    initial: dict[str, Any] = {"kind": get_choice(request.GET, "kind", Relationship.values)}
    preset = get_int(request.GET, "assignee")
    if preset:
        person = assignable.filter(pk=preset).first()
        if person is not None:
            initial["assignee"] = selectors.person_reference(person)
    form = AssignmentForm(request.POST or None, assignable=assignable, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_create(
                actor=request.user,
                kind=data["kind"],
                supporter=form.supporter_person,
                assignee=form.assignee_person,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Assigned: {assignment}.")
            return redirect("assignment_list")
    return render(request, "assignments/assignment_form.html", {"form": form})


@permission(Action.ASSIGNMENTS_MANAGE)
@require_http_methods(["GET"])
def assignment_people(request: HttpRequest) -> HttpResponse:
    """The assignment form's search box: up to 20 people matching what was typed, as <option>s
    for its datalist. Assignees come from the people the user may assign; supporters from the
    people the user may see."""
    field = get_choice(request.GET, "field", ["assignee", "supporter"]) or "assignee"
    people = (
        visible_people(request.user, Action.ASSIGNMENTS_MANAGE)
        if field == "assignee"
        else selectors.supporter_candidates(request.user)
    )
    found = selectors.person_suggestions(people, get_text(request.GET, field, max_length=255))
    return render(
        request,
        "assignments/person_options.html",
        {"options": [(selectors.person_reference(p), p) for p in found]},
    )


@permission(Action.ASSIGNMENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(request.user, pk, action=Action.ASSIGNMENTS_MANAGE)
    removes = selectors.never_in_force(assignment)
    if request.method == "GET":
        # Ending is a one-way step for a caseload: say what it does before doing it.
        lines = (
            [
                "This assignment has not been in force before today, so it has no earlier last "
                "day: ending it removes it, and the supporter no longer reaches this person "
                "through it.",
                "The audit log keeps a record of it; to support the person after all, add a "
                "new assignment.",
            ]
            if removes
            else [
                "Ending takes effect now: yesterday becomes the last day of this "
                "assignment, and the supporter no longer reaches this person through it.",
                "The assignment stays in the history; to support the person again, add a "
                "new assignment.",
            ]
        )
        return render(
            request,
            "confirm.html",
            {
                "heading": f"End {assignment}?",
                "lines": lines,
                "action": reverse("assignment_end", args=[assignment.pk]),
                "button": "Remove the assignment" if removes else "End the assignment",
                "danger": True,
                "back_url": reverse("assignment_list"),
                "back_label": "Assignments",
            },
        )
    try:
        ended = services.assignment_end(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        verb = "Removed (never in force)" if ended.pk is None else "Ended"
        messages.success(request, f"{verb}: {assignment}.")
    return redirect("assignment_list")


@permission(Action.ASSIGNMENTS_VIEW)
def caseloads(request: HttpRequest) -> HttpResponseBase:
    kind = get_choice(request.GET, "kind", Relationship.values) or Relationship.SUPERVISION
    query = get_text(request.GET, "q")
    loads = selectors.caseloads(request.user, kind=kind, query=query)
    over = get_choice(request.GET, "over", ["1"])
    if over:
        loads = [load for load in loads if load.over_target]
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"caseloads-{kind}",
            headers=["Supporter", "E-mail", "Kind", "People supported", "Target", "Over target"],
            rows=(
                [
                    load.supporter.full_name,
                    load.supporter.email,
                    Relationship(kind).label,
                    "; ".join(a.assignee.full_name for a in load.assignments),
                    load.target,
                    load.over_target,
                ]
                for load in loads
            ),
        )
    systems = systems_where(request.user, Action.ASSIGNMENTS_MANAGE)
    target_form = _target_form(systems, kind, get_int(request.GET, "system"))
    unassigned = list(selectors.unassigned(request.user, kind=kind)[:200])
    shown = [a.assignee_id for load in loads for a in load.assignments]
    return render(
        request,
        "assignments/caseloads.html",
        {
            "kind": kind,
            "kind_label": Relationship(kind).label,
            "kinds": Relationship.choices,
            "query": query,
            "over": over,
            "caseloads": loads,
            "unassigned": unassigned,
            "linkable": _linkable(request, shown + [p.pk for p in unassigned]),
            "can_manage": has_grant_for(request.user, Action.ASSIGNMENTS_MANAGE),
            "target_form": target_form,
            "querystring_nopage": querystring_without(request, "page", "format"),
        },
    )


def _target_form(systems: Any, kind: str, system_id: int | None) -> CaseloadTargetForm | None:
    """The target form, showing the target in force for the system (the one just saved, or the
    user's first) and this kind: after saving, the saved value, not an empty field."""
    choices = list(systems.order_by("name"))
    if not choices:
        return None
    system = next((s for s in choices if s.pk == system_id), choices[0])
    target = selectors.target_of(selectors.targets_for({system.pk}), system.pk, kind)
    return CaseloadTargetForm(
        systems=systems, initial={"system": system.pk, "kind": kind, "target": target}
    )


@permission(Action.ASSIGNMENTS_MANAGE)
@post_only("caseloads", with_pk=False)
def caseload_target(request: HttpRequest) -> HttpResponse:
    systems = systems_where(request.user, Action.ASSIGNMENTS_MANAGE)
    form = CaseloadTargetForm(request.POST, systems=systems)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.caseload_target_set(
                actor=request.user, system=data["system"], kind=data["kind"], target=data["target"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            label = Relationship(data["kind"]).label.lower()
            messages.success(
                request, f"Target for each {label} in {data['system']}: {data['target']}."
            )
        return redirect(reverse("caseloads") + f"?kind={data['kind']}&system={data['system'].pk}")
    errors = "; ".join(
        f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
    )
    messages.error(request, f"The target was not saved ({errors}).")
    return redirect("caseloads")
