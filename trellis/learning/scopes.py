"""What learning tells authz: where PD sessions and communities lie for those who manage them.

`learning.manage` reaches a session of its system (a system grant: administrators and district
leaders), of its school (a principal's school grant), or of its program (a program manager's
grant on the program, PROGRAM_NODE_POLICY). A community lies in its system or its school.
Who may *see* a session (its audience, registrants, facilitators) is read in the selectors,
which start from this scope and add the viewer's own audience.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_scope
from trellis.learning.models import Community, Cycle, Meeting, PDSession, Registration


def _schools(scope: Any) -> frozenset[int]:
    return frozenset(scope.school_ids) | frozenset(scope.network_school_ids)


def sessions_q(scope: Any, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    return (
        Q(**{f"{prefix}system_id__in": scope.system_ids})
        | Q(**{f"{prefix}school_id__in": _schools(scope)})
        | Q(**{f"{prefix}program_id__in": scope.program_ids})
    )


def _session(scope: Any, obj: PDSession) -> bool:
    return (
        obj.system_id in scope.system_ids
        or (obj.school_id is not None and obj.school_id in _schools(scope))
        or (obj.program_id is not None and obj.program_id in scope.program_ids)
    )


def communities_q(scope: Any, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    return Q(**{f"{prefix}system_id__in": scope.system_ids}) | Q(
        **{f"{prefix}school_id__in": _schools(scope)}
    )


def _community(scope: Any, obj: Community) -> bool:
    return obj.system_id in scope.system_ids or (
        obj.school_id is not None and obj.school_id in _schools(scope)
    )


def register() -> None:
    register_scope(PDSession, _session, q=sessions_q)
    register_scope(Registration, lambda scope, obj: _session(scope, obj.session))
    register_scope(Community, _community, q=communities_q)
    for model in (Cycle, Meeting):
        register_scope(model, lambda scope, obj: _community(scope, obj.community))
