"""Selection into a cohort: the cycle and its application form, applications with their
uploads, recommendations by e-mailed link, screening, interviews (rating rounds), decisions and
their letters.

Everything here is selection-class (docs/data-model.md): the committee of the cohort reads it
(`selection.deliberations`), an interviewer reads only their applicant's application, the
applicant their own application and, once its letter is sent, their decision.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from trellis.core.models import TimeStampedModel


class SelectionCycle(TimeStampedModel):
    """One selection into one cohort: the application form the program manager configures
    and the window it is open (both days inclusive)."""

    cohort = models.OneToOneField(
        "programs.Cohort", on_delete=models.PROTECT, related_name="selection_cycle"
    )
    title = models.CharField(max_length=200)
    opens_on = models.DateField()
    # The last day an application is taken (inclusive, as every ends_on in Trellis).
    closes_on = models.DateField()
    # The questions applicants answer, in order: [{"text": ..., "required": bool}].
    questions = models.JSONField(default=list, blank=True)
    # The files applicants upload: [{"label": "Résumé", "kind": "document"|"video",
    # "required": bool}].
    uploads = models.JSONField(default=list, blank=True)
    # The framework version interviews and recommendations rate against (published).
    version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="+"
    )
    # The few competencies a recommender rates.
    recommendation_items = models.ManyToManyField(
        "frameworks.FrameworkItem", related_name="+", blank=True
    )
    instructions = models.TextField(blank=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="cycle_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Application(TimeStampedModel):
    class Status(models.TextChoices):
        # Saved by the applicant, not sent: the committee never sees a draft.
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Screening(models.TextChoices):
        PENDING = "", "Not screened"
        PASS = "pass", "Pass"
        HOLD = "hold", "Hold"
        DECLINE = "decline", "Decline"

    cycle = models.ForeignKey(SelectionCycle, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # {"0": "answer to the first question", ...}
    answers = models.JSONField(default=dict, blank=True)
    # Evidence of the applicant's student-outcome track record, in their words.
    track_record = models.TextField()
    principal_name = models.CharField(max_length=200)
    principal_email = models.EmailField()
    # Empty while the application is a draft.
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    screening = models.CharField(
        max_length=10, choices=Screening.choices, default=Screening.PENDING, blank=True
    )

    class Meta:
        ordering = ["applicant__family_name", "applicant__given_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "applicant"],
                name="application_once_per_cycle",
                violation_error_message="You have applied in this cycle already.",
            ),
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_at__isnull=False)
                | (~Q(status="withdrawn") & Q(withdrawn_at__isnull=True)),
                name="application_withdrawn_date",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_date",
            ),
        ]
        indexes = [models.Index(fields=["applicant", "status"], name="application_applicant")]

    def __str__(self) -> str:
        return f"{self.applicant} → {self.cycle}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ApplicationFile(TimeStampedModel):
    """An upload of one of the cycle's file slots (the slot's index and label at the time)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    slot = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=200)
    file = models.FileField(upload_to="selection/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["slot", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "slot"], name="application_file_slot")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.original_name}"


class Recommendation(TimeStampedModel):
    """A recommendation asked of the applicant's principal through an e-mailed link that works
    once and expires. Only the SHA-256 of the link's token is kept."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="recommendation"
    )
    recommender_name = models.CharField(max_length=200)
    recommender_email = models.EmailField()
    # The principal of record it was asked of (a current principal of the applicant's school
    # when the applicant applied); empty when the applicant had none and named someone, which
    # the committee sees flagged (docs/decisions.md).
    recommender_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # When the recommender submitted (the link is spent from then on).
    used_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Recommendation by {self.recommender_name} for {self.application.applicant}"


class RecommendationScore(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey("frameworks.FrameworkItem", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(
        "frameworks.PerformanceLevel", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["item__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "item"], name="recommendation_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.level}"


class ScreeningNote(TimeStampedModel):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="screening_notes"
    )
    author = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254)
    outcome = models.CharField(max_length=10, choices=Application.Screening.choices, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.get_outcome_display()}"


class Interview(TimeStampedModel):
    """An interview of one applicant by a panel: its scores are the ratings of a rating round
    (trellis.ratings) whose one subject is the applicant and whose raters are the panel."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    round = models.OneToOneField("ratings.RatingRound", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    # Grows with every consensus recorded; a consensus names the version it was made from, so
    # that of two committee members recording at once the second sees the first's.
    consensus_version = models.PositiveIntegerField(default=0)
    consensus_by_label = models.CharField(max_length=254, blank=True)
    consensus_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Interview of {self.application.applicant} on {self.held_on:%b %-d, %Y}"


class Decision(TimeStampedModel):
    """The committee's decision on one application. One per application; `version` grows with
    every change, and a change names the version it was made from, so that of two committee
    members deciding at once the second sees the first's decision instead of overwriting it."""

    class Outcome(models.TextChoices):
        ADMIT = "admit", "Admit"
        WAITLIST = "waitlist", "Waitlist"
        DECLINE = "decline", "Decline"

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField()
    version = models.PositiveIntegerField(default=1)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254)
    decided_at = models.DateTimeField()
    letter_sent_at = models.DateTimeField(null=True, blank=True)
    # The letter as it was sent (the applicant reads it on their application's page).
    letter_subject = models.CharField(max_length=200, blank=True)
    letter_body = models.TextField(blank=True)
    # When an admitted applicant became a participant of the cohort.
    enrolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application.applicant}"

    @property
    def state_label(self) -> str:
        """The decision as the applicant reads it."""
        if self.enrolled_at is not None:
            return "Admitted: you are a participant of the cohort"
        return {
            self.Outcome.ADMIT: "Admitted",
            self.Outcome.WAITLIST: "On the waiting list",
            self.Outcome.DECLINE: "Not admitted",
        }[self.Outcome(self.outcome)]

    @property
    def is_final(self) -> bool:
        """Once its letter is sent (or the applicant enrolled) a decision no longer changes."""
        return self.letter_sent_at is not None or self.enrolled_at is not None


class LetterTemplate(TimeStampedModel):
    """The e-mail sent for one outcome of a cycle. `{name}`, `{program}`, `{cohort}` and
    `{reason}` are filled in when it is sent."""

    cycle = models.ForeignKey(SelectionCycle, on_delete=models.CASCADE, related_name="letters")
    outcome = models.CharField(max_length=10, choices=Decision.Outcome.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "outcome"], name="letter_per_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.get_outcome_display()} letter"


class Invitation(TimeStampedModel):
    """An invitation to apply, e-mailed to a member of staff who has no account: its link
    (single use, expiring; only the token's SHA-256 is kept) lets them choose a password."""

    cycle = models.ForeignKey(SelectionCycle, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    invited_by_label = models.CharField(max_length=254)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Invitation of {self.person} to {self.cycle}"
