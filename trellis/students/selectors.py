"""Reads of student records: only aggregates leave this app, suppressed for the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from trellis.authz.roles import Action
from trellis.core.panels import per_request
from trellis.core.suppression import Count as PeopleCount
from trellis.core.suppression import protected_counts
from trellis.orgs.selectors import open_school_ids, school_rows, visible_schools
from trellis.students.models import SchoolGradeCount

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


def students_enrolled(user: Any) -> PeopleCount:
    """Active students in the viewer's active schools (the home page's card). A viewer who may
    open every school they see gets one SUM over the roll-up, not the whole table."""
    rows = school_rows(user)
    if not rows or not {row.pk for row in rows} <= open_school_ids(user, Action.STUDENTS_VIEW):
        return student_table(user).total
    total = SchoolGradeCount.objects.filter(
        school__in=visible_schools(user).filter(is_active=True).values("pk")
    ).aggregate(n=Sum("students"))["n"]
    return PeopleCount(total or 0, hidden=False)


def student_table(user: Any) -> StudentTable:
    return per_request(user, "student_table", lambda: _student_table(user))


def _student_table(user: Any) -> StudentTable:
    rows = school_rows(user)
    active = [row.pk for row in rows if row.is_active]
    opened = open_school_ids(user, Action.STUDENTS_VIEW)
    values: dict[Any, int] = {
        ("school", school_id): n
        # From the roll-up (`SchoolGradeCount`), never by counting the students (item 29).
        for school_id, n in SchoolGradeCount.objects.filter(
            school__in=visible_schools(user).values("pk")
        )
        .order_by()
        .values_list("school_id")
        .annotate(n=Sum("students"))
    }
    values[("all",)] = sum(values.get(("school", pk), 0) for pk in active)
    open_keys: set[Any] = {("school", pk) for pk in opened}
    if set(active) <= opened:
        open_keys.add(("all",))
    if {row.pk for row in rows} <= opened:
        # Every school open to the viewer: exact, nothing to weigh (item 29).
        counts = {key: PeopleCount(n, hidden=False) for key, n in values.items()}
    else:
        counts = protected_counts(
            values,
            [(("all",), [("school", pk) for pk in active if ("school", pk) in values])],
            open_keys=open_keys,
        )
    return StudentTable(
        by_school={row.pk: counts.get(("school", row.pk), PeopleCount(0)) for row in rows},
        total=counts[("all",)],
        opened=frozenset(opened),
    )


def students_by_grade(user: Any, school_id: int) -> list[tuple[str, PeopleCount]]:
    """One school's active students by grade, suppressed within the school's total."""
    opened = school_id in open_school_ids(user, Action.STUDENTS_VIEW)
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
    total = student_table(user).by_school.get(school_id, PeopleCount(0))
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
