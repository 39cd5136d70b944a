"""Role-matrix Cases of the coaching pages and API (added to tests/matrix.py's CASES).

Who is who (tests/conftest.py, tests/coaching/world.py): `coach` (Cami) coaches Paula and Cora;
`supervisor` (Sam) supervises Paula; `evaluator` (Eve) evaluates Paula; `principal` is Paula
herself, the coachee; `coach_other` (Oscar) is a coach with no coachees (right role, wrong
relationship: 404); `supervisor_south` (Sid) supervises in the south network, without Paula
(404); the district leader sees Paula as staff but not her coaching (403); `admin_b` is another
system (404)."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix import Case


def session(w: World, tail: str = "") -> str:
    return f"/coaching/sessions/{w.coaching['session']}/{tail}"


def paula_new(w: World) -> str:
    return f"/coaching/new/?coachee={w.principal_person.pk}"


def session_data(w: World) -> dict[str, Any]:
    return {
        "held_on": "2026-03-02",
        "minutes": 40,
        "mode": "walkthrough",
        "protocol": w.coaching["protocol"],
        "notes": "Walked the 3rd-grade hall together.",
        "step_1_text": "Share the walkthrough tool with the team",
        "step_1_owner": "coachee",
        "step_1_due": "2026-03-16",
    }


def api_session_data(w: World) -> dict[str, Any]:
    return {
        "coachee_id": w.principal_person.pk,
        "held_on": "2026-03-02",
        "minutes": 40,
        "mode": "observation",
        "notes": "Observed the data meeting.",
        "next_steps": [{"text": "Try the protocol", "owner_id": w.principal_person.pk}],
    }


COACHING_CASES: list[Case] = [
    Case(
        "coaching_sessions",
        lambda w: "/coaching/",
        right="coach",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_sessions",
        lambda w: "/coaching/",
        right="supervisor",
        wrong="analyst",
        outsider="coach_other",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
        label="right role, wrong relationship",
    ),
    # The chooser (no coachee yet): for coaches and supervisors; a role that logs no sessions
    # (a teacher, an analyst, a leader, another system's administrator) is refused with the
    # reason, before any person is looked up (coach4).
    Case(
        "coaching_session_new",
        lambda w: "/coaching/new/",
        right="coach",
        wrong="teacher",
        outsider="admin_b",
        outsider_status=403,
        label="chooser",
    ),
    Case(
        "coaching_session_new",
        lambda w: "/coaching/new/",
        right="supervisor",
        wrong="analyst",
        outsider="leader_b",
        outsider_status=403,
        label="chooser, analyst",
    ),
    Case(
        "coaching_session_new",
        lambda w: "/coaching/new/",
        right="coach_other",
        wrong="leader",
        outsider="admin_b",
        outsider_status=403,
        label="chooser, coach with an empty caseload",
    ),
    Case(
        "coaching_session_new",
        paula_new,
        right="coach",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=session_data,
        right_status=302,
        get_status=200,
        unrelated="coach_other",
    ),
    Case(
        "coaching_session_new",
        paula_new,
        right="supervisor",
        wrong="leader",
        outsider="supervisor_south",
        method="POST",
        data=session_data,
        right_status=302,
        get_status=200,
        label="supervisor",
    ),
    Case(
        "coaching_session",
        lambda w: session(w),
        right="coach",
        wrong="leader",
        outsider="admin_b",
        unrelated="coach_other",
    ),
    Case(
        "coaching_session",
        lambda w: session(w),
        right="supervisor",
        wrong="leader",
        outsider="supervisor_south",
        label="supervisor",
    ),
    Case(
        "coaching_session",
        lambda w: session(w),
        right="evaluator",
        wrong="principal",
        wrong_status=200,  # the coachee herself
        outsider="admin_b",
        label="evaluator and coachee",
    ),
    Case(
        "coaching_session",
        lambda w: session(w),
        right="admin",
        wrong="leader",
        outsider="admin_b",
        label="administrator",
    ),
    Case(
        "coaching_session_edit",
        lambda w: session(w, "edit/"),
        right="coach",
        wrong="supervisor",  # reads the session, did not lead it
        outsider="admin_b",
        method="POST",
        data=session_data,
        right_status=302,
        get_status=200,
        unrelated="coach_other",
    ),
    Case(
        "coaching_session_delete",
        lambda w: session(w, "delete/"),
        right="coach",
        wrong="principal",  # the coachee does not delete the coach's record
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=200,
        unrelated="coach_other",
    ),
    Case(
        "coaching_session_comment",
        lambda w: session(w, "comments/"),
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"text": "One more thought about the calendar."},
        right_status=302,
        get_status=302,
        unrelated="coach_other",
    ),
    Case(
        "coaching_session_share",
        lambda w: session(w, "share/"),
        right="principal",
        wrong="coach",  # only the coachee shares
        outsider="admin_b",
        method="POST",
        data=lambda w: {"shared": "1"},
        right_status=302,
        get_status=302,
        unrelated="coach_other",
    ),
    Case(
        "coaching_next_step_done",
        lambda w: f"/coaching/next-steps/{w.coaching['open_step']}/done/",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"done": "1"},
        right_status=302,
        get_status=302,
        unrelated="coach_other",
    ),
    Case(
        "coaching_coachee",
        lambda w: f"/coaching/people/{w.principal_person.pk}/",
        right="coach",
        wrong="leader",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        unrelated="coach_other",
    ),
    Case(
        "coaching_coachee",
        lambda w: f"/coaching/people/{w.principal_person.pk}/",
        right="principal",
        wrong="leader",
        outsider="supervisor_south",
        exports=("csv", "xlsx"),
        label="the coachee",
    ),
    Case(
        "coaching_protocols",
        lambda w: "/coaching/protocols/",
        right="coach",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Riverbend data dive",
    ),
    Case(
        "coaching_protocol_new",
        lambda w: "/coaching/protocols/new/",
        right="coaching_lead",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "system": w.system.pk,
            "name": "Peer observation",
            "steps": "Observe\nDebrief",
        },
        right_status=302,
        get_status=200,
        # Another system's administrator keeps their own library: Riverbend is not offered.
        # Their POST naming Riverbend is their form again with its errors: 400 since eval7 (it
        # was 200; a form shown again with errors answers 400). Their GET shows their own form.
        outsider_status=400,
        outsider_get_status=200,
        hidden_from_outsider=lambda w: w.system.name,
    ),
    Case(
        "coaching_protocol_edit",
        lambda w: f"/coaching/protocols/{w.coaching['protocol']}/edit/",
        right="admin",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"name": "Riverbend data dive", "steps": "Look\nPlan", "is_active": "on"},
        right_status=302,
        get_status=200,
    ),
    Case(
        "coaching_settings",
        lambda w: "/coaching/settings/",
        right="coaching_lead",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system": w.system.pk, "unseen_weeks": 4},
        right_status=302,
        get_status=200,
        # Their POST naming Riverbend is their form again with its errors: 400 since eval7 (it
        # was 200; a form shown again with errors answers 400). Their GET shows their own form.
        outsider_status=400,
        outsider_get_status=200,
        hidden_from_outsider=lambda w: w.system.name,
    ),
    # The API.
    Case(
        "api:list_coaching_sessions",
        lambda w: "/api/v1/coaching/sessions",
        right="coach",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula",
        api=True,
    ),
    Case(
        "api:list_coaching_sessions",
        lambda w: "/api/v1/coaching/sessions",
        right="supervisor",
        wrong="analyst",
        outsider="coach_other",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula",
        api=True,
        label="right role, wrong relationship",
    ),
    Case(
        "api:log_coaching_session",
        lambda w: "/api/v1/coaching/sessions",
        right="coach",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=api_session_data,
        right_status=201,
        get_status=200,
        outsider_get_status=200,  # the list, of their own system's sessions
        unrelated="coach_other",
        api=True,
        label="log a session",
    ),
    Case(
        "api:get_coaching_session",
        lambda w: f"/api/v1/coaching/sessions/{w.coaching['session']}",
        right="coach",
        wrong="leader",
        outsider="admin_b",
        unrelated="coach_other",
        api=True,
    ),
    Case(
        "api:list_next_steps",
        lambda w: "/api/v1/coaching/next-steps",
        right="principal",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Draft the data calendar",
        api=True,
    ),
    Case(
        "api:list_next_steps",
        lambda w: "/api/v1/coaching/next-steps",
        right="supervisor",
        wrong="analyst",
        outsider="supervisor_south",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Draft the data calendar",
        api=True,
        label="right role, wrong relationship",
    ),
]


# -- Classroom visits, instructional-leadership time, dosage and its set-up (coach-visits) -------
# `principal` is Paula (Oak Hill), who visited Tomas; `principal_pine` (Percy) is a principal of
# another school (right role, wrong school: 404 for Tomas); `supervisor_far` supervises no one
# (right role, no caseload: 403 on the visits); `admin_b` is another system.


def visit_new_url(w: World) -> str:
    return f"/coaching/visits/new/?teacher={w.teacher_person.pk}"


def visit_data(w: World) -> dict[str, Any]:
    return {"visited_at": "2026-02-03T09:30", "minutes": 25, "feedback": "Wait time worked."}


def api_visit_data(w: World) -> dict[str, Any]:
    return {
        "teacher_id": w.teacher_person.pk,
        "visited_at": "2026-02-03T09:30:00",
        "minutes": 25,
        "feedback": "Wait time worked.",
    }


def support_url(w: World) -> str:
    return f"/coaching/support/?system={w.system.pk}"


SUPPORT_CASES: list[Case] = [
    Case(
        "coaching_visits",
        lambda w: "/coaching/visits/",
        right="principal",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Tomas Teller",
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_visits",
        lambda w: "/coaching/visits/",
        right="supervisor",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Tomas Teller",
        exports=("csv", "xlsx"),
        unrelated="supervisor_far",
        unrelated_status=403,
        label="right role, wrong relationship",
    ),
    Case(
        "coaching_visit_new",
        visit_new_url,
        right="principal",
        wrong="leader",
        outsider="admin_b",
        outsider_status=403,  # no system of theirs lets them log visits
        method="POST",
        data=visit_data,
        right_status=302,
        get_status=200,
        unrelated="principal_pine",
    ),
    Case(
        "coaching_leadership_time",
        lambda w: "/coaching/leadership-time/",
        right="principal",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_leadership_time",
        lambda w: "/coaching/leadership-time/",
        right="supervisor",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
        unrelated="supervisor_far",
        unrelated_status=403,
        label="right role, wrong relationship",
    ),
    Case(
        "coaching_dosage",
        lambda w: "/coaching/dosage/",
        right="leader",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill Elementary",
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_dosage",
        lambda w: "/coaching/dosage/",
        right="supervisor",
        wrong="principal",
        outsider="supervisor_far",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill Elementary",
        exports=("csv", "xlsx"),
        label="right role, wrong network",
    ),
    # Need profiles and tiers are school-level planning data: every reader of the dosage they
    # plan reads them (a district leader, a supervisor for their schools), only administrators
    # change them (docs/decisions.md, 2026-11-30): the leader's GET shows them read-only.
    Case(
        "coaching_support",
        support_url,
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"form": "flag", "flag-name": "Turnaround"},
        right_status=302,
        get_status=200,
        wrong_get_status=200,
    ),
    Case(
        "coaching_support",
        support_url,
        right="leader",
        wrong="principal",
        outsider="admin_b",
        label="read-only",
    ),
    Case(
        "coaching_support_schools",
        lambda w: "/coaching/support/schools/",
        right="leader",
        wrong="principal",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill Elementary",
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_support_school",
        lambda w: f"/coaching/support/schools/{w.school.pk}/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"performance_band": "2", "attendance_rate": "93.5"},
        right_status=302,
        get_status=200,
        wrong_get_status=200,
    ),
    Case(
        "coaching_support_school",
        lambda w: f"/coaching/support/schools/{w.school.pk}/",
        right="leader",
        wrong="principal",
        outsider="admin_b",
        label="read-only",
    ),
    # A supervisor reads the profiles of their schools; another network's supervisor does not
    # see Oak Hill at all.
    Case(
        "coaching_support_school",
        lambda w: f"/coaching/support/schools/{w.school.pk}/",
        right="supervisor",
        wrong="principal",
        outsider="admin_b",
        unrelated="supervisor_far",
        label="right role, wrong relationship",
    ),
    # Need profiles' figures read from the data (the coaching fixes of issue 10).
    Case(
        "coaching_support_refresh",
        lambda w: "/coaching/support/schools/refresh/",
        right="admin",
        wrong="leader",
        outsider="admin_b",  # keeps another system's set-up: Riverbend's is not found
        method="POST",
        data=lambda w: {"system": w.system.pk},
        right_status=302,
        # A GET goes to the need profiles (coach5), once the role check has passed: the leader,
        # who keeps no set-up, is refused first.
        get_status=302,
        wrong_get_status=403,
    ),
    Case(
        "api:list_visits",
        lambda w: "/api/v1/coaching/visits",
        right="principal",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Tomas",
        api=True,
    ),
    Case(
        "api:list_visits",
        lambda w: "/api/v1/coaching/visits",
        right="supervisor",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Tomas",
        unrelated="supervisor_far",
        unrelated_status=403,
        api=True,
        label="right role, wrong relationship",
    ),
    Case(
        "api:log_visit",
        lambda w: "/api/v1/coaching/visits",
        right="principal",
        wrong="leader",
        outsider="admin_b",
        outsider_status=403,  # no system of theirs lets them log visits
        method="POST",
        data=api_visit_data,
        right_status=201,
        get_status=200,
        wrong_get_status=403,
        outsider_get_status=200,  # the list, of their own system's visits
        unrelated="principal_pine",
        api=True,
    ),
    Case(
        "api:leadership_time",
        lambda w: "/api/v1/coaching/leadership-time",
        right="principal",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula",
        unrelated="supervisor_far",
        unrelated_status=403,
        api=True,
    ),
    Case(
        "api:dosage",
        lambda w: "/api/v1/coaching/dosage",
        right="leader",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill",
        api=True,
    ),
    Case(
        "api:dosage",
        lambda w: "/api/v1/coaching/dosage",
        right="supervisor",
        wrong="principal",
        outsider="supervisor_far",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill",
        api=True,
        label="right role, wrong network",
    ),
    Case(
        "api:list_assignments",
        lambda w: "/api/v1/assignments",
        right="programs",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Cami",
        api=True,
    ),
    Case(
        "api:list_assignments",
        lambda w: "/api/v1/assignments",
        right="supervisor",
        wrong="coach",
        outsider="supervisor_far",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula",
        api=True,
        label="right role, wrong network",
    ),
]

SUPPORT_CASES += [
    Case(
        "coaching_progress",
        lambda w: "/coaching/progress/",
        right="coach",
        wrong="analyst",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
    ),
    Case(
        "coaching_progress",
        lambda w: "/coaching/progress/",
        right="supervisor",
        wrong="analyst",
        outsider="supervisor_south",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Paula Prince",
        exports=("csv", "xlsx"),
        label="right role, wrong relationship",
    ),
    Case(
        "coaching_coachee_progress",
        lambda w: f"/coaching/people/{w.principal_person.pk}/progress/",
        right="coach",
        wrong="leader",
        outsider="admin_b",
        unrelated="coach_other",
    ),
]
