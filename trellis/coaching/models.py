"""Coaching sessions on the backbone's assignments (issue 10, first slice).

A session is held by a coach (or a supervisor, coaching their caseload) with one coachee on
their caseload: date, length, mode, focus competencies from the framework the coachee's system
uses, the protocol followed, notes (non-evaluative: see docs/decisions.md) and next steps, each
owned by one of the two and carried over to later sessions until done. The coachee comments on
their sessions and may share one with their supervisor and evaluator.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from trellis.core.models import TimeStampedModel


class Protocol(TimeStampedModel):
    """A coaching protocol of a system's library; without a system, a built-in protocol that
    every system uses and none edits."""

    system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # One step per line, in order.
    steps = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"),
                "system",
                name="protocol_name_unique_in_system",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.system_id is None

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual"
    WALKTHROUGH = "walkthrough", "Walkthrough"
    OBSERVATION = "observation", "Observation"


class CoachingSession(TimeStampedModel):
    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="sessions_led"
    )
    coachee = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="coaching_sessions"
    )
    # The caseload assignment (coaching or supervision) the session was held under.
    assignment = models.ForeignKey(
        "assignments.Assignment", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=20, choices=Mode.choices)
    protocol = models.ForeignKey(
        Protocol, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    focus = models.ManyToManyField("frameworks.FrameworkItem", blank=True, related_name="+")
    # Non-evaluative notes: read by the session's coach, the coachee's coaches and the coachee;
    # by the coachee's supervisor and evaluator only when the coachee shared the session.
    notes = models.TextField(blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(coach=F("coachee")), name="coaching_session_not_with_self"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=600),
                name="coaching_session_minutes_range",
            ),
        ]
        indexes = [
            models.Index(fields=["coachee", "-held_on"], name="session_coachee_held"),
            models.Index(fields=["coach", "-held_on"], name="session_coach_held"),
            models.Index(fields=["system", "-held_on"], name="session_system_held"),
        ]

    def __str__(self) -> str:
        return f"Session with {self.coachee} on {self.held_on:%b %-d, %Y}"

    @property
    def is_shared(self) -> bool:
        return self.shared_at is not None


class NextStep(TimeStampedModel):
    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="next_steps"
    )
    text = models.CharField(max_length=500)
    # The coach or the coachee of the session (services.session_log checks).
    owner = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["session", "done_on"], name="next_step_session_done")]

    def __str__(self) -> str:
        return self.text[:80]


class SessionComment(TimeStampedModel):
    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author}"


class CoachingSettings(TimeStampedModel):
    """A system's coaching settings: after how many weeks without a session a person on a
    caseload shows as "not seen"."""

    system = models.OneToOneField("orgs.System", on_delete=models.CASCADE, related_name="+")
    unseen_weeks = models.PositiveSmallIntegerField(default=3)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unseen_weeks__gte=1) & Q(unseen_weeks__lte=52),
                name="coaching_unseen_weeks_range",
            )
        ]

    def __str__(self) -> str:
        return f"Coaching settings of {self.system}"


DEFAULT_UNSEEN_WEEKS = 3
