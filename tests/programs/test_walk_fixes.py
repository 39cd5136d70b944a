"""Fixes from the browser walk of programs (issue 9): each test fails without its fix, and
goes through the pages a user would use."""

from __future__ import annotations

import datetime
from typing import Any

from tests.conftest import World
from trellis.orgs.models import Partner
from trellis.programs.models import Cohort, Participant, Program
from trellis.programs.services import add_participant, cohort_create, program_create


def body(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def partner_program(world: World) -> tuple[Program, Cohort, Participant, Participant]:
    """A fellowship run by an installation-wide partner for both systems, with one participant
    from each."""
    partner = Partner.objects.create(name="Regional Leadership Partners")
    program = program_create(
        actor=None,
        name="Regional Fellows",
        kind=Program.Kind.PARTNER_FELLOWSHIP,
        owner_partner=partner,
        systems=[world.system, world.other_system],
    )
    cohort = cohort_create(
        actor=None,
        program=program,
        name="Cohort 4",
        school_year=2024,
        starts_on=datetime.date(2024, 7, 1),
        ends_on=datetime.date(2025, 6, 30),
        state="active",
    )
    mine = add_participant(actor=None, cohort=cohort, person=world.far_person)
    theirs = add_participant(actor=None, cohort=cohort, person=world.foreign_person)
    return program, cohort, mine, theirs


# -- 2. A partner's program is visible to the systems it serves, each seeing its own people ----


def test_served_systems_see_a_partner_program_and_only_their_own_participants(
    world: World,
) -> None:
    program, cohort, mine, theirs = partner_program(world)
    for key in ("leader", "admin"):
        client = world.client(key)
        assert "Regional Fellows" in client.get("/programs/").content.decode()
        assert client.get(f"/programs/{program.pk}/").status_code == 200
        page = client.get(f"/programs/cohorts/{cohort.pk}/").content.decode()
        assert world.far_person.full_name in page
        assert world.foreign_person.full_name not in page
        csv = body(client.get(f"/programs/cohorts/{cohort.pk}/?format=csv"))
        assert "Faraway" in csv and "Otherside" not in csv
        assert client.get(f"/programs/participants/{mine.pk}/").status_code == 200
        assert client.get(f"/programs/participants/{theirs.pk}/").status_code == 404
        api = client.get(f"/api/v1/cohorts/{cohort.pk}/participants").content.decode()
        assert "Faraway" in api and "Otherside" not in api
    # The cohorts' participant counts are of their own people too (one, not two).
    listing = world.client("leader").get(f"/programs/cohorts/?program={program.pk}&format=csv")
    assert body(listing).splitlines()[1].endswith(",1")
    # The other served system sees its own participant, not this one.
    lakeside = world.client("leader_b")
    page = lakeside.get(f"/programs/cohorts/{cohort.pk}/").content.decode()
    assert world.foreign_person.full_name in page and world.far_person.full_name not in page
    assert lakeside.get(f"/programs/participants/{mine.pk}/").status_code == 404
    # Seeing is not running: a served system's administrator may not edit the partner's
    # program or add to its cohort (403: they see it).
    admin = world.client("admin")
    assert admin.get(f"/programs/{program.pk}/edit/").status_code == 403
    assert admin.get(f"/programs/cohorts/{cohort.pk}/participants/new/").status_code == 403
    # A system the program does not serve still gets 404.
    program.systems.set([world.other_system])
    assert world.client("leader").get(f"/programs/{program.pk}/").status_code == 404


# -- 3. Analysts read suppressed figures, never names --------------------------------------------


def test_analyst_reads_program_and_cohort_figures_without_names(world: World) -> None:
    analyst = world.client("analyst")
    listing = analyst.get("/programs/").content.decode()
    assert f'href="/programs/{world.program_id}/dashboard/"' in listing
    assert f'href="/programs/{world.program_id}/"' not in listing
    figures = analyst.get(f"/programs/{world.program_id}/dashboard/")
    assert figures.status_code == 200
    assert "fewer than 5" in figures.content.decode()
    assert f'href="/programs/{world.program_id}/"' not in figures.content.decode()
    cohort = analyst.get(f"/programs/cohorts/{world.cohort_id}/dashboard/")
    assert cohort.status_code == 200
    text = cohort.content.decode()
    assert "fewer than 5" in text
    assert world.principal_person.full_name not in text and "Who is behind" not in text
    assert f"/programs/cohorts/{world.cohort_id}/" + '"' not in text
    csv = body(analyst.get(f"/programs/cohorts/{world.cohort_id}/dashboard/?format=csv"))
    assert "Prince" not in csv
    # Still no record and no roster.
    assert analyst.get(f"/programs/cohorts/{world.cohort_id}/").status_code == 403
    assert analyst.get(f"/programs/participants/{world.participant_id}/").status_code == 404


# -- 1. Coaches reach their participants after the cohort; a closed record is not signed off --


def test_coach_reaches_a_completed_participant_but_cannot_sign_off(world: World) -> None:
    from trellis.programs.services import participant_status_set

    participant = Participant.objects.get(pk=world.participant_id)
    participant_status_set(
        actor=None, participant=participant, status="completed", on=datetime.date(2025, 6, 20)
    )
    coach = world.client("coach")
    home = coach.get("/").content.decode()
    assert f'href="/programs/participants/{world.participant_id}/"' in home
    assert "completed Jun 20, 2025" in home
    url = f"/programs/participants/{world.participant_id}/"
    page = coach.get(url).content.decode()
    assert "/sign-off/" not in page
    sign_off = f"{url}experiences/{world.experience_id}/sign-off/"
    refused = coach.post(sign_off, {"signed_off_on": "2025-06-01"}, follow=True)
    assert "completed the program on Jun 20, 2025" in refused.content.decode()
    assert not participant.experience_records.filter(signed_off_on__isnull=False).exists()
    assert coach.get(sign_off).status_code == 302


def test_evidence_form_does_not_open_for_a_signed_off_experience(world: World) -> None:
    url = f"/programs/participants/{world.participant_id}/"
    world.client("coach").post(
        f"{url}experiences/{world.experience_id}/sign-off/", {"signed_off_on": "2024-09-01"}
    )
    paula = world.client("principal")
    evidence = f"{url}experiences/{world.experience_id}/evidence/"
    response = paula.get(evidence, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "was signed off on Sep 1, 2024" in response.content.decode()
    posted = paula.post(evidence, {"evidence_text": "Changed afterwards."})
    assert posted.status_code == 302
    record = Participant.objects.get(pk=world.participant_id).experience_records.get()
    assert record.evidence_text == "Led the 3rd-grade data meeting on reading."


# -- 4. A program manager opens their participants' person pages, from the record -------------


def test_program_manager_opens_a_participants_person_page_from_the_record(world: World) -> None:
    pm = world.client("pm")
    person_url = f"/people/{world.principal_person.pk}/"
    record = pm.get(f"/programs/participants/{world.participant_id}/").content.decode()
    assert f'href="{person_url}"' in record
    assert pm.get(person_url).status_code == 200
    # Only their program's participants: not someone else of the system.
    assert pm.get(f"/people/{world.far_person.pk}/").status_code == 404
    assert world.client("pm_other").get(person_url).status_code == 404
    # A viewer who may not open the person page is not offered the link: the served system's
    # viewers do, the program's coach does (coachee), an analyst has no record at all.
    coach_record = world.client("coach").get(f"/programs/participants/{world.participant_id}/")
    assert f'href="{person_url}"' in coach_record.content.decode()
    # The system-wide program manager (a system grant) does not see the system's people.
    programs = world.client("programs")
    assert programs.get(f"/people/{world.far_person.pk}/").status_code in (403, 404)
    page = programs.get(f"/programs/participants/{world.participant_id}/").content.decode()
    assert f'href="{person_url}"' not in page


# -- 5. Placements: the cohort's first day, a message, and corrections --------------------------


def test_placement_is_refused_before_the_cohort_starts_and_says_when_saved(world: World) -> None:
    from trellis.programs.models import Placement

    pm = world.client("pm")
    url = f"/programs/participants/{world.participant_id}/placements/new/"
    early = pm.post(
        url, {"role": "principal", "school": world.other_school.pk, "starts_on": "2024-06-30"}
    )
    assert early.status_code == 200
    assert "on or after the cohort&#x27;s first day, Jul 1, 2024" in early.content.decode()
    assert not Placement.objects.exists()
    saved = pm.post(
        url,
        {"role": "principal", "school": world.other_school.pk, "starts_on": "2025-07-01"},
        follow=True,
    )
    assert "Placement saved: Principal, Pine Ridge Middle, from Jul 1, 2025" in (
        saved.content.decode()
    )


def test_a_placement_is_corrected_with_the_same_checks_and_audited(world: World) -> None:
    from trellis.core.models import AuditEvent
    from trellis.people.models import Position
    from trellis.programs.models import Placement

    pm = world.client("pm")
    base = f"/programs/participants/{world.participant_id}/"
    pm.post(
        f"{base}placements/new/",
        {
            "role": "principal",
            "school": world.other_school.pk,
            "starts_on": "2025-07-01",
            "end_current": "on",
        },
    )
    placement = Placement.objects.get()
    record = pm.get(base).content.decode()
    edit = f"{base}placements/{placement.pk}/edit/"
    assert f'href="{edit}"' in record and "Edit placement" in record
    outside = pm.post(
        edit, {"role": "principal", "school": world.foreign_school.pk, "starts_on": "2025-07-01"}
    )
    assert "not in a system this program serves" in outside.content.decode()
    early = pm.post(
        edit, {"role": "principal", "school": world.school.pk, "starts_on": "2024-01-01"}
    )
    assert "on or after the cohort" in early.content.decode()
    placement.refresh_from_db()
    assert placement.school == world.other_school
    done = pm.post(
        edit,
        {"role": "assistant_principal", "school": world.school.pk, "starts_on": "2025-08-01"},
        follow=True,
    )
    assert "Placement corrected" in done.content.decode()
    placement.refresh_from_db()
    position = placement.position
    assert (placement.role, placement.school, placement.starts_on) == (
        "assistant_principal",
        world.school,
        datetime.date(2025, 8, 1),
    )
    assert (position.kind, position.school, position.starts_on) == (
        "assistant_principal",
        world.school,
        datetime.date(2025, 8, 1),
    )
    # The position the placement ended now ends the day before the corrected first day.
    earlier = Position.objects.get(
        person=world.principal_person, school=world.school, kind="principal"
    )
    assert earlier.ends_on == datetime.date(2025, 7, 31)
    event = AuditEvent.objects.get(action="placement.update")
    assert event.actor_id == world.users["pm"].pk
    # Someone who does not run the program may not correct it.
    assert world.client("leader").get(edit).status_code == 403


# -- 6. A program manager with only a program grant assigns coaches and mentors ----------------


def test_program_manager_assigns_a_mentor_who_then_signs_off(world: World) -> None:
    from trellis.assignments.models import Assignment
    from trellis.core.models import AuditEvent

    pm = world.client("pm")
    cohort_url = f"/programs/cohorts/{world.cohort_id}/"
    assert f'href="{cohort_url}supporters/new/"' in pm.get(cohort_url).content.decode()
    url = f"{cohort_url}supporters/new/"
    form = pm.get(url).content.decode()
    assert world.teacher_person.full_name in form
    unknown = pm.post(
        url,
        {"participant": world.uncoached_participant_id, "kind": "mentoring", "supporter": "x@y.z"},
    )
    assert "No one in Riverbend Public Schools" in unknown.content.decode()
    foreign = pm.post(
        url,
        {
            "participant": world.uncoached_participant_id,
            "kind": "mentoring",
            "supporter": world.foreign_person.email,
        },
    )
    assert foreign.status_code == 200 and not Assignment.objects.filter(kind="mentoring")
    done = pm.post(
        url,
        {
            "participant": world.uncoached_participant_id,
            "kind": "mentoring",
            "supporter": "cami.coach@example.org",
        },
        follow=True,
    )
    assert "Cami Coach is now Tomas Teller" in done.content.decode()
    assignment = Assignment.objects.get(kind="mentoring")
    assert assignment.assignee_id == world.teacher_person.pk
    event = AuditEvent.objects.get(action="participant.supporter")
    assert event.actor_id == world.users["pm"].pk
    # The new mentor reaches Tomas's record now.
    coach = world.client("coach")
    assert coach.get(f"/programs/participants/{world.uncoached_participant_id}/").status_code == 200
    # The pm of another program, and a leader who does not run programs, may not.
    before = Assignment.objects.count()
    assert world.client("pm_other").post(url, {}).status_code == 404
    assert world.client("leader").post(url, {}).status_code == 403
    assert Assignment.objects.count() == before


# -- 9. The cohort page: program and cohort named together, its selection cycle, no overflow ---


def test_cohort_page_names_its_program_and_links_to_its_selection_cycle(world: World) -> None:
    from trellis.selection.models import SelectionCycle

    cycle = SelectionCycle.objects.select_related("cohort__program").get(
        pk=world.selection["cycle"]
    )
    cohort = cycle.cohort
    page = world.client("programs").get(f"/programs/cohorts/{cohort.pk}/").content.decode()
    assert f"{cohort.program.name} — {cohort.name}" in page
    assert f'href="/selection/{cycle.pk}/"' in page
    # A district leader sees the cohort but may not open its cycle: no link.
    leader = world.client("leader").get(f"/programs/cohorts/{cohort.pk}/").content.decode()
    assert f"/selection/{cycle.pk}/" not in leader
    # Buttons wrap on a phone, and say what they edit.
    assert 'class="d-flex flex-wrap gap-2 no-print"' in page
    assert ">Edit cohort<" in page and ">Edit<" not in page


# -- 7. The project template, and deleting checklist items -----------------------------------


def test_new_projects_start_from_the_programs_template(world: World) -> None:
    from trellis.programs.models import Milestone, MilestoneTemplate

    pm = world.client("pm")
    base = f"/programs/{world.program_id}/"
    for title, days in (("Baseline data collected", 45), ("Mid-year review", 180)):
        assert (
            pm.post(f"{base}project-template/new/", {"title": title, "offset_days": days})
        ).status_code == 302
    twice = pm.post(f"{base}project-template/new/", {"title": "mid-year REVIEW", "offset_days": 9})
    assert "already has a milestone with this title" in twice.content.decode()
    page = pm.get(base).content.decode()
    assert "Baseline data collected" in page and "Due 45 days after a cohort starts" in page
    item = MilestoneTemplate.objects.get(title="Mid-year review")
    pm.post(
        f"{base}project-template/{item.pk}/edit/", {"title": "Mid-year review", "offset_days": 170}
    )
    # Tomas starts his project: it has the template's milestones, dated from his cohort's start.
    tomas = world.client("teacher")
    started = tomas.post(
        f"/programs/participants/{world.uncoached_participant_id}/project/",
        {"title": "Math discourse"},
    )
    assert started.status_code == 302
    milestones = Milestone.objects.filter(
        project__participant_id=world.uncoached_participant_id
    ).order_by("due_on")
    assert [(m.title, m.due_on) for m in milestones] == [
        ("Baseline data collected", datetime.date(2024, 8, 15)),
        ("Mid-year review", datetime.date(2024, 12, 18)),
    ]
    # Deleting a template milestone asks first, and leaves started projects alone.
    delete = f"{base}project-template/{item.pk}/delete/"
    assert "Delete the template milestone" in pm.get(delete).content.decode()
    assert pm.post(delete).status_code == 302
    assert not MilestoneTemplate.objects.filter(pk=item.pk).exists()
    assert milestones.count() == 2


def test_a_checklist_item_is_deleted_after_confirmation_unless_it_has_evidence(
    world: World,
) -> None:
    from trellis.core.models import AuditEvent
    from trellis.programs.models import Experience

    pm = world.client("pm")
    base = f"/programs/{world.program_id}/"
    page = pm.get(base).content.decode()
    unused = Experience.objects.get(title="Build the master schedule")
    assert f'href="{base}experiences/{unused.pk}/delete/"' in page
    # Paula has evidence for the first experience: refused, and it stays.
    refused = pm.post(f"{base}experiences/{world.experience_id}/delete/", follow=True)
    assert "has evidence from 1 participant" in refused.content.decode()
    assert Experience.objects.filter(pk=world.experience_id).exists()
    confirm = pm.get(f"{base}experiences/{unused.pk}/delete/").content.decode()
    assert "Delete the experience" in confirm
    assert Experience.objects.filter(pk=unused.pk).exists()
    done = pm.post(f"{base}experiences/{unused.pk}/delete/", follow=True)
    assert "is no longer on the checklist" in done.content.decode()
    assert not Experience.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action="experience.delete", object_id=str(unused.pk)).exists()
    assert (
        world.client("leader").post(f"{base}experiences/{world.experience_id}/delete/").status_code
        == 403
    )


# -- 8. The team page: export and history -----------------------------------------------------


def test_team_page_exports_the_team_and_shows_who_appointed_whom(world: World) -> None:
    from trellis.authz.models import Grant

    admin = world.client("admin")
    base = f"/programs/{world.program_id}/"
    admin.post(
        f"{base}team/new/",
        {
            "email": "leader@riverbend.test",
            "role": "selection_committee",
            "cohort": world.cohort_id,
        },
    )
    grant = Grant.objects.get(user__email="leader@riverbend.test", role="selection_committee")
    admin.post(f"{base}team/{grant.pk}/end/")
    page = admin.get(f"{base}team/").content.decode()
    assert "History" in page and "admin@riverbend.test" in page
    assert "Appointed" in page and "Ended" in page and "Cohort 1 only" in page
    csv = body(admin.get(f"{base}team/?format=csv"))
    assert "pm@riverbend.test" in csv and "Program manager" in csv
    assert "leader@riverbend.test" not in csv  # ended: no longer on the team
    # The program manager sees the team and its export, not the history of appointments.
    pm_page = world.client("pm").get(f"{base}team/").content.decode()
    assert "pm@riverbend.test" in pm_page and "History" not in pm_page
    assert f'href="{base}team/"' in world.client("pm").get(base).content.decode()


# -- 11. The team form finds only accounts of the program's systems or partner ----------------


def test_team_form_does_not_find_another_systems_account(world: World) -> None:
    from trellis.authz.models import Grant

    admin = world.client("admin")
    before = Grant.objects.count()
    response = admin.post(
        f"/programs/{world.program_id}/team/new/",
        {"email": "leader@lakeside.test", "role": "program_manager"},
    )
    assert response.status_code == 200
    assert (
        "No one of the systems Aspiring Principals serves signs in with this e-mail"
        in response.content.decode()
    )
    assert Grant.objects.count() == before
    # The system's own people are found; so are the staff of a partner running a program.
    assert (
        admin.post(
            f"/programs/{world.program_id}/team/new/",
            {"email": "leader@riverbend.test", "role": "program_manager"},
        ).status_code
        == 302
    )
    fellowship = program_create(
        actor=None,
        name="Northstar Fellows",
        kind=Program.Kind.PARTNER_FELLOWSHIP,
        owner_partner=world.partner,
        systems=[world.system],
    )
    staff = admin.post(
        f"/programs/{fellowship.pk}/team/new/",
        {"email": "partner@riverbend.test", "role": "partner_staff"},
    )
    assert staff.status_code == 302


def test_no_overdue_badge_on_a_completed_participants_record(world: World) -> None:
    from trellis.programs.services import participant_status_set

    url = f"/programs/participants/{world.participant_id}/"
    pm = world.client("pm")
    # Active and past the due dates: overdue.
    active = pm.get(url).content.decode()
    assert active.count(">Overdue<") == 3  # two experiences and the milestone
    participant_status_set(
        actor=None,
        participant=Participant.objects.get(pk=world.participant_id),
        status="completed",
        on=datetime.date(2025, 6, 20),
    )
    page = pm.get(url).content.decode()
    assert ">Overdue<" not in page and "Completed" in page
    # The header's buttons wrap on a narrow screen; the milestone's button says what it edits.
    assert 'class="d-flex flex-wrap gap-2 no-print"' in page
    assert "Edit milestone<span" in page and ">Edit<" not in page
    # "Program — Cohort" names the cohort.
    assert "Aspiring Principals — Cohort 1" in page


def test_program_dates_read_as_the_rest_of_the_site(world: World) -> None:
    """One date format on the programs pages: "Jul 1, 2024" (as people, access, ratings and
    assignments pages write it)."""
    import re

    from trellis.programs.services import participant_status_set

    participant_status_set(
        actor=None,
        participant=Participant.objects.get(pk=world.participant_id),
        status="completed",
        on=datetime.date(2025, 6, 20),
    )
    pm = world.client("pm")
    pages = [
        f"/programs/{world.program_id}/",
        f"/programs/cohorts/{world.cohort_id}/",
        f"/programs/participants/{world.participant_id}/",
        f"/programs/{world.program_id}/team/",
    ]
    portfolio = world.client(None).get(f"/programs/portfolio/{world.portfolio_token}/")
    texts = [pm.get(url).content.decode() for url in pages] + [portfolio.content.decode()]
    for text in texts:
        assert not re.search(r">[^<]*\b\d{4}-\d{2}-\d{2}\b", text)
        assert not re.search(
            r"\b\d{1,2} (January|February|March|April|May|June|July|August|"
            r"September|October|November|December) \d{4}\b",
            text,
        )
    assert "Jul 1, 2024" in texts[1]
    assert "completed Jun 20, 2025" in texts[-1] and "June 2025" not in texts[-1]


def test_unknown_filter_values_are_refused_naming_the_parameter_as_elsewhere(world: World) -> None:
    """The site answers a filter value it does not know with a 400 that names the parameter
    (people, schools, access and audit lists do; the API gives 422): programs pages agree."""
    pm = world.client("pm")
    for url in (
        "/programs/?kind=zzz",
        f"/programs/cohorts/{world.cohort_id}/?status=zzz",
        "/programs/cohorts/?state=zzz",
    ):
        response = pm.get(url)
        assert response.status_code == 400
        assert "parameter must be one of" in response.content.decode()
    assert world.client("leader").get("/people/?status=zzz").status_code == 400


def test_sign_off_page_shows_the_evidence_and_a_sign_off_button(
    world: World, tmp_path: Any, settings: Any
) -> None:
    """The coach sees what they vouch for (the text and a link to the file) before signing,
    and the button says what it does."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    url = f"/programs/participants/{world.participant_id}/experiences/{world.experience_id}/"
    added = world.client("principal").post(
        f"{url}evidence/",
        {
            "evidence_text": "Led the 3rd-grade data meeting on reading.",
            "evidence_file": SimpleUploadedFile("agenda.pdf", b"%PDF-1.7 x", "application/pdf"),
        },
    )
    assert added.status_code == 302
    page = world.client("coach").get(f"{url}sign-off/").content.decode()
    assert "Led the 3rd-grade data meeting on reading." in page
    assert f'href="{url}evidence/file/"' in page and "agenda.pdf" in page
    assert '<button class="btn btn-success" type="submit">Sign off</button>' in page
    assert ">Save</button>" not in page
