"""Defects found in review, each pinned by a test."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from tests.rosters.bundles import rows_12, write
from tests.rosters.test_oneroster import counts, run
from trellis.orgs.models import System
from trellis.orgs.services import system_create
from trellis.people.models import Person, Position
from trellis.rosters.models import ImportRun
from trellis.rosters.services import import_run_discard, is_discardable
from trellis.students.models import Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def system() -> System:
    return system_create(actor=None, code="riverbend", name="Riverbend Public Schools")


def test_values_longer_than_their_column_are_rejected_by_row(
    system: System, tmp_path: Path
) -> None:
    files = rows_12(schools=1, teachers=1, students=1)
    files["users"][-1]["grades"] = "Kindergarten"
    files["users"][0]["givenName"] = "x" * 150
    result = run(system, write(tmp_path / "b", files))
    assert result.status == ImportRun.Status.REJECTED
    assert {(e["row"], e["column"]) for e in result.errors} == {
        (2, "givenName"),
        (len(files["users"]) + 1, "grades"),
    }


def delta_role(status: str, when: str) -> dict[str, list[dict[str, str]]]:
    head = {"status": status, "dateLastModified": when}
    return {
        "users": [
            {
                "sourcedId": "t1-0",
                **head,
                "enabledUser": "true",
                "username": "t",
                "givenName": "T",
                "familyName": "Teacher",
            }
        ],
        "roles": [
            {
                "sourcedId": "r-t1-0",
                **head,
                "userSourcedId": "t1-0",
                "roleType": "primary",
                "role": "teacher",
                "beginDate": "2026-08-01",
                "orgSourcedId": "s1",
            }
        ],
    }


def test_a_late_older_delta_does_not_end_a_position(system: System, tmp_path: Path) -> None:
    run(system, write(tmp_path / "bulk", rows_12(schools=1, teachers=1, students=1)))
    run(system, write(tmp_path / "new", delta_role("active", "2026-09-02T00:00:00Z")))
    late = run(system, write(tmp_path / "old", delta_role("tobedeleted", "2026-09-01T00:00:00Z")))
    assert late.status == ImportRun.Status.DONE
    assert Person.objects.get(sourced_id="t1-0").is_active
    assert Position.objects.get(sourced_id="r-t1-0").ends_on is None


def test_a_delta_may_remove_rows_of_records_already_removed(system: System, tmp_path: Path) -> None:
    run(system, write(tmp_path / "bulk", rows_12(schools=1, teachers=1, students=1)))
    first = {"users": delta_role("tobedeleted", "2026-09-01T00:00:00Z")["users"]}
    assert run(system, write(tmp_path / "d1", first)).status == ImportRun.Status.DONE
    second = {
        "roles": delta_role("tobedeleted", "2026-09-02T00:00:00Z")["roles"],
        "enrollments": [
            {
                "sourcedId": "e-t1-0",
                "status": "tobedeleted",
                "dateLastModified": "2026-09-02T00:00:00Z",
                "classSourcedId": "k1",
                "schoolSourcedId": "s1",
                "userSourcedId": "t1-0",
                "role": "teacher",
            }
        ],
    }
    result = run(system, write(tmp_path / "d2", second))
    assert result.status == ImportRun.Status.DONE, result.errors
    assert Position.objects.get(sourced_id="r-t1-0").ends_on is not None


def test_a_bulk_users_file_without_roles_is_rejected(system: System, tmp_path: Path) -> None:
    files = rows_12(schools=1)
    del files["roles"], files["enrollments"]
    result = run(system, write(tmp_path / "b", files))
    assert result.status == ImportRun.Status.REJECTED
    assert "needs roles.csv" in result.errors[0]["reason"]


def test_an_enrollment_must_match_what_the_user_is(system: System, tmp_path: Path) -> None:
    files = rows_12(schools=1, teachers=1, students=1)
    for row in files["enrollments"]:
        if row["userSourcedId"] == "t1-0":
            row["role"] = "student"
    before = counts()
    result = run(system, write(tmp_path / "b", files))
    assert result.status == ImportRun.Status.REJECTED
    assert "enrolled as a student but holds no student role" in result.errors[0]["reason"]
    assert counts() == before


def test_two_files_with_the_same_name_are_rejected(system: System, tmp_path: Path) -> None:
    folder = write(tmp_path / "b", rows_12(schools=1))
    (folder / "Users.csv").write_text((folder / "users.csv").read_text())
    result = run(system, folder)
    assert result.status == ImportRun.Status.REJECTED
    assert "both" in result.errors[0]["reason"]


def test_a_transfer_in_a_people_csv_ends_the_old_position(system: System, tmp_path: Path) -> None:
    from trellis.orgs.models import School

    School.objects.create(system=system, name="A", identifier="A1")
    School.objects.create(system=system, name="B", identifier="B1")
    first = tmp_path / "first.csv"
    first.write_text(
        "person_id,given_name,family_name,school,position,starts_on\n"
        "E1,Ed,Edwards,A1,teacher,2024-08-01\nE2,Flo,Fox,A1,teacher,2024-08-01\n"
    )
    run(system, first, kind="people_csv", mode="delta")
    second = tmp_path / "second.csv"
    second.write_text(
        "person_id,given_name,family_name,school,position,starts_on\n"
        "E1,Ed,Edwards,B1,teacher,2026-08-01\n"
    )
    run(system, second, kind="people_csv", mode="delta")
    open_positions = Position.objects.filter(ends_on__isnull=True)
    assert {(p.person.sourced_id, p.school.identifier) for p in open_positions} == {
        ("E1", "B1"),
        ("E2", "A1"),
    }  # E2 is not in the file: a delta leaves them alone


def test_failed_and_stalled_runs_can_be_discarded_and_uploads_are_removed(
    system: System,
    tmp_path: Path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    from trellis.rosters.services import upload_dir

    upload = upload_dir() / "nightly.zip"
    from tests.rosters.bundles import zip_folder

    zip_folder(write(tmp_path / "b", rows_12(schools=1)), upload)
    done = run(system, upload)
    assert done.status == ImportRun.Status.DONE and not upload.exists()
    stalled = ImportRun.objects.create(
        system=system,
        kind="oneroster",
        source_name="x",
        source_path="/nowhere",
        status=ImportRun.Status.CHECKING,
        created_by_label="cron",
    )
    assert not is_discardable(stalled)
    ImportRun.objects.filter(pk=stalled.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=7)
    )
    stalled.refresh_from_db()
    assert is_discardable(stalled)
    assert import_run_discard(actor=None, run=stalled).status == ImportRun.Status.DISCARDED
    assert Student.objects.exists()
