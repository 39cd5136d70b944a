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
        return f"{self.program}: {self.name}"

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
