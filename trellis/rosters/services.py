"""Roster services: role mappings. Imports go through the one import pipeline
(trellis.imports.services); its entry points are re-exported here for the roster's callers."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.imports.services import (  # noqa: F401
    import_run_commit,
    import_run_create,
    import_run_discard,
    import_run_execute,
    is_discardable,
    save_upload,
    server_folder,
    upload_dir,
)
from trellis.orgs.models import System
from trellis.rosters.history import infer_end_reasons
from trellis.rosters.models import RoleMapping


def role_mapping_set(
    *, actor: Any, system: System, oneroster_role: str, org_type: str, position_kind: str
) -> RoleMapping:
    require(actor, Action.ROSTERS_MANAGE, system)
    with transaction.atomic():
        mapping, _created = RoleMapping.objects.update_or_create(
            system=system,
            oneroster_role=oneroster_role,
            org_type=org_type,
            defaults={"position_kind": position_kind},
        )
        audit_event_record(
            actor=actor,
            action="role_mapping.set",
            obj=mapping,
            system_id=system.pk,
            after={"role": oneroster_role, "org_type": org_type, "position_kind": position_kind},
        )
    return mapping


def position_end_reasons_infer(*, actor: Any, system: System, run_date: datetime.date) -> int:
    """Give ended roster spells of the system without a reason the reason the data shows (the
    demo generator builds history directly and asks for the same inference a roster import
    makes)."""
    require(actor, Action.ROSTERS_MANAGE, system)
    with transaction.atomic():
        count = infer_end_reasons(system_id=system.pk, run_date=run_date)
        audit_event_record(
            actor=actor,
            action="position.end_reasons_infer",
            obj=system,
            system_id=system.pk,
            after={"positions": count, "through": run_date.isoformat()},
        )
    return count


def school_classes_bulk_create(*, actor: Any, system: System, classes: list[Any]) -> int:
    """Set-based load of classes (the demo generator's homerooms; the roster import has its own
    staged path)."""
    from trellis.rosters.models import SchoolClass

    require(actor, Action.ROSTERS_MANAGE, system)
    with transaction.atomic():
        for school_class in classes:
            school_class.system = system
        SchoolClass.objects.bulk_create(classes, batch_size=5000)
        audit_event_record(
            actor=actor,
            action="class.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(classes)} classes",
            after={"count": len(classes)},
        )
    return len(classes)


def enrollments_bulk_create(*, actor: Any, system: System, enrollments: list[Any]) -> int:
    """Set-based load of class rosters: teachers' and students' enrollments in classes (the
    demo generator's homerooms; the roster import has its own staged path)."""
    from trellis.rosters.models import Enrollment

    require(actor, Action.ROSTERS_MANAGE, system)
    with transaction.atomic():
        for enrollment in enrollments:
            enrollment.system = system
        Enrollment.objects.bulk_create(enrollments, batch_size=5000)
        audit_event_record(
            actor=actor,
            action="enrollment.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(enrollments)} enrollments",
            after={"count": len(enrollments)},
        )
    return len(enrollments)
