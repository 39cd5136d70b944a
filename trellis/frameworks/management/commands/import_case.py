from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.frameworks.services import framework_import_case
from trellis.orgs.models import System


class Command(BaseCommand):
    help = "Import a CASE 1.0 or 1.1 package (JSON) as a framework of a system."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", required=True, help="The system's short code.")

    def handle(self, *args: Any, **options: Any) -> None:
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"There is no system with the code '{options['system']}'.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        started = time.monotonic()
        try:
            version = framework_import_case(actor=None, system=system, raw=path.read_bytes())
        except ValidationError as error:
            raise CommandError(
                f"{path.name} was not imported: {' '.join(error.messages)}"
            ) from None
        self.stdout.write(
            f"Imported “{version.framework.title}” ({version.case_identifier}): "
            f"{version.items.count()} items, {version.levels.count()} levels, "
            f"{version.associations.count()} other associations in "
            f"{time.monotonic() - started:.2f} s."
        )
