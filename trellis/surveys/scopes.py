"""What surveys tell authz: the scope of instruments and administrations.

A built-in instrument (no system) lies in every non-empty scope: it is shared read-only by all
systems. A system's own instrument lies where its system is reached. An administration lies
where its system lies, and, for a program's administration, where its program is granted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_scope
from trellis.surveys.models import Administration, Instrument


def _systems(scope: Any) -> frozenset[int]:
    return frozenset(scope.system_ids) | frozenset(scope.reached_system_ids)


def _instrument(scope: Any, obj: Instrument) -> bool:
    if obj.system_id is None:
        return not scope.is_empty
    return obj.system_id in _systems(scope)


def _instrument_q(scope: Any) -> Q:
    q = Q(system_id__in=_systems(scope))
    if not scope.is_empty:
        q |= Q(system__isnull=True)
    return q


def _administration(scope: Any, obj: Administration) -> bool:
    return obj.system_id in scope.system_ids or (
        obj.program_id is not None and obj.program_id in scope.program_ids
    )


def _administration_q(scope: Any) -> Q:
    return Q(system_id__in=scope.system_ids) | Q(program_id__in=scope.program_ids)


def register() -> None:
    register_scope(Instrument, _instrument, q=_instrument_q)
    register_scope(Administration, _administration, q=_administration_q)
