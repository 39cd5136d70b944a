"""Programs through the pages a user uses: page -> task -> commit -> what the page shows."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.conftest import World
from trellis.core.models import AuditEvent
from trellis.people.models import Position
from trellis.programs.models import (
    Cohort,
    ExperienceRecord,
    Participant,
    Placement,
    PortfolioLink,
    Program,
)


def body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_program_manager_sees_only_their_program_and_searches_filters_exports(
    world: World,
) -> None:
    pm = world.client("pm")
    page = pm.get("/programs/").content.decode()
    assert "Aspiring Principals" in page and "Teacher Leader Fellows" not in page
    assert "Teacher Leader Fellows" in world.client("pm_other").get("/programs/").content.decode()
    # The system's program manager (a system grant) sees both; filters narrow the list.
    system_pm = world.client("programs")
    both = system_pm.get("/programs/").content.decode()
    assert "Aspiring Principals" in both and "Teacher Leader Fellows" in both
    narrowed = system_pm.get("/programs/?q=fellows&kind=teacher_leader_fellowship").content
    assert b"Teacher Leader Fellows" in narrowed and b"Aspiring Principals" not in narrowed
    assert system_pm.get("/programs/?kind=nonsense").status_code == 400
    csv = body(system_pm.get("/programs/?format=csv"))
    assert "Aspiring Principals" in csv and "Teacher Leader Fellows" in csv
    xlsx = system_pm.get("/programs/?format=xlsx&q=aspiring")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "Aspiring Principals" and len(rows) == 2
    assert pm.get(f"/programs/{world.other_program_id}/").status_code == 404
    assert world.client("admin_b").get(f"/programs/{world.program_id}/").status_code == 404
    # Analysts read figures only (the list leads to them); a coach has no programs at all.
    assert world.client("coach").get("/programs/").status_code == 403


def test_create_program_cohort_and_participant_with_clear_validation(world: World) -> None:
    admin = world.client("admin")
    response = admin.post(
        "/programs/new/",
        {"name": "", "kind": "aspiring_ap", "owner": f"system:{world.system.pk}"},
    )
    assert response.status_code == 200 and "Fill in “Name”." in response.content.decode()
    response = admin.post(
        "/programs/new/",
        {
            "name": "Aspiring APs",
            "kind": "aspiring_ap",
            "owner": f"system:{world.system.pk}",
            "systems": [world.system.pk],
            "description": "",
        },
    )
    assert response.status_code == 302
    program = Program.objects.get(name="Aspiring APs")
    # The same name twice in one system is refused with the reason.
    again = admin.post(
        "/programs/new/",
        {
            "name": "aspiring aps",
            "kind": "aspiring_ap",
            "owner": f"system:{world.system.pk}",
            "systems": [world.system.pk],
        },
    )
    assert "already has a program with this name" in again.content.decode()
    bad = admin.post(
        f"/programs/{program.pk}/cohorts/new/",
        {
            "name": "Cohort A",
            "school_year": 2026,
            "starts_on": "2026-08-01",
            "ends_on": "2026-07-01",
            "state": "selection",
        },
    )
    assert "The last day is before the first day." in bad.content.decode()
    assert not Cohort.objects.filter(program=program).exists()
    admin.post(
        f"/programs/{program.pk}/cohorts/new/",
        {
            "name": "Cohort A",
            "school_year": 2026,
            "starts_on": "2026-07-01",
            "ends_on": "2027-06-30",
            "state": "selection",
        },
    )
    cohort = Cohort.objects.get(program=program)
    assert cohort.state == "selection"
    missing = admin.post(
        f"/programs/cohorts/{cohort.pk}/participants/new/", {"person": "no.one@example.org"}
    )
    assert "No one in a system Aspiring APs serves" in missing.content.decode()
    foreign = admin.post(
        f"/programs/cohorts/{cohort.pk}/participants/new/",
        {"person": world.foreign_person.email},
    )
    assert "No one in a system" in foreign.content.decode()
    added = admin.post(
        f"/programs/cohorts/{cohort.pk}/participants/new/",
        {"person": world.far_person.email, "career_goal": "Assistant principal"},
    )
    assert added.status_code == 302
    roster = admin.get(f"/programs/cohorts/{cohort.pk}/").content.decode()
    assert world.far_person.full_name in roster
    assert AuditEvent.objects.filter(action="participant.add").exists()


def test_cohort_roster_shows_progress_coaches_and_filters(world: World) -> None:
    pm = world.client("pm")
    page = pm.get(f"/programs/cohorts/{world.cohort_id}/").content.decode()
    assert world.principal_person.full_name in page and world.teacher_person.full_name in page
    # Paula's coach is listed among the cohort's coaches and mentors.
    assert "Cami Coach" in page
    behind = pm.get(f"/programs/cohorts/{world.cohort_id}/?status=behind").content.decode()
    assert "Behind" in behind
    csv = body(pm.get(f"/programs/cohorts/{world.cohort_id}/?format=csv"))
    assert "Prince" in csv and "Teller" in csv
    assert pm.get(f"/programs/cohorts/{world.other_cohort_id}/").status_code == 404


def test_evidence_upload_limits_sign_off_and_portfolio(world: World, tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    url = f"/programs/participants/{world.uncoached_participant_id}/"
    tomas = world.client("teacher")
    assert tomas.get(url).status_code == 200
    evidence = f"{url}experiences/{world.experience_id}/evidence/"
    wrong = tomas.post(
        evidence,
        {"evidence_file": SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/x-dosexec")},
    )
    assert "This kind of file is not accepted" in wrong.content.decode()
    assert "up to 10 MB" in wrong.content.decode()
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    too_big = tomas.post(
        evidence, {"evidence_file": SimpleUploadedFile("plan.pdf", big, "application/pdf")}
    )
    assert "the limit is 10 MB" in too_big.content.decode()
    assert not ExperienceRecord.objects.filter(participant_id=world.uncoached_participant_id)
    ok = tomas.post(
        evidence,
        {
            "evidence_text": "Led it.",
            "evidence_file": SimpleUploadedFile("plan.pdf", b"%PDF-1.7 x", "application/pdf"),
        },
    )
    assert ok.status_code == 302
    download = tomas.get(f"{evidence}file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # Tomas has no coach: the coach may not open his record, nor sign off.
    coach = world.client("coach")
    assert coach.get(url).status_code == 404
    assert coach.post(f"{url}experiences/{world.experience_id}/sign-off/", {}).status_code == 404
    # Paula's coach signs off her evidence; the record says who and when.
    paula_url = f"/programs/participants/{world.participant_id}/"
    signed = coach.post(
        f"{paula_url}experiences/{world.experience_id}/sign-off/",
        {"signed_off_on": "2024-09-01"},
    )
    assert signed.status_code == 302
    page = coach.get(paula_url).content.decode()
    assert "Signed off by Cami Coach on Sep 1, 2024" in page
    # The program manager cannot sign off (not the coach or mentor).
    assert (
        world.client("pm")
        .post(f"{paula_url}experiences/{world.experience_id}/sign-off/", {})
        .status_code
        == 403
    )

    # Paula shares her portfolio; the link works without an account until she revokes it.
    paula = world.client("principal")
    made = paula.post(f"{paula_url}portfolio/links/").content.decode()
    link = re.search(r'value="(http[^"]+/programs/portfolio/[^"]+/)"', made)
    assert link is not None
    public_url = link.group(1).split("testserver", 1)[1]
    anonymous = world.client(None)
    shown = anonymous.get(public_url)
    assert shown.status_code == 200 and "Lead a data meeting" in shown.content.decode()
    assert world.principal_person.email not in shown.content.decode()
    # The world's earlier link was replaced by the new one.
    assert anonymous.get(f"/programs/portfolio/{world.portfolio_token}/").status_code == 404
    active = PortfolioLink.objects.get(participant_id=world.participant_id, revoked_at=None)
    paula.post(f"{paula_url}portfolio/links/{active.pk}/revoke/")
    assert anonymous.get(public_url).status_code == 404


def test_placement_becomes_a_position_and_outside_schools_are_refused(world: World) -> None:
    pm = world.client("pm")
    url = f"/programs/participants/{world.participant_id}/placements/new/"
    refused = pm.post(
        url,
        {"role": "principal", "school": world.foreign_school.pk, "starts_on": "2025-07-01"},
    )
    assert "not in a system this program serves" in refused.content.decode()
    assert not Placement.objects.exists()
    before = Position.objects.get(person=world.principal_person, ends_on=None)
    placed = pm.post(
        url,
        {
            "role": "principal",
            "school": world.other_school.pk,
            "starts_on": "2025-07-01",
            "end_current": "on",
        },
    )
    assert placed.status_code == 302
    placement = Placement.objects.get()
    assert placement.position.school == world.other_school
    assert placement.position.title == "Placed from Aspiring Principals (Cohort 1)"
    before.refresh_from_db()
    assert before.ends_on == datetime.date(2025, 6, 30) and before.end_reason == "moved_school"
    person_page = world.client("admin").get(f"/people/{world.principal_person.pk}/")
    assert "Placed from Aspiring Principals (Cohort 1)" in person_page.content.decode()
    assert AuditEvent.objects.filter(action="placement.record").exists()


def test_dashboards_suppress_small_groups_everywhere(world: World) -> None:
    pm = world.client("pm")
    dashboard = pm.get(f"/programs/cohorts/{world.cohort_id}/dashboard/").content.decode()
    assert "Who is behind" in dashboard and world.principal_person.full_name in dashboard
    # Two participants: the counts read "fewer than 5" and the rates are withheld.
    assert "fewer than 5" in dashboard and "not shown (fewer than 5 people)" in dashboard
    csv = body(pm.get(f"/programs/cohorts/{world.cohort_id}/dashboard/?format=csv"))
    _header, row = csv.strip().splitlines()[:2]
    assert row.split(",")[1] == ""  # participants: withheld
    figures = pm.get(f"/programs/{world.program_id}/dashboard/").content.decode()
    assert "All cohorts of Aspiring Principals" in figures


@pytest.mark.parametrize("status", ["completed", "withdrawn"])
def test_completion_status_needs_a_date_and_keeps_the_record(world: World, status: str) -> None:
    pm = world.client("pm")
    url = f"/programs/participants/{world.uncoached_participant_id}/status/"
    missing = pm.post(url, {"status": status})
    assert "Give the day of completion or withdrawal." in missing.content.decode()
    assert pm.post(url, {"status": status, "on": "2025-06-01"}).status_code == 302
    participant = Participant.objects.get(pk=world.uncoached_participant_id)
    assert participant.status == status and participant.completed_on == datetime.date(2025, 6, 1)


def test_home_page_leads_participants_and_their_coach_to_the_record(world: World) -> None:
    paula_home = world.client("principal").get("/").content.decode()
    assert f"/programs/participants/{world.participant_id}/" in paula_home
    coach_home = world.client("coach").get("/").content.decode()
    assert "Participants you coach or mentor" in coach_home
    assert f"/programs/participants/{world.participant_id}/" in coach_home
    assert f"/programs/participants/{world.uncoached_participant_id}/" not in coach_home


def test_partner_staff_create_a_fellowship_their_partner_runs(world: World) -> None:
    partner = world.client("partner")
    form = partner.get("/programs/new/").content.decode()
    assert world.partner.name in form and world.system.name in form
    made = partner.post(
        "/programs/new/",
        {
            "name": "Northstar Fellows",
            "kind": "partner_fellowship",
            "owner": f"partner:{world.partner.pk}",
            "systems": [world.system.pk],
        },
    )
    assert made.status_code == 302
    program = Program.objects.get(name="Northstar Fellows")
    assert program.owner_partner == world.partner
    assert partner.get(f"/programs/{program.pk}/").status_code == 200
    # Another system's administrator does not reach it.
    assert world.client("admin_b").get(f"/programs/{program.pk}/").status_code == 404
