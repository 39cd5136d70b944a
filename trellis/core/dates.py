"""Dates in words as the pages write them ("M j, Y": Nov 30, 2026), for the texts services
write (refusals, messages, audit log entries), which no template formats."""

from __future__ import annotations

import datetime

from django.utils import timezone


def day_text(value: datetime.date | datetime.datetime) -> str:
    """Nov 30, 2026 (a datetime: its local day)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value:%b} {value.day}, {value.year}"


def moment_text(value: datetime.datetime) -> str:
    """Nov 30, 2026 14:05 (local time)."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day_text(local.date())} {local:%H:%M}"
