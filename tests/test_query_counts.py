"""A page's query count does not grow with the data behind it (no N+1)."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import World, make_user
from trellis.authz.roles import Role
from trellis.orgs.models import School
from trellis.orgs.services import school_create
from trellis.people.models import Certification, Education, Person, Position, PositionKind
from trellis.people.services import people_bulk_create
from trellis.rosters.models import ImportRun
from trellis.students.models import Student
from trellis.students.services import students_bulk_create

PAGES = [
    ("admin", lambda w: "/"),
    ("admin", lambda w: "/schools/"),
    ("admin", lambda w: f"/schools/{w.school.pk}/"),
    ("admin", lambda w: "/people/"),
    ("admin", lambda w: f"/people/{w.colleague.pk}/"),
    ("admin", lambda w: "/access/"),
    ("admin", lambda w: "/audit/"),
    ("admin", lambda w: "/people/?format=csv"),
    ("principal", lambda w: "/"),
    ("principal", lambda w: "/people/"),
    ("supervisor", lambda w: "/people/?kind=teacher"),
    ("analyst", lambda w: "/"),
    ("leader", lambda w: "/api/v1/people?limit=100"),
    ("leader", lambda w: "/api/v1/schools?limit=100"),
    ("admin", lambda w: "/imports/"),
    ("admin", lambda w: f"/imports/{w.import_run_id}/"),
]


def counts(world: World) -> list[int]:
    result = []
    for key, url in PAGES:
        client = world.client(key)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(world))
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200, url(world)
        result.append(len(queries))
    return result


def grow(world: World) -> None:
    """Five times the schools, people, positions, records, students and accounts."""
    start = datetime.date(2021, 8, 1)
    schools = [
        school_create(
            actor=None,
            system=world.system,
            name=f"Added School {i}",
            network=world.network if i % 2 else world.other_network,
            level=School.Level.HIGH,
        )
        for i in range(8)
    ]
    people, positions, education, certs = [], [], [], []
    for i in range(60):
        person = Person(given_name=f"Added{i}", family_name=f"Person{i}")
        people.append(person)
        school = world.school if i % 3 == 0 else schools[i % len(schools)]
        positions.append(
            Position(person=person, kind=PositionKind.TEACHER, school=school, starts_on=start)
        )
        positions.append(
            Position(
                person=person, kind=PositionKind.TEACHER_LEADER, school=school, starts_on=start
            )
        )
        education.append(Education(person=person, institution="U", degree="master"))
        certs.append(Certification(person=person, name="Certificate"))
    people_bulk_create(
        actor=None,
        system=world.system,
        people=people,
        positions=positions,
        education=education,
        certifications=certs,
    )
    students_bulk_create(
        actor=None,
        system=world.system,
        students=[
            Student(school=schools[i % len(schools)], sourced_id=f"s{i}", grade="09")
            for i in range(300)
        ],
    )
    for i in range(10):
        make_user(world.system, f"extra{i}@riverbend.test", Role.COACH, system=world.system)
        ImportRun.objects.create(
            system=world.system,
            kind=ImportRun.Kind.ONEROSTER,
            source_name=f"night-{i}.zip",
            source_path="/nowhere",
            status=ImportRun.Status.DONE,
            created_by_label="cron",
            summary={"students": {"added": i}},
        )


def test_page_query_counts_are_flat_as_data_grows(world: World) -> None:
    small = counts(world)
    grow(world)
    large = counts(world)
    assert small == large, list(zip([u(world) for _, u in PAGES], small, large, strict=True))
