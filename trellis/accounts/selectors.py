from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from trellis.accounts.models import ApiToken


def has_totp(user: Any) -> bool:
    """Whether the account has an authenticator app (TOTP) set up."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def own_api_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_for(raw: str) -> ApiToken | None:
    """The live token with this value, with its (active) owner."""
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
