"""A network's "this morning" page, linked from the system's, for whoever's scope holds the
network; its query count does not grow with the network's schools."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.attendance.world import add_attendance, more_schools
from tests.conftest import START, World
from trellis.authz.roles import Role
from trellis.authz.services import grant_create
from trellis.orgs.services import school_create

DAY = "2026-09-30"


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def test_the_system_page_links_each_network_and_the_network_page_shows_its_schools(
    w: World,
) -> None:
    client = w.client("admin")
    system = client.get(f"/attendance/?date={DAY}").content.decode()
    link = f'href="/attendance/networks/{w.network.pk}/?date={DAY}"'
    assert link in system and "By network:" in system
    html = client.get(f"/attendance/networks/{w.network.pk}/?date={DAY}").content.decode()
    assert "This morning in North Cluster" in html
    assert "Oak Hill Elementary" in html and "Pine Ridge Middle" not in html
    assert "33.3%" in html  # Oak Hill's 2 of 6, exact for the administrator
    csv = b"".join(
        client.get(f"/attendance/networks/{w.network.pk}/?date={DAY}&format=csv").streaming_content
    )
    assert b"Oak Hill Elementary" in csv and b"Pine Ridge" not in csv
    # The analyst sees it suppressed; the principal's page has no network links.
    analyst = w.client("analyst").get(f"/attendance/networks/{w.network.pk}/?date={DAY}")
    assert analyst.status_code == 200 and "fewer than 5" in analyst.content.decode()
    assert (
        "By network:" not in w.client("principal").get(f"/attendance/?date={DAY}").content.decode()
    )


def test_who_may_open_a_networks_morning(w: World) -> None:
    from trellis.assignments.services import assignment_create
    from trellis.authz.roles import Relationship
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add

    url = f"/attendance/networks/{w.network.pk}/?date={DAY}"
    # The supervisor is granted the North Cluster: a supervisor's schools are their network's
    # and their caseload's (docs/decisions.md, 2026-11-30), so they see every school of it.
    school_create(actor=None, system=w.system, name="Elm Street", network=w.network)
    supervisor = w.client("supervisor").get(url)
    assert supervisor.status_code == 200
    html = supervisor.content.decode()
    assert "Oak Hill Elementary" in html and "Elm Street" in html
    assert "Only the schools of North Cluster" not in html
    # Sam does not see the South Cluster: not found.
    south = f"/attendance/networks/{w.other_network.pk}/?date={DAY}"
    assert w.client("supervisor").get(south).status_code == 404
    # Given a coach's grant on the system too, Sam sees the South Cluster but none of its
    # schools' attendance (the coach's role reads none): forbidden, and the page says why.
    grant_create(
        actor=None, user=w.users["supervisor"], role=Role.COACH, system=w.system, starts_on=START
    )
    refused = w.client("supervisor").get(south)
    assert refused.status_code == 403
    assert "none of those is in this network" in refused.content.decode()
    # Once Pine Ridge's principal is on his caseload, he sees Pine Ridge there, and the page
    # says that only those schools are shown.
    percy = person_create(actor=None, system=w.system, given_name="Percy", family_name="Pine")
    position_add(
        actor=None,
        person=percy,
        kind=PositionKind.PRINCIPAL,
        school=w.other_school,
        starts_on=START,
    )
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=w.users["supervisor"].person,
        assignee=percy,
        starts_on=START,
    )
    partly = w.client("supervisor").get(south)
    assert partly.status_code == 200
    assert "Only the schools of South Cluster whose attendance you see are shown (1 of" in (
        partly.content.decode()
    )
    # Oak Hill's principal sees their own school there.
    principal = w.client("principal").get(url)
    assert principal.status_code == 200 and "Pine Ridge" not in principal.content.decode()
    assert "Only the schools of North Cluster" in principal.content.decode()
    assert w.client("admin_b").get(url).status_code == 404
    assert w.client("teacher").get(url).status_code == 403
    assert w.client("leader").get("/attendance/networks/999999/").status_code == 404


def _queries(world: World, url: str) -> int:
    client = world.client("leader")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_network_page_query_count_does_not_grow_with_its_schools(w: World) -> None:
    url = f"/attendance/networks/{w.network.pk}/?date={DAY}"
    before = _queries(w, url)
    more_schools(w, 30)
    html = w.client("leader").get(url).content.decode()
    assert "Extra 29" in html or "Page 1 of" in html
    assert _queries(w, url) == before
