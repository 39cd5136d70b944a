"""Every route sends an anonymous visitor to sign in (401 from the API), unless it is on the
explicit public list, and the walker proves each answer came from the route's own view: every
route parameter gets a real id from the World, and each URL must resolve back to its route (a 404
from URL resolution is not a refusal).

The walker also opens every POST-only action (trellis.core.postonly) by GET, as a bookmark or a
reload would: the right role of its role-matrix Case is sent to the page the action belongs to,
an outsider ends on a 404, and neither writes anything."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from tests.conftest import World
from tests.matrix import CASES, Case, row_counts, sql_writes
from trellis.authz.decorators import public
from trellis.authz.middleware import FailClosedMiddleware

# Routes that answer an anonymous visitor on purpose (by route pattern).
PUBLIC_ROUTES = {
    "healthz",
    # Selection: a recommender writes, and an invited member of staff makes their account,
    # through an e-mailed single-use link (the token is the authority; tests/selection).
    "recommend/<str:token>/",
    "selection/invitations/<str:token>/",
    "api/v1/openapi.json",
    "api/v1/docs",
    # django-ninja's root: only a name to reverse; it answers 404 to everyone and serves nothing.
    "api/v1/",
    # django-allauth: signing in, resetting a password and the pages around them.
    "accounts/login/",
    "accounts/logout/",
    "accounts/signup/",
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
    "accounts/password/reset/key/done/",
    "accounts/inactive/",
    "accounts/confirm-email/",
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$",
    "accounts/reauthenticate/",
    "accounts/login/code/confirm/",
    "accounts/2fa/authenticate/",
    # A participant's shared portfolio: an unguessable, revocable link (tests/programs).
    "programs/portfolio/<str:token>/",
}

# Parameters of routes that have no role-matrix Case (every other route takes its parameters
# from its Case's URL): route name -> World -> {parameter: value}.
EXTRA_PARAMS: dict[str, Callable[[World], dict[str, Any]]] = {
    # One path for two operations (a session's registrations: GET and POST); the resolver
    # names it after one of them, so the walker gets its parameter here.
    "api:register_for_pd_session": lambda w: {"session_id": w.learning["oak"]},
    "api:list_pd_session_registrations": lambda w: {"session_id": w.learning["oak"]},
    # Their Cases decide first (a setup), so the walker does not read their URLs.
    "selection_send_letters": lambda w: {"pk": w.selection["cycle"]},
    "selection_enrol": lambda w: {"pk": w.selection["cycle"]},
    # Its Case uploads the file in a setup; an anonymous visitor is refused before any lookup.
    "evidence_file": lambda w: {"pk": w.uncoached_participant_id, "experience_pk": w.experience_id},
    # Its Case records the placement in a setup; an anonymous visitor is refused before any
    # lookup.
    "placement_edit": lambda w: {"pk": w.uncoached_participant_id, "placement_pk": 1},
    # Their Cases create Riverbend's own instrument and its administration in a setup
    # (tests/surveys/cases.py); an anonymous visitor is refused before any lookup.
    "instrument_detail": lambda w: {"pk": 1},
    "administration_new": lambda w: {"pk": 1},
    "administration_detail": lambda w: {"pk": 1},
    "administration_window": lambda w: {"pk": 1},
    "survey_respond": lambda w: {"pk": 1},
    # Their Cases give a session's survey, record a consensus rating or report a number of
    # students in a setup (tests/surveys/cases.py, tests/learning/cases.py); an anonymous
    # visitor is refused before any lookup.
    "session_survey_window": lambda w: {"pk": 1},
    "conditions_consensus_remove": lambda w: {"pk": w.learning["leadership"]},
    "learning_reported_students_remove": lambda w: {"pk": w.learning["plc"]},
    # Their Cases add the template milestone in a setup.
    "milestone_template_edit": lambda w: {"pk": w.program_id, "item_pk": 1},
    "milestone_template_delete": lambda w: {"pk": w.program_id, "item_pk": 1},
    "evaluation_sign_off": lambda w: {"pk": w.coaching["evaluation"]},
    "evaluation_acknowledge": lambda w: {"pk": w.coaching["evaluation"]},
    # It shares its path with api:list_video_comments, which the walker resolves the URL to.
    "api:add_video_comment": lambda w: {"video_id": w.coaching["video"]},
    # Its Cases find the student in a setup (tests/attendance/cases.py).
    "attendance_contact_log": lambda w: {"pk": w.school.pk, "student_pk": 1},
    # Its Case sends the alerts in a setup; an anonymous visitor is refused before any lookup.
    "attendance_alert_acknowledge": lambda w: {"pk": 1},
    # Its Cases need the hand-made month's attendance (a setup): the school is the World's.
    "attendance_calendar_remove": lambda w: {"pk": w.school.pk},
    # The evaluation stages: their Cases walk the stages before them in a setup (pages and
    # API); each API POST shares its path with its stage's GET.
    "evaluation_goals": lambda w: {"pk": w.coaching["evaluation"]},
    "evaluation_midyear": lambda w: {"pk": w.coaching["evaluation"]},
    "evaluation_summative": lambda w: {"pk": w.coaching["evaluation"]},
    # Taking over an evaluation: its Cases make Hal's handed-over evaluation in a setup.
    "evaluation_take_over": lambda w: {"pk": w.coaching["evaluation"]},
    "api:get_evaluation_take_over": lambda w: {"evaluation_id": w.coaching["evaluation"]},
    "api:take_over_evaluation": lambda w: {"evaluation_id": w.coaching["evaluation"]},
    # The paper acknowledgement: its Cases open the evaluatee without an account in a setup.
    "evaluation_acknowledge_on_paper": lambda w: {"pk": w.coaching["evaluation"]},
    "api:get_evaluation_paper_acknowledgement": lambda w: {
        "evaluation_id": w.coaching["evaluation"]
    },
    "api:record_evaluation_paper_acknowledgement": lambda w: {
        "evaluation_id": w.coaching["evaluation"]
    },
    **{
        f"api:{name}": lambda w: {"evaluation_id": w.coaching["evaluation"]}
        for name in (
            "get_evaluation_self_assessment",
            "get_evaluation_goals",
            "get_evaluation_midyear",
            "get_evaluation_summative",
            "get_evaluation_sign_off",
            "get_evaluation_acknowledgement",
            "submit_evaluation_self_assessment",
            "save_evaluation_goals",
            "record_evaluation_midyear",
            "save_evaluation_summative",
            "sign_off_evaluation",
            "acknowledge_evaluation",
        )
    },
    # Its Case (the alerts' API) sends the alerts in a setup, likewise.
    "api:acknowledge_attendance_alert": lambda w: {"alert_id": 1},
    "api:acknowledge_attendance_alert_get": lambda w: {"alert_id": 1},
    # Their Cases add the captions in a setup (tests/coaching/video_cases.py).
    "coaching_video_captions_file": lambda w: {"pk": w.coaching["video"]},
    "coaching_video_transcript": lambda w: {"pk": w.coaching["video"]},
}


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


@dataclass(frozen=True)
class Route:
    pattern: str  # as Django joins it, e.g. "people/<int:pk>/positions/<int:position_pk>/end/"
    name: str  # "position_end"; "api:get_school" for the API's operations
    params: tuple[str, ...]

    @property
    def api(self) -> bool:
        return self.pattern.startswith("api/v1/")


def all_routes(urlconf: Any = None) -> list[Route]:
    routes: list[Route] = []

    def params_of(pattern: Any) -> list[str]:
        if isinstance(pattern.pattern, RoutePattern):  # path("<int:pk>/")
            return list(pattern.pattern.converters)
        return list(pattern.pattern.regex.groupindex)  # re_path("(?P<key>...)")

    def walk(patterns: list, prefix: str, namespace: str, params: list[str]) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    inner,
                    params + params_of(pattern),
                )
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                routes.append(
                    Route(prefix + str(pattern.pattern), name, tuple(params + params_of(pattern)))
                )

    walk(get_resolver(urlconf).url_patterns, "", "", [])
    return routes


def matrix_params(world: World) -> dict[str, dict[str, Any]]:
    """Each route's parameters, read back from the URL its role-matrix Case opens."""
    found: dict[str, dict[str, Any]] = {}
    for case in CASES:
        if case.setup is not None:
            continue  # its URL may name objects that only its setup creates
        try:
            match = resolve(urlsplit(case.url(world)).path)
        except Resolver404:
            continue  # reported below: the route stays unfilled
        if match.view_name == case.route:
            found.setdefault(case.route, dict(match.captured_kwargs))
    return found


def concrete(route: Route, world: World, known: dict[str, dict[str, Any]]) -> str:
    """A URL for the route with real values for all its parameters (ValueError when some
    parameter has none)."""
    if route.name in EXTRA_PARAMS:
        values = EXTRA_PARAMS[route.name](world)
    else:
        values = known.get(route.name, {})
    missing = set(route.params) - set(values)
    if missing:
        raise ValueError(f"no value for {sorted(missing)}")
    return reverse(route.name, kwargs={p: values[p] for p in route.params} or None)


def refused_anonymous(route: Route, responses: dict[str, HttpResponse]) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    if route.api:
        # django-ninja answers 405 to a method the operation does not take, before any view.
        statuses = {r.status_code for r in responses.values()}
        return 401 in statuses and statuses <= {401, 405}
    return all(r.status_code == 302 and r["Location"].startswith(login) for r in responses.values())


def anonymous_failures(world: World, urlconf: Any = None) -> list[str]:
    """Every way a route fails the rule, one line each (empty when all routes keep it)."""
    failures = []
    known = matrix_params(world)
    for route in all_routes(urlconf):
        if route.pattern in PUBLIC_ROUTES:
            continue
        try:
            url = concrete(route, world, known)
        except ValueError as error:
            failures.append(
                f"{route.name} ({route.pattern}): {error}; give it a role-matrix Case "
                "(tests/matrix.py) or an EXTRA_PARAMS entry"
            )
            continue
        try:
            match = resolve(url, urlconf)
        except Resolver404:
            failures.append(f"{route.name}: {url} does not resolve")
            continue
        if match.route != route.pattern:
            failures.append(f"{route.name}: {url} resolves to {match.route}, not its own route")
            continue
        responses = {method: getattr(Client(), method)(url) for method in ("get", "post")}
        if not refused_anonymous(route, responses):
            answers = ", ".join(f"{m.upper()} {r.status_code}" for m, r in responses.items())
            failures.append(f"{route.name}: {url} answered an anonymous visitor: {answers}")
    return failures


def test_every_route_refuses_anonymous_unless_public(world: World) -> None:
    failures = anonymous_failures(world)
    assert not failures, "\n".join(failures)


def test_every_parameter_of_every_route_is_filled(world: World) -> None:
    """No route escapes the walker by having a parameter nobody can fill."""
    known = matrix_params(world)
    for route in all_routes():
        if route.pattern in PUBLIC_ROUTES or not route.params:
            continue
        url = concrete(route, world, known)
        assert resolve(url).route == route.pattern


def test_public_routes_are_real_routes() -> None:
    routes = {route.pattern for route in all_routes()}
    assert PUBLIC_ROUTES - routes == set()


# A planted URLconf: the real one, plus a public view under a parameterised route and a route
# whose parameter the World cannot fill. The walker must report both.
@public
def planted_public(request: HttpRequest, cohort_pk: int) -> HttpResponse:
    return HttpResponse("a cohort, open to all")


def planted_refusing(request: HttpRequest, cohort_pk: int) -> HttpResponse:
    return HttpResponse(status=404)


class PlantedUrls:
    urlpatterns = [
        path("", include("trellis.urls")),
        path("cohorts/<int:cohort_pk>/", planted_public, name="cohort_public"),
        path("cohorts/<int:cohort_pk>/members/", public(planted_refusing), name="cohort_members"),
    ]
    handler404 = "trellis.core.views.error_404"


def test_the_walker_is_not_fooled_by_a_public_view_under_a_parameter(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with override_settings(ROOT_URLCONF=PlantedUrls):
        failures = anonymous_failures(world)
        assert any(f.startswith("cohort_public (cohorts/<int:cohort_pk>/)") for f in failures)
        # Once the parameter is filled, the public answer itself is caught...
        monkeypatch.setitem(EXTRA_PARAMS, "cohort_public", lambda w: {"cohort_pk": 1})
        monkeypatch.setitem(EXTRA_PARAMS, "cohort_members", lambda w: {"cohort_pk": 1})
        failures = anonymous_failures(world)
    assert any(f.startswith("cohort_public: /cohorts/1/ answered") for f in failures), failures
    # ...and a 404 is not a refusal.
    assert any(f.startswith("cohort_members: /cohorts/1/members/ answered") for f in failures)
    assert len(failures) == 2, failures


def undeclared(request):  # type: ignore[no-untyped-def]
    return HttpResponse("should never be served")


def test_a_view_without_a_declared_permission_fails_closed(rf) -> None:  # type: ignore[no-untyped-def]
    request = rf.get("/undeclared/")
    request.resolver_match = type("Match", (), {"route": "undeclared/"})()
    middleware = FailClosedMiddleware(lambda r: HttpResponse())
    with pytest.raises(ImproperlyConfigured, match="declares no permission"):
        middleware.process_view(request, undeclared, (), {})


def test_route_parameters_are_read_from_every_kind_of_pattern() -> None:
    params = {route.name: route.params for route in all_routes()}
    assert params["position_end"] == ("pk", "position_pk")
    assert params["item_move"] == ("pk", "number", "item_pk")
    assert params["api:get_school"] == ("school_id",)
    assert params["account_reset_password_from_key"] == ("uidb36", "key")
    assert re.fullmatch(r"/people/\d+/positions/\d+/end/", reverse("position_end", args=[1, 2]))


# POST-only actions opened by GET -----------------------------------------------------------


@dataclass(frozen=True)
class ActionPage:
    """Where a GET of a POST-only action leads its Case's right role, and what its Case's
    outsider finally gets (after any redirect): the POST's 404, or, for an action on no object
    (a system-wide setting), their own page like everyone's."""

    page: Callable[[World], str]
    outsider: int = 404


def _application(w: World) -> str:
    return f"/selection/applications/{w.selection['application']}/"


POST_ONLY_PAGES: dict[str, ActionPage] = {
    "rating_withdraw": ActionPage(lambda w: f"/rounds/{w.round_id}/"),
    "learning_session_register": ActionPage(lambda w: f"/learning/sessions/{w.learning['oak']}/"),
    "learning_session_code": ActionPage(
        lambda w: f"/learning/sessions/{w.learning['today']}/attendance/"
    ),
    "selection_request_again": ActionPage(_application),
    "selection_screen": ActionPage(_application),
    "selection_interview": ActionPage(_application),
    "selection_decide": ActionPage(_application),
    "selection_interview_advance": ActionPage(_application),
    "selection_consensus": ActionPage(_application),
    "portfolio_link_create": ActionPage(lambda w: f"/programs/participants/{w.participant_id}/"),
    "portfolio_link_revoke": ActionPage(lambda w: f"/programs/participants/{w.participant_id}/"),
    "program_team_end": ActionPage(lambda w: f"/programs/{w.program_id}/"),
    "version_new_draft": ActionPage(lambda w: f"/frameworks/{w.framework_id}/"),
    "item_move": ActionPage(lambda w: f"/frameworks/{w.draft_framework_id}/?version=1"),
    "import_commit": ActionPage(lambda w: f"/imports/{w.import_run_id}/"),
    "import_rerun": ActionPage(lambda w: f"/imports/{w.import_run_id}/"),
    "import_discard": ActionPage(lambda w: f"/imports/{w.import_run_id}/"),
    "position_end": ActionPage(lambda w: f"/people/{w.colleague.pk}/"),
    "position_end_reason": ActionPage(lambda w: f"/people/{w.colleague.pk}/"),
    "api_token_revoke": ActionPage(lambda w: "/account/"),
    "grant_end": ActionPage(lambda w: "/access/"),
    # A system's caseload target: no object to be outside of.
    "caseload_target": ActionPage(lambda w: "/assignments/caseloads/", outsider=200),
    # Everyone's own alerts page, with no lookup: the outsider lands on theirs (none of these).
    "attendance_alert_acknowledge": ActionPage(lambda w: "/attendance/alerts/", outsider=200),
}

# Apps whose POST-only actions are not listed above yet: their role-matrix Cases hold a GET of
# each to its redirect (get_status=302), and they were being changed on other branches when this
# list was written. Add their actions here and drop the app from this tuple.
NOT_LISTED_YET = ("trellis.coaching.", "trellis.evaluations.")


def post_only_routes() -> dict[str, str]:
    """Route name -> the view's module, for every view wrapped in trellis.core.postonly."""
    found = {}
    for pattern, view in _views():
        if getattr(view, "trellis_post_only", False):
            found[pattern] = view.__module__
    return found


def _views() -> list[tuple[str, Any]]:
    result: list[tuple[str, Any]] = []

    def walk(patterns: list) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                result.append((pattern.name, pattern.callback))

    walk(get_resolver().url_patterns)
    return result


def post_only_cases() -> list[Any]:
    return [
        pytest.param(case, id=case.id)
        for case in CASES
        if case.route in POST_ONLY_PAGES and case.method == "POST" and not case.api
    ]


def test_every_post_only_action_is_walked() -> None:
    """Each action wrapped in post_only has its page here, and each one here is wrapped."""
    routes = post_only_routes()
    listed = {name for name, module in routes.items() if not module.startswith(NOT_LISTED_YET)}
    assert listed == set(POST_ONLY_PAGES), (
        f"not listed in POST_ONLY_PAGES: {sorted(listed - set(POST_ONLY_PAGES))}; "
        f"listed but not POST-only: {sorted(set(POST_ONLY_PAGES) - listed)}"
    )
    assert {case.values[0].route for case in post_only_cases()} == set(POST_ONLY_PAGES)


@pytest.mark.parametrize("case", post_only_cases())
def test_a_get_of_a_post_only_action_goes_to_its_page(world: World, case: Case) -> None:
    """A bookmarked or reloaded action URL: the right role is sent to the page the action
    belongs to (which opens for them), the outsider ends on the POST's 404, and neither GET
    writes anything."""
    if case.setup is not None:
        case.setup(world)
    url = case.url(world)  # it may create what it names: before the watch starts
    expected = POST_ONLY_PAGES[case.route]
    right, outsider = world.client(case.right), world.client(case.outsider)
    before = row_counts()
    with sql_writes() as writes:
        response = right.get(url)
        followed = outsider.get(url, follow=True)
    assert not writes and row_counts() == before, writes
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"] == expected.page(world)
    assert right.get(response["Location"]).status_code == 200
    assert followed.status_code == expected.outsider, (url, followed.redirect_chain)
