"""Roster records from the SIS (OneRoster) and the runs that import them."""

from __future__ import annotations

from django.db import models

from trellis.core.models import TimeStampedModel
from trellis.people.models import PositionKind


class RosterRecord(TimeStampedModel):
    """Keyed by (system, sourcedId); soft-deleted when it leaves the roster, never removed."""

    # Every roster table is unique on (system, sourced_id), which serves lookups by system:
    # a separate index on system alone only costs each of millions of inserts.
    system = models.ForeignKey(
        "orgs.System", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sourced_id = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True)
    roster_modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class AcademicSession(RosterRecord):
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=40)  # schoolYear, semester, term, gradingPeriod, …
    starts_on = models.DateField()
    ends_on = models.DateField()  # the last day (OneRoster's endDate is inclusive here)
    parent_sourced_id = models.CharField(max_length=255, blank=True)
    school_year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["system", "sourced_id"], name="session_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Course(RosterRecord):
    title = models.CharField(max_length=255)
    course_code = models.CharField(max_length=255, blank=True)
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    grades = models.CharField(max_length=255, blank=True)
    subjects = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["system", "sourced_id"], name="course_key"),
        ]

    def __str__(self) -> str:
        return self.title


class SchoolClass(RosterRecord):
    class Kind(models.TextChoices):
        HOMEROOM = "homeroom", "Homeroom"
        SCHEDULED = "scheduled", "Scheduled"

    title = models.CharField(max_length=255)
    class_code = models.CharField(max_length=255, blank=True)
    class_type = models.CharField(max_length=20, choices=Kind.choices)
    # Indexed by class_school_active (school first).
    school = models.ForeignKey(
        "orgs.School", on_delete=models.PROTECT, related_name="classes", db_index=False
    )
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="classes"
    )
    term_sourced_ids = models.CharField(max_length=1000, blank=True)
    grades = models.CharField(max_length=255, blank=True)
    subjects = models.CharField(max_length=255, blank=True)
    periods = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(fields=["system", "sourced_id"], name="class_key"),
        ]
        indexes = [models.Index(fields=["school", "is_active"], name="class_school_active")]

    def __str__(self) -> str:
        return self.title


class Enrollment(RosterRecord):
    """A teacher or a student in a class. Exactly one of person (staff) or student is set."""

    # Not a database constraint here: checking it costs the metro import's commit a lookup per
    # row (about a sixth of the first import, three million checks of the same one row), and
    # systems are never deleted (PROTECT still guards the ORM). See docs/decisions.md.
    system = models.ForeignKey(
        "orgs.System",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # class, person and student are indexed by the (…, is_active) indexes below, which lead
    # with them; single-column copies would only slow the metro import's 3 million inserts.
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Nothing reads enrollments by school (pages go through classes); an index only for
    # that would cost each of the metro import's 3 million inserts (item 28).
    school = models.ForeignKey(
        "orgs.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    student = models.ForeignKey(
        "students.Student",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    role = models.CharField(max_length=40)
    is_primary = models.BooleanField(default=False)
    begins_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "sourced_id"], name="enrollment_key"),
            models.CheckConstraint(
                condition=models.Q(person__isnull=True, student__isnull=False)
                | models.Q(person__isnull=False, student__isnull=True),
                name="enrollment_one_member",
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "is_active"], name="enrollment_class"),
            # Partial: an enrollment is a person's or a student's, never both, and an index
            # entry for each NULL cost the metro import 3 million inserts for nothing (item 28).
            # Lookups by a person or a student (`= id`, `IN (…)`) imply NOT NULL and use them.
            models.Index(
                fields=["person", "is_active"],
                condition=models.Q(person__isnull=False),
                name="enrollment_person_set",
            ),
            models.Index(
                fields=["student", "is_active"],
                condition=models.Q(student__isnull=False),
                name="enrollment_student_set",
            ),
        ]

    def __str__(self) -> str:
        return self.sourced_id


class RosterState(models.Model):
    """What the roster has told Trellis about a system, as of when.

    `observed_through` is the day of the last complete (bulk) roster import: open positions and
    enrolment windows are known to continue up to that day and no further, so retention and
    forecasts censor them there. A backfilled export (`--as-of`) may not be older than it.
    """

    system = models.OneToOneField(
        "orgs.System", on_delete=models.CASCADE, related_name="roster_state"
    )
    observed_through = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Roster of system {self.system_id} observed through {self.observed_through}"


class RoleMapping(TimeStampedModel):
    """Which Trellis position a OneRoster role at an org type becomes, per system.

    An empty position kind means the role is not recorded as a position (e.g. guardians).
    Coaches and supervisors, which OneRoster lacks, are assigned in Trellis and never touched.
    """

    class OrgType(models.TextChoices):
        ANY = "", "Any organisation"
        SCHOOL = "school", "School"
        DISTRICT = "district", "District"

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    oneroster_role = models.CharField(max_length=40)
    org_type = models.CharField(max_length=20, choices=OrgType.choices, blank=True)
    position_kind = models.CharField(max_length=30, choices=PositionKind.choices, blank=True)

    class Meta:
        ordering = ["oneroster_role", "org_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "oneroster_role", "org_type"], name="rolemapping_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.oneroster_role} at {self.org_type or 'any org'} → {self.position_kind}"


# The import pipeline's run moved to trellis.imports (same table); kept importable here.
from trellis.imports.models import ImportRun  # noqa: E402, F401
