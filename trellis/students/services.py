from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.core.suppression import threshold
from trellis.orgs.models import School, System
from trellis.students.models import (
    SchoolEnrolment,
    SchoolGradeCount,
    Student,
    StudentCountsProtection,
)
from trellis.students.rollups import students_protected


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
        school_grade_counts_rebuild(
            system_id=system.pk, school_ids={student.school_id for student in students}
        )
        audit_event_record(
            actor=actor,
            action="student.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(students)} students",
            after={"count": len(students)},
        )
    return len(students)


def school_grade_counts_rebuild(
    *, system_id: int, school_ids: Collection[int] | None = None
) -> int:
    """Recount the roll-up of active students per school and grade (`SchoolGradeCount`) for a
    system, or only for `school_ids`: one DELETE and one INSERT … SELECT, whatever the size.

    Derived data, not a record anyone edits: no permission check (the caller's write was
    checked) and no audit event. Callers: `students_bulk_create`, the roster import (once, at the
    end of its transaction), the `rebuild_school_counts` command. Returns the rows written."""
    table = SchoolGradeCount._meta.db_table
    where = "system_id = %s"
    params: list[Any] = [int(system_id)]
    if school_ids is not None:
        ids = sorted(int(pk) for pk in school_ids)
        if not ids:
            return 0
        where += f" AND school_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
            cursor.execute(
                f"INSERT INTO {table} (system_id, school_id, grade, students) "
                f"SELECT system_id, school_id, grade, COUNT(*) FROM {Student._meta.db_table} "
                f"WHERE is_active AND {where} GROUP BY system_id, school_id, grade",
                params,
            )
            written = int(cursor.rowcount)
        student_protection_store(system_id=system_id)
    return written


def student_protection_store(*, system_id: int) -> None:
    """Decide once, with the counts, what a closed reader of the system may see (someone who
    sees every school and may open the students of none): the same complementary suppression as
    `students.selectors.student_table` over every school of the system, stored in
    `StudentCountsProtection`, so that their pages read a page of schools instead of weighing
    a metro district's thousand schools on every view (item 29). Called with every recount, and
    by a reader that finds it decided for another threshold or other inactive schools. Derived
    data: no permission check, no audit event."""
    with transaction.atomic():
        System.objects.select_for_update().filter(pk=system_id).first()
        schools = list(
            School.objects.filter(system_id=system_id).values_list("pk", "is_active").order_by()
        )
        counts = students_protected(
            schools,
            SchoolGradeCount.objects.filter(system_id=system_id)
            .order_by()
            .values_list("school_id")
            .annotate(n=Sum("students")),
            opened=(),
        )
        StudentCountsProtection.objects.update_or_create(
            system_id=system_id,
            defaults={
                "protection": {
                    "threshold": threshold(),
                    "inactive": sorted(pk for pk, is_active in schools if not is_active),
                    "total": [counts[("all",)].value, counts[("all",)].suppressed],
                    "hidden": sorted(
                        key[1]
                        for key, count in counts.items()
                        if key[0] == "school" and count.suppressed
                    ),
                }
            },
        )
