"""Pages of programs, cohorts and participant records. Thin: parse, call one selector or
service, render. An object outside the user's scope is a 404; in scope but not allowed, 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from trellis.authz import services as authz_services
from trellis.authz.decorators import permission, public
from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, form_page, querystring_without, render_list
from trellis.core.panels import panels_for
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.postonly import post_only
from trellis.frameworks.selectors import visible_frameworks
from trellis.orgs.models import Partner, System
from trellis.programs import selectors, services
from trellis.programs.forms import (
    CohortForm,
    EvidenceForm,
    ExperienceForm,
    GoalsForm,
    MilestoneForm,
    MilestoneTemplateForm,
    ParticipantAddForm,
    PlacementForm,
    ProgramForm,
    ProjectForm,
    SignOffForm,
    StatusForm,
    SupporterForm,
    TeamGrantForm,
)
from trellis.programs.models import Cohort, Participant, Program

PROGRAM_EXPORT = ExportSpec(
    filename="programs",
    headers=["Program", "Kind", "Run by", "Framework", "Cohorts"],
    row=lambda p: [
        p.name,
        p.get_kind_display(),
        str(p.owner),
        str(p.framework) if p.framework else "",
        p.cohort_count,
    ],
)

COHORT_EXPORT = ExportSpec(
    filename="cohorts",
    headers=["Program", "Cohort", "School year", "First day", "Last day", "State", "Participants"],
    row=lambda c: [
        c.program.name,
        c.name,
        c.school_year_label,
        c.starts_on,
        c.ends_on,
        c.get_state_display(),
        c.participant_count,
    ],
)

ROSTER_HEADERS = [
    "Family name",
    "Given name",
    "E-mail",
    "Status",
    "Completed or left on",
    "Career goal",
    "Experiences signed off",
    "Experiences in checklist",
    "Experiences overdue",
    "Milestones done",
    "Milestones",
    "Milestones overdue",
    "Behind",
    "Placement",
]


def _roster_row(row: selectors.Progress) -> list[Any]:
    p = row.participant
    placement = row.placement
    return [
        p.person.family_name,
        p.person.given_name,
        p.person.email,
        p.get_status_display(),
        p.completed_on,
        p.career_goal,
        row.experiences_done,
        row.experiences_total,
        len(row.experiences_overdue),
        row.milestones_done,
        row.milestones_total,
        row.milestones_overdue,
        row.behind,
        f"{placement.get_role_display()}, {placement.school} from {placement.starts_on}"
        if placement
        else "",
    ]


# -- Programs ----------------------------------------------------------------------------------


@permission(Action.PROGRAMS_FIGURES)
def program_list(request: HttpRequest) -> HttpResponseBase:
    """Programs the user may see; an analyst (figures only) sees the programs whose figures
    they may read, each leading to its figures page."""
    params = request.GET
    figures_only = not has_grant_for(request.user, Action.PROGRAMS_VIEW)
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "kind": get_choice(params, "kind", Program.Kind.values),
        "owner": get_choice(params, "owner", ["system", "partner"]),
    }
    return render_list(
        request,
        template="programs/program_list.html",
        queryset=selectors.program_list(
            request.user,
            action=Action.PROGRAMS_FIGURES if figures_only else Action.PROGRAMS_VIEW,
            **filters,
        ),
        export=PROGRAM_EXPORT,
        per_page=25,
        context={
            "figures_only": figures_only,
            "filters": filters,
            "kinds": Program.Kind.choices,
            "can_create": any(selectors.owner_choices(request.user)),
            "cohorts_url": None if figures_only else reverse("cohort_list"),
        },
    )


def _owner_choices(user: Any) -> list[tuple[str, str]]:
    systems, partners = selectors.owner_choices(user)
    return [(f"system:{s.pk}", str(s)) for s in systems] + [
        (f"partner:{p.pk}", f"{p} (partner)") for p in partners
    ]


def _owner(value: str) -> tuple[Any, Any]:
    kind, _, pk = value.partition(":")
    if kind == "system":
        return System.objects.get(pk=int(pk)), None
    return None, Partner.objects.get(pk=int(pk))


@permission(Action.PROGRAMS_MANAGE)
def program_create(request: HttpRequest) -> HttpResponseBase:
    owners = _owner_choices(request.user)
    if not owners:
        raise PermissionDenied
    form = ProgramForm(
        request.POST or None,
        owners=owners,
        systems=selectors.system_choices(request.user),
        frameworks=visible_frameworks(request.user),
    )

    def save(data: dict[str, Any]) -> Program:
        owner_system, owner_partner = _owner(data["owner"])
        program = services.program_create(
            actor=request.user,
            name=data["name"],
            kind=data["kind"],
            owner_system=owner_system,
            owner_partner=owner_partner,
            systems=data["systems"],
            framework=data["framework"],
            description=data["description"],
        )
        messages.success(request, f"Program created: {program}.")
        return program

    return form_page(
        request,
        form=form,
        save=save,
        success_url=reverse("program_list"),
        heading="New program",
        back_label="Programs",
    )


@permission(Action.PROGRAMS_VIEW)
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = selectors.program_get(request.user, pk)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "systems": list(program.systems.all()),
            "cohorts": list(selectors.program_cohorts(request.user, program)),
            "experiences": list(program.experiences.order_by("position", "due_days", "pk")),
            "template": list(program.milestone_templates.order_by("offset_days", "pk")),
            "team": selectors.program_team_all(program),
            "can_manage": selectors.may(request.user, Action.PROGRAMS_MANAGE, program),
            "can_appoint": selectors.may(request.user, Action.ACCESS_MANAGE, program),
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def program_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_MANAGE)
    initial = {
        "name": program.name,
        "kind": program.kind,
        "systems": list(program.systems.all()),
        "framework": program.framework,
        "description": program.description,
    }
    systems = selectors.system_choices(request.user) | System.objects.filter(
        served_programs=program
    )
    form = ProgramForm(
        request.POST or None,
        initial=initial,
        owners=None,
        systems=systems.distinct(),
        frameworks=visible_frameworks(request.user),
    )
    url = reverse("program_detail", args=[program.pk])
    return form_page(
        request,
        form=form,
        save=lambda data: services.program_update(
            actor=request.user,
            program=program,
            systems=data["systems"],
            name=data["name"],
            kind=data["kind"],
            framework=data["framework"],
            description=data["description"],
        ),
        success_url=url,
        heading=f"Edit {program}",
        success_message="The program is saved.",
        back_label=program.name,
    )


@permission(Action.PROGRAMS_MANAGE)
def experience_edit(request: HttpRequest, pk: int, experience_pk: int | None = None) -> Any:
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_MANAGE)
    experience = selectors.program_experience_get(program, experience_pk) if experience_pk else None
    initial = (
        {
            "title": experience.title,
            "description": experience.description,
            "due_days": experience.due_days,
            "position": experience.position,
        }
        if experience
        else {}
    )
    form = ExperienceForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Any:
        if experience is None:
            return services.experience_create(actor=request.user, program=program, **data)
        if data["position"] is None:
            data["position"] = experience.position
        return services.experience_update(actor=request.user, experience=experience, **data)

    return form_page(
        request,
        form=form,
        save=save,
        success_url=reverse("program_detail", args=[program.pk]),
        heading=f"Edit “{experience}”" if experience else "New essential experience",
        success_message="The essential experience is saved.",
        back_label=program.name,
    )


@permission(Action.PROGRAMS_MANAGE)
@require_http_methods(["GET", "POST"])
def experience_delete(request: HttpRequest, pk: int, experience_pk: int) -> HttpResponseBase:
    """Confirm, then take an experience off the checklist (refused once there is evidence)."""
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_MANAGE)
    experience = selectors.program_experience_get(program, experience_pk)
    back = reverse("program_detail", args=[program.pk])
    if request.method == "POST":
        try:
            services.experience_delete(actor=request.user, experience=experience)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{experience}” is no longer on the checklist.")
        return redirect(back)
    return render(
        request,
        "confirm.html",
        {
            "heading": f"Delete “{experience}” from the checklist?",
            "lines": [
                "No participant of any cohort will be asked for it any more. An experience "
                "for which someone has recorded evidence cannot be deleted (change it instead)."
            ],
            "action": request.path,
            "hidden": [],
            "button": "Delete the experience",
            "danger": True,
            "back_url": back,
            "back_label": program.name,
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def milestone_template_edit(request: HttpRequest, pk: int, item_pk: int | None = None) -> Any:
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_MANAGE)
    item = selectors.milestone_template_get(program, item_pk) if item_pk else None
    initial = {"title": item.title, "offset_days": item.offset_days} if item else {}
    form = MilestoneTemplateForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Any:
        if item is None:
            return services.milestone_template_create(actor=request.user, program=program, **data)
        return services.milestone_template_update(actor=request.user, item=item, **data)

    return form_page(
        request,
        form=form,
        save=save,
        success_url=reverse("program_detail", args=[program.pk]) + "#template-h",
        heading=f"Edit template milestone “{item}”" if item else "New template milestone",
        success_message="The template milestone is saved.",
        back_label=program.name,
    )


@permission(Action.PROGRAMS_MANAGE)
@require_http_methods(["GET", "POST"])
def milestone_template_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponseBase:
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_MANAGE)
    item = selectors.milestone_template_get(program, item_pk)
    back = reverse("program_detail", args=[program.pk])
    if request.method == "POST":
        services.milestone_template_delete(actor=request.user, item=item)
        messages.success(request, f"“{item}” is no longer in the project template.")
        return redirect(back)
    return render(
        request,
        "confirm.html",
        {
            "heading": f"Delete “{item}” from the project template?",
            "lines": [
                "Projects started from now on will not have it; projects already "
                "started keep their own milestones."
            ],
            "action": request.path,
            "hidden": [],
            "button": "Delete the template milestone",
            "danger": True,
            "back_url": back,
            "back_label": program.name,
        },
    )


def _figures_export(filename: str, figures: list[selectors.Figures]) -> HttpResponseBase:
    return export_response(
        fmt="xlsx" if filename.endswith(".xlsx") else "csv",
        filename=filename.rsplit(".", 1)[0],
        headers=selectors.FIGURE_HEADERS,
        rows=(f.export_row() for f in figures),
    )


@permission(Action.PROGRAMS_FIGURES)
def program_dashboard(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_FIGURES)
    figures = selectors.program_figures(request.user, program, Action.PROGRAMS_FIGURES)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return _figures_export(f"program-{program.pk}-figures.{fmt}", figures)
    return render(
        request,
        "programs/program_dashboard.html",
        {
            "program": program,
            "program_visible": selectors.may(request.user, Action.PROGRAMS_VIEW, program),
            "figures": figures,
            "chart": bool(_chart(figures[:-1])),
            "chart_spec": _chart_spec(_chart(figures[:-1])),
            "querystring_nopage": querystring_without(request, "page", "format"),
        },
    )


def _chart(figures: list[selectors.Figures]) -> list[dict[str, Any]]:
    """Bars of completion and placement rates per group, drawn only for rates that are shown
    (the table beside it says why others are not)."""
    bars = []
    for f in figures:
        for label, rate in (("Completion", f.completion_rate), ("Placement", f.placement_rate)):
            if rate.shown is not None:
                bars.append({"group": f.label, "measure": label, "percent": rate.shown})
    return bars


def _chart_spec(bars: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": bars},
        "mark": "bar",
        "encoding": {
            "y": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "axis": {"labelLimit": 110},
            },
            "yOffset": {"field": "measure"},
            "x": {
                "field": "percent",
                "type": "quantitative",
                "title": "Percent",
                "scale": {"domain": [0, 100]},
            },
            "color": {"field": "measure", "type": "nominal", "title": "Rate"},
            "tooltip": [
                {"field": "group"},
                {"field": "measure"},
                {"field": "percent", "format": ".0f"},
            ],
        },
        # As wide as its container (a phone's 390 pixels as a desktop's column).
        "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding"},
    }


# -- Cohorts -----------------------------------------------------------------------------------


@permission(Action.PROGRAMS_VIEW)
def cohort_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "program_id": get_int(params, "program"),
        "state": get_choice(params, "state", selectors.COHORT_STATES),
        "school_year": get_int(params, "year"),
    }
    return render_list(
        request,
        template="programs/cohort_list.html",
        queryset=selectors.cohort_list(request.user, **filters),
        export=COHORT_EXPORT,
        per_page=25,
        context={
            "filters": filters,
            "states": Cohort.State.choices,
            "programs": list(selectors.program_list(request.user)),
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def cohort_create(request: HttpRequest, pk: int) -> HttpResponseBase:
    program = selectors.program_get(request.user, pk, Action.PROGRAMS_MANAGE)
    form = CohortForm(request.POST or None, initial={"state": Cohort.State.PLANNED})
    return form_page(
        request,
        form=form,
        save=lambda data: services.cohort_create(actor=request.user, program=program, **data),
        success_url=reverse("program_detail", args=[program.pk]),
        heading=f"New cohort of {program}",
        success_message="The cohort is created.",
        back_label=program.name,
    )


@permission(Action.PROGRAMS_MANAGE)
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    cohort = selectors.cohort_get(request.user, pk, Action.PROGRAMS_MANAGE)
    initial = {
        "name": cohort.name,
        "school_year": cohort.school_year,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "state": cohort.state,
    }
    form = CohortForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.cohort_update(actor=request.user, cohort=cohort, **data),
        success_url=reverse("cohort_detail", args=[cohort.pk]),
        heading=f"Edit {cohort.name}",
        success_message="The cohort is saved.",
        back_label=cohort.name,
    )


@permission(Action.PROGRAMS_VIEW)
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    cohort = selectors.cohort_get(request.user, pk)
    query = get_text(request.GET, "q")
    status = get_choice(request.GET, "status", selectors.ROSTER_FILTERS)
    within = selectors.roster_within(request.user, cohort)
    rows = selectors.cohort_roster(cohort, query=query, status=status, within=within)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"cohort-{cohort.pk}-roster",
            headers=ROSTER_HEADERS,
            rows=(_roster_row(row) for row in rows),
        )
    return render(
        request,
        "programs/cohort_detail.html",
        {
            "cohort": cohort,
            "program": cohort.program,
            "rows": rows,
            "query": query,
            "status": status,
            "supporters": selectors.cohort_supporters(cohort, within),
            "served_only": bool(within),
            "team": selectors.program_team(cohort.program, cohort),
            "can_manage": selectors.may(request.user, Action.PROGRAMS_MANAGE, cohort),
            "cycle_url": selectors.selection_cycle_url(request.user, cohort),
            "program_visible": selectors.may(request.user, Action.PROGRAMS_VIEW, cohort.program),
            "querystring_nopage": querystring_without(request, "page", "format"),
        },
    )


@permission(Action.PROGRAMS_FIGURES)
def cohort_dashboard(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The cohort's figures for everyone who may read them; who is behind and each
    participant's progress (names) only for those who may view the cohort."""
    cohort = selectors.cohort_get(request.user, pk, Action.PROGRAMS_FIGURES)
    within = selectors.roster_within(request.user, cohort, Action.PROGRAMS_FIGURES)
    rows = selectors.cohort_roster(cohort, within=within)
    figures = selectors.cohort_figures(cohort, rows)
    names = selectors.may(request.user, Action.PROGRAMS_VIEW, cohort)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return _figures_export(f"cohort-{cohort.pk}-figures.{fmt}", [figures])
    return render(
        request,
        "programs/cohort_dashboard.html",
        {
            "cohort": cohort,
            "program": cohort.program,
            "rows": rows if names else [],
            "names": names,
            "behind": selectors.behind_detail(rows) if names else [],
            "figures_list": [figures],
            "querystring_nopage": querystring_without(request, "page", "format"),
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def participant_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    cohort = selectors.cohort_get(request.user, pk, Action.PROGRAMS_MANAGE)
    form = ParticipantAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person, why_not = selectors.person_for_program(cohort.program, data["person"])
        if person is None:
            form.add_error("person", why_not)
        else:
            try:
                services.add_participant(
                    actor=request.user,
                    cohort=cohort,
                    person=person,
                    career_goal=data["career_goal"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{person} joined {cohort.name}.")
                return redirect("cohort_detail", cohort.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Add a participant to {cohort.name}",
            "back_url": reverse("cohort_detail", args=[cohort.pk]),
            "back_label": cohort.name,
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def supporter_assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Give one of the cohort's participants a coach or mentor (an assignment)."""
    cohort = selectors.cohort_get(request.user, pk, Action.PROGRAMS_MANAGE)
    form = SupporterForm(
        request.POST or None, participants=selectors.assignable_participants(cohort)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        participant = data["participant"]
        supporter, why_not = selectors.supporter_for(participant, data["supporter"])
        if supporter is None:
            form.add_error("supporter", why_not)
        else:
            try:
                services.participant_supporter_assign(
                    actor=request.user,
                    participant=participant,
                    kind=data["kind"],
                    supporter=supporter,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                label = "coach" if data["kind"] == "coaching" else "mentor"
                messages.success(request, f"{supporter} is now {participant.person}'s {label}.")
                return redirect("cohort_detail", cohort.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Assign a coach or mentor in {cohort.program} — {cohort.name}",
            "back_url": reverse("cohort_detail", args=[cohort.pk]),
            "back_label": f"{cohort.program} — {cohort.name}",
        },
    )


# -- The participant record --------------------------------------------------------------------


@permission(Action.SIGNED_IN)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get(request.user, pk)
    user = request.user
    own = getattr(user, "person_id", None) == participant.person_id
    can_manage = selectors.may(user, Action.PROGRAMS_MANAGE, participant)
    return render(
        request,
        "programs/participant_detail.html",
        {
            "participant": participant,
            "cohort": participant.cohort,
            "program": participant.cohort.program,
            **selectors.participant_record(participant),
            "own": own,
            # Overdue is said of someone still taking part, not of a closed record.
            "active": participant.status == Participant.Status.ACTIVE,
            "can_manage": can_manage,
            "can_write": own or can_manage,
            "can_sign_off": participant.status == Participant.Status.ACTIVE
            and selectors.may(user, Action.PROGRAMS_SIGN_OFF, participant),
            "cohort_visible": selectors.may(user, Action.PROGRAMS_VIEW, participant.cohort),
            "person_visible": selectors.may(user, Action.PEOPLE_VIEW, participant.person),
            "evidence_form": EvidenceForm(),
            "limits": services.EVIDENCE_LIMITS,
            # What other apps show on the record (learning: sessions attended, communities).
            "panels": panels_for("participant", request, person_id=participant.person_id),
        },
    )


def _writable(request: HttpRequest, pk: int) -> Participant:
    """A participant whose record the user may write: their own, or one their program's
    management reaches (403 for a coach, mentor or viewer)."""
    participant = selectors.participant_get(request.user, pk)
    if getattr(request.user, "person_id", None) == participant.person_id:
        return participant
    if not selectors.may(request.user, Action.PROGRAMS_MANAGE, participant):
        raise PermissionDenied
    return participant


def _back(participant: Participant) -> str:
    return reverse("participant_detail", args=[participant.pk])


@permission(Action.SIGNED_IN)
def participant_goals(request: HttpRequest, pk: int) -> HttpResponseBase:
    participant = _writable(request, pk)
    form = GoalsForm(
        request.POST or None,
        initial={"career_goal": participant.career_goal, "goals": participant.goals},
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.participant_goals_set(
            actor=request.user, participant=participant, **data
        ),
        success_url=_back(participant),
        heading=f"Goals of {participant.person}",
        success_message="The goals are saved.",
        back_label=str(participant.person),
    )


@permission(Action.PROGRAMS_MANAGE)
def participant_status(request: HttpRequest, pk: int) -> HttpResponseBase:
    participant = selectors.participant_get(request.user, pk, (Action.PROGRAMS_MANAGE,))
    form = StatusForm(
        request.POST or None,
        initial={"status": participant.status, "on": participant.completed_on},
    )
    return form_page(
        request,
        form=form,
        save=lambda data: services.participant_status_set(
            actor=request.user, participant=participant, status=data["status"], on=data["on"]
        ),
        success_url=_back(participant),
        heading=f"Completion status of {participant.person}",
        success_message="The completion status is saved.",
        back_label=str(participant.person),
    )


@permission(Action.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def evidence_submit(request: HttpRequest, pk: int, experience_pk: int) -> HttpResponseBase:
    participant = _writable(request, pk)
    experience = selectors.experience_get(participant, experience_pk)
    signed_on = selectors.signed_off_on(participant, experience)
    if signed_on is not None:
        # The sign-off vouches for the evidence as it was: the form does not open.
        messages.error(
            request,
            f"{experience} was signed off on {signed_on:%b %-d, %Y}; its evidence can no "
            "longer change.",
        )
        return redirect(_back(participant))
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["evidence_file"]
        try:
            services.evidence_submit(
                actor=request.user,
                participant=participant,
                experience=experience,
                text=form.cleaned_data["evidence_text"],
                file_name=upload.name if upload else "",
                # Read at most one byte past the limit: the service states the limit.
                file_data=upload.read(services.EVIDENCE_MAX_BYTES + 1) if upload else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Evidence saved for {experience}.")
            return redirect(_back(participant))
    return render(
        request,
        "programs/evidence_form.html",
        {
            "form": form,
            "participant": participant,
            "experience": experience,
            "limits": services.EVIDENCE_LIMITS,
        },
    )


@permission(Action.SIGNED_IN)
def evidence_file(request: HttpRequest, pk: int, experience_pk: int) -> FileResponse:
    participant = selectors.participant_get(request.user, pk)
    experience = selectors.experience_get(participant, experience_pk)
    record = selectors.record_get(participant, experience)
    response = FileResponse(
        record.evidence_file.open("rb"),
        as_attachment=True,
        filename=record.evidence_name or "evidence",
        content_type=record.evidence_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission(Action.PROGRAMS_SIGN_OFF)
@require_http_methods(["GET", "POST"])
def experience_sign_off(request: HttpRequest, pk: int, experience_pk: int) -> HttpResponseBase:
    participant = selectors.participant_get(request.user, pk, (Action.PROGRAMS_SIGN_OFF,))
    experience = selectors.experience_get(participant, experience_pk)
    closed = services.sign_off_closed(participant)
    if closed:
        messages.error(request, closed)
        return redirect(_back(participant))
    form = SignOffForm(request.POST or None)
    return form_page(
        request,
        form=form,
        save=lambda data: services.experience_sign_off(
            actor=request.user,
            participant=participant,
            experience=experience,
            on=data["signed_off_on"],
        ),
        success_url=_back(participant),
        heading=f"Sign off “{experience}” for {participant.person}",
        success_message=f"“{experience}” is signed off.",
        back_label=str(participant.person),
        extra={
            "intro_template": "programs/_sign_off_evidence.html",
            "participant": participant,
            "experience": experience,
            "record": selectors.evidence_record(participant, experience),
            "submit_label": "Sign off",
        },
    )


@permission(Action.SIGNED_IN)
def project_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    participant = _writable(request, pk)
    record = selectors.participant_record(participant)
    project = record["project"]
    initial = {name: getattr(project, name) for name in services.PROJECT_FIELDS} if project else {}
    form = ProjectForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        save=lambda data: services.project_save(
            actor=request.user, participant=participant, **data
        ),
        success_url=_back(participant),
        heading=f"School improvement project of {participant.person}",
        success_message="The project is saved.",
        back_label=str(participant.person),
    )


@permission(Action.SIGNED_IN)
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int | None = None) -> Any:
    participant = _writable(request, pk)
    milestone = selectors.milestone_get(participant, milestone_pk) if milestone_pk else None
    project = selectors.participant_record(participant)["project"]
    if project is None:
        messages.error(request, "Write the project first; its milestones come next.")
        return redirect("project_edit", participant.pk)
    initial = (
        {name: getattr(milestone, name) for name in services.MILESTONE_FIELDS}
        if milestone
        else {"status": "planned"}
    )
    form = MilestoneForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Any:
        if milestone is None:
            return services.milestone_add(actor=request.user, project=project, **data)
        return services.milestone_update(actor=request.user, milestone=milestone, **data)

    return form_page(
        request,
        form=form,
        save=save,
        success_url=_back(participant),
        heading=f"Edit milestone “{milestone}”" if milestone else "New milestone",
        success_message="The milestone is saved.",
        back_label=str(participant.person),
    )


@permission(Action.PROGRAMS_OWN_RECORD)
@post_only("participant_detail")
def portfolio_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get(request.user, pk, (Action.PROGRAMS_OWN_RECORD,))
    _link, token = services.portfolio_link_create(actor=request.user, participant=participant)
    url = request.build_absolute_uri(reverse("portfolio_public", args=[token]))
    # Shown once: only a digest of the token is kept.
    return render(
        request,
        "programs/portfolio_link.html",
        {"participant": participant, "url": url},
    )


@permission(Action.SIGNED_IN)
@post_only("participant_detail")
def portfolio_link_revoke(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    participant = _writable(request, pk)
    link = selectors.portfolio_link_get(participant, link_pk)
    try:
        services.portfolio_link_revoke(actor=request.user, link=link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The link no longer opens the portfolio.")
    return redirect(_back(participant))


@public
def portfolio_public(request: HttpRequest, token: str) -> HttpResponse:
    """The portfolio as shared: goals, experiences signed off (with the evidence text, not the
    files), the project and its milestones. No contact details, no status notes."""
    participant = selectors.portfolio_by_token(token)
    record = selectors.participant_record(participant)
    response = render(
        request,
        "programs/portfolio_public.html",
        {"participant": participant, "program": participant.cohort.program, **record},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@permission(Action.PROGRAMS_MANAGE)
def placement_create(request: HttpRequest, pk: int) -> HttpResponseBase:
    participant = selectors.participant_get(request.user, pk, (Action.PROGRAMS_MANAGE,))
    form = PlacementForm(
        request.POST or None,
        schools=selectors.placement_schools(participant),
        initial={"end_current": True},
    )

    def save(data: dict[str, Any]) -> None:
        placement = services.placement_record(
            actor=request.user,
            participant=participant,
            role=data["role"],
            school=data["school"],
            starts_on=data["starts_on"],
            end_current=data["end_current"],
        )
        messages.success(
            request,
            f"Placement saved: {placement.get_role_display()}, {placement.school}, from "
            f"{placement.starts_on:%b %-d, %Y}. It shows as a position on "
            f"{participant.person}'s record.",
        )

    return form_page(
        request,
        form=form,
        save=save,
        success_url=_back(participant),
        heading=f"Placement of {participant.person}",
        back_label=str(participant.person),
    )


@permission(Action.PROGRAMS_MANAGE)
def placement_edit(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponseBase:
    participant = selectors.participant_get(request.user, pk, (Action.PROGRAMS_MANAGE,))
    placement = selectors.placement_get(participant, placement_pk)
    form = PlacementForm(
        request.POST or None,
        schools=selectors.placement_schools(participant),
        initial={
            "role": placement.role,
            "school": placement.school,
            "starts_on": placement.starts_on,
        },
        editing=True,
    )

    def save(data: dict[str, Any]) -> None:
        saved = services.placement_update(
            actor=request.user,
            placement=placement,
            role=data["role"],
            school=data["school"],
            starts_on=data["starts_on"],
        )
        messages.success(
            request,
            f"Placement corrected: {saved.get_role_display()}, {saved.school}, from "
            f"{saved.starts_on:%b %-d, %Y}.",
        )

    return form_page(
        request,
        form=form,
        save=save,
        success_url=_back(participant),
        heading=f"Edit the placement of {participant.person}",
        back_label=str(participant.person),
    )


# -- The program's team: grants on the program or one of its cohorts -----------------------------

TEAM_HEADERS = ["Name", "E-mail", "Role", "Where", "From", "Last day"]


def _team_row(grant: Any) -> list[Any]:
    return [
        grant.user.display_name,
        grant.user.email,
        grant.get_role_display(),
        f"{grant.cohort.name} only" if grant.cohort_id else "The whole program",
        grant.starts_on,
        grant.ends_on,
    ]


@permission(Action.PROGRAMS_VIEW)
def team_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The program's team (grants not yet ended on it and its cohorts) with its export, and,
    for those who appoint it, its history: who appointed or ended whom, when."""
    program = selectors.program_get(request.user, pk)
    team = selectors.program_team_all(program)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"program-{program.pk}-team",
            headers=TEAM_HEADERS,
            rows=(_team_row(g) for g in team),
        )
    can_appoint = selectors.may(request.user, Action.ACCESS_MANAGE, program)
    return render(
        request,
        "programs/team.html",
        {
            "program": program,
            "team": team,
            "can_appoint": can_appoint,
            "history": selectors.team_history(program) if can_appoint else None,
            "history_limit": selectors.TEAM_HISTORY_SHOWN,
            "querystring_nopage": querystring_without(request, "page", "format"),
        },
    )


@permission(Action.ACCESS_MANAGE)
def team_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Appoint a program manager, partner staff or a selection committee member on this program
    or one of its cohorts. The grant service checks access.manage where the program belongs."""
    program = selectors.program_get(request.user, pk)
    form = TeamGrantForm(request.POST or None, program=program, find_account=selectors.team_account)

    def save(data: dict[str, Any]) -> None:
        grant = authz_services.grant_create(
            actor=request.user,
            user=form.account,
            role=data["role"],
            program=program,
            cohort=data["cohort"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            note=data["note"],
        )
        messages.success(request, f"{form.account.email} is now {grant}.")

    return form_page(
        request,
        form=form,
        save=save,
        success_url=reverse("program_detail", args=[program.pk]),
        heading=f"Add to the team of {program}",
        back_label=program.name,
    )


@permission(Action.ACCESS_MANAGE)
@post_only("program_detail")
def team_end(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    program = selectors.program_get(request.user, pk)
    grant = selectors.team_grant_get(program, grant_pk)
    authz_services.grant_end(actor=request.user, grant=grant)
    messages.success(request, f"Ended: {grant.user.email}, {grant.get_role_display()}.")
    return redirect("program_detail", pk=program.pk)
