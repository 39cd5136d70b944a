"""Coaching sessions on the backbone's assignments (issue 10, first slice).

A session is held by a coach (or a supervisor, coaching their caseload) with one coachee on
their caseload: date, length, mode, focus competencies from the framework the coachee's system
uses, the protocol followed, notes (non-evaluative: see docs/decisions.md) and next steps, each
owned by one of the two and carried over to later sessions until done. The coachee comments on
their sessions and may share one with their supervisor and evaluator.
"""

from __future__ import annotations

from typing import Any

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


# -- Video of practice (issue 10) ----------------------------------------------------------------


def _video_storage() -> Any:
    """Private storage of uploaded videos (settings.TRELLIS_VIDEO_ROOT): no public URL; files
    are served only by the authorized view (coaching.video_views.video_file)."""
    from trellis.coaching.video_storage import video_storage

    return video_storage


class PracticeVideo(TimeStampedModel):
    """A video of a coachee's practice, private to the coaching relationship: an uploaded file
    (kept in private storage) or a link to an https address, never both."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    coachee = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="practice_videos"
    )
    session = models.ForeignKey(
        CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos"
    )
    added_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    file = models.FileField(storage=_video_storage, upload_to="%Y/%m/", blank=True)
    content_type = models.CharField(max_length=50, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    link = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(link="")) | (~Q(file="") & Q(link="")),
                name="practice_video_file_or_link",
            ),
            models.CheckConstraint(
                condition=~Q(coach=F("coachee")), name="practice_video_not_with_self"
            ),
        ]
        indexes = [
            models.Index(fields=["coachee", "-created_at"], name="video_coachee_created"),
            models.Index(fields=["coach", "-created_at"], name="video_coach_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.link)


class VideoComment(TimeStampedModel):
    """A comment at a moment of the video (seconds from the start), tagged to competencies."""

    video = models.ForeignKey(PracticeVideo, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    at_seconds = models.PositiveIntegerField()
    text = models.TextField()
    competencies = models.ManyToManyField("frameworks.FrameworkItem", blank=True, related_name="+")

    class Meta:
        ordering = ["at_seconds", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_seconds__lte=86400), name="video_comment_at_within_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Comment at {self.at_seconds}s by {self.author}"

    @property
    def at_label(self) -> str:
        """m:ss (h:mm:ss past an hour)."""
        hours, rest = divmod(self.at_seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours}:{minutes:02d}:{seconds:02d}"
        return f"{minutes}:{seconds:02d}"


class VideoSettings(TimeStampedModel):
    """A system's limit on uploaded videos; without a row, settings.TRELLIS_VIDEO_MAX_MB."""

    system = models.OneToOneField("orgs.System", on_delete=models.CASCADE, related_name="+")
    max_mb = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_mb__gte=1) & Q(max_mb__lte=20480), name="video_max_mb_range"
            )
        ]

    def __str__(self) -> str:
        return f"Video settings of {self.system}"
