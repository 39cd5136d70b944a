from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from trellis.accounts.selectors import api_token_for, has_totp
from trellis.accounts.services import api_token_touch
from trellis.authz.policies import requires_mfa, user_may


class TokenAuth(HttpBearer):
    """`Authorization: Bearer trl_…`: a personal token acting with its owner's grants."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_for(token)
        if found is None:
            return None
        # A token must not be a way round the second factor that the web sign-in demands.
        if requires_mfa(found.user) and not has_totp(found.user):
            return None
        api_token_touch(token=found)
        request.user = found.user
        return found.user


def api_permission(
    action: str, *, in_scope: Callable[..., bool] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Every API operation declares the action it needs, as views do with @permission.

    An operation that names a place (a school, a network, a system) gives `in_scope`, called
    with the request and the operation's parsed arguments: whoever's roles allow `action`
    nowhere gets 404 for a place outside their scope and 403 for one in it (scope first, as
    on the pages: trellis.authz.decorators.scoped_permission); whoever may, the operation's own
    lookup answers (404 outside their scope, 403 not allowed)."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not user_may(request.user, action):
                if in_scope is not None and not in_scope(request, *args, **kwargs):
                    raise Http404
                raise HttpError(403, "Your roles do not allow this operation.")
            return func(request, *args, **kwargs)

        wrapped.trellis_permission = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
