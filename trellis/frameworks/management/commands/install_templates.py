from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from trellis.frameworks.services import framework_templates_install


class Command(BaseCommand):
    help = "Install (or confirm) the built-in framework templates every system can start from."

    def handle(self, *args: Any, **options: Any) -> None:
        for version in framework_templates_install(actor=None):
            self.stdout.write(f"{version.framework.title}: {version.items.count()} items")
