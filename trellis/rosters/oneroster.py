"""The OneRoster import: read → check → stage → apply, set-based.

1. Each CSV is read once, streaming: every row's values are checked in Python (required values,
   vocabularies, dates) and written to a temporary staging table. Nothing per row touches the
   database beyond that bulk write.
2. What needs the whole bundle is checked in SQL on the staging tables: duplicate sourcedIds and
   references that point nowhere.
3. The changes are applied target by target in dependency order, each as a handful of set-based
   statements (reactivate, update what differs, insert what is new, soft-delete what is gone).
   A preview runs the same statements and rolls them back, so its figures are exact.

The pipeline is split by job: `read` (reading and row checks into staging), `checks`
(whole-bundle checks in SQL), `targets` (what each table is made from), `apply` (the set-based
changes, the transaction, the outcome) and `history` (position spells, enrolment windows,
observed-through). This module keeps the public entry points importable from one place.
"""

from __future__ import annotations

from trellis.rosters.apply import Outcome, Rejected, adopt_district, apply_target, run_import
from trellis.rosters.checks import check_bundle
from trellis.rosters.read import (
    DEFAULT_ROLE_MAPPING,
    ERROR_LIMIT,
    Progress,
    Reader,
    position_kind,
    role_mapping,
)
from trellis.rosters.targets import Target, targets

__all__ = [
    "DEFAULT_ROLE_MAPPING",
    "ERROR_LIMIT",
    "Outcome",
    "Progress",
    "Reader",
    "Rejected",
    "Target",
    "adopt_district",
    "apply_target",
    "check_bundle",
    "position_kind",
    "role_mapping",
    "run_import",
    "targets",
]
