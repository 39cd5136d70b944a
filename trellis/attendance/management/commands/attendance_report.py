import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.attendance.selectors import attendance_report
from trellis.orgs.models import System


class Command(BaseCommand):
    help = (
        "Print a system's attendance on a day as JSON: `schools` (keyed by sourcedId) and "
        "`system`, each with enrolled, absent, absence_rate_pct, submissions_expected_week, "
        "submissions_on_time_week, on_time_rate_week_pct, chronic_absent and "
        "chronic_absence_rate_pct (percentages to one decimal). The operator's view: no "
        "suppression."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument("--date", required=True, help="The day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"There is no system with the code '{options['system']}'.")
        try:
            day = datetime.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"'{options['date']}' is not a date: write YYYY-MM-DD.") from None
        report = attendance_report(system, day)
        self.stdout.write(
            json.dumps({"schools": report["schools"], "system": report["system"]}, indent=2)
        )
