"""Only the evaluator chain and the evaluatee read an evaluation (issue 10; docs/decisions.md,
branch coach2). The system's administrators follow a cycle's progress (who, which stage, when
due, what is done or overdue) on the pages, in the exports and in the API, never its content:
ratings, evidence, self-assessment, goals, mid-year notes, response."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.evaluations.test_cycle import body, login
from tests.evaluations.world import evaluation_of, signed_off
from trellis.evaluations.services import acknowledge

pytestmark = pytest.mark.django_db

# What tests/evaluations/world.py's walk writes into Paula's evaluation.
CONTENT = ("My own evidence", "Lead the data team", "Halfway there.", "Read, with a reservation")


def _walked(world) -> int:
    signed_off(world)  # self-assessment, goals, mid-year, summative with evidence, sign-off
    acknowledge(
        actor=world.users["principal"],
        evaluation=evaluation_of(world),
        response="Read, with a reservation",
    )
    return int(world.coaching["evaluation"])


def test_the_administrator_sees_the_progress_and_not_the_content_of_the_page(world):
    pk = _walked(world)
    admin = login(Client(), world, "admin")
    page = admin.get(f"/evaluations/{pk}/")
    assert page.status_code == 200
    text = body(page)
    # The progress: whose evaluation, by whom, the stages with their dates and states.
    assert "Paula Prince" in text and "Eve Evaluator" in text
    assert "Summative rating" in text and "done" in text
    assert "Acknowledged by Paula Prince" in text
    assert "You see this evaluation's progress, not its content." in text
    for words in (*CONTENT, "Evidence"):
        assert words not in text, words
    assert "Ratings by competency" not in text
    # Her evaluator reads all of it.
    eve = body(login(Client(), world, "evaluator").get(f"/evaluations/{pk}/"))
    for words in CONTENT:
        assert words in eve, words
    assert "not its content" not in eve


def test_the_administrator_follows_progress_in_the_list_and_its_exports(world):
    _walked(world)
    admin = login(Client(), world, "admin")
    listing = body(admin.get("/evaluations/"))
    assert "Paula Prince" in listing
    exported = body(admin.get("/evaluations/?format=csv"))
    assert "Paula Prince" in exported and "Complete" in exported
    for words in CONTENT:
        assert words not in exported, words


def test_the_api_withholds_the_content_from_the_administrator(world):
    pk = _walked(world)
    got = login(Client(), world, "admin").get(f"/api/v1/evaluations/{pk}").json()
    assert got["evaluatee"] == "Paula Prince" and got["stage"] == "complete"
    assert got["content_shown"] is False
    for field in ("self_assessment", "summative", "goals", "midyear_notes", "response"):
        assert got[field] is None, field
    assert got["competencies"]  # the rubric itself is not the evaluation's content
    listed = login(Client(), world, "admin").get("/api/v1/evaluations").json()
    assert pk in [row["id"] for row in listed["items"]]
    stage = login(Client(), world, "admin").get(f"/api/v1/evaluations/{pk}/summative").json()
    assert stage["status"] == "done" and stage["you_act"] is False
    # The evaluator chain reads it whole.
    for who in ("evaluator", "supervisor", "principal"):
        full = login(Client(), world, who).get(f"/api/v1/evaluations/{pk}").json()
        assert full["content_shown"] is True, who
        assert full["midyear_notes"] == "Halfway there.", who
        assert full["response"] == "Read, with a reservation", who
        assert {r["evidence"] for r in full["self_assessment"]} == {"My own evidence"}, who


def test_evaluation_ratings_are_not_read_by_the_administrator_anywhere(world):
    """The person's ratings page (locked evaluation rounds) and a stage's write."""
    pk = _walked(world)
    url = f"/people/{world.principal_person.pk}/ratings/?purpose="  # every purpose one reads
    admin = login(Client(), world, "admin")
    page = admin.get(url)
    assert page.status_code == 200
    assert "evaluation" not in {r.purpose for r in page.context["ratings"]}
    assert "evaluation" not in dict(page.context["purposes"])
    eve = login(Client(), world, "evaluator").get(url)
    assert "evaluation" in {r.purpose for r in eve.context["ratings"]}
    # Writing a stage is the evaluator's: the administrator is refused, nothing written.
    e = evaluation_of(world)
    before = e.midyear_notes
    assert admin.post(f"/evaluations/{pk}/mid-year/", {"notes": "Admin's view"}).status_code == 403
    e.refresh_from_db()
    assert e.midyear_notes == before


def test_configuring_a_cycle_does_not_make_its_owner_a_reader(world):
    """The administrator who configures a cycle owns its rounds, and still reads no content."""
    from django.utils import timezone

    from tests.evaluations.world import cycle_dates, world_version
    from trellis.evaluations.models import Evaluation
    from trellis.evaluations.services import cycle_create, goals_save

    made = cycle_create(
        actor=world.users["admin"],
        system=world.system,
        title="Principal evaluation 2031",
        school_year="2031-32",
        population="principal",
        version=world_version(world),
        **cycle_dates(timezone.localdate()),
    )
    e = Evaluation.objects.get(cycle=made.cycle, evaluatee=world.principal_person)
    assert e.round.owner_id == world.users["admin"].pk
    Evaluation.objects.filter(pk=e.pk).update(self_assessed_at=timezone.now())
    e.refresh_from_db()
    goals_save(actor=world.users["evaluator"], evaluation=e, goals=[("A private goal", [])])
    page = body(login(Client(), world, "admin").get(f"/evaluations/{e.pk}/"))
    assert "A private goal" not in page and "not its content" in page


def test_the_audit_log_keeps_no_evaluation_content(world):
    """Walk finding (stop 18): the administrator read mid-year notes, goals, the response and
    every signed-off rating in the audit log. Its events say what happened, never what was
    written or rated."""
    from trellis.core.models import AuditEvent

    _walked(world)
    events = AuditEvent.objects.filter(action__regex=r"^(evaluation|round|rating)\.")
    assert events.filter(action="evaluation.midyear").exists()
    assert events.filter(action="evaluation.sign_off").exists()
    text = " ".join(f"{e.before} {e.after}" for e in events)
    for content in CONTENT:
        assert content not in text
    levels = {"Emerging", "Developing", "Proficient", "Exemplary", "Distinguished", "Effective"}
    evaluation_events = events.filter(action__startswith="evaluation.")
    assert not any(level in f"{e.before} {e.after}" for e in evaluation_events for level in levels)
