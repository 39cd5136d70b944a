from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
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


def api_permission(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Every API operation declares the action it needs, as views do with @permission."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not user_may(request.user, action):
                raise HttpError(403, "Your roles do not allow this operation.")
            return func(request, *args, **kwargs)

        wrapped.trellis_permission = action  # type: ignore[attr-defined]
        return wrapped

    return decorator
