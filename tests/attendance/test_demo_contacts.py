"""The demo district's family contacts: most families called after their child's Nth absence,
some not, some follow-ups due: today's worklist and contact rates are realistic."""

from __future__ import annotations

import datetime

import pytest

from trellis.attendance import selectors
from trellis.demo.generator import build

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_the_demo_worklists_hold_a_handful_to_a_few_dozen_and_grades_fit_each_school() -> None:
    """Late in the autumn (the walk found 107 of 487 students on one worklist): an office
    that keeps up leaves a handful to a few dozen families to call; a transfer moves to a
    school of the same level, so an elementary school has no grade 07 or 11."""
    from trellis.demo.generator import GRADES
    from trellis.orgs.models import School
    from trellis.students.models import Student

    today = datetime.date(2026, 11, 20)
    result = build(size_name="demo", seed=1, today=today)
    sizes = []
    for school in School.objects.filter(system=result.system).order_by("pk"):
        entries = selectors.worklist(school, today)
        students = Student.objects.filter(school=school).count()
        sizes.append(len(entries))
        # The school whose absence jumped today (a spike of new calls) has about 40.
        assert len(entries) <= 50, (school.name, len(entries), students)
        allowed = set(GRADES.get(school.level, ["09"]))
        assert set(selectors.school_grades(school)) <= allowed, school.name
    assert sum(sizes) >= 3 * len(sizes)
