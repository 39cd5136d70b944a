"""Role-matrix Cases of the attendance pages and API (added to tests/matrix.py's CASES).

Reach: the principal their school, the supervisor their caseload's schools, district roles the
system; the teacher leader has no attendance anywhere (403); another system's administrator or
leader finds none of Riverbend's (404, or their own empty page)."""

from __future__ import annotations

from tests.attendance.world import (
    add_alerts,
    add_attendance,
    add_attendance_and_foreign_teacher,
    add_foreign_teacher,
    principal_alert,
)
from tests.matrix import Case

DAY = "2026-09-30"

ATTENDANCE_CASES: list[Case] = [
    Case(
        "attendance_morning",
        lambda w: f"/attendance/?date={DAY}",
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        exports=("csv", "xlsx"),
        setup=add_attendance,
    ),
    Case(
        "attendance_morning",
        # The administrator may open the students: Oak Hill's 2 absent are shown, and its jump.
        lambda w: f"/attendance/?date={DAY}&q=oak&jumped=1",
        right="admin",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        exports=("csv", "xlsx"),
        setup=add_attendance,
        label="filtered",
    ),
    Case(
        "attendance_school",
        lambda w: f"/attendance/schools/{w.school.pk}/?date={DAY}",
        right="supervisor",
        wrong="teacher",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        setup=add_attendance,
    ),
    Case(
        "attendance_school",
        lambda w: f"/attendance/schools/{w.other_school.pk}/?date={DAY}",
        right="analyst",
        # Oak Hill's principal sees only their school: Pine Ridge is not found.
        wrong="programs",
        outsider="principal",
        exports=("csv", "xlsx"),
        # No setup: the URL walker reads the route's parameters from this Case.
        label="another school",
    ),
    Case(
        "attendance_settings",
        lambda w: f"/attendance/settings/?system={w.system.pk}",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "time_zone": "America/Chicago",
            "deadline": "09:00",
            "chronic_min_days": "10",
            "chronic_percent": "10",
            "taken_by": "homeroom",
        },
        right_status=302,
        get_status=200,
    ),
    Case(
        "api:attendance_report",
        lambda w: f"/api/v1/attendance/report?system=riverbend&date={DAY}",
        right="leader",
        wrong="teacher",
        outsider="admin_b",
        api=True,
        setup=add_attendance,
    ),
]

# Alerts, the calendar on screen and the network page (issue 12's second slice).
ATTENDANCE_CASES += [
    # Everyone signed in has an alerts page of their own: the supervisor and the other system's
    # administrator see theirs (none), never the principal's.
    Case(
        "attendance_alerts",
        lambda w: "/attendance/alerts/?status=all",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        wrong_status=200,
        outsider_status=200,
        hidden_from_outsider=lambda w: "2 classes had not submitted",
        exports=("csv", "xlsx"),
        setup=add_alerts,
    ),
    Case(
        "attendance_alert_acknowledge",
        lambda w: f"/attendance/alerts/{principal_alert(w)}/acknowledge/",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"next": "home"},
        right_status=302,
        wrong_status=404,
        # Opened again (a reload, the address bar): the alerts page, not 405.
        get_status=302,
        setup=add_alerts,
    ),
    Case(
        "attendance_calendar",
        lambda w: f"/attendance/schools/{w.school.pk}/calendar/?year=2026",
        right="admin",
        wrong="leader",
        outsider="admin_b",
    ),
    Case(
        "attendance_calendar",
        lambda w: f"/attendance/schools/{w.school.pk}/calendar/?year=2026",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"change": "add", "start": "2026-10-01"},
        right_status=302,
        get_status=200,
        label="add a day",
    ),
    # Removing days on which attendance was recorded: the confirmation page (what the removal
    # takes out of the figures), then the removal on confirm.
    Case(
        "attendance_calendar_remove",
        lambda w: (
            f"/attendance/schools/{w.school.pk}/calendar/remove/"
            "?year=2026&start=2026-09-30&end=2026-09-30"
        ),
        right="admin",
        wrong="leader",
        outsider="admin_b",
        setup=add_attendance,
    ),
    Case(
        "attendance_calendar_remove",
        lambda w: (
            f"/attendance/schools/{w.school.pk}/calendar/remove/"
            "?year=2026&start=2026-09-30&end=2026-09-30"
        ),
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=302,
        get_status=200,
        setup=add_attendance,
        label="confirm",
    ),
    # The teacher leader sees the North Cluster (their school is in it) but no attendance.
    Case(
        "attendance_network",
        lambda w: f"/attendance/networks/{w.network.pk}/?date={DAY}",
        right="analyst",
        wrong="teacher",
        outsider="admin_b",
        exports=("csv", "xlsx"),
    ),
]


# --- Chronic absence and family contact (issue 12, second slice) ------------------------------


def student_pk(w: object, sid: str) -> int:
    from trellis.students.models import Student

    return int(Student.objects.get(system=w.system, sourced_id=sid).pk)  # type: ignore[attr-defined]


CONTACT = {"contacted_on": DAY, "method": "call", "outcome": "reached", "note": "Spoke to dad"}

ATTENDANCE_CASES += [
    Case(
        "attendance_chronic",
        lambda w: f"/attendance/chronic/?date={DAY}",
        right="principal",
        wrong="teacher",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        exports=("csv", "xlsx"),
        setup=add_attendance,
    ),
    Case(
        "attendance_chronic",
        lambda w: f"/attendance/chronic/?date={DAY}&q=pine",
        right="analyst",
        wrong="coach",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.other_school.name,
        exports=("csv", "xlsx"),
        setup=add_attendance,
        label="filtered",
    ),
    Case(
        "attendance_chronic_school",
        lambda w: f"/attendance/schools/{w.school.pk}/chronic/?date={DAY}",
        right="supervisor",
        wrong="teacher",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        setup=add_attendance,
    ),
    Case(
        "attendance_chronic_school",
        lambda w: f"/attendance/schools/{w.other_school.pk}/chronic/?date={DAY}",
        right="analyst",
        wrong="programs",
        outsider="principal",
        exports=("csv", "xlsx"),
        label="another school",
    ),
    Case(
        "attendance_chronic_students",
        lambda w: f"/attendance/schools/{w.school.pk}/chronic/students/?date={DAY}",
        right="principal",
        # The supervisor sees Oak Hill's attendance, not its students by name.
        wrong="supervisor",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        # Oak Hill's principal asking for Pine Ridge's students: not found.
        unrelated_url=lambda w: f"/attendance/schools/{w.other_school.pk}/chronic/students/",
        setup=add_attendance,
        audited_read=True,
    ),
    Case(
        "attendance_chronic_students",
        lambda w: f"/attendance/schools/{w.other_school.pk}/chronic/students/?date={DAY}&grade=07",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        label="another school",
        audited_read=True,
    ),
    Case(
        "attendance_worklist",
        lambda w: f"/attendance/schools/{w.school.pk}/worklist/?date={DAY}",
        right="principal",
        wrong="analyst",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        unrelated_url=lambda w: f"/attendance/schools/{w.other_school.pk}/worklist/",
        setup=add_attendance,
        audited_read=True,
    ),
    Case(
        "attendance_worklist",
        lambda w: f"/attendance/schools/{w.other_school.pk}/worklist/?date={DAY}&due=call",
        right="admin",
        # The South Cluster's supervisor sees Pine Ridge's attendance, not its students (403);
        # for the North Cluster's, Pine Ridge is outside their scope (404: test_walk_minor.py).
        wrong="supervisor_far",
        outsider="principal",
        exports=("csv", "xlsx"),
        label="another school",
        audited_read=True,
    ),
    Case(
        "attendance_contact_log",
        lambda w: f"/attendance/schools/{w.school.pk}/students/{student_pk(w, 'a1')}/contact/",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: dict(CONTACT),
        right_status=302,
        get_status=200,
        # Pine Ridge's b1 is no student of Oak Hill: not found, nothing written.
        unrelated_url=lambda w: (
            f"/attendance/schools/{w.school.pk}/students/{student_pk(w, 'b1')}/contact/"
        ),
        setup=add_attendance,
        audited_read=True,
    ),
    Case(
        "attendance_contacts",
        lambda w: f"/attendance/schools/{w.school.pk}/contacts/?q=a&method=call",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        unrelated_url=lambda w: f"/attendance/schools/{w.other_school.pk}/contacts/",
        audited_read=True,
    ),
    Case(
        "attendance_contact_rates",
        lambda w: f"/attendance/contacts/?date={DAY}",
        right="supervisor",
        wrong="teacher",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        exports=("csv", "xlsx"),
        setup=add_attendance,
    ),
    Case(
        "api:attendance_chronic",
        lambda w: f"/api/v1/attendance/chronic?system=riverbend&date={DAY}",
        right="analyst",
        wrong="teacher",
        outsider="admin_b",
        api=True,
        setup=add_attendance,
    ),
    Case(
        "api:list_family_contacts",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-a",
        right="principal",
        wrong="leader",
        outsider="admin_b",
        api=True,
        setup=add_attendance,
        audited_read=True,
    ),
    Case(
        "api:log_family_contact",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-a",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system": "riverbend", "school": "sch-a", "student": "a1", **CONTACT},
        right_status=201,
        get_status=200,
        api=True,
        setup=add_attendance,
        audited_read=True,
        label="log a contact",
    ),
]

# The alerts' API (issue 12, the pages' remaining gaps): each person's own, like the page.
ATTENDANCE_CASES += [
    Case(
        "api:list_attendance_alerts",
        lambda w: "/api/v1/attendance/alerts?status=all",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        wrong_status=200,
        outsider_status=200,
        hidden_from_outsider=lambda w: "2 classes had not submitted",
        api=True,
        setup=add_alerts,
    ),
    Case(
        "api:acknowledge_attendance_alert",
        lambda w: f"/api/v1/attendance/alerts/{principal_alert(w)}/acknowledge",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        method="POST",
        data=lambda w: {},
        right_status=200,
        wrong_status=404,
        get_status=405,
        api=True,
        setup=add_alerts,
    ),
    # The acknowledge path asked with GET: 401 for nobody, 405 for anyone signed in.
    Case(
        "api:acknowledge_attendance_alert_get",
        lambda w: f"/api/v1/attendance/alerts/{principal_alert(w)}/acknowledge",
        right="principal",
        wrong="supervisor",
        outsider="admin_b",
        right_status=405,
        wrong_status=405,
        outsider_status=405,
        api=True,
        setup=add_alerts,
        writes=False,
    ),
    # A supervisor whose caseload leads a school of the network sees those schools there.
    Case(
        "attendance_network",
        lambda w: f"/attendance/networks/{w.network.pk}/?date={DAY}",
        right="supervisor",
        wrong="teacher",
        outsider="admin_b",
        exports=("csv", "xlsx"),
        setup=add_attendance,
        label="caseload within the network",
    ),
]


# Scope before role (issue 12 finding): whoever's roles do not allow an operation at all still
# gets 404 for a school, network or system outside their scope, and 403 only for one they see,
# on the API as on the pages (outside scope 404, in scope but not allowed 403).
ATTENDANCE_CASES += [
    Case(
        "api:list_family_contacts",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-a",
        right="principal",
        # Riverbend's district leader sees Oak Hill, not its students: 403. Lakeside's (no
        # students anywhere either) does not see Oak Hill at all: 404.
        wrong="leader",
        outsider="leader_b",
        api=True,
        setup=add_attendance,
        audited_read=True,
        label="outside scope, no role",
    ),
    Case(
        "api:list_family_contacts",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-a",
        right="principal",
        # The North Cluster's supervisor sees Oak Hill (403); the South Cluster's does not (404).
        wrong="supervisor",
        outsider="supervisor_far",
        api=True,
        setup=add_attendance,
        audited_read=True,
        label="another network, no role",
    ),
    Case(
        "api:list_family_contacts",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-b",
        right="admin",
        wrong="supervisor_far",
        outsider="supervisor",
        api=True,
        setup=add_attendance,
        audited_read=True,
        label="Pine Ridge, no role",
    ),
    Case(
        "api:log_family_contact",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-a",
        right="principal",
        wrong="leader",
        outsider="leader_b",
        method="POST",
        data=lambda w: {"system": "riverbend", "school": "sch-a", "student": "a1", **CONTACT},
        right_status=201,
        get_status=200,
        api=True,
        setup=add_attendance,
        audited_read=True,
        label="outside scope, no role",
    ),
    Case(
        "api:log_family_contact",
        lambda w: "/api/v1/attendance/contacts?system=riverbend&school=sch-a",
        right="principal",
        wrong="supervisor",
        outsider="supervisor_far",
        method="POST",
        data=lambda w: {"system": "riverbend", "school": "sch-a", "student": "a1", **CONTACT},
        right_status=201,
        get_status=200,
        api=True,
        setup=add_attendance,
        audited_read=True,
        label="another network, no role",
    ),
    Case(
        "api:attendance_report",
        lambda w: f"/api/v1/attendance/report?system=riverbend&date={DAY}",
        right="leader",
        # The coach sees Riverbend's schools, not their attendance: 403. Lakeside's teacher
        # leader sees nothing of Riverbend: 404.
        wrong="coach",
        outsider="teacher_b",
        api=True,
        setup=add_attendance_and_foreign_teacher,
        label="outside scope, no role",
    ),
    Case(
        "api:attendance_chronic",
        lambda w: f"/api/v1/attendance/chronic?system=riverbend&date={DAY}",
        right="analyst",
        wrong="programs",
        outsider="teacher_b",
        api=True,
        setup=add_attendance_and_foreign_teacher,
        label="outside scope, no role",
    ),
    Case(
        "attendance_network",
        lambda w: f"/attendance/networks/{w.network.pk}/?date={DAY}",
        right="analyst",
        # Oak Hill's teacher leader sees the North Cluster (403); Lakeside's does not (404).
        wrong="teacher",
        outsider="teacher_b",
        exports=("csv", "xlsx"),
        setup=add_foreign_teacher,
        label="outside scope, no role",
    ),
    Case(
        "attendance_network",
        lambda w: f"/attendance/networks/{w.other_network.pk}/?date={DAY}",
        right="supervisor_far",
        # The program manager sees every network of Riverbend (403); Oak Hill's teacher leader
        # does not see the South Cluster (404).
        wrong="programs",
        outsider="teacher",
        exports=("csv", "xlsx"),
        label="another network, no role",
    ),
    Case(
        "attendance_settings",
        lambda w: f"/attendance/settings/?system={w.system.pk}",
        right="admin",
        # Riverbend's district leader sees the system, may not manage it (403); Lakeside's
        # does not see it (404).
        wrong="leader",
        outsider="leader_b",
        method="POST",
        data=lambda w: {
            "time_zone": "America/Chicago",
            "deadline": "09:00",
            "chronic_min_days": "10",
            "chronic_percent": "10",
            "taken_by": "homeroom",
        },
        right_status=302,
        get_status=200,
        label="outside scope, no role",
    ),
]
