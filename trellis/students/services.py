from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.orgs.models import System
from trellis.students.models import SchoolEnrolment, Student


def students_bulk_create(*, actor: Any, system: System, students: list[Student]) -> int:
    """Set-based load of minimal student records (demo generator; the roster import's path)."""
    require(actor, Action.SCHOOLS_MANAGE, system)
    with transaction.atomic():
        for student in students:
            student.system = system
        Student.objects.bulk_create(students, batch_size=5000)
        # Each student's stay at their school, as the roster import keeps it.
        SchoolEnrolment.objects.bulk_create(
            [
                SchoolEnrolment(
                    system=system,
                    student=student,
                    school_id=student.school_id,
                    entry_date=student.enrolled_on or timezone.localdate(),
                    exit_date=student.exits_on,
                )
                for student in students
            ],
            batch_size=5000,
        )
        audit_event_record(
            actor=actor,
            action="student.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(students)} students",
            after={"count": len(students)},
        )
    return len(students)
