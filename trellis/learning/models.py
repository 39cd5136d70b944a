"""Professional learning (issue 11, first half): PD sessions and workshops with registration,
a waiting list, attendance and certificates; learning communities (PLCs, content-alike teams,
school leadership teams) with members, a facilitator, cycles and meetings.

A session serves an audience: the whole system's staff (no school, no program), one school's
staff (people holding a position there), or one program's participants. Only that audience
registers (services.registration_create).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from trellis.core.models import TimeStampedModel


class PDSession(TimeStampedModel):
    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    competencies = models.ManyToManyField("frameworks.FrameworkItem", blank=True, related_name="+")
    facilitators = models.ManyToManyField("people.Person", blank=True, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True, verbose_name="online link")
    capacity = models.PositiveIntegerField()
    # The short code attendees type on their phone, valid only around the session's time.
    checkin_code = models.CharField(max_length=8)

    class Meta:
        verbose_name = "PD session"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="pd_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=True) | Q(program__isnull=True),
                name="pd_session_one_audience",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="pd_session_capacity"),
        ]
        indexes = [models.Index(fields=["system", "-starts_at"], name="pd_session_system_start")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%b %-d, %Y})"

    @property
    def audience_label(self) -> str:
        if self.school_id:
            return f"Staff of {self.school}"
        if self.program_id:
            return f"Participants of {self.program}"
        return "All staff of the system"

    @property
    def audience_phrase(self) -> str:
        """The audience inside a sentence ("This session is for staff of Douglass Elementary
        School."): lower case only where ours, the school's or program's name as written."""
        label = self.audience_label
        return label[0].lower() + label[1:]


class Registration(TimeStampedModel):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Registered"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    class Via(models.TextChoices):
        CODE = "code", "Check-in code"
        LIST = "list", "Facilitator's list"

    session = models.ForeignKey(PDSession, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices)
    # When the person joined the list they are on: the waiting list is served in this order.
    registered_at = models.DateTimeField()
    attended_at = models.DateTimeField(null=True, blank=True)
    # When a seat opened for someone on the waiting list (a cancellation, a capacity raised,
    # or the facilitator seating them on the day): the session page tells them they moved up.
    promoted_at = models.DateTimeField(null=True, blank=True)
    checked_in_via = models.CharField(max_length=8, choices=Via.choices, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="registration_once"),
            models.CheckConstraint(
                condition=Q(attended_at__isnull=True) | Q(status="confirmed"),
                name="registration_attended_confirmed",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "registered_at"], name="registration_queue"),
            models.Index(fields=["person", "status"], name="registration_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session.title}"


class Community(TimeStampedModel):
    """A learning community: a PLC, a content-alike team, or a school's leadership team (whose
    meetings record decisions). A community of a school is that school's; without a school,
    the system's."""

    class Kind(models.TextChoices):
        PLC = "plc", "Professional learning community"
        CONTENT = "content", "Content-alike team"
        LEADERSHIP = "leadership", "School leadership team"

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField(blank=True)
    facilitator = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField("people.Person", blank=True, related_name="+")

    class Meta:
        verbose_name_plural = "communities"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="leadership") | Q(school__isnull=False),
                name="community_leadership_has_school",
            ),
        ]
        indexes = [models.Index(fields=["system", "kind"], name="community_system_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leadership(self) -> bool:
        return self.kind == self.Kind.LEADERSHIP


class Cycle(TimeStampedModel):
    """An inquiry cycle of a community: its focus and dates."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="cycles")
    focus = models.CharField(max_length=300)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cycle_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.focus


class Meeting(TimeStampedModel):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="meetings")
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    held_on = models.DateField()
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # Leadership teams record what they decided.
    decisions = models.TextField(blank=True)
    attendees = models.ManyToManyField("people.Person", blank=True, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["community", "-held_on"], name="meeting_community_held")]

    def __str__(self) -> str:
        return f"{self.community} on {self.held_on:%b %-d, %Y}"


class ReportedStudents(TimeStampedModel):
    """How many students a teacher teaches in a school year, as reported by the facilitator of
    a team they are on (or whoever manages the team), for a school whose classes no roster
    holds. The impact report's reach counts it for a teacher with no class on the roster that
    year, and labels its students figure as including reported counts."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The year the school year ends (2018 is 2017-18).
    school_year = models.PositiveSmallIntegerField()
    students = models.PositiveIntegerField()
    # The team on whose page it was reported.
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "reported students"
        ordering = ["-school_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "school_year"], name="reported_students_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.students} students reported for {self.school_year}"
