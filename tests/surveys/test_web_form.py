"""The web response form: resumable drafts that count nowhere, a second answer that replaces the
first within the window, anonymous answers that name nobody, and a 404 for anyone the
administration does not ask or once it has closed."""

from __future__ import annotations

import datetime
import html
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import models

from tests.conftest import World
from tests.surveys.world import TITLE, surveyed
from trellis.core.models import AuditEvent
from trellis.surveys.impact import impact_report
from trellis.surveys.models import Administration, Instrument, Participation, Submission
from trellis.surveys.services import web_answers_save

OPEN_DAY = datetime.datetime(2025, 9, 15, 12, tzinfo=datetime.UTC)


def administration(world: World, *, anonymous: bool) -> Administration:
    surveyed(world)
    base = Administration.objects.get(instrument__title=TITLE)
    made = Administration.objects.create(
        instrument=base.instrument,
        system=world.system,
        window="eoy",
        school_year=2018,
        anonymous=anonymous,
        opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 9, 30),
    )
    return made


def post(client: Any, made: Administration, value: str | None, *, submit: bool) -> Any:
    item = made.instrument.items.get()
    data = {"submit" if submit else "save": "1"}
    if value is not None:
        data[f"item_{item.pk}"] = value
    return client.post(f"/surveys/administrations/{made.pk}/respond/", data)


@time_machine.travel(OPEN_DAY)
def test_a_draft_resumes_and_a_second_answer_replaces_the_first(world: World) -> None:
    made = administration(world, anonymous=False)
    client = world.client("teacher")
    url = f"/surveys/administrations/{made.pk}/respond/"
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200, page[page.find("<main") :][:800]
    assert "We plan together." in page and "Strongly agree" in page and "<fieldset" in page
    assert post(client, made, "3", submit=False).status_code == 302
    draft = Submission.objects.get(administration=made)
    assert draft.person == world.teacher_person and draft.submitted_at is None
    assert impact_report(system=world.system, year=2018)["conditions"]["schools_rated_eoy"] == 0
    # Back later: the saved answer is ticked.
    item = made.instrument.items.get()
    resumed = client.get(url).content.decode()
    assert re.search(rf'<input[^>]*name="item_{item.pk}"[^>]*value="3"[^>]*checked', resumed)
    post(client, made, "4", submit=True)
    post(client, made, "2", submit=True)
    submission = Submission.objects.get(administration=made)
    assert submission.submitted_at is not None
    assert [r.value for r in submission.responses.all()] == [2]
    assert impact_report(system=world.system, year=2018)["conditions"]["schools_rated_eoy"] == 1


@time_machine.travel(OPEN_DAY)
def test_submitting_needs_every_answer_and_then_writes_nothing(world: World) -> None:
    made = administration(world, anonymous=False)
    response = post(world.client("teacher"), made, None, submit=True)
    assert response.status_code == 200
    assert "Answer this question before you submit." in response.content.decode()
    assert not Submission.objects.filter(administration=made).exists()


@time_machine.travel(OPEN_DAY)
def test_an_anonymous_answer_keeps_no_link_to_its_respondent(world: World) -> None:
    """S7: after an anonymous web answer, nothing in the database links the submission to the
    person (no person, no key, no moment), who answered is kept apart (a Participation with no
    submission and no time), the draft that held the person is gone, and a second submission is
    refused rather than counted or matched to the first."""
    made = administration(world, anonymous=True)
    client = world.client("teacher")
    page = client.get(f"/surveys/administrations/{made.pk}/respond/").content.decode()
    assert "Once you submit, your answers cannot be changed" in page
    post(client, made, "2", submit=False)
    draft = Submission.objects.get(administration=made)
    assert draft.person == world.teacher_person and draft.submitted_at is None
    post(client, made, "1", submit=True)
    submission = Submission.objects.get(administration=made)  # the draft is gone
    assert submission.pk != draft.pk and submission.person is None
    assert submission.submitted_at == OPEN_DAY.date()
    # The submission's own columns: none can point to a person or to a moment.
    columns = {f.name: f for f in Submission._meta.concrete_fields}
    assert set(columns) == {"id", "administration", "school", "person", "source", "submitted_at"}
    assert type(columns["submitted_at"]) is models.DateField
    assert [r.value for r in submission.responses.all()] == [1]
    # Who answered: kept apart, with nothing of the submission (no id, no time, a random key).
    participation = Participation.objects.get(administration=made)
    assert participation.person == world.teacher_person
    assert {f.name for f in Participation._meta.concrete_fields} == {
        "id",
        "administration",
        "person",
    }
    assert isinstance(participation.pk, uuid.UUID)
    # The audit events name no one and carry nothing that matches a submission.
    events = AuditEvent.objects.filter(object_id=str(made.pk), action__startswith="responses.")
    assert events.count() == 2 and not events.filter(actor__isnull=False).exists()
    assert {e.actor_label for e in events} == {"anonymous respondent"}
    assert all(not e.after and str(submission.pk) != e.object_id for e in events)
    # A second submission is refused: the page says so and nothing changes.
    page = client.get(f"/surveys/administrations/{made.pk}/respond/").content.decode()
    assert "You have answered this survey." in page and "<fieldset" not in page
    assert "can be neither shown to you nor changed" in page
    again = post(client, made, "4", submit=True)
    assert again.status_code == 302
    assert (
        "You have already answered this anonymous survey." in client.get(again.url).content.decode()
    )
    with pytest.raises(ValidationError):
        web_answers_save(
            actor=world.users["teacher"],
            administration=made,
            school=world.school,
            answers={made.instrument.items.get(): (Decimal(4), "")},
            submit=True,
        )
    assert Submission.objects.filter(administration=made).count() == 1
    assert [r.value for r in Submission.objects.get(administration=made).responses.all()] == [1]
    assert Participation.objects.filter(administration=made).count() == 1
    home = client.get("/").content.decode()
    assert "answered</li>" in home and "you may change your answers" not in home


def test_outside_the_window_or_the_population_the_form_is_not_found(world: World) -> None:
    made = administration(world, anonymous=False)
    url = f"/surveys/administrations/{made.pk}/respond/"
    with time_machine.travel(datetime.datetime(2025, 10, 1, 12, tzinfo=datetime.UTC)):
        assert world.client("teacher").get(url).status_code == 404
        assert post(world.client("teacher"), made, "3", submit=True).status_code == 404
    with time_machine.travel(OPEN_DAY):
        assert world.client("teacher").get(url).status_code == 200
        for key in ("admin_b", "nobody"):  # another system; no person record
            assert world.client(key).get(url).status_code == 404
    assert not Submission.objects.filter(administration=made).exists()


def test_an_administrator_opens_the_web_form(world: World) -> None:
    surveyed(world)
    made = Administration.objects.get(instrument__title=TITLE)
    client = world.client("admin")
    detail = client.get(f"/surveys/administrations/{made.pk}/").content.decode()
    assert "Change when the web form is open" in detail
    assert (
        "Change when"
        not in world.client("leader").get(f"/surveys/administrations/{made.pk}/").content.decode()
    )
    response = client.post(
        f"/surveys/administrations/{made.pk}/window/",
        {"opens_on": "2017-09-01", "closes_on": "2017-09-30"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.opens_on == datetime.date(2017, 9, 1) and made.closes_on == datetime.date(
        2017, 9, 30
    )
    bad = client.post(
        f"/surveys/administrations/{made.pk}/window/",
        {"opens_on": "2017-09-30", "closes_on": "2017-09-01"},
    )
    assert bad.status_code == 200 and "The form closes after it opens." in bad.content.decode()


def test_the_web_form_window_lies_within_the_school_year(world: World) -> None:
    """M5: a 2017-18 administration's form opens and closes between July 1, 2017 and June 30,
    2018: neither kept open into a later year nor reopened after its year is over."""
    surveyed(world)
    made = Administration.objects.get(instrument__title=TITLE)  # 2017-18
    client = world.client("admin")
    url = f"/surveys/administrations/{made.pk}/window/"
    span = "within its school year, July 1, 2017 to June 30, 2018."
    for opens, closes in (
        ("2017-09-01", "2019-12-01"),  # kept open past the year
        ("2018-09-01", "2018-09-30"),  # reopened after the year
        ("2017-06-01", "2017-09-30"),  # opened before it
    ):
        bad = client.post(url, {"opens_on": opens, "closes_on": closes})
        assert bad.status_code == 200 and span in bad.content.decode(), (opens, closes)
        made.refresh_from_db()
        assert made.opens_on is None and made.closes_on is None
    assert (
        client.post(url, {"opens_on": "2017-07-01", "closes_on": "2018-06-30"}).status_code == 302
    )


@time_machine.travel(OPEN_DAY)
def test_the_form_says_truthfully_who_sees_what(world: World) -> None:
    """S2: an identified knowledge assessment's form says that the person's scores are seen
    with their name (the impact report's people drill-down), not "only as totals"; an identified
    survey's says only totals; an anonymous one's that nothing links the person to the answers.
    And the form is worded for where the person stands (before and after submitting)."""
    knowledge = Instrument.objects.get(system__isnull=True, code="knowledge-template")
    made = administration(world, anonymous=False)
    assessment = Administration.objects.create(
        instrument=knowledge,
        system=world.system,
        window="boy",
        school_year=2026,
        opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 9, 30),
    )
    client = world.client("teacher")

    def page(of: Administration) -> str:
        return html.unescape(
            client.get(f"/surveys/administrations/{of.pk}/respond/").content.decode()
        )

    text = page(assessment)
    assert "seen only as totals" not in text
    assert "Your score per subject, computed from them, is seen with your name" in text
    assert "talent office" in text
    survey = page(made)
    assert "They are shown to no one, only in totals over at least 5 people." in survey
    assert "You can save your answers and finish later." in survey
    post(client, made, "3", submit=True)
    after = page(made)
    assert "You can save your answers and finish later" not in after
    assert "You have submitted your answers. You may change them until the form closes" in after
    made.pk, made.anonymous = None, True
    made.save()
    anonymous = page(made)
    assert "with nothing linking the two" in anonymous
