"""Reads of import runs: each kind is seen by whoever holds its permission in the run's system."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from trellis.authz.policies import authorize, scope_for
from trellis.imports import registry
from trellis.imports.models import ImportRun


def visible_import_runs(user: Any) -> QuerySet[ImportRun]:
    allowed = Q(pk__in=[])
    for action in registry.actions():
        codes = [kind.code for kind in registry.kinds() if kind.permission == action]
        scope = scope_for(user, action)
        if scope.everything:
            allowed |= Q(kind__in=codes)
        elif scope.system_ids:
            allowed |= Q(kind__in=codes, system_id__in=scope.system_ids)
    return ImportRun.objects.filter(allowed)


def import_run_list(
    user: Any, *, system_id: int | None = None, kind: str = "", status: str = ""
) -> QuerySet[ImportRun]:
    runs = visible_import_runs(user).select_related("system")
    if system_id:
        runs = runs.filter(system_id=system_id)
    if kind:
        runs = runs.filter(kind=kind)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-pk")


def import_run_get(user: Any, pk: int) -> ImportRun:
    run = ImportRun.objects.select_related("system").filter(pk=pk).first()
    kind = registry.get(run.kind) if run is not None else None
    if run is None or kind is None:
        raise Http404
    authorize(user, kind.permission, run.system)
    return run


def kinds_for(user: Any) -> list[registry.ImportKind]:
    """The kinds this user may start somewhere."""
    return [
        kind
        for kind in registry.kinds()
        if (scope := scope_for(user, kind.permission)).everything or scope.system_ids
    ]


def committed_since_check(run: ImportRun) -> ImportRun | None:
    """For a checked run: the latest run of the same kind and system committed after it was
    checked. Its preview may then be out of date (the commit applies the file to the records as
    they are then, so what it changes can differ from what the preview shows)."""
    if run.status != ImportRun.Status.READY or run.checked_at is None:
        return None
    return (
        ImportRun.objects.filter(
            system_id=run.system_id,
            kind=run.kind,
            status=ImportRun.Status.DONE,
            committed_at__gt=run.checked_at,
        )
        .exclude(pk=run.pk)
        .order_by("-committed_at")
        .first()
    )
