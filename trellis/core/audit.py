"""Audit events as people read them: field labels instead of keys, names instead of ids, and
identical events in a row shown once with a count.

Keys are labelled from the verbose name of the model field they snapshot; related records are
named by their str, fetched in one query per model for a whole page of events. Values that are
not model fields (a rating's {competency id: level} map) are formatted by the app that wrote them,
through `register_value` in its panels.py module.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from trellis.core.dates import day_text, moment_text
from trellis.core.models import AuditEvent

# (key, action prefix) → (label, formatter of [(event, raw value)] → texts); the formatter sees
# a page of events at once.
ValueFormatter = Callable[[Sequence[tuple[AuditEvent, Any]]], list[str]]
_formatters: dict[tuple[str, str], tuple[str, ValueFormatter]] = {}


def register_value(
    key: str, *, label: str, actions: str
) -> Callable[[ValueFormatter], ValueFormatter]:
    """Format `key` in the events whose action starts with `actions` (e.g. "rating.").

    The formatter is called for every page of events, with an empty list when none has the
    key, and runs the same queries either way: the audit log's query count stays flat."""

    def decorator(formatter: ValueFormatter) -> ValueFormatter:
        _formatters[(key, actions)] = (label, formatter)
        return formatter

    return decorator


def _formatter(key: str, action: str) -> tuple[str, str] | None:
    for known, prefix in _formatters:
        if known == key and action.startswith(prefix):
            return (known, prefix)
    return None


@dataclass
class Change:
    label: str
    before: str | None
    after: str | None


@dataclass
class Entry:
    event: AuditEvent
    changes: list[Change] = field(default_factory=list)
    times: int = 1

    @property
    def action_label(self) -> str:
        return action_label(self.event.action)

    @property
    def object_label(self) -> str:
        """What kind of record the event is about, in words ("Person", "Rating round")."""
        return object_type_label(self.event.object_type)


@functools.cache
def object_types() -> list[tuple[str, str]]:
    """(stored type, label) of every Trellis model, by label: the audit log's type filter. Two
    models of one name (imports' and rosters' import runs) are told apart by their app."""
    types = [
        (model._meta.label_lower, object_type_label(model._meta.label_lower))
        for model in apps.get_models()
        if model.__module__.startswith("trellis.")
    ]
    seen = Counter(label for _type, label in types)
    return sorted(
        (
            (value, f"{label} ({value.partition('.')[0]})" if seen[label] > 1 else label)
            for value, label in types
        ),
        key=lambda pair: (pair[1], pair[0]),
    )


@functools.cache
def object_type_label(object_type: str) -> str:
    """ "people.person" → "Person"; a type no longer installed keeps its stored name."""
    if not object_type:
        return ""
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
    return name[:1].upper() + name[1:]


def action_label(action: str) -> str:
    """ "person.bulk_create" → "Person: bulk create"."""
    subject, _, verb = action.partition(".")
    return f"{subject.replace('_', ' ').capitalize()}: {verb.replace('_', ' ')}" if verb else action


def _model(event: AuditEvent) -> type[models.Model] | None:
    if not event.object_type:
        return None
    try:
        return apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        # Dates and moments kept as ISO text read as the pages write them (Nov 30, 2026).
        try:
            return day_text(datetime.date.fromisoformat(value))
        except ValueError:
            pass
        try:
            return moment_text(datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


@functools.cache
def _referenced_models() -> list[type[models.Model]]:
    """The models that Trellis's foreign keys point to (what a snapshot's ids can name)."""
    found: set[type[models.Model]] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("trellis."):
            continue
        for fk in model._meta.concrete_fields:
            if (fk.many_to_one or fk.one_to_one) and isinstance(fk.related_model, type):
                found.add(fk.related_model)
    return sorted(found, key=lambda m: m._meta.label)


def _is_ref(found: models.Field | None, raw: Any) -> bool:
    """A snapshot of a foreign key (its id); a service may also record text (an e-mail)."""
    return (
        found is not None
        and found.is_relation
        and bool(found.many_to_one or found.one_to_one)
        and isinstance(raw, int)
        and not isinstance(raw, bool)
    )


def describe(events: Sequence[AuditEvent]) -> list[Entry]:
    """Readable changes for a page of events (a fixed number of queries per related model)."""
    entries = [Entry(event=e) for e in events]
    # (entry, key, side, raw, field) for every value, then fill the texts in batches.
    slots: list[tuple[int, str, str, Any, models.Field | None]] = []
    for i, entry in enumerate(entries):
        model = _model(entry.event)
        before = entry.event.before if isinstance(entry.event.before, dict) else {}
        after = entry.event.after if isinstance(entry.event.after, dict) else {}
        for key in [*after, *(k for k in before if k not in after)]:
            registered = _formatter(key, entry.event.action)
            if registered is not None:
                label = _formatters[registered][0]
                found: models.Field | None = None
            else:
                found = _field(model, key)
                label = str(found.verbose_name) if found is not None else key.replace("_", " ")
            entry.changes.append(
                Change(label=label[:1].upper() + label[1:], before=None, after=None)
            )
            for side, data in (("before", before), ("after", after)):
                if key in data:
                    slots.append((i, key, side, data[key], found))
    texts: dict[int, str] = {}
    # Related records by their str, one query per related model.
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for n, (_i, _key, _side, raw, found) in enumerate(slots):
        if found is not None and _is_ref(found, raw):
            wanted[found.related_model].add(raw)  # type: ignore[index]
        elif found is not None and found.choices and raw is not None:
            texts[n] = str(dict(found.flatchoices).get(raw, raw))
    # Every model a snapshot may point to is asked once, whatever the page holds, so that the
    # number of queries does not depend on which kinds of events are on it.
    names = {
        model: {
            pk: str(obj)
            for pk, obj in model._default_manager.in_bulk(
                list(wanted.get(model, ())) or [0]
            ).items()
        }
        for model in _referenced_models()
    }
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, (i, key, _side, raw, found) in enumerate(slots):
        registered = _formatter(key, entries[i].event.action)
        if registered is not None:
            by_key[registered].append(n)
        elif found is not None and _is_ref(found, raw):
            related = names.get(found.related_model, {})  # type: ignore[arg-type]
            texts[n] = related.get(raw, f"removed record #{raw}")
    for registered, (_label, formatter) in _formatters.items():
        positions = by_key.get(registered, [])
        formatted = formatter([(entries[slots[n][0]].event, slots[n][3]) for n in positions])
        texts.update(zip(positions, formatted, strict=True))
    change_index: dict[tuple[int, str], Change] = {}
    for i, entry in enumerate(entries):
        before = entry.event.before if isinstance(entry.event.before, dict) else {}
        after = entry.event.after if isinstance(entry.event.after, dict) else {}
        keys = [*after, *(k for k in before if k not in after)]
        for key, change in zip(keys, entry.changes, strict=True):
            change_index[(i, key)] = change
    for n, (i, key, side, raw, _found) in enumerate(slots):
        setattr(change_index[(i, key)], side, texts.get(n, _plain(raw)))
    return entries


def _same(a: Entry, b: Entry, *, with_changes: bool) -> bool:
    x, y = a.event, b.event
    same = (
        x.actor_label == y.actor_label
        and x.action == y.action
        and x.object_type == y.object_type
        and x.object_id == y.object_id
        and x.object_repr == y.object_repr
        and x.at.replace(second=0, microsecond=0) == y.at.replace(second=0, microsecond=0)
    )
    return same and (not with_changes or (x.before, x.after) == (y.before, y.after))


def grouped(entries: Sequence[Entry], *, with_changes: bool = True) -> list[Entry]:
    """Identical events in a row (same minute, actor, action and record) as one entry, n times."""
    out: list[Entry] = []
    for entry in entries:
        if out and _same(out[-1], entry, with_changes=with_changes):
            out[-1].times += 1
        else:
            out.append(entry)
    return out
