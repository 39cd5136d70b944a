import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.attendance.services import attendance_alerts_send
from trellis.attendance.tasks import send_attendance_alerts
from trellis.orgs.models import System


class Command(BaseCommand):
    help = (
        "Send a system's attendance alerts of a day by e-mail (and to the home page): classes "
        "with no attendance submitted by the deadline to the school's principals, absence "
        "spikes to the school's supervisors. Each alert goes once: running again sends only "
        "what is new. Run it after the deadline and after the day's attendance import (cron), "
        "or with --enqueue to hand it to the task worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--system", required=True, help="The system's short code.")
        parser.add_argument(
            "--date", help="The day, YYYY-MM-DD (default: today in the system's time zone)."
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the work for the task worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        system = System.objects.filter(code=options["system"]).first()
        if system is None:
            raise CommandError(f"There is no system with the code '{options['system']}'.")
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"'{options['date']}' is not a date: write YYYY-MM-DD."
                ) from None
        if options["enqueue"]:
            result = send_attendance_alerts.enqueue(system.pk, day.isoformat() if day else None)
            self.stdout.write(f"Queued the attendance alerts of {system.code} ({result.id}).")
            return
        found = attendance_alerts_send(actor=None, system=system, day=day)
        for note in found.notes:
            self.stdout.write(note)
        self.stdout.write(
            f"{found.day}: {found.not_submitted} alert(s) of attendance not submitted, "
            f"{found.absence_spike} of absence spikes sent; {found.already_sent} already sent "
            "before."
        )
