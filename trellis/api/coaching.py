"""Coaching sessions and next steps in the API, under the same rules as the pages: a session's
record to whoever may read it, its `notes` only to those who read notes (else `null`, and
`notes_shown` false); a session is logged only with someone on the caller's caseload."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.coaching import selectors, services
from trellis.coaching.models import CoachingSession, Mode, NextStep

router = Router(tags=["coaching"])
PK = Path(..., ge=1, le=2**31 - 1)


class NextStepOut(Schema):
    id: int
    session_id: int
    coachee_id: int
    text: str
    owner_id: int
    owner: str
    due_on: datetime.date | None
    done_on: datetime.date | None


class SessionOut(Schema):
    id: int
    coach_id: int
    coach: str
    coachee_id: int
    coachee: str
    held_on: datetime.date
    minutes: int
    mode: str
    protocol_id: int | None
    protocol: str | None
    focus: list[int]
    shared: bool
    notes_shown: bool
    notes: str | None
    next_steps: list[NextStepOut]


class SessionFilters(Schema):
    q: str = Field("", max_length=200)
    coachee: int | None = ID
    mode: Mode | None = None
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")

    @field_validator("q")
    @classmethod
    def _no_null_character(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("The 'q' parameter contains a null character.")
        return value


class NextStepIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)
    owner_id: int = Field(..., ge=1, le=2**31 - 1)
    due_on: datetime.date | None = None


class SessionIn(Schema):
    coachee_id: int = Field(..., ge=1, le=2**31 - 1)
    held_on: datetime.date
    minutes: int = Field(..., ge=1, le=services.MAX_MINUTES)
    mode: Mode
    protocol_id: int | None = Field(None, ge=1, le=2**31 - 1)
    focus: list[int] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=20000)
    next_steps: list[NextStepIn] = Field(default_factory=list, max_length=20)


class NextStepFilters(Schema):
    coachee: int | None = ID
    status: str = Field("open", pattern="^(open|done|all)$")


def _step_out(step: NextStep, coachee_id: int) -> dict[str, Any]:
    return {
        "id": step.pk,
        "session_id": step.session_id,
        "coachee_id": coachee_id,
        "text": step.text,
        "owner_id": step.owner_id,
        "owner": step.owner.full_name,
        "due_on": step.due_on,
        "done_on": step.done_on,
    }


def _session_out(session: CoachingSession, access: selectors.NotesAccess) -> dict[str, Any]:
    shown = access.reads(session)
    return {
        "id": session.pk,
        "coach_id": session.coach_id,
        "coach": session.coach.full_name,
        "coachee_id": session.coachee_id,
        "coachee": session.coachee.full_name,
        "held_on": session.held_on,
        "minutes": session.minutes,
        "mode": session.mode,
        "protocol_id": session.protocol_id,
        "protocol": session.protocol.name if session.protocol else None,
        "focus": [item.pk for item in session.focus.all()],
        "shared": session.is_shared,
        "notes_shown": shown,
        "notes": session.notes if shown else None,
        "next_steps": [_step_out(s, session.coachee_id) for s in session.next_steps.all()],
    }


@router.get("/sessions", response=list[SessionOut])
@api_permission(Action.COACHING_VIEW)
@paginate(Pages, max_limit=500)
def list_coaching_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> Any:
    access = selectors.notes_access(request.user)
    sessions = selectors.session_list(
        request.user,
        query=filters.q,
        coachee_id=filters.coachee,
        mode=filters.mode or "",
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return _MappedQuerySet(sessions, lambda s: _session_out(s, access))


@router.get("/sessions/{session_id}", response={200: SessionOut, 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.COACHING_VIEW)
def get_coaching_session(request: HttpRequest, session_id: int = PK) -> Any:
    session = selectors.session_get(request.user, session_id)
    return _session_out(session, selectors.notes_access(request.user))


@router.post(
    "/sessions",
    response={201: SessionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.COACHING_VIEW)
def log_coaching_session(request: HttpRequest, payload: SessionIn) -> Any:
    coachee = selectors.log_target(request.user, payload.coachee_id)
    coach: Any = request.user.person  # type: ignore[union-attr]
    protocol = None
    if payload.protocol_id is not None:
        protocol = (
            selectors.protocol_choices(coachee.system_id).filter(pk=payload.protocol_id).first()
        )
        if protocol is None:
            raise HttpError(400, "protocol_id: no such protocol in this system's library.")
    choices = {item.pk: item for item in selectors.focus_choices(request.user, coachee)}
    wrong = [pk for pk in payload.focus if pk not in choices]
    if wrong:
        raise HttpError(
            400, f"focus: {wrong} are not competencies of the framework used for this person."
        )
    owners = {coach.pk: coach, coachee.pk: coachee}
    steps = []
    for n, step in enumerate(payload.next_steps):
        owner = owners.get(step.owner_id)
        if owner is None:
            raise HttpError(
                400,
                f"next_steps[{n}].owner_id: a next step's owner must take part in the session "
                f"({coach.pk} or {coachee.pk}).",
            )
        steps.append(services.NextStepIn(text=step.text, owner=owner, due_on=step.due_on))
    try:
        session = services.session_log(
            actor=request.user,
            coachee=coachee,
            held_on=payload.held_on,
            minutes=payload.minutes,
            mode=payload.mode,
            protocol=protocol,
            focus=[choices[pk] for pk in payload.focus],
            notes=payload.notes,
            next_steps=steps,
        )
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from None
    session = selectors.session_get(request.user, session.pk)
    return Status(201, _session_out(session, selectors.notes_access(request.user)))


@router.get("/next-steps", response=list[NextStepOut])
@api_permission(Action.COACHING_VIEW)
@paginate(Pages, max_limit=500)
def list_next_steps(request: HttpRequest, filters: Query[NextStepFilters]) -> Any:
    steps = selectors.next_step_list(
        request.user, coachee_id=filters.coachee, status=filters.status
    )
    return _MappedQuerySet(steps, lambda s: _step_out(s, s.session.coachee_id))
