"""Issue 8 part 4: data never lands without its record. An import killed with SIGKILL at a
random point (reading, checking, applying, just before or just after COMMIT) either wrote
nothing, and its run says it was interrupted, or wrote everything with its report and audit
event; re-running it then gives what an uninterrupted run gives.

PostgreSQL only: that is where a killed client's session ends on the server (rolling back or
finishing its COMMIT) and where the worker's advisory lock tells a live run from a dead one.
SQLite has one writer inside the same file and no server session to outlive the process.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tests.rosters.bundles import rows_12, write
from trellis.core.models import AuditEvent
from trellis.imports.models import ImportRun
from trellis.imports.services import CRASH_ENV, import_run_reconcile, worker_alive
from trellis.orgs.models import School, System
from trellis.orgs.services import system_create
from trellis.people.models import Person, Position
from trellis.rosters.models import Course, Enrollment, SchoolClass
from trellis.students.models import Student

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the kill test relies on server sessions and advisory locks "
        "(SQLite has neither); it runs in the PostgreSQL CI pass",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
POINTS = ["reading", "checking", "applying", "before-commit", "after-commit"]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def snapshot(system: System) -> dict[str, Any]:
    """What the import wrote for a system, without database ids."""
    return {
        "system": System.objects.get(pk=system.pk).sourced_id,
        "schools": sorted(
            School.objects.filter(system=system).values_list("sourced_id", "name", "identifier")
        ),
        "people": sorted(
            Person.objects.filter(system=system).values_list(
                "sourced_id", "given_name", "family_name", "is_active"
            )
        ),
        "positions": sorted(
            Position.objects.filter(system=system).values_list(
                "person__sourced_id", "kind", "school__sourced_id", "starts_on", "ends_on"
            ),
            key=str,
        ),
        "students": sorted(
            Student.objects.filter(system=system).values_list(
                "sourced_id", "given_name", "family_name", "school__sourced_id", "is_active"
            )
        ),
        "courses": sorted(Course.objects.filter(system=system).values_list("sourced_id", "title")),
        "classes": sorted(
            SchoolClass.objects.filter(system=system).values_list("sourced_id", "title")
        ),
        "enrollments": sorted(
            Enrollment.objects.filter(system=system).values_list("sourced_id", "role", "is_active")
        ),
    }


def nothing_written(system: System) -> bool:
    return (
        not any(
            model.objects.filter(system=system).exists()
            for model in (Person, Student, Course, SchoolClass, Enrollment)
        )
        and not System.objects.get(pk=system.pk).sourced_id
    )


def killed_import(bundle: Path, system: System, point: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "trellis.settings",
        CRASH_ENV: point,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "import_oneroster", str(bundle), "--system", system.code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def settle(run: ImportRun) -> ImportRun:
    """Wait until the killed client's server session is gone (it rolls back, or finishes the
    COMMIT it had received), then read the run as the pages do."""
    deadline = time.monotonic() + 60
    while worker_alive(run) and time.monotonic() < deadline:
        time.sleep(0.2)
    run.refresh_from_db()
    return import_run_reconcile(run)


def test_sigkill_at_random_points_lands_everything_with_its_record_or_nothing(
    tmp_path: Path,
) -> None:
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    bundle = write(tmp_path / "bundle", rows_12(schools=2, teachers=3, students=8))
    reference = system_create(actor=None, code="reference", name="Reference")
    call_command("import_oneroster", str(bundle), "--system", "reference", stdout=StringIO())
    expected = snapshot(reference)
    assert expected["students"] and expected["enrollments"]

    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    points = POINTS * 2
    rng.shuffle(points)
    for index, point in enumerate(points):
        # Within a phase reached several times (one progress call per file or target), pick
        # which time to die.
        if point in ("reading", "applying"):
            point = f"{point}:{rng.randint(1, 4)}"
        system = system_create(actor=None, code=f"kill{index}", name=f"Killed {index}")
        where = f"seed {seed}, kill {index} at {point}"
        process = killed_import(bundle, system, point)
        assert process.returncode == -signal.SIGKILL, (where, process.stdout, process.stderr)
        run = settle(ImportRun.objects.get(system=system))
        audited = AuditEvent.objects.filter(action="import.commit", object_id=str(run.pk))
        if point == "after-commit":
            assert run.status == ImportRun.Status.DONE, where
        if run.status == ImportRun.Status.DONE:
            # Everything landed, with its report and its audit event.
            assert snapshot(system) == expected, where
            assert run.summary["students"]["added"] == len(expected["students"]), where
            assert audited.count() == 1, where
        else:
            assert run.status == ImportRun.Status.INTERRUPTED, (where, run.status)
            assert "nothing was written" in run.errors[0]["reason"], where
            assert nothing_written(system), where
            assert not audited.exists(), where
        # The re-run equals an uninterrupted run.
        call_command("import_oneroster", str(bundle), "--system", system.code, stdout=StringIO())
        assert snapshot(system) == expected, where
        rerun = ImportRun.objects.filter(system=system).latest("pk")
        assert rerun.status == ImportRun.Status.DONE, where
