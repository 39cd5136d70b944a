"""The demo's differentiated support and classroom visits: need profiles and tiers, visits this
school year, and realistic gaps (a supervisor over the ratio of 5, a school under its dosage,
principals below the instructional-leadership goal)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db.models import Count, Q

from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.coaching import selectors
from trellis.coaching.models import ClassroomVisit, SchoolNeedProfile, SupportTier
from trellis.demo.generator import DemoResult

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_demo_support_has_profiles_tiers_visits_and_gaps(demo: DemoResult) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 18, 0), tick=False):
        result = demo
        system = result.system
        assert SupportTier.objects.filter(system=system).count() == 3
        profiles = SchoolNeedProfile.objects.filter(system=system)
        assert profiles.count() == 12
        assert profiles.filter(attendance_rate__isnull=False).exists()  # from the roll-ups
        visits = ClassroomVisit.objects.filter(system=system)
        assert visits.count() == result.counts["classroom visits"] > 100
        # Every visit is to someone at the visitor's school that day.
        for v in visits.select_related("teacher")[:100]:
            assert v.teacher.positions.filter(school=v.school).exists()
        active = Q(ends_on__isnull=True) | Q(ends_on__gte=TODAY)
        loads = (
            Assignment.objects.filter(
                active, system=system, kind="supervision", starts_on__lte=TODAY
            )
            .values("supporter_id")
            .annotate(n=Count("assignee_id", distinct=True))
        )
        assert max(row["n"] for row in loads) > 5  # a supervisor over the ratio
        leader = User.objects.get(email="leader@riverbend.example")
        rows = selectors.dosage_report(
            leader, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 9, 30)
        )
        assert any(r.under for r in rows) and any(not r.under for r in rows)
        principal = User.objects.get(email="principal@riverbend.example")
        _, il_rows = selectors.leadership_rows(principal, end=TODAY)
        assert il_rows and il_rows[0].weeks_at_goal >= 1
        supervisor = User.objects.get(email="supervisor@riverbend.example")
        _, sup_rows = selectors.leadership_rows(supervisor, end=TODAY)
        assert any(r.weeks_at_goal < len(r.minutes) for r in sup_rows)
        # A framework of classroom practice is designated: the look-fors come from it (not the
        # teacher-leader competencies), on the form and in the visits logged.
        designated = selectors.classroom_framework(system.pk)
        assert designated is not None and designated.kind == "standards"
        teacher = visits.select_related("teacher").first().teacher  # type: ignore[union-attr]
        offered = selectors.look_fors(principal, teacher)
        assert offered.designated and offered.version is not None
        assert offered.version.framework_id == designated.pk and len(offered.items) >= 5
        used = ClassroomVisit.look_fors.through.objects.filter(classroomvisit__system=system)
        assert used.exists()
        assert not used.exclude(frameworkitem__version__framework=designated).exists()
