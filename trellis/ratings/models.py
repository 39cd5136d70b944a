"""Ratings (one engine for every purpose) and rating rounds.

A Rating is one rater's judgement of one subject on one competency of a published framework
version, for one purpose. A RatingRound gathers the ratings of a set of subjects by a set of
raters at one time (a selection interview, a conditions administration, an evaluation cycle, a
self-assessment): inside it a rater's ratings are drafts until submitted, the owner records a
consensus, and once locked nothing changes.

The subject is a person, a school or a system: one nullable foreign key per kind with a check
constraint that exactly one is set (`trellis.ratings.subjects` maps kinds to fields). A new
kind of subject (the selection capability's applicants) is a new nullable column on Rating and
RoundSubject, a new entry in `subjects.SUBJECT_KINDS` and a widened check constraint.
"""

from __future__ import annotations

from django.db import models

from trellis.core.models import TimeStampedModel


def _one_subject(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            models.Q(
                subject_person__isnull=False,
                subject_school__isnull=True,
                subject_system__isnull=True,
            )
            | models.Q(
                subject_person__isnull=True,
                subject_school__isnull=False,
                subject_system__isnull=True,
            )
            | models.Q(
                subject_person__isnull=True,
                subject_school__isnull=True,
                subject_system__isnull=False,
            )
        ),
        name=name,
    )


class Purpose(models.TextChoices):
    SELECTION = "selection", "Selection"
    PROGRESS = "progress", "Progress monitoring"
    EVALUATION = "evaluation", "Evaluation"
    CONDITIONS = "conditions", "School conditions"
    SELF_ASSESSMENT = "self_assessment", "Self-assessment"


class RatingRound(TimeStampedModel):
    """A set of subjects rated by a set of raters at one time, run by its owner."""

    class State(models.TextChoices):
        OPEN = "open", "Open for ratings"
        CONSENSUS = "consensus", "Consensus"
        LOCKED = "locked", "Locked"

    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    subject_kind = models.CharField(max_length=10)  # person, school, system (subjects.py)
    version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_label = models.CharField(max_length=254)
    opens_on = models.DateField()
    closes_on = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    locked_at = models.DateTimeField(null=True, blank=True)
    # The app whose own pages run the round (an evaluation cycle: its stages move only there).
    # The generic round pages neither list nor open such a round; empty for the rest.
    run_by = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-opens_on", "-pk"]
        indexes = [models.Index(fields=["system", "state"], name="round_system")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.LOCKED


class RoundSubject(models.Model):
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="subjects")
    subject_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            _one_subject("round_subject_one_subject"),
            models.UniqueConstraint(
                fields=["round", "subject_person", "subject_school", "subject_system"],
                name="round_subject_key",
            ),
        ]

    def __str__(self) -> str:
        return str(self.subject_person or self.subject_school or self.subject_system)


class RoundRater(models.Model):
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="raters")
    rater = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "rater"], name="round_rater_key"),
        ]

    def __str__(self) -> str:
        return f"{self.rater} in {self.round}"


class RoundSubmission(models.Model):
    """A rater has submitted their ratings of one subject of a round: from then on they see the
    other raters' submitted ratings of that subject, and their own are no longer drafts."""

    subject = models.ForeignKey(RoundSubject, on_delete=models.CASCADE, related_name="submissions")
    rater = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "rater"], name="round_submission_key"),
        ]

    def __str__(self) -> str:
        return f"{self.rater} submitted {self.subject}"


class Rating(TimeStampedModel):
    """One rater's judgement of one subject on one competency, for one purpose.

    The single ratings engine: selection scores, progress monitoring, evaluations, conditions
    ratings and self-assessments are all Ratings; the purpose decides who may make and read them.
    The table keeps the name it had in the frameworks app.
    """

    Purpose = Purpose

    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "frameworks.FrameworkItem", on_delete=models.PROTECT, related_name="ratings"
    )
    level = models.ForeignKey(
        "frameworks.PerformanceLevel", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    rater = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rater_label = models.CharField(max_length=254)
    # The kind of rater at the time (coach, supervisor, self…), so a chart draws one line per
    # competency and kind of rater instead of joining a coach's and a supervisor's levels.
    rater_kind = models.CharField(max_length=30, blank=True)
    subject_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_on = models.DateField()
    evidence = models.TextField(blank=True)
    round = models.ForeignKey(
        RatingRound, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    # Inside a round a rater's ratings are drafts (seen by nobody else) until submitted.
    is_draft = models.BooleanField(default=False)
    # The round owner's agreed rating of a subject on a competency.
    is_consensus = models.BooleanField(default=False)

    class Meta:
        db_table = "frameworks_rating"
        ordering = ["rated_on", "pk"]
        constraints = [_one_subject("rating_one_subject")]
        indexes = [
            models.Index(fields=["subject_person", "purpose", "rated_on"], name="rating_person"),
            models.Index(fields=["subject_school", "purpose", "rated_on"], name="rating_school"),
            models.Index(fields=["system", "purpose", "rated_on"], name="rating_system"),
            models.Index(fields=["round", "item"], name="rating_round"),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.level} ({self.get_purpose_display()}, {self.rated_on})"

    @property
    def rater_name(self) -> str:
        """The rater's name (never their e-mail address), from a loaded rater when there is one."""
        from trellis.ratings.subjects import user_name

        if self.is_consensus:
            return f"Consensus ({user_name(self.rater) if self.rater else self.rater_label})"
        return user_name(self.rater) if self.rater_id else self.rater_label
