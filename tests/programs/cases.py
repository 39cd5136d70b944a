"""Role-matrix Cases of the programs pages and API (added to tests/matrix.py's CASES).

Each page is asked by the right role, a wrong role, the program manager of another program
(`pm_other`: 404) and, for the main pages, another system's administrator (`admin_b`: 404);
relationship probes ask the coach about a participant who is not their coachee (404)."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix import Case


def program(w: World, tail: str = "") -> str:
    return f"/programs/{w.program_id}/{tail}"


def cohort(w: World, tail: str = "") -> str:
    return f"/programs/cohorts/{w.cohort_id}/{tail}"


def paula(w: World, tail: str = "") -> str:
    return f"/programs/participants/{w.participant_id}/{tail}"


def tomas(w: World, tail: str = "") -> str:
    return f"/programs/participants/{w.uncoached_participant_id}/{tail}"


def link_id(w: World) -> int:
    from trellis.programs.models import PortfolioLink

    return PortfolioLink.objects.get(participant_id=w.participant_id, revoked_at=None).pk


def evidence_file(w: World) -> None:
    """Tomas's evidence with a file, for the download Case."""
    from trellis.programs.models import Experience, Participant
    from trellis.programs.services import evidence_submit

    evidence_submit(
        actor=None,
        participant=Participant.objects.get(pk=w.uncoached_participant_id),
        experience=Experience.objects.get(pk=w.experience_id),
        text="Notes attached.",
        file_name="notes.pdf",
        file_data=b"%PDF-1.7 matrix",
    )


def placed(w: World) -> None:
    """Tomas placed as a teacher leader at Pine Ridge (his position at Oak Hill kept), once: a
    world that runs every Case's set-up (tests/test_query_counts.py, in no set order) asks for
    him from the alumni survey's Cases too."""
    import datetime

    from trellis.orgs.models import School
    from trellis.programs.models import Participant, Placement
    from trellis.programs.services import placement_record

    if Placement.objects.filter(participant_id=w.uncoached_participant_id).exists():
        return
    placement_record(
        actor=None,
        participant=Participant.objects.get(pk=w.uncoached_participant_id),
        role="teacher_leader",
        school=School.objects.get(pk=w.other_school.pk),
        starts_on=datetime.date(2025, 8, 1),
        end_current=False,
    )


def program_data(w: World) -> dict[str, Any]:
    return {
        "name": "Aspiring Principals",
        "kind": "aspiring_principal",
        "systems": [w.system.pk],
        "description": "Changed.",
    }


def cohort_data(w: World) -> dict[str, Any]:
    return {
        "name": "Cohort 9",
        "school_year": 2027,
        "starts_on": "2027-07-01",
        "ends_on": "2028-06-30",
        "state": "planned",
    }


def _pages(
    route: str,
    url: Any,
    *,
    right: str = "pm",
    wrong: str = "analyst",
    method: str = "GET",
    data: Any = None,
    exports: tuple[str, ...] = (),
    wrong_status: int = 403,
    get_status: int | None = None,
    other_system: bool = True,
    **extra: Any,
) -> list[Case]:
    """The page asked by the program manager of another program and, when `other_system`, by
    another system's administrator (both outsiders: 404)."""
    common: dict[str, Any] = {
        "right": right,
        "wrong": wrong,
        "method": method,
        "data": data,
        "exports": exports,
        "wrong_status": wrong_status,
        "right_status": 302 if method == "POST" else 200,
        "get_status": get_status,
        **extra,
    }
    cases = [Case(route, url, outsider="pm_other", label="another program", **common)]
    if other_system:
        cases.append(Case(route, url, outsider="admin_b", label="another system", **common))
    return cases


PROGRAM_CASES: list[Case] = [
    Case(
        "program_list",
        lambda w: "/programs/",
        right="pm",
        wrong="coach",  # analysts see the list (figures only); a coach has no programs
        outsider="pm_other",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Aspiring Principals",
        exports=("csv", "xlsx"),
        label="another program",
    ),
    Case(
        "program_list",
        lambda w: "/programs/",
        right="pm",
        wrong="coach",  # analysts see the list (figures only); a coach has no programs
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Aspiring Principals",
        exports=("csv", "xlsx"),
        label="another system",
    ),
    Case(
        "program_create",
        lambda w: "/programs/new/",
        right="programs",  # the system's program manager
        wrong="leader",
        outsider="admin_b",
        # Another system's administrator may create programs of their own system only: the
        # form refuses this system (nothing written).
        outsider_status=200,
        method="POST",
        data=lambda w: {
            "name": "Aspiring Assistant Principals",
            "kind": "aspiring_ap",
            "owner": f"system:{w.system.pk}",
            "systems": [w.system.pk],
        },
        right_status=302,
        get_status=200,
    ),
    *_pages("program_detail", program),
    *_pages(
        "program_edit",
        lambda w: program(w, "edit/"),
        wrong="leader",  # sees programs, does not run them
        method="POST",
        data=program_data,
        get_status=200,
    ),
    # Analysts read figures (suppressed, no names): the wrong role is a coach.
    *_pages(
        "program_dashboard",
        lambda w: program(w, "dashboard/"),
        wrong="coach",
        exports=("csv", "xlsx"),
    ),
    *_pages(
        "cohort_create",
        lambda w: program(w, "cohorts/new/"),
        wrong="leader",
        method="POST",
        data=cohort_data,
        get_status=200,
    ),
    *_pages(
        "experience_add",
        lambda w: program(w, "experiences/new/"),
        wrong="leader",
        method="POST",
        data=lambda w: {"title": "Present to the board", "due_days": 300},
        get_status=200,
        other_system=False,
    ),
    *_pages(
        "experience_edit",
        lambda w: program(w, f"experiences/{w.experience_id}/edit/"),
        wrong="leader",
        method="POST",
        data=lambda w: {"title": "Lead two data meetings", "due_days": 90, "position": 1},
        get_status=200,
        other_system=False,
    ),
    Case(
        "cohort_list",
        lambda w: "/programs/cohorts/",
        right="pm",
        wrong="analyst",
        outsider="pm_other",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Cohort 1",
        exports=("csv", "xlsx"),
    ),
    *_pages("cohort_detail", cohort, exports=("csv", "xlsx")),
    *_pages(
        "cohort_edit",
        lambda w: cohort(w, "edit/"),
        wrong="leader",
        method="POST",
        data=lambda w: {
            "name": "Cohort One",
            "school_year": 2024,
            "starts_on": "2024-07-01",
            "ends_on": "2025-06-30",
            "state": "completed",
        },
        get_status=200,
        other_system=False,
    ),
    *_pages(
        "cohort_dashboard",
        lambda w: cohort(w, "dashboard/"),
        wrong="coach",
        exports=("csv", "xlsx"),
    ),
    Case(
        "cohort_dashboard",
        lambda w: cohort(w, "dashboard/"),
        right="analyst",
        wrong="coach",
        outsider="admin_b",
        hidden_from_outsider=lambda w: "Cohort 1",
        exports=("csv", "xlsx"),
        label="analyst",
    ),
    *_pages(
        "participant_add",
        lambda w: cohort(w, "participants/new/"),
        wrong="leader",
        method="POST",
        data=lambda w: {"person": w.far_person.email, "career_goal": "Principal"},
        get_status=200,
    ),
    # The record: whoever may not view programs gets 404 (an analyst, a principal).
    *_pages("participant_detail", tomas, wrong_status=404),
    Case(
        "participant_detail",
        paula,
        right="coach",  # Paula's coach
        wrong="supervisor_far",
        wrong_status=404,
        outsider="admin_b",
        unrelated_url=tomas,  # not the coach's coachee
        label="coach",
    ),
    Case(
        "participant_detail",
        tomas,
        right="teacher",  # Tomas's own record
        wrong="principal",
        wrong_status=404,
        outsider="leader_b",
        label="own record",
    ),
    *_pages(
        "participant_goals",
        lambda w: tomas(w, "goals/"),
        right="teacher",
        wrong="leader",
        method="POST",
        data=lambda w: {"career_goal": "Assistant principal", "goals": "Lead a PLC."},
        get_status=200,
    ),
    *_pages(
        "participant_status",
        lambda w: tomas(w, "status/"),
        wrong="leader",
        method="POST",
        data=lambda w: {"status": "withdrawn", "on": "2025-01-15"},
        get_status=200,
        other_system=False,
    ),
    *_pages(
        "evidence_submit",
        lambda w: tomas(w, f"experiences/{w.experience_id}/evidence/"),
        right="teacher",
        wrong="leader",
        method="POST",
        data=lambda w: {"evidence_text": "Led the data meeting in October."},
        get_status=200,
    ),
    *_pages(
        "evidence_file",
        lambda w: tomas(w, f"experiences/{w.experience_id}/evidence/file/"),
        wrong_status=404,
        setup=evidence_file,
        other_system=False,
    ),
    Case(
        "experience_sign_off",
        lambda w: paula(w, f"experiences/{w.experience_id}/sign-off/"),
        right="coach",
        wrong="pm",  # runs the program, is not Paula's coach or mentor
        outsider="admin_b",
        outsider_status=403,  # no coaching or mentoring anywhere: refused before any lookup
        method="POST",
        data=lambda w: {"signed_off_on": "2024-10-01"},
        right_status=302,
        get_status=200,
        unrelated_url=lambda w: tomas(w, f"experiences/{w.experience_id}/sign-off/"),
    ),
    *_pages(
        "project_edit",
        lambda w: tomas(w, "project/"),
        right="teacher",
        wrong="leader",
        method="POST",
        data=lambda w: {"title": "Math discourse", "measure": "Talk moves per lesson"},
        get_status=200,
        other_system=False,
    ),
    *_pages(
        "milestone_add",
        lambda w: paula(w, "project/milestones/new/"),
        right="principal",
        wrong="leader",
        method="POST",
        data=lambda w: {"title": "Mid-year check", "due_on": "2025-01-31", "status": "planned"},
        get_status=200,
        other_system=False,
    ),
    *_pages(
        "milestone_edit",
        lambda w: paula(w, f"project/milestones/{w.milestone_id}/"),
        wrong="leader",
        method="POST",
        data=lambda w: {
            "title": "Baseline screener",
            "due_on": "2024-09-30",
            "status": "done",
            "done_on": "2024-09-28",
        },
        get_status=200,
        other_system=False,
    ),
    Case(
        "portfolio_link_create",
        lambda w: paula(w, "portfolio/links/"),
        right="principal",  # Paula shares her own portfolio
        wrong="pm",  # runs the program; has no person record, so no own record at all
        outsider="teacher",  # another participant: not found
        method="POST",
        right_status=200,  # the page showing the new link once
        get_status=302,
        wrong_get_status=403,
    ),
    *_pages(
        "portfolio_link_revoke",
        lambda w: paula(w, f"portfolio/links/{link_id(w)}/revoke/"),
        right="principal",
        wrong="leader",
        method="POST",
        get_status=302,
        other_system=False,
    ),
    *_pages(
        "placement_create",
        lambda w: tomas(w, "placements/new/"),
        wrong="leader",
        method="POST",
        data=lambda w: {
            "role": "assistant_principal",
            "school": w.other_school.pk,
            "starts_on": "2025-07-01",
            "end_current": "on",
        },
        get_status=200,
    ),
]


def placement_edit_url(w: World) -> str:
    from trellis.programs.models import Placement

    placement = Placement.objects.get(participant_id=w.uncoached_participant_id)
    return tomas(w, f"placements/{placement.pk}/edit/")


PROGRAM_CASES += [
    *_pages(
        "placement_edit",
        placement_edit_url,
        wrong="leader",
        method="POST",
        data=lambda w: {
            "role": "teacher_leader",
            "school": w.school.pk,
            "starts_on": "2025-09-01",
        },
        get_status=200,
        setup=placed,
    ),
]


PROGRAM_CASES += [
    # A program's managers give a participant a coach or mentor (an assignment).
    *_pages(
        "supporter_assign",
        lambda w: cohort(w, "supporters/new/"),
        wrong="leader",
        method="POST",
        data=lambda w: {
            "participant": w.uncoached_participant_id,
            "kind": "mentoring",
            "supporter": "cami.coach@example.org",
        },
        get_status=200,
    ),
]


def template_item(w: World) -> None:
    """A milestone in the program's project template, for its edit and delete Cases."""
    from trellis.programs.models import Program
    from trellis.programs.services import milestone_template_create

    milestone_template_create(
        actor=None,
        program=Program.objects.get(pk=w.program_id),
        title="Baseline data collected",
        offset_days=45,
    )


def template_item_url(tail: str) -> Any:
    def url(w: World) -> str:
        from trellis.programs.models import MilestoneTemplate

        item = MilestoneTemplate.objects.get(program_id=w.program_id)
        return program(w, f"project-template/{item.pk}/{tail}")

    return url


def unused_experience(w: World) -> int:
    from trellis.programs.models import Experience

    return int(
        Experience.objects.get(program_id=w.program_id, title="Build the master schedule").pk
    )


PROGRAM_CASES += [
    *_pages(
        "experience_delete",
        lambda w: program(w, f"experiences/{unused_experience(w)}/delete/"),
        wrong="leader",
        method="POST",
        get_status=200,  # the confirmation
        other_system=False,
    ),
    *_pages(
        "milestone_template_add",
        lambda w: program(w, "project-template/new/"),
        wrong="leader",
        method="POST",
        data=lambda w: {"title": "Mid-year review", "offset_days": 180},
        get_status=200,
    ),
    *_pages(
        "milestone_template_edit",
        template_item_url("edit/"),
        wrong="leader",
        method="POST",
        data=lambda w: {"title": "Baseline data in", "offset_days": 40},
        get_status=200,
        setup=template_item,
    ),
    *_pages(
        "milestone_template_delete",
        template_item_url("delete/"),
        wrong="leader",
        method="POST",
        get_status=200,
        setup=template_item,
    ),
    # The team page and its export: whoever sees the program (history only for appointers).
    *_pages(
        "program_team",
        lambda w: program(w, "team/"),
        wrong="coach",
        wrong_status=403,
        exports=("csv", "xlsx"),
    ),
]


def _api(route: str, url: Any, **extra: Any) -> list[Case]:
    """An API operation as the program's manager, an analyst (no programs: 403), and the two
    outsiders (404)."""
    common: dict[str, Any] = {"right": "pm", "wrong": "analyst", "api": True, **extra}
    return [
        Case(route, url, outsider="pm_other", label="another program", **common),
        Case(route, url, outsider="admin_b", label="another system", **common),
    ]


def _api_list(route: str, url: Any, hidden: Any) -> list[Case]:
    common: dict[str, Any] = {
        "right": "pm",
        "wrong": "analyst",
        "api": True,
        "outsider_status": 200,
        "hidden_from_outsider": hidden,
    }
    return [
        Case(route, url, outsider="pm_other", label="another program", **common),
        Case(route, url, outsider="admin_b", label="another system", **common),
    ]


PROGRAM_CASES += [
    *_api_list("api:list_programs", lambda w: "/api/v1/programs", lambda w: "Aspiring Principals"),
    *_api("api:get_program", lambda w: f"/api/v1/programs/{w.program_id}"),
    *_api("api:get_program_figures", lambda w: f"/api/v1/programs/{w.program_id}/figures"),
    *_api_list("api:list_cohorts", lambda w: "/api/v1/cohorts", lambda w: "Cohort 1"),
    *_api("api:get_cohort", lambda w: f"/api/v1/cohorts/{w.cohort_id}"),
    *_api("api:get_cohort_figures", lambda w: f"/api/v1/cohorts/{w.cohort_id}/figures"),
    *_api("api:list_cohort_participants", lambda w: f"/api/v1/cohorts/{w.cohort_id}/participants"),
    *_api(
        "api:get_participant",
        lambda w: f"/api/v1/participants/{w.uncoached_participant_id}",
        wrong_status=404,  # whoever may not view programs does not learn the record exists
    ),
    Case(
        "api:get_participant",
        lambda w: f"/api/v1/participants/{w.participant_id}",
        right="coach",
        wrong="supervisor_far",
        wrong_status=404,
        outsider="leader_b",
        api=True,
        unrelated_url=lambda w: f"/api/v1/participants/{w.uncoached_participant_id}",
        label="coach",
    ),
    *[
        Case(
            "api:list_placements",
            lambda w: f"/api/v1/placements?cohort={w.cohort_id}",
            right="pm",
            wrong="analyst",
            outsider=outsider,
            outsider_status=200,
            hidden_from_outsider=lambda w: "Pine Ridge Middle",
            api=True,
            setup=placed,
            label=label,
        )
        for outsider, label in (("pm_other", "another program"), ("admin_b", "another system"))
    ],
]


def _pm_grant(w: World) -> int:
    return int(w.users["pm"].grants.get(program_id=w.program_id).pk)


# Appointing a program's team: administrators of the program's system only (a program manager
# holds no access.manage: 403; another system's administrator does not see the program: 404).
PROGRAM_CASES += [
    Case(
        "program_team_add",
        lambda w: program(w, "team/new/"),
        right="admin",
        wrong="pm",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "email": "leader@riverbend.test",
            "role": "selection_committee",
            "cohort": w.cohort_id,
        },
        right_status=302,
        get_status=200,
    ),
    Case(
        "program_team_end",
        lambda w: program(w, f"team/{_pm_grant(w)}/end/"),
        right="admin",
        wrong="pm",
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=302,
        wrong_get_status=403,
    ),
]
