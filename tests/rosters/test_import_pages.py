"""The import pages as a system administrator uses them: upload, preview, commit, history."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import World
from tests.rosters.bundles import rows_12, write, zip_folder
from trellis.core.models import AuditEvent
from trellis.rosters.models import ImportRun, RoleMapping
from trellis.students.models import Student


def new_run(world: World) -> ImportRun:
    return ImportRun.objects.exclude(pk=world.import_run_id).get()


def upload(world: World, path: Path, **extra: str):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        data = {
            "system": str(world.system.pk),
            "kind": "oneroster",
            "mode": "delta",
            "file": SimpleUploadedFile(path.name, handle.read()),
            **extra,
        }
    return world.client("admin").post("/imports/new/", data)


def test_upload_preview_commit_and_history(world: World, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    bundle = zip_folder(write(tmp_path / "b", rows_12()), tmp_path / "nightly.zip")
    response = upload(world, bundle)
    run = new_run(world)
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/"
    client = world.client("admin")
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "Checked: ready to commit" in page
    assert "What committing would change" in page and "Commit these changes" in page
    assert Student.objects.count() == 0  # the preview wrote nothing
    client.post(f"/imports/{run.pk}/commit/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert Student.objects.filter(system=world.system).count() == 6
    report = client.get(f"/imports/{run.pk}/").content.decode()
    assert "What changed" in report and "Committed" in report
    assert AuditEvent.objects.filter(action="import.commit", object_id=str(run.pk)).exists()
    history = client.get("/imports/")
    assert [r.pk for r in history.context["object_list"]] == [run.pk, world.import_run_id]
    progress = client.get(f"/imports/{run.pk}/progress/")
    assert progress["HX-Refresh"] == "true" and b'role="progressbar"' in progress.content


def test_a_rejected_upload_lists_every_problem_and_writes_nothing(
    world: World,
    tmp_path: Path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    files = rows_12()
    files["enrollments"][0]["userSourcedId"] = "ghost"
    files["users"][1]["familyName"] = ""
    upload(world, zip_folder(write(tmp_path / "b", files), tmp_path / "bad.zip"))
    run = new_run(world)
    assert run.status == ImportRun.Status.REJECTED
    client = world.client("admin")
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "2 problems: nothing was written" in page
    assert "ghost" in page and "familyName" in page
    assert "Commit these changes" not in page
    download = client.get(f"/imports/{run.pk}/?format=csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert text.startswith("File,Row,Column,Severity,Problem") and "ghost" in text
    assert client.post(f"/imports/{run.pk}/commit/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    client.post(f"/imports/{run.pk}/discard/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DISCARDED


def test_upload_form_needs_a_file_and_refuses_non_zips(
    world: World, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    client = world.client("admin")
    empty = client.post(
        "/imports/new/", {"system": world.system.pk, "kind": "oneroster", "mode": "delta"}
    )
    assert empty.status_code == 200
    assert "Choose a file to upload" in empty.content.decode()
    text = tmp_path / "roster.zip"
    text.write_text("hello")
    upload(world, text)
    assert "not a zip" in new_run(world).errors[0]["reason"]


def test_server_folder_must_be_inside_the_import_root(
    world: World, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TRELLIS_IMPORT_ROOT = tmp_path / "sis"
    write(tmp_path / "sis" / "riverbend" / "nightly", rows_12())
    write(tmp_path / "sis" / "lakeside" / "nightly", rows_12())
    client = world.client("admin")
    outside = client.post(
        "/imports/new/",
        {"system": world.system.pk, "kind": "oneroster", "mode": "delta", "folder": "../../etc"},
    )
    assert "Only folders inside" in outside.content.decode()
    # Another system's drop folder is out of reach, even from inside the shared root.
    other = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": "oneroster",
            "mode": "delta",
            "folder": "../lakeside/nightly",
        },
    )
    assert "Only folders inside" in other.content.decode()
    assert not ImportRun.objects.exclude(pk=world.import_run_id).exists()
    inside = client.post(
        "/imports/new/",
        {"system": world.system.pk, "kind": "oneroster", "mode": "delta", "folder": "nightly"},
    )
    assert inside.status_code == 302
    assert new_run(world).status == ImportRun.Status.READY


def test_role_mapping_page_changes_the_mapping(world: World) -> None:
    client = world.client("admin")
    page = client.get("/imports/role-mapping/").content.decode()
    assert "siteAdministrator" in page and "Assistant principal" in page
    client.post(
        "/imports/role-mapping/",
        {
            "system_id": world.system.pk,
            "oneroster_role": "counselor",
            "org_type": "school",
            "position_kind": "teacher_leader",
        },
    )
    mapping = RoleMapping.objects.get()
    assert (mapping.oneroster_role, mapping.org_type, mapping.position_kind) == (
        "counselor",
        "school",
        "teacher_leader",
    )
