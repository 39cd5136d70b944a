"""Pages of evaluation cycles: the evaluator's (and evaluatee's) list, one evaluation with its
stages, and the cycles the system configures. Thin: parse, call one selector or service,
render. Outside scope 404; in scope, not allowed 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.authz.decorators import permission
from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.postonly import post_only
from trellis.evaluations import selectors, services
from trellis.evaluations.forms import (
    AcknowledgeForm,
    CycleForm,
    GoalsForm,
    MidyearForm,
    PaperAcknowledgeForm,
)
from trellis.evaluations.models import Evaluation, EvaluationCycle, Stage
from trellis.orgs.models import System
from trellis.ratings.forms import RubricForm


def _export() -> ExportSpec:
    def row(e: Evaluation) -> list[Any]:
        return [
            e.cycle.school_year,
            e.cycle.title,
            e.evaluatee.full_name,
            e.evaluator.full_name,
            e.get_stage_display(),
            e.due_on or "",
            "yes"
            if e.due_on and e.stage != Stage.COMPLETE and e.due_on < selectors.today()
            else "no",
            e.signed_off_at.date() if e.signed_off_at else "",
            e.acknowledged_at.date() if e.acknowledged_at else "",
            "yes" if getattr(e, "awaits_take_over", False) else "no",
        ]

    return ExportSpec(
        filename="evaluations",
        headers=[
            "School year",
            "Cycle",
            "Evaluatee",
            "Evaluator",
            "Stage",
            "Due",
            "Overdue",
            "Signed off",
            "Acknowledged",
            "Awaiting take-over",
        ],
        row=row,
    )


@permission(Action.SIGNED_IN)
def evaluation_list(request: HttpRequest) -> HttpResponseBase:
    """The evaluations the user reads: their evaluatees' (and those below them in the chain),
    and their own."""
    user: Any = request.user
    if not selectors.may_read_any(user):
        raise PermissionDenied
    params = request.GET
    stages = [value for value, _ in Stage.choices]
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "cycle_id": get_int(params, "cycle"),
        "school_year": get_text(params, "year", max_length=9),
        "stage": get_choice(params, "stage", stages),
        "overdue": params.get("overdue") == "1",
        "mine": params.get("mine") == "1",
        "signed": params.get("signed") == "1",
        "awaiting": params.get("awaiting") == "1",
    }
    return render_list(
        request,
        template="evaluations/evaluation_list.html",
        queryset=selectors.evaluation_list(user, **filters),
        export=_export(),
        per_page=25,
        context={
            "filters": filters,
            "today": selectors.today(),
            **selectors.cycle_filter_choices(user),
            "may_configure": bool(selectors.configurable_systems(user)),
        },
    )


def _rubric(request: HttpRequest, evaluation: Evaluation, prefix: str) -> RubricForm:
    levels, rows = selectors.competencies(evaluation.cycle.version)
    return RubricForm(
        request.POST if request.method == "POST" else None, rows=rows, levels=levels, prefix=prefix
    )


# The stages in which each party acts (the goals are set together).
EVALUATEE_ACTS = (Stage.SELF_ASSESSMENT, Stage.GOALS, Stage.ACKNOWLEDGEMENT)
EVALUATOR_ACTS = (Stage.GOALS, Stage.MIDYEAR, Stage.SUMMATIVE)


def _page(
    request: HttpRequest,
    evaluation: Evaluation,
    forms: dict[str, Any] | None = None,
    *,
    status: int | None = None,
) -> HttpResponseBase:
    """The evaluation with the forms of the stages the reader may work on now. A stage whose
    earlier stages are not complete shows no form but "not yet open" and why; a completed stage
    stays editable until sign-off (goals, mid-year notes), except the self-assessment, which is
    submitted once."""
    user: Any = request.user
    context = selectors.evaluation_page(user, evaluation)
    locked = evaluation.is_locked
    forms = forms or {}
    cycle = evaluation.cycle
    by_stage = context["stage_by"]

    def workable(stage: str) -> bool:
        row = by_stage.get(stage)
        return row is not None and row.state != "not_open"

    asks_self = cycle.self_assessment_due and not evaluation.self_assessed_at
    if context["is_evaluatee"] and not locked and asks_self and workable(Stage.SELF_ASSESSMENT):
        forms.setdefault("self_form", _rubric_initial(evaluation, "self", None))
    takes_part = context["is_evaluatee"] or context["is_evaluator"]
    if not locked and takes_part and workable(Stage.GOALS):
        forms.setdefault(
            "goals_form",
            GoalsForm(
                items=[row["item"] for row in context["rubric_rows"]],
                goals=context["goals"],
            ),
        )
    if context["is_evaluator"] and not locked:
        if workable(Stage.MIDYEAR):
            forms.setdefault(
                "midyear_form", MidyearForm(initial={"notes": evaluation.midyear_notes})
            )
        if workable(Stage.SUMMATIVE):
            forms.setdefault("summative_form", _rubric_initial(evaluation, "summative", context))
    if context["is_evaluatee"] and locked and not evaluation.acknowledged_at:
        forms.setdefault("ack_form", AcknowledgeForm())
    if (
        context["is_evaluator"]
        and locked
        and not evaluation.acknowledged_at
        and not selectors.evaluatee_takes_part(evaluation)
    ):
        forms.setdefault("paper_form", PaperAcknowledgeForm())
    # The stages this reader acts in that are not open yet, with the reason.
    acts: set[str] = set()
    if context["is_evaluatee"]:
        acts.update(EVALUATEE_ACTS)
    if context["is_evaluator"]:
        acts.update(EVALUATOR_ACTS)
    waiting = [row for row in context["stages"] if row.state == "not_open" and row.stage in acts]
    handover = selectors.handover(user, evaluation)
    if status is None:
        status = 400 if any(f.is_bound and f.errors for f in forms.values()) else 200
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "locked": locked,
            "waiting": waiting,
            "handover": handover,
            # The notice's way to assign an evaluator, to whom may (a link they can follow).
            "assigns": handover is not None
            and handover.current is None
            and has_grant_for(user, Action.ASSIGNMENTS_MANAGE),
            **context,
            **forms,
        },
        status=status,
    )


def _rubric_initial(
    evaluation: Evaluation, prefix: str, context: dict[str, Any] | None
) -> RubricForm:
    levels, rows = selectors.competencies(evaluation.cycle.version)
    initial: dict[str, Any] = {}
    if context is not None:
        for row in context["rows"]:
            rating = row["summative"]
            if rating is not None:
                initial[f"level_{rating.item_id}"] = str(rating.level_id)
                initial[f"evidence_{rating.item_id}"] = rating.evidence
    return RubricForm(rows=rows, levels=levels, prefix=prefix, initial=initial)


@permission(Action.SIGNED_IN)
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _page(request, selectors.evaluation_get(request.user, pk))


def _done(request: HttpRequest, evaluation: Evaluation, message: str) -> HttpResponseBase:
    messages.success(request, message)
    return redirect("evaluation", evaluation.pk)


def _refused(
    request: HttpRequest,
    evaluation: Evaluation,
    error: ValidationError,
    forms: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """The page again with the refusal's message: 409 when the evaluation's state refuses the
    change (a stage not yet open, a locked evaluation), 400 when what was sent is wrong."""
    for message in error.messages:
        messages.error(request, message)
    status = 409 if isinstance(error, services.StageConflict) else 400
    return _page(request, evaluation, forms, status=status)


def _locked(request: HttpRequest, evaluation: Evaluation, attempt: str) -> HttpResponseBase | None:
    """Who may change it and whether it is locked come before what was entered: a locked
    evaluation answers 409 "locked" (audited), not the form's errors; not the party, 403."""
    try:
        services.change_check(actor=request.user, evaluation=evaluation, attempt=attempt)
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    return None


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def self_assessment(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = selectors.evaluation_get(request.user, pk)
    refused = _locked(request, evaluation, "self-assessment")
    if refused is not None:
        return refused
    form = _rubric(request, evaluation, "self")
    if not form.is_valid():
        return _page(request, evaluation, {"self_form": form})
    try:
        services.self_assessment_submit(
            actor=request.user, evaluation=evaluation, entries=form.entries()
        )
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    except ValidationError as error:
        # Shown on the form with what was entered, so nothing typed is lost.
        form.add_error(None, error)
        return _page(request, evaluation, {"self_form": form})
    return _done(request, evaluation, "Your self-assessment is submitted.")


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def goals(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = selectors.evaluation_get(request.user, pk)
    refused = _locked(request, evaluation, "goals")
    if refused is not None:
        return refused
    _levels, rows = selectors.competencies(evaluation.cycle.version)
    form = GoalsForm(
        request.POST,
        items=[row["item"] for row in rows],
        goals=list(selectors.goal_list(evaluation)),
    )
    if not form.is_valid():
        return _page(request, evaluation, {"goals_form": form})
    try:
        services.goals_save(actor=request.user, evaluation=evaluation, goals=form.goals())
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    except ValidationError as error:
        # Shown with what was entered, so nothing typed is lost.
        return _refused(request, evaluation, error, {"goals_form": form})
    return _done(request, evaluation, "Goals saved.")


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def midyear(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = selectors.evaluation_get(request.user, pk)
    refused = _locked(request, evaluation, "mid-year review")
    if refused is not None:
        return refused
    form = MidyearForm(request.POST)
    if not form.is_valid():
        return _page(request, evaluation, {"midyear_form": form})
    try:
        services.midyear_record(
            actor=request.user, evaluation=evaluation, notes=form.cleaned_data["notes"]
        )
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    except ValidationError as error:
        return _refused(request, evaluation, error, {"midyear_form": form})
    return _done(request, evaluation, "Mid-year review notes saved.")


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def summative(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = selectors.evaluation_get(request.user, pk)
    refused = _locked(request, evaluation, "summative rating")
    if refused is not None:
        return refused
    form = _rubric(request, evaluation, "summative")
    if not form.is_valid():
        return _page(request, evaluation, {"summative_form": form})
    try:
        services.summative_save(actor=request.user, evaluation=evaluation, entries=form.entries())
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    except ValidationError as error:
        # Shown with what was entered, so nothing typed is lost.
        return _refused(request, evaluation, error, {"summative_form": form})
    return _done(
        request, evaluation, "Summative ratings saved as a draft: only you see them until sign-off."
    )


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def sign_off(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = selectors.evaluation_get(request.user, pk)
    try:
        services.sign_off(actor=request.user, evaluation=evaluation)
    except ValidationError as error:
        return _refused(request, evaluation, error)
    return _done(request, evaluation, "Signed off: the evaluation is locked.")


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def take_over(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The evaluatee's current evaluator takes over an unsigned evaluation whose evaluator of
    record no longer evaluates them."""
    evaluation = selectors.evaluation_get(request.user, pk)
    former = evaluation.evaluator.full_name
    try:
        services.evaluation_take_over(actor=request.user, evaluation=evaluation)
    except ValidationError as error:
        return _refused(request, evaluation, error)
    return _done(
        request,
        evaluation,
        f"You are now this evaluation's evaluator, in place of {former}. The stages done stay "
        "done; the summative ratings are yours to give.",
    )


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def acknowledge(request: HttpRequest, pk: int) -> HttpResponseBase:
    evaluation = selectors.evaluation_get(request.user, pk)
    try:
        services.acknowledgement_check(actor=request.user, evaluation=evaluation, on_paper=False)
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _page(request, evaluation, {"ack_form": form})
    try:
        services.acknowledge(
            actor=request.user, evaluation=evaluation, response=form.cleaned_data["response"]
        )
    except ValidationError as error:
        return _refused(request, evaluation, error)
    return _done(request, evaluation, "Acknowledged. Thank you.")


@permission(Action.SIGNED_IN)
@post_only("evaluation")
def acknowledge_on_paper(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The evaluator records the signed paper acknowledgement of an evaluatee without an
    account."""
    evaluation = selectors.evaluation_get(request.user, pk)
    if not selectors.acts_as_evaluator(request.user, evaluation):
        # Who may record it comes before what was entered (a former evaluator: 403).
        raise PermissionDenied
    try:
        services.acknowledgement_check(actor=request.user, evaluation=evaluation, on_paper=True)
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    form = PaperAcknowledgeForm(request.POST)
    if not form.is_valid():
        return _page(request, evaluation, {"paper_form": form})
    try:
        services.acknowledge_on_paper(
            actor=request.user,
            evaluation=evaluation,
            signed_on=form.cleaned_data["signed_on"],
            response=form.cleaned_data["response"],
        )
    except services.StageConflict as error:
        return _refused(request, evaluation, error)
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(request, evaluation, {"paper_form": form})
    return _done(request, evaluation, "The paper acknowledgement is recorded.")


# Cycles ----------------------------------------------------------------------------------


def _cycle_export() -> ExportSpec:
    def row(c: EvaluationCycle) -> list[Any]:
        return [
            c.school_year,
            c.title,
            dict(selectors.POPULATIONS).get(c.population, c.population),
            c.version.framework.title,
            c.opens_on,
            c.self_assessment_due or "",
            c.goals_due or "",
            c.midyear_due or "",
            c.summative_due,
            c.acknowledgement_due,
            c.evaluation_count,  # type: ignore[attr-defined]
            c.complete,  # type: ignore[attr-defined]
            c.overdue,  # type: ignore[attr-defined]
        ]

    return ExportSpec(
        filename="evaluation-cycles",
        headers=[
            "School year",
            "Cycle",
            "Population",
            "Framework",
            "Opens",
            "Self-assessment due",
            "Goals due",
            "Mid-year due",
            "Summative due",
            "Acknowledgement due",
            "Evaluations",
            "Complete",
            "Overdue",
        ],
        row=row,
    )


@permission(Action.EVALUATIONS_CONFIGURE)
def cycle_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "query": get_text(request.GET, "q"),
        "school_year": get_text(request.GET, "year", max_length=9),
        "overdue": request.GET.get("overdue") == "1",
    }
    return render_list(
        request,
        template="evaluations/cycle_list.html",
        queryset=selectors.cycle_list(request.user, **filters),
        export=_cycle_export(),
        context={"filters": filters, "populations": dict(selectors.POPULATIONS)},
    )


@permission(Action.EVALUATIONS_CONFIGURE)
def cycle_new(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    systems = selectors.configurable_systems(user)
    system = System.objects.filter(pk__in=systems).order_by("pk").first()
    if system is None:
        raise PermissionDenied
    form = CycleForm(
        request.POST or None,
        populations=selectors.POPULATIONS,
        versions=list(selectors.cycle_frameworks(user)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.cycle_create(
                actor=user,
                system=system,
                title=data["title"],
                school_year=data["school_year"],
                population=data["population"],
                version=data["version"],
                opens_on=data["opens_on"],
                self_assessment_due=data["self_assessment_due"],
                goals_due=data["goals_due"],
                midyear_due=data["midyear_due"],
                summative_due=data["summative_due"],
                acknowledgement_due=data["acknowledgement_due"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = f"Cycle “{made.cycle.title}” opened: {made.evaluations} evaluations."
            if made.skipped:
                text += " Left out: " + "; ".join(
                    f"{p.full_name} ({why})" for p, why in made.skipped
                )
            messages.success(request, text)
            return redirect(reverse("evaluations") + f"?cycle={made.cycle.pk}")
    return render(
        request,
        "evaluations/cycle_form.html",
        {"form": form, "system": system},
        status=400 if form.is_bound and form.errors else 200,
    )
