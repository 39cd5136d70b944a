"""Pages composed from the parts each app offers, without core knowing the apps.

An app's `panels.py` module (imported once at start-up by `CoreConfig.ready`) registers:

- **panel providers** for a slot ("home", "school"): given the request (and the slot's object),
  a provider returns zero or more `Panel`s, each a template and its context; the page renders
  them ordered by weight. A provider decides for itself whether the viewer gets anything.
- **figures**: per-object counts a list shows as columns (the school list's current staff and
  students), computed once per request for everything the viewer can see so that complementary
  suppression (`trellis.core.suppression`) decides the same on every page, export and API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from trellis.core.suppression import Count


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    weight: int = 100
    # "card": a figure in the row of cards at the top; "section": a block of the page.
    kind: str = "section"


PanelProvider = Callable[..., Iterable[Panel]]
_providers: dict[str, list[tuple[int, str, PanelProvider]]] = {}


def register(slot: str, *, weight: int = 100) -> Callable[[PanelProvider], PanelProvider]:
    """Decorator: `provider(request, **objects)` offers panels for `slot`."""

    def decorator(provider: PanelProvider) -> PanelProvider:
        entries = _providers.setdefault(slot, [])
        name = f"{provider.__module__}.{provider.__qualname__}"
        # Registering twice (a module imported again in tests) replaces, never duplicates.
        entries[:] = [e for e in entries if e[1] != name]
        entries.append((weight, name, provider))
        entries.sort(key=lambda e: (e[0], e[1]))
        return provider

    return decorator


def panels_for(slot: str, request: HttpRequest, **objects: Any) -> list[Panel]:
    found: list[Panel] = []
    for weight, _name, provider in _providers.get(slot, []):
        for panel in provider(request, **objects):
            found.append(panel if panel.weight != 100 else _with_weight(panel, weight))
    return sorted(found, key=lambda p: p.weight)


def _with_weight(panel: Panel, weight: int) -> Panel:
    return Panel(template=panel.template, context=panel.context, weight=weight, kind=panel.kind)


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    counts: Mapping[int, Count]

    def get(self, pk: int) -> Count:
        return self.counts.get(pk, Count(0))


FigureProvider = Callable[[Any], Mapping[int, Count]]
_figures: dict[str, list[tuple[int, str, str, FigureProvider]]] = {}


def register_figure(
    slot: str, *, name: str, label: str, weight: int = 100
) -> Callable[[FigureProvider], FigureProvider]:
    """Decorator: `provider(user)` returns the viewer's Counts keyed by object id."""

    def decorator(provider: FigureProvider) -> FigureProvider:
        entries = _figures.setdefault(slot, [])
        entries[:] = [e for e in entries if e[1] != name]
        entries.append((weight, name, label, provider))
        entries.sort(key=lambda e: (e[0], e[1]))
        return provider

    return decorator


def figures_for(slot: str, user: Any) -> list[Figure]:
    return [
        Figure(name=name, label=label, counts=provider(user))
        for _weight, name, label, provider in _figures.get(slot, [])
    ]


def per_request(user: Any, key: str, compute: Callable[[], Any]) -> Any:
    """A value computed once per request for this user (kept on the user object, which Django
    loads afresh for every request), so that panels and figures share one computation."""
    cache: dict[str, Any] = user.__dict__.setdefault("_trellis_per_request", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]
