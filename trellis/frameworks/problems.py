"""What an import found wrong with a file: each problem names where it is (a CASE path such as
`CFItems[3].CFItemURI`, or `row 4, column code` in a spreadsheet) and whether it blocks the
import (an error) or is only worth knowing (a warning)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import ValidationError

Severity = Literal["error", "warning"]
# The most problems one report lists; past that the file is too far off to list them all.
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class Problem:
    element: str
    message: str
    severity: Severity = "error"
    # Spreadsheets also give the row number and the column's header (or letter) on their own.
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        return f"{self.element}: {self.message}" if self.element else self.message

    def as_dict(self, source_name: str) -> dict[str, object]:
        """The shape the import pipeline reports problems in (file, row, column, reason)."""
        # A CASE problem's element (CFItems[3].fullStatement) goes in the column; a spreadsheet
        # problem that names only its row ("row 1") has no column.
        return {
            "file": source_name,
            "row": self.row,
            "column": self.column or (self.element if self.row is None else ""),
            "reason": self.message,
            "severity": self.severity,
        }


class FrameworkImportError(ValidationError):
    """A file that cannot be imported; nothing was written. `problems` lists every error found
    (and the warnings beside them). It is a ValidationError, so forms show its messages."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        shown = [p for p in self.problems if p.severity == "error"] or self.problems
        messages = [str(p) for p in shown]
        if len(problems) > MAX_PROBLEMS:
            messages.append(f"… and {len(problems) - MAX_PROBLEMS} more problems.")
        super().__init__(messages)


class Problems:
    """Collects problems while a file is read; `raise_if_errors` stops the import."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(
        self, element: str, message: str, *, row: int | None = None, column: str = ""
    ) -> None:
        self.items.append(Problem(element, message, "error", row, column))

    def warning(
        self, element: str, message: str, *, row: int | None = None, column: str = ""
    ) -> None:
        self.items.append(Problem(element, message, "warning", row, column))

    def cell(self, row: int, column: str, message: str) -> None:
        """An error in one spreadsheet cell (column: its header, or its letter)."""
        self.error(f"row {row}, column {column}", message, row=row, column=column)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def full(self) -> bool:
        return len(self.errors) >= MAX_PROBLEMS

    def raise_if_errors(self) -> None:
        if self.errors:
            raise FrameworkImportError(self.errors + self.warnings)
