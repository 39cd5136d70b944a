"""The OneRoster import as a nightly job would use it: check, commit, re-run, soft-delete."""

from __future__ import annotations

import datetime
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.rosters.bundles import rows_12, write, zip_folder
from trellis.orgs.models import School, System
from trellis.orgs.services import system_create
from trellis.people.models import Person, Position, PositionKind
from trellis.people.services import person_create, position_add
from trellis.rosters.models import (
    AcademicSession,
    Course,
    Enrollment,
    ImportRun,
    RoleMapping,
    SchoolClass,
)
from trellis.rosters.services import import_run_create, import_run_execute
from trellis.students.models import Student

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
ROSTER_MODELS = [
    School,
    Person,
    Position,
    Student,
    AcademicSession,
    Course,
    SchoolClass,
    Enrollment,
]


@pytest.fixture
def system() -> System:
    return system_create(actor=None, code="riverbend", name="Riverbend Public Schools")


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in ROSTER_MODELS}


def run(
    system: System, path: Path, *, commit: bool = True, kind: str = "oneroster", mode: str = ""
) -> ImportRun:
    created = import_run_create(
        actor=None,
        system=system,
        kind=kind,
        path=path,
        source_name=path.name,
        mode=mode,
        actor_label="test",
        # These tests remove records on purpose (issue 7 item 16 guards the pages/command).
        allow_mass_removal=True,
    )
    return import_run_execute(run_id=created.pk, commit=commit, progress=lambda s, label: None)


def changes(run: ImportRun, key: str) -> dict[str, int]:
    return {target: c[key] for target, c in run.summary.items() if c.get(key)}


def test_bulk_import_then_reimport_changes_nothing(system: System, tmp_path: Path) -> None:
    bundle = zip_folder(write(tmp_path / "b", rows_12()), tmp_path / "bundle.zip")
    first = run(system, bundle)
    assert first.status == ImportRun.Status.DONE, first.errors
    assert changes(first, "added") == {
        "schools": 2,
        "academic sessions": 1,
        "people": 6,
        "students": 6,
        "enrolment windows": 6,
        "positions": 6,
        "courses": 2,
        "classes": 2,
        "enrollments": 10,
    }
    assert Position.objects.filter(kind=PositionKind.PRINCIPAL, ends_on__isnull=True).count() == 2
    principal = Position.objects.get(sourced_id="r-pr1")
    assert principal.school.sourced_id == "s1" and principal.starts_on == datetime.date(2026, 8, 1)
    assert Enrollment.objects.filter(student__isnull=False).count() == 6
    assert System.objects.get(pk=system.pk).sourced_id == "d1"
    before = counts()
    again = run(system, bundle)
    assert again.status == ImportRun.Status.DONE
    assert again.total_changes == 0
    assert counts() == before


def test_dry_run_counts_exactly_and_writes_nothing(system: System, tmp_path: Path) -> None:
    folder = write(tmp_path / "b", rows_12())
    before = counts()
    checked = run(system, folder, commit=False)
    assert checked.status == ImportRun.Status.READY
    assert checked.summary["enrollments"]["added"] == 10
    assert counts() == before
    assert System.objects.get(pk=system.pk).sourced_id == ""


def test_bulk_soft_deletes_what_is_missing_and_reactivates_what_returns(
    system: System, tmp_path: Path
) -> None:
    full = rows_12()
    run(system, write(tmp_path / "full", full))
    smaller = rows_12()
    for name in ("users", "roles", "enrollments"):
        smaller[name] = [
            r
            for r in smaller[name]
            if "p1-0" not in r.values() and r.get("sourcedId") not in ("p1-0", "r-p1-0", "e-p1-0")
        ]
    result = run(system, write(tmp_path / "smaller", smaller))
    assert changes(result, "soft_deleted") == {
        "students": 1,
        "enrolment windows": 1,
        "enrollments": 1,
    }
    student = Student.objects.get(sourced_id="p1-0")
    assert not student.is_active  # kept, with its history
    assert not Enrollment.objects.get(sourced_id="e-p1-0").is_active
    back = run(system, write(tmp_path / "full-again", full))
    assert changes(back, "reactivated") == {
        "students": 1,
        "enrolment windows": 1,
        "enrollments": 1,
    }
    assert Student.objects.get(sourced_id="p1-0").is_active


def test_a_teacher_who_leaves_keeps_their_ended_position(system: System, tmp_path: Path) -> None:
    run(system, write(tmp_path / "full", rows_12()))
    smaller = rows_12()
    for name in ("users", "roles", "enrollments"):
        smaller[name] = [
            r for r in smaller[name] if r.get("sourcedId") not in ("t1-0", "r-t1-0", "e-t1-0")
        ]
    run(system, write(tmp_path / "smaller", smaller))
    person = Person.objects.get(sourced_id="t1-0")
    assert not person.is_active
    position = person.positions.get()
    assert position.ends_on is not None and position.ends_on < datetime.date.today()


def test_delta_applies_status_and_ignores_older_rows(system: System, tmp_path: Path) -> None:
    run(system, write(tmp_path / "full", rows_12()))
    delta = {
        "users": [
            {
                "sourcedId": "p1-0",
                "status": "tobedeleted",
                "dateLastModified": "2026-09-01T00:00:00Z",
                "enabledUser": "true",
                "username": "p1-0",
                "givenName": "Gone",
                "familyName": "Student",
            },
            {
                "sourcedId": "t1-0",
                "status": "active",
                "dateLastModified": "2026-09-01T00:00:00Z",
                "enabledUser": "true",
                "username": "t1-0",
                "givenName": "Renamed",
                "familyName": "Teacher",
            },
        ],
    }
    result = run(system, write(tmp_path / "delta", delta))
    assert result.mode == "delta"
    assert result.summary["students"]["soft_deleted"] == 1
    assert result.summary["people"]["changed"] == 1
    assert Person.objects.get(sourced_id="t1-0").given_name == "Renamed"
    older = {
        "users": [
            {**delta["users"][1], "givenName": "Older", "dateLastModified": "2026-08-15T00:00:00Z"}
        ]
    }
    stale = run(system, write(tmp_path / "older", older))
    assert stale.total_changes == 0
    assert Person.objects.get(sourced_id="t1-0").given_name == "Renamed"


def test_version_1_1_reads_roles_from_users(system: System, tmp_path: Path) -> None:
    from trellis.demo.oneroster_bundle import write_bundle

    write_bundle(tmp_path / "v11", version="1.1", schools=2, staff=8, students=10)
    result = run(system, tmp_path / "v11")
    assert result.status == ImportRun.Status.DONE, result.errors
    assert result.summary["students"]["added"] == 10
    # 1.1 "administrator" at a school becomes a principal by the default mapping.
    assert Position.objects.filter(kind=PositionKind.PRINCIPAL).count() == 4


def test_role_mapping_is_configurable_and_manual_positions_survive(
    system: System, tmp_path: Path
) -> None:
    RoleMapping.objects.create(
        system=system,
        oneroster_role="principal",
        org_type="",
        position_kind=PositionKind.ASSISTANT_PRINCIPAL,
    )
    coach = person_create(actor=None, system=system, given_name="Cam", family_name="Coach")
    coaching = position_add(
        actor=None, person=coach, kind=PositionKind.COACH, starts_on=datetime.date(2025, 8, 1)
    )
    run(system, write(tmp_path / "b", rows_12()))
    assert Position.objects.filter(kind=PositionKind.ASSISTANT_PRINCIPAL).count() == 2
    run(system, write(tmp_path / "b2", rows_12(schools=1)))
    coaching.refresh_from_db()
    assert coaching.ends_on is None and coach.positions.count() == 1
    assert Person.objects.get(pk=coach.pk).is_active


def test_messy_but_valid_exports_are_accepted(system: System, tmp_path: Path) -> None:
    files = rows_12()
    headers = {
        # extension columns, and a 1.2 users file without its optional columns
        "users": "sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,"
        "grades,primaryOrgSourcedId,metadata.district.extra",
        "classes": "sourcedId,status,dateLastModified,title,courseSourcedId,classType,"
        "schoolSourcedId,termSourcedIds,metadata.room",
    }
    for row in files["classes"]:
        row["classType"] = "Scheduled"  # capitalised vocabulary, as real exports write it
    folder = write(
        tmp_path / "b",
        files,
        headers=headers,
        bom=True,
        names={"academicSessions": "ACADEMICSESSIONS.CSV", "orgs": "Orgs.csv"},
    )
    result = run(system, zip_folder(folder, tmp_path / "messy.zip"))
    assert result.status == ImportRun.Status.DONE, result.errors
    assert SchoolClass.objects.filter(class_type="scheduled").count() == 2


def problems_of(result: ImportRun) -> list[tuple[str, Any, str]]:
    return [(e["file"], e["row"], e["column"]) for e in result.errors]


def rejected(system: System, path: Path) -> ImportRun:
    before = counts()
    result = run(system, path)
    assert result.status == ImportRun.Status.REJECTED
    assert counts() == before
    assert result.error_count >= 1
    return result


def test_duplicate_sourced_ids_are_rejected(system: System, tmp_path: Path) -> None:
    files = rows_12()
    files["users"].append(dict(files["users"][0]))
    result = rejected(system, write(tmp_path / "b", files))
    assert ("users.csv", len(files["users"]) + 1, "sourcedId") in problems_of(result)


def test_references_that_point_nowhere_are_rejected(system: System, tmp_path: Path) -> None:
    files = rows_12()
    files["enrollments"][0]["classSourcedId"] = "no-such-class"
    result = rejected(system, write(tmp_path / "b", files))
    assert result.errors[0]["column"] == "classSourcedId"
    assert "no-such-class" in result.errors[0]["reason"]


@pytest.mark.parametrize(
    ("file", "column", "value", "words"),
    [
        ("users", "givenName", "", "A value is required"),
        ("roles", "beginDate", "2026-02-30", "not a real date"),
        ("roles", "beginDate", "08/01/2026", "YYYY-MM-DD"),
        ("classes", "classType", "lecture", "not one of"),
        ("orgs", "type", "galaxy", "not one of"),
        ("users", "enabledUser", "maybe", "true or false"),
        ("academicSessions", "schoolYear", "26", "YYYY"),
    ],
)
def test_bad_values_are_rejected_with_row_and_column(
    system: System, tmp_path: Path, file: str, column: str, value: str, words: str
) -> None:
    files = rows_12()
    files[file][-1][column] = value
    result = rejected(system, write(tmp_path / "b", files))
    first = result.errors[0]
    assert (first["file"], first["row"], first["column"]) == (
        f"{file}.csv",
        len(files[file]) + 1,
        column,
    )
    assert words in first["reason"]


def test_a_manifest_that_contradicts_the_files_is_rejected(system: System, tmp_path: Path) -> None:
    files = rows_12()
    missing = write(
        tmp_path / "missing",
        {k: v for k, v in files.items() if k != "courses"},
        modes={"courses": "bulk"},
    )
    result = rejected(system, missing)
    assert "no such file" in result.errors[0]["reason"]
    extra = write(tmp_path / "extra", files, modes={"courses": "absent"})
    assert "absent, but the bundle holds it" in rejected(system, extra).errors[0]["reason"]
    statuses = rows_12(status="active")
    bulk_with_status = write(
        tmp_path / "status", statuses, modes={name: "bulk" for name in statuses}
    )
    # Issue 7 item 17: a bulk row that fills status is read as the spec means it (a warning).
    accepted = run(system, bulk_with_status, commit=False)
    assert accepted.status == ImportRun.Status.READY, accepted.errors
    assert any("where status is left empty" in note for note in accepted.notes)


def test_unsafe_or_wrong_files_are_refused(system: System, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    not_zip = tmp_path / "roster.zip"
    not_zip.write_text("this is not a zip")
    assert "not a zip" in rejected(system, not_zip).errors[0]["reason"]
    escaping = tmp_path / "escape.zip"
    with zipfile.ZipFile(escaping, "w") as archive:
        archive.writestr("manifest.csv", "propertyName,value\n")
        archive.writestr("../../etc/orgs.csv", "x")
    assert "outside its folder" in rejected(system, escaping).errors[0]["reason"]
    assert not (tmp_path.parent / "etc" / "orgs.csv").exists()
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", "a" * 5_000_000)
    assert "zip bomb" in rejected(system, bomb).errors[0]["reason"]
    settings.TRELLIS_IMPORT_MAX_BYTES = 1000
    big = zip_folder(write(tmp_path / "big", rows_12()), tmp_path / "big.zip")
    assert "limit" in rejected(system, big).errors[0]["reason"]


def test_a_bundle_for_another_district_is_refused(system: System, tmp_path: Path) -> None:
    run(system, write(tmp_path / "b", rows_12()))
    other = rows_12()
    other["orgs"][0]["sourcedId"] = "d2"
    for row in other["orgs"][1:]:
        row["parentSourcedId"] = "d2"
    assert "wrong --system" in rejected(system, write(tmp_path / "o", other)).errors[0]["reason"]


def test_command_line_prints_the_summary_and_fails_on_rejection(
    system: System, tmp_path: Path
) -> None:
    folder = write(tmp_path / "b", rows_12())
    out = StringIO()
    call_command("import_oneroster", str(folder), "--system", "riverbend", "--dry-run", stdout=out)
    assert "dry run: nothing written" in out.getvalue()
    assert Student.objects.count() == 0
    call_command("import_oneroster", str(folder), "--system", "riverbend", stdout=out)
    again = StringIO()
    call_command("import_oneroster", str(folder), "--system", "riverbend", stdout=again)
    assert "0 changes (the same bundle as before: nothing to do)" in again.getvalue()
    files = rows_12()
    files["users"][0]["givenName"] = ""
    with pytest.raises(CommandError, match="rejected"):
        call_command(
            "import_oneroster",
            str(write(tmp_path / "bad", files)),
            "--system",
            "riverbend",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="no system"):
        call_command("import_oneroster", str(folder), "--system", "nowhere")


def test_people_csv_through_the_same_pipeline(system: System, tmp_path: Path) -> None:
    School.objects.create(system=system, name="Oak Hill", identifier="1300001")
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "person_id,given_name,family_name,email,school,position,title,starts_on\n"
        "hr-1,Ana,Avila,ana@example.org,1300001,principal,,2024-08-01\n"
        "hr-2,Ben,Bell,ben@example.org,1300001,teacher,Teacher,2023-08-01\n"
        "hr-2,Ben,Bell,ben@example.org,1300001,teacher_leader,Content lead,2025-08-01\n"
    )
    first = run(system, csv_file, kind="people_csv", mode="bulk")
    assert first.status == ImportRun.Status.DONE, first.errors
    assert first.summary["people"]["added"] == 2 and first.summary["positions"]["added"] == 3
    assert run(system, csv_file, kind="people_csv", mode="bulk").total_changes == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "person_id,given_name,family_name,school,position\n"
        "hr-3,Cy,Cole,9999999,teacher\nhr-4,,Dunn,,astronaut\n"
    )
    before = counts()
    result = run(system, bad, kind="people_csv", mode="delta")
    assert result.status == ImportRun.Status.REJECTED
    assert counts() == before
    assert {(e["row"], e["column"]) for e in result.errors} == {
        (2, "school"),
        (3, "given_name"),
        (3, "position"),
    }


@pytest.mark.skipif(not SHARED.exists(), reason="../shared (public sample data) is not present")
@pytest.mark.parametrize(
    "folder",
    [
        "oneroster-catalyst-moodle/Test_full_data_set",
        "oneroster-catalyst-moodle/Test_minimal_data_set",
        "oneroster-catalyst-moodle/v1p2_full_dataset",
        "oneroster-oat-sa/OneRosterv1p1BaseCSV",
    ],
)
def test_defective_public_bundles_are_rejected(system: System, folder: str) -> None:
    result = rejected(system, SHARED / folder)
    assert all(e["reason"] for e in result.errors)


@pytest.mark.skipif(not SHARED.exists(), reason="../shared (public sample data) is not present")
def test_public_1_2_delta_sample_imports_and_is_stable(system: System) -> None:
    # Valid except for an optional column users.csv leaves out, which the importer accepts.
    path = SHARED / "oneroster-catalyst-moodle" / "oneroster_test_data"
    first = run(system, path)
    assert first.status == ImportRun.Status.DONE, first.errors
    assert Student.objects.get(sourced_id="USER_0").family_name == "Wayne"
    assert run(system, path).total_changes == 0
