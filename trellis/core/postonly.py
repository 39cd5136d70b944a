"""POST-only actions whose URL a browser may open again (a reload after a refusal shown at that
URL, a bookmark, the address bar): a GET or HEAD goes to the page the action belongs to instead
of answering 405. The redirect is the same whether or not the object exists and whoever asks
(no lookup), so it reveals nothing; the page it leads to checks who may read it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect


def post_only(to: str, *, with_pk: bool = True) -> Callable[..., Any]:
    """A POST runs the view; a GET or HEAD is redirected to the URL named `to` (with the
    view's `pk` when `with_pk`); any other method is 405."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(to, kwargs["pk"]) if with_pk else redirect(to)
            return HttpResponseNotAllowed(["POST"])

        return wrapped

    return decorator
