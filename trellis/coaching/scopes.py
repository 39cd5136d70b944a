"""What coaching tells authz: where sessions, their next steps and comments, and protocols lie.

A session lies where its coachee does, by the people app's rule applied to the scope of the
action asked: `coaching.view` reaches a coachee through the coach's, supervisor's and
evaluator's relationships, the coachee's own record (OWN_RECORD_ACTIONS) and system
administrators' system grants. Whoever may not even view the coachee gets a 404; whoever may
view them but not their sessions (a principal of their school, a district leader) a 403.
The session's own coach keeps their sessions after the assignment ends (the selectors add
`coach = me`). Notes are a further check in the selectors (`notes_visible`).

A protocol lies in its system; built-in protocols (no system) are read by everyone and edited
by no one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_scope, rule_for
from trellis.authz.roles import Action
from trellis.coaching.models import CoachingSession, NextStep, Protocol, SessionComment


def _person_rule() -> Any:
    return rule_for("people.Person")


def sessions_q(scope: Any, prefix: str = "") -> Q:
    """Sessions whose coachee the scope reaches (a session's system is its coachee's)."""
    from trellis.people.models import Person

    if scope.everything:
        return Q()
    q = Q(**{f"{prefix}system_id__in": scope.system_ids})
    if scope.related_person_ids:
        q |= Q(**{f"{prefix}coachee_id__in": scope.related_person_ids})
    if scope.person_id:
        q |= Q(**{f"{prefix}coachee_id": scope.person_id})
    if scope.school_ids or scope.network_ids:
        people = Person.objects.filter(scope.q("people.Person")).values("pk")
        q |= Q(**{f"{prefix}coachee_id__in": people})
    return q


def _session(scope: Any, obj: CoachingSession) -> bool:
    return bool(_person_rule().contains(scope, obj.coachee))


def protocols_q(scope: Any) -> Q:
    if scope.everything:
        return Q()
    return Q(system__isnull=True) | Q(system_id__in=scope.system_ids | scope.reached_system_ids)


def _protocol(scope: Any, obj: Protocol) -> bool:
    if obj.system_id is None:
        return True
    return obj.system_id in scope.system_ids or obj.system_id in scope.reached_system_ids


def register() -> None:
    register_scope(CoachingSession, _session, q=sessions_q, reach=Action.PEOPLE_VIEW)
    for model in (NextStep, SessionComment):
        register_scope(
            model, lambda scope, obj: _session(scope, obj.session), reach=Action.PEOPLE_VIEW
        )
    register_scope(Protocol, _protocol, q=protocols_q, reach=Action.FRAMEWORKS_VIEW)


# -- Classroom visits (coach-visits) ---------------------------------------------------------------


def visits_q(scope: Any) -> Q:
    """Visits at the schools in scope (a principal's school, a system administrator's system) and
    the visits of the principals the scope reaches by relationship (a supervisor's caseload)."""
    if scope.everything:
        return Q()
    q = Q(system_id__in=scope.system_ids) | Q(
        school_id__in=scope.school_ids | scope.network_school_ids
    )
    if scope.related_person_ids:
        q |= Q(principal_id__in=scope.related_person_ids)
    if scope.person_id:
        q |= Q(principal_id=scope.person_id)
    return q


def _visit(scope: Any, obj: Any) -> bool:
    return bool(
        obj.system_id in scope.system_ids
        or obj.school_id in scope.school_ids
        or obj.school_id in scope.network_school_ids
        or obj.principal_id in scope.related_person_ids
        or (scope.person_id and obj.principal_id == scope.person_id)
    )


def register_visits() -> None:
    from trellis.coaching.models import ClassroomVisit

    register_scope(ClassroomVisit, _visit, q=visits_q, reach=Action.SCHOOLS_VIEW)
