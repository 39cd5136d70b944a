"""In the browser (with axe): a teacher finds a workshop from their home page, registers,
checks in on their phone with the code shown in the room (a wrong code first), and opens their
certificate of attendance; the facilitator's page shows the code and its QR code."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.browser.test_coaching import sign_out
from tests.conftest import World
from trellis.learning.services import session_create
from trellis.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Oak Hill: reading conferences"


def test_teacher_registers_checks_in_with_the_code_and_opens_the_certificate(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    start = timezone.now() - datetime.timedelta(minutes=5)
    session = session_create(
        actor=None,
        system=world.system,
        school=world.school,
        title=TITLE,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        capacity=5,
        place="Oak Hill library",
        facilitators=[Person.objects.get(pk=world.learning["fay"])],
    )

    # The facilitator puts the code and its QR code on the screen.
    sign_in(page, base, "fay@riverbend.test")
    page.goto(f"{base}/learning/sessions/{session.pk}/attendance/")
    expect(page.get_by_role("img", name="QR code of the check-in page")).to_be_visible()
    expect(page.get_by_text(session.checkin_code, exact=True)).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The teacher finds it from the home page and registers.
    sign_in(page, base, "teacher@riverbend.test")
    panel = page.get_by_role("region", name="Professional learning")
    panel.get_by_role("link", name="Upcoming PD sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PD sessions and workshops")
    assert_accessible(page)
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert_accessible(page)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text(f"You are registered for {TITLE}.")).to_be_visible()

    # On the phone: the check-in page, a mistyped code, then the right one.
    page.set_viewport_size({"width": 375, "height": 740})
    page.get_by_role("link", name="Check in on the day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check in to a session")
    assert_accessible(page)
    page.get_by_label("Check-in code").fill("AAAAAA")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("That code is not the code of your session")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Check-in code").fill(session.checkin_code.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text(f"You are checked in to {TITLE}.")).to_be_visible()

    # A certificate is issued once the session has ended (decisions.md): the session and the
    # check-in are moved three hours back, as if the day had gone on.
    from trellis.learning.models import PDSession, Registration

    back = datetime.timedelta(hours=3)
    ended = PDSession.objects.get(pk=session.pk)
    PDSession.objects.filter(pk=session.pk).update(
        starts_at=ended.starts_at - back, ends_at=ended.ends_at - back
    )
    registration = Registration.objects.get(session_id=session.pk, attended_at__isnull=False)
    assert registration.attended_at is not None
    Registration.objects.filter(pk=registration.pk).update(
        attended_at=registration.attended_at - back
    )
    page.reload()

    # The certificate, printable.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Your certificate of attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of attendance")
    expect(page.get_by_text("Tomas Teller")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert_accessible(page)
    # ... and as a PDF to keep or send.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF of the certificate").click()
    assert download.value.suggested_filename.startswith("certificate-")
    assert download.value.suggested_filename.endswith(".pdf")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("heading", name=re.compile("Certificate"))).to_be_visible()


def test_a_waiting_teacher_keeps_their_place_and_is_seated_on_the_day(
    page: Page, site: tuple[str, World]
) -> None:
    """The cancel button asks first; the facilitator's tick list shows the waiting list and
    seats who came (capacity raised); the teacher's page then says they attended."""
    from trellis.learning.services import registration_create

    base, world = site
    start = timezone.now() - datetime.timedelta(minutes=5)
    session = session_create(
        actor=None,
        system=world.system,
        school=world.school,
        title=TITLE,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        capacity=1,
        place="Oak Hill library",
        facilitators=[Person.objects.get(pk=world.learning["fay"])],
    )
    registration_create(actor=None, session=session, person=world.principal_person)
    registration_create(actor=None, session=session, person=world.teacher_person)

    sign_in(page, base, "teacher@riverbend.test")
    page.goto(f"{base}/learning/sessions/{session.pk}/")
    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your registration?")
    assert_accessible(page)
    page.get_by_role("link", name="No, keep it").click()
    expect(page.get_by_text("on the waiting list", exact=False).first).to_be_visible()
    sign_out(page)

    sign_in(page, base, "fay@riverbend.test")
    page.goto(f"{base}/learning/sessions/{session.pk}/attendance/")
    waiting = page.get_by_role("group", name="Waiting list")
    expect(waiting).to_be_visible()
    assert_accessible(page)
    waiting.get_by_label(re.compile("Tomas Teller")).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Seated from the waiting list: Tomas Teller.")).to_be_visible()
    expect(page.get_by_text("Capacity raised from 1 to 2.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "teacher@riverbend.test")
    page.goto(f"{base}/learning/sessions/{session.pk}/")
    expect(page.get_by_text("You attended", exact=False)).to_be_visible()
