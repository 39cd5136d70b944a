from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trellis.surveys.management.pipeline import run_file, system_of
from trellis.surveys.models import Window


class Command(BaseCommand):
    help = (
        "Load answers from a long-format CSV (respondent,school,item,value) into the "
        "administration of that instrument, window, year and population (created if there is "
        "none), through the import pipeline. --year 2018 is the school year 2017-18. A file "
        "with problems writes nothing and exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument("--instrument", required=True, help="The instrument's code.")
        parser.add_argument("--window", required=True, choices=Window.values)
        parser.add_argument(
            "--year", required=True, type=int, help="The year the school year ends."
        )
        parser.add_argument(
            "--program", default="", help="The program (id or name): its participants answer."
        )
        parser.add_argument("--anonymous", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        run_file(
            kind="responses_csv",
            system=system_of(options["system"]),
            file=options["file"],
            options={
                "instrument": options["instrument"],
                "window": options["window"],
                "year": str(options["year"]),
                "program": options["program"],
                "anonymous": "1" if options["anonymous"] else "0",
            },
            dry_run=options["dry_run"],
            out=self.stdout,
        )
