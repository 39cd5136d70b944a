"""The minimal student record. Sensitive: reads are audited and only roles allowed see rows."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from trellis.core.models import TimeStampedModel


class Student(TimeStampedModel):
    # Indexed by student_system_sid and student_school_active, which lead with them.
    system = models.ForeignKey(
        "orgs.System", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.PROTECT, related_name="students", db_index=False
    )
    sourced_id = models.CharField(max_length=255)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    grade = models.CharField(max_length=8, blank=True, help_text="CEDS grade code, e.g. KG, 05.")
    enrolled_on = models.DateField(null=True, blank=True)
    exits_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    roster_modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "sourced_id"],
                condition=~Q(sourced_id=""),
                name="student_sourced_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "is_active"], name="student_school_active"),
            models.Index(fields=["system", "sourced_id"], name="student_system_sid"),
        ]

    def __str__(self) -> str:
        return f"Student {self.sourced_id}"


class SchoolEnrolment(TimeStampedModel):
    """A window during which a student was enrolled at a school (entry date to exit date, the
    last day, inclusive; empty while it continues). A student who transfers has one window per
    school, so that they count at each school only for the days enrolled there. Kept by the
    roster import (source "roster"); Ed-Fi StudentSchoolAssociations map onto the same fields.
    """

    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    # Indexed by enrolment_student_entry and enrolment_school, which lead with them.
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrolments", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    entry_date = models.DateField()
    exit_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, default="roster")

    class Meta:
        ordering = ["student", "entry_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("entry_date")),
                name="enrolment_exit_after_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["student", "-entry_date"], name="enrolment_student_entry"),
            models.Index(fields=["school", "entry_date", "exit_date"], name="enrolment_school"),
        ]

    def __str__(self) -> str:
        return f"{self.student} at school {self.school_id} from {self.entry_date}"


class SchoolGradeCount(models.Model):
    """Roll-up: active students per school and grade. Pages read these instead of counting a
    metro district's half a million students on every view (repairs issue, item 29); the
    roster import and `students_bulk_create` rebuild them set-wise (students.services).
    Counts only: suppression applies on reading (students.selectors)."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=8, blank=True)
    students = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "grade"], name="grade_count_school_grade"),
        ]
        indexes = [models.Index(fields=["system", "school"], name="grade_count_system")]

    def __str__(self) -> str:
        return f"{self.school_id} grade {self.grade}: {self.students}"


class StudentCountsProtection(models.Model):
    """The complementary suppression of a system's student counts for its closed readers
    (someone who sees every school and may open the students of none: district leaders,
    analysts, program managers), decided whenever `SchoolGradeCount` is rebuilt
    (students.services.student_protection_store): {"threshold": t, "inactive": [school ids not
    in the roster], "total": [students, hidden], "hidden": [school ids withheld]}. Valid while
    the threshold and the inactive schools are the same (item 29)."""

    system = models.OneToOneField(
        "orgs.System", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    protection = models.JSONField()

    def __str__(self) -> str:
        return f"student counts protection of {self.system_id}"
