"""Programs, cohorts and participants join authorization: grants on a program or a cohort, the
scope rules, and the admission service the selection cycle calls."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.conftest import World, make_user
from trellis.authz.policies import allows, authorize, scope_for
from trellis.authz.roles import Action, Role
from trellis.core.models import AuditEvent
from trellis.programs.models import Cohort, Participant, Program
from trellis.programs.services import (
    add_participant,
    cohort_create,
    participant_status_set,
    program_create,
)


def _program(world: World, name: str = "Future Leaders") -> Program:
    return program_create(
        actor=world.users["admin"],
        name=name,
        kind=Program.Kind.ASPIRING_PRINCIPAL,
        owner_system=world.system,
        systems=[world.system],
    )


def _cohort(world: World, program: Program, name: str = "Cohort 1") -> Cohort:
    return cohort_create(
        actor=None,
        program=program,
        name=name,
        school_year=2026,
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2027, 6, 30),
    )


def test_program_and_cohort_grants_reach_only_their_node(world: World) -> None:
    program = _program(world)
    other = _program(world, "Future Assistant Principals")
    cohort = _cohort(world, program)
    sibling = _cohort(world, program, "Cohort 2")
    on_program = make_user(
        world.system, "pm.one@riverbend.test", Role.PROGRAM_MANAGER, program=program
    )
    on_cohort = make_user(world.system, "pm.c@riverbend.test", Role.PROGRAM_MANAGER, cohort=cohort)

    assert allows(on_program, Action.PROGRAMS_MANAGE, program)
    assert allows(on_program, Action.PROGRAMS_MANAGE, sibling)
    with pytest.raises(Http404):
        authorize(on_program, Action.PROGRAMS_VIEW, other)
    assert allows(on_cohort, Action.PROGRAMS_VIEW, cohort)
    assert not allows(on_cohort, Action.PROGRAMS_VIEW, sibling)
    assert not allows(on_cohort, Action.PROGRAMS_VIEW, program)
    # The grants keep the program's owner system (its frameworks are reached) but do not
    # become system grants.
    scope = scope_for(on_cohort, Action.PROGRAMS_VIEW)
    assert scope.cohort_ids == {cohort.pk} and not scope.system_ids
    assert world.system.pk in scope.reached_system_ids
    assert set(Cohort.objects.filter(scope.q(Cohort))) == {cohort}
    # The system's program manager (system grant) reaches every program the system owns.
    assert {program, other} <= set(
        Program.objects.filter(scope_for(world.users["programs"]).q(Program))
    )


def test_add_participant_checks_permission_system_and_duplicates(world: World) -> None:
    program = _program(world)
    cohort = _cohort(world, program)
    manager = make_user(
        world.system, "pm.two@riverbend.test", Role.PROGRAM_MANAGER, program=program
    )
    other_manager = make_user(
        world.system,
        "pm.other@riverbend.test",
        Role.PROGRAM_MANAGER,
        program=_program(world, "Future Teacher Leaders"),
    )

    with pytest.raises(Http404):
        add_participant(actor=other_manager, cohort=cohort, person=world.teacher_person)
    with pytest.raises(PermissionDenied):
        # A district leader sees programs but does not run them.
        add_participant(actor=world.users["leader"], cohort=cohort, person=world.teacher_person)
    assert not Participant.objects.filter(cohort=cohort).exists()

    participant = add_participant(
        actor=manager, cohort=cohort, person=world.teacher_person, career_goal="Principal"
    )
    assert participant.status == Participant.Status.ACTIVE
    event = AuditEvent.objects.filter(action="participant.add").latest("pk")
    assert event.after is not None and event.after["person"] == world.teacher_person.pk

    with pytest.raises(ValidationError, match="already in Cohort 1"):
        add_participant(actor=manager, cohort=cohort, person=world.teacher_person)
    with pytest.raises(ValidationError, match="does not serve"):
        add_participant(actor=None, cohort=cohort, person=world.foreign_person)


def test_participant_scope_follows_cohort_relationships_and_self(world: World) -> None:
    program = _program(world)
    cohort = _cohort(world, program)
    participant = add_participant(actor=None, cohort=cohort, person=world.principal_person)
    # Paula's coach may sign off her experiences; Paula opens her own record; the teacher may
    # not open Paula's.
    assert allows(world.users["coach"], Action.PROGRAMS_SIGN_OFF, participant)
    assert allows(world.users["principal"], Action.PROGRAMS_OWN_RECORD, participant)
    assert not allows(world.users["teacher"], Action.PROGRAMS_OWN_RECORD, participant)
    assert not allows(world.users["coach"], Action.PROGRAMS_MANAGE, participant)
    withdrawn = participant_status_set(
        actor=None, participant=participant, status="withdrawn", on=datetime.date(2026, 9, 1)
    )
    assert withdrawn.completed_on == datetime.date(2026, 9, 1)
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_a_partner_program_is_reached_by_the_partner_staff(world: World) -> None:
    program = program_create(
        actor=None,
        name="Fellowship",
        kind=Program.Kind.PARTNER_FELLOWSHIP,
        owner_partner=world.partner,
        systems=[world.system],
    )
    assert allows(world.users["partner"], Action.PROGRAMS_MANAGE, program)
    assert not allows(world.users["admin_b"], Action.PROGRAMS_VIEW, program)
