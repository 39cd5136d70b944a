"""How authz finds the scope of the organisation tree's objects (see trellis.authz.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trellis.authz.registry import register_network_schools, register_scope
from trellis.orgs.models import Network, Partner, School, System


def _system(scope: Any, obj: System) -> bool:
    return obj.pk in scope.system_ids


def _network(scope: Any, obj: Network) -> bool:
    return obj.system_id in scope.system_ids or obj.pk in scope.network_ids


def _school(scope: Any, obj: School) -> bool:
    return (
        obj.system_id in scope.system_ids
        or obj.network_id in scope.network_ids
        or obj.pk in scope.school_ids
        # A supervisor's caseload's schools (authz.roles.RELATIONSHIP_SCHOOL_POLICY).
        or obj.pk in scope.related_school_ids
    )


def _partner(scope: Any, obj: Partner) -> bool:
    return obj.home_system_id in scope.system_ids or obj.pk in scope.partner_ids


def register() -> None:
    register_scope(System, _system, q=lambda scope: Q(pk__in=scope.system_ids))
    register_scope(Network, _network, q=lambda scope: scope.networks_q())
    register_scope(School, _school, q=lambda scope, prefix="": scope.schools_q(prefix))
    register_scope(Partner, _partner, q=lambda scope: scope.partners_q())
    register_network_schools(
        lambda network_ids: (
            School.objects.filter(network_id__in=network_ids)
            .order_by()
            .values_list("pk", flat=True)
        )
    )
