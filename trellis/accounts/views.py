from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.accounts import services
from trellis.accounts.models import User
from trellis.accounts.selectors import has_totp, own_api_tokens
from trellis.authz.decorators import permission
from trellis.authz.policies import requires_mfa
from trellis.authz.roles import Action
from trellis.core.forms import StyledFormMixin, add_service_errors
from trellis.core.postonly import post_only


class TokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Where it will be used, e.g. “warehouse sync”.",
    )


@permission(Action.SIGNED_IN)
def account_settings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.api_token_create(actor=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/settings.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": own_api_tokens(user),
            "has_totp": has_totp(user),
            "mfa_required": requires_mfa(user),
        },
    )


def _own_token(request: HttpRequest, pk: int) -> str:
    """Where a GET of a token's revocation goes: the account page, for one's own token (a
    revoked one too: the page after a reload); anyone else's is not found, as for the POST."""
    if not own_api_tokens(cast(User, request.user)).filter(pk=pk).exists():
        raise Http404
    return reverse("account_settings")


@permission(Action.SIGNED_IN)
@post_only(_own_token)
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    token = own_api_tokens(user).filter(pk=pk, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=user, token=token)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("account_settings")
