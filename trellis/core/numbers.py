"""Rounding of the figures Trellis shows: one rule everywhere, half up (2.25 → 2.3), the rule a
reader applies by hand and the one spreadsheets use, so that a figure and a sum of figures read
the same on a page, in its export and in the API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")


def tenths(value: Decimal | int | float) -> Decimal:
    """`value` to one decimal, half up (floats through their shortest repr: 0.25 → 0.3)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(TENTH, rounding=ROUND_HALF_UP)


def hundredths(value: Decimal | int | float) -> Decimal:
    """`value` to two decimals, half up (floats through their shortest repr: -0.125 → -0.13,
    the magnitude rounded up as a reader does by hand)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def signed(value: Decimal) -> str:
    """A rounded change written with its sign (+0.33, -0.13), and no sign on zero (0.00)."""
    return f"{value:+}" if value else f"{abs(value)}"


def hours_from_minutes(minutes: int) -> Decimal:
    """Minutes as hours to one decimal, half up (15 min → 0.3 h, 45 → 0.8, 315 → 5.3)."""
    return tenths(Decimal(minutes) / Decimal(60))
