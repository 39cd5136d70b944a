"""Pages composed from the parts each app offers, without core knowing the apps.

An app's `panels.py` module (imported once at start-up by `CoreConfig.ready`) registers:

- **panel providers** for a slot ("home", "school"): given the request (and the slot's object),
  a provider returns zero or more `Panel`s, each a template and its context; the page renders
  them ordered by weight. A provider decides for itself whether the viewer gets anything.
- **figures**: per-object counts a list shows as columns (the school list's current staff and
  students), read for the objects a page shows but decided as over everything the viewer can
  see, so that complementary suppression (`trellis.core.suppression`) decides the same on every
  page, export and API.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
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


class Figure:
    """One per-object figure as the viewer may see it. `load(pks)` reads the counts of the
    objects a page shows (a list's page, an API page); `get(pk)` of an object not loaded reads
    them all (an export). The provider decides every count as it would over everything the
    viewer can see, so a page, the export and the API agree."""

    def __init__(self, *, name: str, label: str, provider: FigureProvider, user: Any) -> None:
        self.name, self.label = name, label
        self._provider, self._user = provider, user
        self._counts: dict[int, Count] = {}
        self._loaded: set[int] = set()
        self._all = False

    def load(self, pks: Iterable[int]) -> None:
        missing = {pk for pk in pks if pk not in self._loaded}
        if missing and not self._all:
            self._counts.update(self._provider(self._user, missing))
            self._loaded |= missing

    def get(self, pk: int) -> Count:
        if pk not in self._loaded and not self._all:
            self._counts.update(self._provider(self._user, None))
            self._all = True
        return self._counts.get(pk, Count(0))


# provider(user, pks): the viewer's Counts of those objects (None: of every object they see),
# keyed by object id; objects left out count 0.
FigureProvider = Callable[[Any, Collection[int] | None], Mapping[int, Count]]
_figures: dict[str, list[tuple[int, str, str, FigureProvider]]] = {}


def register_figure(
    slot: str, *, name: str, label: str, weight: int = 100
) -> Callable[[FigureProvider], FigureProvider]:
    """Decorator: `provider(user, pks)` returns the viewer's Counts keyed by object id."""

    def decorator(provider: FigureProvider) -> FigureProvider:
        entries = _figures.setdefault(slot, [])
        entries[:] = [e for e in entries if e[1] != name]
        entries.append((weight, name, label, provider))
        entries.sort(key=lambda e: (e[0], e[1]))
        return provider

    return decorator


def figures_for(slot: str, user: Any) -> list[Figure]:
    return [
        Figure(name=name, label=label, provider=provider, user=user)
        for _weight, name, label, provider in _figures.get(slot, [])
    ]


def per_request(user: Any, key: str, compute: Callable[[], Any]) -> Any:
    """A value computed once per request for this user (kept on the user object, which Django
    loads afresh for every request), so that panels and figures share one computation."""
    cache: dict[str, Any] = user.__dict__.setdefault("_trellis_per_request", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]
