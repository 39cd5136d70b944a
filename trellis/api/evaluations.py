"""Evaluation cycles in the API, under the same rules as the pages: an evaluation to its
evaluator chain and its evaluatee; the summative ratings only once signed off (before, to the
evaluator alone, as on the page); to the system's administrators its progress only (the
content fields null, `content_shown` false).

The stages are taken through the same services as the pages, each at its own path: a GET reads
the stage (due, done, open or not yet open and why), a POST acts on it. Outside scope 404; in
scope but not the party who acts 403; a stage not yet open, a locked evaluation or a stage done
once and for all 409; wrong input 400, each with its message."""

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.core.forms import CONTROL_CHARACTERS
from trellis.evaluations import selectors, services
from trellis.evaluations.models import Evaluation, Stage

router = Router(tags=["evaluations"])
PK = Path(..., ge=1, le=2**31 - 1)


class EvaluationOut(Schema):
    id: int
    cycle_id: int
    cycle: str
    school_year: str
    evaluatee_id: int
    evaluatee: str
    evaluator_id: int
    evaluator: str
    stage: str
    due_on: datetime.date | None
    signed_off_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None


class RatingOut(Schema):
    competency_id: int
    competency: str
    level: str
    evidence: str


class GoalOut(Schema):
    text: str
    competency_ids: list[int]


class CompetencyOut(Schema):
    id: int
    competency: str


class LevelOut(Schema):
    id: int
    name: str


class EvaluationDetailOut(EvaluationOut):
    # The content: null (and content_shown false) for a caller who follows the cycle's
    # progress without being in the evaluator chain (an administrator).
    content_shown: bool = Field(
        description="Whether the caller reads the content (the evaluator chain, the evaluatee)."
    )
    self_assessment: list[RatingOut] | None
    summative: list[RatingOut] | None
    goals: list[GoalOut] | None
    midyear_notes: str | None
    response: str | None
    # The rubric the ratings are given on (the ids a self-assessment or summative POST names).
    competencies: list[CompetencyOut]
    levels: list[LevelOut]
    # An unsigned evaluation whose evaluator no longer evaluates the evaluatee (their assignment
    # ended): who does now, and whether that is the caller, who then POSTs `take-over`.
    awaits_take_over: bool = Field(
        description="Its evaluator of record no longer evaluates or supervises the evaluatee: "
        "nobody can finish it until their current evaluator takes it over."
    )
    current_evaluator_id: int | None = Field(
        description="The evaluatee's evaluator now (by assignment), when it awaits a take-over."
    )
    you_take_over: bool = Field(description="Whether the caller is the one to take it over.")


class EvaluationFilters(Schema):
    q: str = Field("", max_length=200)
    cycle: int | None = ID
    year: str = Field("", max_length=9)
    stage: Stage | None = None
    overdue: bool = False
    signed: bool = Field(False, description="Only the evaluations the caller signed off.")


def _out(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.pk,
        "cycle_id": e.cycle_id,
        "cycle": e.cycle.title,
        "school_year": e.cycle.school_year,
        "evaluatee_id": e.evaluatee_id,
        "evaluatee": e.evaluatee.full_name,
        "evaluator_id": e.evaluator_id,
        "evaluator": e.evaluator.full_name,
        "stage": e.stage,
        "due_on": e.due_on,
        "signed_off_at": e.signed_off_at,
        "acknowledged_at": e.acknowledged_at,
    }


def _rating(r: Any) -> dict[str, Any]:
    return {
        "competency_id": r.item_id,
        "competency": str(r.item),
        "level": r.level.name,
        "evidence": r.evidence,
    }


@router.get("", response={200: list[EvaluationOut], 403: ErrorOut})
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def list_evaluations(request: HttpRequest, filters: Query[EvaluationFilters]) -> Any:
    if not selectors.may_read_any(request.user):
        raise HttpError(403, "You neither conduct nor receive evaluations.")
    rows = selectors.evaluation_list(
        request.user,
        query=filters.q,
        cycle_id=filters.cycle,
        school_year=filters.year,
        stage=filters.stage or "",
        overdue=filters.overdue,
        signed=filters.signed,
    )
    return _MappedQuerySet(rows, _out)


@router.get("/{evaluation_id}", response={200: EvaluationDetailOut, 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.SIGNED_IN)
def get_evaluation(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _detail(request, evaluation)


def _detail(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    page = selectors.evaluation_page(request.user, evaluation)
    handover = selectors.handover(request.user, evaluation)
    rubric = {
        "competencies": [
            {"id": row["item"].pk, "competency": str(row["item"])} for row in page["rubric_rows"]
        ],
        "levels": [{"id": level.pk, "name": level.name} for level in page["levels"]],
        "awaits_take_over": handover is not None,
        "current_evaluator_id": handover.current.pk if handover and handover.current else None,
        "you_take_over": bool(handover and handover.yours),
    }
    if not page["content_shown"]:
        return {
            **_out(evaluation),
            "content_shown": False,
            "self_assessment": None,
            "summative": None,
            "goals": None,
            "midyear_notes": None,
            "response": None,
            **rubric,
        }
    return {
        **_out(evaluation),
        "content_shown": True,
        "self_assessment": [_rating(row["self"]) for row in page["rows"] if row["self"]],
        "summative": [_rating(row["summative"]) for row in page["rows"] if row["summative"]],
        "goals": [
            {"text": g.text, "competency_ids": [c.pk for c in g.competencies.all()]}
            for g in page["goals"]
        ],
        "midyear_notes": evaluation.midyear_notes,
        "response": evaluation.response,
        **rubric,
    }


# The stages ------------------------------------------------------------------------------

STAGE_RESPONSES = {
    200: EvaluationDetailOut,
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
}
READ_RESPONSES = {403: ErrorOut, 404: ErrorOut}


class StageOut(Schema):
    stage: str
    label: str
    due_on: datetime.date | None
    done_at: datetime.datetime | None
    status: Literal["done", "open", "not_yet_open", "not_possible"]
    reason: str = Field(
        description="Why the stage is not yet open, or not possible (an evaluatee without an "
        "account: their self-assessment), empty otherwise."
    )
    note: str = Field("", description="Said beside the stage (a paper acknowledgement).")
    overdue: bool
    late: bool = Field(description="Completed after its deadline.")
    you_act: bool = Field(description="Whether the caller is a party who acts in this stage.")


class SignOffOut(StageOut):
    unrated_competency_ids: list[int] = Field(
        description="The evaluator's competencies without a draft rating (to the evaluator)."
    )
    without_evidence_competency_ids: list[int] = Field(
        description="The evaluator's draft ratings without evidence (to the evaluator)."
    )


class RatingIn(Schema):
    competency_id: int = Field(..., ge=1, le=2**31 - 1)
    level_id: int = Field(..., ge=1, le=2**31 - 1)
    evidence: str = Field("", max_length=10000)


class RatingsIn(Schema):
    ratings: list[RatingIn] = Field(..., min_length=1, max_length=500)


class GoalIn(Schema):
    text: str = Field(..., max_length=2000)  # blank goals are the service's 400, as notes
    competency_ids: list[int] = Field(default_factory=list, max_length=100)


class GoalsIn(Schema):
    goals: list[GoalIn] = Field(..., min_length=1, max_length=3)


class MidyearIn(Schema):
    # Empty notes are the service's 400 ("Write the mid-year review notes."), answered after
    # who may write and the lock (a locked evaluation: 409), as on the page.
    notes: str = Field(..., max_length=10000)


class AcknowledgeIn(Schema):
    response: str = Field("", max_length=10000)


class PaperAcknowledgeIn(Schema):
    signed_on: datetime.date = Field(description="The day the evaluatee signed the paper copy.")
    response: str = Field("", max_length=10000)


def _no_control(value: str, where: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise HttpError(400, f"{where}: control characters are not allowed.")
    return value


def _stage_out(request: HttpRequest, evaluation: Evaluation, stage: Stage) -> dict[str, Any]:
    user: Any = request.user
    row = next((r for r in selectors.stage_rows(evaluation) if r.stage == stage), None)
    if row is None:
        raise HttpError(404, f"This cycle has no {stage.label.lower()} stage.")
    # A former evaluator reads what they signed and acts in nothing.
    evaluator = selectors.acts_as_evaluator(user, evaluation)
    evaluatee = user.person_id == evaluation.evaluatee_id
    acts = {
        Stage.SELF_ASSESSMENT: evaluatee,
        Stage.GOALS: evaluatee or evaluator,
        Stage.MIDYEAR: evaluator,
        Stage.SUMMATIVE: evaluator,
        Stage.ACKNOWLEDGEMENT: user.person_id == evaluation.evaluatee_id,
    }
    return {
        "stage": row.stage,
        "label": row.label,
        "due_on": row.due_on,
        "done_at": row.done_at,
        "status": "not_yet_open" if row.state == "not_open" else row.state,
        "reason": row.reason,
        "note": row.note,
        "overdue": row.overdue,
        "late": row.late,
        "you_act": bool(user.person_id) and acts[stage],
    }


def _entries(evaluation: Evaluation, ratings: list[RatingIn]) -> list[Any]:
    """The ratings as the services take them: each competency of the cycle's rubric once, with
    one of its levels; a wrong id is a 400 naming the element."""
    levels, rows = selectors.competencies(evaluation.cycle.version)
    items = {row["item"].pk: row["item"] for row in rows}
    by_pk = {level.pk: level for level in levels}
    seen: set[int] = set()
    entries = []
    for n, rating in enumerate(ratings):
        where = f"ratings[{n}]"
        if rating.competency_id not in items:
            raise HttpError(
                400,
                f"{where}.competency_id: {rating.competency_id} is not a competency rated "
                "in this cycle.",
            )
        if rating.competency_id in seen:
            raise HttpError(400, f"{where}.competency_id: {rating.competency_id} is rated twice.")
        if rating.level_id not in by_pk:
            raise HttpError(
                400, f"{where}.level_id: {rating.level_id} is not a level of this framework."
            )
        seen.add(rating.competency_id)
        evidence = _no_control(rating.evidence, f"{where}.evidence")
        entries.append((items[rating.competency_id], by_pk[rating.level_id], evidence))
    return entries


def _check(request: HttpRequest, evaluation: Evaluation, attempt: str) -> None:
    """Who may change it and the lock before what was sent (as on the pages): a locked
    evaluation is a 409 "locked" (audited), whatever is wrong with the payload."""
    try:
        services.change_check(actor=request.user, evaluation=evaluation, attempt=attempt)
    except services.StageConflict as error:
        raise HttpError(409, " ".join(error.messages)) from None
    except PermissionDenied:
        raise HttpError(403, "You are not the party who acts in this stage.") from None


def _act(request: HttpRequest, evaluation: Evaluation, action: Any) -> Any:
    """Run one stage service; its refusals as the API's answers, then the evaluation as read."""
    try:
        action()
    except services.StageConflict as error:
        raise HttpError(409, " ".join(error.messages)) from None
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    except PermissionDenied:
        raise HttpError(403, "You are not the party who acts in this stage.") from None
    fresh = selectors.evaluation_get(request.user, evaluation.pk)
    return _detail(request, fresh)


@router.get("/{evaluation_id}/self-assessment", response={200: StageOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_self_assessment(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _stage_out(request, evaluation, Stage.SELF_ASSESSMENT)


@router.post("/{evaluation_id}/self-assessment", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def submit_evaluation_self_assessment(
    request: HttpRequest, payload: RatingsIn, evaluation_id: int = PK
) -> Any:
    """The evaluatee submits their self-assessment: every competency rated, once."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    _check(request, evaluation, "self-assessment")
    entries = _entries(evaluation, payload.ratings)
    return _act(
        request,
        evaluation,
        lambda: services.self_assessment_submit(
            actor=request.user, evaluation=evaluation, entries=entries
        ),
    )


@router.get("/{evaluation_id}/goals", response={200: StageOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_goals(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _stage_out(request, evaluation, Stage.GOALS)


@router.post("/{evaluation_id}/goals", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def save_evaluation_goals(request: HttpRequest, payload: GoalsIn, evaluation_id: int = PK) -> Any:
    """The evaluatee or the evaluator sets the goals (up to three), each with the competencies
    it serves; saving replaces the earlier goals until sign-off."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    _check(request, evaluation, "goals")
    _levels, rows = selectors.competencies(evaluation.cycle.version)
    items = {row["item"].pk: row["item"] for row in rows}
    goals = []
    for n, goal in enumerate(payload.goals):
        wrong = [pk for pk in goal.competency_ids if pk not in items]
        if wrong:
            raise HttpError(
                400, f"goals[{n}].competency_ids: {wrong} are not competencies of this cycle."
            )
        text = _no_control(goal.text, f"goals[{n}].text")
        if not text.strip():
            raise HttpError(400, f"goals[{n}].text: write the goal.")
        goals.append((text, [items[pk] for pk in dict.fromkeys(goal.competency_ids)]))
    return _act(
        request,
        evaluation,
        lambda: services.goals_save(actor=request.user, evaluation=evaluation, goals=goals),
    )


@router.get("/{evaluation_id}/mid-year", response={200: StageOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_midyear(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _stage_out(request, evaluation, Stage.MIDYEAR)


@router.post("/{evaluation_id}/mid-year", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def record_evaluation_midyear(
    request: HttpRequest, payload: MidyearIn, evaluation_id: int = PK
) -> Any:
    """The evaluator's mid-year review notes (replacing earlier ones until sign-off)."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    _check(request, evaluation, "mid-year review")
    notes = _no_control(payload.notes, "notes")
    return _act(
        request,
        evaluation,
        lambda: services.midyear_record(actor=request.user, evaluation=evaluation, notes=notes),
    )


@router.get("/{evaluation_id}/summative", response={200: StageOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_summative(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _stage_out(request, evaluation, Stage.SUMMATIVE)


@router.post("/{evaluation_id}/summative", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def save_evaluation_summative(
    request: HttpRequest, payload: RatingsIn, evaluation_id: int = PK
) -> Any:
    """The evaluator's summative ratings with evidence, as a draft seen by them alone until
    sign-off (each save replaces the draft)."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    _check(request, evaluation, "summative rating")
    entries = _entries(evaluation, payload.ratings)
    return _act(
        request,
        evaluation,
        lambda: services.summative_save(actor=request.user, evaluation=evaluation, entries=entries),
    )


@router.get("/{evaluation_id}/sign-off", response={200: SignOffOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_sign_off(request: HttpRequest, evaluation_id: int = PK) -> Any:
    """The summative stage as sign-off sees it: to the evaluator, what still blocks it."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    out = _stage_out(request, evaluation, Stage.SUMMATIVE)
    user: Any = request.user
    unrated: list[int] = []
    bare: list[int] = []
    if selectors.acts_as_evaluator(user, evaluation) and not evaluation.is_locked:
        unrated = [item.pk for item in selectors.unrated_items(evaluation, user)]
        bare = [
            r.item_id for r in selectors.rated_items(evaluation, user) if not r.evidence.strip()
        ]
    return {**out, "unrated_competency_ids": unrated, "without_evidence_competency_ids": bare}


@router.post("/{evaluation_id}/sign-off", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def sign_off_evaluation(request: HttpRequest, evaluation_id: int = PK) -> Any:
    """The evaluator signs off: refused while a competency is unrated or without evidence; then
    the ratings are submitted and the evaluation locked."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _act(
        request,
        evaluation,
        lambda: services.sign_off(actor=request.user, evaluation=evaluation),
    )


class TakeOverOut(Schema):
    evaluator_id: int
    evaluator: str
    awaits_take_over: bool
    current_evaluator_id: int | None
    you_take_over: bool


@router.get("/{evaluation_id}/take-over", response={200: TakeOverOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_take_over(request: HttpRequest, evaluation_id: int = PK) -> Any:
    """Whether the evaluation awaits a take-over (its evaluator of record no longer evaluates or
    supervises the evaluatee, and it is not signed off), who the evaluatee's evaluator is now,
    and whether that is the caller."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    handover = selectors.handover(request.user, evaluation)
    return {
        "evaluator_id": evaluation.evaluator_id,
        "evaluator": evaluation.evaluator.full_name,
        "awaits_take_over": handover is not None,
        "current_evaluator_id": handover.current.pk if handover and handover.current else None,
        "you_take_over": bool(handover and handover.yours),
    }


@router.post("/{evaluation_id}/take-over", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def take_over_evaluation(request: HttpRequest, evaluation_id: int = PK) -> Any:
    """The evaluatee's current evaluator takes over an unsigned evaluation whose evaluator of
    record no longer evaluates them (`awaits_take_over`): they become its evaluator; the stages
    done stay done, the former evaluator's summative drafts are discarded. 409 once signed off
    or when the caller is its evaluator already, 403 to anyone else."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _act(
        request,
        evaluation,
        lambda: services.evaluation_take_over(actor=request.user, evaluation=evaluation),
    )


@router.get("/{evaluation_id}/acknowledgement", response={200: StageOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_acknowledgement(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    return _stage_out(request, evaluation, Stage.ACKNOWLEDGEMENT)


@router.post("/{evaluation_id}/acknowledgement", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def acknowledge_evaluation(
    request: HttpRequest, payload: AcknowledgeIn, evaluation_id: int = PK
) -> Any:
    """The evaluatee acknowledges the signed-off evaluation, with an optional response."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    response = _no_control(payload.response, "response")
    return _act(
        request,
        evaluation,
        lambda: services.acknowledge(actor=request.user, evaluation=evaluation, response=response),
    )


@router.get("/{evaluation_id}/paper-acknowledgement", response={200: StageOut, **READ_RESPONSES})
@api_permission(Action.SIGNED_IN)
def get_evaluation_paper_acknowledgement(request: HttpRequest, evaluation_id: int = PK) -> Any:
    """The acknowledgement stage as the evaluator of an evaluatee without an account sees it."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    out = _stage_out(request, evaluation, Stage.ACKNOWLEDGEMENT)
    user: Any = request.user
    out["you_act"] = selectors.acts_as_evaluator(
        user, evaluation
    ) and not selectors.evaluatee_takes_part(evaluation)
    return out


@router.post("/{evaluation_id}/paper-acknowledgement", response=STAGE_RESPONSES)
@api_permission(Action.SIGNED_IN)
def record_evaluation_paper_acknowledgement(
    request: HttpRequest, payload: PaperAcknowledgeIn, evaluation_id: int = PK
) -> Any:
    """The evaluator records the signed paper acknowledgement of an evaluatee who had no account
    when the cycle opened (the day signed, the response transcribed); audited."""
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    response = _no_control(payload.response, "response")
    return _act(
        request,
        evaluation,
        lambda: services.acknowledge_on_paper(
            actor=request.user,
            evaluation=evaluation,
            signed_on=payload.signed_on,
            response=response,
        ),
    )
