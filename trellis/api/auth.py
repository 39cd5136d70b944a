from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from trellis.accounts.models import ApiToken
from trellis.authz.policies import requires_mfa, user_may


class TokenAuth(HttpBearer):
    """`Authorization: Bearer trl_…`: a personal token acting with its owner's grants."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        # A token must not be a way round the second factor that the web sign-in demands.
        if (
            requires_mfa(found.user)
            and not Authenticator.objects.filter(
                user=found.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            return None
        now = timezone.now()
        # Record use at most hourly, so that reads do not become writes on every call.
        if found.last_used_at is None or now - found.last_used_at > datetime.timedelta(hours=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
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
