"""Item 13: every filter parameter of every API list operation refuses a value that the
matching page refuses (422 with the parameter named), instead of ignoring it and returning rows."""

from __future__ import annotations

import pytest

from tests.conftest import World

pytestmark = pytest.mark.django_db

BAD = [
    ("status", "zzz"),
    ("status", "ACTIVE"),
    ("q", "x" * 201),
    ("q", "smith\x00"),
    ("network", "abc"),
    ("network", "0"),
    ("network", str(2**31)),
    ("limit", "0"),
    ("limit", "501"),
    ("offset", "-1"),
]
PEOPLE_ONLY = [("school", "abc"), ("school", "-1"), ("kind", "wizard")]
SCHOOLS_ONLY = [("level", "university")]


@pytest.mark.parametrize(
    ("operation", "name", "value"),
    [("schools", n, v) for n, v in BAD + SCHOOLS_ONLY]
    + [("people", n, v) for n, v in BAD + PEOPLE_ONLY],
)
def test_item13_api_refuses_a_bad_filter_value(
    world: World, operation: str, name: str, value: str
) -> None:
    response = world.client("leader").get(f"/api/v1/{operation}", {name: value})
    assert response.status_code == 422, response.content[:300]
    assert name in response.content.decode()


@pytest.mark.parametrize("operation", ["schools", "people"])
def test_item13_api_status_filter_takes_the_pages_values(world: World, operation: str) -> None:
    client = world.client("leader")

    def ids(**params: str) -> set[int]:
        # /people has no exact count (item 29): the World's rows fit on one page of 500.
        answer = client.get(f"/api/v1/{operation}", {"limit": "500", **params}).json()
        assert answer.get("next") is None
        return {item["id"] for item in answer["items"]}

    found = {status: ids(status=status) for status in ("active", "inactive", "all")}
    assert found["all"] == found["active"] | found["inactive"]
    assert not found["active"] & found["inactive"]
    assert ids() == found["active"]
    # The pages treat an empty value as the default; so does the API.
    assert ids(status="") == found["active"]
    # And the pages refuse what the API refuses.
    page = "/schools/" if operation == "schools" else "/people/"
    assert client.get(page, {"status": "zzz"}).status_code == 400
