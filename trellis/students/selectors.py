"""Reads of student records: only aggregates leave this app, suppressed for the viewer."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from trellis.authz.roles import Action
from trellis.core.panels import per_request
from trellis.core.suppression import Count as PeopleCount
from trellis.core.suppression import protected_counts, threshold
from trellis.orgs.selectors import (
    closed_system,
    inactive_school_ids,
    open_school_ids,
    opens_every_school,
    school_rows,
    visible_schools,
    whole_systems,
)
from trellis.students.models import SchoolGradeCount, StudentCountsProtection
from trellis.students.rollups import students_protected

# CEDS grade codes in school order (standards.md §1.5).
GRADE_ORDER = ["IT", "PR", "PK", "TK", "KG", *[f"{n:02d}" for n in range(1, 14)], "PS", "UG"]


def grade_sort_key(grade: str) -> tuple[int, str]:
    return (GRADE_ORDER.index(grade) if grade in GRADE_ORDER else len(GRADE_ORDER), grade)


@dataclass(frozen=True)
class StudentTable:
    """Active students per school and in all the viewer's active schools, suppressed together
    (the total on the home page would otherwise give a small school's count by subtraction)."""

    by_school: dict[int, PeopleCount]
    total: PeopleCount
    opened: frozenset[int]


def _closed_protection(user: Any) -> tuple[int, dict[str, Any]] | None:
    """For a closed reader of one system (`orgs.selectors.closed_system`): the system and the
    protection stored with its student counts, decided again first if missing or decided for
    another threshold or other inactive schools. None for other viewers."""
    system_id = closed_system(user, Action.STUDENTS_VIEW)
    if system_id is None:
        return None

    return system_id, _stored_protection(user, system_id)


def _stored_protection(user: Any, system_id: int) -> dict[str, Any]:
    """The protection stored with a system's student counts (with the exact total of its
    active schools), decided again first if decided for another threshold or other inactive
    schools. Once per request and system."""

    def load() -> dict[str, Any]:
        from trellis.students.services import student_protection_store

        stored = StudentCountsProtection.objects.filter(system_id=system_id).first()
        if stored is None:
            # Every recount stores one (and migration students.0005 did for the roll-ups
            # counted before): none means nothing counted, so nothing to hide.
            return {"total": [0, False], "hidden": []}
        protection = stored.protection
        if protection.get("threshold") != threshold() or protection.get(
            "inactive"
        ) != inactive_school_ids(user, system_id):
            student_protection_store(system_id=system_id)
            protection = StudentCountsProtection.objects.get(system_id=system_id).protection
        return protection

    return per_request(user, f"student_protection_{system_id}", load)


def students_enrolled(user: Any) -> PeopleCount:
    """Active students in the viewer's active schools (the home page's card). A viewer who may
    open every school they see gets one SUM over the roll-up, a closed reader the stored total;
    only other viewers weigh the whole table."""
    whole = whole_systems(user)
    if whole is not None and opens_every_school(user, Action.STUDENTS_VIEW):
        # Every active school of whole systems: the stored totals (item 29).
        return PeopleCount(
            sum(_stored_protection(user, system_id)["total"][0] for system_id in sorted(whole)),
            hidden=False,
        )
    if opens_every_school(user, Action.STUDENTS_VIEW):
        total = SchoolGradeCount.objects.filter(
            school__in=visible_schools(user).filter(is_active=True).values("pk")
        ).aggregate(n=Sum("students"))["n"]
        return PeopleCount(total or 0, hidden=False)
    closed = _closed_protection(user)
    if closed is None:
        return student_table(user).total
    value, hidden = closed[1]["total"]
    return PeopleCount(value, hidden=hidden)


def students_by_school(
    user: Any, school_ids: Collection[int] | None = None
) -> dict[int, PeopleCount]:
    """Active students of these schools (None: every school the viewer sees), as
    `student_table` protects them, reading only those schools' roll-up rows where the viewer may
    open every school's students (exact) or is a closed reader (the stored protection)."""
    if school_ids is None:
        return student_table(user).by_school
    if opens_every_school(user, Action.STUDENTS_VIEW):
        hidden: Collection[int] = ()
    else:
        closed = _closed_protection(user)
        if closed is None:
            return student_table(user).by_school
        hidden = set(closed[1]["hidden"])
    return {
        school_id: PeopleCount(n, hidden=school_id in hidden)
        for school_id, n in SchoolGradeCount.objects.filter(school_id__in=list(school_ids))
        .order_by()
        .values_list("school_id")
        .annotate(n=Sum("students"))
    }


def student_table(user: Any) -> StudentTable:
    return per_request(user, "student_table", lambda: _student_table(user))


def _student_table(user: Any) -> StudentTable:
    rows = school_rows(user)
    opened = open_school_ids(user, Action.STUDENTS_VIEW)
    counts = students_protected(
        ((row.pk, row.is_active) for row in rows),
        # From the roll-up (`SchoolGradeCount`), never by counting the students (item 29).
        SchoolGradeCount.objects.filter(school_id__in=[row.pk for row in rows])
        .order_by()
        .values_list("school_id")
        .annotate(n=Sum("students")),
        opened,
    )
    return StudentTable(
        by_school={row.pk: counts.get(("school", row.pk), PeopleCount(0)) for row in rows},
        total=counts[("all",)],
        opened=frozenset(opened),
    )


def students_by_grade(user: Any, school_id: int) -> list[tuple[str, PeopleCount]]:
    """One school's active students by grade, suppressed within the school's total."""
    closed = _closed_protection(user)
    # A closed reader opens no school's students.
    opened = closed is None and (
        opens_every_school(user, Action.STUDENTS_VIEW)
        or school_id in open_school_ids(user, Action.STUDENTS_VIEW)
    )
    values: dict[Any, int] = {
        ("grade", grade): n
        for grade, n in SchoolGradeCount.objects.filter(school_id=school_id).values_list(
            "grade", "students"
        )
    }
    if opened:
        # Exact for a viewer who may open these students: no need for the whole table.
        return sorted(
            ((key[1], PeopleCount(n, hidden=False)) for key, n in values.items()),
            key=lambda pair: grade_sort_key(pair[0]),
        )
    if closed is None:
        total = student_table(user).by_school.get(school_id, PeopleCount(0))
    else:
        n = sum(values.values())
        total = PeopleCount(n, hidden=school_id in closed[1]["hidden"]) if n else PeopleCount(0)
    values[("school",)] = total.value
    counts = protected_counts(
        values,
        [(("school",), [key for key in values if key != ("school",)])],
        hidden={("school",)} if total.suppressed else set(),
    )
    return sorted(
        ((key[1], count) for key, count in counts.items() if key != ("school",)),
        key=lambda pair: grade_sort_key(pair[0]),
    )
