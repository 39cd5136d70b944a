"""POST-only actions whose URL a browser may open again (a reload after a refusal shown at that
URL, a bookmark, the address bar): a GET or HEAD goes to the page the action belongs to instead
of answering 405.

Named by its URL name, the redirect is the same whether or not the object exists and whoever
asks (no lookup), so it reveals nothing; the page it leads to checks who may read it. Where the
page can only be known from the object (a rating's round, one's own token), a function finds the
object first, with the POST's own lookup: outside scope the GET is the POST's 404, in scope but
not allowed its 403, so a GET never reveals more than a POST would."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect


def post_only(to: str | Callable[..., str], *, with_pk: bool = True) -> Callable[..., Any]:
    """A POST runs the view; a GET or HEAD is redirected to the URL named `to` (with the
    view's `pk` when `with_pk`), or, when `to` is a function, to the address it returns for
    the request and the view's arguments (it looks the object up as the POST does, raising
    its 404 or 403, and writes nothing); any other method is 405."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                if callable(to):
                    return redirect(to(request, *args, **kwargs))
                return redirect(to, kwargs["pk"]) if with_pk else redirect(to)
            return HttpResponseNotAllowed(["POST"])

        # Found by the URL walker (tests/test_url_walker.py), which GETs every such action.
        wrapped.trellis_post_only = True  # type: ignore[attr-defined]
        return wrapped

    return decorator
