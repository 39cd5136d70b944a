"""Professional learning in the API, under the same rules as the pages: the sessions the caller
may see (their audience, their registrations, what they manage); registering oneself (a seat or
the waiting list, refused outside the session's audience); one's own registrations and
attendance; the learning communities one sees."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator

from trellis.api.auth import api_permission
from trellis.api.paging import ID, Pages, _MappedQuerySet
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.learning import selectors, services
from trellis.learning.models import Community, PDSession, Registration

router = Router(tags=["learning"])
PK = Path(..., ge=1, le=2**31 - 1)


class PDSessionOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_url: str
    capacity: int
    registered: int
    waitlisted: int
    school_id: int | None
    program_id: int | None
    audience: str
    competencies: list[int]
    facilitators: list[int]


class SessionFilters(Schema):
    q: str = Field("", max_length=200)
    when: str = Field("", pattern="^(|upcoming|past)$")
    competency: int | None = ID
    school: int | None = ID
    program: int | None = ID

    @field_validator("q")
    @classmethod
    def _no_null_character(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("The 'q' parameter contains a null character.")
        return value


class RegistrationOut(Schema):
    id: int
    person_id: int
    person: str
    session_id: int
    session: str
    starts_at: datetime.datetime
    status: str
    registered_at: datetime.datetime
    attended: bool
    attended_at: datetime.datetime | None
    # When a seat opened for this registration on the waiting list (null: never waited, or
    # still waiting).
    promoted_at: datetime.datetime | None


class CommunityOut(Schema):
    id: int
    name: str
    kind: str
    school_id: int | None
    facilitator_id: int | None
    members: int
    meetings: int


def _session_out(s: PDSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "description": s.description,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "place": s.place,
        "online_url": s.online_url,
        "capacity": s.capacity,
        "registered": s.confirmed,  # type: ignore[attr-defined]
        "waitlisted": s.waitlisted,  # type: ignore[attr-defined]
        "school_id": s.school_id,
        "program_id": s.program_id,
        "audience": s.audience_label,
        "competencies": [item.pk for item in s.competencies.all()],
        "facilitators": [person.pk for person in s.facilitators.all()],
    }


def _registration_out(r: Registration) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "person": r.person.full_name,
        "session_id": r.session_id,
        "session": r.session.title,
        "starts_at": r.session.starts_at,
        "status": r.status,
        "registered_at": r.registered_at,
        "attended": r.attended_at is not None,
        "attended_at": r.attended_at,
        "promoted_at": r.promoted_at,
    }


@router.get("/learning/sessions", response=list[PDSessionOut])
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def list_pd_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> Any:
    sessions = selectors.session_list(
        request.user,
        query=filters.q,
        when=filters.when,
        competency_id=filters.competency,
        school_id=filters.school,
        program_id=filters.program,
    )
    return _MappedQuerySet(sessions, _session_out)


@router.get("/learning/sessions/{session_id}", response={200: PDSessionOut, 404: ErrorOut})
@api_permission(Action.SIGNED_IN)
def get_pd_session(request: HttpRequest, session_id: int = PK) -> Any:
    return _session_out(selectors.session_get(request.user, session_id))


@router.get(
    "/learning/sessions/{session_id}/registrations",
    response={200: list[RegistrationOut], 404: ErrorOut},
)
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def list_pd_session_registrations(request: HttpRequest, session_id: int = PK) -> Any:
    """A session's registrations: all of them for those who take its attendance (its managers
    and facilitators), else only the caller's own."""
    session = selectors.session_get(request.user, session_id)
    registrations = selectors.session_registrations(request.user, session)
    return _MappedQuerySet(registrations, _registration_out)


@router.post(
    "/learning/sessions/{session_id}/registrations",
    response={201: RegistrationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
@api_permission(Action.SIGNED_IN)
def register_for_pd_session(request: HttpRequest, session_id: int = PK) -> Any:
    """Register oneself: `status` is `confirmed` (a seat) or `waitlisted` (the session is full)."""
    session = selectors.session_get(request.user, session_id)
    user: Any = request.user
    if not user.person_id:
        raise HttpError(403, "Your account has no staff record to register with.")
    try:
        registration = services.registration_create(actor=user, session=session, person=user.person)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    except PermissionDenied as error:
        raise HttpError(403, "You may not register for this session.") from error
    return Status(201, _registration_out(registration))


@router.get("/learning/registrations", response=list[RegistrationOut])
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def list_my_registrations(request: HttpRequest) -> Any:
    """The caller's own registrations (any status) and whether they attended."""
    return _MappedQuerySet(selectors.my_registrations(request.user), _registration_out)


class CommunityFilters(Schema):
    kind: Community.Kind | None = None
    school: int | None = ID


def _community_out(c: Community) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "school_id": c.school_id,
        "facilitator_id": c.facilitator_id,
        "members": c.member_count,  # type: ignore[attr-defined]
        "meetings": c.meeting_count,  # type: ignore[attr-defined]
    }


@router.get("/learning/communities", response=list[CommunityOut])
@api_permission(Action.SIGNED_IN)
@paginate(Pages, max_limit=500)
def list_learning_communities(request: HttpRequest, filters: Query[CommunityFilters]) -> Any:
    return _MappedQuerySet(
        selectors.community_list(request.user, kind=filters.kind or "", school_id=filters.school),
        _community_out,
    )
