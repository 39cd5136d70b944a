"""Fixes after the browser walk of issue 11 (branch learn7), surveys' half:

- scope before role: a user no grant of whom reaches an instrument, an administration's
  population or a system's report gets 404, not the 403 of a role they lack;
- the tables of the surveys pages scroll sideways on a narrow screen (`.table-responsive`);
- open-text answers reach only those who may read an administration's answers, without who
  wrote them, in a stable order, withheld below the suppression threshold.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import World, make_user
from tests.surveys.world import TITLE, surveyed
from trellis.authz.roles import POLICY, Action, Role
from trellis.surveys.models import Administration, Instrument, Item, Response, Submission


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    surveyed(module_world)
    return module_world


def instrument_id(world: World) -> int:
    return Instrument.objects.get(title=TITLE).pk


def administration_id(world: World) -> int:
    return Administration.objects.get(instrument__title=TITLE).pk


def _lakeside_teacher(world: World) -> None:
    world.users["teacher_b"] = make_user(
        world.other_system,
        "teacher@lakeside.test",
        Role.TEACHER_LEADER,
        person=world.foreign_person,
        school=world.foreign_school,
    )


def test_another_systems_user_without_the_role_gets_404_not_403(world: World) -> None:
    """Olga teaches at Lakeside, and holds none of the surveys' roles: Riverbend's
    instrument, administration, its web form's window and Riverbend's impact report are
    outside her scope (404), not "forbidden" (which told her they exist)."""
    _lakeside_teacher(world)
    olga = world.client("teacher_b")
    admin = administration_id(world)
    for url in (
        f"/surveys/instruments/{instrument_id(world)}/",
        f"/surveys/administrations/{admin}/",
        f"/surveys/administrations/{admin}/window/",
        "/impact/?system=riverbend&year=2018",
        "/impact/schools/?system=riverbend&year=2018&level=conditions",
        "/impact/people/?system=riverbend&year=2018&level=knowledge",
        "/api/v1/impact?system=riverbend&year=2018",
    ):
        assert olga.get(url).status_code == 404, url
    before = Administration.objects.get(pk=admin).opens_on
    response = olga.post(
        f"/surveys/administrations/{admin}/window/",
        {"opens_on": "2017-09-01", "closes_on": "2017-09-30"},
    )
    assert response.status_code == 404
    assert Administration.objects.get(pk=admin).opens_on == before
    # Lakeside's leader may read surveys but not manage them: Riverbend's window is outside
    # her scope too (404), not a role she lacks (403).
    assert (
        world.client("leader_b").get(f"/surveys/administrations/{admin}/window/").status_code == 404
    )


def test_in_scope_without_the_role_is_still_403(world: World) -> None:
    """Riverbend's coach (a system grant, no surveys role) is in scope: 403, as before."""
    coach = world.client("coach")
    assert coach.get(f"/surveys/administrations/{administration_id(world)}/").status_code == 403
    assert coach.get(f"/surveys/instruments/{instrument_id(world)}/").status_code == 403
    assert coach.get("/impact/?system=riverbend&year=2018").status_code == 403
    # A report page that names no system has nothing to be outside of: the role decides.
    _lakeside_teacher(world)
    assert world.client("teacher_b").get("/impact/").status_code == 403


def test_a_school_administration_is_outside_another_schools_principal(world: World) -> None:
    """An administration asks Pine Ridge's staff: Oak Hill's principal (a grant on Oak Hill
    only) gets 404, not 403; Riverbend-wide it asks her too, and she gets 403."""
    administration = Administration.objects.get(instrument__title=TITLE)
    pine = Administration.objects.create(
        instrument=administration.instrument,
        system=world.system,
        school=world.other_school,
        window="eoy",
        school_year=2018,
    )
    paula = world.client("principal")
    assert paula.get(f"/surveys/administrations/{pine.pk}/").status_code == 404
    assert paula.get(f"/surveys/administrations/{administration.pk}/").status_code == 403


def _tables_wrapped(html: str) -> None:
    tables = html.count("<table")
    assert tables, "the page shows a table"
    wrapped = len(re.findall(r'<div class="table-responsive">\s*<table', html))
    assert wrapped == tables, f"{tables - wrapped} of {tables} tables overflow a narrow screen"


def test_the_surveys_tables_scroll_on_a_narrow_screen(world: World) -> None:
    leader = world.client("leader")
    for url in (
        "/surveys/",
        f"/surveys/instruments/{instrument_id(world)}/",
        "/surveys/administrations/",
        "/impact/?system=riverbend&year=2018",
        "/impact/schools/?system=riverbend&year=2018&level=conditions",
    ):
        response = leader.get(url)
        assert response.status_code == 200, url
        _tables_wrapped(response.content.decode())


def _open_item(world: World, answers: list[str]) -> Administration:
    administration = Administration.objects.get(instrument__title=TITLE)
    item = Item.objects.create(
        instrument=administration.instrument,
        code="P2",
        text="What would help your team plan?",
        scale="text",
        position=2,
    )
    for text in answers:
        submission = Submission.objects.create(
            administration=administration, school=world.school, submitted_at=timezone.now()
        )
        Response.objects.create(submission=submission, item=item, text=text)
    # A draft (saved to finish later) counts nowhere.
    draft = Submission.objects.create(administration=administration, person=world.colleague)
    Response.objects.create(submission=draft, item=item, text="Draft: not submitted")
    return administration


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """System administrators read administrations' answers (held by no role in Trellis:
    docs/decisions.md), for these tests only."""
    admin = POLICY[Role.SYSTEM_ADMIN]
    monkeypatch.setitem(POLICY, Role.SYSTEM_ADMIN, admin | {Action.SURVEYS_RESPONSES})


ANSWERS = ["More time", "a shared calendar", "Coverage on Fridays", "Less email", "Data sooner"]


def test_open_text_answers_are_shown_without_names_in_a_stable_order(
    world: World, reader: None
) -> None:
    administration = _open_item(world, ANSWERS)
    page = world.client("admin").get(f"/surveys/administrations/{administration.pk}/")
    html = page.content.decode()
    assert "Open-text answers" in html and "What would help your team plan?" in html
    shown = re.findall(r"<li>([^<]*)</li>", html.split('id="open-text-h"')[1])
    assert shown == sorted(ANSWERS, key=str.casefold)
    assert "Draft: not submitted" not in html
    assert world.colleague.family_name not in html and world.school.name not in html


def test_open_text_answers_from_fewer_than_5_are_withheld(world: World, reader: None) -> None:
    administration = _open_item(world, ANSWERS[:4])
    html = (
        world.client("admin").get(f"/surveys/administrations/{administration.pk}/").content.decode()
    )
    assert "Withheld: fewer than 5 people answered this item." in html
    assert not any(answer in html for answer in ANSWERS)


def test_open_text_answers_are_shown_to_no_one_who_may_not_read_answers(world: World) -> None:
    """Without `surveys.responses` (as every role today), the results page shows no answer,
    however many answered: the leader reads the administration, not what people wrote."""
    administration = _open_item(world, ANSWERS)
    for who in ("leader", "admin", "analyst"):
        html = world.client(who).get(f"/surveys/administrations/{administration.pk}/")
        assert html.status_code == 200
        text = html.content.decode()
        assert "Open-text answers" not in text
        assert not any(answer in text for answer in ANSWERS), who
        # The page says where they went (the project's decision, docs/decisions.md).
        assert "open-text item (1) is kept with the answers" in text
