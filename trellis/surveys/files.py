"""Reading and checking the surveys' files: instrument CSVs and long-format response CSVs.

Nothing here writes. Each reader returns a plan (what committing would write) or raises
ImportProblems with every problem by row and column (row 1 is the header).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from trellis.imports.registry import ImportProblems
from trellis.surveys.models import SCALE_RANGE, Scale

INSTRUMENT_COLUMNS = ("code", "text", "scale", "subscale", "reverse")
RESPONSE_COLUMNS = ("respondent", "school", "item", "value")
MAX_PROBLEMS = 200


def _rows(path: Path, name: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportProblems(
            [{"file": name, "row": None, "column": "", "reason": "The file is not UTF-8 text."}]
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportProblems(
            [
                {
                    "file": name,
                    "row": 1,
                    "column": ", ".join(missing),
                    "reason": f"The header lacks the column(s) {', '.join(missing)}; a "
                    f"file needs {','.join(columns)}.",
                }
            ]
        )
    reader.fieldnames = header
    return [
        (number, {k: (v or "").strip() for k, v in row.items() if k})
        for number, row in enumerate(reader, start=2)
    ]


class Problems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: int | None, column: str, reason: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append({"file": self.name, "row": row, "column": column, "reason": reason})

    def raise_any(self) -> None:
        if self.count:
            raise ImportProblems(self.items, count=self.count)


@dataclass(frozen=True)
class ItemRow:
    code: str
    text: str
    scale: str
    subscale: str
    reverse: bool

    def key(self) -> tuple[str, str, str, bool]:
        return (self.text, self.scale, self.subscale, self.reverse)


def read_instrument(path: Path, name: str) -> list[ItemRow]:
    problems = Problems(name)
    items: list[ItemRow] = []
    seen: dict[str, int] = {}
    scales = ", ".join(Scale.values)
    for number, row in _rows(path, name, INSTRUMENT_COLUMNS):
        code, text, scale = row["code"], row["text"], row["scale"].lower()
        ok = True
        if not code:
            problems.add(number, "code", "Give the item's code.")
            ok = False
        elif len(code) > 60:
            problems.add(number, "code", "An item's code has at most 60 characters.")
            ok = False
        elif code in seen:
            problems.add(number, "code", f"The code '{code}' is already used on row {seen[code]}.")
            ok = False
        else:
            seen[code] = number
        if not text:
            problems.add(number, "text", "Give the item's text.")
            ok = False
        if scale not in Scale.values:
            problems.add(number, "scale", f"'{row['scale']}' is not a scale; use one of {scales}.")
            ok = False
        reverse = row["reverse"] or "0"
        if reverse not in ("0", "1"):
            problems.add(number, "reverse", f"'{row['reverse']}' is not 0 or 1.")
            ok = False
        elif reverse == "1" and scale in Scale.values and scale not in SCALE_RANGE:
            problems.add(number, "reverse", f"A {scale} item cannot be reverse-coded.")
            ok = False
        if len(row["subscale"]) > 100:
            problems.add(number, "subscale", "A sub-scale's name has at most 100 characters.")
            ok = False
        if ok:
            items.append(ItemRow(code, text, scale, row["subscale"], reverse == "1"))
    if not items and not problems.count:
        problems.add(None, "", "The file holds no items.")
    problems.raise_any()
    return items


@dataclass
class ResponseRow:
    row: int
    respondent: str
    school: str
    item: str
    value: Decimal | None
    text: str


@dataclass
class ResponseFile:
    rows: list[ResponseRow] = field(default_factory=list)


def parse_value(scale: str, raw: str) -> tuple[Decimal | None, str, str | None]:
    """(value, text, problem) for a raw answer on an item's scale."""
    if scale == Scale.TEXT:
        return None, raw, None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, "", f"'{raw}' is not a number."
    if not value.is_finite():
        return None, "", f"'{raw}' is not a number."
    if scale == Scale.NUMBER:
        if abs(value) >= Decimal("1e8"):
            return None, "", f"'{raw}' is too large."
        return value, "", None
    low, high = SCALE_RANGE[scale]
    if value != value.to_integral_value() or not low <= value <= high:
        return None, "", f"'{raw}' is off the item's scale ({scale}: {low} to {high})."
    return value, "", None


def read_responses(path: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    return _rows(path, name, RESPONSE_COLUMNS)


def duplicates(rows: list[tuple[int, dict[str, str]]]) -> Counter[tuple[str, str]]:
    return Counter((row["respondent"], row["item"]) for _n, row in rows)
