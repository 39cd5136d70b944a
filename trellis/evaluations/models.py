"""Supervision and evaluation cycles (issue 10).

An EvaluationCycle is what the system configures: a school year, a population (principals…),
the framework version rated, and a deadline per stage (self-assessment, goal setting and the
mid-year review are optional; the summative rating and the acknowledgement are not). Each
evaluatee's Evaluation is a rating round of the ratings engine (purpose evaluation, one subject,
the evaluator and the evaluatee as raters): the self-assessment and the summative ratings are
that round's Ratings, so there is no second ratings store. Sign-off submits the evaluator's
ratings and locks the round; from then on nothing changes but the evaluatee's acknowledgement.
"""

from __future__ import annotations

import datetime

from django.db import models

from trellis.core.models import TimeStampedModel


class Stage(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", "Self-assessment"
    GOALS = "goals", "Goal setting"
    MIDYEAR = "midyear", "Mid-year review"
    SUMMATIVE = "summative", "Summative rating"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    COMPLETE = "complete", "Complete"


class EvaluationCycle(TimeStampedModel):
    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    school_year = models.CharField(max_length=9)  # "2025-26"
    population = models.CharField(max_length=30)  # a people.PositionKind
    version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    opens_on = models.DateField()
    # An optional stage without a deadline is not part of the cycle.
    self_assessment_due = models.DateField(null=True, blank=True)
    goals_due = models.DateField(null=True, blank=True)
    midyear_due = models.DateField(null=True, blank=True)
    summative_due = models.DateField()
    acknowledgement_due = models.DateField()
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["system", "school_year"], name="cycle_system_year")]

    def __str__(self) -> str:
        return self.title

    def due_on(self, stage: str) -> datetime.date | None:
        deadlines: dict[str, datetime.date | None] = {
            Stage.SELF_ASSESSMENT: self.self_assessment_due,
            Stage.GOALS: self.goals_due,
            Stage.MIDYEAR: self.midyear_due,
            Stage.SUMMATIVE: self.summative_due,
            Stage.ACKNOWLEDGEMENT: self.acknowledgement_due,
        }
        return deadlines.get(stage)

    def stages(self) -> list[tuple[str, str, datetime.date | None]]:
        """(stage, label, deadline) of the stages this cycle has, in order."""
        return [
            (value, label, self.due_on(value))
            for value, label in Stage.choices
            if value != Stage.COMPLETE and self.due_on(value) is not None
        ]


class Evaluation(TimeStampedModel):
    """One evaluatee's walk through a cycle, on its own rating round."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.PROTECT, related_name="evaluations")
    round = models.OneToOneField(
        "ratings.RatingRound", on_delete=models.PROTECT, related_name="evaluation"
    )
    evaluatee = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The current stage and its deadline, kept by the services (lists filter and sort on them).
    stage = models.CharField(max_length=20, choices=Stage.choices)
    due_on = models.DateField(null=True, blank=True)
    self_assessed_at = models.DateTimeField(null=True, blank=True)
    goals_set_at = models.DateTimeField(null=True, blank=True)
    midyear_notes = models.TextField(blank=True)
    midyear_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # An evaluatee without an account acknowledges a signed paper copy; the evaluator records it
    # (the day it was signed, the response transcribed) and the audit trail names who did.
    acknowledged_on_paper = models.BooleanField(default=False)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "evaluatee__family_name", "evaluatee__given_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "evaluatee"], name="evaluation_once"),
        ]
        indexes = [
            models.Index(fields=["evaluator", "stage"], name="evaluation_evaluator"),
            models.Index(fields=["evaluatee", "stage"], name="evaluation_evaluatee"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.evaluatee}"

    @property
    def is_locked(self) -> bool:
        return self.signed_off_at is not None


class Goal(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField()
    competencies = models.ManyToManyField("frameworks.FrameworkItem", blank=True, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]
