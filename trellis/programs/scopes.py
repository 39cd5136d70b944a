"""What programs tell authz: the scope of programs, cohorts and participants.

A program lies in a scope holding a grant on it, on its owner system, or on its owner partner; a
cohort where its program lies or where a grant on the cohort itself is; a participant where their
cohort lies, and also for their own coach or mentor (relationships, for signing off) and for
themselves (their own record). A grant on one cohort does not reach the program's other cohorts
nor the program itself (the cohort pages show what it needs of the program).

For viewing (programs.view, programs.figures, and authorize's "any role" reach), a program also
lies in the scope of the systems it serves (a partner's fellowship serving several districts):
each served system's viewers see the program, its cohorts, and the participants from their own
system only. Managing stays with the owner and the program's own grants.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_extra_reach, register_scope
from trellis.authz.roles import Action
from trellis.programs.models import (
    Cohort,
    Experience,
    ExperienceRecord,
    Milestone,
    MilestoneTemplate,
    Participant,
    Placement,
    PortfolioLink,
    Program,
    Project,
)

# Actions for which a program also lies in the scope of a system it serves (a district's
# administrators and leaders see a partner's fellowship that serves them, and their own people
# in it; they do not run it). None is "any role at all" (authorize's 404 or 403).
SERVED_ACTIONS = frozenset({None, Action.PROGRAMS_VIEW, Action.PROGRAMS_FIGURES})


def served(scope: Any) -> bool:
    """Whether this scope reaches the programs serving its systems (see SERVED_ACTIONS)."""
    return scope.action in SERVED_ACTIONS and bool(scope.system_ids)


def programs_q(scope: Any, prefix: str = "", *, include_served: bool = True) -> Q:
    if scope.everything:
        return Q()
    q = (
        Q(**{f"{prefix}pk__in": scope.program_ids})
        | Q(**{f"{prefix}owner_system_id__in": scope.system_ids})
        | Q(**{f"{prefix}owner_partner_id__in": scope.partner_ids})
    )
    if include_served and served(scope):
        # A subquery, not a join: a program serving two of the systems is one row.
        serving = Program.systems.through.objects.filter(system_id__in=scope.system_ids)
        q |= Q(**{f"{prefix}pk__in": serving.values("program_id")})
    return q


def cohorts_q(scope: Any, prefix: str = "", *, include_served: bool = True) -> Q:
    if scope.everything:
        return Q()
    return Q(**{f"{prefix}pk__in": scope.cohort_ids}) | programs_q(
        scope, f"{prefix}program__", include_served=include_served
    )


def served_participants_q(scope: Any, prefix: str = "") -> Q:
    """Participants a served system's viewers reach in a program they do not run: the people
    of their own systems (never another system's)."""
    if scope.everything:
        return Q()
    if not served(scope):
        return Q(pk__in=[])
    return Q(**{f"{prefix}person__system_id__in": scope.system_ids}) & programs_q(
        scope, f"{prefix}cohort__program__"
    )


def participants_q(scope: Any) -> Q:
    if scope.everything:
        return Q()
    q = cohorts_q(scope, "cohort__", include_served=False) | served_participants_q(scope)
    if scope.person_id or scope.related_person_ids:
        q |= scope.persons_q("person_id")
    return q


def _program(scope: Any, obj: Program, *, include_served: bool = True) -> bool:
    if (
        obj.pk in scope.program_ids
        or (obj.owner_system_id is not None and obj.owner_system_id in scope.system_ids)
        or (obj.owner_partner_id is not None and obj.owner_partner_id in scope.partner_ids)
    ):
        return True
    return include_served and served(scope) and obj.systems.filter(pk__in=scope.system_ids).exists()


def _cohort(scope: Any, obj: Cohort, *, include_served: bool = True) -> bool:
    return obj.pk in scope.cohort_ids or _program(scope, obj.program, include_served=include_served)


def runs_cohort(scope: Any, obj: Cohort) -> bool:
    """Whether the scope reaches the cohort as its program's own (owner, program or cohort
    grant), not only as a served system's viewer: then it reaches every participant."""
    return scope.everything or _cohort(scope, obj, include_served=False)


def _participant(scope: Any, obj: Participant) -> bool:
    return (
        obj.person_id == scope.person_id
        or obj.person_id in scope.related_person_ids
        or _cohort(scope, obj.cohort, include_served=False)
        or (
            served(scope)
            and obj.person.system_id in scope.system_ids
            and _program(scope, obj.cohort.program)
        )
    )


def program_people_q(scope: Any) -> Q:
    """People a program or cohort grant reaches (for actions its role holds there, see
    authz.roles.PROGRAM_NODE_POLICY): the participants of those programs and cohorts."""
    if not (scope.program_ids or scope.cohort_ids):
        return Q(pk__in=[])
    participants = Participant.objects.filter(
        Q(cohort__program_id__in=scope.program_ids) | Q(cohort_id__in=scope.cohort_ids)
    )
    return Q(pk__in=participants.values("person_id"))


def register() -> None:
    register_extra_reach("people.Person", program_people_q)
    register_scope(Program, _program, q=programs_q)
    register_scope(Cohort, _cohort, q=cohorts_q)
    # Whoever may not view programs (a coach of someone else, a principal) gets a 404 for a
    # participant's record, never a 403 that tells them the record exists.
    register_scope(Participant, _participant, q=participants_q, reach=Action.PROGRAMS_VIEW)
    # The checklist lies with its program; a participant's records, project, milestones, links
    # and placements where the participant does.
    register_scope(Experience, lambda scope, obj: _program(scope, obj.program))
    register_scope(MilestoneTemplate, lambda scope, obj: _program(scope, obj.program))
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
