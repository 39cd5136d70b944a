"""A 405 under /api/ is JSON like the API's other errors ({"detail": …}), with its Allow header:
django-ninja answers a method that no operation of an address takes with a plain-text body."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"


class JsonMethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            methods = ", ".join(sorted(m.strip() for m in allowed.split(",") if m.strip()))
            detail = f"Method {request.method} is not allowed here" + (
                f": use {methods}." if methods else "."
            )
            json = JsonResponse({"detail": detail}, status=405)
            if allowed:
                json["Allow"] = allowed
            return json
        return response
