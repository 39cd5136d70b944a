"""Figures one app offers another on the same floor, without either importing the other.

The import contracts keep the apps of one floor independent (attendance and surveys among them).
When one of them needs the other's figures (the impact report's student outcomes are the
attendance roll-ups), the offering app registers a named provider from its `panels.py`
(imported once at start-up by `CoreConfig.ready`) and the reading app asks for it by name. A
missing provider is simply absent: the reader leaves the figures out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[..., Any]
_providers: dict[str, Provider] = {}


def provide(name: str) -> Callable[[Provider], Provider]:
    """Decorator: offer `provider` under `name` (registering again replaces)."""

    def decorator(provider: Provider) -> Provider:
        _providers[name] = provider
        return provider

    return decorator


def provider(name: str) -> Provider | None:
    return _providers.get(name)
