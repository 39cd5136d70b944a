from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.frameworks.case_diff import preview_case
from trellis.frameworks.case_import import apply_case
from trellis.frameworks.case_read import read_case
from trellis.frameworks.problems import FrameworkImportError
from trellis.orgs.models import System


class Command(BaseCommand):
    help = (
        "Import a CASE 1.0 or 1.1 package (JSON) as a framework of a system. A package already "
        "imported becomes the framework's next version (or changes nothing when identical)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the package and print what would change; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"There is no system with the code '{options['system']}'.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        started = time.monotonic()
        try:
            package = read_case(path.read_bytes(), filename=path.name)
        except FrameworkImportError as error:
            raise CommandError(
                f"{path.name} was not imported:\n" + "\n".join(error.messages)
            ) from None
        preview = preview_case(system=system, package=package)
        for line in preview.lines():
            self.stdout.write(line)
        if options["dry_run"] or preview.identical:
            if options["dry_run"]:
                self.stdout.write("Dry run: nothing was written.")
            return
        version = apply_case(actor=None, system=system, package=package)
        self.stdout.write(
            f"Imported “{version.framework.title}” ({version.case_identifier}) as version "
            f"{version.number}: {version.items.count()} items, {version.levels.count()} levels, "
            f"{version.associations.count()} other associations in "
            f"{time.monotonic() - started:.2f} s."
        )
