from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import ApiToken, User
from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.orgs.models import System
from trellis.people.models import Person


def account_create(
    *,
    actor: Any,
    system: System,
    email: str,
    person: Person | None = None,
    display_name: str = "",
    password: str | None = None,
) -> User:
    """An account for someone in the system; without a password they sign in after a reset."""
    require(actor, Action.ACCESS_MANAGE, system)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this e-mail address already exists."})
    if person is not None and person.system_id != system.pk:
        raise ValidationError({"person": "The person belongs to another system."})
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError({"person": "This person already has an account."})
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            password,
            display_name=display_name or (person.full_name if person else ""),
            person=person,
        )
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        audit_event_record(
            actor=actor,
            action="account.create",
            obj=user,
            system_id=system.pk,
            object_repr=email,
            after={"email": email, "person": person.pk if person else None},
        )
    return user


def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's own use. The raw value is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name that says where it is used."})
    raw = "trl_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name[:100], prefix=raw[:10], digest=ApiToken.digest_of(raw)
        )
        audit_event_record(actor=actor, action="api_token.create", obj=token, object_repr=name)
    return token, raw


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_event_record(actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that a token was used, at most hourly so that reads do not become writes on
    every call. Bookkeeping, not a change anyone made: no audit event."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(hours=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
