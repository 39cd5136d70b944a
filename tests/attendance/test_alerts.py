"""Attendance alerts: who is told (the school's principals; the supervisors whose caseload
holds the school), by e-mail and on the home page, once each; acknowledging one (its recipient
only), and the alerts page."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from tests.attendance import data
from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance.models import AttendanceAlert
from trellis.attendance.services import attendance_alerts_send
from trellis.core.models import AuditEvent

DAY = datetime.date(2026, 9, 30)
NOT_SUBMITTED = AttendanceAlert.Kind.NOT_SUBMITTED
SPIKE = AttendanceAlert.Kind.ABSENCE_SPIKE


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    return world


def _spike_at_oak() -> None:
    """Five of Oak Hill's six absent on the 30th (re-importing a day replaces it): a jump the
    supervisor sees (five and more are not suppressed), against a usual rate near 4%."""
    rows = "".join(f"a{i},sch-a,2026-09-30,Unexcused Absence\n" for i in range(1, 6))
    path = data.write(
        Path(tempfile.mkdtemp(prefix="trellis-alerts-")),
        "spike.csv",
        "student,school,date,category\n" + rows,
    )
    call_command("import_attendance", str(path), system="riverbend", stdout=io.StringIO())


def _nobody_absent_at_pine_ridge() -> None:
    """Every one of Pine Ridge's seven students present on the 30th (its day replaced, by a
    file of every student-day)."""
    students = [f"b{i}" for i in range(1, 6)] + ["t", "l"]
    rows = "".join(f"{s},sch-b,2026-09-30,In Attendance\n" for s in students)
    path = data.write(
        Path(tempfile.mkdtemp(prefix="trellis-alerts-")),
        "pine.csv",
        "student,school,date,category\n" + rows,
    )
    call_command(
        "import_attendance", str(path), system="riverbend", positive=True, stdout=io.StringIO()
    )


def test_classes_not_submitted_by_the_deadline_alert_the_principal_once(w: World) -> None:
    found = attendance_alerts_send(actor=None, system=w.system, day=DAY)
    assert (found.not_submitted, found.absence_spike) == (1, 0)
    alert = AttendanceAlert.objects.get()
    assert alert.recipient == w.users["principal"] and alert.school == w.school
    assert alert.kind == NOT_SUBMITTED and alert.emailed_at is not None
    assert alert.summary == "2 classes had not submitted attendance by 09:30"
    # hr-a1 submitted at 09:31 (late), hr-a2 not at all; Pine Ridge's hr-b1 was on time.
    assert "Homeroom HR-A1 (hr-a1): submitted late at 09:31" in alert.details
    assert "Homeroom HR-A2 (hr-a2): not submitted" in alert.details
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["principal@riverbend.test"]
    assert "Oak Hill Elementary" in sent.subject and "not submitted" in sent.subject
    assert "Homeroom HR-A2 (hr-a2): not submitted" in sent.body
    assert f"/attendance/schools/{w.school.pk}/?date=2026-09-30" in sent.body
    assert AuditEvent.objects.filter(action="attendance.alerts_send").count() == 1
    # Running again sends nothing twice.
    again = attendance_alerts_send(actor=None, system=w.system, day=DAY)
    assert again.sent == 0 and again.already_sent == 1
    assert len(mail.outbox) == 1 and AttendanceAlert.objects.count() == 1
    assert AuditEvent.objects.filter(action="attendance.alerts_send").count() == 1


def test_no_alert_for_submissions_before_the_deadline_has_passed(w: World) -> None:
    # 09:00 in New York on the 30th: the deadline (09:30) is still to come.
    before = datetime.datetime(2026, 9, 30, 13, 0, tzinfo=datetime.UTC)
    found = attendance_alerts_send(actor=None, system=w.system, day=DAY, now=before)
    assert found.sent == 0 and "has not passed yet" in found.notes[0]
    assert not mail.outbox and not AttendanceAlert.objects.exists()


def test_an_absence_spike_alerts_the_schools_supervisor_only(w: World) -> None:
    # With the hand-made month, Oak Hill's 2 absent are "fewer than 5" for the supervisor: no
    # jump on their page, so no alert either.
    attendance_alerts_send(actor=None, system=w.system, day=DAY)
    assert not AttendanceAlert.objects.filter(kind=SPIKE).exists()
    _spike_at_oak()
    # Oak Hill's 5 absent are withheld from whoever may not list the students while Pine
    # Ridge's 3 are "fewer than 5": the system's total less Oak Hill's 5 would give them back
    # (the supervisor's page is decided beside the analyst's). No jump seen, no alert.
    found = attendance_alerts_send(actor=None, system=w.system, day=DAY)
    assert (found.not_submitted, found.absence_spike) == (0, 0)
    # With nobody absent at Pine Ridge, nothing is small: the supervisor sees Oak Hill's jump.
    _nobody_absent_at_pine_ridge()
    found = attendance_alerts_send(actor=None, system=w.system, day=DAY)
    assert (found.not_submitted, found.absence_spike) == (0, 1)
    spike = AttendanceAlert.objects.get(kind=SPIKE)
    assert spike.recipient == w.users["supervisor"] and spike.school == w.school
    assert spike.summary.startswith("Absence rate jumped: 83.3% absent, usually")
    assert mail.outbox[-1].to == ["supervisor@riverbend.test"]
    assert "Absence rate jumped" in mail.outbox[-1].subject
    # Nobody else: the other supervisor has no caseload; the principal was told only of classes.
    assert set(AttendanceAlert.objects.values_list("recipient", "kind")) == {
        (w.users["principal"].pk, NOT_SUBMITTED),
        (w.users["supervisor"].pk, SPIKE),
    }
    assert attendance_alerts_send(actor=None, system=w.system, day=DAY).sent == 0


def test_the_command_sends_and_can_hand_the_work_to_the_worker(w: World) -> None:
    out = io.StringIO()
    call_command("attendance_alerts", system="riverbend", date="2026-09-30", stdout=out)
    assert "1 alert(s) of attendance not submitted" in out.getvalue()
    out = io.StringIO()
    call_command("attendance_alerts", system="riverbend", date="2026-09-30", stdout=out)
    assert "0 alert(s)" in out.getvalue() and "1 already sent" in out.getvalue()
    out = io.StringIO()
    call_command(
        "attendance_alerts", system="riverbend", date="2026-09-29", enqueue=True, stdout=out
    )
    assert "Queued" in out.getvalue()
    # The tests run tasks at once (the immediate backend); the worker runs the same function.
    # (Pine Ridge's principal, who has an account in the shared world, gets their own alert.)
    assert (
        AttendanceAlert.objects.filter(date=datetime.date(2026, 9, 29), school=w.school).count()
        == 1
    )


def test_the_home_panel_lists_open_alerts_and_acknowledging_removes_them(w: World) -> None:
    attendance_alerts_send(actor=None, system=w.system, day=DAY)
    alert = AttendanceAlert.objects.get()
    client = w.client("principal")
    with time_machine.travel(datetime.datetime(2026, 9, 30, 16, 0), tick=False):
        home = client.get("/").content.decode()
        assert "Attendance alerts" in home and "2 classes had not submitted" in home
        # Someone else cannot acknowledge it, nor see it.
        for who in ("supervisor", "admin", "admin_b"):
            other = w.client(who)
            denied = other.post(f"/attendance/alerts/{alert.pk}/acknowledge/")
            assert denied.status_code == 404, who
            assert "2 classes had not submitted" not in other.get("/").content.decode()
            listed = other.get("/attendance/alerts/?status=all").content.decode()
            assert "2 classes had not submitted" not in listed
        alert.refresh_from_db()
        assert alert.acknowledged_at is None
        response = client.post(f"/attendance/alerts/{alert.pk}/acknowledge/", {"next": "home"})
        assert response.status_code == 302 and response["Location"] == "/"
        alert.refresh_from_db()
        assert alert.acknowledged_at is not None
        event = AuditEvent.objects.get(action="attendance.alert_acknowledge")
        assert event.actor == w.users["principal"]
        assert "Attendance alerts" not in client.get("/").content.decode()
        # Acknowledging again changes nothing.
        client.post(f"/attendance/alerts/{alert.pk}/acknowledge/")
        assert AuditEvent.objects.filter(action="attendance.alert_acknowledge").count() == 1


def test_the_alerts_page_keeps_the_history_with_filters_and_exports(w: World) -> None:
    attendance_alerts_send(actor=None, system=w.system, day=DAY)
    attendance_alerts_send(actor=None, system=w.system, day=datetime.date(2026, 9, 29))
    client = w.client("principal")
    first = AttendanceAlert.objects.get(date=datetime.date(2026, 9, 29), school=w.school)
    client.post(f"/attendance/alerts/{first.pk}/acknowledge/")
    open_ = client.get("/attendance/alerts/").content.decode()
    assert "1 alert" in open_ and "2 classes had not submitted" in open_
    assert "1 class had not submitted" not in open_  # acknowledged: not among the open ones
    history = client.get("/attendance/alerts/?status=all").content.decode()
    assert "2 alerts" in history and "1 class had not submitted" in history
    assert f'href="/attendance/schools/{w.school.pk}/?date=2026-09-29"' in history
    ranged = client.get("/attendance/alerts/?status=all&from=2026-09-30&to=2026-09-30")
    assert "1 alert" in ranged.content.decode()
    none = client.get("/attendance/alerts/?status=all&kind=absence_spike").content.decode()
    assert "No alert among these filters" in none
    assert "0 alerts" in client.get("/attendance/alerts/?q=pine&status=all").content.decode()
    csv = b"".join(client.get("/attendance/alerts/?status=all&format=csv").streaming_content)
    assert b"Oak Hill Elementary" in csv and b"hr-a2" in csv


def test_the_alerts_page_and_home_panel_query_counts_do_not_grow_with_the_alerts(
    w: World,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = w.client("principal")
    attendance_alerts_send(actor=None, system=w.system, day=DAY)

    def queries(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    urls = ["/attendance/alerts/?status=all", "/"]
    before = [queries(u) for u in urls]
    for day in data.SEPTEMBER[:-1]:
        attendance_alerts_send(actor=None, system=w.system, day=day)
    assert AttendanceAlert.objects.count() > 10
    assert [queries(u) for u in urls] == before


def test_opening_the_acknowledge_address_goes_to_the_alerts_page(w: World) -> None:
    """Acknowledging is a POST. Its address opened again (a reload after a refusal, the address
    bar, a bookmark) goes to the alerts page instead of a bare 405, for the recipient and anyone
    else alike (the same answer whether the alert is theirs or exists at all), and acknowledges
    nothing."""
    attendance_alerts_send(actor=None, system=w.system, day=DAY)
    alert = AttendanceAlert.objects.get()
    for who in ("principal", "supervisor", "admin_b"):
        client = w.client(who)
        for url in (
            f"/attendance/alerts/{alert.pk}/acknowledge/",
            f"/attendance/alerts/{alert.pk + 1000}/acknowledge/",
        ):
            response = client.get(url)
            assert response.status_code == 302, (who, url)
            assert response["Location"] == "/attendance/alerts/", (who, url)
    # The page it leads to is the recipient's own list, with the alert still open.
    listed = w.client("principal").get("/attendance/alerts/", follow=True)
    assert listed.status_code == 200 and "2 classes had not submitted" in listed.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert not AuditEvent.objects.filter(action="attendance.alert_acknowledge").exists()
    # Anyone signed out is sent to sign in first.
    anonymous = w.client(None).get(f"/attendance/alerts/{alert.pk}/acknowledge/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
