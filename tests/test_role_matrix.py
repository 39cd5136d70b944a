from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import World
from tests.matrix import CASES, Case, row_counts
from trellis.api.api import api

WHO = ["right", "wrong", "outsider", "anonymous"]


def _request(world: World, case: Case, key: str | None):  # type: ignore[no-untyped-def]
    client = world.client(key)
    url = case.url(world)
    if case.method == "POST":
        return client.post(url, case.data(world) if case.data else {})
    return client.get(url)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_role_matrix(world: World, case: Case, who: str) -> None:
    key = None if who == "anonymous" else getattr(case, who)
    before = row_counts()
    response = _request(world, case, key)
    if who == "anonymous":
        if case.api:
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        assert row_counts() == before
        return
    expected = getattr(case, f"{who}_status")
    assert response.status_code == expected, response.content[:500]
    if expected in (403, 404):
        assert row_counts() == before, "a refused request wrote something"
        if not case.api:
            # Refusals render the site's own page, inside the layout.
            assert b'id="main"' in response.content
    if who == "outsider" and case.hidden_from_outsider is not None:
        assert case.hidden_from_outsider(world).encode() not in response.content
    if who == "outsider" and case.method == "POST" and expected == 200:
        assert row_counts() == before, "an outsider's form wrote something"
    if who == "right" and case.method == "POST":
        assert row_counts() != before, "the allowed request changed nothing"


def _route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("accounts/"):
                    continue  # django-allauth's own pages: see test_url_walker
                if route.startswith("api/v1/"):
                    names.add(f"api:{pattern.name}")
                else:
                    names.add(str(pattern.name))

    walk(get_resolver().url_patterns, "")
    return names


# Routes that need no role: public by design (checked by the URL walker).
PUBLIC = {"healthz", "api:openapi-json", "api:openapi-view", "api:api-root"}


def test_every_route_is_in_the_matrix() -> None:
    covered = {case.route for case in CASES}
    missing = _route_names() - covered - PUBLIC
    assert not missing, f"pages or API operations missing from the role matrix: {missing}"


def test_every_api_operation_declares_a_permission() -> None:
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                assert getattr(operation.view_func, "trellis_permission", None), (
                    f"{path} {operation.methods} declares no permission"
                )
