from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.authz.models import Grant
from trellis.authz.policies import forget_grants, require
from trellis.authz.roles import Action, Role
from trellis.core.services import audit_event_record

# authz imports only core: the nodes (orgs.System, Network, School, Partner, programs.Program,
# Cohort) are passed in by the callers and told apart by their model label.


def _is_partner(node: Any) -> bool:
    return bool(node is not None and node._meta.label == "orgs.Partner")


def _node(
    system: Any, network: Any, school: Any, partner: Any, program: Any = None, cohort: Any = None
) -> Any:
    return cohort or program or school or network or partner or system


def _checked_node(node: Any) -> Any:
    """What a grant's node is checked against: a partner's home system; a program's (or a
    cohort's program's) owning system, or its owner partner's home system; else the node.
    None when only the installation's operators may grant there."""
    label = node._meta.label
    if label == "programs.Cohort":
        node = node.program
        label = "programs.Program"
    if label == "programs.Program":
        if node.owner_system is not None:
            return node.owner_system
        node = node.owner_partner
    return node.home_system if _is_partner(node) else node


def grant_create(
    *,
    actor: Any,
    user: Any,
    role: str,
    system: Any = None,
    network: Any = None,
    school: Any = None,
    partner: Any = None,
    program: Any = None,
    cohort: Any = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> Grant:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if cohort is not None:
        program = cohort.program
    if program is not None:
        # A program or cohort grant keeps the program's owner, as a school grant its system.
        if school or network:
            raise ValidationError("A grant is at a program or at a place, not both.")
        system = program.owner_system
        partner = program.owner_partner
    elif school is not None:
        system = school.system
        network = None
    elif network is not None:
        system = network.system
    if partner is not None and (school or network):
        raise ValidationError("A grant is at a partner or at a place in a system, not both.")
    if role == Role.PARTNER_STAFF and partner is None and program is None:
        raise ValidationError(
            {"partner": "Partner staff are granted on a partner organisation or a program."}
        )
    node = _node(system, network, school, partner, program, cohort)
    if node is None:
        raise ValidationError(
            "Choose where the role applies: a system, network, school or partner."
        )
    checked = _checked_node(node)
    if checked is None or (_is_partner(node) and node.home_system is None):
        # Installation-wide partners (and their programs) are the operators' to grant.
        if actor is not None and not actor.is_superuser:
            raise PermissionDenied
    else:
        require(actor, Action.ACCESS_MANAGE, checked)
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date is before the start date."})
    with transaction.atomic():
        grant = Grant.objects.create(
            user=user,
            role=role,
            system=system,
            network=network,
            school=school,
            partner=partner,
            program=program,
            cohort=cohort,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
        )
        audit_event_record(
            actor=actor,
            action="grant.create",
            obj=grant,
            system_id=system.pk if system else None,
            object_repr=f"{user.email}: {grant}",
            after={
                "user": user.email,
                "role": role,
                "node": str(node),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
    forget_grants(user)
    return grant


def grant_end(*, actor: Any, grant: Grant, ends_on: datetime.date | None = None) -> Grant:
    checked = _checked_node(grant.node)
    if checked is None:
        if actor is not None and not actor.is_superuser:
            raise PermissionDenied
    else:
        require(actor, Action.ACCESS_MANAGE, checked)
    # Ending a grant takes effect now: its last day in force is yesterday. A grant that had
    # not started yet is closed on the same day, so it never takes effect.
    ends_on = ends_on or timezone.localdate() - datetime.timedelta(days=1)
    with transaction.atomic():
        grant = Grant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        before = {
            "starts_on": grant.starts_on.isoformat(),
            "ends_on": grant.ends_on.isoformat() if grant.ends_on else None,
        }
        grant.ends_on = ends_on
        grant.starts_on = min(grant.starts_on, ends_on)
        grant.save(update_fields=["starts_on", "ends_on", "updated_at"])
        audit_event_record(
            actor=actor,
            action="grant.end",
            obj=grant,
            system_id=grant.system_id,
            object_repr=f"{grant.user.email}: {grant}",
            before=before,
            after={"starts_on": grant.starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        )
    forget_grants(grant.user)
    return grant
