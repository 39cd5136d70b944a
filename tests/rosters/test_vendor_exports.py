"""Issue 7 item 17: real vendor exports are not refused for trivia. Errors (what would store
wrong or dangling data) block; warnings (what Trellis reads unambiguously or does not use) are
reported with the preview. Every problem names its file, row or column, and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rosters.bundles import rows_12, write
from trellis.orgs.models import System
from trellis.orgs.services import system_create
from trellis.rosters.bundle import BundleRejected, Problem, open_bundle
from trellis.rosters.oneroster import Outcome, Rejected, run_import

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
CATALYST = SHARED / "oneroster-catalyst-moodle" / "v1p2_full_dataset"
OAT = SHARED / "oneroster-oat-sa" / "OneRosterv1p1BaseCSV"
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="public sample data not present")


@pytest.fixture
def system() -> System:
    return system_create(actor=None, code="riverbend", name="Riverbend Public Schools")


def preview(system: System, path: Path) -> tuple[Outcome | None, list[Problem], list[Problem]]:
    """(outcome, errors, warnings) of a check that writes nothing."""
    try:
        with open_bundle(path, max_bytes=10**8) as bundle:
            outcome = run_import(bundle, system, commit=False)
    except (Rejected, BundleRejected) as rejected:
        return None, rejected.problems, rejected.warnings
    return outcome, [], outcome.warnings


def located_with_a_fix(problem: Problem) -> bool:
    return (
        bool(problem.file)
        and (problem.row or problem.column or problem.file) is not None
        and ("Fix:" in problem.reason)
    )


@needs_shared
def test_item17_catalyst_v1p2_is_refused_only_for_what_an_administrator_can_fix(
    system: System,
) -> None:
    outcome, errors, warnings = preview(system, CATALYST)
    assert outcome is None
    # The trivia of the issue are warnings now: blank manifest values for files Trellis does
    # not read, and a userProfiles.csv the manifest does not declare.
    assert not any(e.file == "manifest.csv" or "userprofiles" in e.file.lower() for e in errors)
    assert {w.column for w in warnings if w.file == "manifest.csv"} == {
        "file.scoreScales",
        "file.userProfiles",
        "file.userResources",
    }
    assert any(w.file == "userprofiles.csv" for w in warnings)
    # Bulk rows with status and dateLastModified filled, and rows short of two unnamed header
    # cells, are read unambiguously.
    assert any(w.column == "status" and w.file == "roles.csv" for w in warnings)
    assert any("columns with no name" in w.reason for w in warnings)
    assert all(w.severity == "warning" for w in warnings)
    # What remains would store wrong or dangling data; each error says where and how to fix it.
    assert errors and all(located_with_a_fix(e) and e.severity == "error" for e in errors)
    reasons = " ".join(e.reason for e in errors)
    assert "'inactive' is not a status" in reasons
    assert "department org in orgs.csv, not a school" in reasons
    assert "courses.csv is absent" in reasons
    assert all(e.row for e in errors)


@needs_shared
def test_item17_oat_v1p1_is_refused_only_for_its_dangling_terms(system: System) -> None:
    outcome, errors, warnings = preview(system, OAT)
    assert outcome is None
    assert {(e.file, e.row, e.column) for e in errors} == {
        ("classes.csv", 2, "termSourcedIds"),
        ("classes.csv", 3, "termSourcedIds"),
        ("classes.csv", 4, "termSourcedIds"),
    }
    assert all(located_with_a_fix(e) for e in errors)
    kinds = {(w.file, w.column) for w in warnings}
    # Bulk rows with status filled, date-only dateLastModified, classes without a course and
    # files with a header and no rows: warnings.
    assert ("classes.csv", "status") in kinds and ("enrollments.csv", "status") in kinds
    assert ("classes.csv", "dateLastModified") in kinds
    assert ("classes.csv", "courseSourcedId") in kinds
    assert ("academicSessions.csv", "") in kinds and ("courses.csv", "") in kinds


@needs_shared
def test_item17_oat_with_its_terms_fixed_imports_with_warnings(
    system: System, tmp_path: Path
) -> None:
    """The fix the error names (add the term to academicSessions.csv) is all it takes."""
    folder = tmp_path / "oat"
    folder.mkdir()
    for item in OAT.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    (folder / "academicSessions.csv").write_text(
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId\n"
        "1,,,2016-17,schoolYear,2016-08-01,2017-06-30,\n",
        encoding="utf-8",
    )
    outcome, errors, warnings = preview(system, folder)
    assert outcome is not None, errors
    added = {name: counts["added"] for name, counts in outcome.summary.items() if counts["added"]}
    assert added == {
        "schools": 2,
        "academic sessions": 1,
        "students": 2,
        "enrolment windows": 2,
        "classes": 3,
        "enrollments": 3,
    }
    assert any(w.column == "schoolYear" and "year it ends" in w.reason for w in warnings)
    assert any(note.startswith("Warning: ") for note in outcome.notes)


def test_item17_a_bulk_tobedeleted_row_removes_its_record(system: System, tmp_path: Path) -> None:
    with open_bundle(write(tmp_path / "a", rows_12()), max_bytes=10**8) as bundle:
        run_import(bundle, system, commit=True)
    files = rows_12()
    course = next(c for c in files["courses"] if c["sourcedId"] == "c2")
    course["status"] = "tobedeleted"
    files["classes"] = [c for c in files["classes"] if c["courseSourcedId"] != "c2"]
    files["enrollments"] = [e for e in files["enrollments"] if e["classSourcedId"] != "k2"]
    with open_bundle(write(tmp_path / "b", files, modes={"courses": "bulk"}), max_bytes=10**8) as b:
        outcome = run_import(b, system, commit=True)
    assert outcome.summary["courses"]["soft_deleted"] == 1
    assert any(w.column == "status" for w in outcome.warnings)
