"""Scopes from grants: dates, nodes and the 404/403 split."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.conftest import World, make_user
from trellis.authz.policies import authorize, forget_grants, scope_for
from trellis.authz.roles import Action, Role
from trellis.authz.services import grant_create
from trellis.people.selectors import visible_people


def test_network_grant_reaches_the_networks_schools_only(world: World) -> None:
    user = world.users["supervisor"]
    authorize(user, Action.SCHOOLS_VIEW, world.school)
    with pytest.raises(Http404):
        authorize(user, Action.SCHOOLS_VIEW, world.other_school)
    assert set(visible_people(user)) == {
        world.principal_person,
        world.teacher_person,
        world.colleague,
        user.person,  # their own record
    }


def test_in_scope_but_not_allowed_is_403_outside_is_404(world: World) -> None:
    with pytest.raises(PermissionDenied):
        authorize(world.users["leader"], Action.PEOPLE_MANAGE, world.colleague)
    with pytest.raises(Http404):
        authorize(world.users["leader"], Action.PEOPLE_VIEW, world.foreign_person)
    # People are "in scope" only for whoever may view them: an analyst's system grant does not
    # tell them which person ids exist.
    with pytest.raises(Http404):
        authorize(world.users["analyst"], Action.PEOPLE_VIEW, world.colleague)
    with pytest.raises(PermissionDenied):
        authorize(world.users["analyst"], Action.SCHOOLS_MANAGE, world.school)


def test_grants_count_only_between_their_dates(world: World) -> None:
    user = make_user(world.system, "later@riverbend.test", None)
    grant_create(
        actor=None,
        user=user,
        role=Role.DISTRICT_LEADER,
        system=world.system,
        starts_on=datetime.date(2099, 1, 1),
    )
    forget_grants(user)
    assert scope_for(user, Action.SCHOOLS_VIEW).is_empty
    grant_create(
        actor=None,
        user=user,
        role=Role.DISTRICT_LEADER,
        system=world.system,
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2020, 1, 1),
    )
    forget_grants(user)
    assert scope_for(user, Action.SCHOOLS_VIEW).is_empty
    with pytest.raises(Http404):
        authorize(user, Action.SCHOOLS_VIEW, world.school)


def test_inactive_accounts_have_no_scope(world: World) -> None:
    user = world.users["leader"]
    user.is_active = False
    assert scope_for(user, Action.SCHOOLS_VIEW).is_empty


def test_grant_service_refuses_another_systems_admin(world: World) -> None:
    with pytest.raises(Http404):
        grant_create(
            actor=world.users["admin_b"],
            user=world.users["nobody"],
            role=Role.DISTRICT_LEADER,
            system=world.system,
        )
    with pytest.raises(PermissionDenied):
        grant_create(
            actor=world.users["leader"],
            user=world.users["nobody"],
            role=Role.DISTRICT_LEADER,
            system=world.system,
        )
