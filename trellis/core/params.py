"""Query-string parsing for list pages: malformed values are a 400, never a 500."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict


def get_text(params: QueryDict, name: str, *, max_length: int = 200) -> str:
    value = params.get(name, "").strip()
    if len(value) > max_length:
        raise BadRequest(f"The '{name}' parameter is longer than {max_length} characters.")
    if "\x00" in value:
        raise BadRequest(f"The '{name}' parameter contains a null character.")
    return value


def get_int(params: QueryDict, name: str) -> int | None:
    raw = get_text(params, name, max_length=20)
    if raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"The '{name}' parameter must be a whole number.") from None
    if value < 0 or value > 2**31 - 1:
        raise BadRequest(f"The '{name}' parameter is out of range.")
    return value


def get_choice(params: QueryDict, name: str, choices: Iterable[str]) -> str:
    value = get_text(params, name)
    allowed = set(choices)
    if value and value not in allowed:
        raise BadRequest(f"The '{name}' parameter must be one of: {', '.join(sorted(allowed))}.")
    return value


def get_date(params: QueryDict, name: str) -> datetime.date | None:
    raw = get_text(params, name, max_length=20)
    if raw == "":
        return None
    try:
        value = datetime.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"The '{name}' parameter must be a date written YYYY-MM-DD.") from None
    if not 1900 <= value.year <= 2200:
        raise BadRequest(f"The '{name}' parameter must be a date between 1900 and 2200.")
    return value


def paginate(queryset: QuerySet, params: QueryDict, *, per_page: int = 50) -> Page:
    """A page of the queryset; a page number past the end shows the last page."""
    number = get_int(params, "page") or 1
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(min(number, max(paginator.num_pages, 1)))


@dataclass
class SlicePage:
    """A page without an exact count: one row more than the page tells whether there is a
    next page (an exact COUNT(*) over a metro district's people costs more than the page)."""

    number: int
    object_list: list[Any]
    has_next: bool
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def paginate_without_count(
    queryset: QuerySet, params: QueryDict, *, per_page: int = 50
) -> SlicePage:
    """A page of the queryset and whether another follows; past the end, the first page."""
    number = min(get_int(params, "page") or 1, 10**6)
    rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
    if not rows and number > 1:
        number = 1
        rows = list(queryset[: per_page + 1])
    return SlicePage(
        number=number, object_list=rows[:per_page], has_next=len(rows) > per_page, per_page=per_page
    )
