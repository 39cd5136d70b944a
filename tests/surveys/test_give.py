"""Giving an instrument from the web (walk of issue 11, serious: an administration only came
from a response file or a PD session's survey): a system administrator gives the built-in
school conditions survey to Oak Hill's staff for this year's beginning window, a teacher of Oak
Hill finds it on her home page and answers it, and the administration counts her; giving it
again, a form already closed, a year not begun or ended are refused on the form (400); a program
manager gives only to their own program's participants."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
import time_machine

from tests.conftest import World
from trellis.core.models import AuditEvent
from trellis.programs.models import Program
from trellis.surveys.models import Administration, Instrument, Submission

TODAY = datetime.date(2025, 9, 15)  # school year 2025-26 (2026)
NOW = datetime.datetime(2025, 9, 15, 12, tzinfo=datetime.UTC)


def conditions() -> Instrument:
    return Instrument.objects.get(code="school-conditions", system__isnull=True)


def give_url(instrument: Instrument) -> str:
    return f"/surveys/instruments/{instrument.pk}/give/"


def give_data(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "system": world.system.pk,
        "population": "school",
        "school": world.school.pk,
        "program": "",
        "window": "boy",
        "school_year": "2026",
        "anonymous": "on",
        "opens_on": "2025-09-15",
        "closes_on": "2025-09-29",
    }
    data.update(changes)
    return data


def errors_of(response: Any) -> str:
    return html.unescape(response.content.decode())


@time_machine.travel(NOW)
def test_a_manager_gives_the_conditions_survey_and_a_teacher_answers_it(world: World) -> None:
    instrument = conditions()
    before = (instrument.updated_at, instrument.title, list(instrument.items.values()))
    admin = world.client("admin")
    assert (
        give_url(instrument) in admin.get(f"/surveys/instruments/{instrument.pk}/").content.decode()
    )
    assert give_url(instrument) in admin.get("/surveys/administrations/").content.decode()
    form = admin.get(give_url(instrument))
    assert form.status_code == 200
    assert 'value="2026"' in form.content.decode()  # this school year by default
    assert "The system&#x27;s staff" in form.content.decode()

    response = admin.post(give_url(instrument), give_data(world))
    assert response.status_code == 302, errors_of(response)[:3000]
    made = Administration.objects.get(instrument=instrument, school=world.school)
    assert response["Location"] == f"/surveys/administrations/{made.pk}/"
    assert (made.system, made.window, made.school_year, made.anonymous) == (
        world.system,
        "boy",
        2026,
        True,
    )
    assert (made.opens_on, made.closes_on) == (TODAY, datetime.date(2025, 9, 29))
    assert AuditEvent.objects.filter(
        action="administration.create", object_id=str(made.pk)
    ).exists()
    respond = f"/surveys/administrations/{made.pk}/respond/"
    assert respond in admin.get(response["Location"]).content.decode()
    # A built-in instrument is shared: giving it changes nothing of it.
    instrument.refresh_from_db()
    assert (instrument.updated_at, instrument.title, list(instrument.items.values())) == before
    assert instrument.system_id is None

    # Oak Hill's teacher finds it on her home page and answers; Pine Ridge's staff are not asked.
    teacher = world.client("teacher")
    assert respond in teacher.get("/").content.decode()
    items = list(instrument.items.all())
    answers = {f"item_{i.pk}": "3" for i in items if i.scale != "text"}
    submitted = teacher.post(respond, {"submit": "1", **answers})
    assert submitted.status_code == 302, errors_of(submitted)[:3000]
    assert Submission.objects.filter(administration=made, submitted_at__isnull=False).count() == 1
    page = admin.get(f"/surveys/administrations/{made.pk}/").content.decode()
    assert "fewer than 5" in page  # one respondent, counted and withheld below the threshold


@time_machine.travel(NOW)
def test_giving_it_again_is_refused_with_a_link_to_the_one_given(world: World) -> None:
    admin = world.client("admin")
    url = give_url(conditions())
    assert admin.post(url, give_data(world)).status_code == 302
    made = Administration.objects.get(instrument=conditions(), school=world.school)
    again = admin.post(url, give_data(world, closes_on="2025-10-10", anonymous=""))
    assert again.status_code == 400
    page = errors_of(again)
    assert "is already given to Oak Hill Elementary" in page
    assert f'href="/surveys/administrations/{made.pk}/"' in page
    assert Administration.objects.filter(instrument=conditions()).count() == 1
    # Another population, window or year is another administration.
    staff = admin.post(url, give_data(world, population="staff"))
    assert staff.status_code == 302
    assert Administration.objects.filter(instrument=conditions()).count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opens_on": "2025-09-01", "closes_on": "2025-09-14"}, "closes_on", "This day has passed"),
        ({"school_year": "2027"}, "school_year", "That school year has not begun"),
        ({"school_year": "2020"}, "school_year", "has ended"),
        ({"closes_on": ""}, "closes_on", ""),
        ({"population": "school", "school": ""}, "school", "Choose the school"),
        ({"population": "program"}, "program", "Choose the program"),
    ],
)
@time_machine.travel(NOW)
def test_a_window_closed_or_a_year_not_current_is_refused(
    world: World, changes: dict[str, str], field: str, message: str
) -> None:
    response = world.client("admin").post(give_url(conditions()), give_data(world, **changes))
    assert response.status_code == 400
    page = errors_of(response)
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert not Administration.objects.filter(instrument=conditions()).exists()


@time_machine.travel(NOW)
def test_a_program_manager_gives_only_to_their_program(world: World) -> None:
    pm = world.client("pm")
    url = give_url(conditions())
    mine = Program.objects.get(name="Aspiring Principals")
    other = Program.objects.exclude(pk=mine.pk).filter(owner_system=world.system).first()
    assert other is not None
    page = pm.get(url).content.decode()
    assert mine.name in page and other.name not in page and world.school.name not in page
    assert "The system&#x27;s staff" not in page and "A school&#x27;s staff" not in page
    assert 'name="school"' not in page
    assert pm.post(url, give_data(world, population="staff")).status_code == 404
    assert pm.post(url, give_data(world, population="school")).status_code == 404
    assert pm.post(url, give_data(world, population="program", program=other.pk)).status_code == 404
    assert not Administration.objects.filter(instrument=conditions()).exists()
    response = pm.post(url, give_data(world, population="program", program=mine.pk))
    assert response.status_code == 302, errors_of(response)[:3000]
    assert Administration.objects.get(instrument=conditions()).program == mine


@time_machine.travel(NOW)
def test_another_systems_admin_cannot_give_to_this_systems_staff(world: World) -> None:
    response = world.client("admin_b").post(give_url(conditions()), give_data(world))
    assert response.status_code == 404
    assert not Administration.objects.filter(instrument=conditions()).exists()
