"""Background work of the people app (django-tasks; `python manage.py db_worker` runs it)."""

from __future__ import annotations

from django_tasks import task

from trellis.people import rollups


@task()
def staff_protection_decide(system_id: int) -> bool:
    """The closed readers' suppression of a system's staff counts after a recount; safe to run
    as often as wanted (a decision no longer pending, or overtaken by a recount, is dropped)."""
    return rollups.staff_protection_decide(system_id=system_id)
