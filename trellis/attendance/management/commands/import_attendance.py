from typing import Any

from django.core.management.base import CommandParser

from trellis.attendance.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import daily attendance (CSV student,school,date,category[,class]) through the import "
        "pipeline: one row per absence or tardy, or with --positive one row per student-day. A "
        "school-day in the file replaces that day's records; the same file again changes "
        "nothing. Exits with status 1 when the file is refused (then nothing is written)."
    )
    kind = "attendance"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--positive", action="store_true", help="The file has one row per student-day."
        )

    def options_of(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"mode": "positive" if options["positive"] else "negative"}
