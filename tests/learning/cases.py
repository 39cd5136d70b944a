"""Role-matrix Cases of the professional learning pages and API (added to tests/matrix.py).

Who is who (tests/conftest.py, tests/learning/world.py): `teacher` (Tomas, Oak Hill) is in the
audience of Oak Hill's sessions, facilitates the Oak Hill PLC and attended "feedback loops";
`facilitator` (Fay, the district's PD facilitator) facilitates Oak Hill's sessions and is a
member of the PLC;
`principal` (Paula) manages Oak Hill's sessions and communities and leads its leadership team;
`pm` manages the Aspiring Principals' sessions only; `coach` (Cami, a staff record with no
school) sees none of Oak Hill's sessions or communities (404), and Tomas none of Pine
Ridge's; `leader` (the talent office) manages the system's sessions but has no staff record to
register with (403); `nobody` sees an empty list;
`admin_b` is another system (404, or lists without Riverbend's records)."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.learning.world import OAK_TITLE, PINE_TEAM, PINE_TITLE, PLC_NAME
from tests.matrix import Case


def session(key: str, tail: str = "") -> Any:
    return lambda w: f"/learning/sessions/{w.learning[key]}/{tail}"


def community(key: str, tail: str = "") -> Any:
    return lambda w: f"/learning/communities/{w.learning[key]}/{tail}"


def session_data(w: World) -> dict[str, Any]:
    return {
        "system_id": w.system.pk,
        "title": "Oak Hill: small-group reading",
        "starts_at": "2031-03-02T15:30",
        "ends_at": "2031-03-02T17:00",
        "place": "Room 4",
        "capacity": 12,
        "school": w.school.pk,
    }


def program_session_data(w: World) -> dict[str, Any]:
    return {**session_data(w), "school": "", "program": w.program_id, "title": "Budget 2"}


def community_data(w: World) -> dict[str, Any]:
    return {
        "system_id": w.system.pk,
        "name": "Oak Hill science team",
        "kind": "content",
        "school": w.school.pk,
        "facilitator": w.colleague.pk,
        "members": [w.colleague.pk, w.teacher_person.pk],
    }


def plc_data(w: World) -> dict[str, Any]:
    return {
        "name": "Oak Hill 3rd-grade PLC (renamed)",
        "kind": "plc",
        "school": w.school.pk,
        "facilitator": w.teacher_person.pk,
        "members": [w.teacher_person.pk, w.colleague.pk],
    }


def meeting_data(w: World) -> dict[str, Any]:
    return {
        "held_on": "2025-10-06",
        "agenda": "Student work",
        "notes": "Two groups",
        "attendees": [w.teacher_person.pk],
    }


LEARNING_CASES: list[Case] = [
    Case(
        "learning_sessions",
        lambda w: "/learning/",
        right="teacher",
        wrong="nobody",
        wrong_status=200,
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: OAK_TITLE,
        exports=("csv", "xlsx"),
    ),
    Case(
        "learning_sessions",
        lambda w: "/learning/",
        right="leader",
        wrong="nobody",
        wrong_status=200,
        outsider="teacher",  # Oak Hill's teacher: Pine Ridge's session is not for him
        outsider_status=200,
        hidden_from_outsider=lambda w: PINE_TITLE,
        exports=("csv", "xlsx"),
        label="another school's audience",
    ),
    Case(
        "learning_session_new",
        lambda w: "/learning/new/",
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=session_data,
        right_status=302,
        get_status=200,
        # Another system's administrator gets their own system's form: Oak Hill is not offered.
        outsider_status=200,
        outsider_get_status=200,
    ),
    Case(
        "learning_session_new",
        lambda w: "/learning/new/",
        right="pm",
        wrong="teacher",
        outsider="pm_other",
        method="POST",
        data=program_session_data,
        right_status=302,
        get_status=200,
        outsider_status=200,  # their own program's form: Aspiring Principals is not offered
        outsider_get_status=200,
        label="program manager",
    ),
    Case(
        "learning_session",
        session("oak"),
        right="teacher",
        wrong="coach",
        wrong_status=404,
        outsider="admin_b",
    ),
    Case(
        "learning_session",
        session("pine"),
        right="leader",
        wrong="teacher",  # another school's session
        wrong_status=404,
        outsider="admin_b",
        label="another school's session",
    ),
    Case(
        "learning_session_edit",
        session("oak", "edit/"),
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=session_data,
        right_status=302,
        get_status=200,
        unrelated="pm",  # a program manager: not their program's session
    ),
    Case(
        "learning_session_register",
        session("oak", "register/"),
        right="teacher",
        wrong="leader",  # sees the session, has no staff record to register
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=302,
        get_status=302,
        unrelated="coach",
    ),
    Case(
        "learning_session_cancel",
        session("oak", "cancel/"),
        right="principal",
        wrong="teacher",  # sees the session, may not cancel Paula's registration
        outsider="admin_b",
        method="POST",
        data=lambda w: {"registration": w.learning["paula_oak"]},
        right_status=302,
        # GET asks for confirmation of one's own registration (Paula holds a seat); the
        # teacher, who holds none there, has nothing to confirm.
        get_status=200,
        wrong_get_status=404,
        unrelated="coach",
    ),
    Case(
        "learning_session_cancel",
        lambda w: (
            f"/learning/sessions/{w.learning['oak']}/cancel/?registration={w.learning['paula_oak']}"
        ),
        right="principal",
        wrong="teacher",  # sees the session, may not cancel Paula's registration
        outsider="admin_b",
        unrelated="coach",
        label="the confirmation of cancelling someone's registration",
    ),
    Case(
        "learning_session_attendance",
        session("today", "attendance/"),
        right="facilitator",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"present": [w.teacher_person.pk]},
        right_status=302,
        get_status=200,
        unrelated="coach",
    ),
    Case(
        "learning_session_code",
        session("today", "code/"),
        right="facilitator",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=302,
        get_status=302,
    ),
    Case(
        "learning_checkin",
        lambda w: "/learning/check-in/",
        right="teacher",
        # Fay is not registered for today's workshop: the form says so, nothing is written.
        wrong="facilitator",
        wrong_status=200,
        outsider="admin_b",
        outsider_status=200,
        method="POST",
        data=lambda w: {"code": w.learning["today_code"]},
        right_status=302,
        get_status=200,
        wrong_get_status=200,
        outsider_get_status=200,
    ),
    Case(
        "learning_certificate",
        lambda w: f"/learning/certificates/{w.learning['attended']}/",
        right="teacher",
        wrong="facilitator",
        wrong_status=404,
        outsider="admin_b",
        unrelated_url=lambda w: f"/learning/certificates/{w.learning['absent']}/",
    ),
    Case(
        "learning_certificate",
        lambda w: f"/learning/certificates/{w.learning['attended']}/",
        right="principal",  # manages Oak Hill's sessions
        wrong="coach",
        wrong_status=404,
        outsider="admin_b",
        label="manager",
    ),
    # The certificate as a PDF: the same readers as its page.
    Case(
        "learning_certificate",
        lambda w: f"/learning/certificates/{w.learning['attended']}/?format=pdf",
        right="teacher",
        wrong="facilitator",
        wrong_status=404,
        outsider="admin_b",
        unrelated_url=lambda w: f"/learning/certificates/{w.learning['absent']}/?format=pdf",
        label="as PDF",
    ),
    Case(
        "learning_certificate",
        lambda w: f"/learning/certificates/{w.learning['attended']}/?format=pdf",
        right="principal",  # manages Oak Hill's sessions
        wrong="coach",
        wrong_status=404,
        outsider="admin_b",
        label="manager, as PDF",
    ),
    Case(
        "learning_communities",
        lambda w: "/learning/communities/",
        right="facilitator",
        wrong="nobody",
        wrong_status=200,
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: PLC_NAME,
        exports=("csv", "xlsx"),
    ),
    Case(
        "learning_communities",
        lambda w: "/learning/communities/",
        right="leader",
        wrong="nobody",
        wrong_status=200,
        outsider="teacher",
        outsider_status=200,
        hidden_from_outsider=lambda w: PINE_TEAM,
        exports=("csv", "xlsx"),
        label="another school",
    ),
    Case(
        "learning_community_new",
        lambda w: "/learning/communities/new/",
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        method="POST",
        data=community_data,
        right_status=302,
        get_status=200,
        outsider_status=200,
        outsider_get_status=200,
    ),
    Case(
        "learning_community",
        community("plc"),
        right="facilitator",  # a member
        wrong="coach",
        wrong_status=404,
        outsider="admin_b",
    ),
    Case(
        "learning_community_edit",
        community("plc", "edit/"),
        right="teacher",  # the PLC's facilitator
        wrong="facilitator",  # a member
        outsider="admin_b",
        method="POST",
        data=plc_data,
        right_status=302,
        get_status=200,
        unrelated="coach",
    ),
    Case(
        "learning_community_edit",
        community("leadership", "edit/"),
        right="principal",
        wrong="teacher",  # a member of the leadership team
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "name": "Oak Hill ILT",
            "kind": "leadership",
            "school": w.school.pk,
            "facilitator": w.principal_person.pk,
            "members": [w.principal_person.pk],
        },
        right_status=302,
        get_status=200,
        label="leadership team",
    ),
    Case(
        "learning_cycle_new",
        community("plc", "cycles/new/"),
        right="teacher",
        wrong="facilitator",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"focus": "Writing", "starts_on": "2026-01-05", "ends_on": "2026-03-27"},
        right_status=302,
        get_status=200,
    ),
    Case(
        "learning_meeting_new",
        community("plc", "meetings/new/"),
        right="teacher",
        wrong="facilitator",
        outsider="admin_b",
        method="POST",
        data=meeting_data,
        right_status=302,
        get_status=200,
        unrelated="coach",
    ),
    Case(
        "learning_meeting_edit",
        lambda w: f"/learning/communities/{w.learning['plc']}/meetings/{w.learning['meeting']}/",
        right="teacher",
        wrong="facilitator",
        outsider="admin_b",
        method="POST",
        data=meeting_data,
        right_status=302,
        get_status=200,
    ),
    Case(
        "api:list_pd_sessions",
        lambda w: "/api/v1/learning/sessions",
        right="teacher",
        wrong="nobody",
        wrong_status=200,
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: OAK_TITLE,
        api=True,
    ),
    Case(
        "api:list_pd_sessions",
        lambda w: "/api/v1/learning/sessions",
        right="leader",
        wrong="nobody",
        wrong_status=200,
        outsider="teacher",
        outsider_status=200,
        hidden_from_outsider=lambda w: PINE_TITLE,
        api=True,
        label="another school's audience",
    ),
    Case(
        "api:get_pd_session",
        lambda w: f"/api/v1/learning/sessions/{w.learning['oak']}",
        right="teacher",
        wrong="coach",
        wrong_status=404,
        outsider="admin_b",
        api=True,
    ),
    Case(
        "api:register_for_pd_session",
        lambda w: f"/api/v1/learning/sessions/{w.learning['oak']}/registrations",
        right="teacher",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=201,
        get_status=200,  # the caller's own registrations of the session
        wrong_get_status=200,  # the talent office manages it: every registration
        unrelated="coach",
        api=True,
    ),
    Case(
        "api:list_pd_session_registrations",
        lambda w: f"/api/v1/learning/sessions/{w.learning['oak']}/registrations",
        right="facilitator",
        wrong="coach",
        wrong_status=404,
        outsider="admin_b",
        api=True,
    ),
    Case(
        "api:list_my_registrations",
        lambda w: "/api/v1/learning/registrations",
        right="teacher",
        wrong="nobody",
        wrong_status=200,
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill: today's workshop",
        api=True,
        own_record=True,
    ),
    Case(
        "api:list_learning_communities",
        lambda w: "/api/v1/learning/communities",
        right="facilitator",
        wrong="nobody",
        wrong_status=200,
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: PLC_NAME,
        api=True,
    ),
    # The people pickers' search box (sessions' facilitators, communities' facilitator and
    # members): for those who offer sessions or lead a community; another system's 404.
    Case(
        "learning_people",
        lambda w: f"/learning/people/?system={w.system.pk}&field=facilitators&facilitators_add=Fac",
        right="principal",
        wrong="coach",
        outsider="admin_b",
    ),
    Case(
        "learning_people",
        lambda w: f"/learning/people/?system={w.system.pk}&field=members&members_add=Cor",
        right="teacher",  # Tomas leads the Oak Hill PLC
        wrong="facilitator",  # Fay facilitates sessions, offers none and leads no community
        outsider="admin_b",
        label="a community's facilitator",
    ),
]


# The number of students a team's member teaches, reported for a school without a class roster
# (the impact report's reach): the team's facilitator (Tomas, the Oak Hill PLC); Fay, a member
# who sees the team, may not (403); a coach sees no Oak Hill community (404).
LEARNING_CASES.append(
    Case(
        "learning_reported_students",
        community("plc", "students/"),
        right="teacher",
        wrong="facilitator",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"person": w.colleague.pk, "school_year": 2026, "students": 22},
        right_status=302,
        get_status=200,
        unrelated="coach",
    )
)


def cora_reported(w: World) -> None:
    """22 students reported for Cora in 2024-25 (the reported-students Case reports 2025-26)."""
    from trellis.learning.models import Community, ReportedStudents

    ReportedStudents.objects.get_or_create(
        person=w.colleague,
        school_year=2025,
        defaults={"students": 22, "community": Community.objects.get(pk=w.learning["plc"])},
    )


# Removing a reported number: the same people who report it (Tomas, the PLC's facilitator);
# Fay, a member, may not (403); a coach who sees none of Oak Hill's communities, and another
# system's administrator, find nothing (404).
LEARNING_CASES.append(
    Case(
        "learning_reported_students_remove",
        lambda w: (
            f"/learning/communities/{w.learning['plc']}/students/remove/"
            f"?person={w.colleague.pk}&year=2025"
        ),
        right="teacher",
        wrong="facilitator",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"person": w.colleague.pk, "year": 2025},
        right_status=302,
        get_status=200,
        unrelated="coach",
        setup=cora_reported,
    )
)
