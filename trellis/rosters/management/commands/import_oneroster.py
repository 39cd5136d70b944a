from __future__ import annotations

import datetime
import itertools
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.imports.reporting import summary_lines
from trellis.imports.services import import_run_create, import_run_execute, mass_removal_text
from trellis.orgs.models import System
from trellis.rosters.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import a OneRoster 1.1 or 1.2 CSV bundle (a zip or a folder) into a system. Prints what "
        "changed; exits with status 1 when the bundle is rejected (then nothing is written)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument(
            "--allow-mass-removal",
            action="store_true",
            help="Commit even when the bundle removes more than the system's threshold (10%% "
            "by default) of its active people or students.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and count the changes, then write nothing.",
        )
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="Backfill: import an archived export as of the day it was taken (positions "
            "start and end around that day). Import archives oldest first: an export older "
            "than the system's observed-through date is refused.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"There is no system with the code '{options['system']}'.")
        path: Path = options["path"].resolve()
        run = import_run_create(
            actor=None,
            system=system,
            kind=ImportRun.Kind.ONEROSTER,
            path=path,
            source_name=path.name,
            actor_label="command line",
            allow_mass_removal=options["allow_mass_removal"],
            options={"as_of": options["as_of"].isoformat() if options["as_of"] else ""},
        )
        # With -v 2, the time each phase took (the progress labels, without their row counts):
        # where a slow import spends its time, for `make bench` and for operators.
        phases: list[tuple[str, float]] = []

        def progress(share: float, label: str) -> None:
            phase = label.split(",")[0]
            if not phases or phases[-1][0] != phase:
                phases.append((phase, time.monotonic()))

        run = import_run_execute(run_id=run.pk, commit=not options["dry_run"], progress=progress)
        phases.append(("", time.monotonic()))
        for line in summary_lines(run, dry_run=options["dry_run"]):
            self.stdout.write(line)
        if options["verbosity"] >= 2:
            for (phase, started), (_next, ended) in itertools.pairwise(phases):
                # After the engine's "Done" the pipeline records the run and commits, which
                # runs the deferred foreign-key checks.
                name = "Recording the run and committing" if phase == "Done" else phase
                self.stdout.write(f"  {ended - started:8.1f} s  {name}")
        if run.status == ImportRun.Status.REJECTED and run.mass_removal:
            raise CommandError(
                f"{mass_removal_text(run)} Nothing was written; run it again with "
                "--allow-mass-removal to commit it.",
                returncode=1,
            )
        if run.status == ImportRun.Status.REJECTED:
            raise CommandError(
                f"The bundle was rejected ({run.error_count} problems); nothing was written.",
                returncode=1,
            )
