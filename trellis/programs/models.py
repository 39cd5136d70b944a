"""Leadership programs (aspiring assistant principal and principal programs, fellowships), their
cohorts by school year, and the people who take part.

A program is owned by one system or by one partner, and serves one or more systems (a system's
own program serves that system). Grants on a program or a cohort (trellis/authz) reach it;
participants are in scope where their cohort is. The selection cycle (applications through
decisions) admits people into a cohort through `services.add_participant`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from trellis.core.models import TimeStampedModel
from trellis.people.models import PositionKind


class Program(TimeStampedModel):
    class Kind(models.TextChoices):
        ASPIRING_AP = "aspiring_ap", "Aspiring assistant principal"
        ASPIRING_PRINCIPAL = "aspiring_principal", "Aspiring principal"
        TEACHER_LEADER_FELLOWSHIP = "teacher_leader_fellowship", "Teacher-leader fellowship"
        PARTNER_FELLOWSHIP = "partner_fellowship", "Partner fellowship"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Exactly one owner: a system runs its own program; a partner runs one for several systems.
    owner_system = models.ForeignKey(
        "orgs.System",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_programs",
    )
    owner_partner = models.ForeignKey(
        "orgs.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_programs",
    )
    # The systems whose staff take part and whose schools graduates are placed in (a system's
    # own program always serves it).
    systems = models.ManyToManyField("orgs.System", related_name="served_programs")
    # The leadership framework the program develops (competencies for interviews and progress).
    framework = models.ForeignKey(
        "frameworks.Framework",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programs",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_system__isnull=False) & Q(owner_partner__isnull=True))
                | (Q(owner_system__isnull=True) & Q(owner_partner__isnull=False)),
                name="program_one_owner",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "owner_system",
                condition=Q(owner_system__isnull=False),
                name="program_name_unique_system",
                violation_error_message="This system already has a program with this name.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "owner_partner",
                condition=Q(owner_partner__isnull=False),
                name="program_name_unique_partner",
                violation_error_message="This partner already has a program with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> object:
        return self.owner_system or self.owner_partner


class Cohort(TimeStampedModel):
    """One intake of a program, for a school year (`school_year` is the year it starts: 2025
    is 2025-26)."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        SELECTION = "selection", "In selection"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200)
    school_year = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PLANNED)

    class Meta:
        ordering = ["program__name", "-school_year", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="cohort_ends_after_start"
            ),
            models.UniqueConstraint(
                Lower("name"),
                "program",
                name="cohort_name_unique_in_program",
                violation_error_message="This program already has a cohort with this name.",
            ),
        ]
        indexes = [models.Index(fields=["program", "-school_year"], name="cohort_program_year")]

    def __str__(self) -> str:
        # "Program — Cohort 4 (2026-27)" when the program is loaded with the cohort (a cohort's
        # name alone, "Cohort 4", says little); never a query for it: the audit log names many
        # cohorts at once.
        if Cohort.program.is_cached(self):
            return f"{self.program.name} — {self.name} ({self.school_year_label})"
        return f"{self.name} ({self.school_year_label})"

    @property
    def full_name(self) -> str:
        """ "Program — Cohort 4", wherever a cohort is named on its own (loads the program)."""
        return f"{self.program.name} — {self.name}"

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}-{(self.school_year + 1) % 100:02d}"


class Participant(TimeStampedModel):
    """A person in a cohort. A withdrawn participant keeps their record."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="program_participations"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # The day the participant completed the program (completed) or left it (withdrawn).
    completed_on = models.DateField(null=True, blank=True)
    career_goal = models.TextField(blank=True)
    goals = models.TextField(blank=True)

    class Meta:
        ordering = ["person__family_name", "person__given_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"],
                name="participant_once_per_cohort",
                violation_error_message="This person is already in this cohort.",
            ),
            models.CheckConstraint(
                condition=Q(status="active", completed_on__isnull=True)
                | (~Q(status="active") & Q(completed_on__isnull=False)),
                name="participant_status_date",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"], name="participant_person_status")]

    def __str__(self) -> str:
        return f"{self.person} ({self.cohort.name})"


class Experience(TimeStampedModel):
    """One item of a program's essential-experience checklist ("lead a data meeting", "run a
    master schedule"). It is due `due_days` after a cohort's first day, so one checklist serves
    every cohort of the program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="experiences")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_days = models.PositiveSmallIntegerField(
        help_text="Days after the cohort's first day by which it should be signed off."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "due_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                "program",
                name="experience_title_unique_in_program",
                violation_error_message="The checklist already has an experience with this title.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class MilestoneTemplate(TimeStampedModel):
    """One milestone of a program's school improvement project template: each new project of
    a participant starts with these milestones, due `offset_days` after their cohort's first
    day (the participant then adjusts them)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="milestone_templates"
    )
    title = models.CharField(max_length=200)
    offset_days = models.PositiveSmallIntegerField(
        help_text="Days after the cohort's first day by which it is due."
    )

    class Meta:
        ordering = ["program", "offset_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("title"),
                "program",
                name="milestone_template_title_unique",
                violation_error_message="The project template already has a milestone with "
                "this title.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ExperienceRecord(TimeStampedModel):
    """A participant's evidence for one experience and its sign-off by their coach or mentor."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="experience_records"
    )
    experience = models.ForeignKey(Experience, on_delete=models.CASCADE, related_name="records")
    evidence_text = models.TextField(blank=True)
    # Stored under MEDIA_ROOT with a random name; served only through the record's own page.
    evidence_file = models.FileField(upload_to="programs/evidence/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    evidence_size = models.PositiveIntegerField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["experience__position", "experience__due_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "experience"], name="experience_record_once"
            ),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True, signed_off_on__isnull=True)
                | Q(signed_off_by__isnull=False, signed_off_on__isnull=False),
                name="experience_sign_off_has_date",
            ),
        ]
        indexes = [models.Index(fields=["experience", "signed_off_on"], name="exp_record_done")]

    def __str__(self) -> str:
        return f"{self.experience}: {self.participant}"


class Project(TimeStampedModel):
    """A participant's school improvement project."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="project"
    )
    title = models.CharField(max_length=200)
    problem_statement = models.TextField(blank=True)
    measure = models.CharField(max_length=200, blank=True)
    baseline = models.CharField(max_length=100, blank=True)
    target = models.CharField(max_length=100, blank=True)
    result = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title


class Milestone(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", done_on__isnull=False)
                | (~Q(status="done") & Q(done_on__isnull=True)),
                name="milestone_done_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PortfolioLink(TimeStampedModel):
    """A link a participant shares to show their portfolio without an account. Only a digest of
    the token is kept; revoking ends it for good."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="portfolio_links"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"Portfolio link of {self.participant_id}"


class Placement(TimeStampedModel):
    """Where a participant went after (or during) the program: a role at a school from a day.
    Recording it starts a position for the person (`position`), so retention follows them."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="placements"
    )
    role = models.CharField(max_length=30, choices=PositionKind.choices)
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    position = models.OneToOneField(
        "people.Position", on_delete=models.PROTECT, related_name="placement"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["participant", "starts_on"], name="placement_start")]

    def __str__(self) -> str:
        return f"{self.participant.person} at {self.school}"
