from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from trellis.authz.policies import authorize, scope_for
from trellis.authz.roles import Action
from trellis.orgs.models import System
from trellis.rosters.models import ImportRun, RoleMapping
from trellis.rosters.oneroster import DEFAULT_ROLE_MAPPING


def visible_import_runs(user: Any) -> QuerySet[ImportRun]:
    scope = scope_for(user, Action.ROSTERS_MANAGE)
    if scope.everything:
        return ImportRun.objects.all()
    return ImportRun.objects.filter(system_id__in=scope.system_ids)


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
    if run is None:
        raise Http404
    authorize(user, Action.ROSTERS_MANAGE, run.system)
    return run


def role_mapping_table(system: System) -> list[dict[str, str]]:
    """The mapping in force: the documented default, with the system's own choices over it."""
    own = {
        (m.oneroster_role, m.org_type): m.position_kind
        for m in RoleMapping.objects.filter(system=system)
    }
    rows = []
    for role, org_type, kind in DEFAULT_ROLE_MAPPING:
        rows.append(
            {
                "role": role,
                "org_type": org_type,
                "default": kind,
                "kind": own.pop((role, org_type), kind),
            }
        )
    for (role, org_type), kind in sorted(own.items()):
        rows.append({"role": role, "org_type": org_type, "default": "", "kind": kind})
    return rows
