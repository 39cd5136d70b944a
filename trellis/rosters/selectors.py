from __future__ import annotations

from trellis.orgs.models import System
from trellis.rosters.models import RoleMapping
from trellis.rosters.oneroster import DEFAULT_ROLE_MAPPING


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
