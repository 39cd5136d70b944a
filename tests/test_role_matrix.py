"""The role matrix: every Case of tests/matrix.py, as probes (the Case itself, the GET of a form,
its exports, its relationship check) asked by the right role, a wrong role, an outsider and an
anonymous visitor. A refusal writes nothing (row counts and write statements) and sends nothing
(django.core.mail.outbox); the right role's POST writes."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from openpyxl import load_workbook

from tests.conftest import World
from tests.matrix import CASES, Case, row_counts, sql_writes
from trellis.api.api import api
from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.exports import export_response
from trellis.orgs.models import School

WHO = ["right", "wrong", "outsider", "anonymous"]
REFUSED = (401, 403, 404, 405)
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Probe:
    case: Case
    kind: str  # "main", "get" (a form's page), "csv"/"xlsx" (an export), "unrelated"
    who: str

    @property
    def id(self) -> str:
        return f"{self.case.id} {self.kind} {self.who}"

    def __repr__(self) -> str:
        return self.id

    @property
    def method(self) -> str:
        return self.case.method if self.kind in ("main", "unrelated") else "GET"

    def url(self, world: World) -> str:
        case = self.case
        if self.kind == "unrelated":
            return (case.unrelated_url or case.url)(world)
        url = case.url(world)
        if self.kind in CONTENT_TYPES:
            url += ("&" if "?" in url else "?") + f"format={self.kind}"
        return url

    def user(self) -> str | None:
        if self.who == "anonymous":
            return None
        if self.kind == "unrelated":
            return self.case.unrelated or self.case.right
        return str(getattr(self.case, self.who))

    def expected(self) -> tuple[int, ...]:
        case = self.case
        if self.kind == "unrelated":
            return (case.unrelated_status,)
        if self.kind == "get":
            if case.get_status == 302:
                # A POST-only action whose GET goes to the page it belongs to: the same redirect
                # for everyone signed in, with no lookup (trellis.core.postonly); that page
                # checks who reads it. Where the view's role check comes first, a role that does
                # not hold the action at all is refused before (`wrong_get_status`); where the
                # page is found from the object, the POST's lookup refuses first
                # (`wrong_get_status`, `outsider_get_status`).
                if self.who == "wrong" and case.wrong_get_status is not None:
                    return (case.wrong_get_status,)
                if self.who == "outsider" and case.outsider_get_status is not None:
                    return (case.outsider_get_status,)
                return (302,)
            if self.who == "right":
                if case.get_status is not None:
                    return (case.get_status,)
                # A page's bare 405 only where its Case says so: a POST-only action otherwise
                # sends a GET to its page (get_status=302). The API answers a method an
                # operation does not take with its JSON 405 (its clients are programs).
                return (200, 405) if case.api else (200,)
            if self.who == "wrong":
                status = (
                    case.wrong_status if case.wrong_get_status is None else case.wrong_get_status
                )
            else:
                status = (
                    case.outsider_status
                    if case.outsider_get_status is None
                    else case.outsider_get_status
                )
            # A POST-only action answers 405 to a GET once the permission check has passed.
            return (status,) if case.get_status == 200 else (status, 405)
        if self.kind in CONTENT_TYPES and self.who == "right":
            return (200,)
        return (getattr(case, f"{self.who}_status"),)


def probes() -> list[Any]:
    result = []
    seen: dict[str, int] = {}
    for case in CASES:
        kinds = ["main"]
        if case.method == "POST":
            kinds.append("get")
        kinds += list(case.exports)
        found = [Probe(case, kind, who) for kind in kinds for who in WHO]
        if case.has_relationship_probe:
            found.append(Probe(case, "unrelated", "right"))
        known = dict(case.xfail)
        for probe in found:
            reason = known.pop(f"{probe.kind} {probe.who}", None)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            # Several Cases may share a route and method (one per relationship, say): number them.
            ident = probe.id
            seen[ident] = seen.get(ident, 0) + 1
            if seen[ident] > 1:
                ident += f" #{seen[ident]}"
            result.append(pytest.param(probe, marks=marks, id=ident))
        assert not known, f"{case.id}: xfail names no probe: {list(known)}"
    return result


def text_of(response: HttpResponseBase) -> str:
    """What the user reads in a response: the page, or every cell of a CSV or XLSX export."""
    content = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]
        if response.streaming
        else response.content
    )
    kind = response.get("Content-Type", "")
    if kind.startswith(CONTENT_TYPES["xlsx"]):
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if kind.startswith(CONTENT_TYPES["csv"]):
        return "\n".join("\t".join(row) for row in csv.reader(io.StringIO(content.decode())))
    return content.decode(errors="replace")


def ask(
    client: Client, method: str, url: str, data: dict[str, Any], *, api: bool = False
) -> HttpResponseBase:
    if method == "POST" and api:
        # The API's operations take JSON bodies.
        return client.post(url, data, content_type="application/json")
    return client.post(url, data) if method == "POST" else client.get(url)


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def check(world: World, probe: Probe) -> list[str]:
    """Ask the probe's request and return what is wrong with the answer (empty when right)."""
    case = probe.case
    if case.setup is not None:
        case.setup(world)
    # Signing in, and a Case's URL and data (which may create what they name), write: all of it
    # happens before the watch starts.
    client = world.client(probe.user())
    url = probe.url(world)
    data = case.data(world) if case.data and probe.method == "POST" else {}
    before = row_counts()
    mail.outbox.clear()
    with sql_writes() as writes:
        response = ask(client, probe.method, url, data, api=case.api)
        text = text_of(response)
    wrote = row_counts() != before or bool(writes)
    detail = f"{probe.method} {url} as {probe.user()}"
    status = response.status_code
    if probe.who == "anonymous":
        problems = []
        if case.api and status != 401:
            problems.append(f"{detail}: {status}, expected 401")
        login = resolve_url(settings.LOGIN_URL)
        if not case.api and not (status == 302 and response["Location"].startswith(login)):
            problems.append(f"{detail}: {status}, expected a redirect to sign in")
        if wrote:
            problems.append(f"{detail}: an anonymous request wrote {writes or 'rows'}")
        if mail.outbox:
            problems.append(f"{detail}: an anonymous request sent mail")
        return problems
    problems = []
    if status not in probe.expected():
        problems.append(f"{detail}: {status}, expected {probe.expected()}")
    if probe.kind == "main" and case.method == "POST":
        if probe.who == "right" and case.writes:
            if row_counts() == before:
                problems.append(f"{detail}: the allowed POST wrote nothing")
            return problems
        if case.own_record and status not in REFUSED:
            wrote = False  # they acted on their own record (checked by hidden_from_outsider)
    # Everything else is a read or a refusal: it writes nothing and sends nothing.
    if wrote and case.audited_read and status == 200 and probe.method == "GET":
        # An audited read of student records: its one audit event, and nothing else.
        after = row_counts()
        audits = after.pop("core.AuditEvent") - before.pop("core.AuditEvent")
        others = [sql for sql in writes if "core_auditevent" not in sql]
        wrote = audits != 1 or after != before or bool(others)
    if wrote:
        problems.append(f"{detail} wrote {writes or 'rows'}")
    if mail.outbox:
        problems.append(f"{detail} sent mail")
    if status in REFUSED and status != 405 and not case.api and 'id="main"' not in text:
        problems.append(f"{detail}: the refusal is not the site's own page")
    content_type = response.get("Content-Type", "")
    if (
        probe.kind in CONTENT_TYPES
        and status == 200
        and not content_type.startswith(CONTENT_TYPES[probe.kind])
    ):
        problems.append(f"{detail}: not a {probe.kind} file")
    if case.hidden_from_outsider is not None and status == 200:
        hidden = case.hidden_from_outsider(world)
        if probe.who == "outsider" and hidden in text:
            problems.append(f"{detail}: the outsider sees {hidden!r}")
        # The check above means something only if the text is there for the right role.
        if probe.who == "right" and probe.kind != "get" and hidden not in text:
            problems.append(f"{detail}: the right role does not see {hidden!r}")
    return problems


@pytest.mark.parametrize("probe", probes())
def test_role_matrix(world: World, probe: Probe) -> None:
    problems = check(world, probe)
    assert not problems, "\n".join(problems)


def _routes() -> list[tuple[str, str]]:
    """(route pattern, name) of every route; API operations are named `api:<name>`."""
    routes: list[tuple[str, str]] = []

    def walk(patterns: list, prefix: str) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("accounts/"):
                    continue  # django-allauth's own pages: see test_url_walker
                name = f"api:{pattern.name}" if route.startswith("api/v1/") else str(pattern.name)
                routes.append((route, name))

    walk(get_resolver().url_patterns, "")
    return routes


def _route_names() -> set[str]:
    return {name for _route, name in _routes()}


# Routes that need no role: public by design (checked by the URL walker).
PUBLIC = {
    "healthz",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    # Reached through an e-mailed single-use link, without an account (tests/selection).
    "selection_recommend",
    "selection_invitation",
    # A participant's shared portfolio: anyone with the unguessable link, until it is revoked
    # (tests/programs/test_pages.py).
    "portfolio_public",
}


def test_every_route_is_in_the_matrix() -> None:
    covered = {case.route for case in CASES}
    missing = _route_names() - covered - PUBLIC
    assert not missing, f"pages or API operations missing from the role matrix: {missing}"


_POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>", re.IGNORECASE)
_ACTION = re.compile(r"\baction=\"([^\"]*)\"")


def test_every_form_and_export_a_page_offers_has_its_probe(world: World) -> None:
    """A page that posts a form to its own route needs a POST Case for that route; a page that
    links to `?format=csv` or `?format=xlsx` of itself needs `exports` on its Case."""
    post_routes = {case.route for case in CASES if case.method == "POST"}
    problems = []
    for case in CASES:
        if case.method != "GET" or case.api or case.right_status != 200:
            continue
        if case.setup is not None:
            case.setup(world)
        url = case.url(world)
        response = world.client(case.right).get(url)
        if response.status_code != 200 or response.streaming:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        path = url.split("?")[0]
        for form in _POST_FORM.findall(html):
            action = _ACTION.search(form)
            target = action.group(1).split("?")[0] if action else path
            if target in ("", path) and case.route not in post_routes:
                problems.append(f"{case.id}: posts a form to itself but has no POST Case")
        for fmt in CONTENT_TYPES:
            if f"format={fmt}" in html and fmt not in case.exports:
                problems.append(f"{case.id}: offers ?format={fmt} but its Case has no exports")
    assert not problems, "\n".join(problems)


def test_every_api_operation_declares_a_permission() -> None:
    for _prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                assert getattr(operation.view_func, "trellis_permission", None), (
                    f"{route} {operation.methods} declares no permission"
                )


# The harness is not fooled: planted views that misbehave only in ways the status code does not
# show (an UPDATE on denial, mail on denial, an export that ignores the viewer) are reported.
@permission(Action.SIGNED_IN)
def planted_update_then_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    School.objects.filter(pk=pk).update(name=F("name"))  # a write that leaves row counts equal
    raise PermissionDenied


@permission(Action.SIGNED_IN)
def planted_mail_then_refuse(request: HttpRequest) -> HttpResponse:
    send_mail("Planted", "Sent on a refusal.", None, ["someone@example.org"])
    raise PermissionDenied


@permission(Action.SIGNED_IN)
def planted_export_of_everything(request: HttpRequest) -> HttpResponseBase:
    names = [[school.name] for school in School.objects.order_by("pk")]
    if request.GET.get("format") == "csv":
        return export_response(fmt="csv", filename="schools", headers=["School"], rows=names)
    return HttpResponse("<main id='main'>Schools</main>")


class PlantedUrls:
    urlpatterns = [
        path("", include("trellis.urls")),
        path("planted/update/<int:pk>/", planted_update_then_refuse, name="planted_update"),
        path("planted/mail/", planted_mail_then_refuse, name="planted_mail"),
        path("planted/export/", planted_export_of_everything, name="planted_export"),
    ]
    handler403 = "trellis.core.views.error_403"
    handler404 = "trellis.core.views.error_404"


PLANTED = {
    "update": Case(
        "planted_update",
        lambda w: f"/planted/update/{w.school.pk}/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
    ),
    "mail": Case(
        "planted_mail", lambda w: "/planted/mail/", "admin", "leader", "admin_b", method="POST"
    ),
    "export": Case(
        "planted_export",
        lambda w: "/planted/export/",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        exports=("csv",),
    ),
}


@pytest.mark.parametrize(
    ("case", "kind", "who", "reported"),
    [
        ("update", "main", "wrong", "wrote ['UPDATE"),
        ("update", "get", "outsider", "wrote ['UPDATE"),
        ("mail", "main", "outsider", "sent mail"),
        ("export", "csv", "outsider", "the outsider sees 'Oak Hill Elementary'"),
    ],
)
def test_the_matrix_is_not_fooled(
    world: World, case: str, kind: str, who: str, reported: str
) -> None:
    with override_settings(ROOT_URLCONF=PlantedUrls):
        problems = check(world, Probe(PLANTED[case], kind, who))
    assert any(reported in problem for problem in problems), problems
