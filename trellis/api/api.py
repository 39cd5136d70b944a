"""The JSON API under /api/v1/. Every operation declares its permission with @api_permission."""

from typing import Any, Literal

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Query, Schema, Swagger
from ninja.pagination import paginate
from ninja.security import django_auth
from pydantic import field_validator

from trellis.api.attendance import router as attendance_router
from trellis.api.auth import TokenAuth, api_permission
from trellis.api.coaching import router as coaching_router
from trellis.api.coaching_support import assignments_router
from trellis.api.coaching_support import router as coaching_support_router
from trellis.api.coaching_video import router as coaching_video_router
from trellis.api.evaluations import router as evaluations_router
from trellis.api.learning import router as learning_router
from trellis.api.paging import ID, NextPages, Pages, _MappedQuerySet
from trellis.api.programs import router as programs_router
from trellis.api.schemas import ErrorOut, MeOut, PersonOut, SchoolOut
from trellis.api.selection import router as selection_router
from trellis.api.surveys import router as surveys_router
from trellis.authz.policies import roles_of
from trellis.authz.roles import Action
from trellis.core.panels import Figure, figures_for
from trellis.core.refusals import Refused
from trellis.orgs import selectors as org_selectors
from trellis.orgs.models import School
from trellis.people import selectors as people_selectors
from trellis.people.models import Person, Position, PositionKind

api = NinjaAPI(
    title="Trellis API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url="/docs",
    # Swagger UI from django-ninja's own static files (ninja is an installed app), so the docs
    # work offline and no third party runs script on Trellis's origin; no validator badge either
    # (it would send the schema to validator.swagger.io).
    # No deep links: Swagger UI puts each operation's path link inside its summary button (axe:
    # nested-interactive).
    docs=Swagger(settings={"validatorUrl": None, "deepLinking": False}),
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) if isinstance(exc, Refused) else "Your roles do not allow this."
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(BadRequest)
def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


def _school_out(school: School, figures: list[Figure]) -> dict[str, Any]:
    # The same suppressed counts as the school list (complementary suppression included).
    counts = {figure.name: figure.get(school.pk) for figure in figures}
    staff, students = counts["current_staff"], counts["students_enrolled"]
    return {
        "id": school.pk,
        "name": school.name,
        "system": school.system.code,
        "network": school.network.name if school.network else None,
        "level": school.level,
        "identifier": school.identifier,
        "sourced_id": school.sourced_id,
        "is_active": school.is_active,
        "current_staff": staff.shown,
        "students_enrolled": students.shown,
        "suppressed": [
            name
            for name, count in (("current_staff", staff), ("students_enrolled", students))
            if count.suppressed
        ],
    }


def _position_out(position: Position) -> dict[str, Any]:
    return {
        "kind": position.kind,
        "title": position.title,
        "school_id": position.school_id,
        "school": position.school.name if position.school else None,
        "network": position.network.name if position.network else None,
        "external_organisation": position.external_organisation,
        "starts_on": position.starts_on,
        "ends_on": position.ends_on,
    }


def _person_out(person: Person, positions: list[Position]) -> dict[str, Any]:
    return {
        "id": person.pk,
        "system": person.system.code,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "preferred_name": person.preferred_name,
        "email": person.email,
        "identifier": person.identifier,
        "sourced_id": person.sourced_id,
        "is_active": person.is_active,
        "current_positions": [_position_out(p) for p in positions],
    }


class ListFilters(Schema):
    """The filters every list shares, refused (422) where the matching page answers 400."""

    q: str = Field("", max_length=200)
    status: Literal["active", "inactive", "all"] = "active"

    @field_validator("q")
    @classmethod
    def _no_null_character(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("The 'q' parameter contains a null character.")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _empty_status_is_active(cls, value: Any) -> Any:
        # As on the pages, `?status=` is the default; any other value must be one of the three.
        return value or "active"


class SchoolFilters(ListFilters):
    network: int | None = ID
    level: School.Level | None = None


class PeopleFilters(ListFilters):
    school: int | None = ID
    network: int | None = ID
    kind: PositionKind | None = None


@api.get("/me", response=MeOut, tags=["accounts"])
@api_permission(Action.SIGNED_IN)
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {"email": user.email, "person_id": user.person_id, "roles": sorted(roles_of(user))}


@api.get("/schools", response=list[SchoolOut], tags=["schools"])
@api_permission(Action.SCHOOLS_VIEW)
@paginate(Pages, max_limit=500)
def list_schools(request: HttpRequest, filters: Query[SchoolFilters]) -> Any:
    schools = org_selectors.school_list(
        request.user,
        query=filters.q[:200],
        network_id=filters.network,
        level=filters.level or "",
        status=filters.status,
    )
    figures = figures_for("school", request.user)

    def load(page: list[School]) -> None:
        for figure in figures:
            figure.load(school.pk for school in page)

    return _MappedQuerySet(schools, lambda school: _school_out(school, figures), prepare=load)


@api.get(
    "/schools/{school_id}",
    response={200: SchoolOut, 403: ErrorOut, 404: ErrorOut},
    tags=["schools"],
)
@api_permission(Action.SCHOOLS_VIEW)
def get_school(request: HttpRequest, school_id: int = Path(..., ge=1, le=2**31 - 1)) -> Any:
    school = org_selectors.school_get(request.user, school_id)
    figures = figures_for("school", request.user)
    for figure in figures:
        figure.load([school.pk])
    return _school_out(school, figures)


@api.get("/people", response=list[PersonOut], tags=["people"])
@api_permission(Action.PEOPLE_VIEW)
@paginate(NextPages, max_limit=500)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> Any:
    people = people_selectors.people_list(
        request.user,
        query=filters.q[:200],
        school_id=filters.school,
        network_id=filters.network,
        kind=filters.kind or "",
        status=filters.status,
    )
    return _MappedQuerySet(people, lambda p: _person_out(p, p.current_positions))


@api.get(
    "/people/{person_id}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut}, tags=["people"]
)
@api_permission(Action.PEOPLE_VIEW)
def get_person(request: HttpRequest, person_id: int = Path(..., ge=1, le=2**31 - 1)) -> Any:
    person = people_selectors.person_get(request.user, person_id)
    record = people_selectors.person_record(person)
    return _person_out(person, record["current"])


# Programs, cohorts, participants and placements (issue 9).
api.add_router("/", programs_router)
# Selection: a cycle's applications, for its committee.
api.add_router("/selection", selection_router)
api.add_router("/", attendance_router)
# Coaching sessions and next steps (issue 10).
api.add_router("/coaching", coaching_router)
# Evaluation cycles (issue 10): the evaluator chain's and the evaluatee's.
api.add_router("/evaluations", evaluations_router)
# Videos of practice and their time-stamped comments (issue 10).
api.add_router("/coaching", coaching_video_router)
# The impact report (issue 11).
api.add_router("/", surveys_router)
# Classroom visits, instructional-leadership time, coaching dosage and assignments (issue 10).

api.add_router("/coaching", coaching_support_router)
api.add_router("/", assignments_router)
# Professional learning: PD sessions, registrations, communities (issue 11).
api.add_router("/", learning_router)
