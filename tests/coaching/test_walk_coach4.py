"""Defects of issue 10 found by the Chromium walk of integ (branch coach4): focus competencies
from the coachee's framework only (never the classroom look-fors), the progress chart's time
axis, JSON 405s in the API, next-step rows without text, the built-in protocol clash message,
the coaching lead's menu, who marks a next step done, audit labels, who opens the session form,
the dosage chart's labels."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest

from tests.coaching.world import focus_item
from tests.conftest import World
from trellis.coaching import selectors
from trellis.coaching.services import SessionIn, classroom_framework_set, sessions_bulk_create
from trellis.frameworks.models import Framework, PerformanceLevel
from trellis.ratings.services import ratings_record

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def rate(world: World, person: Any, day: datetime.date, position: int, item: Any = None) -> None:
    item = item or focus_item(world)
    level = PerformanceLevel.objects.get(version_id=item.version_id, position=position)
    ratings_record(
        actor=None,
        subject=person,
        version=item.version,
        purpose="progress",
        rated_on=day,
        entries=[(item, level, "")],
    )


def sessions(world: World, person: Any, days: list[datetime.date], focus: list[Any]) -> None:
    sessions_bulk_create(
        actor=None,
        system=world.system,
        sessions=[
            SessionIn(
                coach=world.users["coach"].person,
                coachee=person,
                assignment=None,
                held_on=day,
                minutes=30,
                mode="virtual",
                protocol=None,
                focus=focus,
                notes="",
                next_steps=[],
            )
            for day in days
        ],
    )


# -- 1. Focus competencies: the coachee's framework, not the classroom look-fors -----------------


def test_focus_competencies_leave_out_the_classroom_look_fors(world: World) -> None:
    paula = world.principal_person
    look_for = focus_item(world)  # the system's own standard: designated for visits below
    url = f"/coaching/new/?coachee={paula.pk}"
    response = world.client("coach").get(url)
    # Two frameworks offered: each under its own title, not one list of codes.
    assert text(response).count("<optgroup") >= 2
    assert look_for in response.context["form"].fields["focus"].queryset
    sessions(world, paula, [datetime.date(2026, 2, 2)], [look_for])
    rate(world, paula, datetime.date(2026, 2, 3), 2)
    classroom_framework_set(
        actor=None, system=world.system, framework=Framework.objects.get(pk=world.framework_id)
    )
    after = world.client("coach").get(url).context["form"].fields["focus"].queryset
    assert after.exists() and look_for not in after
    offered = selectors.focus_choices(world.users["coach"], paula)
    assert offered and all(i.version.framework_id == world.template_id for i in offered)
    # Progress monitoring follows the same rule: the look-for is no focus competency.
    row = selectors.progress_rows([paula])[0]
    assert look_for.case_identifier not in {s.identifier for s in row.series}
    page = text(world.client("coach").get(f"/coaching/people/{paula.pk}/progress/"))
    assert (look_for.abbreviated_statement or look_for.full_statement)[:30] not in page


# -- 2. The progress chart: a time scale, labels that cannot collide ----------------------------


def _chart(world: World, person: Any) -> tuple[list[float], list[tuple[float, str, str]]]:
    import re

    page = text(world.client("coach").get(f"/coaching/people/{person.pk}/progress/"))
    svg = page[page.index("<svg") : page.index("</svg>")]
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    labels = [
        (float(x), anchor, label)
        for x, anchor, label in re.findall(
            r'<text class="time-label" x="([\d.]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]+)</text>',
            svg,
        )
    ]
    return xs, labels


def _boxes(labels: list[tuple[float, str, str]]) -> list[tuple[float, float]]:
    # Wider than DejaVu Sans's 12px glyphs (about 6.6px a character): an honest upper bound.
    boxes = []
    for x, anchor, label in labels:
        w = len(label) * 7.0
        start = x if anchor == "start" else (x - w if anchor == "end" else x - w / 2)
        boxes.append((start, start + w))
    return sorted(boxes)


def test_the_progress_chart_places_ratings_by_date(world: World) -> None:
    paula = world.principal_person
    days = [datetime.date(2026, 1, 5), datetime.date(2026, 1, 12), datetime.date(2026, 7, 5)]
    for n, day in enumerate(days):
        rate(world, paula, day, 2 + n % 2)
    xs, labels = _chart(world, paula)
    assert len(xs) == 3
    # Position follows the date: a week apart is close, six months is the rest of the axis.
    assert (xs[1] - xs[0]) < (xs[2] - xs[0]) / 10
    assert abs((xs[1] - xs[0]) / (xs[2] - xs[0]) - 7 / 181) < 0.01
    # The first and last days at the ends, anchored at their start and end.
    assert labels[0][1:] == ("start", "Jan 5, 2026") and labels[0][0] == xs[0]
    assert labels[-1][1:] == ("end", "Jul 5, 2026") and labels[-1][0] == xs[-1]


def test_the_progress_chart_labels_never_overlap(world: World) -> None:
    paula = world.principal_person
    # Six monthly ratings ending Oct 31 and Nov 30 (the walk's "Oct 31, 2026Nov 30, 2026"),
    # then a long series over three years.
    days = [datetime.date(2026, m, 28) for m in range(5, 10)] + [
        datetime.date(2026, 10, 31),
        datetime.date(2026, 11, 30),
    ]
    for n, day in enumerate(days):
        rate(world, paula, day, 1 + n % 3)
    _xs, labels = _chart(world, paula)
    boxes = _boxes(labels)
    assert len(labels) >= 3
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes)), labels
    assert all(a >= 0 and b <= 420 for a, b in boxes), labels
    for n, year in enumerate((2023, 2024, 2025)):
        rate(world, paula, datetime.date(year, 3 + n, 2), 2)
    _xs, labels = _chart(world, paula)
    boxes = _boxes(labels)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes)), labels
    assert len(labels) >= 3 and labels[1][2].startswith("Jan ")  # a year tick between


# -- 3. A 405 under /api/ is JSON ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("delete", "/api/v1/coaching/sessions/{session}", "GET"),
        ("put", "/api/v1/evaluations/1", "GET"),
        ("post", "/api/v1/coaching/dosage", "GET"),
    ],
)
def test_api_405s_are_json(world: World, method: str, url: str, allowed: str) -> None:
    from trellis.accounts.services import api_token_create

    _token, secret = api_token_create(actor=world.users["coach"], name="walk")
    url = url.format(session=world.coaching["session"])
    response = getattr(world.client(None), method)(
        url, headers={"authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert allowed in response["Allow"]
    assert response.json() == {
        "detail": f"Method {method.upper()} is not allowed here: use {allowed}."
    }
    # A page's 405 stays what it was (not JSON).
    page = world.client("coach").delete("/coaching/new/")
    assert not page.get("Content-Type", "").startswith("application/json")


# -- 4. A next step row with a due date or an owner but no text -----------------------------------


def test_a_next_step_row_without_text_is_an_error_not_dropped(world: World) -> None:
    from trellis.coaching.models import CoachingSession

    paula = world.principal_person
    url = f"/coaching/new/?coachee={paula.pk}"
    base = {"held_on": "2026-03-02", "minutes": 40, "mode": "in_person", "notes": "Talked."}
    response = world.client("coach").post(url, {**base, "step_2_due": "2026-03-20"})
    # The form again with its errors is a 400 (eval7; it was 200), as on the evaluations pages.
    assert response.status_code == 400
    assert "Next step 2 has a due date but no text" in text(response)
    response = world.client("coach").post(url, {**base, "step_1_owner": "coach"})
    assert "Next step 1 has an owner but no text" in text(response)
    assert not CoachingSession.objects.filter(held_on=datetime.date(2026, 3, 2)).exists()
    # An untouched row (the default owner, no date) is no step and no error.
    response = world.client("coach").post(url, {**base, "step_1_owner": "coachee"})
    assert response.status_code == 302


# -- 5. A clash with a built-in protocol does not advise editing it -------------------------------


def test_a_built_in_name_clash_does_not_advise_editing_it(world: World) -> None:
    from django.core.exceptions import ValidationError

    from trellis.coaching.models import Protocol
    from trellis.coaching.services import protocol_create

    builtin = Protocol.objects.filter(system__isnull=True).order_by("pk").first()
    assert builtin is not None
    lead = world.users["coaching_lead"]
    with pytest.raises(ValidationError) as refused:
        protocol_create(actor=lead, system=world.system, name=builtin.name.upper())
    message = " ".join(refused.value.message_dict["name"])
    assert "built-in protocol" in message and message.endswith("choose another name.")
    assert "edit that protocol" not in message
    with pytest.raises(ValidationError) as refused:
        protocol_create(actor=lead, system=world.system, name="riverbend data dive")
    assert "or edit that protocol" in " ".join(refused.value.message_dict["name"])


# -- 6. The coaching lead's menu -----------------------------------------------------------------


def test_the_coaching_lead_reaches_coaching_from_the_menu(world: World) -> None:
    client = world.client("coaching_lead")
    nav = {i["label"]: i["url"] for i in client.get("/").context["nav_items"]}
    assert nav.get("Coaching") == "/coaching/"
    page = text(client.get("/coaching/"))
    for url in (
        "/coaching/protocols/",
        "/coaching/settings/",
        "/coaching/dosage/",
        "/coaching/support/schools/",
        "/coaching/support/",
    ):
        assert f'href="{url}"' in page, url
        assert client.get(url).status_code == 200, url
    # As for a supervisor (their caseload's sessions), without the set-up they do not hold.
    supervisor = world.client("supervisor")
    nav = {i["label"] for i in supervisor.get("/").context["nav_items"]}
    assert "Coaching" in nav
    assert 'href="/coaching/settings/"' not in text(supervisor.get("/coaching/"))
    # A teacher or an analyst has no coaching menu.
    for key in ("teacher", "analyst"):
        assert "Coaching" not in {
            i["label"] for i in world.client(key).get("/").context["nav_items"]
        }


# -- 7. Who marks a next step done ---------------------------------------------------------------


def test_a_next_step_is_marked_done_by_its_owner_or_the_coach(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    from trellis.accounts.models import User
    from trellis.coaching.models import NextStep
    from trellis.coaching.services import NextStepIn, next_step_done, session_log

    coach, paula = world.users["coach"].person, world.principal_person
    session = session_log(
        actor=User.objects.get(pk=world.users["coach"].pk),
        coachee=paula,
        held_on=datetime.date(2026, 3, 3),
        minutes=30,
        mode="virtual",
        notes="Walked the halls.",
        next_steps=[
            NextStepIn(text="Send the coach's write-up", owner=coach),
            NextStepIn(text="Paula models a routine", owner=paula),
        ],
    )
    coachs, paulas = (session.next_steps.get(owner=coach), session.next_steps.get(owner=paula))
    page = text(world.client("principal").get(f"/coaching/sessions/{session.pk}/"))
    assert f": {paulas.text}</span>" in page  # her own step: a button
    assert f": {coachs.text}</span>" not in page  # the coach's step: none
    # The coachee may not mark the coach's step: a 403 that says why, nothing written.
    response = world.client("principal").post(
        f"/coaching/next-steps/{coachs.pk}/done/", {"done": "1"}
    )
    assert response.status_code == 403
    assert "marked done by its owner" in text(response)
    assert NextStep.objects.get(pk=coachs.pk).done_on is None
    with pytest.raises(PermissionDenied, match="who keeps the record"):
        next_step_done(actor=world.users["principal"], step=coachs, done=True)
    # Her own step, she marks; the coach marks either (he keeps the record).
    assert (
        world.client("principal")
        .post(f"/coaching/next-steps/{paulas.pk}/done/", {"done": "1"})
        .status_code
        == 302
    )
    assert (
        world.client("coach")
        .post(f"/coaching/next-steps/{coachs.pk}/done/", {"done": "1"})
        .status_code
        == 302
    )
    assert NextStep.objects.filter(session=session, done_on__isnull=True).count() == 0
    coach_page = text(world.client("coach").get(f"/coaching/sessions/{session.pk}/"))
    assert coach_page.count("Reopen<span") == 2


# -- 8. Audit labels, who opens the session form --------------------------------------------------


def test_audit_labels_name_the_evaluatee_once_and_the_focus_by_code(world: World) -> None:
    from tests.evaluations.world import self_assessed
    from trellis.accounts.models import User
    from trellis.coaching.services import session_log
    from trellis.core.audit import describe
    from trellis.core.models import AuditEvent

    self_assessed(world)
    submitted = AuditEvent.objects.filter(action="round.submit").latest("pk")
    name = world.principal_person.full_name
    assert submitted.object_repr.endswith(f": {name}")
    assert f"{name}: {name}" not in submitted.object_repr
    item = focus_item(world)
    session = session_log(
        actor=User.objects.get(pk=world.users["coach"].pk),
        coachee=world.principal_person,
        held_on=datetime.date(2026, 3, 3),
        minutes=30,
        mode="virtual",
        focus=[item],
    )
    event = AuditEvent.objects.filter(
        action="coaching.session_log", object_id=str(session.pk)
    ).get()
    focus = next(c for c in describe([event])[0].changes if c.label == "Focus")
    assert focus.after == item.human_coding_scheme and item.human_coding_scheme
    page = text(world.client("admin").get("/audit/?action=coaching.session_log"))
    assert f"Focus {item.pk}" not in page


@pytest.mark.parametrize("key", ["teacher", "analyst", "leader"])
def test_the_session_form_is_refused_to_roles_that_log_no_sessions(world: World, key: str) -> None:
    response = world.client(key).get("/coaching/new/")
    assert response.status_code == 403
    if world.users[key].person_id:  # the others are refused by the page's permission already
        assert "your roles do not log coaching sessions" in text(response)
    # Coaches and supervisors open it, a coach with nobody on their caseload too.
    for allowed in ("coach", "supervisor", "coach_other"):
        assert world.client(allowed).get("/coaching/new/").status_code == 200
