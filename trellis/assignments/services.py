"""Writes of assignments and caseload targets: permission first, one transaction, audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.assignments.models import Assignment, CaseloadTarget
from trellis.assignments.selectors import people_outside_system
from trellis.authz.policies import forget_grants, require
from trellis.authz.roles import Action, Relationship
from trellis.core.services import audit_event_record


def _dates(assignment: Assignment) -> dict[str, Any]:
    return {
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
    }


def _overlapping(
    *, kind: str, assignee: Any, starts_on: datetime.date, ends_on: datetime.date | None
) -> Any:
    found = Assignment.objects.filter(kind=kind, assignee=assignee).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        found = found.filter(starts_on__lte=ends_on)
    return found.select_related("supporter")


def assignment_create(
    *,
    actor: Any,
    kind: str,
    supporter: Any,
    assignee: Any,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> Assignment:
    """`supporter` starts supporting `assignee` as `kind`. The actor must be allowed to manage
    assignments where the assignee is; both people are in one system. A principal has one
    supervisor at a time; the same pair is not assigned twice over the same days."""
    require(actor, Action.ASSIGNMENTS_MANAGE, assignee)
    if kind not in Relationship.values:
        raise ValidationError({"kind": f"Unknown kind of assignment {kind!r}."})
    if supporter.pk == assignee.pk:
        raise ValidationError({"supporter": "A person cannot be assigned to themselves."})
    if supporter.system_id != assignee.system_id:
        raise ValidationError(
            {"supporter": f"{supporter} is not in the same system as {assignee}."}
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day is before the first day."})
    with transaction.atomic():
        # Lock the assignee's row so that two people assigning at once cannot both win.
        type(assignee).objects.select_for_update().filter(pk=assignee.pk).first()
        overlapping = list(
            _overlapping(kind=kind, assignee=assignee, starts_on=starts_on, ends_on=ends_on)
        )
        label = Relationship(kind).label.lower()
        for other in overlapping:
            if other.supporter_id == supporter.pk:
                raise ValidationError(
                    f"{supporter} is already {assignee}'s {label} from "
                    f"{other.starts_on:%b %-d, %Y}."
                )
            if kind == Relationship.SUPERVISION:
                raise ValidationError(
                    f"{assignee} already has a supervisor, {other.supporter}, over these "
                    "dates: end that assignment first."
                )
        assignment = Assignment.objects.create(
            system_id=assignee.system_id,
            kind=kind,
            supporter=supporter,
            assignee=assignee,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
        )
        audit_event_record(
            actor=actor,
            action="assignment.create",
            obj=assignment,
            system_id=assignment.system_id,
            object_repr=str(assignment)[:200],
            after={
                "kind": kind,
                "supporter": supporter.pk,
                "assignee": assignee.pk,
                **_dates(assignment),
            },
        )
    _forget_supporter(actor, supporter)
    return assignment


def assignment_end(
    *, actor: Any, assignment: Assignment, ends_on: datetime.date | None = None
) -> Assignment:
    """End an assignment. Like a grant, ending takes effect now: the last day is yesterday.

    The first day never moves. An assignment that was not in force before today (it starts
    today or later) has no yesterday to end on: ending it removes it, as never in force, and the
    audit event keeps its dates (docs/decisions.md). The returned assignment then has no pk."""
    require(actor, Action.ASSIGNMENTS_MANAGE, assignment)
    default = ends_on is None
    ends_on = ends_on or timezone.localdate() - datetime.timedelta(days=1)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("supporter", "assignee")
            .get(pk=assignment.pk)
        )
        if assignment.ends_on is not None and assignment.ends_on <= ends_on:
            raise ValidationError(
                f"This assignment already ended on {assignment.ends_on:%b %-d, %Y}."
            )
        before = _dates(assignment)
        if ends_on < assignment.starts_on:
            if not default:
                raise ValidationError({"ends_on": "The last day is before the first day."})
            audit_event_record(
                actor=actor,
                action="assignment.remove",
                obj=assignment,
                system_id=assignment.system_id,
                object_repr=str(assignment)[:200],
                before={
                    "kind": assignment.kind,
                    "supporter": assignment.supporter_id,
                    "assignee": assignment.assignee_id,
                    **before,
                },
            )
            assignment.delete()
        else:
            assignment.ends_on = ends_on
            assignment.save(update_fields=["ends_on", "updated_at"])
            audit_event_record(
                actor=actor,
                action="assignment.end",
                obj=assignment,
                system_id=assignment.system_id,
                object_repr=str(assignment)[:200],
                before=before,
                after=_dates(assignment),
            )
    _forget_supporter(actor, assignment.supporter)
    return assignment


def caseload_target_set(*, actor: Any, system: Any, kind: str, target: int) -> CaseloadTarget:
    require(actor, Action.ASSIGNMENTS_MANAGE, system)
    if kind not in Relationship.values:
        raise ValidationError({"kind": f"Unknown kind of assignment {kind!r}."})
    if not 1 <= target <= 500:
        raise ValidationError({"target": "The target is a whole number from 1 to 500."})
    with transaction.atomic():
        existing = CaseloadTarget.objects.filter(system=system, kind=kind).first()
        before = {"target": existing.target} if existing else None
        row, _ = CaseloadTarget.objects.update_or_create(
            system=system, kind=kind, defaults={"target": target}
        )
        audit_event_record(
            actor=actor,
            action="caseload_target.set",
            obj=row,
            system_id=system.pk,
            object_repr=f"{system}: {row}",
            before=before,
            after={"kind": kind, "target": target},
        )
    return row


def _forget_supporter(actor: Any, supporter: Any) -> None:
    # Relationships are loaded once per request; when the actor changed their own, reload.
    if actor is not None and getattr(actor, "person_id", None) == supporter.pk:
        forget_grants(actor)


def assignments_bulk_create(
    *, actor: Any, system: Any, assignments: list[Assignment]
) -> list[Assignment]:
    """Many assignments in one system at once (the demo generator, later imports), with one
    audit event. Each is checked as `assignment_create` checks one, against the others too."""
    require(actor, Action.ASSIGNMENTS_MANAGE, system)
    spans: dict[tuple[str, int], list[Assignment]] = {}
    for number, assignment in enumerate(assignments, start=1):
        if assignment.supporter_id == assignment.assignee_id:
            raise ValidationError(f"Assignment {number}: a person cannot support themselves.")
        if assignment.kind not in Relationship.values:
            raise ValidationError(f"Assignment {number}: unknown kind {assignment.kind!r}.")
        if assignment.ends_on is not None and assignment.ends_on < assignment.starts_on:
            raise ValidationError(f"Assignment {number}: the last day is before the first day.")
        if assignment.kind == Relationship.SUPERVISION:
            for other in spans.get((assignment.kind, assignment.assignee_id), []):
                if (other.ends_on is None or other.ends_on >= assignment.starts_on) and (
                    assignment.ends_on is None or assignment.ends_on >= other.starts_on
                ):
                    raise ValidationError(
                        f"Assignment {number}: the person already has a supervisor then."
                    )
        spans.setdefault((assignment.kind, assignment.assignee_id), []).append(assignment)
        assignment.system = system
    people = {a.supporter_id for a in assignments} | {a.assignee_id for a in assignments}
    with transaction.atomic():
        if people_outside_system(system.pk, people):
            raise ValidationError("Some of these people are not in this system.")
        created = Assignment.objects.bulk_create(assignments, batch_size=2000)
        audit_event_record(
            actor=actor,
            action="assignment.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(created)} assignments",
            after={"count": len(created)},
        )
    return created
