"""The demo's coaching: three school years of sessions on the caseloads, with next steps and
protocols, and realistic gaps (someone not seen for weeks)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db.models import Max, Min
from django.test import Client

from trellis.accounts.models import User
from trellis.coaching.models import CoachingSession, NextStep, Protocol
from trellis.coaching.selectors import caseload_rows
from trellis.demo.generator import DemoResult

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_demo_coaching_has_three_years_next_steps_protocols_and_gaps(demo: DemoResult) -> None:
    result = demo
    sessions = CoachingSession.objects.filter(system=result.system)
    span = sessions.aggregate(first=Min("held_on"), last=Max("held_on"))
    assert span["first"] <= datetime.date(2024, 9, 30) and span["last"] <= TODAY
    years = {d.year for d in sessions.values_list("held_on", flat=True)}
    assert {2024, 2025, 2026} <= years
    assert result.counts["coaching sessions"] == sessions.count() > 100
    assert NextStep.objects.filter(session__system=result.system, done_on__isnull=True).exists()
    assert NextStep.objects.filter(session__system=result.system, done_on__isnull=False).exists()
    assert Protocol.objects.filter(system=result.system).count() == 2
    assert sessions.filter(protocol__system__isnull=True).exists()
    assert sessions.filter(focus__isnull=False).exists()
    assert sessions.filter(mode="walkthrough", coach__account__email="supervisor@riverbend.example")
    # Every session was held on the coach's caseload that day.
    for session in sessions.select_related("assignment")[:200]:
        a = session.assignment
        assert a.supporter_id == session.coach_id and a.assignee_id == session.coachee_id
        assert a.starts_on <= session.held_on and (
            a.ends_on is None or session.held_on <= a.ends_on
        )
    coach = User.objects.get(email="coach@riverbend.example")
    with time_machine.travel(TODAY, tick=False):
        rows = caseload_rows(coach)
        assert rows and any(row.not_seen for row in rows)  # a gap: not seen for weeks
        assert any(not row.not_seen for row in rows)
        client = Client()
        client.force_login(coach)
        home = client.get("/").content.decode()
        assert 'id="caseload-coaching-h"' in home and "not seen" in home
        assert client.get("/coaching/").status_code == 200


@pytest.mark.django_db
def test_demo_has_linked_videos_of_practice_with_time_stamped_comments(demo: DemoResult) -> None:
    from trellis.coaching.models import PracticeVideo, VideoComment

    result = demo
    videos = PracticeVideo.objects.filter(system=result.system).select_related("session")
    assert 3 <= videos.count() == result.counts["videos of practice"]
    for video in videos:
        assert video.link.startswith("https://") and not video.file  # links, no files
        assert video.session is not None
        assert (video.coach_id, video.coachee_id) == (
            video.session.coach_id,
            video.session.coachee_id,
        )
    comments = VideoComment.objects.filter(video__system=result.system)
    assert comments.count() == result.counts["video comments"] >= 2 * videos.count()
    assert set(comments.values_list("author_id", flat=True)) >= set(
        videos.values_list("coachee_id", flat=True)
    )
    assert comments.filter(competencies__isnull=False).exists()
    # The demo coach watches theirs; the administrator reads none of them.
    coach = Client()
    coach.force_login(User.objects.get(email="coach@riverbend.example"))
    mine = videos.filter(coach__account__email="coach@riverbend.example").first()
    assert mine is not None
    page = coach.get(f"/coaching/videos/{mine.pk}/")
    assert page.status_code == 200 and mine.title in page.content.decode()
    admin = Client()
    admin.force_login(User.objects.get(email="admin@riverbend.example"))
    assert admin.get(f"/coaching/videos/{mine.pk}/").status_code == 403
