from __future__ import annotations

import datetime
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from trellis.demo.generator import DEMO_PASSWORD, DEMO_TOTP_SECRET, SIZES, build
from trellis.demo.oneroster_bundle import write_system_bundle


class Command(BaseCommand):
    help = "Build the deterministic demo district and print one sign-in per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="The port the printed address names (`make demo PORT=8001` passes it; default "
            "the PORT environment variable, else 8000).",
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The date the demo treats as today (YYYY-MM-DD); default: today.",
        )
        parser.add_argument(
            "--oneroster-out",
            type=Path,
            default=None,
            help="Write a OneRoster 1.2 bulk bundle describing the demo district of this size, "
            "seed and day into the folder (the same sourcedIds: importing it into the demo "
            "changes nothing). The district is built for it and rolled back unless it is "
            "already in the database.",
        )
        parser.add_argument(
            "--oneroster-version",
            choices=["1.2"],
            default="1.2",
            help="Only 1.2: OneRoster 1.1 keys positions by user and org, not by role.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["oneroster_out"] is not None:
            with transaction.atomic():
                district = build(
                    size_name=options["size"],
                    seed=options["seed"],
                    today=options["today"] or timezone.localdate(),
                )
                counts = write_system_bundle(options["oneroster_out"], district.system)
                if district.created:
                    transaction.set_rollback(True)
            written = ", ".join(f"{n:,} {name}" for name, n in counts.items())
            self.stdout.write(
                f"Wrote a OneRoster {options['oneroster_version']} bundle to "
                f"{options['oneroster_out']} in {time.monotonic() - started:.1f} s: {written}."
            )
            return
        result = build(
            size_name=options["size"],
            seed=options["seed"],
            today=options["today"] or timezone.localdate(),
        )
        elapsed = time.monotonic() - started
        if result.created:
            built = ", ".join(f"{value:,} {key}" for key, value in result.counts.items())
            self.stdout.write(
                f"Built {result.system.name} ({options['size']}, seed {options['seed']}) "
                f"in {elapsed:.1f} s: {built}."
            )
        else:
            self.stdout.write(f"{result.system.name} is already built; nothing changed.")
        self.stdout.write(
            f"\nSign in at http://127.0.0.1:{options['port']}/ with any of these accounts:"
        )
        self.stdout.write(f"  password for every account: {DEMO_PASSWORD}")
        for email, text in result.accounts:
            self.stdout.write(f"  {email:<32} {text}")
        self.stdout.write(
            f"  The administrator's authenticator secret (TOTP) is {DEMO_TOTP_SECRET}: add it to "
            "any authenticator app, or run `python manage.py demo_totp` for the current code.\n"
        )
