"""The published suppression decisions made after an import (django-tasks; `python manage.py
db_worker` runs it). Apart from tasks.py: the services enqueue it, and tasks.py imports the
services."""

from __future__ import annotations

from django_tasks import task

from trellis.attendance.selectors import published_decide
from trellis.core.suppression import storing


@task()
def store_published_decisions(system_id: int) -> str | None:
    """Decide the system's published suppression patterns for the day its pages open on and
    store them (`core.suppression.storing`), enqueued on commit by each service that rebuilds
    the roll-ups: the decision costs seconds of CPU over a metropolitan system's table (minutes
    under load), too much for the import's transaction (the ingest keeps within twice its
    plain-SQL floor), and the first principal to open the pages after the morning's import
    would otherwise pay it. Derived data, made from committed figures and found by their
    digest: no permission check, no audit event (`people.services.staff_protection_store`'s
    rule). Returns that day."""
    with storing(f"attendance patterns, system {system_id}"):
        day = published_decide(system_id)
    return day.isoformat() if day else None
