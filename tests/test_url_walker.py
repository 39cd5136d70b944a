"""Every route refuses an anonymous visitor, unless it is on the explicit public list."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import World
from trellis.authz.middleware import FailClosedMiddleware

# Routes that answer an anonymous visitor on purpose (by route pattern).
PUBLIC_ROUTES = {
    "healthz",
    "api/v1/openapi.json",
    "api/v1/docs",
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
}


def all_routes() -> list[str]:
    routes: list[str] = []

    def walk(patterns: list, prefix: str) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return routes


def concrete(route: str, world: World) -> str:
    """A URL for the route, with real ids from the world so that views get that far."""
    values = {
        "pk": world.colleague.pk,
        "position_pk": world.colleague.positions.first().pk,
        "school_id": world.school.pk,
        "person_id": world.colleague.pk,
    }
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), "x1")), route)
    return "/" + url.lstrip("^").rstrip("$")


@pytest.mark.django_db
def test_every_route_refuses_anonymous_unless_public(world: World) -> None:
    answered = []
    for route in all_routes():
        if route in PUBLIC_ROUTES:
            continue
        url = concrete(route, world)
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            refused = response.status_code in (401, 403, 404, 405) or (
                response.status_code == 302 and response["Location"].startswith("/accounts/login/")
            )
            if not refused:
                answered.append(f"{method.upper()} {url} -> {response.status_code}")
    assert not answered, "routes that answered an anonymous request:\n" + "\n".join(answered)


@pytest.mark.django_db
def test_public_routes_are_real_routes() -> None:
    routes = set(all_routes())
    assert PUBLIC_ROUTES - routes == set()


def undeclared(request):  # type: ignore[no-untyped-def]
    return HttpResponse("should never be served")


def test_a_view_without_a_declared_permission_fails_closed(rf) -> None:  # type: ignore[no-untyped-def]
    request = rf.get("/undeclared/")
    request.resolver_match = type("Match", (), {"route": "undeclared/"})()
    middleware = FailClosedMiddleware(lambda r: HttpResponse())
    with pytest.raises(ImproperlyConfigured, match="declares no permission"):
        middleware.process_view(request, undeclared, (), {})
