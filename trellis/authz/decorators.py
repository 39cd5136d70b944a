"""Every view declares its permission (or that it is public); the middleware refuses the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from trellis.authz.policies import user_may

View = Callable[..., HttpResponseBase]


def permission(action: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_may(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.trellis_permission = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: View) -> View:
    view.trellis_public = True  # type: ignore[attr-defined]
    return view
