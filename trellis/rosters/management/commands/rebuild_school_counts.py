from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.orgs.models import System
from trellis.people.services import staff_protection_decide
from trellis.rosters.apply import school_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recount the per-school roll-ups the pages read (active students by grade, current "
        "staff by kind) from the records, for one system or all. Roster imports, the people "
        "services and the demo keep them current; run this after changing records by other "
        "means (SQL, a restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", help="The system's short code (default: every system).")

    def handle(self, *args: Any, **options: Any) -> None:
        systems = System.objects.order_by("code")
        if options["system"]:
            systems = systems.filter(code=options["system"])
            if not systems.exists():
                raise CommandError(f"No system has the code {options['system']!r}.")
        for system in systems:
            started = time.monotonic()
            school_counts_rebuild(system_id=system.pk)
            # Decided now rather than by the task worker: the operator's command ends with
            # every roll-up as the pages read it.
            staff_protection_decide(system_id=system.pk)
            self.stdout.write(
                f"{system.code}: school counts rebuilt in {time.monotonic() - started:.2f} s"
            )
