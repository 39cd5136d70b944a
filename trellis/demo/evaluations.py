"""The demo district's evaluation cycles (issue 10): a principal evaluation each school year of
the last three, on the leadership framework the system uses.

Every principal whose evaluator (their supervisor) has an account takes part. The two earlier
cycles are complete: self-assessment, goals, mid-year notes, summative ratings with evidence,
sign-off and acknowledgement (a few with a response), dated through their year. This year's is
in progress: everyone has assessed themselves and set goals, except the demo principal, whose
self-assessment is overdue (so the evaluator's and the principal's home pages have something to
say). A principal without an account when a cycle opened has no self-assessment (not possible
online: the stage shows so) and their completed evaluations were acknowledged on paper.
Earlier years are written as they would have been, dated in their year (the services date
everything today); this year's cycle is opened through the service. Its own random stream.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignments_bulk_create
from trellis.authz.roles import Relationship
from trellis.demo.coaching import _focus_items
from trellis.evaluations.models import Evaluation, Goal
from trellis.evaluations.services import current_stage, cycle_create
from trellis.frameworks.models import FrameworkItem, PerformanceLevel
from trellis.people.selectors import current_positions
from trellis.ratings.models import Purpose, Rating, RatingRound, RoundSubmission

YEARS = 3
EVIDENCE = [
    "Seen in the spring walkthroughs and the ILT minutes.",
    "Data meetings every two weeks with a clear protocol; follow-up uneven.",
    "Staff survey and two feedback cycles with new teachers.",
    "The master schedule protects intervention blocks this year.",
    "Family night attendance doubled; the attendance team meets weekly.",
]
GOALS = [
    "Lead a data meeting every two weeks with the grade-level teams",
    "Give every new teacher two feedback cycles by December",
    "Protect two hours of instructional leadership time each week",
    "Cut chronic absence by a fifth through the attendance team",
]
RESPONSES = [
    "I would add that the ILT took on more this year than the ratings show.",
    "Thank you; I agree with the goals for next year.",
]


def _when(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _dates(year: int) -> dict[str, datetime.date]:
    return {
        "opens_on": datetime.date(year, 9, 1),
        "self_assessment_due": datetime.date(year, 9, 30),
        "goals_due": datetime.date(year, 10, 15),
        "midyear_due": datetime.date(year + 1, 1, 31),
        "summative_due": datetime.date(year + 1, 5, 31),
        "acknowledgement_due": datetime.date(year + 1, 6, 15),
    }


def evaluation_history(system: Any, *, seed: int, today: datetime.date) -> dict[str, int]:
    rng = random.Random(f"{seed}-evaluations")
    items = _focus_items(system)
    if not items:
        return {}
    version = items[0].version
    levels = list(PerformanceLevel.objects.filter(version=version).order_by("position"))
    this_year = today.year if today.month >= 8 else today.year - 1
    demo_principal = User.objects.filter(email__startswith="principal@").first()
    supervisor = User.objects.filter(email__startswith="supervisor@", person__isnull=False).first()
    made = 0
    for year in range(this_year - YEARS + 1, this_year + 1):
        dates = _dates(year)
        if dates["opens_on"] > today:
            continue
        if year < this_year and supervisor is not None:
            _past_evaluators(system, supervisor.person, dates)
        result = cycle_create(
            actor=None,
            system=system,
            title=f"Principal evaluation {year}-{str(year + 1)[2:]}",
            school_year=f"{year}-{str(year + 1)[2:]}",
            population="principal",
            version=version,
            **dates,
        )
        evaluations = list(
            Evaluation.objects.filter(cycle=result.cycle)
            .select_related("cycle", "round", "evaluatee")
            .order_by("pk")
        )
        for evaluation in evaluations:
            overdue = (
                year == this_year
                and demo_principal is not None
                and evaluation.evaluatee_id == demo_principal.person_id
            )
            _walk(
                evaluation,
                items,
                levels,
                rng,
                today=today,
                complete=year < this_year,
                skip_self=overdue,
            )
            made += 1
    return {"evaluations": made}


def _past_evaluators(system: Any, evaluator: Any, dates: dict[str, datetime.date]) -> None:
    """Supervision assignments start this school year: in earlier years the demo supervisor
    evaluated five of the principals of the time (an evaluation assignment for the cycle)."""
    principals = list(
        current_positions(dates["opens_on"])
        # Still on the staff: a cycle evaluates only active people (one who retired since, as
        # the principals programs' graduates succeed, is not evaluated in a past year's cycle).
        .filter(system=system, kind="principal", person__is_active=True)
        .exclude(person=evaluator)
        .order_by("school_id", "person_id")
        .values_list("person_id", flat=True)
        .distinct()[:5]
    )
    assignments_bulk_create(
        actor=None,
        system=system,
        assignments=[
            Assignment(
                kind=Relationship.EVALUATION,
                supporter=evaluator,
                assignee_id=pk,
                starts_on=dates["opens_on"],
                ends_on=dates["acknowledgement_due"],
            )
            for pk in principals
        ],
    )


def _walk(
    evaluation: Evaluation,
    items: list[FrameworkItem],
    levels: list[PerformanceLevel],
    rng: random.Random,
    *,
    today: datetime.date,
    complete: bool,
    skip_self: bool,
) -> None:
    """The stages this evaluation has been through by today, dated within its cycle."""
    cycle = evaluation.cycle
    raters = {r.rater.person_id: r.rater for r in evaluation.round.raters.select_related("rater")}
    evaluator = raters.get(evaluation.evaluator_id)
    evaluatee = raters.get(evaluation.evaluatee_id)
    subject = evaluation.round.subjects.get()
    base = rng.randrange(1, len(levels) - 1) if len(levels) > 2 else 0

    def rate(rater: Any, purpose: str, day: datetime.date, lift: int) -> None:
        """The rater's submitted ratings of every competency."""
        label = rater.display_name or str(rater.person)
        Rating.objects.bulk_create(
            [
                Rating(
                    system_id=cycle.system_id,
                    version=cycle.version,
                    item=item,
                    level=levels[max(0, min(len(levels) - 1, base + lift + rng.randint(-1, 1)))],
                    purpose=purpose,
                    rater=rater,
                    rater_label=label,
                    rater_kind="self" if purpose == Purpose.SELF_ASSESSMENT else "supervisor",
                    subject_person_id=evaluation.evaluatee_id,
                    rated_on=day,
                    evidence=rng.choice(EVIDENCE),
                    round=evaluation.round,
                )
                for item in items
            ]
        )
        if rater is not None:
            RoundSubmission.objects.create(subject=subject, rater=rater, submitted_at=_when(day))

    assert cycle.self_assessment_due and cycle.goals_due and cycle.midyear_due
    # An evaluatee without an account when the cycle opened (no rater of the round) cannot
    # assess themselves: the stage is "not possible" and holds nothing (docs/decisions.md).
    if (
        evaluatee is not None
        and not skip_self
        and cycle.self_assessment_due - datetime.timedelta(days=10) <= today
    ):
        day = cycle.self_assessment_due - datetime.timedelta(days=rng.randint(0, 9))
        rate(evaluatee, Purpose.SELF_ASSESSMENT, day, 1)
        evaluation.self_assessed_at = _when(day)
    if not skip_self and cycle.goals_due <= today:
        day = cycle.goals_due - datetime.timedelta(days=rng.randint(0, 7))
        for n, text in enumerate(rng.sample(GOALS, 2)):
            goal = Goal.objects.create(evaluation=evaluation, text=text, position=n)
            goal.competencies.set(rng.sample(items, min(2, len(items))))
        evaluation.goals_set_at = _when(day)
    if complete:
        day = cycle.midyear_due - datetime.timedelta(days=rng.randint(0, 14))
        evaluation.midyear_notes = (
            "Goals on track; the data meetings now run without me. "
            "Next: feedback cycles with the two new teachers."
        )
        evaluation.midyear_at = _when(day)
        signed = cycle.summative_due - datetime.timedelta(days=rng.randint(0, 20))
        if evaluator is not None:
            rate(evaluator, Purpose.EVALUATION, signed, 0)
        RatingRound.objects.filter(pk=evaluation.round_id).update(
            state=RatingRound.State.LOCKED, locked_at=_when(signed)
        )
        evaluation.signed_off_at = _when(signed)
        evaluation.signed_off_by = evaluator
        acknowledged = signed + datetime.timedelta(days=rng.randint(2, 12))
        evaluation.acknowledged_at = _when(acknowledged)
        # Without an account, the evaluator recorded the signed paper acknowledgement.
        evaluation.acknowledged_on_paper = evaluatee is None
        if rng.random() < 0.3:
            evaluation.response = rng.choice(RESPONSES)
    evaluation.stage, evaluation.due_on = current_stage(evaluation)
    evaluation.save()
