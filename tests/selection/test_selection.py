"""The selection cycle through the pages its users use: apply, recommend by link, screen,
interview (blind), decide (two at once), send letters, admit; and what each may see."""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import World
from tests.selection.world import PDF, TOKEN, competencies, pdf
from trellis.core.models import AuditEvent
from trellis.programs.models import Participant
from trellis.selection.models import (
    Application,
    Decision,
    Invitation,
    Recommendation,
    SelectionCycle,
)


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def s(world: World, key: str) -> Any:
    return world.selection[key]


def apply_data(**extra: Any) -> dict[str, Any]:
    return {
        "answer_0": "To lead learning.",
        "track_record": "Math growth of 1.4 years per year, 2023-2025 (state assessment).",
        "principal_name": "Tomas Teller",
        "principal_email": "tomas.teller@example.org",
        "file_0": pdf(),
        **extra,
    }


def link_in(message: Any) -> str:
    found = re.search(r"https?://[^\s]+/(recommend|selection/invitations)/[^\s/]+/", message.body)
    assert found, message.body
    return found.group(0).split("testserver", 1)[-1]


def test_applying_asks_the_principal_by_a_link_whose_token_is_not_stored(world: World) -> None:
    client = world.client("principal")
    cycle = s(world, "cycle")
    form = client.get(f"/selection/{cycle}/apply/")
    assert form.status_code == 200
    assert "Why do you want to lead a school?" in form.content.decode()
    response = client.post(f"/selection/{cycle}/apply/", apply_data())
    assert response.status_code == 302
    application = Application.objects.get(cycle_id=cycle, applicant=world.principal_person)
    assert application.files.get().original_name == "resume.pdf"
    (message,) = mail.outbox
    assert message.to == ["tomas.teller@example.org"]
    url = link_in(message)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    stored = Recommendation.objects.get(application=application)
    assert stored.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert not Recommendation.objects.filter(token_digest=token).exists()
    assert AuditEvent.objects.filter(action="selection.apply", object_id=str(application.pk))
    # Applying twice is not possible: the page leads to the application.
    again = client.get(f"/selection/{cycle}/apply/")
    assert again.status_code == 302 and again["Location"].endswith(f"/{application.pk}/")


def test_an_application_after_the_deadline_is_refused_with_the_deadline(world: World) -> None:
    cycle = SelectionCycle.objects.get(pk=s(world, "cycle"))
    closed = timezone.localdate() - datetime.timedelta(days=1)
    SelectionCycle.objects.filter(pk=cycle.pk).update(
        opens_on=closed - datetime.timedelta(days=30), closes_on=closed
    )
    before = Application.objects.count()
    response = world.client("principal").post(f"/selection/{cycle.pk}/apply/", apply_data())
    assert response.status_code == 400
    text = response.content.decode()
    assert "The deadline has passed" in text
    assert f"{closed:%b %-d, %Y}" in text
    assert Application.objects.count() == before and not mail.outbox


@override_settings(TRELLIS_SELECTION_DOCUMENT_MAX_BYTES=1024)
def test_uploads_of_the_wrong_type_or_over_the_limit_are_refused(world: World) -> None:
    client = world.client("principal")
    url = f"/selection/{s(world, 'cycle')}/apply/"
    from django.core.files.uploadedfile import SimpleUploadedFile

    wrong = client.post(url, apply_data(file_0=SimpleUploadedFile("cv.exe", b"MZ\x90\x00")))
    assert wrong.status_code == 200
    assert "is not accepted; upload a .docx, .pdf file" in wrong.content.decode()
    renamed = client.post(url, apply_data(file_0=SimpleUploadedFile("cv.pdf", b"MZ\x90\x00")))
    assert "is not a .pdf file inside" in renamed.content.decode()
    big = client.post(url, apply_data(file_0=SimpleUploadedFile("cv.pdf", PDF + b"x" * 2048)))
    # The limit as set (1 KB), and the file's own size beside it.
    assert "“cv.pdf” is larger than the limit of 1 KB (it is 2.0 KB)" in big.content.decode()
    # A file one byte over the limit is not said to be the limit's size.
    just = client.post(url, apply_data(file_0=SimpleUploadedFile("cv.pdf", PDF.ljust(1025, b"x"))))
    text = just.content.decode()
    assert "“cv.pdf” is larger than the limit of 1 KB; upload a .docx, .pdf file" in text
    assert "is 1 KB" not in text and "0.0 MB" not in text
    assert not Application.objects.filter(applicant=world.principal_person).exists()
    assert not mail.outbox


def test_a_recommendation_link_works_once_and_expires(world: World) -> None:
    url = f"/recommend/{TOKEN}/"
    anonymous = Client()
    form = anonymous.get(url)
    assert form.status_code == 200
    text = form.content.decode()
    assert "Recommendation for Tomas Teller" in text
    cycle = SelectionCycle.objects.get(pk=s(world, "cycle"))
    items = list(cycle.recommendation_items.order_by("pk"))
    assert len(items) == 2
    level = cycle.version.levels.get(position=4)
    data = {f"level_{item.pk}": level.pk for item in items}
    missing = anonymous.post(url, {**data, "text": ""})
    assert (
        missing.status_code == 200 and "Fill in “Your recommendation”." in missing.content.decode()
    )
    done = anonymous.post(url, {**data, "text": "Tomas leads our data team."})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    recommendation = Recommendation.objects.get(application_id=s(world, "application"))
    assert recommendation.used_at is not None
    assert recommendation.scores.count() == 2
    used = anonymous.get(url)
    assert used.status_code == 410
    assert "This link has been used" in used.content.decode()
    again = anonymous.post(url, {**data, "text": "Changed."})
    assert again.status_code == 410
    recommendation.refresh_from_db()
    assert recommendation.text == "Tomas leads our data team."
    # The committee reads it; the applicant learns only that it arrived.
    committee = world.client("committee").get(f"/selection/applications/{s(world, 'application')}/")
    assert "Tomas leads our data team." in committee.content.decode()
    own = world.client("teacher").get(f"/selection/applications/{s(world, 'application')}/")
    assert "has been received" in own.content.decode()
    assert "Tomas leads our data team." not in own.content.decode()


def test_an_expired_or_unknown_link_says_so(world: World) -> None:
    Recommendation.objects.filter(application_id=s(world, "application")).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    expired = Client().get(f"/recommend/{TOKEN}/")
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()
    unknown = Client().get("/recommend/not-a-token/")
    assert unknown.status_code == 404 and "This link is not valid" in unknown.content.decode()
    # The applicant sends a new link; the old one stays dead.
    response = world.client("teacher").post(
        f"/selection/applications/{s(world, 'application')}/recommendation/"
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert Client().get(link_in(message)).status_code == 200
    assert Client().get(f"/recommend/{TOKEN}/").status_code == 404


def test_a_withdrawn_application_keeps_its_record(world: World) -> None:
    url = f"/selection/applications/{s(world, 'application')}/"
    client = world.client("teacher")
    confirm = client.get(url + "withdraw/")
    assert confirm.status_code == 200 and "stays on record" in confirm.content.decode()
    assert client.post(url + "withdraw/").status_code == 302
    application = Application.objects.get(pk=s(world, "application"))
    assert application.status == "withdrawn" and application.withdrawn_at is not None
    slate = world.client("committee").get(f"/selection/{s(world, 'cycle')}/").content.decode()
    assert "Tomas Teller" in slate and "Withdrawn" in slate
    decide = world.client("committee").post(
        url + "decide/", {"outcome": "admit", "reason": "x", "seen_version": 0}
    )
    assert decide.status_code == 400 and "withdrawn" in decide.content.decode()
    assert not Decision.objects.filter(application=application).exists()


def test_screening_notes_and_scores_are_the_committees_alone(world: World) -> None:
    url = f"/selection/applications/{s(world, 'application')}/"
    response = world.client("committee").post(
        url + "screen/", {"outcome": "hold", "note": "Ask about the budget cuts."}
    )
    assert response.status_code == 302
    assert "Ask about the budget cuts." in world.client("committee").get(url).content.decode()
    for key in ("teacher", "panel_a"):
        page = world.client(key).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Ask about the budget cuts." not in text and "Screening" not in text
        assert "Clear data story." not in text  # panel_a's evidence shows only in the round
    assert world.client("programs").get(url).status_code == 403
    assert world.client("panel_other").get(url).status_code == 404
    api = world.client("committee").get(f"/api/v1/selection/applications/{s(world, 'application')}")
    assert api.status_code == 200
    assert api.json()["screening_notes"][-1]["text"] == "Ask about the budget cuts."
    assert (
        world.client("programs")
        .get(f"/api/v1/selection/applications/{s(world, 'application')}")
        .status_code
        == 403
    )


def test_raters_score_blind_and_the_committee_sees_agreement(world: World) -> None:
    round_url = f"/rounds/{s(world, 'round')}/subjects/{s(world, 'round_subject')}/rate/"
    client = world.client("panel_b")
    before = client.get(round_url).content.decode()
    assert "Pat Panel" not in before  # panel_a has submitted; panel_b has not
    cycle = SelectionCycle.objects.get(pk=s(world, "cycle"))
    item = competencies(cycle.version)[0]
    level = cycle.version.levels.get(position=2)
    response = client.post(round_url, {f"level_{item.pk}": level.pk, "submit": "1"})
    assert response.status_code == 302
    after = client.get(round_url).content.decode()
    assert "Pat Panel" in after
    agreement = world.client("committee").get(f"/selection/{cycle.pk}/agreement/")
    text = agreement.content.decode()
    assert agreement.status_code == 200
    # One pair on the first competency, one level apart: 0% exact, 100% within one.
    row = text.split(str(item), 1)[1].split("</tr>", 1)[0]
    assert ">1<" in row and "0%" in row and "100%" in row
    application = world.client("committee").get(
        f"/selection/applications/{s(world, 'application')}/"
    )
    assert "Pat Panel: " in application.content.decode()
    assert world.client("panel_a").get(f"/selection/{cycle.pk}/agreement/").status_code == 404


def test_two_committee_members_deciding_at_once_cannot_both_win(world: World) -> None:
    url = f"/selection/applications/{s(world, 'application')}/"
    first, second = world.client("committee"), world.client("chair")
    # Both opened the form before either decided.
    for client in (first, second):
        assert 'name="seen_version" value="0"' in client.get(url).content.decode()
    assert (
        first.post(
            url + "decide/", {"outcome": "admit", "reason": "Best interview.", "seen_version": 0}
        ).status_code
        == 302
    )
    late = second.post(
        url + "decide/", {"outcome": "decline", "reason": "Too early.", "seen_version": 0}
    )
    assert late.status_code == 409
    text = late.content.decode()
    assert "Carla Committee decided “Admit”" in text and "Best interview." in text
    assert 'name="seen_version" value="1"' in text
    decision = Decision.objects.get(application_id=s(world, "application"))
    assert (decision.outcome, decision.version) == ("admit", 1)
    # Having seen it, the second may change it (version 1), and the first is now the late one.
    assert (
        second.post(
            url + "decide/", {"outcome": "waitlist", "reason": "Agreed.", "seen_version": 1}
        ).status_code
        == 302
    )
    assert (
        first.post(
            url + "decide/", {"outcome": "admit", "reason": "Again.", "seen_version": 1}
        ).status_code
        == 409
    )
    decision.refresh_from_db()
    assert (decision.outcome, decision.version) == ("waitlist", 2)


def test_letters_from_edited_templates_then_admission_into_the_cohort(world: World) -> None:
    cycle = s(world, "cycle")
    letters = {
        f"{o}_{part}": text
        for o in ("admit", "waitlist", "decline")
        for part, text in (("subject", "{program}: your place"), ("body", "Dear {name}, " + o))
    }
    letters["admit_body"] = "Dear {name}, welcome to {cohort}. Reason: {reason}"
    bad = world.client("programs").post(
        f"/selection/{cycle}/letters/", {**letters, "admit_body": "Hi {nmae}"}
    )
    assert "Unknown placeholder {nmae}" in bad.content.decode()
    assert world.client("programs").post(f"/selection/{cycle}/letters/", letters).status_code == 302
    app_url = f"/selection/applications/{s(world, 'application')}/"
    world.client("committee").post(
        app_url + "decide/", {"outcome": "admit", "reason": "Top of the slate.", "seen_version": 0}
    )
    # Before the letter the applicant does not see the decision: the page says it is pending.
    before = world.client("teacher").get(app_url).content.decode()
    assert "Decision:" not in before and "the committee has not decided yet" in before
    confirm = world.client("committee").get(f"/selection/{cycle}/send-letters/")
    assert "1 decided applicant receives the letter" in confirm.content.decode()
    assert world.client("committee").post(f"/selection/{cycle}/send-letters/").status_code == 302
    (letter,) = mail.outbox
    assert letter.to == [world.teacher_person.email]
    assert letter.subject == "Leadership Residency: your place"
    assert "Dear Tomas Teller, welcome to" in letter.body and "Top of the slate." in letter.body
    own = world.client("teacher").get(app_url).content.decode()
    # The applicant's page shows the decision's state, not "Submitted", and the letter itself.
    status = re.search(r'<p id="status">(.*?)</p>', own, re.S)
    assert status and "<strong>Admitted</strong>" in status.group(1)
    assert "Submitted" not in status.group(1)
    assert "Decision: <strong>Admitted</strong>" in own
    assert "Leadership Residency: your place" in own and "welcome to" in own
    home = world.client("teacher").get("/selection/").content.decode()
    assert "(admitted)" in home
    # The decision is final now.
    refused = world.client("committee").post(
        app_url + "decide/", {"outcome": "decline", "reason": "x", "seen_version": 1}
    )
    assert refused.status_code == 400 and "final" in refused.content.decode()
    # The committee member who does not run the program cannot admit; the chair does.
    assert world.client("committee").post(f"/selection/{cycle}/enrol/").status_code == 403
    assert world.client("chair").post(f"/selection/{cycle}/enrol/").status_code == 302
    participant = Participant.objects.get(cohort_id=s(world, "cohort"))
    assert participant.person == world.teacher_person
    assert Decision.objects.get(application_id=s(world, "application")).enrolled_at is not None


def test_staff_without_an_account_are_invited_by_a_single_use_link(world: World) -> None:
    cycle = s(world, "cycle")
    refused = world.client("programs").post(
        f"/selection/{cycle}/invite/",
        {"emails": "teller@nowhere.example\ntomas.teller@example.org"},
    )
    text = refused.content.decode()
    assert "nobody on the staff" in text and "has an account" in text
    assert not Invitation.objects.exists() and not mail.outbox
    sent = world.client("programs").post(
        f"/selection/{cycle}/invite/", {"emails": world.far_person.email}
    )
    assert sent.status_code == 302
    (message,) = mail.outbox
    url = link_in(message)
    visitor = Client()
    page = visitor.get(url)
    assert page.status_code == 200 and "Farid Faraway" in page.content.decode()
    made = visitor.post(
        url, {"password1": "a-long-new-password-9", "password2": "a-long-new-password-9"}
    )
    assert made.status_code == 302 and made["Location"] == f"/selection/{cycle}/apply/"
    assert visitor.get(f"/selection/{cycle}/apply/").status_code == 200  # signed in
    assert world.far_person.account.email == world.far_person.email
    used = Client().get(url)
    assert used.status_code == 410 and "has been used" in used.content.decode()


def test_the_home_page_lists_open_cycles_with_apply_and_own_application_links(
    world: World,
) -> None:
    """The walk found the panel's list empty for everyone (it read a name the panel never had)."""
    from django.urls import reverse

    from trellis.selection.models import Application, SelectionCycle

    cycle = SelectionCycle.objects.get(pk=world.selection["cycle"])
    coach_home = world.client("coach").get("/").content.decode()
    assert "Programs taking applications" in coach_home
    assert f'href="{reverse("selection_apply", args=[cycle.pk])}"' in coach_home
    mine = Application.objects.get(cycle=cycle, applicant=world.users["teacher"].person)
    teacher_home = world.client("teacher").get("/").content.decode()
    assert f'href="{reverse("selection_application", args=[mine.pk])}"' in teacher_home
