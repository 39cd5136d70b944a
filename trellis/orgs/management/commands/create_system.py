from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.orgs.models import System
from trellis.orgs.services import system_create


class Command(BaseCommand):
    help = (
        "Add a school system (a district or a charter network) to this installation; "
        "audited as the command line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Short code, e.g. riverbend (letters, digits, - and _).")
        parser.add_argument("--name", required=True, help="The system's full name.")
        parser.add_argument(
            "--kind", choices=[k.value for k in System.Kind], default=System.Kind.DISTRICT
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code, name = options["code"].strip(), options["name"].strip()
        # A clear refusal before the service's own uniqueness check (which says the same less
        # plainly); the service still guards against a race.
        taken = System.objects.filter(code=code).first()
        if taken is not None:
            raise CommandError(
                f"The code '{code}' is already taken by {taken.name}; choose another code."
            )
        try:
            system = system_create(actor=None, code=code, name=name, kind=options["kind"])
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(f"The system was not created. {problems}") from None
        self.stdout.write(
            f"Created {system.get_kind_display().lower()} {system.name} ({system.code}). "
            "Next: grant its first administrator a role (Accounts and roles), or import its roster."
        )
