"""CSV and XLSX downloads of the tables users see, with formula-injection escaping."""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from trellis.core.suppression import Count

FORMATS = ("csv", "xlsx")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A signed number as the pages write it (+25.0, -0.62, +3.1%, -1,200): a spreadsheet reads it
# as a number, never as a formula, so it needs no apostrophe.
_SIGNED_NUMBER = re.compile(r"[+-]\d{1,3}(?:,\d{3})*(?:\.\d+)?%?|[+-]\d+(?:\.\d+)?%?")


def cell(value: Any) -> Any:
    """A value made safe for a spreadsheet: formulas are neutralised, counts suppressed."""
    if value is None:
        return ""
    if isinstance(value, Count):
        return value.shown if value.shown is not None else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    # Numbers stay numbers (a spreadsheet sums them; a number cannot be a formula, so a
    # negative one needs no guard). A non-finite Decimal/float is written as text.
    if isinstance(value, int | float | Decimal | datetime.date):
        if isinstance(value, Decimal | float) and not _finite(value):
            return str(value)
        return value
    # Control characters cannot be stored in a spreadsheet (and have no business in a cell).
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(_FORMULA_PREFIXES) and not _SIGNED_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _finite(value: Decimal | float) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_response(
    *,
    fmt: str,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> HttpResponse | StreamingHttpResponse:
    if fmt not in FORMATS:
        raise BadRequest("The export format must be csv or xlsx.")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream() -> Iterable[str]:
            yield "\ufeff"  # a BOM so that spreadsheet programs read UTF-8
            yield writer.writerow(headers)
            for row in rows:
                yield writer.writerow([cell(value) for value in row])

        response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            stream(), content_type="text/csv; charset=utf-8"
        )
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append([cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
