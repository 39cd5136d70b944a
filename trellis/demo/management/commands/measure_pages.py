from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trellis.accounts.models import User
from trellis.orgs.models import School
from trellis.people.models import Person

# (account, page) pairs: the main pages as the demo roles see them (repairs issue, item 29:
# every one within 1.2x of its district-size time at metro size). Each role's home page.
# Like with like: a page shows as many rows at both sizes, so that the ratio is what the page
# costs more in a larger district, not the cost of the rows a fuller page shows. The search is
# "martin" (Martin and Martinez: 94 active people at district size, more than a page of 50,
# about 700 at metro size), not "smith" (41 at district size, under a page, against a full page
# at metro size); the demo's networks are ten schools at both sizes (generator.SIZES), so the
# supervisor's pages cover as many schools (docs/decisions.md, 2026-12-01).
PAGES = [
    ("leader", "/"),
    ("admin", "/"),
    ("programs", "/"),
    ("supervisor", "/"),
    ("coach", "/"),
    ("principal", "/"),
    ("teacher", "/"),
    ("analyst", "/"),
    ("interviewer", "/"),
    ("partner", "/"),
    ("leader", "/schools/"),
    ("analyst", "/schools/"),
    ("leader", "/schools/?q=elementary"),
    ("leader", "/schools/{school}/"),
    ("analyst", "/schools/{school}/"),
    ("leader", "/people/"),
    ("leader", "/people/?q=martin"),
    ("leader", "/people/?q=martin&kind=teacher"),
    ("leader", "/people/{person}/"),
    ("principal", "/people/"),
    ("supervisor", "/people/"),
    ("supervisor", "/people/?kind=teacher"),
    ("programs", "/frameworks/"),
    ("leader", "/frameworks/"),
    ("programs", "/assignments/"),
    ("supervisor", "/assignments/caseloads/"),
    ("supervisor", "/rounds/"),
    ("admin", "/access/"),
    ("admin", "/audit/"),
    ("leader", "/api/v1/schools?limit=50"),
    ("leader", "/api/v1/people?limit=50"),
    ("leader", "/api/v1/people?limit=50&q=martin"),
]


def _server_process() -> Path | None:
    """The scheduler statistics of the PostgreSQL process serving this connection, where the
    server runs on this machine (None elsewhere, and on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = Path(f"/proc/{pid}/schedstat")
    return stat if stat.exists() else None


def _server_cpu(stat: Path | None) -> float:
    # The first field is the time the process has run on a CPU, in nanoseconds.
    return int(stat.read_text().split()[0]) / 1e6 if stat is not None else 0.0


class Command(BaseCommand):
    help = "Time the main pages of the demo district and count their queries (JSON out)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.order_by("pk").first()
        person = Person.objects.filter(is_active=True).order_by("pk").first()
        if school is None or person is None:
            self.stderr.write("Build the demo district first: python manage.py demo")
            raise SystemExit(1)
        clients: dict[str, Client] = {}
        results = []
        for account, template in PAGES:
            if account not in clients:
                clients[account] = Client()
                clients[account].force_login(User.objects.get(email=f"{account}@riverbend.example"))
            client = clients[account]
            url = template.format(school=school.pk, person=person.pk)
            client.get(url)  # warm caches and connections
            server = _server_process()
            times, cpu, queries = [], [], 0
            for _ in range(options["runs"]):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    started_cpu = time.thread_time() * 1000 + _server_cpu(server)
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append(time.thread_time() * 1000 + _server_cpu(server) - started_cpu)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code} for {account}")
                queries = len(captured)
            results.append(
                {
                    "account": account,
                    "url": template,
                    "queries": queries,
                    "ms": round(statistics.median(times), 1),
                    # CPU time of this thread and of its PostgreSQL process (when on this
                    # machine): what a page costs, much less disturbed than `ms` by other work
                    # on a shared machine, which only delays it.
                    **({"cpu_ms": round(statistics.median(cpu), 1)} if server else {}),
                }
            )
        self.stdout.write(json.dumps(results))
