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
from django.utils import timezone

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

    @property
    def is_overdue(self) -> bool:
        """Open past its due date (shown beside the step: a step 17 months old is not just
        "open")."""
        return (
            self.done_on is None and self.due_on is not None and self.due_on < timezone.localdate()
        )


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
    # Captions (a WebVTT file, kept in the same private storage and served by the same
    # authorized check), for an uploaded video only.
    captions = models.FileField(storage=_video_storage, upload_to="captions/%Y/%m/", blank=True)
    captions_added_at = models.DateTimeField(null=True, blank=True)
    # The video's length in whole seconds (rounded up) when known: read from the file's header
    # at upload (MP4 `mvhd`, WebM `Duration`), else reported once by the player of a coach or
    # coachee (the comment form's hidden field). A comment's moment may not pass it.
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    duration_source = models.CharField(
        max_length=10, blank=True, choices=[("file", "the file"), ("player", "the player")]
    )

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

    @property
    def has_captions(self) -> bool:
        return bool(self.captions)

    @property
    def duration_label(self) -> str:
        return seconds_label(self.duration_seconds) if self.duration_seconds is not None else ""


def seconds_label(seconds: int) -> str:
    """m:ss (h:mm:ss past an hour)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


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
        return seconds_label(self.at_seconds)


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


# -- Classroom visits and differentiated support (issue 10, coach-visits) -----------------------


class ClassroomVisit(TimeStampedModel):
    """A principal's (or assistant principal's) visit to a teacher's classroom at their school:
    when, how long, the look-fors (competencies or indicators of the framework the system uses
    for teachers) and the feedback given."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    principal = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="visits_made"
    )
    teacher = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="visits_received"
    )
    visited_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField()
    look_fors = models.ManyToManyField("frameworks.FrameworkItem", blank=True, related_name="+")
    feedback = models.TextField(blank=True)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(principal=F("teacher")), name="classroom_visit_not_self"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=240),
                name="classroom_visit_minutes_range",
            ),
        ]
        indexes = [
            models.Index(fields=["principal", "-visited_at"], name="visit_principal_at"),
            models.Index(fields=["school", "-visited_at"], name="visit_school_at"),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.teacher} on {self.visited_at:%b %-d, %Y}"


class SupportSettings(TimeStampedModel):
    """A system's goal for principals' instructional-leadership time (minutes per week), and
    the framework a classroom visit's look-fors come from."""

    system = models.OneToOneField("orgs.System", on_delete=models.CASCADE, related_name="+")
    leadership_goal_minutes = models.PositiveSmallIntegerField(default=300)
    # The framework of classroom practice whose competencies and indicators are a classroom
    # visit's look-fors; empty: the principal chooses among the frameworks the system uses for
    # teachers (standards first).
    classroom_framework = models.ForeignKey(
        "frameworks.Framework",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(leadership_goal_minutes__gte=1) & Q(leadership_goal_minutes__lte=3000),
                name="support_goal_minutes_range",
            )
        ]

    def __str__(self) -> str:
        return f"Support settings of {self.system}"


DEFAULT_LEADERSHIP_GOAL = 300


class PerformanceBand(models.IntegerChoices):
    """A school's performance band as the district enters it (1 lowest)."""

    BAND_1 = 1, "1 (lowest)"
    BAND_2 = 2, "2"
    BAND_3 = 3, "3"
    BAND_4 = 4, "4 (highest)"


class NeedFlag(TimeStampedModel):
    """A high-need flag the district defines (new principal, turnaround school...)."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), "system", name="need_flag_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SchoolNeedProfile(TimeStampedModel):
    """What the district knows of a school's need: its performance band, attendance rate and
    conditions score (entered, or read from the attendance and survey figures) and flags."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.OneToOneField("orgs.School", on_delete=models.CASCADE, related_name="+")
    performance_band = models.PositiveSmallIntegerField(
        choices=PerformanceBand.choices, null=True, blank=True
    )
    attendance_rate = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    conditions_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    flags = models.ManyToManyField(NeedFlag, blank=True, related_name="profiles")
    # Where each figure comes from (FigureSource) and as of when: the data (the attendance
    # roll-ups, the conditions survey, read through core providers) or entered by hand, which
    # is allowed only for a school the data has no figure for.
    attendance_source = models.CharField(max_length=10, blank=True)
    attendance_as_of = models.DateField(null=True, blank=True)
    attendance_basis = models.CharField(max_length=200, blank=True)
    conditions_source = models.CharField(max_length=10, blank=True)
    conditions_as_of = models.DateField(null=True, blank=True)
    conditions_basis = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Need profile of {self.school}"


class FigureSource(models.TextChoices):
    DATA = "data", "from the data"
    ENTERED = "entered", "entered by hand"


class SupportTier(TimeStampedModel):
    """A support tier and the coaching it plans for each of its schools, in hours a month."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    hours_per_month = models.DecimalField(max_digits=5, decimal_places=1)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-hours_per_month", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), "system", name="support_tier_name_unique"
            ),
            models.UniqueConstraint(
                fields=["system"], condition=Q(is_default=True), name="support_tier_one_default"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_month__gte=0) & Q(hours_per_month__lte=200),
                name="support_tier_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleField(models.TextChoices):
    PERFORMANCE_BAND = "performance_band", "Performance band"
    ATTENDANCE_RATE = "attendance_rate", "Attendance rate (%)"
    CONDITIONS_SCORE = "conditions_score", "Conditions score (1-4)"
    FLAG = "flag", "High-need flag"
    FLAG_COUNT = "flag_count", "Number of high-need flags"


class RuleOperator(models.TextChoices):
    LT = "lt", "is below"
    LTE = "lte", "is at most"
    EQ = "eq", "equals"
    GTE = "gte", "is at least"
    GT = "gt", "is above"
    HAS = "has", "is set"


class TierRule(TimeStampedModel):
    """One ordered rule: when the profile's field compares so with the value (or carries the
    flag), the school gets the tier. The first rule that matches wins; a school no rule matches
    gets the default tier. A rule on a field the profile lacks does not match."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    field = models.CharField(max_length=20, choices=RuleField.choices)
    operator = models.CharField(max_length=5, choices=RuleOperator.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    flag = models.ForeignKey(NeedFlag, null=True, blank=True, on_delete=models.CASCADE)
    tier = models.ForeignKey(SupportTier, on_delete=models.CASCADE, related_name="rules")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["system", "position"], name="tier_rule_position")
        ]

    def __str__(self) -> str:
        what = (
            self.flag.name
            if self.flag is not None
            else f"{self.get_operator_display()} {self.value}"
        )
        return f"{self.get_field_display()} {what} → {self.tier}"


class SchoolTierPeriod(TimeStampedModel):
    """The support tier in force at a school from `starts_on` to `ends_on` (inclusive; open
    while empty), with the hours a month it planned then. Written by the services that change
    what a tier depends on (profiles, rules, tiers, the data's figures), never edited: a change
    ends the open period the day before and starts another. Planned dosage for a month is read
    from the periods in force that month (selectors.planned_hours)."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(
        SupportTier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier_name = models.CharField(max_length=100)
    hours_per_month = models.DecimalField(max_digits=5, decimal_places=1)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["school_id", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(ends_on__isnull=True), name="tier_period_one_open"
            ),
            models.UniqueConstraint(fields=["school", "starts_on"], name="tier_period_start"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="tier_period_dates",
            ),
        ]
        indexes = [models.Index(fields=["school", "starts_on"], name="tier_period_school")]

    def __str__(self) -> str:
        return f"{self.tier_name} at {self.school_id} from {self.starts_on}"
