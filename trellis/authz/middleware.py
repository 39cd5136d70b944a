from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

# URL prefixes whose views guard themselves: django-allauth's sign-in pages and the API, where
# each operation declares its permission (checked in tests/test_api_permissions.py).
SELF_GUARDED_PREFIXES = ("accounts/", "api/v1/")


class FailClosedMiddleware:
    """Refuse to run a view that declared neither a permission nor that it is public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if getattr(view_func, "trellis_permission", None) or getattr(
            view_func, "trellis_public", False
        ):
            return None
        match = request.resolver_match
        if match is not None and match.route.startswith(SELF_GUARDED_PREFIXES):
            return None
        raise ImproperlyConfigured(
            f"The view {getattr(view_func, '__qualname__', view_func)!r} declares no permission; "
            "decorate it with @permission(...) or @public."
        )
