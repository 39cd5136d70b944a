"""How authz learns about the other apps' objects without importing them.

`authz` imports only `core`. Each app tells it, from its `AppConfig.ready()` (through the app's
`scopes.py`), three things:

- `register_scope(model, contains, *, q=None, reach=None)`: whether an object of `model` lies in
  a `Scope` (`contains(scope, obj) -> bool`, used by `authorize`/`allows`), optionally the
  filter for a queryset of that model (`q(scope, **options) -> Q`, used by `Scope.q`), and
  optionally the action (`reach`) whose scope decides "outside scope" (404) rather than "in
  scope, not allowed" (403): for people it is `people.view`, so that someone who may not see a
  person at all gets a 404 whatever place their grant sits at.
- `register_extra_reach(label, q)`: a filter (`q(scope) -> Q`) ORed into the rule of another
  app's model by the app that knows more of whom a scope reaches (the programs app tells the
  people app which people a program grant reaches: its participants).
- `register_relationships(loader)`: `loader(person_id, day)` yields `(relationship, person_id)`
  pairs for the relationships in force that day in which the person is the supporter (coach,
  supervisor...). What each relationship allows is `roles.RELATIONSHIP_POLICY`.
- `register_relationship_schools(loader)`: `loader(person_id, day)` yields `(relationship,
  school_id, system_id, network_id)` for the schools that the people the person supports lead
  that day (a supervisor's caseload's schools); what a relationship allows at those schools is
  `roles.RELATIONSHIP_SCHOOL_POLICY`.

A model is looked up by its label ("people.Person"), then by its parents' labels.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from trellis.authz.policies import Scope

Contains = Callable[["Scope", Any], bool]
QueryRule = Callable[..., Q]
RelationshipLoader = Callable[[int, datetime.date], Iterable[tuple[str, int]]]
NetworkSchoolsLoader = Callable[[frozenset[int]], Iterable[int]]
RelationshipSchoolsLoader = Callable[
    [int, datetime.date], Iterable[tuple[str, int, int, int | None]]
]


@dataclass(frozen=True)
class ScopeRule:
    contains: Contains
    q: QueryRule | None = None
    reach: str | None = None


_RULES: dict[str, ScopeRule] = {}
_RELATIONSHIP_LOADERS: list[RelationshipLoader] = []
_NETWORK_SCHOOLS: list[NetworkSchoolsLoader] = []
_RELATIONSHIP_SCHOOLS: list[RelationshipSchoolsLoader] = []
_EXTRA_REACH: dict[str, list[Callable[[Scope], Q]]] = {}


def _label(model: type | str) -> str:
    if isinstance(model, str):
        return model
    return str(model._meta.label)  # type: ignore[attr-defined]


def register_scope(
    model: type | str, contains: Contains, *, q: QueryRule | None = None, reach: str | None = None
) -> None:
    _RULES[_label(model)] = ScopeRule(contains=contains, q=q, reach=reach)


def register_extra_reach(model: type | str, q: Callable[[Scope], Q]) -> None:
    extras = _EXTRA_REACH.setdefault(_label(model), [])
    if q not in extras:
        extras.append(q)


def extra_reach_q(model: type | str, scope: Scope) -> Q | None:
    """The OR of the extra filters registered for `model` (None when there are none)."""
    extras = _EXTRA_REACH.get(_label(model), [])
    if not extras:
        return None
    q = extras[0](scope)
    for extra in extras[1:]:
        q |= extra(scope)
    return q


def register_relationships(loader: RelationshipLoader) -> None:
    if loader not in _RELATIONSHIP_LOADERS:
        _RELATIONSHIP_LOADERS.append(loader)


def register_relationship_schools(loader: RelationshipSchoolsLoader) -> None:
    """`loader(person_id, day)` yields (relationship, school id, its system id, its network id)
    for the schools the people the person supports lead that day (the assignments app)."""
    _RELATIONSHIP_SCHOOLS[:] = [loader]


def relationship_schools(
    person_id: int, day: datetime.date
) -> list[tuple[str, int, int, int | None]]:
    return [row for loader in _RELATIONSHIP_SCHOOLS for row in loader(person_id, day)]


def register_network_schools(loader: NetworkSchoolsLoader) -> None:
    """`loader(network_ids)` yields the ids of the schools in those networks (the orgs app):
    a scope keeps them (`Scope.network_school_ids`), so that a filter on records at schools
    tests one indexed column instead of joining the schools to read their network."""
    _NETWORK_SCHOOLS[:] = [loader]


def network_schools(network_ids: frozenset[int]) -> frozenset[int]:
    if not network_ids:
        return frozenset()
    return frozenset(pk for loader in _NETWORK_SCHOOLS for pk in loader(network_ids))


def rule_for(obj_or_model: Any) -> ScopeRule:
    """The rule for an object, a model class or a label; TypeError when no app registered one."""
    if isinstance(obj_or_model, str):
        rule = _RULES.get(obj_or_model)
        if rule is None:
            raise TypeError(f"No scope rule for {obj_or_model}")
        return rule
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        meta = getattr(klass, "_meta", None)
        if meta is not None and meta.label in _RULES:
            return _RULES[meta.label]
    raise TypeError(f"No scope rule for {model.__name__}")


def relationship_loaders() -> list[RelationshipLoader]:
    return list(_RELATIONSHIP_LOADERS)


def registered_labels() -> list[str]:
    return sorted(_RULES)
