"""The web response form: resumable drafts that count nowhere, a second answer that replaces the
first within the window, anonymous answers that name nobody, and a 404 for anyone the
administration does not ask or once it has closed."""

from __future__ import annotations

import datetime
import re
from typing import Any

import time_machine

from tests.conftest import World
from tests.surveys.world import TITLE, surveyed
from trellis.core.models import AuditEvent
from trellis.surveys.impact import impact_report
from trellis.surveys.models import Administration, Submission

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
def test_an_anonymous_answer_names_nobody_and_still_replaces_itself(world: World) -> None:
    made = administration(world, anonymous=True)
    client = world.client("teacher")
    post(client, made, "1", submit=True)
    post(client, made, "4", submit=True)
    submission = Submission.objects.get(administration=made)
    assert submission.person is None and submission.respondent_key
    # An opaque 64-hex key, not the person's id or e-mail.
    assert re.fullmatch("[0-9a-f]{64}", submission.respondent_key)
    assert [r.value for r in submission.responses.all()] == [4]
    events = AuditEvent.objects.filter(action="responses.submit")
    assert events.count() == 2 and not events.filter(actor__isnull=False).exists()
    assert "teacher@" not in " ".join(events.values_list("actor_label", flat=True))


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
        {"opens_on": "2025-09-01", "closes_on": "2025-09-30"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.opens_on == datetime.date(2025, 9, 1) and made.closes_on == datetime.date(
        2025, 9, 30
    )
    bad = client.post(
        f"/surveys/administrations/{made.pk}/window/",
        {"opens_on": "2025-09-30", "closes_on": "2025-09-01"},
    )
    assert bad.status_code == 200 and "The form closes after it opens." in bad.content.decode()
