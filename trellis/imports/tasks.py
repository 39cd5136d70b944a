"""Background work for imports (django-tasks; `python manage.py db_worker` runs it)."""

from __future__ import annotations

from django_tasks import task

from trellis.imports.services import import_run_execute


@task()
def check_import(run_id: int) -> None:
    import_run_execute(run_id=run_id, commit=False)


@task()
def commit_import(run_id: int) -> None:
    import_run_execute(run_id=run_id, commit=True)
