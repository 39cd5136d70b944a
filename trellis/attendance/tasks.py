"""Background work of the attendance app (django-tasks; `python manage.py db_worker` runs it)."""

from __future__ import annotations

import datetime

from django_tasks import task

from trellis.attendance.services import attendance_alerts_send
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
