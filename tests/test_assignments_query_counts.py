"""Issue 8: the assignment pages and a coach's pages do not grow in queries with the data."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import START, World
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignments_bulk_create
from trellis.authz.roles import Relationship
from trellis.people.models import Person, Position, PositionKind
from trellis.people.services import people_bulk_create

PAGES = [
    ("admin", "/assignments/"),
    ("admin", "/assignments/?format=csv"),
    ("admin", "/assignments/caseloads/"),
    ("admin", "/assignments/caseloads/?kind=coaching"),
    ("supervisor", "/assignments/caseloads/"),
    ("coach", "/people/"),
    ("coach", "/"),
    ("programs", "/assignments/"),
]


def counts(world: World) -> list[int]:
    result = []
    for key, url in PAGES:
        client = world.client(key)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        result.append(len(queries))
    return result


def test_assignment_page_query_counts_are_flat(world: World) -> None:
    small = counts(world)
    people = [Person(given_name=f"New{i}", family_name=f"Principal{i}") for i in range(30)]
    positions = [
        Position(person=p, kind=PositionKind.PRINCIPAL, school=world.school, starts_on=START)
        for p in people
    ]
    people_bulk_create(actor=None, system=world.system, people=people, positions=positions)
    coach = world.users["coach"].person
    supervisor = world.users["supervisor"].person
    assignments_bulk_create(
        actor=None,
        system=world.system,
        assignments=[
            Assignment(kind=Relationship.COACHING, supporter=coach, assignee=p, starts_on=START)
            for p in people
        ]
        + [
            Assignment(
                kind=Relationship.SUPERVISION, supporter=supervisor, assignee=p, starts_on=START
            )
            for p in people[:20]
        ],
    )
    large = counts(world)
    assert small == large, list(zip([url for _, url in PAGES], small, large, strict=True))


def test_ending_an_assignment_asks_first(world: World) -> None:
    # Found by the browser walk: "End" on the list ended an assignment in one click.
    from trellis.assignments.models import Assignment

    assignment = Assignment.objects.filter(assignee=world.colleague, ends_on=None).first()
    client = world.client("supervisor")
    listing = client.get("/assignments/").content.decode()
    assert f'href="/assignments/{assignment.pk}/end/"' in listing
    confirm = client.get(f"/assignments/{assignment.pk}/end/")
    assert confirm.status_code == 200 and "End the assignment" in confirm.content.decode()
    assignment.refresh_from_db()
    assert assignment.ends_on is None  # the GET changed nothing
    assert client.post(f"/assignments/{assignment.pk}/end/").status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on is not None
