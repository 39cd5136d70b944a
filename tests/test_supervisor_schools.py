"""One rule for "a supervisor's schools" (docs/decisions.md, 2026-11-30): the schools of the
principals and assistant principals on their supervision caseload, plus the schools their
supervisor grant reaches. The school page, the attendance pages, the home panels and the dosage
report all count the same schools, and every school listed on a supervisor's page opens.

Sam is granted the North Cluster and supervises Paula (Oak Hill, North). Here he also supervises
Percy, the principal of Pine Ridge in the South Cluster (a caseload school in another network),
and North holds Elm Street, whose principal is not on his caseload (a network school outside the
caseload): his schools are Oak Hill, Elm Street and Pine Ridge."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.attendance.world import add_attendance
from tests.conftest import START, World
from trellis.accounts.models import User
from trellis.assignments.services import assignment_create
from trellis.authz.roles import Relationship
from trellis.orgs.selectors import school_rows
from trellis.orgs.services import school_create
from trellis.people.models import PositionKind
from trellis.people.services import person_create, position_add
from trellis.students.selectors import student_table

DAY = "2026-09-30"


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    elm = school_create(actor=None, system=world.system, name="Elm Street", network=world.network)
    percy = person_create(actor=None, system=world.system, given_name="Percy", family_name="Pine")
    position_add(
        actor=None,
        person=percy,
        kind=PositionKind.PRINCIPAL,
        school=world.other_school,
        starts_on=START,
    )
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=world.users["supervisor"].person,
        assignee=percy,
        starts_on=START,
    )
    world.coaching["elm"] = elm.pk
    return world


def sams_schools(w: World) -> set[int]:
    return {w.school.pk, w.other_school.pk, w.coaching["elm"]}


def fresh_supervisor(w: World) -> Any:
    """Sam as a new request sees him (nothing kept from an earlier one)."""
    return User.objects.get(pk=w.users["supervisor"].pk)


def ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def exported(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url + "&format=csv")
    assert response.status_code == 200, url
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = list(csv.reader(io.StringIO(text)))[1:]
    # The last line is the total (each school once), not a row.
    return {row[0]: row[1:] for row in lines if row[0] != "Total (each school once)"}


def test_the_rule_names_the_caseloads_and_the_networks_schools(w: World) -> None:
    from trellis.assignments.selectors import supervisor_schools

    sam = w.users["supervisor"].person
    assert supervisor_schools(timezone.localdate(), supervisor_ids=[sam.pk])[sam.pk] == (
        sams_schools(w)
    )
    # The same set, whoever asks: by system too (the district's dosage rows, the alerts).
    assert supervisor_schools(timezone.localdate(), system_ids=[w.system.pk])[sam.pk] == (
        sams_schools(w)
    )


def test_every_school_of_the_supervisor_opens_on_the_school_and_attendance_pages(
    w: World,
) -> None:
    client = w.client("supervisor")
    for pk in sams_schools(w):
        ok(client, f"/schools/{pk}/")
        ok(client, f"/attendance/schools/{pk}/?date={DAY}")
    # Harbor Prep (another system) stays out of reach.
    assert client.get(f"/schools/{w.foreign_school.pk}/").status_code == 404


def test_the_schools_list_home_and_morning_pages_count_the_same_schools(w: World) -> None:
    client = w.client("supervisor")
    listed = exported(client, "/schools/?status=all")
    assert set(listed) == {"Oak Hill Elementary", "Pine Ridge Middle", "Elm Street"}
    morning = client.get(f"/attendance/?date={DAY}")
    assert morning.status_code == 200
    assert {row.school.pk for row in morning.context["object_list"]} == sams_schools(w)
    home = client.get("/")
    assert home.status_code == 200
    panels = {p.template: p.context for p in home.context["sections"]}
    cards = {p.context["title"]: p.context for p in home.context["cards"]}
    assert cards["Schools you can see"]["value"] == "3"
    attendance = panels["attendance/panels/home.html"]["m"]
    assert {row.school.pk for row in attendance.rows} == sams_schools(w)
    # The home panel's figures and the morning page's of the same day are the same schools'.
    same_day = client.get(f"/attendance/?date={attendance.day}").context["m"]
    assert (attendance.total.f.enrolled, attendance.total.f.absent) == (
        same_day.total.f.enrolled,
        same_day.total.f.absent,
    )
    assert attendance.total.f.enrolled > 0
    # The students card counts the same schools' students.
    sam = fresh_supervisor(w)
    assert {row.pk for row in school_rows(sam)} == sams_schools(w)
    assert set(student_table(sam).by_school) == sams_schools(w)


def test_no_link_on_the_supervisors_pages_leads_to_a_refusal(w: World) -> None:
    client = w.client("supervisor")
    pages = [
        "/",
        "/schools/",
        f"/attendance/?date={DAY}",
        "/coaching/dosage/",
        "/coaching/support/schools/",
    ]
    links: set[str] = set()
    for url in pages:
        html = ok(client, url)
        links |= set(
            re.findall(
                r'href="(/(?:schools|attendance/schools|coaching/support/schools)/\d+/)[^"]*"',
                html,
            )
        )
    assert links, "the pages list schools"
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


def test_a_supervisors_dosage_row_is_the_same_for_the_leader_and_for_themselves(
    w: World,
) -> None:
    url = "/coaching/dosage/?by=supervisor"
    leader = exported(w.client("leader"), url)
    own = exported(w.client("supervisor"), url)
    assert own["Sam Supervisor"] == leader["Sam Supervisor"]
    assert own["Sam Supervisor"][0] == "3"  # schools: Oak Hill, Elm Street, Pine Ridge
    # ...and it adds up the supervisor's own page of schools.
    schools = exported(w.client("supervisor"), "/coaching/dosage/?by=school")
    assert set(schools) == {"Oak Hill Elementary", "Pine Ridge Middle", "Elm Street"}
    planned = sum(Decimal(row[1]) for row in schools.values())
    # Each school's hours are rounded once: the row adds up exactly the same figures.
    assert Decimal(own["Sam Supervisor"][1]) == planned


def test_a_district_leader_reads_need_profiles_and_tiers_and_changes_none(w: World) -> None:
    client = w.client("leader")
    listed = ok(client, "/coaching/support/schools/")
    assert "Oak Hill Elementary" in listed and "Import performance bands" not in listed
    profile = ok(client, f"/coaching/support/schools/{w.school.pk}/")
    assert "Intensive" in profile and "Read-only" in profile and ">Save</button>" not in profile
    tiers = ok(client, f"/coaching/support/?system={w.system.pk}")
    assert "Intensive" in tiers and "Read-only" in tiers and "Save the tier" not in tiers
    # The dosage page's Tier column links each school's profile, which opens.
    dosage = ok(client, "/coaching/dosage/?by=school")
    assert f'href="/coaching/support/schools/{w.school.pk}/"' in dosage
    refused = client.post(f"/coaching/support/schools/{w.school.pk}/", {"performance_band": "3"})
    assert refused.status_code == 403
    assert (
        client.post(
            f"/coaching/support/?system={w.system.pk}", {"form": "flag", "flag-name": "X"}
        ).status_code
        == 403
    )
    # The administrator still edits.
    assert ">Save</button>" in ok(w.client("admin"), f"/coaching/support/schools/{w.school.pk}/")


def test_the_supervisors_pages_read_no_query_per_school(w: World) -> None:
    """More caseload schools in another network and more network schools: the same number of
    queries on every page that counts a supervisor's schools."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [
        "/",
        "/schools/",
        f"/attendance/?date={DAY}",
        "/coaching/dosage/?by=school",
        "/coaching/dosage/?by=supervisor",
        "/coaching/support/schools/",
        f"/schools/{w.other_school.pk}/",
    ]

    def counts() -> list[int]:
        client = w.client("supervisor")
        found = []
        for url in pages:
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200, url
            found.append(len(captured.captured_queries))
        return found

    before = counts()
    for i in range(4):
        school = school_create(
            actor=None, system=w.system, name=f"South {i}", network=w.other_network
        )
        school_create(actor=None, system=w.system, name=f"North {i}", network=w.network)
        head = person_create(actor=None, system=w.system, given_name=f"Pat{i}", family_name="Head")
        position_add(
            actor=None, person=head, kind=PositionKind.PRINCIPAL, school=school, starts_on=START
        )
        assignment_create(
            actor=None,
            kind=Relationship.SUPERVISION,
            supporter=w.users["supervisor"].person,
            assignee=head,
            starts_on=START,
        )
    assert "South 3" in w.client("supervisor").get("/schools/").content.decode()
    assert counts() == before
