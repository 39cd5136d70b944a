"""The minimal student record. Sensitive: reads are audited and only roles allowed see rows."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from trellis.core.models import TimeStampedModel


class Student(TimeStampedModel):
    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.PROTECT, related_name="students")
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
