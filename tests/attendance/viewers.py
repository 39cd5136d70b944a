"""A viewer's attendance figures as a reader holds them, to put several viewers' together: each
figure named by the schools it adds up (and its grade), so that two viewers' figures of the same
schools are one figure; which of them the viewer is shown; every relation their pages show."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from trellis.attendance import selectors

# (values by name, the names shown, relations (total, parts))
Figures = tuple[dict[Any, int], set[Any], list[Any]]


def chronic_figures(user: Any, day: datetime.date, measure: str = "chronic_counted") -> Figures:
    """A viewer's chronic counts as a reader holds them: each figure named by the schools it
    adds up and its grade (so that two viewers' figures of the same schools are one figure),
    those the viewer is shown, and every relation their pages show."""
    table = selectors.chronic_table(user, day)

    def name(group: tuple[Any, ...], grade: str | None = None) -> Any:
        return (frozenset(table.members[group]), grade)

    values: dict[Any, int] = {}
    shown: set[Any] = set()
    relations: list[Any] = []
    for group, pks in table.members.items():
        keys = [(group, None)] + [(group, g) for g in table.grades.get(group, [])]
        for _group, grade in keys:
            key = group if grade is None else selectors.grade_key(group, grade)
            values[name(group, grade)] = table.values[measure].get(key, 0)
            if key not in table.hidden[measure]:
                shown.add(name(group, grade))
        relations.append((name(group), [name(group, g) for g in table.grades.get(group, [])]))
        if group[0] == "school":
            continue
        relations.append((name(group), [name(("school", pk)) for pk in pks]))
        for g in table.grades.get(group, []):
            relations.append(
                (
                    name(group, g),
                    [
                        name(("school", pk), g)
                        for pk in pks
                        if g in table.grades.get(("school", pk), [])
                    ],
                )
            )
    return values, shown, relations


def morning_figures(user: Any, day: datetime.date, measure: str = "absent") -> Figures:
    """A viewer's absent students of the day as a reader holds them (as `chronic_figures`)."""
    decision = selectors.morning_decision(user, day)

    def name(group: tuple[Any, ...]) -> Any:
        return frozenset(decision.members[group])

    values = {name(g): decision.values[measure].get(g, 0) for g in decision.members}
    shown = {name(g) for g in decision.members if g not in decision.hidden[measure]}
    relations = [
        (name(g), [name(("school", pk)) for pk in pks])
        for g, pks in decision.members.items()
        if g[0] != "school"
    ]
    return values, shown, relations


def together(
    read: Callable[..., Figures], users: Iterable[Any], day: datetime.date, measure: str
) -> tuple[dict[Any, int], set[Any], list[Any]]:
    """Several viewers' figures put together (`read` is `chronic_figures` or `morning_figures`):
    every figure, those shown to none of them, and every relation any of them shows."""
    values: dict[Any, int] = {}
    shown: set[Any] = set()
    relations: list[Any] = []
    for user in users:
        found, seen, related = read(user, day, measure)
        values |= found
        shown |= seen
        relations += related
    return values, set(values) - shown, relations
