"""The demo's professional learning: three school years of sessions with registrations,
waiting lists and attendance; PLCs with cycles and meetings; leadership teams' meetings."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client

from trellis.accounts.models import User
from trellis.demo.generator import DemoResult
from trellis.learning.models import Community, Cycle, Meeting, PDSession, Registration

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_demo_learning_has_three_years_waitlists_attendance_and_communities(
    demo: DemoResult,
) -> None:
    result = demo
    sessions = PDSession.objects.filter(system=result.system)
    years = {s.year for s in sessions.values_list("starts_at", flat=True)}
    assert {2024, 2025, 2026} <= years
    assert result.counts["pd_sessions"] == sessions.count() > 100
    assert sessions.filter(school__isnull=False).exists()
    assert sessions.filter(program__isnull=False).exists()
    registrations = Registration.objects.filter(session__system=result.system)
    assert registrations.filter(status="waitlisted").exists()
    attended = registrations.filter(attended_at__isnull=False)
    assert attended.filter(checked_in_via="code").exists()
    assert attended.filter(checked_in_via="list").exists()
    # Never more seats than the room, nor attendance of a session still to come.
    for session in sessions[:60]:
        assert session.registrations.filter(status="confirmed").count() <= session.capacity
    assert not attended.filter(session__starts_at__date__gt=TODAY).exists()
    assert Cycle.objects.filter(community__system=result.system).exists()
    leadership = Meeting.objects.filter(
        community__system=result.system, community__kind=Community.Kind.LEADERSHIP
    )
    assert leadership.exclude(decisions="").exists()
    assert Meeting.objects.filter(community__kind="plc", attendees__isnull=False).exists()
    teacher = User.objects.get(email="teacher@riverbend.example")
    assert teacher.person_id is not None
    mine = registrations.filter(person_id=teacher.person_id)
    certificate = mine.filter(attended_at__isnull=False).order_by("-session__starts_at").first()
    assert certificate is not None
    with time_machine.travel(TODAY, tick=False):
        client = Client()
        client.force_login(teacher)
        page = client.get(f"/learning/certificates/{certificate.pk}/")
        assert page.status_code == 200 and "Certificate of attendance" in page.content.decode()
        assert client.get("/learning/?when=upcoming").status_code == 200
        assert "Professional learning" in client.get("/").content.decode()
