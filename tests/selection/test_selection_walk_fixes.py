"""Fixes from the browser walk of selection (issue 9): each through the pages a user would use.

Interviewers without a person record, interview dates, the principal of record, the decision
state and letter on the applicant's page, the committee's consensus, the slate's exports, drafts,
and the cycle page's wording and cohort link."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, make_user
from tests.selection.world import pdf
from trellis.authz.roles import Role
from trellis.core.models import AuditEvent
from trellis.people.models import PositionKind
from trellis.people.services import person_create, position_add
from trellis.selection.models import Application, Interview, Recommendation, SelectionCycle


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def s(world: World, key: str) -> Any:
    return world.selection[key]


def day(value: datetime.date) -> str:
    return f"{value:%b %-d, %Y}"


def oak_teacher(world: World, given: str = "Nadia", family: str = "Newcomer") -> Any:
    """A teacher at Oak Hill (whose principal of record is Paula Prince) with an account, who
    has not applied."""
    person = person_create(
        actor=None,
        system=world.system,
        given_name=given,
        family_name=family,
        email=f"{given}.{family}@example.org".lower(),
    )
    position_add(
        actor=None,
        person=person,
        kind=PositionKind.TEACHER,
        school=world.school,
        starts_on=datetime.date(2020, 8, 1),
    )
    return make_user(world.system, f"{given.lower()}@riverbend.test", None, person=person)


def application_form(**extra: Any) -> dict[str, Any]:
    return {
        "answer_0": "To lead learning.",
        "track_record": "Math growth of 1.4 years per year, 2023-2025 (state assessment).",
        "principal_name": "",
        "principal_email": "",
        "file_0": pdf(),
        **extra,
    }


# 1. An interviewer needs no person record -------------------------------------------------


def test_an_interviewer_without_a_person_record_opens_the_applicant_they_interview(
    world: World,
) -> None:
    assessor = make_user(
        world.system, "assessor@riverbend.test", Role.INTERVIEWER, system=world.system
    )
    assert assessor.person_id is None
    cora = s(world, "other_application")
    scheduled = world.client("committee").post(
        f"/selection/applications/{cora}/interview/",
        {
            "held_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "raters": "assessor@riverbend.test\npanel_a@riverbend.test",
        },
    )
    assert scheduled.status_code == 302
    client = world.client(None)
    client.force_login(assessor)
    page = client.get(f"/selection/applications/{cora}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cora Colleague" in text and "Score the interview" in text
    file_pk = Application.objects.get(pk=cora).files.get().pk
    assert client.get(f"/selection/applications/{cora}/files/{file_pk}/").status_code == 200
    # Only their applicant: Tomas's application (another panel) is not found.
    assert client.get(f"/selection/applications/{s(world, 'application')}/").status_code == 404


# 2. Interview dates -------------------------------------------------------------------------


def test_an_interview_in_the_past_or_outside_the_cycle_is_refused_in_the_house_date_format(
    world: World,
) -> None:
    cora = s(world, "other_application")
    today = timezone.localdate()
    cycle = SelectionCycle.objects.select_related("cohort").get(pk=s(world, "cycle"))
    before = Interview.objects.count()
    client = world.client("committee")
    url = f"/selection/applications/{cora}/interview/"
    raters = "panel_a@riverbend.test\npanel_b@riverbend.test"
    past = client.post(
        url, {"held_on": (today - datetime.timedelta(days=1)).isoformat(), "raters": raters}
    )
    assert past.status_code == 400
    text = past.content.decode()
    assert f"An interview cannot be held in the past: choose {day(today)} or a later day." in text
    late = cycle.cohort.starts_on + datetime.timedelta(days=5)
    after = client.post(url, {"held_on": late.isoformat(), "raters": raters})
    assert after.status_code == 400
    text = after.content.decode()
    last = cycle.cohort.starts_on - datetime.timedelta(days=1)
    assert f"from {day(cycle.opens_on)} (applications open) to {day(last)}" in text
    # No raw ISO date in either refusal.
    for response in (past, after):
        errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)<', response.content.decode())
        assert errors and not any(re.search(r"\d{4}-\d\d-\d\d", e) for e in errors)
    assert Interview.objects.count() == before


# 3. The applicant's principal ----------------------------------------------------------------


def test_the_recommendation_is_asked_of_the_applicants_principal_of_record(world: World) -> None:
    nadia = oak_teacher(world)
    client = world.client(None)
    client.force_login(nadia)
    url = f"/selection/{s(world, 'cycle')}/apply/"
    form = client.get(url).content.decode()
    # Filled in with Oak Hill's principal.
    assert 'value="Paula Prince"' in form and 'value="paula.prince@example.org"' in form
    refused = client.post(url, application_form(principal_email="friend@example.org"))
    assert refused.status_code == 200
    assert "The recommendation is asked of your principal: Paula Prince" in refused.content.decode()
    assert not Application.objects.filter(applicant_id=nadia.person_id).exists()
    assert not mail.outbox
    done = client.post(url, application_form())
    assert done.status_code == 302
    recommendation = Recommendation.objects.get(application__applicant_id=nadia.person_id)
    assert recommendation.recommender_person == world.principal_person
    assert recommendation.recommender_name == "Paula Prince"
    (message,) = mail.outbox
    assert message.to == ["paula.prince@example.org"]
    slate = world.client("committee").get(f"/selection/{s(world, 'cycle')}/").content.decode()
    row = re.search(r"Nadia Newcomer.*?</tr>", slate, re.S)
    assert row and "not the principal of record" not in row.group(0)


def test_without_a_principal_of_record_the_applicant_names_one_and_the_committee_sees_a_flag(
    world: World,
) -> None:
    farid = make_user(world.system, "farid@riverbend.test", None, person=world.far_person)
    client = world.client(None)
    client.force_login(farid)
    url = f"/selection/{s(world, 'cycle')}/apply/"
    assert "No principal is on record for you" in client.get(url).content.decode()
    missing = client.post(url, application_form())
    assert "Name your principal" in missing.content.decode()
    done = client.post(
        url, application_form(principal_name="Acting Head", principal_email="acting@example.org")
    )
    assert done.status_code == 302
    recommendation = Recommendation.objects.get(application__applicant=world.far_person)
    assert recommendation.recommender_person is None
    slate = world.client("committee").get(f"/selection/{s(world, 'cycle')}/").content.decode()
    row = re.search(r"Farid Faraway.*?</tr>", slate, re.S)
    assert row and "not the principal of record" in row.group(0)


# 6. The slate's exports -------------------------------------------------------------------------


def test_the_committee_downloads_the_slate_and_the_programs_manager_may_not(world: World) -> None:
    url = f"/selection/{s(world, 'cycle')}/"
    response = world.client("committee").get(url + "?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Rank", "Applicant", "Status"]
    names = [row[1] for row in rows[1:]]
    assert sorted(names) == ["Cora Colleague", "Tomas Teller"]
    xlsx = world.client("committee").get(url + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # The manager who is not on the committee configures the form; the slate is not theirs.
    assert world.client("programs").get(url + "?format=csv").status_code == 403
    page = world.client("committee").get(url).content.decode()
    assert '<a href="?format=csv">CSV</a>' in page


# 7. Drafts --------------------------------------------------------------------------------------


def test_an_applicant_saves_a_draft_comes_back_and_submits_it(world: World) -> None:
    nadia = oak_teacher(world)
    client = world.client(None)
    client.force_login(nadia)
    cycle = s(world, "cycle")
    url = f"/selection/{cycle}/apply/"
    saved = client.post(url, {"answer_0": "Because our school needs it.", "save_draft": ""})
    assert saved.status_code == 302
    draft = Application.objects.get(cycle_id=cycle, applicant_id=nadia.person_id)
    assert draft.status == Application.Status.DRAFT and draft.submitted_at is None
    assert not Recommendation.objects.filter(application=draft).exists() and not mail.outbox
    assert AuditEvent.objects.filter(action="selection.draft", object_id=str(draft.pk)).exists()
    own = client.get(f"/selection/applications/{draft.pk}/").content.decode()
    assert "Draft" in own and "Continue your application" in own
    # The committee does not see a draft: not on the slate, not by its address, not in the API.
    committee = world.client("committee")
    assert "Nadia Newcomer" not in committee.get(f"/selection/{cycle}/").content.decode()
    assert committee.get(f"/selection/applications/{draft.pk}/").status_code == 404
    api = committee.get(f"/api/v1/selection/cycles/{cycle}/applications").json()
    assert all(item["id"] != draft.pk for item in api["items"])
    # Coming back: the form holds what was saved; a second draft adds the résumé.
    again = client.get(url)
    assert again.status_code == 200 and "Because our school needs it." in again.content.decode()
    client.post(
        url, {"answer_0": "Because our school needs it.", "file_0": pdf(), "save_draft": ""}
    )
    # Submitting checks everything (the stored résumé counts as uploaded).
    incomplete = client.post(url, {"answer_0": "Because our school needs it.", "submit": ""})
    assert incomplete.status_code == 200
    assert "Fill in “Your track record of student outcomes”." in incomplete.content.decode()
    assert Application.objects.get(pk=draft.pk).is_draft and not mail.outbox
    submitted = client.post(
        url,
        {
            "answer_0": "Because our school needs it.",
            "track_record": "Attendance in my grade rose from 88% to 94% (district data).",
            "submit": "",
        },
    )
    assert submitted.status_code == 302
    application = Application.objects.get(pk=draft.pk)
    assert application.status == Application.Status.SUBMITTED and application.submitted_at
    assert application.files.get().original_name == "resume.pdf"
    (message,) = mail.outbox
    assert message.to == ["paula.prince@example.org"]
    assert "Nadia Newcomer" in committee.get(f"/selection/{cycle}/").content.decode()
    # Submitted: the form is gone, the page leads to the application.
    assert client.get(url).status_code == 302


def test_a_draft_cannot_be_saved_after_the_deadline(world: World) -> None:
    nadia = oak_teacher(world)
    client = world.client(None)
    client.force_login(nadia)
    cycle = SelectionCycle.objects.get(pk=s(world, "cycle"))
    closed = timezone.localdate() - datetime.timedelta(days=1)
    SelectionCycle.objects.filter(pk=cycle.pk).update(
        opens_on=closed - datetime.timedelta(days=30), closes_on=closed
    )
    refused = client.post(f"/selection/{cycle.pk}/apply/", {"answer_0": "x", "save_draft": ""})
    assert refused.status_code == 400 and day(closed) in refused.content.decode()
    assert not Application.objects.filter(applicant_id=nadia.person_id).exists()


# 9. Wording and the cohort link ---------------------------------------------------------------


def test_the_cycle_page_counts_in_words_and_links_to_its_cohort_for_who_may_open_it(
    world: World,
) -> None:
    url = f"/selection/{s(world, 'cycle')}/"
    cohort_url = reverse("cohort_detail", args=[s(world, "cohort")])
    chair = world.client("chair").get(url).content.decode()  # manages the program
    assert f'href="{cohort_url}"' in chair
    assert "2 applications under consideration" in chair
    # A committee member holding only the committee role may not open the cohort's page.
    committee = world.client("committee")
    assert committee.get(cohort_url).status_code in (403, 404)
    assert f'href="{cohort_url}"' not in committee.get(url).content.decode()
    Application.objects.filter(pk=s(world, "other_application")).update(
        status=Application.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    assert "1 application under consideration" in committee.get(url).content.decode()


# 5. Any committee member records the consensus ----------------------------------------------


def test_any_committee_member_records_the_consensus_and_two_at_once_cannot_both_win(
    world: World,
) -> None:
    from tests.selection.world import competencies
    from trellis.ratings.models import Rating, RatingRound
    from trellis.selection.models import SelectionCycle as Cycle

    interview = Interview.objects.get(round_id=s(world, "round"))
    assert interview.round.owner == world.users["committee"]  # scheduled by the other member
    app_url = f"/selection/applications/{s(world, 'application')}/"
    base = f"{app_url}interviews/{interview.pk}/"
    chair = world.client("chair")  # on the committee, did not schedule the interview
    page = chair.get(app_url).content.decode()
    assert "Close the panel&#x27;s scoring" in page or "Close the panel's scoring" in page
    assert chair.post(base + "advance/", {"state": "open"}).status_code == 302
    assert RatingRound.objects.get(pk=interview.round_id).state == RatingRound.State.CONSENSUS
    # The same click again does not move it a second step.
    chair.post(base + "advance/", {"state": "open"})
    assert RatingRound.objects.get(pk=interview.round_id).state == RatingRound.State.CONSENSUS
    version = Cycle.objects.get(pk=s(world, "cycle")).version
    item = competencies(version)[0]
    level3, level2 = version.levels.get(position=3), version.levels.get(position=2)
    # Both members open the form (version 0); the chair records first.
    assert (
        'name="seen_version" value="0"' in world.client("committee").get(app_url).content.decode()
    )
    first = chair.post(
        base + "consensus/", {f"level_{item.pk}": str(level3.pk), "seen_version": "0"}
    )
    assert first.status_code == 302
    second = world.client("committee").post(
        base + "consensus/", {f"level_{item.pk}": str(level2.pk), "seen_version": "0"}
    )
    assert second.status_code == 409
    text = second.content.decode()
    assert "recorded the consensus" in text and "Nothing of yours was saved" in text
    consensus = Rating.objects.get(round_id=interview.round_id, is_consensus=True, item=item)
    assert consensus.level == level3 and consensus.rater == world.users["chair"]
    assert Interview.objects.get(pk=interview.pk).consensus_version == 1
    audit = AuditEvent.objects.filter(action="selection.consensus")
    assert audit.count() == 1 and audit.get().actor == world.users["chair"]
    # With the version they now see, the committee member may change it; then lock.
    again = world.client("committee").post(
        base + "consensus/", {f"level_{item.pk}": str(level2.pk), "seen_version": "1"}
    )
    assert again.status_code == 302
    assert chair.post(base + "advance/", {"state": "consensus"}).status_code == 302
    assert RatingRound.objects.get(pk=interview.round_id).state == RatingRound.State.LOCKED
    # Outside the committee: the program's manager may not; the panel, once the interview is
    # locked, no longer reaches the application at all.
    assert world.client("programs").post(base + "advance/", {"state": "locked"}).status_code == 403
    assert world.client("panel_a").post(base + "consensus/", {}).status_code == 404
