"""Framework imports through the one import pipeline (issue 8 part 4): CASE packages and
spreadsheets at Imports → Import a file, with the pipeline's preview, commit, report and history."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import World
from tests.frameworks.packages import rubric_package
from trellis.core.models import AuditEvent
from trellis.frameworks.models import Framework, FrameworkVersion
from trellis.imports.models import ImportRun


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(world: World, name: str, content: bytes, **extra: Any) -> ImportRun:
    kind = "case" if name.endswith(".json") else "framework_csv"
    response = world.client("programs").post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": kind,
            f"{kind}-kind": "leadership",
            f"{kind}-subject_kind": "person",
            "file": SimpleUploadedFile(name, content),
            **{f"{kind}-{key}": value for key, value in extra.items()},
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run = ImportRun.objects.latest("pk")
    assert response["Location"] == f"/imports/{run.pk}/"
    return run


def page(world: World, run: ImportRun) -> str:
    return world.client("programs").get(f"/imports/{run.pk}/").content.decode()


def test_a_case_package_is_previewed_committed_and_repeated_through_the_pipeline(
    world: World,
) -> None:
    framework = Framework.objects.get(pk=world.framework_id)  # the world imported the package
    # The package as it is: identical, nothing to commit.
    same = upload(world, "rubric.json", json.dumps(rubric_package()).encode())
    assert same.status == ImportRun.Status.READY and same.total_changes == 0
    assert "Commit these changes" not in page(world, same)
    # An updated package: its changes are previewed, then committed as a new version.
    package = rubric_package()
    package["CFItems"][0]["fullStatement"] = "A new wording"
    content = json.dumps(package).encode()
    before = FrameworkVersion.objects.count()
    run = upload(world, "rubric v2.json", content)
    assert run.status == ImportRun.Status.READY, run.errors
    assert run.kind == "case" and run.summary["items"]["changed"] == 1, run.summary
    preview = page(world, run)
    assert "What committing would change" in preview and "rubric v2.json" in preview
    # Each record that changes is listed with the fields that change in it.
    assert "The records that would change" in preview
    assert re.search(r"<td>Changed</td><td>[^<]*A new wording</td><td>statement</td>", preview)
    assert FrameworkVersion.objects.count() == before  # the check wrote nothing
    world.client("programs").post(f"/imports/{run.pk}/commit/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.errors
    assert framework.versions.count() == 2
    report = page(world, run)
    assert f"/frameworks/{framework.pk}/" in report and "version 2" in report
    assert AuditEvent.objects.filter(action="import.commit", object_id=str(run.pk)).exists()
    # The same file again: already imported, nothing would change, nothing to commit.
    again = upload(world, "rubric v2 (1).json", content)
    assert again.status == ImportRun.Status.READY and again.total_changes == 0
    text = page(world, again)
    assert "This file was already imported on" in text and "nothing would change" in text
    assert "Commit these changes" not in text
    world.client("programs").post(f"/imports/{again.pk}/commit/")
    assert framework.versions.count() == 2


def test_a_spreadsheet_with_problems_names_its_rows_and_writes_nothing(world: World) -> None:
    before = FrameworkVersion.objects.count()
    content = b"code,parent_code,statement,type,Low,High\n1,,Domain,Domain,,\n1.1,1,,C,a,b\n"
    run = upload(world, "our rubric.csv", content, title="Ours")
    assert run.status == ImportRun.Status.REJECTED
    assert [(e["file"], e["row"], e["column"]) for e in run.errors] == [
        ("our rubric.csv", 3, "statement")
    ]
    text = page(world, run)
    assert "nothing was written" in text and Path(run.source_path).name not in text
    assert FrameworkVersion.objects.count() == before


def test_framework_runs_are_seen_by_framework_managers_and_roster_runs_are_not(
    world: World,
) -> None:
    run = upload(world, "rubric.json", json.dumps(rubric_package()).encode())
    history = world.client("programs").get("/imports/")
    assert [r.pk for r in history.context["object_list"]] == [run.pk]  # not the roster run
    assert world.client("programs").get(f"/imports/{world.import_run_id}/").status_code == 403
    assert world.client("admin").get(f"/imports/{run.pk}/").status_code == 200


def test_program_managers_find_imports_in_the_navigation(world: World) -> None:
    # Framework managers run CASE and spreadsheet imports through the pipeline: the link shows.
    page = world.client("programs").get("/").content.decode()
    assert 'href="/imports/"' in page
    assert 'href="/imports/"' not in world.client("analyst").get("/").content.decode()
