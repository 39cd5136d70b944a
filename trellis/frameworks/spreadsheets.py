"""Frameworks from spreadsheets (CSV or XLSX): read and check, preview, write.

The columns are the ones a framework's own "Export CSV/XLSX" writes: code, parent_code,
statement, type, then one column per performance level (its header is the level's name, lowest
first) holding the descriptors. Parents are listed before their children. Every problem names
its row and column; a file with any error writes nothing. Texts are kept as written (a
spreadsheet's leading apostrophe that neutralised a formula on export is taken off again).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.db import transaction

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.frameworks.case_diff import Change, ImportPreview, KindChanges
from trellis.frameworks.case_read import CODE_MAX, LEVEL_NAME_MAX, TITLE_MAX, TYPE_MAX
from trellis.frameworks.models import (
    Descriptor,
    Framework,
    FrameworkItem,
    FrameworkVersion,
    PerformanceLevel,
)
from trellis.frameworks.problems import Problem, Problems
from trellis.orgs.models import System

REQUIRED = ("code", "parent_code", "statement", "type")
MAX_ROWS = 20_000
MAX_LEVELS = 20
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_FORMULA = re.compile(r"^'[=+\-@\t\r]")


@dataclass
class SheetRow:
    number: int  # the spreadsheet's row number (the header is row 1)
    code: str
    parent: str
    statement: str
    item_type: str
    descriptors: list[str]


@dataclass
class SheetPackage:
    filename: str
    title: str  # from the file name; the upload may give another
    levels: list[str]
    rows: list[SheetRow]
    warnings: list[Problem] = field(default_factory=list)


def column_letter(index: int) -> str:
    """A, B, … Z, AA for a 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, "g") if value.is_integer() or abs(value) < 1e15 else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value)
    return text[1:] if _ESCAPED_FORMULA.match(text) else text


def _csv_rows(data: bytes, filename: str, problems: Problems) -> list[list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error("", f"{filename} is UTF-16 text; save it as “CSV UTF-8” and upload again.")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.error(
            "",
            f"{filename} is not UTF-8 text (byte {error.start + 1}); save it as “CSV UTF-8”.",
        )
        return []
    # strict: a quote left open is an error, not the rest of the file read as one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    while True:
        number = len(rows) + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                problems.error(
                    f"row {number}",
                    f"a cell is longer than {csv.field_size_limit():,} characters.",
                    row=number,
                )
            else:
                problems.error(
                    f"row {number}",
                    "a quoted value is not closed, or a quote stands inside an unquoted value "
                    f"({error}).",
                    row=number,
                )
            return rows
        if len(rows) > MAX_ROWS:
            problems.error("", f"The file has more than {MAX_ROWS:,} rows.")
            return rows
        rows.append([_cell(c) for c in row])
    return rows


def _xlsx_rows(data: bytes, filename: str, problems: Problems) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        problems.error("", f"{filename} is not a readable XLSX workbook ({error}).")
        return []
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            if len(rows) > MAX_ROWS:
                problems.error("", f"The workbook has more than {MAX_ROWS:,} rows.")
                break
            cells = [_cell(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        problems.error("", f"{filename} is not a readable XLSX workbook ({error}).")
        return []
    finally:
        workbook.close()
    return rows


def read_spreadsheet(data: bytes, *, filename: str) -> SheetPackage:
    """Read and check a spreadsheet; raise FrameworkImportError naming every bad row."""
    problems = Problems()
    is_xlsx = filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04")
    rows = _xlsx_rows(data, filename, problems) if is_xlsx else _csv_rows(data, filename, problems)
    problems.raise_if_errors()
    if not rows:
        problems.error("", f"{filename} is empty.")
        problems.raise_if_errors()
    header = [h.strip() for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    if [h.lower() for h in header[:4]] != list(REQUIRED):
        problems.error(
            "row 1",
            row=1,
            message=f"the first columns must be {', '.join(REQUIRED)}; found "
            f"{', '.join(header[:4]) or 'nothing'}.",
        )
        problems.raise_if_errors()
    levels = header[4:]
    for index, name in enumerate(levels, start=4):
        letter = column_letter(index)
        if not name:
            problems.cell(1, letter, "a performance level column has no name.")
        elif len(name) > LEVEL_NAME_MAX:
            problems.cell(1, letter, f"the level name is longer than {LEVEL_NAME_MAX} characters.")
        elif _UNSTORABLE.search(name):
            problems.cell(1, letter, "contains a NUL character or invalid Unicode.")
        elif name in levels[: index - 4]:
            problems.cell(1, letter, f"the level “{name}” is named twice.")
    if len(levels) > MAX_LEVELS:
        problems.error("row 1", f"at most {MAX_LEVELS} performance levels.")
    names = [*REQUIRED, *levels]
    parsed: list[SheetRow] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if problems.full():
            break
        if not any(cell.strip() for cell in row):
            continue
        for index, value in enumerate(row):
            if index >= len(names) and value.strip():
                problems.cell(
                    number,
                    column_letter(index),
                    f"a value beyond the last column ({names[-1]}).",
                )
            elif _UNSTORABLE.search(value):
                column = names[index] if index < len(names) else column_letter(index)
                problems.cell(
                    number,
                    column,
                    "contains a NUL character or invalid Unicode.",
                )
        cells = row + [""] * (len(names) - len(row))
        code, parent, item_type = cells[0].strip(), cells[1].strip(), cells[3].strip()
        statement = cells[2]
        if not code:
            problems.cell(number, "code", "the code is empty.")
        elif len(code) > CODE_MAX:
            problems.cell(number, "code", f"the code is longer than {CODE_MAX} characters.")
        elif code in seen:
            problems.cell(number, "code", f"the code {code} is already used on row {seen[code]}.")
        if not statement.strip():
            problems.cell(number, "statement", "the statement is empty.")
        if len(item_type) > TYPE_MAX:
            problems.cell(number, "type", f"the type is longer than {TYPE_MAX} characters.")
        if parent and parent not in seen:
            problems.cell(
                number,
                "parent_code",
                f"the parent {parent} of {code or 'this item'} is not listed above it.",
            )
        if code:
            seen.setdefault(code, number)
        parsed.append(
            SheetRow(number, code, parent, statement, item_type, cells[4 : 4 + len(levels)])
        )
    if not parsed and not problems.errors:
        problems.error("", f"{filename} has no rows after its header.")
    problems.raise_if_errors()
    title = PurePath(filename).stem[:TITLE_MAX] or "Imported framework"
    return SheetPackage(filename, title, levels, parsed, problems.warnings)


def preview_spreadsheet(*, system: System, package: SheetPackage) -> ImportPreview:
    """A spreadsheet always makes a new framework (a draft): everything in it is added."""
    items = KindChanges(
        "items",
        added=[Change(row.code, f"{row.code} {row.statement[:80]}") for row in package.rows],
    )
    levels = KindChanges(
        "levels", added=[Change(str(i), n) for i, n in enumerate(package.levels, 1)]
    )
    return ImportPreview(
        title=package.title,
        framework=None,
        base=None,
        number=1,
        kinds=[KindChanges("document", added=[Change("document", package.title)]), items, levels],
        identical=False,
        warnings=package.warnings,
    )


def apply_spreadsheet(
    *,
    actor: Any,
    system: System,
    package: SheetPackage,
    title: str = "",
    kind: str = Framework.Kind.OTHER,
    subject_kind: str = Framework.Subject.PERSON,
) -> FrameworkVersion:
    """Write a checked spreadsheet as a new framework of the system, a draft to edit and
    publish."""
    require(actor, Action.FRAMEWORKS_MANAGE, system)
    title = (title.strip() or package.title)[:TITLE_MAX]
    with transaction.atomic():
        framework = Framework.objects.create(
            system=system, title=title, kind=kind, subject_kind=subject_kind
        )
        version = FrameworkVersion.objects.create(
            framework=framework, number=1, case_identifier=str(uuid.uuid4())
        )
        levels = PerformanceLevel.objects.bulk_create(
            [
                PerformanceLevel(version=version, position=i, name=name, score=float(i))
                for i, name in enumerate(package.levels, start=1)
            ]
        )
        counters: dict[str, int] = {}
        rows = []
        for row in package.rows:
            counters[row.parent] = counters.get(row.parent, 0) + 1
            rows.append(
                FrameworkItem(
                    version=version,
                    position=counters[row.parent],
                    case_identifier=str(uuid.uuid4()),
                    human_coding_scheme=row.code,
                    full_statement=row.statement,
                    item_type=row.item_type,
                )
            )
        items = FrameworkItem.objects.bulk_create(rows, batch_size=1000)
        by_code = {item.human_coding_scheme: item for item in items}
        for row, item in zip(package.rows, items, strict=True):
            if row.parent:
                item.parent = by_code[row.parent]
        FrameworkItem.objects.bulk_update(
            [i for i in items if i.parent is not None], ["parent"], batch_size=1000
        )
        Descriptor.objects.bulk_create(
            [
                Descriptor(item=item, level=level, text=text)
                for row, item in zip(package.rows, items, strict=True)
                for level, text in zip(levels, row.descriptors, strict=False)
                if text.strip()
            ],
            batch_size=1000,
        )
        audit_event_record(
            actor=actor,
            action="framework.import_csv",
            obj=version,
            system_id=system.pk,
            object_repr=title[:200],
            after={"file": package.filename[:200], "items": len(items), "levels": len(levels)},
        )
    return version
