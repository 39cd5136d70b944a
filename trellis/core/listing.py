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
from trellis.core.params import get_choice, paginate, paginate_without_count


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
    exact_count: bool = True,
    on_page: Callable[[list[Any]], None] | None = None,
) -> HttpResponseBase:
    """`on_page(objects)` is told the objects of the page shown (not of an export), e.g. to
    read their figures in one query."""
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        rows = (export.row(obj) for obj in queryset.iterator(chunk_size=2000))
        return export_response(fmt=fmt, filename=export.filename, headers=export.headers, rows=rows)
    page: Any = (
        paginate(queryset, request.GET, per_page=per_page)
        if exact_count
        else paginate_without_count(queryset, request.GET, per_page=per_page)
    )
    if on_page is not None:
        page.object_list = list(page.object_list)
        on_page(page.object_list)
    context = {
        **context,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring_nopage": querystring_without(request, "page", "format"),
    }
    return render(request, template, context)


def form_page(
    request: HttpRequest,
    *,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    success_url: str,
    heading: str,
    back_label: str,
    extra: dict[str, Any] | None = None,
    success_message: str = "",
) -> HttpResponseBase:
    """The simple form page: on a valid POST, call the service; a ValidationError it raises
    goes back onto the form (nothing saved), success goes to `success_url` with
    `success_message`, if any, shown there."""
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from trellis.core.forms import add_service_errors

    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if success_message:
                from django.contrib import messages

                messages.success(request, success_message)
            return redirect(success_url)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": heading,
            "back_url": success_url,
            "back_label": back_label,
            **(extra or {}),
        },
    )
