"""The last defects of issue 10 found by the browser walk (docs/decisions.md, branch coach2):
framework order, look-fors from the framework of classroom practice, whose
instructional-leadership time a principal reads, the session form for a coach who also
evaluates, the caseload refusal in words, the dosage page's wording, export links, dates."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import START, World
from trellis.coaching.services import SessionIn, sessions_bulk_create, visit_log
from trellis.core.models import AuditEvent
from trellis.frameworks.models import Framework, FrameworkItem
from trellis.people.services import person_create, position_add

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text(response))))


def template_items(world: World, *codes: str) -> list[FrameworkItem]:
    """Items of the built-in leadership template (domains 1, 2, 3…) by code, in the order given."""
    found = {
        i.human_coding_scheme: i
        for i in FrameworkItem.objects.filter(
            version__framework_id=world.template_id, human_coding_scheme__in=codes
        )
    }
    return [found[c] for c in codes]


# -- Framework order -------------------------------------------------------------------------


def test_framework_order_is_domain_then_competency(world: World) -> None:
    from trellis.frameworks.selectors import framework_order, framework_order_key

    items = template_items(world, "2.1", "1.2", "1.1", "2.3")
    ordered = FrameworkItem.objects.filter(pk__in=[i.pk for i in items]).order_by(
        *framework_order()
    )
    assert [i.human_coding_scheme for i in ordered] == ["1.1", "1.2", "2.1", "2.3"]
    loaded = FrameworkItem.objects.filter(pk__in=[i.pk for i in items]).select_related(
        "parent__parent"
    )
    assert [i.human_coding_scheme for i in sorted(loaded, key=framework_order_key)] == [
        "1.1",
        "1.2",
        "2.1",
        "2.3",
    ]


def test_a_sessions_focus_is_listed_in_framework_order(world: World) -> None:
    coach = world.users["coach"].person
    items = template_items(world, "2.1", "1.2", "1.1")
    sessions_bulk_create(
        actor=None,
        system=world.system,
        sessions=[
            SessionIn(
                coach=coach,
                coachee=world.principal_person,
                assignment=None,
                held_on=datetime.date(2026, 2, 9),
                minutes=40,
                mode="virtual",
                protocol=None,
                focus=items,
                notes="",
                next_steps=[],
            )
        ],
    )
    from trellis.coaching.models import CoachingSession

    session = CoachingSession.objects.get(held_on=datetime.date(2026, 2, 9))
    page = text(world.client("coach").get(f"/coaching/sessions/{session.pk}/"))
    statements = [
        i.abbreviated_statement or i.full_statement
        for i in template_items(world, "1.1", "1.2", "2.1")
    ]
    where = [page.index(s[:40]) for s in statements]
    assert where == sorted(where), where
    exported = text(world.client("coach").get("/coaching/?format=csv"))
    row = next(line for line in exported.splitlines() if "2026-02-09" in line)
    assert row.index("1.1 ") < row.index("1.2 ") < row.index("2.1 ")


def test_a_goals_competencies_are_listed_in_framework_order(world: World) -> None:
    """The world's framework has one domain; its competencies are re-sequenced here so that
    the order they were created in (1.B, then 1.A) is not the framework's (1.A, then 1.B)."""
    from tests.evaluations.world import evaluation_of, self_assessed
    from trellis.evaluations.services import goals_save

    self_assessed(world)
    e = evaluation_of(world)
    items = list(
        FrameworkItem.objects.filter(
            version=e.cycle.version, human_coding_scheme__in=["1.A", "1.B"]
        ).order_by("pk")
    )
    assert [i.human_coding_scheme for i in items] == ["1.B", "1.A"]
    FrameworkItem.objects.filter(pk=items[1].pk).update(position=0)  # 1.A first
    FrameworkItem.objects.filter(pk=items[0].pk).update(position=5)  # 1.B second
    goals_save(actor=world.users["principal"], evaluation=e, goals=[("Both", items)])
    page = text(world.client("principal").get(f"/evaluations/{e.pk}/"))
    assert "(1.A; 1.B)" in page


# -- Look-fors ---------------------------------------------------------------------------------


def _teacher_template() -> Framework:
    return Framework.objects.get(system__isnull=True, kind="teacher_leadership")


def _statement(framework: Framework) -> str:
    """The statement of the framework's first competency with a rubric (in tree order)."""
    from trellis.frameworks.selectors import rubric_grid

    version = framework.versions.filter(status="published").order_by("-number").first()
    assert version is not None
    _levels, rows = rubric_grid(version)
    item = next((row["item"] for row in rows if row["has_descriptors"]), None)
    assert item is not None
    return (item.abbreviated_statement or item.full_statement)[:40]


def test_look_fors_default_to_a_standard_and_the_principal_may_choose(world: World) -> None:
    from tests.coaching.test_walk_coach5 import standards

    own = standards(world).framework  # a standard of classroom practice, the system's own
    teacher_template = _teacher_template()
    url = f"/coaching/visits/new/?teacher={world.teacher_person.pk}"
    page = text(world.client("principal").get(url))
    assert 'name="framework"' in page  # no designated framework: the principal chooses
    assert _statement(own) in page
    assert _statement(teacher_template) not in page  # one framework's look-fors at a time
    version = teacher_template.versions.filter(status="published").order_by("-number").first()
    chosen = text(world.client("principal").get(f"{url}&framework={version.pk}"))
    assert _statement(teacher_template) in chosen and _statement(own) not in chosen


def test_look_fors_come_from_the_designated_framework(world: World) -> None:
    from trellis.coaching.services import classroom_framework_set

    teacher_template = _teacher_template()
    admin = world.client("admin")
    setup = admin.post(
        f"/coaching/support/?system={world.system.pk}",
        {"form": "classroom", "classroom_framework": teacher_template.pk},
    )
    assert setup.status_code == 302
    assert AuditEvent.objects.filter(action="coaching.classroom_framework").exists()
    url = f"/coaching/visits/new/?teacher={world.teacher_person.pk}"
    page = text(world.client("principal").get(url))
    assert "uses for classroom practice" in page and 'name="framework"' not in page
    assert _statement(teacher_template) in page
    assert _statement(Framework.objects.get(pk=world.framework_id)) not in page
    # A look-for of another framework is refused by the service (and so the API).
    other = (
        FrameworkItem.objects.filter(
            version__framework_id=world.framework_id, descriptors__isnull=False
        )
        .distinct()
        .first()
    )
    with pytest.raises(ValidationError, match="designates for classroom practice"):
        visit_log(
            actor=world.users["principal"],
            teacher=world.teacher_person,
            visited_at=timezone.now() - datetime.timedelta(hours=1),
            minutes=15,
            look_fors=[other],
        )
    # A framework that rates schools cannot be designated.
    conditions = Framework.objects.get(pk=world.conditions_id)
    with pytest.raises(ValidationError):
        classroom_framework_set(actor=None, system=world.system, framework=conditions)


# -- Instructional-leadership time ---------------------------------------------------------------


def test_a_principal_reads_only_their_own_leadership_time(world: World) -> None:
    alma = person_create(
        actor=None,
        system=world.system,
        given_name="Alma",
        family_name="Assistant",
        email="alma@example.org",
    )
    position_add(
        actor=None, person=alma, kind="assistant_principal", school=world.school, starts_on=START
    )
    url = "/coaching/leadership-time/?format=csv"
    paula = [r[0] for r in csv_rows(world.client("principal").get(url))[1:]]
    assert paula == ["Paula Prince"]
    api = world.client("principal").get("/api/v1/coaching/leadership-time").json()
    assert "Alma" not in str(api) and "Paula Prince" in str(api)
    admin = [r[0] for r in csv_rows(world.client("admin").get(url))[1:]]
    assert "Alma Assistant" in admin and "Paula Prince" in admin
    supervisor = [r[0] for r in csv_rows(world.client("supervisor").get(url))[1:]]
    assert supervisor == ["Paula Prince"]  # his caseload


# -- Sessions: the coach who also evaluates, the caseload refusal --------------------------------


def test_the_session_form_tells_a_supervisor_what_the_notes_are(world: World) -> None:
    url = f"/coaching/new/?coachee={world.principal_person.pk}"
    page = text(world.client("supervisor").get(url))
    assert "You lead this session and are also Paula Prince&#x27;s supervisor" in page
    # What it means for what they read: these notes, not the other sessions' unless shared.
    assert "you read the notes of their other coaching sessions only where" in page
    assert "these notes never reach Paula Prince&#x27;s evaluation" in page
    assert "are also" not in text(world.client("coach").get(url))


def test_a_session_off_the_caseload_is_refused_in_plain_words(world: World) -> None:
    url = f"/coaching/new/?coachee={world.colleague.pk}"
    refused = world.client("supervisor").get(url)
    assert refused.status_code == 403
    page = text(refused)
    assert "Cora Colleague is not on your caseload today" in page
    assert "Your roles do not allow" not in page
    api = world.client("supervisor").post(
        "/api/v1/coaching/sessions",
        {
            "coachee_id": world.colleague.pk,
            "held_on": "2026-01-05",
            "minutes": 30,
            "mode": "virtual",
            "notes": "x",
        },
        content_type="application/json",
    )
    assert api.status_code == 403
    assert "not on your caseload" in api.json()["detail"]


# -- Dosage wording, export links, dates -----------------------------------------------------------


def test_the_dosage_page_says_hours(world: World) -> None:
    page = text(world.client("admin").get("/coaching/dosage/"))
    assert '<th scope="col" class="text-end">Planned hours</th>' in page
    assert '<th scope="col" class="text-end">Delivered hours</th>' in page
    assert "planned hours per month" in page
    header = csv_rows(world.client("admin").get("/coaching/dosage/?format=csv"))[0]
    assert "Difference (hours)" in header and "Delivered, % of planned" in header
    setup = text(world.client("admin").get("/coaching/support/"))
    assert "Planned hours per month" in setup


def test_export_links_carry_a_proper_query_string(world: World) -> None:
    for who, url in (
        ("evaluator", "/evaluations/"),
        ("principal", "/coaching/leadership-time/"),
        ("admin", "/coaching/dosage/"),
        ("coach", "/coaching/"),
    ):
        page = text(world.client(who).get(url))
        assert 'href="?format=csv"' in page, url
        assert "?&amp;" not in page and '?&"' not in page, url
    searched = text(world.client("evaluator").get("/evaluations/?q=Paula"))
    assert 'href="?q=Paula&amp;format=csv"' in searched


def test_dates_read_month_day_year(world: World) -> None:
    session = world.coaching["session"]
    page = text(world.client("coach").get(f"/coaching/sessions/{session}/"))
    assert "Jan 12, 2026" in page and "2026-01-12" not in page.split('id="main"')[1]
    evaluation = world.coaching["evaluation"]
    page = text(world.client("evaluator").get(f"/evaluations/{evaluation}/"))
    from tests.evaluations.world import cycle_dates

    due = cycle_dates(timezone.localdate())["midyear_due"]
    assert f"{due:%b} {due.day}, {due.year}" in page
    assert due.isoformat() not in page


def test_the_sessions_page_says_what_it_is_for(world: World) -> None:
    page = text(world.client("coach").get("/coaching/"))
    assert "This is where coaching is recorded" in page
    assert "log the session</a>" in page and "carry over to the next session" in page
    # Someone who follows sessions without a caseload is not asked to log one.
    admin = text(world.client("admin").get("/coaching/"))
    assert "This is where coaching is recorded" in admin and "log the session</a>" not in admin
