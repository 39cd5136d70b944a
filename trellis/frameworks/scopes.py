"""How authz finds the scope of frameworks (see trellis.authz.registry)."""

from __future__ import annotations

from typing import Any

from trellis.authz.registry import register_scope
from trellis.frameworks.models import Framework


def _framework(scope: Any, obj: Framework) -> bool:
    # Templates (no system) are open to every role that may see frameworks at all.
    if obj.system_id is None:
        return bool(scope.reached_system_ids or scope.partner_ids)
    return obj.system_id in scope.reached_system_ids


def register() -> None:
    register_scope(Framework, _framework)
