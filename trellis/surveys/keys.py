"""The opaque key of an anonymous web respondent (see docs/decisions.md, the web form)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def respondent_key(administration_id: int, person_id: int) -> str:
    """HMAC-SHA256 of the administration and the person under the installation's secret key:
    who answered cannot be read from it without that key."""
    message = f"surveys:{administration_id}:{person_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
