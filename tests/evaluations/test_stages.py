"""Stages gate each other; deadlines are due dates (docs/decisions.md, 2026-11-30, evaluation
stages). A stage is worked on once the stages before it are complete (and the cycle is open):
the page shows it as not yet open with the reason, the service refuses with that reason, a page
POST answers 409 with it and writes nothing. A deadline gates nothing: a stage past it is shown
as overdue (the evaluation's page, the lists, the cycles with their filter) and still taken; one
done after it is marked late; one done well before it is fine."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.evaluations.test_cycle import body, login, rubric_data
from tests.evaluations.world import (
    goals_set,
    midyear_done,
    rated_in_full,
    self_assessed,
    world_version,
)
from trellis.core.models import AuditEvent
from trellis.evaluations.models import Evaluation, Goal
from trellis.evaluations.selectors import competencies
from trellis.evaluations.services import (
    StageConflict,
    cycle_create,
    goals_save,
    midyear_record,
    self_assessment_submit,
    sign_off,
    summative_save,
)
from trellis.ratings.models import Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(module_world: Any, db: Any) -> Any:
    return module_world  # one World for the module, each test rolled back (see conftest)


def paula_evaluation(world) -> Evaluation:
    return Evaluation.objects.select_related("cycle__version").get(pk=world.coaching["evaluation"])


def full_entries(evaluation: Evaluation, evidence: str = "Seen on walkthroughs") -> list:
    levels, rows = competencies(evaluation.cycle.version)
    return [(row["item"], levels[0], evidence) for row in rows]


def test_services_refuse_a_stage_before_the_ones_before_it(world):
    """In the self-assessment stage the evaluator can neither write the summative rating nor
    sign off, nor the mid-year review; goal setting waits for the self-assessment; each refusal
    names what is missing and writes nothing."""
    eve, paula = world.users["evaluator"], world.users["principal"]
    evaluation = paula_evaluation(world)
    assert evaluation.stage == "self_assessment"
    before = Rating.objects.count(), Goal.objects.count(), AuditEvent.objects.count()

    with pytest.raises(StageConflict) as refused:
        summative_save(actor=eve, evaluation=evaluation, entries=full_entries(evaluation))
    assert refused.value.messages == [
        "The summative rating is not yet open: the self-assessment, goal setting and the "
        "mid-year review are not complete yet."
    ]
    with pytest.raises(StageConflict, match="The summative rating is not yet open"):
        sign_off(actor=eve, evaluation=evaluation)
    with pytest.raises(
        StageConflict,
        match="The mid-year review is not yet open: the self-assessment and goal setting are",
    ):
        midyear_record(actor=eve, evaluation=evaluation, notes="Too early.")
    with pytest.raises(
        StageConflict, match="Goal setting is not yet open: the self-assessment is not complete"
    ):
        goals_save(actor=paula, evaluation=evaluation, goals=[("A goal", [])])
    assert (Rating.objects.count(), Goal.objects.count(), AuditEvent.objects.count()) == before
    evaluation.refresh_from_db()
    assert evaluation.signed_off_at is None and evaluation.midyear_at is None

    # In order, each stage opens as the one before it completes.
    self_assessed(world)
    goals_set(world)
    evaluation = paula_evaluation(world)
    with pytest.raises(StageConflict, match="the mid-year review is not complete yet"):
        summative_save(actor=eve, evaluation=evaluation, entries=full_entries(evaluation))
    midyear_done(world)
    evaluation = paula_evaluation(world)
    summative_save(actor=eve, evaluation=evaluation, entries=full_entries(evaluation))
    sign_off(actor=eve, evaluation=evaluation)
    assert paula_evaluation(world).stage == "acknowledgement"


def test_a_stage_the_cycle_leaves_out_does_not_gate(world):
    """A cycle without goal setting and mid-year review: the summative rating opens once the
    self-assessment is in."""
    from tests.evaluations.world import cycle_dates

    dates = cycle_dates(timezone.localdate())
    made = cycle_create(
        actor=None,
        system=world.system,
        title="Short cycle",
        school_year="2028-29",
        population="principal",
        version=world_version(world),
        **{**dates, "goals_due": None, "midyear_due": None},  # type: ignore[arg-type]
    )
    evaluation = Evaluation.objects.get(cycle=made.cycle, evaluatee=world.principal_person)
    eve, paula = world.users["evaluator"], world.users["principal"]
    with pytest.raises(StageConflict, match="the self-assessment is not complete yet"):
        summative_save(actor=eve, evaluation=evaluation, entries=full_entries(evaluation))
    self_assessment_submit(actor=paula, evaluation=evaluation, entries=full_entries(evaluation))
    evaluation.refresh_from_db()
    summative_save(actor=eve, evaluation=evaluation, entries=full_entries(evaluation))
    sign_off(actor=eve, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.stage == "acknowledgement"


def test_nothing_opens_before_the_cycle_does(world):
    from tests.evaluations.world import cycle_dates

    later = timezone.localdate() + datetime.timedelta(days=70)
    made = cycle_create(
        actor=None,
        system=world.system,
        title="Next cycle",
        school_year="2027-28",
        population="principal",
        version=world_version(world),
        **cycle_dates(later),  # type: ignore[arg-type]
    )
    evaluation = Evaluation.objects.get(cycle=made.cycle, evaluatee=world.principal_person)
    opens = made.cycle.opens_on
    with pytest.raises(StageConflict) as refused:
        self_assessment_submit(
            actor=world.users["principal"],
            evaluation=evaluation,
            entries=full_entries(evaluation),
        )
    assert refused.value.messages == [
        f"The self-assessment is not yet open: the cycle opens on {opens:%Y-%m-%d}."
    ]


def test_pages_show_stages_not_yet_open_and_refuse_their_posts_with_409(world):
    url = f"/evaluations/{world.coaching['evaluation']}/"
    eve = login(Client(), world, "evaluator")
    page = eve.get(url).content.decode()
    # No form for the evaluator's stages, but what they wait for.
    assert "Mid-year review: not yet open." in page
    assert "Summative rating: not yet open." in page
    assert "The self-assessment and goal setting are not complete yet." in page
    assert "Sign off the evaluation" not in page and "Save the mid-year review" not in page
    paula = login(Client(), world, "principal")
    page = paula.get(url).content.decode()
    assert "Goal setting: not yet open." in page and "Save goals" not in page
    assert "Submit my self-assessment" in page

    evaluation = paula_evaluation(world)
    before = Rating.objects.count(), Goal.objects.count(), AuditEvent.objects.count()
    posts = [
        (eve, "summative/", rubric_data(evaluation, "summative")),
        (eve, "sign-off/", {}),
        (eve, "mid-year/", {"notes": "Too early."}),
        (paula, "goals/", {"goal_1_text": "Lead the data team"}),
    ]
    for client, tail, data in posts:
        response = client.post(url + tail, data)
        assert response.status_code == 409, tail
        assert "is not yet open: the self-assessment" in body(response), tail
    assert (Rating.objects.count(), Goal.objects.count(), AuditEvent.objects.count()) == before
    evaluation.refresh_from_db()
    assert evaluation.signed_off_at is None and evaluation.stage == "self_assessment"

    # A locked evaluation's refusals are 409 too (and audited).
    rated_in_full(world)
    sign_off(actor=world.users["evaluator"], evaluation=paula_evaluation(world))
    response = eve.post(url + "mid-year/", {"notes": "Changed my mind."})
    assert response.status_code == 409
    assert "is locked: the mid-year review can no longer change" in body(response)


def test_sign_off_needs_evidence_for_every_competency(world):
    midyear_done(world)
    evaluation = paula_evaluation(world)
    eve = world.users["evaluator"]
    entries = full_entries(evaluation)
    first = entries[0][0]
    entries[0] = (first, entries[0][1], "  ")
    summative_save(actor=eve, evaluation=evaluation, entries=entries)
    with pytest.raises(ValidationError) as refused:
        sign_off(actor=eve, evaluation=evaluation)
    assert not isinstance(refused.value, StageConflict)  # bad input: a 400, not a 409
    assert "Give the evidence for every competency before signing off" in refused.value.messages[0]
    assert (first.human_coding_scheme or first.full_statement)[:20] in refused.value.messages[0]
    response = login(Client(), world, "evaluator").post(f"/evaluations/{evaluation.pk}/sign-off/")
    assert response.status_code == 400
    assert "Without evidence (1)" in body(response)
    evaluation.refresh_from_db()
    assert evaluation.signed_off_at is None


def test_deadlines_are_due_dates_overdue_shown_not_locked(world):
    """The world's self-assessment was due 30 days ago: it shows as overdue to the evaluator
    and the evaluatee, and is still taken (then marked late); the mid-year review, due in ten
    days, is taken early without a mark."""
    url = f"/evaluations/{world.coaching['evaluation']}/"
    for who in ("evaluator", "principal"):
        page = login(Client(), world, who).get(url).content.decode()
        assert "overdue" in page, who
    listing = login(Client(), world, "evaluator").get("/evaluations/?overdue=1").content.decode()
    assert "Paula Prince" in listing

    paula = login(Client(), world, "principal")
    evaluation = paula_evaluation(world)
    response = paula.post(url + "self-assessment/", rubric_data(evaluation, "self"))
    assert response.status_code == 302  # past its deadline, still open
    goals_set(world)
    eve = login(Client(), world, "evaluator")
    assert eve.post(url + "mid-year/", {"notes": "Early and fine."}).status_code == 302
    page = eve.get(url).content.decode()
    # The self-assessment and the goals were done after their deadlines: late; the mid-year
    # review before its own: no mark.
    assert page.count('badge text-bg-warning">late') == 2
    assert "overdue</span>" not in page.split("Ratings by competency")[0]


def test_cycle_list_counts_and_filters_overdue_evaluations(world):
    """The administrator's cycle list: the overdue count links to those evaluations, and the
    filter keeps the cycles with an overdue evaluation."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    cycle_create(
        actor=None,
        system=world.system,
        title="On-time cycle",
        school_year="2029-30",
        population="principal",
        version=world_version(world),
        opens_on=today - day,
        self_assessment_due=today + 10 * day,
        goals_due=today + 20 * day,
        midyear_due=today + 30 * day,
        summative_due=today + 60 * day,
        acknowledgement_due=today + 90 * day,
    )
    admin = login(Client(), world, "admin")
    everything = admin.get("/evaluations/cycles/").content.decode()
    assert "On-time cycle" in everything and "Principal evaluation" in everything
    overdue = admin.get("/evaluations/cycles/?overdue=1")
    assert overdue.status_code == 200
    text = overdue.content.decode()
    assert "Principal evaluation" in text and "On-time cycle" not in text
    assert f"?cycle={world.coaching['evaluation_cycle']}&amp;overdue=1" in text
    exported = body(admin.get("/evaluations/cycles/?overdue=1&format=csv"))
    assert "Principal evaluation" in exported and "On-time cycle" not in exported
