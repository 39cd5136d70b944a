"""The import pipeline as the surveys' commands run it (as `import_case` does): check, then commit
unless nothing would change or it is a dry run; the report is printed; a refused file exits 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, OutputWrapper

from trellis.imports.models import ImportRun
from trellis.imports.reporting import summary_lines
from trellis.imports.services import (
    import_run_commit,
    import_run_create,
    import_run_discard,
    import_run_execute,
)
from trellis.orgs.models import System


def system_of(code: str) -> System:
    system = System.objects.filter(code=code).first()
    if system is None:
        raise CommandError(f"There is no system with the code '{code}'.")
    return system


def run_file(
    *,
    kind: str,
    system: System,
    file: Path,
    options: dict[str, Any],
    dry_run: bool,
    out: OutputWrapper,
) -> ImportRun:
    path = file.resolve()
    if not path.is_file():
        raise CommandError(f"There is no file {path}.")
    run = import_run_create(
        actor=None,
        system=system,
        kind=kind,
        path=path,
        source_name=path.name,
        actor_label="command line",
        options=options,
    )
    quiet = lambda share, label: None  # noqa: E731 - the report is printed at the end
    run = import_run_execute(run_id=run.pk, commit=False, progress=quiet)
    if run.status == ImportRun.Status.READY and run.total_changes and not dry_run:
        run = import_run_commit(actor=None, run=run)
        run = import_run_execute(run_id=run.pk, commit=True, progress=quiet)
    elif run.status == ImportRun.Status.READY and not dry_run:
        run = import_run_discard(actor=None, run=run)
    if run.status != ImportRun.Status.DONE and run.error_count:
        raise CommandError(
            f"{path.name} was not imported; nothing was written.\n" + "\n".join(summary_lines(run)),
            returncode=1,
        )
    for line in summary_lines(run, dry_run=dry_run):
        out.write(line)
    return run
