from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record, audited_update, snapshot
from trellis.orgs.models import Network, Partner, School, System

SCHOOL_FIELDS = ("name", "network", "level", "identifier", "sourced_id", "address", "city", "phone")


def system_create(*, actor: Any, code: str, name: str, kind: str = System.Kind.DISTRICT) -> System:
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        system = System(code=code, name=name, kind=kind)
        system.full_clean()
        system.save()
        audit_event_record(
            actor=actor,
            action="system.create",
            obj=system,
            system_id=system.pk,
            after=snapshot(system, ["code", "name", "kind"]),
        )
    return system


def network_create(*, actor: Any, system: System, name: str, code: str) -> Network:
    require(actor, Action.SCHOOLS_MANAGE, system)
    with transaction.atomic():
        network = Network(system=system, name=name, code=code)
        network.full_clean()
        network.save()
        audit_event_record(
            actor=actor, action="network.create", obj=network, after={"name": name, "code": code}
        )
    return network


def network_update(*, actor: Any, network: Network, **fields: Any) -> Network:
    require(actor, Action.SCHOOLS_MANAGE, network.system)
    return audited_update(
        actor=actor, obj=network, fields=fields, allowed=("name", "code"), action="network.update"
    )


def _check_network(system: System, network: Network | None) -> None:
    if network is not None and network.system_id != system.pk:
        raise ValidationError({"network": "The network belongs to another system."})


def school_create(*, actor: Any, system: System, name: str, **fields: Any) -> School:
    require(actor, Action.SCHOOLS_MANAGE, system)
    _check_network(system, fields.get("network"))
    with transaction.atomic():
        school = School(system=system, name=name, **fields)
        school.full_clean()
        school.save()
        audit_event_record(
            actor=actor, action="school.create", obj=school, after=snapshot(school, SCHOOL_FIELDS)
        )
    return school


def school_update(*, actor: Any, school: School, **fields: Any) -> School:
    require(actor, Action.SCHOOLS_MANAGE, school)
    _check_network(school.system, fields.get("network", school.network))
    return audited_update(
        actor=actor, obj=school, fields=fields, allowed=SCHOOL_FIELDS, action="school.update"
    )


def schools_bulk_create(*, actor: Any, system: System, schools: list[School]) -> list[School]:
    """Set-based load used by the demo generator and imports: one insert, one audit event."""
    require(actor, Action.SCHOOLS_MANAGE, system)
    with transaction.atomic():
        for school in schools:
            _check_network(system, school.network)
            school.system = system
        created = School.objects.bulk_create(schools, batch_size=1000)
        audit_event_record(
            actor=actor,
            action="school.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(created)} schools",
            after={"count": len(created)},
        )
    return created


def partner_create(
    *, actor: Any, name: str, kind: str, home_system: System | None = None, website: str = ""
) -> Partner:
    if home_system is not None:
        require(actor, Action.SCHOOLS_MANAGE, home_system)
    elif actor is not None and not actor.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        partner = Partner(name=name, kind=kind, home_system=home_system, website=website)
        partner.full_clean()
        partner.save()
        audit_event_record(
            actor=actor,
            action="partner.create",
            obj=partner,
            system_id=home_system.pk if home_system else None,
            after={"name": name, "kind": kind},
        )
    return partner


def partner_update(*, actor: Any, partner: Partner, **fields: Any) -> Partner:
    if partner.home_system is not None:
        require(actor, Action.SCHOOLS_MANAGE, partner.home_system)
    elif actor is not None and not actor.is_superuser:
        raise PermissionDenied
    return audited_update(
        actor=actor,
        obj=partner,
        fields=fields,
        allowed=("name", "kind", "website"),
        action="partner.update",
    )
