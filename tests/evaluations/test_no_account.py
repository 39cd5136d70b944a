"""An evaluatee without an account (docs/decisions.md, branch coach2): their self-assessment is
"not possible" and holds nothing; the evaluator walks the other stages, signs off, and records
the signed paper acknowledgement (audited). Abe Absent is tests/evaluations/world.py's."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.evaluations.test_cycle import body, login
from tests.evaluations.world import (
    evaluation_of,
    offline_opened,
    offline_signed_off,
    signed_off,
)
from trellis.core.models import AuditEvent
from trellis.evaluations.models import Stage
from trellis.evaluations.selectors import stage_rows
from trellis.evaluations.services import StageConflict

pytestmark = pytest.mark.django_db


def test_the_self_assessment_is_not_possible_and_holds_nothing(world):
    e = offline_opened(world)
    # The stored stage passes over it: goal setting is current, not the self-assessment.
    assert e.stage == Stage.GOALS
    rows = {row.stage: row for row in stage_rows(e)}
    own = rows[Stage.SELF_ASSESSMENT]
    assert own.state == "not_possible" and not own.overdue  # its due date passed 30 days ago
    assert "had no Trellis account when the cycle opened" in own.reason
    assert rows[Stage.GOALS].state == "open"
    page = body(login(Client(), world, "evaluator").get(f"/evaluations/{e.pk}/"))
    assert "not possible: no account" in page
    assert f'action="/evaluations/{e.pk}/goals/"' in page  # Eve sets the goals
    api = login(Client(), world, "evaluator").get(f"/api/v1/evaluations/{e.pk}/self-assessment")
    assert api.json()["status"] == "not_possible"
    assert api.json()["overdue"] is False


def test_the_evaluator_walks_the_stages_and_records_the_paper_acknowledgement(world):
    e = offline_signed_off(world)
    assert e.is_locked and e.stage == Stage.ACKNOWLEDGEMENT
    eve = login(Client(), world, "evaluator")
    page = body(eve.get(f"/evaluations/{e.pk}/"))
    assert "Record the paper acknowledgement" in page
    # Not before the sign-off, not in the future: the form says so and nothing is written.
    day = timezone.localdate()
    too_early = eve.post(
        f"/evaluations/{e.pk}/acknowledge-on-paper/",
        {"signed_on": (day - datetime.timedelta(days=1)).isoformat()},
    )
    assert too_early.status_code == 400
    assert "cannot come before it" in body(too_early)
    e.refresh_from_db()
    assert e.acknowledged_at is None
    done = eve.post(
        f"/evaluations/{e.pk}/acknowledge-on-paper/",
        {"signed_on": day.isoformat(), "response": "Signed; I asked for more walkthroughs."},
    )
    assert done.status_code == 302
    e.refresh_from_db()
    assert e.stage == Stage.COMPLETE and e.acknowledged_on_paper
    assert e.response == "Signed; I asked for more walkthroughs."
    event = AuditEvent.objects.get(action="evaluation.acknowledge_on_paper")
    assert event.actor_id == world.users["evaluator"].pk
    assert (event.after or {})["signed_on"] == day.isoformat()
    page = body(eve.get(f"/evaluations/{e.pk}/"))
    assert "on paper (recorded by the evaluator)" in page
    # A second one is refused (409) and the attempt audited.
    again = eve.post(f"/evaluations/{e.pk}/acknowledge-on-paper/", {"signed_on": day.isoformat()})
    assert again.status_code == 409
    assert AuditEvent.objects.filter(
        action="evaluation.change_refused", after__attempt="paper acknowledgement"
    ).exists()


def test_only_the_evaluator_records_it_and_only_for_an_evaluatee_without_an_account(world):
    from trellis.evaluations.services import acknowledge_on_paper

    e = offline_signed_off(world)
    today = timezone.localdate()
    # The supervisor of the network reads Abe's record but is not his evaluator: 403.
    sam = login(Client(), world, "supervisor")
    refused = sam.post(f"/evaluations/{e.pk}/acknowledge-on-paper/", {"signed_on": today})
    assert refused.status_code == 403
    # Paula has an account: she acknowledges herself; her evaluator cannot do it on paper.
    signed_off(world)
    paula = evaluation_of(world)
    with pytest.raises(StageConflict, match="acknowledges the evaluation themselves"):
        acknowledge_on_paper(
            actor=world.users["evaluator"], evaluation=paula, signed_on=today, response=""
        )
    assert "Record the paper acknowledgement" not in body(
        login(Client(), world, "evaluator").get(f"/evaluations/{paula.pk}/")
    )
    with pytest.raises(ValidationError):
        acknowledge_on_paper(
            actor=world.users["evaluator"],
            evaluation=e,
            signed_on=today + datetime.timedelta(days=1),
            response="",
        )


def test_the_api_records_the_paper_acknowledgement(world):
    e = offline_signed_off(world)
    eve = login(Client(), world, "evaluator")
    stage = eve.get(f"/api/v1/evaluations/{e.pk}/paper-acknowledgement").json()
    assert stage["status"] == "open" and stage["you_act"] is True
    assert "records the signed paper acknowledgement" in stage["note"]
    got = eve.post(
        f"/api/v1/evaluations/{e.pk}/paper-acknowledgement",
        {"signed_on": timezone.localdate().isoformat(), "response": ""},
        content_type="application/json",
    )
    assert got.status_code == 200, got.content
    assert got.json()["stage"] == "complete"


def test_refusals_and_the_audit_log_write_dates_as_the_pages_do(world):
    """The second acknowledgement's refusal (online or on paper: one rule) and the audit log
    give days as "Nov 30, 2026", never YYYY-MM-DD."""
    import re

    from trellis.core.dates import day_text

    e = offline_signed_off(world)
    eve = login(Client(), world, "evaluator")
    day = timezone.localdate()
    eve.post(f"/evaluations/{e.pk}/acknowledge-on-paper/", {"signed_on": day.isoformat()})
    again = eve.post(f"/evaluations/{e.pk}/acknowledge-on-paper/", {"signed_on": day.isoformat()})
    assert again.status_code == 409
    text = body(again)
    assert f"This evaluation was acknowledged on paper on {day_text(day)}" in text
    # A reload of the refused POST's URL is no 405: it goes back to the evaluation.
    reload = eve.get(f"/evaluations/{e.pk}/acknowledge-on-paper/")
    assert reload.status_code == 302 and reload["Location"] == f"/evaluations/{e.pk}/"
    # Paula acknowledges online, then tries again: the same refusal, without "on paper".
    signed_off(world)
    paula_evaluation = evaluation_of(world)
    paula = login(Client(), world, "principal")
    paula.post(f"/evaluations/{paula_evaluation.pk}/acknowledge/", {"response": ""})
    twice = paula.post(f"/evaluations/{paula_evaluation.pk}/acknowledge/", {"response": ""})
    assert f"This evaluation was acknowledged on {day_text(day)}" in body(twice)
    # Edits after sign-off are refused with the day of the sign-off, audited.
    eve.post(f"/evaluations/{e.pk}/mid-year/", {"notes": "Later thoughts."})
    admin = login(Client(), world, "admin")
    log = body(admin.get("/audit/"))
    assert "evaluation.change_refused" in log or "refused" in log
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", log), re.findall(r"\b20\d\d-\d\d-\d\d\S*", log)
