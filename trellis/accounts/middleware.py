from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from trellis.accounts.selectors import has_totp
from trellis.authz.policies import requires_mfa

# Pages a user without TOTP may still reach: sign-out, MFA set-up and the rest of allauth.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireMfaMiddleware:
    """System administrators must set up TOTP before they can use anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and requires_mfa(user)
            and not has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
