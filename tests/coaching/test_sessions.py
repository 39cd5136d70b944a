"""Coaching sessions through the pages and the API (issue 10): logging on the caseload only,
next steps owned by a participant and carried over until done, edits and deletions audited,
the coachee's comments and sharing, protocols, and the caseload panels."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.coaching.world import focus_item
from tests.conftest import World
from tests.matrix import row_counts
from tests.test_role_matrix import text_of
from trellis.accounts.models import User
from trellis.coaching.models import CoachingSession, NextStep, Protocol
from trellis.coaching.selectors import caseload_rows
from trellis.coaching.services import NextStepIn, next_step_done, session_log
from trellis.core.models import AuditEvent
from trellis.frameworks.models import FrameworkItem, PerformanceLevel
from trellis.ratings.services import ratings_record


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def fresh(world: World, key: str) -> User:
    """The account as a request would load it (grants and relationships not yet cached)."""
    return User.objects.get(pk=world.users[key].pk)


def log(world: World, key: str, coachee_pk: int, **data: Any) -> Any:
    # A session needs a focus competency or notes (the form and the service refuse one without).
    payload = {
        "held_on": "2026-03-02",
        "minutes": 40,
        "mode": "in_person",
        "notes": "Talked it through.",
        **data,
    }
    return world.client(key).post(f"/coaching/new/?coachee={coachee_pk}", payload)


# -- The caseload ---------------------------------------------------------------------------------


def test_a_session_outside_the_caseload_is_refused(world: World) -> None:
    tomas = world.teacher_person  # at Oak Hill, on nobody's caseload
    before = row_counts()
    # The supervisor sees Tomas (his network's staff) but does not supervise him: 403.
    assert log(world, "supervisor", tomas.pk).status_code == 403
    assert world.client("supervisor").get(f"/coaching/new/?coachee={tomas.pk}").status_code == 403
    # The coach does not even see him: 404.
    assert log(world, "coach", tomas.pk).status_code == 404
    response = world.client("supervisor").post(
        "/api/v1/coaching/sessions",
        {"coachee_id": tomas.pk, "held_on": "2026-03-02", "minutes": 30, "mode": "virtual"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert row_counts() == before
    # The service says why, whoever calls it.
    with pytest.raises(ValidationError, match="caseload"):
        session_log(
            actor=None,
            coach=world.users["coach"].person,
            coachee=tomas,
            held_on=datetime.date(2026, 3, 2),
            minutes=30,
            mode="virtual",
            notes="Talked it through.",
        )


def test_a_session_before_the_assignment_or_in_the_future_is_refused(world: World) -> None:
    paula = world.principal_person
    response = log(world, "coach", paula.pk, held_on="2019-05-01")
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    assert "was not on" in response.content.decode()
    response = log(world, "coach", paula.pk, held_on="2099-05-01")
    assert "the date is in the future" in response.content.decode()
    assert not CoachingSession.objects.filter(held_on__year__in=[2019, 2099]).exists()


def test_the_log_form_offers_the_caseload_and_the_framework(world: World) -> None:
    chooser = world.client("coach").get("/coaching/new/").content.decode()
    assert "Paula Prince" in chooser and "Cora Colleague" in chooser
    assert "Tomas" not in chooser
    form = world.client("coach").get(f"/coaching/new/?coachee={world.principal_person.pk}")
    page = form.content.decode()
    item = focus_item(world)
    assert f'value="{item.pk}"' in page  # type: ignore[attr-defined]
    assert "Riverbend data dive" in page and "Plan, do, study, act" in page
    # Carried over: Paula's open next step from January.
    assert "Draft the data calendar" in page
    # A competency of a draft framework is not offered, and refused when posted.
    draft_item = FrameworkItem.objects.filter(version__framework_id=world.draft_framework_id)[0]
    response = log(world, "coach", world.principal_person.pk, focus=[draft_item.pk])
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    assert not CoachingSession.objects.filter(held_on=datetime.date(2026, 3, 2)).exists()


# -- Next steps -----------------------------------------------------------------------------------


def test_a_next_steps_owner_must_take_part_in_the_session(world: World) -> None:
    paula = world.principal_person
    sam = world.users["supervisor"].person
    before = row_counts()
    response = world.client("coach").post(
        "/api/v1/coaching/sessions",
        {
            "coachee_id": paula.pk,
            "held_on": "2026-03-02",
            "minutes": 30,
            "mode": "virtual",
            "notes": "Talked it through.",
            "next_steps": [{"text": "Call the supervisor", "owner_id": sam.pk}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "owner must take part" in response.json()["detail"]
    assert row_counts() == before
    with pytest.raises(ValidationError, match="owner must take part"):
        session_log(
            actor=fresh(world, "coach"),
            coachee=paula,
            held_on=datetime.date(2026, 3, 2),
            minutes=30,
            mode="virtual",
            notes="Talked it through.",
            next_steps=[NextStepIn(text="Call Sam", owner=sam)],
        )
    assert row_counts() == before


def test_open_next_steps_carry_over_until_done(world: World) -> None:
    paula = world.principal_person
    response = log(
        world,
        "coach",
        paula.pk,
        step_1_text="Observe two data meetings",
        step_1_owner="coachee",
        step_1_due="2026-03-20",
        step_2_text="Find a model agenda",
        step_2_owner="coach",
    )
    assert response.status_code == 302
    march = CoachingSession.objects.get(coachee=paula, held_on=datetime.date(2026, 3, 2))
    owners = {s.text: s.owner_id for s in march.next_steps.all()}
    assert owners == {
        "Observe two data meetings": paula.pk,
        "Find a model agenda": world.users["coach"].person.pk,
    }
    page = world.client("coach").get(f"/coaching/sessions/{march.pk}/").content.decode()
    carried = page.split("Carried over from earlier sessions", 1)[1]
    assert "Draft the data calendar" in carried  # January's, still open
    assert "Send the article" not in carried  # done before March
    # Paula marks January's step done before the next session: it no longer carries over.
    step = NextStep.objects.get(pk=world.coaching["open_step"])
    next_step_done(
        actor=fresh(world, "principal"), step=step, done=True, on=datetime.date(2026, 3, 10)
    )
    session_log(
        actor=None,
        coach=world.users["coach"].person,
        coachee=paula,
        held_on=datetime.date(2026, 3, 16),
        minutes=30,
        mode="virtual",
        notes="Talked it through.",
    )
    later = CoachingSession.objects.get(coachee=paula, held_on=datetime.date(2026, 3, 16))
    page = world.client("principal").get(f"/coaching/sessions/{later.pk}/").content.decode()
    carried = page.split("Carried over from earlier sessions", 1)[1]
    assert "Draft the data calendar" not in carried
    assert "Observe two data meetings" in carried and "Find a model agenda" in carried
    # An open step past its due date says so; one without a due date does not (walk finding).
    observe = carried.split("Observe two data meetings", 1)[1].split("</li>", 1)[0]
    model = carried.split("Find a model agenda", 1)[1].split("</li>", 1)[0]
    assert ('badge text-bg-danger">overdue' in observe) == (
        datetime.date(2026, 3, 20) < timezone.localdate()
    )
    assert "overdue" not in model
    # March's page still shows January's step as it stood then (done after it).
    page = world.client("coach").get(f"/coaching/sessions/{march.pk}/").content.decode()
    assert "Draft the data calendar" in page.split("Carried over", 1)[1]
    # The API lists the open ones.
    steps = world.client("principal").get("/api/v1/coaching/next-steps").json()["items"]
    assert {s["text"] for s in steps} == {"Observe two data meetings", "Find a model agenda"}


def test_marking_a_next_step_done_is_for_the_participants(world: World) -> None:
    url = f"/coaching/next-steps/{world.coaching['open_step']}/done/"
    # Each button names its step for a screen reader (a session lists several).
    step = NextStep.objects.get(pk=world.coaching["open_step"])
    session = world.client("coach").get(f"/coaching/sessions/{step.session_id}/")
    assert (
        f'Mark done<span class="visually-hidden">: {step.text}</span>' in session.content.decode()
    )
    assert world.client("supervisor").post(url, {"done": "1"}).status_code == 403
    assert world.client("coach").post(url, {"done": "1"}).status_code == 302
    step = NextStep.objects.get(pk=world.coaching["open_step"])
    assert step.done_on is not None
    assert AuditEvent.objects.filter(action="coaching.next_step_done", object_id=str(step.pk))


# -- Edits, deletions, comments, sharing ----------------------------------------------------------


def test_the_coach_edits_and_deletes_their_own_session_audited(world: World) -> None:
    pk = world.coaching["session"]
    response = world.client("coach").post(
        f"/coaching/sessions/{pk}/edit/",
        {"held_on": "2026-01-12", "minutes": 65, "mode": "virtual", "notes": "Rewritten."},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="coaching.session_update").latest("pk")
    before, after = event.before or {}, event.after or {}
    assert before["minutes"] == 50 and after["minutes"] == 65
    assert after["mode"] == "virtual" and after["notes"] == "changed"
    assert event.actor == world.users["coach"]
    # The supervisor reads the session but does not edit it; nothing changes.
    response = world.client("supervisor").post(
        f"/coaching/sessions/{pk}/edit/",
        {"held_on": "2026-01-12", "minutes": 5, "mode": "virtual"},
    )
    assert response.status_code == 403
    assert CoachingSession.objects.get(pk=pk).minutes == 65
    confirm = world.client("coach").get(f"/coaching/sessions/{pk}/delete/")
    assert "Delete this session?" in confirm.content.decode()
    response = world.client("coach").post(f"/coaching/sessions/{pk}/delete/")
    assert response.status_code == 302
    assert not CoachingSession.objects.filter(pk=pk).exists()
    deleted = AuditEvent.objects.get(action="coaching.session_delete").before or {}
    assert deleted["minutes"] == 65 and deleted["next_steps"] == 2 and deleted["comments"] == 1
    assert "Rewritten." not in json.dumps(deleted)


def test_the_coachee_comments_and_shares(world: World) -> None:
    pk = world.coaching["session"]
    client = world.client("principal")
    response = client.post(f"/coaching/sessions/{pk}/comments/", {"text": "I tried it on Monday."})
    assert response.status_code == 302
    page = client.get(f"/coaching/sessions/{pk}/").content.decode()
    assert "I tried it on Monday." in page
    assert "Share with my supervisor and evaluator" in page
    # Only the coachee sees the share button; the coach does not.
    coach_page = world.client("coach").get(f"/coaching/sessions/{pk}/").content.decode()
    assert "Share with my supervisor" not in coach_page
    assert client.post(f"/coaching/sessions/{pk}/share/", {"shared": "1"}).status_code == 302
    assert CoachingSession.objects.get(pk=pk).is_shared
    assert AuditEvent.objects.filter(action="coaching.session_share", object_id=str(pk)).exists()
    assert "Stop sharing" in client.get(f"/coaching/sessions/{pk}/").content.decode()
    # An empty comment is refused.
    before = row_counts()
    client.post(f"/coaching/sessions/{pk}/comments/", {"text": "   "})
    assert row_counts() == before


# -- Lists ----------------------------------------------------------------------------------------


def test_the_session_list_searches_filters_and_exports(world: World) -> None:
    client = world.client("coach")
    paula, cora = world.principal_person, world.colleague
    everything = client.get("/coaching/").content.decode()
    assert "Paula Prince" in everything and "Cora Colleague" in everything
    only_cora = client.get(f"/coaching/?coachee={cora.pk}").content.decode()
    assert "Feb 3, 2026" in only_cora
    assert f'href="/coaching/people/{paula.pk}/"' not in only_cora
    virtual = client.get("/coaching/?mode=virtual").content.decode()
    assert f'href="/coaching/people/{cora.pk}/"' in virtual
    assert f'href="/coaching/people/{paula.pk}/"' not in virtual
    january = client.get("/coaching/?from=2026-01-01&to=2026-01-31").content.decode()
    assert f'href="/coaching/people/{paula.pk}/"' in january
    assert f'href="/coaching/people/{cora.pk}/"' not in january
    by_protocol = client.get("/coaching/?q=data+dive").content.decode()
    assert f'href="/coaching/people/{paula.pk}/"' in by_protocol
    assert f'href="/coaching/people/{cora.pk}/"' not in by_protocol
    export = text_of(client.get(f"/coaching/?format=csv&coachee={paula.pk}"))
    assert "Draft the data calendar" in export and "Cora" not in export
    assert client.get("/coaching/?mode=telepathy").status_code == 400
    assert client.get("/coaching/?from=yesterday").status_code == 400


def test_the_session_list_pages(world: World) -> None:
    coach = world.users["coach"].person
    for day in range(30):
        session_log(
            actor=None,
            coach=coach,
            coachee=world.colleague,
            held_on=datetime.date(2025, 9, 1) + datetime.timedelta(days=day),
            minutes=20,
            mode="virtual",
            notes="Talked it through.",
        )
    first = world.client("coach").get("/coaching/").content.decode()
    assert "32 sessions" in first and 'href="?page=2"' in first and "Page 1 of 2" in first
    second = world.client("coach").get("/coaching/?page=2").content.decode()
    assert "Page 2 of 2" in second


# -- Protocols ------------------------------------------------------------------------------------


def test_built_in_protocols_are_read_only_and_shared(world: World) -> None:
    builtin = Protocol.objects.get(pk=world.coaching["builtin"])
    for key in ("admin", "coaching_lead"):
        client = world.client(key)
        assert client.get(f"/coaching/protocols/{builtin.pk}/edit/").status_code == 403
        response = client.post(
            f"/coaching/protocols/{builtin.pk}/edit/", {"name": "Mine now", "steps": ""}
        )
        assert response.status_code == 403
    assert Protocol.objects.get(pk=builtin.pk).name == builtin.name
    # Every system reads the built-ins; each system only its own library.
    lakeside = world.client("admin_b").get("/coaching/protocols/").content.decode()
    assert builtin.name in lakeside and "Riverbend data dive" not in lakeside
    riverbend = world.client("coaching_lead").get("/coaching/protocols/").content.decode()
    assert builtin.name in riverbend and "Riverbend data dive" in riverbend
    assert f"/coaching/protocols/{builtin.pk}/edit/" not in riverbend
    assert f"/coaching/protocols/{world.coaching['protocol']}/edit/" in riverbend


def test_a_protocol_name_is_unique_in_its_system(world: World) -> None:
    response = world.client("coaching_lead").post(
        "/coaching/protocols/new/",
        {"system": world.system.pk, "name": "riverbend DATA dive", "steps": "x"},
    )
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    assert "already has a protocol called" in response.content.decode()
    # Lakeside may use the same name in its own library.
    response = world.client("admin_b").post(
        "/coaching/protocols/new/",
        {"system": world.other_system.pk, "name": "Riverbend data dive", "steps": "x"},
    )
    assert response.status_code == 302
    assert Protocol.objects.filter(name="Riverbend data dive").count() == 2
    # Lakeside's protocol is not offered for a Riverbend session.
    page = world.client("coach").get(f"/coaching/new/?coachee={world.colleague.pk}")
    assert page.content.decode().count("Riverbend data dive") == 1


# -- The caseload panels --------------------------------------------------------------------------


def rate_paula(world: World, position: int, on: datetime.date) -> None:
    item = focus_item(world)
    level = PerformanceLevel.objects.get(
        version_id=item.version_id,  # type: ignore[attr-defined]
        position=position,
    )
    ratings_record(
        actor=fresh(world, "coach"),
        subject=world.principal_person,
        version=level.version,
        purpose="progress",
        rated_on=on,
        entries=[(item, level, "")],
    )


def test_the_coachs_home_shows_the_caseload(world: World) -> None:
    rate_paula(world, 2, datetime.date(2026, 1, 5))
    rate_paula(world, 3, datetime.date(2026, 2, 2))
    level = PerformanceLevel.objects.get(
        version_id=focus_item(world).version_id,  # type: ignore[attr-defined]
        position=3,
    )
    with time_machine.travel(datetime.date(2026, 2, 10), tick=False):
        page = world.client("coach").get("/").content.decode()
        panel = page.split('id="caseload-coaching-h"', 1)[1].split("</section>")[0]
        rows = {row.person.family_name: row for row in caseload_rows(fresh(world, "coach"))}
    assert set(rows) == {"Prince", "Colleague"}
    paula, cora = rows["Prince"], rows["Colleague"]
    assert paula.last_session == datetime.date(2026, 1, 12)
    assert paula.open_steps == 1
    assert paula.not_seen and paula.weeks_since == 4  # 29 days: over the default 3 weeks
    assert cora.last_session == datetime.date(2026, 2, 3) and not cora.not_seen
    assert cora.open_steps == 0
    ((_item, rating),) = paula.focus
    assert rating.level == level  # the newest of the two ratings
    assert f"{level.name} (" in panel and "not seen in 4 weeks" in panel
    # The system sets N: at 5 weeks Paula counts as seen.
    world.client("coaching_lead").post(
        "/coaching/settings/", {"system": world.system.pk, "unseen_weeks": 5}
    )
    with time_machine.travel(datetime.date(2026, 2, 10), tick=False):
        rows = {row.person.family_name: row for row in caseload_rows(fresh(world, "coach"))}
        page = world.client("coach").get("/").content.decode()
    assert "not seen in 4 weeks" not in page
    assert not rows["Prince"].not_seen


def test_the_supervisors_home_shows_their_caseload_only(world: World) -> None:
    page = world.client("supervisor").get("/").content.decode()
    panel = page.split('id="caseload-coaching-h"', 1)[1].split("</section>")[0]
    assert "Paula Prince" in panel and "Cora" not in panel
    assert "Supervisor" in panel  # as whom
    # No caseload, no panel; the coachee sees her own coaching instead.
    assert 'id="caseload-coaching-h"' not in world.client("coach_other").get("/").content.decode()
    own = world.client("principal").get("/").content.decode()
    assert 'id="my-coaching-h"' in own and "1 open next step" in own


def test_after_the_assignment_ends_the_coach_keeps_their_sessions_but_logs_no_more(
    world: World,
) -> None:
    from trellis.assignments.models import Assignment
    from trellis.assignments.services import assignment_end

    cora = world.colleague
    assignment = Assignment.objects.get(assignee=cora, kind="coaching")
    assignment_end(actor=None, assignment=assignment)
    client = world.client("coach")
    page = client.get(f"/coaching/sessions/{world.coaching['cora_session']}/")
    assert page.status_code == 200 and "Cora wants to try" in page.content.decode()
    assert client.get(f"/coaching/people/{cora.pk}/").status_code == 200
    assert f"?coachee={cora.pk}" not in client.get("/coaching/new/").content.decode()
    before = row_counts()
    assert log(world, "coach", cora.pk).status_code == 404  # no longer theirs to see
    assert row_counts() == before


def test_editing_keeps_a_protocol_retired_since(world: World) -> None:
    pk = world.coaching["session"]
    response = world.client("coaching_lead").post(
        f"/coaching/protocols/{world.coaching['protocol']}/edit/",
        {"name": "Riverbend data dive", "steps": "Look"},  # "In use" unticked: retired
    )
    assert response.status_code == 302
    assert not Protocol.objects.get(pk=world.coaching["protocol"]).is_active
    # No longer offered for a new session...
    page = world.client("coach").get(f"/coaching/new/?coachee={world.colleague.pk}")
    assert "Riverbend data dive" not in page.content.decode()
    response = log(world, "coach", world.colleague.pk, protocol=world.coaching["protocol"])
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    # ...but the session that followed it keeps it when edited.
    response = world.client("coach").post(
        f"/coaching/sessions/{pk}/edit/",
        {
            "held_on": "2026-01-12",
            "minutes": 70,
            "mode": "in_person",
            "protocol": world.coaching["protocol"],
            "focus": [focus_item(world).pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    session = CoachingSession.objects.get(pk=pk)
    assert session.minutes == 70 and session.protocol_id == world.coaching["protocol"]


def test_a_protocol_may_not_take_a_built_in_name_nor_differ_only_in_spacing(world: World) -> None:
    """The library shows the built-ins beside the system's own: a name one of them has is
    refused, whatever the case and spacing, on the form and by the service."""
    from django.core.exceptions import ValidationError

    from trellis.coaching.services import protocol_create

    builtin = Protocol.objects.filter(system__isnull=True).order_by("pk").first()
    assert builtin is not None
    client = world.client("coaching_lead")
    before = Protocol.objects.count()
    shouted = "  " + "  ".join(builtin.name.upper().split()) + " "
    response = client.post(
        "/coaching/protocols/new/", {"system": world.system.pk, "name": shouted, "steps": "x"}
    )
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    text = response.content.decode()
    assert "already has a built-in protocol called" in text
    spaced = "Riverbend   data  DIVE"
    response = client.post(
        "/coaching/protocols/new/", {"system": world.system.pk, "name": spaced, "steps": "x"}
    )
    assert "already has a protocol called" in response.content.decode()
    assert Protocol.objects.count() == before
    with pytest.raises(ValidationError):
        protocol_create(actor=world.users["coaching_lead"], system=world.system, name=shouted)
    made = protocol_create(
        actor=world.users["coaching_lead"], system=world.system, name="  Fresh   eyes "
    )
    assert made.name == "Fresh eyes"


def test_a_next_step_is_not_due_before_its_session(world: World) -> None:
    """A due date before the session's date is refused with a clear message: on the form (by
    the field), through the API, and by the service; nothing is written."""
    paula = world.principal_person
    before = row_counts()
    response = log(
        world,
        "coach",
        paula.pk,
        held_on="2026-03-02",
        step_1_text="Share the data protocol",
        step_1_owner="coachee",
        step_1_due="2026-02-20",
    )
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    assert (
        "Next step 1 is due on Feb 20, 2026, before the session&#x27;s date (Mar 2, 2026)"
        in response.content.decode()
    )
    response = world.client("coach").post(
        "/api/v1/coaching/sessions",
        {
            "coachee_id": paula.pk,
            "held_on": "2026-03-02",
            "minutes": 30,
            "mode": "virtual",
            "notes": "Talked it through.",
            "next_steps": [
                {"text": "Share the protocol", "owner_id": paula.pk, "due_on": "2026-03-01"}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "due on or after the session's date, Mar 2, 2026" in response.json()["detail"]
    assert row_counts() == before
    with pytest.raises(ValidationError, match="Mar 1, 2026 is before it"):
        session_log(
            actor=fresh(world, "coach"),
            coachee=paula,
            held_on=datetime.date(2026, 3, 2),
            minutes=30,
            mode="virtual",
            notes="Talked it through.",
            next_steps=[NextStepIn(text="Share", owner=paula, due_on=datetime.date(2026, 3, 1))],
        )
    assert row_counts() == before
    # On the session's own day it is fine.
    ok = log(
        world,
        "coach",
        paula.pk,
        step_1_text="Share the data protocol",
        step_1_owner="coachee",
        step_1_due="2026-03-02",
    )
    assert ok.status_code == 302
