"""A refusal whose reason is written for the person refused."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class Refused(PermissionDenied):
    """A 403 that says why in plain words: the site's 403 page and the API's `detail` show its
    message. A bare PermissionDenied keeps the generic text (its message, if any, is not meant
    for the user)."""
