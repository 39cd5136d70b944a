"""Classroom visits, instructional-leadership time, coaching dosage (planned versus delivered)
and assignments in the API, under the same rules as the pages (coach-visits)."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import model_validator

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.assignments.selectors import assignment_list
from trellis.authz.roles import Action, Relationship
from trellis.coaching import selectors, services
from trellis.coaching.models import ClassroomVisit
from trellis.people.selectors import person_get

router = Router(tags=["coaching"])
assignments_router = Router(tags=["assignments"])


class VisitOut(Schema):
    id: int
    principal_id: int
    principal: str
    teacher_id: int
    teacher: str
    school_id: int
    school: str
    visited_at: datetime.datetime
    minutes: int
    look_fors: list[int]
    feedback: str


class VisitFilters(Schema):
    q: str = Field("", max_length=200, pattern=r"^[^\x00]*$")
    principal: int | None = ID
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")


class VisitIn(Schema):
    teacher_id: int = Field(..., ge=1, le=2**31 - 1)
    visited_at: datetime.datetime
    minutes: int = Field(..., ge=1, le=services.MAX_VISIT_MINUTES)
    look_fors: list[int] = Field(default_factory=list, max_length=50)
    feedback: str = Field("", max_length=services.MAX_FEEDBACK)


def _visit_out(v: ClassroomVisit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "principal_id": v.principal_id,
        "principal": v.principal.full_name,
        "teacher_id": v.teacher_id,
        "teacher": v.teacher.full_name,
        "school_id": v.school_id,
        "school": v.school.name,
        "visited_at": v.visited_at,
        "minutes": v.minutes,
        "look_fors": [item.pk for item in v.look_fors.all()],
        "feedback": v.feedback,
    }


@router.get("/visits", response=list[VisitOut])
@api_permission(Action.VISITS_VIEW)
@paginate(Pages, max_limit=500)
def list_visits(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    visits = selectors.visit_list(
        request.user,
        query=filters.q,
        principal_id=filters.principal,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return _MappedQuerySet(visits, _visit_out)


@router.post("/visits", response={201: VisitOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.VISITS_LOG)
def log_visit(request: HttpRequest, payload: VisitIn) -> Any:
    teacher = person_get(request.user, payload.teacher_id)
    visited_at = payload.visited_at
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    choices = {item.pk: item for item in selectors.look_for_allowed(request.user, teacher)}
    wrong = [pk for pk in payload.look_fors if pk not in choices]
    if wrong:
        raise HttpError(
            400,
            f"look_fors: {wrong} are not in the framework the system designates for classroom "
            "practice (or, without one, a framework the system uses for this teacher).",
        )
    try:
        visit = services.visit_log(
            actor=request.user,
            teacher=teacher,
            visited_at=visited_at,
            minutes=payload.minutes,
            look_fors=[choices[pk] for pk in payload.look_fors],
            feedback=payload.feedback,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    return Status(201, _visit_out(selectors.visit_list(request.user).get(pk=visit.pk)))


class LeadershipRowOut(Schema):
    person_id: int
    person: str
    goal_minutes: int
    weeks: list[datetime.date]
    minutes: list[int]
    average: int
    weeks_at_goal: int
    weeks_complete: int


class LeadershipFilters(Schema):
    week: datetime.date | None = None


@router.get("/leadership-time", response=list[LeadershipRowOut])
@api_permission(Action.VISITS_VIEW)
def leadership_time(request: HttpRequest, filters: Query[LeadershipFilters]) -> Any:
    mondays, rows = selectors.leadership_rows(
        request.user, end=filters.week or timezone.localdate()
    )
    return [
        {
            "person_id": r.person.pk,
            "person": r.person.full_name,
            "goal_minutes": r.goal,
            "weeks": mondays,
            "minutes": r.minutes,
            "average": r.average,
            "weeks_at_goal": r.weeks_at_goal,
            "weeks_complete": r.complete,
        }
        for r in rows
    ]


class DosageFilters(Schema):
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    by: str = Field("school", pattern="^(school|supervisor|network)$")
    network: int | None = ID
    tier: int | None = ID

    @model_validator(mode="after")
    def _a_period_the_report_covers(self) -> "DosageFilters":
        # Refused (422) as the other bad parameters are, with what is wrong: the page's error.
        today = timezone.localdate()
        start = self.date_from or today.replace(day=1)
        end = self.date_to or start
        refusal = selectors.dosage_period_refusal(start, end)
        if refusal:
            raise ValueError(refusal)
        first = min(start, end).replace(day=1)
        if first > today:
            # Its first day would come after its last (the period stops at today).
            raise ValueError(
                f"The period starts on {first:%Y-%m-%d}, after today ({today:%Y-%m-%d}): "
                "dosage is counted up to today."
            )
        return self


class DosageRowOut(Schema):
    label: str
    schools: int
    planned_hours: Decimal
    delivered_hours: Decimal
    difference_hours: Decimal
    delivered_percent: int | None
    network: str
    tier: str


class DosageOut(Schema):
    first_day: datetime.date
    last_day: datetime.date
    months: int
    by: str
    definition: str
    rows: list[DosageRowOut]
    total: DosageRowOut
    shared_schools: int
    supervisors_not_shown: int


DEFINITION = (
    "planned = for each month, the hours per month of the tier in force at the school that "
    "month (its tier history; a tier that changed mid-month for the share of the month's days "
    "it was in force); delivered = the lengths of the "
    "coaching sessions held in those months whose coachee held a position at the school on "
    "the session's date, whoever the coach; each school's hours rounded once to the tenth "
    "(half up), a row and the total adding up its schools' figures; per supervisor, the schools "
    "of no supervisor make the row '(no supervisor)'; the period stops at today; total = each "
    "school once (shared_schools: schools in more than one supervisor's row)"
)


@router.get("/dosage", response=DosageOut)
@api_permission(Action.DOSAGE_VIEW)
def dosage(request: HttpRequest, filters: Query[DosageFilters]) -> Any:
    today = timezone.localdate()
    start = filters.date_from or today.replace(day=1)
    end = filters.date_to or start
    if end < start:
        start, end = end, start
    rows = selectors.dosage_report(
        request.user,
        start=start,
        end=end,
        group=filters.by,
        network_id=filters.network,
        tier_id=filters.tier,
        today=today,
    )
    first, last = selectors.dosage_period(start, end, today=today)

    def out(r: selectors.DosageRow) -> dict[str, Any]:
        return {
            "label": r.label,
            "schools": r.schools,
            "planned_hours": r.planned,
            "delivered_hours": r.delivered,
            "difference_hours": r.gap,
            "delivered_percent": r.percent,
            "network": r.network,
            "tier": r.tier,
        }

    return {
        "first_day": first,
        "last_day": last,
        "months": len(selectors.months_between(first, last)),
        "by": filters.by,
        "definition": DEFINITION,
        "rows": [out(r) for r in rows],
        "total": out(rows.total),
        "shared_schools": rows.shared,
        "supervisors_not_shown": rows.withheld,
    }


class AssignmentOut(Schema):
    id: int
    kind: str
    supporter_id: int
    supporter: str
    assignee_id: int
    assignee: str
    starts_on: datetime.date
    ends_on: datetime.date | None


class AssignmentFilters(Schema):
    q: str = Field("", max_length=200, pattern=r"^[^\x00]*$")
    kind: Relationship | None = None
    status: str = Field("current", pattern="^(current|future|ended|all)$")
    supporter: int | None = ID


@assignments_router.get("/assignments", response=list[AssignmentOut])
@api_permission(Action.ASSIGNMENTS_VIEW)
@paginate(Pages, max_limit=500)
def list_assignments(request: HttpRequest, filters: Query[AssignmentFilters]) -> Any:
    assignments = assignment_list(
        request.user,
        query=filters.q,
        kind=filters.kind or "",
        status=filters.status,
        supporter_id=filters.supporter,
    )
    return _MappedQuerySet(
        assignments,
        lambda a: {
            "id": a.pk,
            "kind": a.kind,
            "supporter_id": a.supporter_id,
            "supporter": a.supporter.full_name,
            "assignee_id": a.assignee_id,
            "assignee": a.assignee.full_name,
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
        },
    )
