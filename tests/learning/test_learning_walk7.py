"""Fixes after the browser walk of issue 11 (branch learn7), professional learning's half: one's
place on a waiting list (session page, home panel), when a seat opened in the API, the year in
the home panel's dates, and competencies of several frameworks told apart on the session form
and the list's filter."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import escape

from tests.coaching.world import focus_item
from tests.conftest import World
from trellis.frameworks.models import (
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
)
from trellis.learning import selectors, services
from trellis.learning.models import PDSession, Registration


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def _queue(world: World) -> PDSession:
    """Oak Hill's 2 seats taken (Paula, Cora); waiting: Fay, then Farid, then Tomas."""
    oak = PDSession.objects.get(pk=world.learning["oak"])
    services.registration_create(actor=None, session=oak, person=world.colleague)
    earlier = timezone.now() - datetime.timedelta(hours=2)
    for minutes, person_id in enumerate((world.learning["fay"], world.far_person.pk)):
        # Registered directly: Fay and Farid hold no position at Oak Hill (the audience).
        Registration.objects.create(
            session=oak,
            person_id=person_id,
            status=Registration.Status.WAITLISTED,
            registered_at=earlier + datetime.timedelta(minutes=minutes),
        )
    tomas = services.registration_create(actor=None, session=oak, person=world.teacher_person)
    assert tomas.status == Registration.Status.WAITLISTED
    return oak


def test_a_person_waiting_sees_their_place_on_the_waiting_list(world: World) -> None:
    oak = _queue(world)
    tomas = world.client("teacher")
    page = tomas.get(f"/learning/sessions/{oak.pk}/").content.decode()
    assert "You are <strong>3rd on the waiting list</strong>" in page
    home = tomas.get("/").content.decode()
    assert "3rd on the waiting list" in home
    # Paula gives up her seat: Fay has it, and Tomas moves up to 2nd.
    services.registration_cancel(
        actor=None, registration=oak.registrations.get(person_id=world.principal_person.pk)
    )
    page = tomas.get(f"/learning/sessions/{oak.pk}/").content.decode()
    assert "You are <strong>2nd on the waiting list</strong>" in page
    assert "2nd on the waiting list" in tomas.get("/").content.decode()
    # A confirmed registration has no place on the list.
    fay = world.client("facilitator").get(f"/learning/sessions/{oak.pk}/").content.decode()
    assert "on the waiting list</strong>" not in fay and "You are <strong>registered" in fay


def test_the_api_says_when_a_seat_opened(world: World) -> None:
    oak = _queue(world)
    fay = world.client("facilitator")

    def mine() -> dict[str, Any]:
        rows = fay.get("/api/v1/learning/registrations").json()
        items = rows["items"] if isinstance(rows, dict) else rows
        return next(r for r in items if r["session_id"] == oak.pk)

    assert mine()["status"] == "waitlisted" and mine()["promoted_at"] is None
    services.registration_cancel(
        actor=None, registration=oak.registrations.get(person_id=world.principal_person.pk)
    )
    promoted = Registration.objects.get(session=oak, person_id=world.learning["fay"])
    row = mine()
    assert row["status"] == "confirmed"
    assert row["promoted_at"] is not None
    # The API writes times to the millisecond.
    said = datetime.datetime.fromisoformat(row["promoted_at"])
    assert promoted.promoted_at is not None
    assert abs(said - promoted.promoted_at) < datetime.timedelta(milliseconds=1)


def test_the_home_panel_dates_carry_the_year(world: World) -> None:
    oak = PDSession.objects.get(pk=world.learning["oak"])
    home = world.client("principal").get("/").content.decode()
    start = timezone.localtime(oak.starts_at)
    assert f"{start:%b} {start.day}, {start.year} {start:%H:%M}" in home


def _namesake_framework(world: World) -> FrameworkItem:
    """A second published framework of Riverbend with a competency coded and named as the
    world's focus competency."""
    item = focus_item(world)
    framework = Framework.objects.create(
        system=world.system,
        title="Principal framework 2024",
        kind=item.version.framework.kind,
        subject_kind=item.version.framework.subject_kind,
    )
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, status="published", case_identifier="principal-2024"
    )
    level = PerformanceLevel.objects.create(version=version, position=1, name="Proficient")
    twin = FrameworkItem.objects.create(
        version=version,
        case_identifier="principal-2024-item",
        human_coding_scheme=item.human_coding_scheme,
        full_statement=item.full_statement,
        abbreviated_statement=item.abbreviated_statement,
    )
    Descriptor.objects.create(item=twin, level=level, text="Leads it.")
    return twin


def test_competencies_of_two_frameworks_are_labelled_with_their_framework(world: World) -> None:
    item = focus_item(world)
    twin = _namesake_framework(world)
    page = world.client("admin").get(f"/learning/new/?system={world.system.pk}").content.decode()
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', page))
    ours = escape(f"{selectors.competency_label(item)} \u2014 {item.version.framework.title}")
    theirs = escape(f"{selectors.competency_label(twin)} \u2014 Principal framework 2024")
    assert options[str(item.pk)] == ours
    assert options[str(twin.pk)] == theirs
    assert ours != theirs
    # The list's filter tells them apart too, once a session aligns to each.
    oak = PDSession.objects.get(pk=world.learning["oak"])
    oak.competencies.add(twin)
    choices = dict(selectors.filter_choices(world.users["admin"])["competencies"])
    assert choices[twin.pk].endswith("\u2014 Principal framework 2024")
    assert choices[item.pk] != choices[twin.pk]


def test_competencies_of_one_framework_keep_their_short_label(world: World) -> None:
    item = focus_item(world)
    labels = selectors.competency_labels([item])
    assert labels == {item.pk: selectors.competency_label(item)}


def test_the_learning_and_imports_tables_scroll_on_a_narrow_screen(world: World) -> None:
    """Already so before this branch (kept so): every table of these pages is in a
    `.table-responsive`, which scrolls it sideways rather than the page at 375 px."""
    admin = world.client("admin")
    for url in (
        "/learning/",
        "/learning/communities/",
        f"/learning/sessions/{world.learning['oak']}/",
        "/imports/",
    ):
        html = admin.get(url).content.decode()
        tables = html.count("<table")
        assert tables, url
        wrapped = len(re.findall(r'<div class="table-responsive">\s*<table', html))
        assert wrapped == tables, url
