"""Defects found by the browser walk of the assignments, rating-rounds and audit pages (issue 8):
each test fails on the code before its fix and goes through the pages a user uses."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from tests.conftest import World
from tests.matrix import row_counts
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignment_create
from trellis.authz.roles import Relationship
from trellis.core.models import AuditEvent

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


@pytest.fixture
def today() -> Any:
    with time_machine.travel(
        datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield TODAY


# 1. Ending an assignment never moves its first day ------------------------------------------


def test_defect1_ending_an_assignment_that_started_today_removes_it_and_moves_no_date(
    world: World, today: datetime.date
) -> None:
    made = assignment_create(
        actor=None,
        kind=Relationship.MENTORING,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
        starts_on=today,
    )
    client = world.client("admin")
    confirm = client.get(f"/assignments/{made.pk}/end/").content.decode()
    assert "has not been in force before today" in confirm
    response = client.post(f"/assignments/{made.pk}/end/", follow=True)
    assert "Removed (never in force): Mentor Cami Coach → Tomas Teller." in (
        response.content.decode()
    )
    # Never in force before today: removed, not rewritten to a start of yesterday.
    assert not Assignment.objects.filter(pk=made.pk).exists()
    event = AuditEvent.objects.get(action="assignment.remove", object_id=str(made.pk))
    assert event.before is not None
    assert event.before["starts_on"] == "2026-03-10"
    assert event.before["ends_on"] is None


def test_defect1_ending_keeps_the_first_day_of_past_and_future_assignments(
    world: World, today: datetime.date
) -> None:
    client = world.client("admin")
    past = assignment_create(
        actor=None,
        kind=Relationship.MENTORING,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
        starts_on=datetime.date(2026, 1, 5),
    )
    later = assignment_create(
        actor=None,
        kind=Relationship.EVALUATION,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
        starts_on=datetime.date(2026, 4, 1),
    )
    client.post(f"/assignments/{past.pk}/end/")
    past.refresh_from_db()
    assert (past.starts_on, past.ends_on) == (datetime.date(2026, 1, 5), datetime.date(2026, 3, 9))
    # One that has not started is removed as never in force (its start never moves to yesterday).
    client.post(f"/assignments/{later.pk}/end/")
    assert not Assignment.objects.filter(pk=later.pk).exists()
    assert not Assignment.objects.filter(starts_on=datetime.date(2026, 3, 9)).exists()
    # Ending twice names the last day in the house format and changes nothing.
    before = row_counts()
    again = client.post(f"/assignments/{past.pk}/end/", follow=True).content.decode()
    assert "already ended on Mar 9, 2026" in again
    assert row_counts() == before


# 2. The assignment form finds people by name and by sign-in e-mail -------------------------


def test_defect2_assignment_form_searches_people_by_name_and_sign_in_email(world: World) -> None:
    client = world.client("supervisor")
    form = client.get("/assignments/new/").content.decode()
    # A search box with suggestions, never a <select> of every person.
    assert 'list="assignee-options"' in form and '<datalist id="assignee-options">' in form
    assert 'hx-get="/assignments/people/?field=assignee"' in form
    assert "<select" not in form.split('name="supporter"')[1].split("</form>")[0]
    found = client.get("/assignments/people/?field=assignee&assignee=tell").content.decode()
    assert "Tomas Teller &lt;tomas.teller@example.org&gt;" in found
    # By the sign-in e-mail of the person's account (not the e-mail on their record).
    by_login = client.get("/assignments/people/?field=assignee&assignee=principal@riverbend")
    assert "Paula Prince" in by_login.content.decode()
    # Only people this supervisor may assign: Farid works in the other network.
    assert (
        "Faraway"
        not in client.get("/assignments/people/?field=assignee&assignee=far").content.decode()
    )
    supporters = client.get("/assignments/people/?field=supporter&supporter=sam").content.decode()
    assert "Sam Supervisor &lt;sam.supervisor@example.org&gt;" in supporters
    # A name, or a suggestion as put in the field, is enough to assign.
    response = client.post(
        "/assignments/new/",
        {"kind": "mentoring", "supporter": "supervisor@riverbend.test", "assignee": "tomas teller"},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    made = Assignment.objects.get(kind="mentoring", assignee=world.teacher_person)
    assert made.supporter_id == world.users["supervisor"].person_id
    response = client.post(
        "/assignments/new/",
        {
            "kind": "evaluation",
            "supporter": "Sam Supervisor <sam.supervisor@example.org>",
            "assignee": "Cora Colleague <cora.colleague@example.org>",
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(kind="evaluation", assignee=world.colleague).exists()


def test_defect2_a_name_shared_by_two_people_asks_which_one(world: World) -> None:
    from trellis.people.services import person_create, position_add

    twin = person_create(
        actor=None,
        system=world.system,
        given_name="Tomas",
        family_name="Teller",
        email="tomas.teller.2@example.org",
    )
    position_add(actor=None, person=twin, kind="teacher", school=world.school, starts_on=TODAY)
    before = row_counts()
    page = world.client("admin").post(
        "/assignments/new/",
        {"kind": "mentoring", "supporter": "cami.coach@example.org", "assignee": "Tomas Teller"},
    )
    assert page.status_code == 200
    assert "More than one person is called" in page.content.decode()
    assert row_counts() == before


# 3. A system administrator sees every round of their system --------------------------------


def test_defect3_admin_sees_every_round_of_their_system_but_no_scores(world: World) -> None:
    admin = world.client("admin")
    listing = admin.get("/rounds/").content.decode()
    # The admin neither owns nor rates in the world's round.
    assert "Mid-year evaluation round" in listing
    assert "every round of the systems you administer" in listing
    detail = admin.get(f"/rounds/{world.round_id}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "Raters submitted" in page and "1 of 2" in page
    # The blind rule holds: no scores, no spread, no agreement, no rating form.
    assert "Rater agreement" not in page and "Spread" not in page
    assert "/rate/" not in page
    spread = f"/rounds/{world.round_id}/subjects/{world.round_submitted_subject_id}/"
    assert admin.get(spread).status_code == 403
    rate = f"/rounds/{world.round_id}/subjects/{world.round_subject_id}/rate/"
    assert admin.get(rate).status_code == 403
    assert admin.post(f"/rounds/{world.round_id}/advance/").status_code == 403
    # Another system's administrator sees none of it.
    other = world.client("admin_b")
    assert "Mid-year evaluation round" not in other.get("/rounds/").content.decode()
    assert other.get(f"/rounds/{world.round_id}/").status_code == 404
    # The home panel keeps to the rounds waiting for the viewer.
    assert "Rating rounds in progress" not in admin.get("/").content.decode()
    assert "Rating rounds in progress" in world.client("supervisor").get("/").content.decode()


# 4. Closing a round asks first --------------------------------------------------------------


def test_defect4_closing_a_round_for_consensus_asks_first(world: World) -> None:
    from trellis.ratings.models import RatingRound

    owner = world.client("supervisor")
    detail = owner.get(f"/rounds/{world.round_id}/").content.decode()
    # The round page links to the confirmation; it holds no one-click form that closes it.
    assert f'action="/rounds/{world.round_id}/advance/"' not in detail
    assert f'href="/rounds/{world.round_id}/advance/"' in detail
    before = row_counts()
    confirm = owner.get(f"/rounds/{world.round_id}/advance/")
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Close ratings of “Mid-year evaluation round” and move to consensus?" in text
    assert "So far 1 of 4 submissions are in" in text
    assert "drafts that were never submitted are discarded" in text
    assert '<input type="hidden" name="from" value="open">' in text
    assert row_counts() == before
    assert RatingRound.objects.get(pk=world.round_id).state == "open"
    owner.post(f"/rounds/{world.round_id}/advance/", {"from": "open"})
    assert RatingRound.objects.get(pk=world.round_id).state == "consensus"
    # Confirming the same page twice (back button) does not lock the round.
    again = owner.post(f"/rounds/{world.round_id}/advance/", {"from": "open"}, follow=True)
    assert "The round is already consensus: nothing changed." in again.content.decode()
    assert RatingRound.objects.get(pk=world.round_id).state == "consensus"
    lock = owner.get(f"/rounds/{world.round_id}/advance/").content.decode()
    assert (
        "Locking is final" in lock and '<input type="hidden" name="from" value="consensus">' in lock
    )


# 5. Kappa without variation is not defined, never 0.00 ---------------------------------------


def test_defect5_kappa_without_variation_is_not_defined_on_the_page_and_in_exports(
    world: World,
) -> None:
    from trellis.frameworks.models import FrameworkItem, FrameworkVersion
    from trellis.ratings.agreement import agreement
    from trellis.ratings.models import Rating
    from trellis.ratings.services import ratings_record

    # One rater used a single level, the other varied: kappa is 0 by construction.
    assert agreement([(3, 2), (3, 3), (3, 4)], [1, 2, 3, 4]).kappa is None
    assert agreement([(3, 2), (3, 3), (3, 4)], [1, 2, 3, 4]).kappa_text == (
        "not defined (no variation)"
    )
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    items = list(
        FrameworkItem.objects.filter(version=version, descriptors__isnull=False).distinct()
    )
    levels = {lv.position: lv for lv in version.levels.all()}
    for person in (world.teacher_person, world.colleague):
        assignment_create(
            actor=None,
            kind=Relationship.MENTORING,
            supporter=world.users["supervisor"].person,
            assignee=person,
        )
    assignment_create(
        actor=None,
        kind=Relationship.MENTORING,
        supporter=world.users["coach"].person,
        assignee=world.teacher_person,
    )
    for rater, varies in (("coach", False), ("supervisor", True)):
        for person in (world.principal_person, world.teacher_person, world.colleague):
            ratings_record(
                actor=world.users[rater],
                subject=person,
                version=version,
                purpose=Rating.Purpose.PROGRESS,
                rated_on=datetime.date(2026, 3, 1),
                entries=[
                    (item, levels[2 + (i % 2) if varies else 2], "") for i, item in enumerate(items)
                ],
            )
    client = world.client("admin")
    page = client.get(f"/frameworks/{world.framework_id}/agreement/").content.decode()
    table = page.split('id="main"')[1].split("</table>")[0]
    assert "not defined (no variation)" in table
    assert "0.00" not in table
    export = client.get(f"/frameworks/{world.framework_id}/agreement/?format=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Weighted kappa" in body and "not defined (no variation)" in body
    assert "0.00" not in body
    assert client.get(f"/frameworks/{world.framework_id}/agreement/?format=xlsx").status_code == 200


# 6. The audit log names kinds of records, people and purposes, and dates the house way ------


def test_defect6_audit_log_shows_readable_labels_not_ids_or_codes(world: World) -> None:
    from trellis.core.services import audit_event_record
    from trellis.frameworks.models import FrameworkVersion
    from trellis.ratings.models import RatingRound

    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    audit_event_record(
        actor=world.users["coach"],
        action="rating.record",
        obj=world.principal_person,
        after={"purpose": "progress", "version": version.pk, "rated_on": "2026-05-01"},
    )
    round_ = RatingRound.objects.get(pk=world.round_id)
    round_event = AuditEvent.objects.get(action="round.create", object_id=str(round_.pk))
    client = world.client("admin")
    log = client.get("/audit/").content.decode()
    body = log.split("<tbody>")[1]
    # The kind of record in words, never "people.person #1".
    assert "people.person #" not in body and "ratings.ratinground #" not in body
    assert '<span class="small text-body-secondary">Person</span>' in body
    assert '<span class="small text-body-secondary">Rating round</span>' in body
    # A purpose by its label, not its stored code.
    assert (
        '<dt class="fw-semibold">Purpose</dt><dd class="mb-1 text-break">Progress monitoring'
        in body
    )
    # An account's person by name, not a bare id.
    principal_account = AuditEvent.objects.get(
        action="account.create", object_id=str(world.users["principal"].pk)
    )
    assert principal_account.after is not None
    assert principal_account.after["person"] == world.principal_person.pk
    entries = client.get("/audit/?action=account.create").content.decode()
    assert '<dd class="mb-1 text-break">Paula Prince</dd>' in entries
    # A round's window in the house date format, as one span.
    assert round_event.after is not None
    opens, closes = round_event.after["window"]
    expected = (
        f"{datetime.date.fromisoformat(opens):%b %-d, %Y} to "
        f"{datetime.date.fromisoformat(closes):%b %-d, %Y}"
    )
    rounds = client.get("/audit/?object_type=ratings.ratinground").content.decode()
    assert expected in rounds
    # The kind-of-record filter offers names, and filters by the stored type.
    assert '<option value="people.person">Person</option>' in log
    assert "Rating round" in rounds and "Person: create" not in rounds
    # The round's own pages use the same format (they showed 2026-10-30).
    detail = world.client("supervisor").get(f"/rounds/{round_.pk}/").content.decode()
    assert expected in detail
    listing = world.client("supervisor").get("/rounds/").content.decode()
    assert expected.replace(" to ", " \u2013 ") in listing


# 7. The people list's school picker follows the chosen network -------------------------------


def test_defect7_school_picker_offers_and_accepts_only_the_chosen_networks_schools(
    world: World,
) -> None:
    client = world.client("leader")
    everything = client.get("/people/").content.decode()
    assert "Oak Hill Elementary</option>" in everything
    assert "Pine Ridge Middle</option>" in everything
    north = client.get(f"/people/?network={world.network.pk}").content.decode()
    picker = north.split('id="f-school-wrap"')[1].split("</select>")[0]
    assert "Oak Hill Elementary</option>" in picker
    assert "Pine Ridge Middle" not in picker
    # Choosing a network fetches its picker (htmx swaps the picker alone).
    assert 'hx-get="/people/"' in north and 'hx-select="#f-school-wrap"' in north
    # A school of another network is not accepted with it: the network's people are listed,
    # not an empty list.
    mixed = client.get(f"/people/?network={world.network.pk}&school={world.other_school.pk}")
    names = {p.family_name for p in mixed.context["object_list"]}
    assert "Faraway" not in names and {"Prince", "Teller", "Colleague"} <= names
    assert mixed.context["filters"]["school_id"] is None
    # A school of the network is.
    oak = client.get(f"/people/?network={world.network.pk}&school={world.school.pk}")
    assert oak.context["filters"]["school_id"] == world.school.pk


# 8. A competency whose code changed between versions is one series -------------------------


def test_defect8_chart_keys_a_competency_by_its_identifier_across_versions(world: World) -> None:
    from trellis.frameworks.editing import version_new_draft, version_publish
    from trellis.frameworks.models import Framework, FrameworkItem, FrameworkVersion
    from trellis.ratings.models import Rating
    from trellis.ratings.services import ratings_record

    framework = Framework.objects.get(pk=world.framework_id)
    first = FrameworkVersion.objects.get(framework=framework, number=1)
    item = (
        FrameworkItem.objects.filter(version=first, descriptors__isnull=False)
        .exclude(human_coding_scheme="")
        .order_by("pk")
        .first()
    )
    assert item is not None
    level = first.levels.get(position=2)
    ratings_record(
        actor=world.users["coach"],
        subject=world.principal_person,
        version=first,
        purpose=Rating.Purpose.PROGRESS,
        rated_on=datetime.date(2026, 1, 10),
        entries=[(item, level, "")],
    )
    second = version_new_draft(actor=None, framework=framework)
    renamed = FrameworkItem.objects.get(version=second, case_identifier=item.case_identifier)
    FrameworkItem.objects.filter(pk=renamed.pk).update(
        human_coding_scheme="9.Z", abbreviated_statement="Leading learning, renamed"
    )
    second = version_publish(actor=None, version=second)
    ratings_record(
        actor=world.users["coach"],
        subject=world.principal_person,
        version=second,
        purpose=Rating.Purpose.PROGRESS,
        rated_on=datetime.date(2026, 2, 10),
        entries=[(renamed, second.levels.get(position=3), "")],
    )
    page = world.client("coach").get(f"/people/{world.principal_person.pk}/ratings/")
    values = page.context["chart"]["data"]["values"]
    assert len(values) == 2
    # One series (one facet) for the competency, named as in the newest version.
    assert {v["competency"] for v in values} == {"9.Z Leading learning, renamed"}
    assert {v["competency_id"] for v in values} == {item.case_identifier}


# 9. A people CSV with a malformed e-mail is refused, naming row and column ------------------


def test_defect9_people_csv_refuses_a_malformed_email_naming_row_and_column(
    world: World, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trellis.imports.models import ImportRun
    from trellis.people.models import Person

    settings.MEDIA_ROOT = tmp_path / "media"
    content = (
        "person_id,given_name,family_name,email,school,position,starts_on\n"
        "hr-1,Ana,Avila,ana@example.org,1300001,principal,2024-08-01\n"
        "hr-2,Ben,Bell,ben at example dot org,1300001,teacher,2023-08-01\n"
    )
    before = row_counts()
    client = world.client("admin")
    response = client.post(
        "/imports/new/",
        {
            "system": str(world.system.pk),
            "kind": "people_csv",
            "file": SimpleUploadedFile("staff.csv", content.encode()),
            "people_csv-mode": "delta",
        },
    )
    assert response.status_code == 302
    run = ImportRun.objects.exclude(pk=world.import_run_id).latest("pk")
    assert run.status == ImportRun.Status.REJECTED
    assert [(e["file"], e["row"], e["column"]) for e in run.errors] == [("staff.csv", 3, "email")]
    assert "'ben at example dot org' is not an e-mail address" in run.errors[0]["reason"]
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "ben at example dot org" in page and "name@example.org" in page
    # Nothing landed: not even the good row.
    assert not Person.objects.filter(sourced_id__in=["hr-1", "hr-2"]).exists()
    after = row_counts()
    assert {k: v for k, v in after.items() if after[k] != before.get(k)}.keys() <= {
        "imports.ImportRun",
        "core.AuditEvent",
    }


# 10. The caseload target form shows what was saved ------------------------------------------


def test_defect10_caseload_target_form_shows_the_saved_value_and_says_so(world: World) -> None:
    client = world.client("admin")
    first = client.get("/assignments/caseloads/?kind=supervision").content.decode()
    form = first.split('action="/assignments/targets/"')[1].split("</form>")[0]
    # Before any is set, the default target in force (5 principals per supervisor).
    assert 'name="target" value="5"' in form
    response = client.post(
        "/assignments/targets/",
        {"system": world.system.pk, "kind": "coaching", "target": 12},
        follow=True,
    )
    page = response.content.decode()
    assert "Target for each coach in Riverbend Public Schools: 12." in page
    form = page.split('action="/assignments/targets/"')[1].split("</form>")[0]
    assert 'name="target" value="12"' in form
    assert f'<option value="{world.system.pk}" selected>' in form
    assert '<option value="coaching" selected>' in form


# 12. Rating without ?framework= offers a choice instead of a bare 404 ------------------------


def test_defect12_rating_without_a_framework_offers_a_choice_or_the_only_one(
    world: World,
) -> None:
    from trellis.frameworks.models import Framework

    client = world.client("principal")
    # A teacher leader is rated on two frameworks here: a page to choose from, not a 404.
    response = client.get(f"/people/{world.teacher_person.pk}/ratings/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rate Tomas Teller: choose a framework" in page
    leading = Framework.objects.get(pk=world.framework_id)
    template = Framework.objects.get(title__startswith="Teacher Leader Competency Model")
    for framework in (leading, template):
        assert (
            f'href="/people/{world.teacher_person.pk}/ratings/new/?framework={framework.pk}"'
            in (page)
        )
    # A school is rated on one framework: straight to its form.
    school = client.get(f"/schools/{world.school.pk}/ratings/new/")
    conditions = Framework.objects.get(pk=world.conditions_id)
    assert school.status_code == 302
    assert (
        school["Location"] == f"/schools/{world.school.pk}/ratings/new/?framework={conditions.pk}"
    )
    # Someone who may not rate is still refused, and a stranger still gets 404.
    leader = world.client("leader")
    assert leader.get(f"/people/{world.teacher_person.pk}/ratings/new/").status_code == 403
    stranger = world.client("admin_b")
    assert stranger.get(f"/people/{world.teacher_person.pk}/ratings/new/").status_code == 404
