from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.frameworks.selectors import build_package, version_by_case_identifier


class Command(BaseCommand):
    help = "Write a framework as a CASE 1.1 package to standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("identifier", help="The framework's CASE document identifier.")

    def handle(self, *args: Any, **options: Any) -> None:
        version = version_by_case_identifier(options["identifier"])
        if version is None:
            raise CommandError(f"No framework has the CASE identifier {options['identifier']}.")
        package = build_package(version, base_uri=settings.TRELLIS_BASE_URL)
        self.stdout.write(json.dumps(package, ensure_ascii=False, indent=2))
