"""The selection API: a cycle's applications, for its committee only (selection.deliberations
on the cohort). The same selectors as the pages decide what is found (404 outside the program,
403 to its other staff)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from ninja.pagination import paginate

from trellis.api.auth import api_permission
from trellis.api.paging import Pages
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.selection import selectors
from trellis.selection.models import Application, Decision

router = Router(tags=["selection"])
PK = Path(..., ge=1, le=2**31 - 1)


class DecisionOut(Schema):
    outcome: str
    reason: str
    decided_by: str
    decided_at: datetime.datetime
    letter_sent_at: datetime.datetime | None
    enrolled_at: datetime.datetime | None


class ApplicationOut(Schema):
    id: int
    cycle_id: int
    applicant_id: int
    applicant: str
    status: str
    submitted_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    screening: str
    recommendation_received: bool
    rank: int | None
    consensus: float | None
    panel_mean: float | None
    decision: DecisionOut | None


class NoteOut(Schema):
    at: datetime.datetime
    author: str
    outcome: str
    text: str


class ScoreOut(Schema):
    competency: str
    rater: str
    level: str
    consensus: bool


class InterviewOut(Schema):
    held_on: datetime.date
    round_id: int
    state: str
    scores: list[ScoreOut]


class RecommendationOut(Schema):
    recommender: str
    received_at: datetime.datetime | None
    text: str
    scores: dict[str, str]


class ApplicationDetailOut(ApplicationOut):
    answers: dict[str, str]
    track_record: str
    screening_notes: list[NoteOut]
    recommendation: RecommendationOut | None
    interviews: list[InterviewOut]


def _decision(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "reason": decision.reason,
        "decided_by": decision.decided_by_label,
        "decided_at": decision.decided_at,
        "letter_sent_at": decision.letter_sent_at,
        "enrolled_at": decision.enrolled_at,
    }


def _application(row: selectors.SlateRow) -> dict[str, Any]:
    a: Application = row.application
    recommendation = getattr(a, "recommendation", None)
    return {
        "id": a.pk,
        "cycle_id": a.cycle_id,
        "applicant_id": a.applicant_id,
        "applicant": a.applicant.full_name,
        "status": a.status,
        "submitted_at": a.submitted_at,
        "withdrawn_at": a.withdrawn_at,
        "screening": a.screening,
        "recommendation_received": bool(recommendation and recommendation.used_at),
        "rank": row.rank,
        "consensus": row.consensus,
        "panel_mean": row.mean,
        "decision": _decision(getattr(a, "decision", None)),
    }


@router.get(
    "/cycles/{cycle_id}/applications",
    response={200: list[ApplicationOut], 403: ErrorOut, 404: ErrorOut},
    url_name="selection_applications",
)
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def selection_applications(request: HttpRequest, cycle_id: int = PK) -> Any:
    """The cycle's applications in the order of the ranked slate (the committee only)."""
    cycle = selectors.cycle_for_committee(request.user, cycle_id)
    return [_application(row) for row in selectors.slate(cycle)]


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationDetailOut, 403: ErrorOut, 404: ErrorOut},
    url_name="selection_application",
)
@api_permission(Action.SIGNED_IN)
def selection_application(request: HttpRequest, application_id: int = PK) -> Any:
    """One application with its screening notes, recommendation, interview scores and decision
    (the committee only)."""
    application = selectors.application_for_committee(request.user, application_id)
    row = next(r for r in selectors.slate(application.cycle) if r.application.pk == application.pk)
    recommendation = selectors.recommendation_of(application)
    interviews = []
    for item in selectors.interviews_of(application):
        scores = [
            {
                "competency": str(line["item"]),
                "rater": rating.rater_name,
                "level": rating.level.name,
                "consensus": False,
            }
            for line in item["spread"]
            for rating in line["ratings"]
        ] + [
            {
                "competency": str(line["item"]),
                "rater": line["consensus"].rater_name,
                "level": line["consensus"].level.name,
                "consensus": True,
            }
            for line in item["spread"]
            if line["consensus"] is not None
        ]
        interviews.append(
            {
                "held_on": item["interview"].held_on,
                "round_id": item["round"].pk,
                "state": item["round"].state,
                "scores": scores,
            }
        )
    return {
        **_application(row),
        "answers": {question: answer for question, answer in selectors.answers_of(application)},
        "track_record": application.track_record,
        "screening_notes": [
            {"at": n.created_at, "author": n.author_label, "outcome": n.outcome, "text": n.text}
            for n in selectors.screening_notes(application)
        ],
        "recommendation": {
            "recommender": recommendation.recommender_name,
            "received_at": recommendation.used_at,
            "text": recommendation.text,
            "scores": {str(s.item): s.level.name for s in recommendation.scores.all()},
        }
        if recommendation is not None
        else None,
        "interviews": interviews,
    }
