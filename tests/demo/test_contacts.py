"""The demo district's family contacts: most families called after their child's Nth absence,
some not, some follow-ups due: today's worklist and contact rates are realistic."""

from __future__ import annotations

import datetime

from trellis.accounts.models import User
from trellis.attendance import selectors
from trellis.attendance.models import FamilyContact
from trellis.demo.generator import DemoResult

TODAY = datetime.date(2026, 10, 1)


def test_demo_family_contacts_make_a_realistic_worklist(demo: DemoResult) -> None:
    result = demo
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


def test_each_demo_contact_is_logged_by_staff_who_may_log_the_schools_contacts(
    demo: DemoResult,
) -> None:
    """The demo's "Logged by" is never empty: the principal logs their own school's contacts;
    a school without its own staff among the demo's accounts has them logged by the district's
    account that may log contacts at every school (the administrator); nobody logs a contact
    at a school where they may not."""
    from django.db.models import Count

    from trellis.orgs.models import School

    result = demo
    contacts = FamilyContact.objects.filter(system=result.system)
    assert contacts.exists()
    assert not contacts.filter(logged_by__isnull=True).exists()
    principal = User.objects.get(email="principal@riverbend.example")
    admin = User.objects.get(email="admin@riverbend.example")
    (own,) = selectors.student_school_ids(principal)
    assert set(contacts.filter(school_id=own).values_list("logged_by", flat=True)) == {principal.pk}
    others = contacts.exclude(school_id=own)
    assert others.exists()
    assert set(others.values_list("logged_by", flat=True)) == {admin.pk}
    may = selectors.student_school_ids(admin)
    assert set(contacts.values_list("school_id", flat=True)) <= may
    assert School.objects.filter(system=result.system).count() == len(may)
    # The page, the export and the API show them by name (the principal's staff record).
    first = contacts.filter(school_id=own).select_related("logged_by__person").first()
    assert first is not None and first.logged_by_name == principal.person.full_name
    assert contacts.values("logged_by").annotate(n=Count("pk")).count() == 2
