"""Issue 8: sensitive actions are granted explicitly, exactly as docs/data-model.md's table says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.conftest import World
from trellis.accounts.models import User
from trellis.authz.policies import OWN_RECORD_ACTIONS, allows, authorize, scope_for
from trellis.authz.roles import (
    POLICY,
    RELATIONSHIP_POLICY,
    SENSITIVE_ACTIONS,
    Action,
    Relationship,
    Role,
)
from trellis.people.models import Person
from trellis.selection.models import Application

DATA_MODEL = Path(__file__).resolve().parent.parent / "docs" / "data-model.md"


@dataclass(frozen=True)
class Row:
    roles: set[str]
    relationships: set[str]
    self: bool


def sensitivity_table() -> dict[str, Row]:
    """The rows of the "Sensitive actions" table: action → roles, relationships, self."""
    text = DATA_MODEL.read_text()
    section = text.split("### Sensitive actions", 1)[1]
    rows: dict[str, Row] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            if rows and not line.startswith("|"):
                break
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        action = re.findall(r"`([^`]+)`", cells[0])[0]
        rows[action] = Row(
            roles=set(re.findall(r"`([^`]+)`", cells[1])),
            relationships=set(re.findall(r"`([^`]+)`", cells[2])),
            self=cells[3].startswith("yes"),
        )
    return rows


def test_item_sensitive_actions_match_the_table() -> None:
    table = sensitivity_table()
    assert set(table) == set(SENSITIVE_ACTIONS)
    for action, row in table.items():
        roles = {role for role, actions in POLICY.items() if action in actions}
        relationships = {kind for kind, actions in RELATIONSHIP_POLICY.items() if action in actions}
        assert roles == row.roles, f"{action} reaches roles {roles}, the table says {row}"
        assert relationships == row.relationships, (
            f"{action} reaches relationships {relationships}, the table says {row}"
        )
        if action in OWN_RECORD_ACTIONS:
            assert row.self, f"{action} reaches everyone's own record; the table says no"
    # The table names only roles and relationships that exist.
    named_roles: set[str] = set()
    named_relationships: set[str] = set()
    for row in table.values():
        named_roles |= row.roles
        named_relationships |= row.relationships
    assert named_roles <= set(Role.values)
    assert named_relationships <= set(Relationship.values)


def test_item_administrators_do_not_get_actions_by_reflection() -> None:
    # A new action reaches no one until POLICY names it; the administrator's list is explicit.
    admin = POLICY[Role.SYSTEM_ADMIN]
    for action in (Action.COACHING_NOTES, Action.SURVEYS_RESPONSES, Action.SELECTION_DELIBERATIONS):
        assert action not in admin
    for role in (Role.DISTRICT_LEADER, Role.ANALYST):
        assert not POLICY[role] & SENSITIVE_ACTIONS


def holders(world: World, action: str) -> set[tuple[str, str]]:
    """Every (account, person) pair of the world for which `allows` is true."""
    people = list(Person.objects.all())
    found = set()
    for key, user in world.users.items():
        user = User.objects.get(pk=user.pk)  # a fresh object: nothing cached
        for person in people:
            if allows(user, action, person):
                found.add((key, person.family_name))
    return found


def test_item_sensitive_actions_reach_no_one_else_in_the_world(world: World) -> None:
    """End to end over every account and person of the test world."""
    assert holders(world, Action.COACHING_NOTES) == {("coach", "Prince"), ("coach", "Colleague")}
    assert holders(world, Action.SURVEYS_RESPONSES) == set()
    # Selection deliberations reach no person record: they reach the applications of the cohort
    # whose committee holds them (tests/selection/world.py), and only those.
    assert holders(world, Action.SELECTION_DELIBERATIONS) == set()
    applications = list(Application.objects.select_related("cycle__cohort__program"))
    assert applications
    deliberating = {
        key
        for key, user in world.users.items()
        for application in applications
        if allows(User.objects.get(pk=user.pk), Action.SELECTION_DELIBERATIONS, application)
    }
    assert deliberating == {"committee", "chair"}
    # Only the evaluator chain: administrators follow cycles' progress (evaluations.progress),
    # never the content (branch coach2).
    evaluation = holders(world, Action.RATINGS_EVALUATION)
    assert evaluation == (
        {("supervisor", "Prince")}  # the principal on their caseload
        | {("evaluator", "Prince")}  # her evaluator (tests/coaching/world.py)
    )
    # The notes of the sessions a coachee shares: her supervisor and evaluator, no one else.
    assert holders(world, Action.COACHING_SHARED) == {
        ("supervisor", "Prince"),
        ("evaluator", "Prince"),
    }


def test_item_superusers_hold_sensitive_actions_only_through_grants(world: World) -> None:
    operator = User.objects.create_superuser(email="root@riverbend.test", password="x" * 20)
    assert scope_for(operator, Action.SCHOOLS_VIEW).everything
    for action in (Action.COACHING_NOTES, Action.SURVEYS_RESPONSES, Action.RATINGS_EVALUATION):
        assert scope_for(operator, action).is_empty
        with pytest.raises(PermissionDenied):
            authorize(operator, action, world.colleague)


def test_item_an_administrator_cannot_read_coaching_notes(world: World) -> None:
    with pytest.raises(PermissionDenied):
        authorize(world.users["admin"], Action.COACHING_NOTES, world.colleague)
    with pytest.raises(PermissionDenied):
        authorize(world.users["leader"], Action.RATINGS_EVALUATION, world.colleague)
    with pytest.raises(Http404):
        authorize(world.users["analyst"], Action.RATINGS_EVALUATION, world.colleague)
    authorize(world.users["coach"], Action.COACHING_NOTES, world.colleague)
