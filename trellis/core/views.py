"""The layout's error pages (the home page, audit log and health check are in trellis.site)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from trellis.core.refusals import Refused

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    """An address under the JSON API: its errors are JSON like the API's own ({"detail": …}),
    also for an address that matches no operation (a typo, a trailing slash)."""
    return request.path.startswith(API_PREFIX)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(exception or "Bad Request")}, status=400)
    return render(request, "400.html", {"message": str(exception or "")}, status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if isinstance(exception, Refused) else ""
    if _is_api(request):
        return JsonResponse({"detail": reason or "Forbidden"}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not Found"}, status=404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Server Error"}, status=500)
    return render(request, "500.html", status=500)
