"""The audit trail: every service that writes calls `audit_event_record` inside its transaction."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from trellis.core.models import AuditEvent

M = TypeVar("M", bound=models.Model)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a record as JSON-safe values (foreign keys by id)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _jsonable(getattr(obj, attname))
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: after[key] for key in after if before.get(key) != after[key]}


def audit_event_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    system_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    if actor is not None and getattr(actor, "is_authenticated", False):
        label = actor_label or actor.email
        actor_obj = actor
    else:
        label = actor_label or "system"
        actor_obj = None
    if system_id is None and obj is not None:
        system_id = getattr(obj, "system_id", None)
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=label[:254],
        system_id=system_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        before=before,
        after=after,
    )


def audited_update(
    *, actor: Any, obj: M, fields: dict[str, Any], allowed: Iterable[str], action: str
) -> M:
    """Change the given fields of a record under a row lock, validate, save, and record what
    changed (only the fields that did change, before and after). The caller checks permission."""
    allowed = tuple(allowed)
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{action} cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        before = snapshot(obj, allowed)
        for key, value in fields.items():
            setattr(obj, key, value)
        obj.full_clean()
        obj.save()
        after = snapshot(obj, allowed)
        diff = changed(before, after)
        if diff:
            audit_event_record(
                actor=actor,
                action=action,
                obj=obj,
                before={key: before[key] for key in diff},
                after=diff,
            )
    return obj
