"""Choice labels (core.TimeStampedModel._get_FIELD_display) are read from a table kept per field
(item 29: a metro list page calls them for every row); they must read as Django's own."""

from __future__ import annotations

from django.db import models
from django.utils.hashable import make_hashable

from trellis.people.models import Position, PositionKind


def test_labels_match_djangos_own_for_every_choice_and_an_unknown_value() -> None:
    field = Position._meta.get_field("kind")
    for value, label in PositionKind.choices:
        position = Position(kind=value)
        assert position.get_kind_display() == label
        assert position.get_kind_display() == models.Model._get_FIELD_display(position, field)
    # A value outside the choices reads as itself, as in Django.
    assert Position(kind="no-such-kind").get_kind_display() == "no-such-kind"


def test_labels_are_not_rebuilt_on_each_call(monkeypatch) -> None:
    Position(kind=PositionKind.values[0]).get_kind_display()  # first use fills the table
    calls = []

    def counting(value):  # type: ignore[no-untyped-def]
        calls.append(value)
        return make_hashable(value)

    monkeypatch.setattr("django.db.models.base.make_hashable", counting)
    for value in PositionKind.values:
        Position(kind=value).get_kind_display()
    assert calls == []
