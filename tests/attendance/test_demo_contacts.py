"""The demo district's family contacts: most families called after their child's Nth absence,
some not, some follow-ups due: today's worklist and contact rates are realistic."""

from __future__ import annotations

import datetime

import pytest

from trellis.accounts.models import User
from trellis.attendance import selectors
from trellis.attendance.models import FamilyContact
from trellis.demo.generator import build

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_demo_family_contacts_make_a_realistic_worklist() -> None:
    result = build(size_name="demo", seed=1, today=TODAY)
    assert result.counts["family_contacts"] > 100
    contacts = FamilyContact.objects.filter(system=result.system)
    assert contacts.count() == result.counts["family_contacts"]
    assert {c for c in contacts.values_list("method", flat=True).distinct()} == set(
        FamilyContact.Method.values
    )
    assert contacts.filter(follow_up_on__isnull=False).exists()
    assert not contacts.filter(contacted_on__gt=TODAY).exists()
    principal = User.objects.get(email="principal@riverbend.example")
    (school_id,) = selectors.student_school_ids(principal)
    school = selectors.attendance_school_get(principal, school_id)
    entries = selectors.worklist(school, TODAY)
    assert 3 <= len(entries) <= 200
    assert any(e.state.needs_call for e in entries)
    _rows, total = selectors.contact_rates(principal, TODAY)
    assert total.rate is not None and 40 < total.rate < 95
    chronic = selectors.chronic(principal, TODAY)
    assert chronic.total.rate is not None and chronic.trend and chronic.grades


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
