"""Issue 8: relationship scopes. Coaches and supervisors see and rate only their assignees."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import START, World
from tests.matrix import rating_data, row_counts
from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.assignments.services import assignment_create, assignment_end
from trellis.authz.policies import authorize, forget_grants, has_grant_for, scope_for
from trellis.authz.registry import registered_labels, relationship_loaders
from trellis.authz.roles import Action, Relationship
from trellis.core.models import AuditEvent
from trellis.people.selectors import visible_people


def fresh(world: World, key: str) -> User:
    return User.objects.get(pk=world.users[key].pk)


def test_item_coach_rates_their_coachee_and_gets_404_for_anyone_else(world: World) -> None:
    coach = fresh(world, "coach")
    authorize(coach, Action.RATINGS_PROGRESS, world.colleague)
    authorize(coach, Action.PEOPLE_VIEW, world.colleague)
    for other in (world.teacher_person, world.far_person, world.foreign_person):
        with pytest.raises(Http404):
            authorize(coach, Action.RATINGS_PROGRESS, other)
        with pytest.raises(Http404):
            authorize(coach, Action.PEOPLE_VIEW, other)
    # A coach does not evaluate.
    with pytest.raises(PermissionDenied):
        authorize(coach, Action.RATINGS_EVALUATION, world.colleague)


def test_item_coach_pages_reach_coachees_only(world: World) -> None:
    client = world.client("coach")
    assert client.get(f"/people/{world.colleague.pk}/").status_code == 200
    assert client.get(f"/people/{world.colleague.pk}/ratings/").status_code == 200
    new = f"/people/{world.colleague.pk}/ratings/new/?framework={world.framework_id}"
    assert client.get(new).status_code == 200
    assert client.post(new, rating_data(world)).status_code == 302
    other = world.teacher_person.pk
    assert client.get(f"/people/{other}/").status_code == 404
    assert client.get(f"/people/{other}/ratings/").status_code == 404
    before = row_counts()
    url = f"/people/{other}/ratings/new/?framework={world.framework_id}"
    assert client.get(url).status_code == 404
    assert client.post(url, rating_data(world)).status_code == 404
    assert row_counts() == before
    # Their people list is their own record and their coachees.
    names = {p.family_name for p in client.get("/people/").context["object_list"]}
    assert names == {"Coach", "Colleague", "Prince"}
    nav = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "People" in nav and "Assignments" not in nav


def test_item_supervisor_rates_and_evaluates_their_caseload_only(world: World) -> None:
    supervisor = fresh(world, "supervisor")
    authorize(supervisor, Action.RATINGS_PROGRESS, world.principal_person)
    authorize(supervisor, Action.RATINGS_EVALUATION, world.principal_person)
    # In their network, not on their caseload: they see the person but may not rate them.
    authorize(supervisor, Action.PEOPLE_VIEW, world.colleague)
    with pytest.raises(PermissionDenied):
        authorize(supervisor, Action.RATINGS_PROGRESS, world.colleague)
    with pytest.raises(Http404):
        authorize(supervisor, Action.RATINGS_PROGRESS, world.far_person)
    client = world.client("supervisor")
    url = f"/people/{world.colleague.pk}/ratings/new/?framework={world.framework_id}"
    assert client.post(url, rating_data(world)).status_code == 403


def test_item_evaluator_reaches_evaluation_only(world: World) -> None:
    principal = fresh(world, "principal")
    with pytest.raises(PermissionDenied):
        authorize(principal, Action.RATINGS_EVALUATION, world.colleague)
    assignment_create(
        actor=None,
        kind=Relationship.EVALUATION,
        supporter=world.principal_person,
        assignee=world.colleague,
        starts_on=START,
    )
    forget_grants(principal)
    authorize(principal, Action.RATINGS_EVALUATION, world.colleague)
    with pytest.raises(PermissionDenied):
        authorize(principal, Action.COACHING_NOTES, world.colleague)


def test_item_relationships_count_only_between_their_dates(world: World) -> None:
    coach = fresh(world, "coach")
    today = timezone.localdate()
    assignment_create(
        actor=None,
        kind=Relationship.COACHING,
        supporter=coach.person,
        assignee=world.teacher_person,
        starts_on=today + datetime.timedelta(days=3),
    )
    assignment_create(
        actor=None,
        kind=Relationship.COACHING,
        supporter=coach.person,
        assignee=world.far_person,
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2022, 1, 1),
    )
    for later_or_ended in (world.teacher_person, world.far_person):
        with pytest.raises(Http404):
            authorize(coach, Action.RATINGS_PROGRESS, later_or_ended)
    current = Assignment.objects.get(assignee=world.colleague, kind=Relationship.COACHING)
    assignment_end(actor=world.users["admin"], assignment=current)
    coach = fresh(world, "coach")
    with pytest.raises(Http404):
        authorize(coach, Action.RATINGS_PROGRESS, world.colleague)
    event = AuditEvent.objects.filter(action="assignment.end").get()
    assert event.after is not None
    assert event.after["ends_on"] == (today - datetime.timedelta(days=1)).isoformat()


def test_relationships_are_loaded_once_per_request_and_people_q_is_one_query(
    world: World,
) -> None:
    coach = fresh(world, "coach")
    with CaptureQueriesContext(connection) as queries:
        for action in (Action.PEOPLE_VIEW, Action.RATINGS_PROGRESS, Action.COACHING_NOTES):
            scope_for(coach, action)
            has_grant_for(coach, action)
    # grants, then one query per app's relationship loader (assignments, selection)
    assert len(queries) == 1 + len(relationship_loaders())
    with CaptureQueriesContext(connection) as queries:
        people = list(visible_people(coach))
    assert len(queries) == 1
    assert {p.family_name for p in people} == {"Coach", "Colleague", "Prince"}


def test_assignment_service_checks_permission_and_input(world: World) -> None:
    with pytest.raises(Http404):
        assignment_create(
            actor=world.users["supervisor_far"],
            kind=Relationship.COACHING,
            supporter=world.users["coach"].person,
            assignee=world.teacher_person,
        )
    with pytest.raises(PermissionDenied):
        assignment_create(
            actor=world.users["leader"],
            kind=Relationship.COACHING,
            supporter=world.users["coach"].person,
            assignee=world.teacher_person,
        )
    with pytest.raises(ValidationError, match="already has a supervisor"):
        assignment_create(
            actor=world.users["admin"],
            kind=Relationship.SUPERVISION,
            supporter=world.users["coach"].person,
            assignee=world.principal_person,
        )
    with pytest.raises(ValidationError, match="same system"):
        assignment_create(
            actor=None,
            kind=Relationship.COACHING,
            supporter=world.foreign_person,
            assignee=world.teacher_person,
        )
    with pytest.raises(ValidationError, match="themselves"):
        assignment_create(
            actor=None,
            kind=Relationship.COACHING,
            supporter=world.teacher_person,
            assignee=world.teacher_person,
        )
    made = assignment_create(
        actor=world.users["supervisor"],
        kind=Relationship.MENTORING,
        supporter=world.users["supervisor"].person,
        assignee=world.teacher_person,
    )
    event = AuditEvent.objects.get(action="assignment.create", object_id=str(made.pk))
    assert event.actor_label == "supervisor@riverbend.test"


def test_assignment_pages_list_filter_export_and_caseloads(world: World) -> None:
    client = world.client("admin")
    listing = client.get("/assignments/?kind=coaching").content.decode()
    assert "Cami Coach" in listing and "Cora Colleague" in listing
    assert "Sam Supervisor" not in listing
    assert "Cora Colleague" not in client.get("/assignments/?q=prince").content.decode()
    export = b"".join(client.get("/assignments/?format=csv").streaming_content).decode()
    assert "Cami Coach" in export and "Sam Supervisor" in export
    assert client.get("/assignments/?format=xlsx").status_code == 200
    page = client.get("/assignments/caseloads/")
    loads = page.context["caseloads"]
    assert [(c.supporter.family_name, c.target, c.over_target) for c in loads] == [
        ("Supervisor", 5, False)
    ]
    assert page.context["unassigned"] == []
    # A second principal, unassigned, is listed; a target of 1 puts Sam over target.
    world.colleague.positions.update(kind="principal")
    client.post(
        "/assignments/targets/",
        {"system": world.system.pk, "kind": "supervision", "target": 1},
    )
    page = client.get("/assignments/caseloads/?kind=supervision")
    assert [p.family_name for p in page.context["unassigned"]] == ["Colleague"]
    assert page.context["caseloads"][0].over_target is False
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=world.users["supervisor"].person,
        assignee=world.colleague,
    )
    page = client.get("/assignments/caseloads/?over=1")
    assert page.context["caseloads"][0].over_target is True
    assert "Over target" in page.content.decode()
    csv = b"".join(client.get("/assignments/caseloads/?format=csv").streaming_content).decode()
    assert "Paula Prince; Cora Colleague" in csv or "Cora Colleague; Paula Prince" in csv


def test_assignment_form_names_the_bad_reference_and_saves_nothing(world: World) -> None:
    client = world.client("supervisor")
    before = row_counts()
    page = client.post(
        "/assignments/new/",
        {"kind": "coaching", "supporter": "nobody@nowhere.test", "assignee": "x-404"},
    )
    assert page.status_code == 200
    assert "No one you may assign has the reference" in page.content.decode()
    # Farid works in the other network: not assignable by this supervisor.
    page = client.post(
        "/assignments/new/",
        {
            "kind": "coaching",
            "supporter": "cami.coach@example.org",
            "assignee": world.far_person.email,
        },
    )
    assert "No one you may assign" in page.content.decode()
    assert row_counts() == before


def test_authz_imports_only_core() -> None:
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "trellis" / "authz"
    for path in (
        "policies.py",
        "registry.py",
        "roles.py",
        "models.py",
        "decorators.py",
        "services.py",
        "selectors.py",
        "middleware.py",
        "context_processors.py",
    ):
        tree = ast.parse((folder / path).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("trellis."):
                assert node.module.split(".")[1] in {"authz", "core"}, (path, node.module)


def test_every_authorized_model_has_a_registered_rule() -> None:
    assert {
        "orgs.System",
        "orgs.Network",
        "orgs.School",
        "orgs.Partner",
        "people.Person",
        "frameworks.Framework",
        "assignments.Assignment",
    } <= set(registered_labels())


def test_item_person_page_links_to_ratings_only_for_who_may_read_them(world: World) -> None:
    link = f"/people/{world.colleague.pk}/ratings/"
    assert link in world.client("coach").get(f"/people/{world.colleague.pk}/").content.decode()
    # The supervisor sees Cora (their network) but does not rate her: no link to a 403.
    page = world.client("supervisor").get(f"/people/{world.colleague.pk}/").content.decode()
    assert link not in page
    assert world.client("supervisor").get(link).status_code == 403
    own = f"/people/{world.colleague.pk}/"
    assert world.client("leader").get(own).status_code == 200
    assert link not in world.client("leader").get(own).content.decode()
