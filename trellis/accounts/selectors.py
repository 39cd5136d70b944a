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


def system_name_for(user: Any | None) -> str:
    """The school system that sign-in pages and account e-mails name: the one the user belongs
    to, or (signed out) the installation's only one; "" when there is no single one."""
    # Imported here: orgs' selectors read authz policies, which import accounts' selectors.
    from trellis.orgs.models import System
    from trellis.orgs.selectors import visible_systems

    if user is not None and getattr(user, "is_authenticated", False):
        systems = visible_systems(user)
    else:
        systems = System.objects.all()
    names = list(systems.values_list("name", flat=True)[:2])
    return names[0] if len(names) == 1 else ""
