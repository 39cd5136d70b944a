"""What programs tell authz: the scope of programs, cohorts and participants.

A program lies in a scope holding a grant on it, on its owner system, or on its owner partner; a
cohort where its program lies or where a grant on the cohort itself is; a participant where their
cohort lies, and also for their own coach or mentor (relationships, for signing off) and for
themselves (their own record). A grant on one cohort does not reach the program's other cohorts
nor the program itself (the cohort pages show what it needs of the program).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_scope
from trellis.authz.roles import Action
from trellis.programs.models import (
    Cohort,
    Experience,
    ExperienceRecord,
    Milestone,
    Participant,
    Placement,
    PortfolioLink,
    Program,
    Project,
)


def programs_q(scope: Any, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    return (
        Q(**{f"{prefix}pk__in": scope.program_ids})
        | Q(**{f"{prefix}owner_system_id__in": scope.system_ids})
        | Q(**{f"{prefix}owner_partner_id__in": scope.partner_ids})
    )


def cohorts_q(scope: Any, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    return Q(**{f"{prefix}pk__in": scope.cohort_ids}) | programs_q(scope, f"{prefix}program__")


def participants_q(scope: Any) -> Q:
    if scope.everything:
        return Q()
    q = cohorts_q(scope, "cohort__")
    if scope.person_id or scope.related_person_ids:
        q |= scope.persons_q("person_id")
    return q


def _program(scope: Any, obj: Program) -> bool:
    return (
        obj.pk in scope.program_ids
        or (obj.owner_system_id is not None and obj.owner_system_id in scope.system_ids)
        or (obj.owner_partner_id is not None and obj.owner_partner_id in scope.partner_ids)
    )


def _cohort(scope: Any, obj: Cohort) -> bool:
    return obj.pk in scope.cohort_ids or _program(scope, obj.program)


def _participant(scope: Any, obj: Participant) -> bool:
    return (
        obj.person_id == scope.person_id
        or obj.person_id in scope.related_person_ids
        or _cohort(scope, obj.cohort)
    )


def register() -> None:
    register_scope(Program, _program, q=programs_q)
    register_scope(Cohort, _cohort, q=cohorts_q)
    # Whoever may not view programs (a coach of someone else, a principal) gets a 404 for a
    # participant's record, never a 403 that tells them the record exists.
    register_scope(Participant, _participant, q=participants_q, reach=Action.PROGRAMS_VIEW)
    # The checklist lies with its program; a participant's records, project, milestones, links
    # and placements where the participant does.
    register_scope(Experience, lambda scope, obj: _program(scope, obj.program))
    for model in (ExperienceRecord, Project, PortfolioLink, Placement):
        register_scope(
            model,
            lambda scope, obj: _participant(scope, obj.participant),
            reach=Action.PROGRAMS_VIEW,
        )
    register_scope(
        Milestone,
        lambda scope, obj: _participant(scope, obj.project.participant),
        reach=Action.PROGRAMS_VIEW,
    )
