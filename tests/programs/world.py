"""The programs every test world holds (for the role matrix, the URL walker and query counts).

Riverbend runs "Aspiring Principals" (a program grant for `pm`) with "Cohort 1", whose
participants are Paula (coached by Cami, with evidence waiting for sign-off, a project and a
milestone, and a portfolio link) and Tomas (no coach); and "Teacher Leader Fellows" (a program
grant for `pm_other`, the program manager of another program). Dates are fixed and in the past,
so the first experience is overdue whatever the day the tests run."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.conftest import World


def add_programs(world: World) -> None:
    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.programs.models import Program
    from trellis.programs.services import (
        add_participant,
        cohort_create,
        evidence_submit,
        experience_create,
        milestone_add,
        portfolio_link_create,
        program_create,
        project_save,
    )

    program = program_create(
        actor=None,
        name="Aspiring Principals",
        kind=Program.Kind.ASPIRING_PRINCIPAL,
        owner_system=world.system,
        systems=[world.system],
        description="A year of real at-bats for aspiring principals.",
    )
    cohort = cohort_create(
        actor=None,
        program=program,
        name="Cohort 1",
        school_year=2024,
        starts_on=datetime.date(2024, 7, 1),
        ends_on=datetime.date(2025, 6, 30),
        state="active",
    )
    first = experience_create(
        actor=None,
        program=program,
        title="Lead a data meeting",
        description="Plan and lead a grade-level data meeting.",
        due_days=60,
    )
    experience_create(actor=None, program=program, title="Build the master schedule", due_days=200)
    paula = add_participant(
        actor=None, cohort=cohort, person=world.principal_person, career_goal="Principal"
    )
    tomas = add_participant(actor=None, cohort=cohort, person=world.teacher_person)
    evidence_submit(
        actor=None,
        participant=paula,
        experience=first,
        text="Led the 3rd-grade data meeting on reading.",
        on=datetime.date(2024, 8, 20),
    )
    project = project_save(
        actor=None,
        participant=paula,
        title="Reading in 3rd grade",
        problem_statement="Too few 3rd graders read on grade level.",
        measure="3rd-grade reading proficiency",
        baseline="42%",
        target="55%",
    )
    milestone = milestone_add(
        actor=None, project=project, title="Baseline screener", due_on=datetime.date(2024, 9, 30)
    )
    _link, token = portfolio_link_create(actor=None, participant=paula)
    other = program_create(
        actor=None,
        name="Teacher Leader Fellows",
        kind=Program.Kind.TEACHER_LEADER_FELLOWSHIP,
        owner_system=world.system,
        systems=[world.system],
    )
    other_cohort = cohort_create(
        actor=None,
        program=other,
        name="Fellows 2024",
        school_year=2024,
        starts_on=datetime.date(2024, 8, 1),
        ends_on=datetime.date(2025, 5, 31),
    )
    add_participant(actor=None, cohort=other_cohort, person=world.colleague)
    world.users["pm"] = make_user(
        world.system, "pm@riverbend.test", Role.PROGRAM_MANAGER, program=program
    )
    world.users["pm_other"] = make_user(
        world.system, "pm.fellows@riverbend.test", Role.PROGRAM_MANAGER, program=other
    )
    world.program_id = program.pk
    world.cohort_id = cohort.pk
    world.experience_id = first.pk
    world.participant_id = paula.pk
    world.uncoached_participant_id = tomas.pk
    world.milestone_id = milestone.pk
    world.portfolio_token = token
    world.other_program_id = other.pk
    world.other_cohort_id = other_cohort.pk
