"""Enrollments read by PostgreSQL's COPY (trellis.rosters.fastread) store exactly what the Python
reader stores, and a file the fast path does not take as written is read in Python, with the
same warnings and problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.rosters.bundles import rows_12, write, zip_folder
from tests.rosters.test_oneroster import problems_of, run
from trellis.orgs.models import System
from trellis.orgs.services import system_create
from trellis.rosters import read
from trellis.rosters.models import Enrollment, ImportRun

pytestmark = pytest.mark.django_db


def varied_rows() -> dict[str, list[dict[str, str]]]:
    files = rows_12(schools=2, teachers=2, students=3)
    for i, row in enumerate(files["enrollments"]):
        # Dates, open and closed; primary in the spellings the Python reader accepts.
        row["beginDate"] = "2026-08-20" if i % 2 else ""
        row["endDate"] = "2027-06-01" if i % 3 == 0 else ""
        row["primary"] = ["true", "FALSE", "", "True"][i % 4]
    return files


def stored(system: System) -> list[tuple[Any, ...]]:
    return sorted(
        Enrollment.objects.filter(system=system).values_list(
            "sourced_id",
            "school_class__sourced_id",
            "school__sourced_id",
            "person__sourced_id",
            "student__sourced_id",
            "role",
            "is_primary",
            "begins_on",
            "ends_on",
            "is_active",
        )
    )


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records whether the fast path took each enrollments file."""
    taken: list[bool] = []
    original = read.copy_enrollments

    def recording(*args: Any) -> bool:
        result = original(*args)
        taken.append(result)
        return result

    monkeypatch.setattr(read, "copy_enrollments", recording)
    return taken


def test_copy_and_python_readers_store_the_same_enrollments(
    tmp_path: Path, spy: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = zip_folder(write(tmp_path / "b", varied_rows()), tmp_path / "bundle.zip")
    fast = system_create(actor=None, code="fast", name="Fast")
    assert run(fast, bundle).status == ImportRun.Status.DONE
    # On PostgreSQL the clean file went through COPY; SQLite always reads in Python.
    assert spy == [connection.vendor == "postgresql"]

    monkeypatch.setattr(read, "copy_enrollments", lambda *args: False)
    slow = system_create(actor=None, code="slow", name="Slow")
    assert run(slow, bundle).status == ImportRun.Status.DONE
    assert stored(fast) == stored(slow)
    assert len(stored(fast)) == len(varied_rows()["enrollments"])
    assert any(row[8] is not None for row in stored(fast))  # an end date, kept as the last day


def test_a_file_the_fast_path_declines_is_read_in_python(tmp_path: Path, spy: list[bool]) -> None:
    system = system_create(actor=None, code="riverbend", name="Riverbend")
    files = varied_rows()
    files["enrollments"][0]["role"] = "Teacher"  # capitalised: read leniently, in Python
    files["enrollments"][1]["endDate"] = "2026-02-30"  # no such day: an error with its row
    rejected = run(system, zip_folder(write(tmp_path / "b", files), tmp_path / "bundle.zip"))
    assert spy == [False]
    assert rejected.status == ImportRun.Status.REJECTED
    assert ("enrollments.csv", 3, "endDate") in problems_of(rejected)
    assert Enrollment.objects.count() == 0

    files["enrollments"][1]["endDate"] = ""
    done = run(system, zip_folder(write(tmp_path / "c", files), tmp_path / "fixed.zip"))
    assert done.status == ImportRun.Status.DONE, done.errors
    assert Enrollment.objects.get(sourced_id=files["enrollments"][0]["sourcedId"]).role == (
        "teacher"
    )
