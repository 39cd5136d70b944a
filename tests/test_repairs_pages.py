"""Repairs issue items 12, 23 and 26: partner names per system, a readable audit trail, the
person page and the home pages of roles whose work arrives later."""

from __future__ import annotations

import datetime
from typing import Any

from tests.conftest import World
from tests.matrix import row_counts
from trellis.core.services import audit_event_record
from trellis.frameworks.models import FrameworkItem, FrameworkVersion
from trellis.orgs.models import Partner
from trellis.people.services import certification_add


def test_item12_partner_names_are_unique_per_system_not_per_installation(world: World) -> None:
    client = world.client("admin_b")
    # Lakeside records the same real partner as Riverbend: allowed.
    response = client.post(
        "/partners/new/",
        {
            "system_id": world.other_system.pk,
            "name": "Northstar Leadership Partners",
            "kind": "other",
        },
    )
    assert response.status_code == 302
    assert Partner.objects.filter(name="Northstar Leadership Partners").count() == 2
    # Twice in one system is refused, in words that say nothing of other systems.
    before = row_counts()
    again = client.post(
        "/partners/new/",
        {
            "system_id": world.other_system.pk,
            "name": "northstar leadership partners",
            "kind": "other",
        },
    )
    content = again.content.decode()
    assert again.status_code == 200
    assert "This system already has a partner with this name." in content
    assert "Riverbend" not in content
    assert row_counts() == before


def test_item23_audit_log_shows_field_labels_and_names_not_ids(world: World) -> None:
    client = world.client("admin")
    school = world.other_school
    client.post(
        f"/schools/{school.pk}/edit/",
        {"name": school.name, "network": world.network.pk, "level": "middle"},
    )
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    item = FrameworkItem.objects.filter(version=version).exclude(human_coding_scheme="").first()
    level = version.levels.get(position=3)
    audit_event_record(
        actor=world.users["supervisor"],
        action="rating.record",
        obj=world.principal_person,
        after={
            "purpose": "progress",
            "version": version.pk,
            "rated_on": "2026-05-01",
            "ratings": {str(item.pk): 3},
        },
    )
    log = client.get("/audit/").content.decode()
    # The school's network by name, labelled by the field's verbose name.
    assert "South Cluster → North Cluster" in log
    assert "{&#x27;network&#x27;" not in log and "{'network'" not in log
    # A rating by competency and level name, the version by its name.
    assert f"{item}: {level.name}" in log
    assert "{&#x27;ratings&#x27;" not in log
    assert str(version) in log


def test_item23_identical_events_are_grouped(world: World) -> None:
    for _ in range(4):
        audit_event_record(
            actor=world.users["admin"],
            action="person.update",
            obj=world.colleague,
            after={"email": "cora@example.org"},
        )
    home = world.client("admin").get("/").content.decode()
    latest = home.split('id="events-h"')[1]
    assert latest.count("Person: update · Cora Colleague") == 1 and "\u00d74" in latest
    log = world.client("admin").get("/audit/").content.decode()
    assert "\u00d74" in log


def test_item26_an_expired_certification_says_expired(world: World) -> None:
    certification_add(
        actor=None,
        person=world.colleague,
        name="Old licence",
        expires_on=datetime.date(2022, 7, 1),
    )
    certification_add(
        actor=None,
        person=world.colleague,
        name="New licence",
        expires_on=datetime.date(2099, 7, 1),
    )
    page = world.client("admin").get(f"/people/{world.colleague.pk}/").content.decode()
    assert "expired Jul 1, 2022" in page and "expires Jul 1, 2022" not in page
    assert "(expires Jul 1, 2099)" in page
    # Long values wrap inside the details instead of running into the positions table.
    assert 'class="row mb-0 record-details"' in page


def test_item26_interviewer_and_partner_staff_home_pages_say_what_to_expect(
    world: World,
) -> None:
    interviewer = world.client("interviewer").get("/").content.decode()
    assert "Interviews and recommendations" in interviewer
    assert "ask the program manager who invited you" in interviewer
    partner = world.client("partner").get("/").content.decode()
    assert "Working with the district as a partner" in partner
    assert "Northstar Leadership Partners" in partner


def test_item29_many_schools_get_a_search_box_not_a_thousand_options(
    world: World, monkeypatch: Any
) -> None:
    from trellis.people import views

    client = world.client("leader")
    few = client.get("/people/").content.decode()
    assert 'id="f-school"' in few  # a handful of schools: the drop-down
    monkeypatch.setattr(views, "SCHOOL_PICKER_LIMIT", 1)
    many = client.get("/people/").content.decode()
    assert 'id="f-school"' not in many and "Pine Ridge Middle</option>" not in many
    assert 'name="school_name"' in many
    found = client.get("/people/?school_name=pine")
    assert {p.family_name for p in found.context["object_list"]} == {"Faraway"}
    # Coming from a school's page (?school=id) names the school, with a way to clear it.
    chosen = client.get(f"/people/?school={world.other_school.pk}").content.decode()
    assert "Pine Ridge Middle" in chosen and ">clear</a>" in chosen


def test_item29_people_list_pages_without_an_exact_count(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.people.models import Person
    from trellis.people.services import people_bulk_create

    people_bulk_create(
        actor=None,
        system=world.system,
        people=[Person(given_name=f"P{i}", family_name=f"Zz{i:03d}") for i in range(55)],
        positions=[],
    )
    total = Person.objects.filter(system=world.system).count()
    assert 50 < total < 100
    client = world.client("leader")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/people/?status=all")
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(first.context["object_list"]) == 50 and first.context["page_obj"].has_next
    assert "People 1\u201350, more on the next page" in first.content.decode()
    second = client.get("/people/?status=all&page=2")
    assert len(second.context["object_list"]) == total - 50
    assert not second.context["page_obj"].has_next
    assert f"People 51\u2013{total} of {total}" in second.content.decode()


def test_a_past_post_at_a_school_the_viewer_cannot_open_is_not_a_link(world: World) -> None:
    # Found by the browser walk: a principal's own record linked a former school (404).
    import datetime

    from trellis.people.models import Position

    Position.objects.create(
        person=world.principal_person,
        system=world.system,
        school=world.other_school,
        kind="teacher",
        starts_on=datetime.date(2015, 8, 1),
        ends_on=datetime.date(2019, 6, 30),
    )
    client = world.client("principal")
    assert client.get(f"/schools/{world.other_school.pk}/").status_code == 404
    page = client.get(f"/people/{world.principal_person.pk}/").content.decode()
    assert world.other_school.name in page
    assert f'href="/schools/{world.other_school.pk}/"' not in page
    admin_page = world.client("admin").get(f"/people/{world.principal_person.pk}/")
    assert f'href="/schools/{world.other_school.pk}/"' in admin_page.content.decode()


def test_home_cards_tell_the_truth_for_school_and_relationship_roles(world: World) -> None:
    # Found by the browser walk: "1 school in 0 networks" for a principal, and a coach told
    # that none of their coachees has a position.
    principal = world.client("principal").get("/").content.decode()
    assert "in 1 network" in principal and "in 0 networks" not in principal
    coach = world.client("coach").get("/").content.decode()
    assert "No positions are recorded for the people you can see" not in coach
    assert world.colleague.full_name in coach


def test_pages_name_an_inline_icon_so_browsers_ask_for_no_favicon(world: World) -> None:
    # Found by the browser walk: /favicon.ico answered 404 on every page (a console error).
    page = world.client("teacher").get("/").content.decode()
    assert '<link rel="icon" href="data:,">' in page
