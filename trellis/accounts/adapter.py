from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from trellis.accounts.selectors import system_name_for


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by system administrators for people already in the roster.
        return False

    def format_email_subject(self, subject: str) -> str:
        # allauth would prefix the request's host ("[127.0.0.1:8000]").
        return f"[Trellis] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # The e-mails sign with Trellis and the school system (templates/account/email/).
        context = {**context, "system_name": system_name_for(context.get("user"))}
        super().send_mail(template_prefix, email, context)
