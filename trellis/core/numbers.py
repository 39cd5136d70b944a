"""Rounding of the figures Trellis shows: one rule everywhere, half up (2.25 → 2.3), the rule a
reader applies by hand and the one spreadsheets use, so that a figure and a sum of figures read
the same on a page, in its export and in the API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def tenths(value: Decimal | int | float) -> Decimal:
    """`value` to one decimal, half up (floats through their shortest repr: 0.25 → 0.3)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(TENTH, rounding=ROUND_HALF_UP)


def hours_from_minutes(minutes: int) -> Decimal:
    """Minutes as hours to one decimal, half up (15 min → 0.3 h, 45 → 0.8, 315 → 5.3)."""
    return tenths(Decimal(minutes) / Decimal(60))
