"""List pages: filters from the query string, pagination, and CSV/XLSX export of the same rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from trellis.core.exports import FORMATS, export_response
from trellis.core.params import get_choice, paginate


@dataclass(frozen=True)
class ExportSpec:
    filename: str
    headers: Sequence[str]
    row: Callable[[Any], Sequence[Any]]


def querystring_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def render_list(
    request: HttpRequest,
    *,
    template: str,
    queryset: QuerySet,
    context: dict[str, Any],
    export: ExportSpec,
    per_page: int = 50,
) -> HttpResponseBase:
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        rows = (export.row(obj) for obj in queryset.iterator(chunk_size=2000))
        return export_response(fmt=fmt, filename=export.filename, headers=export.headers, rows=rows)
    page = paginate(queryset, request.GET, per_page=per_page)
    context = {
        **context,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring_nopage": querystring_without(request, "page", "format"),
    }
    return render(request, template, context)
