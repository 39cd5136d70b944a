"""Evaluation cycles in the API, under the same rules as the pages: an evaluation to its
evaluator chain and its evaluatee; the summative ratings only once signed off (before, to the
evaluator alone, as on the page). The stages are taken on the pages."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.evaluations import selectors
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


class EvaluationDetailOut(EvaluationOut):
    self_assessment: list[RatingOut]
    summative: list[RatingOut]
    goals: list[GoalOut]
    midyear_notes: str
    response: str


class EvaluationFilters(Schema):
    q: str = Field("", max_length=200)
    cycle: int | None = ID
    year: str = Field("", max_length=9)
    stage: Stage | None = None
    overdue: bool = False


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
    )
    return _MappedQuerySet(rows, _out)


@router.get("/{evaluation_id}", response={200: EvaluationDetailOut, 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.SIGNED_IN)
def get_evaluation(request: HttpRequest, evaluation_id: int = PK) -> Any:
    evaluation = selectors.evaluation_get(request.user, evaluation_id)
    page = selectors.evaluation_page(request.user, evaluation)
    return {
        **_out(evaluation),
        "self_assessment": [_rating(row["self"]) for row in page["rows"] if row["self"]],
        "summative": [_rating(row["summative"]) for row in page["rows"] if row["summative"]],
        "goals": [
            {"text": g.text, "competency_ids": [c.pk for c in g.competencies.all()]}
            for g in page["goals"]
        ],
        "midyear_notes": evaluation.midyear_notes,
        "response": evaluation.response,
    }
