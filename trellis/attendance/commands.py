"""What the attendance import commands share: the same pipeline run as the upload page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.imports.models import ImportRun
from trellis.imports.reporting import summary_lines
from trellis.imports.services import (
    import_run_commit,
    import_run_create,
    import_run_discard,
    import_run_execute,
)
from trellis.orgs.models import System


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and print what would change."
        )

    def options_of(self, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    def handle(self, *args: Any, **options: Any) -> None:
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"There is no system with the code '{options['system']}'.")
        path: Path = options["file"].resolve()
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        run = import_run_create(
            actor=None,
            system=system,
            kind=self.kind,
            path=path,
            source_name=path.name,
            actor_label="command line",
            options=self.options_of(options),
        )
        quiet = lambda share, label: None  # noqa: E731 - the report is printed at the end
        run = import_run_execute(run_id=run.pk, commit=False, progress=quiet)
        if run.status == ImportRun.Status.READY and run.total_changes and not options["dry_run"]:
            run = import_run_commit(actor=None, run=run)
            run = import_run_execute(run_id=run.pk, commit=True, progress=quiet)
        elif run.status == ImportRun.Status.READY and not options["dry_run"]:
            # Nothing changes: the history says so rather than "ready to commit".
            run = import_run_discard(actor=None, run=run)
        if run.status != ImportRun.Status.DONE and run.error_count:
            raise CommandError(
                f"{path.name} was not imported; nothing was written.\n"
                + "\n".join(summary_lines(run)),
                returncode=1,
            )
        for line in summary_lines(run, dry_run=options["dry_run"]):
            self.stdout.write(line)
