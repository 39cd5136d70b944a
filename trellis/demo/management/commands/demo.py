from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from trellis.demo.generator import DEMO_PASSWORD, DEMO_TOTP_SECRET, SIZES, build


class Command(BaseCommand):
    help = "Build the deterministic demo district and print one sign-in per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The date the demo treats as today (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = build(
            size_name=options["size"],
            seed=options["seed"],
            today=options["today"] or timezone.localdate(),
        )
        elapsed = time.monotonic() - started
        if result.created:
            counts = ", ".join(f"{value:,} {key}" for key, value in result.counts.items())
            self.stdout.write(
                f"Built {result.system.name} ({options['size']}, seed {options['seed']}) "
                f"in {elapsed:.1f} s: {counts}."
            )
        else:
            self.stdout.write(f"{result.system.name} is already built; nothing changed.")
        self.stdout.write("\nSign in at http://127.0.0.1:8000/ with any of these accounts:")
        self.stdout.write(f"  password for every account: {DEMO_PASSWORD}")
        for email, text in result.accounts:
            self.stdout.write(f"  {email:<32} {text}")
        self.stdout.write(
            f"  The administrator's authenticator secret (TOTP) is {DEMO_TOTP_SECRET}: add it to "
            "any authenticator app, or run `python manage.py demo_totp` for the current code.\n"
        )
