"""Background work of the attendance app (django-tasks; `python manage.py db_worker` runs it)."""

from __future__ import annotations

import datetime

from django_tasks import task

from trellis.attendance.services import attendance_alerts_send, published_decisions_store
from trellis.orgs.models import System


@task()
def send_attendance_alerts(system_id: int, day: str | None = None) -> int:
    """The day's alerts of a system (today in its time zone when no day is given); returns
    how many were sent. Safe to run as often as wanted: each alert is sent once."""
    system = System.objects.get(pk=system_id)
    found = attendance_alerts_send(
        actor=None,
        system=system,
        day=datetime.date.fromisoformat(day) if day else None,
    )
    return found.sent


@task()
def store_published_decisions(system_id: int) -> str | None:
    """The system's published suppression decisions for the day its pages open on, made and
    stored after an import commits (`published_decisions_store`); returns that day."""
    day = published_decisions_store(system_id=system_id)
    return day.isoformat() if day else None
