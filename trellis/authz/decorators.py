"""Every view declares its permission (or that it is public); the middleware refuses the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
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


def scoped_permission(action: str, in_scope: Callable[..., bool]) -> Callable[[View], View]:
    """@permission for a page that names a place (a school, a network, a system) in its address
    or its query, scope first: whoever's roles allow `action` nowhere gets 404 for a place
    outside their scope (`in_scope(request, *args, **kwargs)` is false) and 403 for one in it;
    whoever may, the view's own lookup answers (404 outside their scope, 403 not allowed).
    Outside scope 404, in scope but not allowed 403, whichever check would come first."""

    def decorator(view: View) -> View:
        guarded = permission(action)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if (
                user.is_authenticated
                and not user_may(user, action)
                and not in_scope(request, *args, **kwargs)
            ):
                raise Http404
            return guarded(request, *args, **kwargs)

        wrapped.trellis_permission = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def public(view: View) -> View:
    view.trellis_public = True  # type: ignore[attr-defined]
    return view
