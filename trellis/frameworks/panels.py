"""What frameworks and ratings offer other pages: the system self-assessment on the home page of
those who rate their system, and how the audit log reads a rating event's {competency id: level
position} map ("competency: level name", repairs issue item 23)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import HttpRequest

from trellis.authz.policies import has_grant_for
from trellis.authz.roles import Action
from trellis.core.audit import register_value
from trellis.core.models import AuditEvent
from trellis.core.panels import Panel, register
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.orgs.selectors import systems_where


@register("home", weight=5)
def self_study(request: HttpRequest) -> Iterator[Panel]:
    if has_grant_for(request.user, Action.RATINGS_SELF_STUDY):
        systems = list(systems_where(request.user, Action.RATINGS_SELF_STUDY))
        if systems:
            yield Panel("frameworks/panels/self_study.html", {"systems": systems}, weight=5)


def _version_id(event: AuditEvent) -> int | None:
    data = event.after if isinstance(event.after, dict) else {}
    value = data.get("version")
    return value if isinstance(value, int) else None


@register_value("version", label="Framework version", actions="rating.")
def versions(pairs: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    ids = [raw for _event, raw in pairs if isinstance(raw, int)]
    found = FrameworkVersion.objects.select_related("framework").in_bulk(ids or [0])
    return [str(found[raw]) if raw in found else f"version #{raw}" for _event, raw in pairs]


@register_value("ratings", label="Ratings", actions="rating.")
def ratings(pairs: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    item_ids: set[int] = set()
    version_ids: set[int] = set()
    for event, raw in pairs:
        if isinstance(raw, dict):
            item_ids |= {int(key) for key in raw if str(key).isdigit()}
        version = _version_id(event)
        if version is not None:
            version_ids.add(version)
    # The same queries for an empty page as for a full one (core.audit.register_value).
    items = FrameworkItem.objects.in_bulk(list(item_ids) or [0])
    levels: dict[tuple[int | None, Any], str] = {
        (level.version_id, level.position): level.name
        for level in PerformanceLevel.objects.filter(version_id__in=version_ids or [0])
    }
    out = []
    for event, raw in pairs:
        if not isinstance(raw, dict):
            out.append(str(raw))
            continue
        version = _version_id(event)
        parts = []
        for key, position in raw.items():
            item = items.get(int(key)) if str(key).isdigit() else None
            name = str(item) if item is not None else f"competency #{key}"
            parts.append(f"{name}: {levels.get((version, position), f'level {position}')}")
        out.append("; ".join(parts))
    return out
