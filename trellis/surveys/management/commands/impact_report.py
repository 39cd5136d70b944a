from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.loader import render_to_string

from trellis.surveys.impact import impact_report
from trellis.surveys.management.pipeline import system_of
from trellis.surveys.plans import find_program
from trellis.surveys.tables import tables


class Command(BaseCommand):
    help = (
        "Print the impact report of a system (or one of its programs) for a school year, as "
        "JSON or HTML. --year 2018 is 2017-18."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--program", default="", help="A program serving the system (id or name)."
        )
        parser.add_argument("--format", choices=["json", "html"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        system = system_of(options["system"])
        program = None
        if options["program"]:
            program = find_program(system, options["program"])
            if program is None:
                raise CommandError(
                    f"There is no program '{options['program']}' serving {system.code}."
                )
        report = impact_report(system=system, year=options["year"], program=program)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(
                render_to_string(
                    "surveys/impact_print.html", {"report": report, "tables": tables(report)}
                )
            )
