"""The whole path of an evaluation cycle through its pages: configure → self-assess → goals →
mid-year → summative → sign-off refused while unrated → sign-off → acknowledge with a response
→ edits refused and audited; and who reads it (the evaluator chain and the evaluatee only)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.coaching.world import PAULA_NOTES
from tests.evaluations.world import cycle_dates, world_version
from trellis.core.models import AuditEvent
from trellis.evaluations.models import Evaluation, EvaluationCycle
from trellis.evaluations.selectors import competencies
from trellis.ratings.models import Rating, RatingRound

pytestmark = pytest.mark.django_db


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def login(client: Client, world, who: str) -> Client:
    client.force_login(world.users[who])
    return client


def rubric_data(evaluation: Evaluation, prefix: str, *, skip_last: bool = False) -> dict:
    levels, rows = competencies(evaluation.cycle.version)
    items = [row["item"] for row in rows]
    if skip_last:
        items = items[:-1]
    data = {}
    for n, item in enumerate(items):
        data[f"{prefix}-level_{item.pk}"] = str(levels[n % len(levels)].pk)
        data[f"{prefix}-evidence_{item.pk}"] = f"Evidence {n} seen on walkthroughs"
    return data


def test_configure_walk_sign_off_acknowledge_and_lock(world, client):
    from django.utils import timezone

    # Configure: the administrator opens a cycle for principals.
    login(client, world, "admin")
    dates = cycle_dates(timezone.localdate())
    data = {
        "title": "Principal evaluation B",
        "school_year": "2027-28",
        "population": "principal",
        "version": str(world_version(world).pk),
        **{k: v.isoformat() for k, v in dates.items()},
    }
    bad = client.post("/evaluations/cycles/new/", {**data, "midyear_due": "2000-01-01"})
    assert bad.status_code == 400
    assert "stages run in order" in bad.content.decode()
    response = client.post("/evaluations/cycles/new/", data)
    assert response.status_code == 302
    cycle = EvaluationCycle.objects.get(title="Principal evaluation B")
    evaluation = Evaluation.objects.get(cycle=cycle, evaluatee=world.principal_person)
    assert evaluation.evaluator == world.users["evaluator"].person
    assert evaluation.round.purpose == "evaluation" and evaluation.stage == "self_assessment"
    assert client.get("/evaluations/cycles/").content.decode().count("Principal evaluation B")
    # The same population and year again is refused by name (the walk saw every principal
    # given a second evaluation for one year); nothing is made.
    again = client.post("/evaluations/cycles/new/", {**data, "title": "Principal evaluation C"})
    assert again.status_code == 400
    assert "already has a 2027-28 cycle: “Principal evaluation B”" in again.content.decode()
    assert not EvaluationCycle.objects.filter(title="Principal evaluation C").exists()
    url = f"/evaluations/{evaluation.pk}/"

    # Self-assessment by Paula.
    paula = login(Client(), world, "principal")
    assert "Submit my self-assessment" in paula.get(url).content.decode()
    # A partial self-assessment is refused on the form, naming what is unrated; nothing kept.
    partial = paula.post(url + "self-assessment/", rubric_data(evaluation, "self", skip_last=True))
    assert partial.status_code == 400
    assert "Rate every competency before submitting your self-assessment" in body(partial)
    assert "Evidence 0 seen on walkthroughs" in body(partial)  # what was typed is still there
    assert not Rating.objects.filter(round=evaluation.round, purpose="self_assessment").exists()
    evaluation.refresh_from_db()
    assert evaluation.self_assessed_at is None
    assert paula.post(url + "self-assessment/", rubric_data(evaluation, "self")).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.stage == "goals"
    assert Rating.objects.filter(round=evaluation.round, purpose="self_assessment").exists()

    # Goals, linked to competencies.
    item = competencies(cycle.version)[1][0]["item"]
    response = paula.post(
        url + "goals/",
        {"goal_1_text": "Lead weekly data meetings", "goal_1_competencies": [str(item.pk)]},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.stage == "midyear"
    assert list(evaluation.goals.get().competencies.all()) == [item]

    # Mid-year review by Eve; Paula may not write it.
    eve = login(Client(), world, "evaluator")
    assert paula.post(url + "mid-year/", {"notes": "mine"}).status_code == 403
    assert eve.post(url + "mid-year/", {"notes": "Data meetings started."}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.stage == "summative"

    # Summative with one competency unrated: sign-off refused, naming it.
    eve.post(url + "summative/", rubric_data(evaluation, "summative", skip_last=True))
    last = competencies(cycle.version)[1][-1]["item"]
    # The draft is Eve's alone: Paula does not see it.
    assert "shown after sign-off" in paula.get(url).content.decode()
    response = eve.post(url + "sign-off/", follow=True)
    page = response.content.decode()
    assert "Rate every competency before signing off" in page
    assert str(last.human_coding_scheme or last.full_statement)[:20] in page
    evaluation.refresh_from_db()
    assert evaluation.signed_off_at is None

    # Rated in full: sign-off locks the evaluation and its round.
    eve.post(url + "summative/", rubric_data(evaluation, "summative"))
    eve.post(url + "sign-off/")
    evaluation.refresh_from_db()
    assert evaluation.is_locked and evaluation.stage == "acknowledgement"
    assert evaluation.round.state == RatingRound.State.LOCKED
    assert not Rating.objects.filter(round=evaluation.round, is_draft=True).exists()
    assert "Evidence 0 seen on walkthroughs" in paula.get(url).content.decode()

    # Acknowledgement with a response.
    response = paula.post(url + "acknowledge/", {"response": "I disagree on one rating."})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.stage == "complete" and evaluation.response == "I disagree on one rating."
    assert "I disagree on one rating." in eve.get(url).content.decode()

    # Locked: every edit refused with the reason, and the attempt audited.
    before = AuditEvent.objects.filter(action="evaluation.change_refused").count()
    response = eve.post(url + "summative/", rubric_data(evaluation, "summative"), follow=True)
    # The day as the pages write it (Nov 30, 2026), not YYYY-MM-DD.
    assert re.search(
        r"signed off on [A-Z][a-z]{2} \d{1,2}, \d{4} and is\s+locked", response.content.decode()
    )
    # Reloading the refused POST's URL (a GET) goes back to the evaluation, not a 405.
    again = eve.get(url + "summative/")
    assert again.status_code == 302 and again["Location"] == url
    eve.post(url + "mid-year/", {"notes": "Changed my mind."})
    paula.post(url + "goals/", {"goal_1_text": "Another"})
    paula.post(url + "acknowledge/", {"response": "Second thoughts"})
    assert AuditEvent.objects.filter(action="evaluation.change_refused").count() == before + 4
    evaluation.refresh_from_db()
    assert evaluation.midyear_notes == "Data meetings started."
    assert evaluation.response == "I disagree on one rating."
    assert AuditEvent.objects.filter(action="evaluation.sign_off").exists()


def test_who_reads_an_evaluation(world, client):
    """The evaluator, the supervisor above and the administrator read it; the evaluatee reads
    her own; her coach and her school's district leader are refused (403); another system and a
    supervisor who is not hers do not find it (404)."""
    url = f"/evaluations/{world.coaching['evaluation']}/"
    expected = {
        "evaluator": 200,
        "supervisor": 200,
        "admin": 200,
        "principal": 200,
        "coach": 403,
        "leader": 403,
        "supervisor_south": 404,
        "admin_b": 404,
    }
    for who, status in expected.items():
        assert login(Client(), world, who).get(url).status_code == status, who
        listing = login(Client(), world, who).get("/evaluations/?format=csv")
        if listing.status_code == 200:
            shown = "Paula" in body(listing)
            assert shown == (status == 200), who


def test_coaching_notes_never_on_evaluation_pages(world, client):
    eve = login(client, world, "evaluator")
    evaluation = world.coaching["evaluation"]
    for url in (
        f"/evaluations/{evaluation}/",
        "/evaluations/",
        "/evaluations/?format=csv",
        "/",
        f"/api/v1/evaluations/{evaluation}",
        "/api/v1/evaluations",
    ):
        response = eve.get(url)
        assert response.status_code == 200, url
        text = body(response)
        assert "Paula" in text, url
        assert PAULA_NOTES not in text, url


def test_home_panels(world, client):
    eve = login(client, world, "evaluator")
    home = eve.get("/").content.decode()
    assert "Evaluations you conduct" in home and "Paula Prince" in home
    paula = login(Client(), world, "principal").get("/").content.decode()
    assert "Your evaluation" in paula and "self-assessment is asked" in paula
    assert "overdue" in paula  # the self-assessment was due 30 days ago
    coach = login(Client(), world, "coach").get("/").content.decode()
    assert "Evaluations you conduct" not in coach
    # Once nothing is asked of her, the panel stays, with the way back to her evaluations
    # (issue 10 walk: a principal could not find a completed evaluation again).
    Evaluation.objects.filter(evaluatee=world.principal_person).update(stage="complete")
    paula = login(Client(), world, "principal").get("/").content.decode()
    assert "Nothing is asked of you now." in paula
    assert 'href="/evaluations/">All your evaluations</a>' in paula
    assert "Your evaluation" not in coach


def test_the_generic_round_pages_leave_an_evaluation_round_alone(world, client):
    """An evaluation's rating round moves only through the evaluation's stages: the generic
    round pages neither list it (nor the home panel of open rounds) nor open, rate or lock it."""
    evaluation = Evaluation.objects.select_related("round").get(pk=world.coaching["evaluation"])
    round_ = evaluation.round
    assert round_.run_by == "evaluations"
    subject = round_.subjects.get()
    for who, status in {"evaluator": 403, "principal": 403, "admin": 403, "admin_b": 404}.items():
        c = login(Client(), world, who)
        assert round_.title not in body(c.get("/rounds/")), who
        assert round_.title not in body(c.get("/")), who
        assert c.get(f"/rounds/{round_.pk}/").status_code == status, who
        assert c.get(f"/rounds/{round_.pk}/subjects/{subject.pk}/rate/").status_code == status
        assert c.post(f"/rounds/{round_.pk}/advance/").status_code == status, who
    round_.refresh_from_db()
    assert round_.state == RatingRound.State.OPEN and round_.locked_at is None
    # The evaluation's own page still opens for its evaluator.
    assert (
        login(Client(), world, "evaluator").get(f"/evaluations/{evaluation.pk}/").status_code == 200
    )
