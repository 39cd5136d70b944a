from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.surveys.impact import impact_report
from trellis.surveys.management.pipeline import system_of
from trellis.surveys.plans import find_program
from trellis.surveys.printing import report_html, report_pdf


class Command(BaseCommand):
    help = (
        "Print the impact report of a system (or one of its programs) for a school year, as "
        "JSON, HTML or PDF. --year 2018 is 2017-18. The PDF goes to --output FILE, or to standard "
        "output as bytes (e.g. `> report.pdf`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--program", default="", help="A program serving the system (id or name)."
        )
        parser.add_argument("--format", choices=["json", "html", "pdf"], default="json")
        parser.add_argument("--output", default="", help="Write the report to this file.")

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
        if options["format"] == "pdf":
            pdf = report_pdf(report)
            if options["output"]:
                with open(options["output"], "wb") as out:
                    out.write(pdf)
            else:
                sys.stdout.buffer.write(pdf)
                sys.stdout.buffer.flush()
            return
        text = (
            json.dumps(report, indent=2, ensure_ascii=False)
            if options["format"] == "json"
            else report_html(report)
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text)
