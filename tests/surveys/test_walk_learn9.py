"""Minor defects of the walk of issue 11 (branch learn9), on the test world."""

from __future__ import annotations

from typing import Any


def test_a_program_manager_finds_the_alumni_page_from_the_administrations(world: Any) -> None:
    """The link was offered on `user.system`, which no account has: nobody saw it. It follows
    the permission: whoever manages a system's surveys, and no one else."""
    c = world.client("programs")
    listing = c.get("/surveys/administrations/").content.decode()
    assert '<a href="/surveys/alumni/?system=riverbend">' in listing
    assert c.get("/surveys/alumni/?system=riverbend").status_code == 200
    # The address typed without its system: the one system they record for.
    page = c.get("/surveys/alumni/")
    assert page.status_code == 200 and "whatever they answered" in page.content.decode()
    for name in ("leader", "pm"):  # reads the report only; manages one program's people
        c = world.client(name)
        assert "/surveys/alumni/" not in c.get("/surveys/administrations/").content.decode()
        assert c.get("/surveys/alumni/?system=riverbend").status_code in (403, 404)


def test_the_consensus_link_sits_beside_its_heading_before_the_meetings(world: Any) -> None:
    """It sat at the page's foot, under every meeting the team ever held."""
    page = (
        world.client("principal")
        .get(f"/learning/communities/{world.learning['leadership']}/")
        .content.decode()
    )
    heading = page.index('id="consensus-h"')
    link = page.index("Record a consensus rating")
    assert heading < link < page.index("</div>", heading) < page.index('id="meetings-h"')


def test_a_past_session_not_attended_says_so(world: Any) -> None:
    """Paula registered for "feedback loops" (ten days ago) and did not come: the page told her
    "You are registered", as for a session to come."""
    page = (
        world.client("principal")
        .get(f"/learning/sessions/{world.learning['past']}/")
        .content.decode()
    )
    assert "You were registered and were <strong>not marked present</strong>." in page
    assert "You are <strong>registered" not in page
    upcoming = world.client("principal").get(f"/learning/sessions/{world.learning['oak']}/")
    assert "You are <strong>registered</strong>" in upcoming.content.decode()


def _next_school_year() -> int:
    from django.utils import timezone

    today = timezone.localdate()
    return (today.year + 1 if today.month >= 7 else today.year) + 1


def test_a_consensus_rating_of_a_year_not_begun_is_refused(world: Any) -> None:
    from trellis.surveys.models import ConsensusRating

    ahead = _next_school_year()
    data = {"year": ahead, "window": "boy", **{f"dimension_{i}": 3 for i in range(4)}}
    url = f"/surveys/teams/{world.learning['leadership']}/conditions/"
    refused = world.client("principal").post(url, data)
    assert refused.status_code == 400
    assert "That school year has not begun: give this one" in refused.content.decode()
    assert not ConsensusRating.objects.exists()
    assert world.client("principal").post(url, {**data, "year": ahead - 1}).status_code == 302


def test_students_taught_in_a_year_not_begun_are_refused(world: Any) -> None:
    from trellis.learning.models import ReportedStudents

    url = f"/learning/communities/{world.learning['plc']}/students/"
    data = {"person": world.colleague.pk, "school_year": _next_school_year(), "students": 24}
    refused = world.client("teacher").post(url, data)
    assert refused.status_code == 400
    assert "That school year has not begun: give this one" in refused.content.decode()
    assert not ReportedStudents.objects.exists()


def test_the_team_removes_a_consensus_rating_after_confirming(world: Any) -> None:
    from trellis.core.models import AuditEvent
    from trellis.surveys.models import ConsensusRating

    team = world.learning["leadership"]
    principal = world.client("principal")
    data = {"year": 2026, "window": "boy", **{f"dimension_{i}": 3 for i in range(4)}}
    assert principal.post(f"/surveys/teams/{team}/conditions/", data).status_code == 302
    remove = f"/surveys/teams/{team}/conditions/remove/?year=2026&amp;window=boy"
    assert remove in principal.get(f"/surveys/teams/{team}/conditions/").content.decode()
    url = f"/surveys/teams/{team}/conditions/remove/"
    confirm = principal.get(f"{url}?year=2026&window=boy")
    assert confirm.status_code == 200
    assert "Remove the consensus rating of the beginning of year 2025-26?" in (
        confirm.content.decode()
    )
    assert principal.get(f"{url}?year=2026&window=eoy").status_code == 404  # not rated
    assert world.client("leader").post(url, {"year": 2026, "window": "boy"}).status_code == 403
    assert ConsensusRating.objects.count() == 4
    done = principal.post(url, {"year": 2026, "window": "boy"})
    assert done.status_code == 302 and done["Location"] == f"/surveys/teams/{team}/conditions/"
    assert not ConsensusRating.objects.exists()
    event = AuditEvent.objects.get(action="conditions.consensus_removed")
    assert event.before is not None and set(event.before["ratings"].values()) == {3}


def test_the_facilitator_removes_a_reported_count_after_confirming(world: Any) -> None:
    from trellis.core.models import AuditEvent
    from trellis.learning.models import ReportedStudents

    plc, cora = world.learning["plc"], world.colleague.pk
    tomas = world.client("teacher")
    page = f"/learning/communities/{plc}/students/"
    data = {"person": cora, "school_year": 2026, "students": 22}
    assert tomas.post(page, data).status_code == 302
    url = f"/learning/communities/{plc}/students/remove/"
    listed = tomas.get(f"{page}?year=2026").content.decode()
    assert f"{url}?person={cora}&amp;year=2026" in listed
    confirm = tomas.get(f"{url}?person={cora}&year=2026")
    assert confirm.status_code == 200 and "22 students reported for" in confirm.content.decode()
    assert tomas.get(f"{url}?person={cora}&year=2025").status_code == 404  # none reported
    assert world.client("facilitator").post(url, {"person": cora, "year": 2026}).status_code == 403
    assert ReportedStudents.objects.count() == 1
    done = tomas.post(url, {"person": cora, "year": 2026})
    assert done.status_code == 302 and done["Location"] == f"{page}?year=2026"
    assert not ReportedStudents.objects.exists()
    event = AuditEvent.objects.get(action="students.reported_removed")
    assert event.before == {"person": cora, "school_year": 2026, "students": 22}


def test_a_session_of_a_school_year_ended_offers_no_survey(world: Any) -> None:
    """The re-walk of stop 25: a session of last school year offered "Give a satisfaction
    survey", whose form then refused every day (past days, or days outside that year)."""
    import datetime

    from django.utils import timezone

    from trellis.learning.models import PDSession

    oak = PDSession.objects.get(pk=world.learning["oak"])
    back = datetime.timedelta(days=800)
    PDSession.objects.filter(pk=oak.pk).update(
        starts_at=oak.starts_at - back, ends_at=oak.ends_at - back
    )
    assert timezone.localtime(oak.starts_at - back).date() < timezone.localdate().replace(
        month=1, day=1
    )
    c = world.client("principal")
    page = c.get(f"/learning/sessions/{oak.pk}/").content.decode()
    assert f'href="/surveys/sessions/{oak.pk}/new/"' not in page
    assert "This session&#x27;s school year has ended" in page
    response = c.get(f"/surveys/sessions/{oak.pk}/new/", follow=True)
    assert response.redirect_chain == [(f"/learning/sessions/{oak.pk}/", 302)]
    assert "This session&#x27;s school year has ended" in response.content.decode()
