"""The demo's selection history (trellis/demo/selection.py): every past cohort was chosen by a
cycle whose admitted applicants are its participants, interviewed and decided, letters sent;
the cohort in selection now takes applications, and the demo's roles have something to do."""

from __future__ import annotations

import datetime

from django.test import Client

from trellis.accounts.models import User
from trellis.demo.generator import DEMO_PASSWORD, DemoResult
from trellis.programs.models import Cohort, Participant
from trellis.ratings.models import RatingRound
from trellis.selection.models import Application, Decision, Interview, SelectionCycle

TODAY = datetime.date(2026, 10, 1)


def test_the_demo_has_a_selection_history_and_a_cycle_open_now(demo: DemoResult) -> None:
    result = demo
    assert result.counts["applications"] > 40 and result.counts["interviews"] > 20
    cohorts = list(Cohort.objects.select_related("selection_cycle"))
    assert cohorts and all(hasattr(c, "selection_cycle") for c in cohorts)
    for cohort in cohorts:
        cycle = cohort.selection_cycle
        decisions = Decision.objects.filter(application__cycle=cycle)
        if cohort.state == Cohort.State.SELECTION:
            assert cycle.opens_on < TODAY < cycle.closes_on
            assert not decisions.exists()
            assert Application.objects.filter(cycle=cycle).count() >= 8
            continue
        assert cycle.closes_on < cohort.starts_on
        admitted = set(
            decisions.filter(outcome="admit").values_list("application__applicant_id", flat=True)
        )
        assert admitted == set(
            Participant.objects.filter(cohort=cohort).values_list("person_id", flat=True)
        )
        assert decisions.exclude(outcome="admit").exists()
        assert not decisions.filter(letter_sent_at__isnull=True).exists()
        rounds = RatingRound.objects.filter(
            pk__in=Interview.objects.filter(application__cycle=cycle).values("round_id")
        )
        assert rounds.exists() and not rounds.exclude(state=RatingRound.State.LOCKED).exists()
    # The roles have something real to do: the chair reads a slate, the interviewer an
    # applicant, the teacher their own application.
    current = SelectionCycle.objects.filter(cohort__state=Cohort.State.SELECTION).first()
    assert current is not None

    def client(local: str) -> Client:
        c = Client()
        assert c.login(email=f"{local}@riverbend.example", password=DEMO_PASSWORD)
        return c

    slate = client("programs").get(f"/selection/{current.pk}/")
    assert slate.status_code == 200 and "Ranked slate" in slate.content.decode()
    interviewer = User.objects.get(email="interviewer@riverbend.example")
    panel = Interview.objects.filter(round__raters__rater=interviewer, round__state="open").first()
    assert panel is not None
    teacher = User.objects.get(email="teacher@riverbend.example")
    own = Application.objects.get(cycle=current, applicant_id=teacher.person_id)
    assert client("teacher").get(f"/selection/applications/{own.pk}/").status_code == 200
