"""Programs, cohorts, participants and placements in the API, under the same scopes as the
pages: an id outside the caller's scope is a 404, in scope but not allowed a 403. Figures are
withheld exactly as on the dashboards (`null`, the field named in `suppressed`)."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import field_validator

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.programs import selectors
from trellis.programs.models import Cohort, Participant, Placement, Program

router = Router(tags=["programs"])
PK = Path(..., ge=1, le=2**31 - 1)


class ProgramOut(Schema):
    id: int
    name: str
    kind: str
    owner_system: str | None
    owner_partner: str | None
    framework_id: int | None
    description: str


class CohortOut(Schema):
    id: int
    program_id: int
    program: str
    name: str
    school_year: int
    starts_on: datetime.date
    ends_on: datetime.date
    state: str


class PlacementOut(Schema):
    id: int
    participant_id: int
    person_id: int
    role: str
    school_id: int
    school: str
    starts_on: datetime.date
    position_id: int


class ParticipantOut(Schema):
    id: int
    cohort_id: int
    person_id: int
    given_name: str
    family_name: str
    status: str
    completed_on: datetime.date | None
    career_goal: str
    experiences_done: int
    experiences_total: int
    experiences_overdue: int
    milestones_done: int
    milestones_total: int
    milestones_overdue: int
    behind: bool
    placements: list[PlacementOut]


class FiguresOut(Schema):
    group: str
    participants: int | None
    active: int | None
    completed: int | None
    withdrawn: int | None
    placed: int | None
    behind: int | None
    completion_rate: float | None
    placement_rate: float | None
    behind_rate: float | None
    suppressed: list[str]


class ProgramFilters(Schema):
    q: str = Field("", max_length=200)
    kind: Program.Kind | None = None

    @field_validator("q")
    @classmethod
    def _no_null_character(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("The 'q' parameter contains a null character.")
        return value


class CohortFilters(ProgramFilters):
    program: int | None = ID
    state: Cohort.State | None = None
    school_year: int | None = Field(None, ge=2000, le=2100)


def _program_out(p: Program) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "owner_system": p.owner_system.code if p.owner_system else None,
        "owner_partner": p.owner_partner.name if p.owner_partner else None,
        "framework_id": p.framework_id,
        "description": p.description,
    }


def _cohort_out(c: Cohort) -> dict[str, Any]:
    return {
        "id": c.pk,
        "program_id": c.program_id,
        "program": c.program.name,
        "name": c.name,
        "school_year": c.school_year,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "state": c.state,
    }


def _placement_out(p: Placement) -> dict[str, Any]:
    return {
        "id": p.pk,
        "participant_id": p.participant_id,
        "person_id": p.participant.person_id,
        "role": p.role,
        "school_id": p.school_id,
        "school": p.school.name,
        "starts_on": p.starts_on,
        "position_id": p.position_id,
    }


def _participant_out(row: selectors.Progress) -> dict[str, Any]:
    p: Participant = row.participant
    return {
        "id": p.pk,
        "cohort_id": p.cohort_id,
        "person_id": p.person_id,
        "given_name": p.person.given_name,
        "family_name": p.person.family_name,
        "status": p.status,
        "completed_on": p.completed_on,
        "career_goal": p.career_goal,
        "experiences_done": row.experiences_done,
        "experiences_total": row.experiences_total,
        "experiences_overdue": len(row.experiences_overdue),
        "milestones_done": row.milestones_done,
        "milestones_total": row.milestones_total,
        "milestones_overdue": row.milestones_overdue,
        "behind": row.behind,
        "placements": [_placement_out(x) for x in row.placements],
    }


def _figures_out(f: selectors.Figures) -> dict[str, Any]:
    return {
        "group": f.label,
        **{m: f.counts[m].shown for m in selectors.MEASURES},
        **{name: rate.shown for name, rate in zip(selectors.RATE_NAMES, f.rates(), strict=True)},
        "suppressed": f.suppressed_fields(),
    }


@router.get("/programs", response=list[ProgramOut])
@api_permission(Action.PROGRAMS_VIEW)
@paginate(Pages, max_limit=500)
def list_programs(request: HttpRequest, filters: Query[ProgramFilters]) -> Any:
    programs = selectors.program_list(request.user, query=filters.q, kind=filters.kind or "")
    return _MappedQuerySet(programs, _program_out)


@router.get("/programs/{program_id}", response={200: ProgramOut, 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.PROGRAMS_VIEW)
def get_program(request: HttpRequest, program_id: int = PK) -> Any:
    return _program_out(selectors.program_get(request.user, program_id))


@router.get(
    "/programs/{program_id}/figures",
    response={200: list[FiguresOut], 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.PROGRAMS_VIEW)
def get_program_figures(request: HttpRequest, program_id: int = PK) -> Any:
    program = selectors.program_get(request.user, program_id)
    return [_figures_out(f) for f in selectors.program_figures(request.user, program)]


@router.get("/cohorts", response=list[CohortOut])
@api_permission(Action.PROGRAMS_VIEW)
@paginate(Pages, max_limit=500)
def list_cohorts(request: HttpRequest, filters: Query[CohortFilters]) -> Any:
    cohorts = selectors.cohort_list(
        request.user,
        query=filters.q,
        program_id=filters.program,
        state=filters.state or "",
        school_year=filters.school_year,
    )
    return _MappedQuerySet(cohorts, _cohort_out)


@router.get("/cohorts/{cohort_id}", response={200: CohortOut, 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.PROGRAMS_VIEW)
def get_cohort(request: HttpRequest, cohort_id: int = PK) -> Any:
    return _cohort_out(selectors.cohort_get(request.user, cohort_id))


@router.get(
    "/cohorts/{cohort_id}/figures", response={200: FiguresOut, 403: ErrorOut, 404: ErrorOut}
)
@api_permission(Action.PROGRAMS_VIEW)
def get_cohort_figures(request: HttpRequest, cohort_id: int = PK) -> Any:
    cohort = selectors.cohort_get(request.user, cohort_id)
    rows = selectors.cohort_roster(cohort, within=selectors.roster_within(request.user, cohort))
    return _figures_out(selectors.cohort_figures(cohort, rows))


@router.get(
    "/cohorts/{cohort_id}/participants",
    response={200: list[ParticipantOut], 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.PROGRAMS_VIEW)
def list_cohort_participants(request: HttpRequest, cohort_id: int = PK) -> Any:
    cohort = selectors.cohort_get(request.user, cohort_id)
    within = selectors.roster_within(request.user, cohort)
    return [_participant_out(row) for row in selectors.cohort_roster(cohort, within=within)]


@router.get(
    "/participants/{participant_id}",
    response={200: ParticipantOut, 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.SIGNED_IN)
def get_participant(request: HttpRequest, participant_id: int = PK) -> Any:
    participant = selectors.participant_get(request.user, participant_id)
    (row,) = selectors.progress_of([participant])
    return _participant_out(row)


class PlacementFilters(Schema):
    cohort: int | None = ID


@router.get("/placements", response=list[PlacementOut])
@api_permission(Action.PROGRAMS_VIEW)
@paginate(Pages, max_limit=500)
def list_placements(request: HttpRequest, filters: Query[PlacementFilters]) -> Any:
    placements = selectors.placement_list(request.user, cohort_id=filters.cohort)
    return _MappedQuerySet(placements, _placement_out)
