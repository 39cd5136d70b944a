"""The demo's evaluation cycles: a principal evaluation in each of three school years, the
earlier ones complete and acknowledged, this year's in progress with one overdue."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from trellis.accounts.models import User
from trellis.demo.generator import DemoResult
from trellis.evaluations.models import Evaluation, EvaluationCycle
from trellis.ratings.models import Rating, RatingRound

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_demo_evaluation_cycles(demo: DemoResult) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 12), tick=False):
        result = demo
        cycles = EvaluationCycle.objects.filter(system=result.system)
        assert sorted(cycles.values_list("school_year", flat=True)) == [
            "2024-25",
            "2025-26",
            "2026-27",
        ]
        evaluations = Evaluation.objects.filter(cycle__system=result.system)
        past = evaluations.exclude(cycle__school_year="2026-27")
        assert past.exists() and all(e.stage == "complete" for e in past)
        assert past.exclude(response="").exists()
        assert not RatingRound.objects.filter(evaluation__in=past).exclude(state="locked").exists()
        assert Rating.objects.filter(round__evaluation__in=past, purpose="evaluation").exists()
        current = evaluations.filter(cycle__school_year="2026-27")
        assert current.filter(stage="goals").exists()
        overdue = [e for e in current if e.due_on and e.due_on < TODAY]
        principal = User.objects.get(email="principal@riverbend.example")
        assert [e.evaluatee_id for e in overdue] == [principal.person_id]
        # The supervisor's home shows the overdue evaluation; the principal's asks for it.
        supervisor = Client()
        supervisor.force_login(User.objects.get(email="supervisor@riverbend.example"))
        home = supervisor.get("/").content.decode()
        assert "Evaluations you conduct" in home and "1 overdue" in home
        own = Client()
        own.force_login(principal)
        home = own.get("/").content.decode()
        assert "your self-assessment is asked" in home
        assert own.get(f"/evaluations/{overdue[0].pk}/").status_code == 200
        # An evaluatee without an account (no rater of their evaluation's round) has no
        # self-assessment: they could not have done it online. Their completed evaluations were
        # acknowledged on paper.
        from trellis.ratings.models import RoundRater

        online = RoundRater.objects.filter(round__evaluation__in=evaluations).values_list(
            "round__evaluation", "rater__person_id"
        )
        evaluatee_of = {e.pk: e.evaluatee_id for e in evaluations}
        takes_part = {
            pk
            for pk, person in online
            if person == evaluatee_of[pk]  # the evaluatee rates (the evaluator rates too)
        }
        offline = [e for e in evaluations if e.pk not in takes_part]
        assert offline, "the demo has evaluatees without an account"
        for e in offline:
            assert e.self_assessed_at is None, e
            assert not Rating.objects.filter(round=e.round, purpose="self_assessment").exists()
            if e.acknowledged_at is not None:
                assert e.acknowledged_on_paper, e
        assert any(e.acknowledged_on_paper for e in offline)
        assert not any(e.acknowledged_on_paper for e in evaluations if e.pk in takes_part)
