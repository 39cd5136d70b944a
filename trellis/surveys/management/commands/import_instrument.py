from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trellis.surveys.management.pipeline import run_file, system_of
from trellis.surveys.models import Measures


class Command(BaseCommand):
    help = (
        "Load a survey or assessment instrument from a CSV (code,text,scale,subscale,reverse) "
        "through the import pipeline. The same file again changes nothing and says so; a file "
        "with problems writes nothing and exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument("--code", required=True, help="The instrument's code.")
        parser.add_argument("--title", required=True)
        parser.add_argument("--measures", required=True, choices=Measures.values)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        run_file(
            kind="instrument_csv",
            system=system_of(options["system"]),
            file=options["file"],
            options={
                "code": options["code"],
                "title": options["title"],
                "measures": options["measures"],
            },
            dry_run=options["dry_run"],
            out=self.stdout,
        )
