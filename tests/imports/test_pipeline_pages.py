"""The one import pipeline through its pages: people CSV (issue 7 item 1), the mass-removal
guard (item 16), the uploaded name in every report (item 18), repeats, warnings, interrupted
runs. Background tasks run at once in tests (tests/conftest.py)."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.rosters.bundles import rows_12, write, zip_folder
from trellis.authz.roles import Action
from trellis.core.models import AuditEvent
from trellis.imports import registry
from trellis.imports.models import ImportRun
from trellis.imports.registry import Context, ImportKind, ImportProblems, Result
from trellis.people.models import Person
from trellis.students.models import Student

PEOPLE = (
    "person_id,given_name,family_name,email,school,position,title,starts_on\n"
    "hr-1,Ana,Avila,ana@example.org,1300001,principal,,2024-08-01\n"
    "hr-2,Ben,Bell,ben@example.org,1300001,teacher,Teacher,2023-08-01\n"
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def latest(world: World) -> ImportRun:
    return ImportRun.objects.exclude(pk=world.import_run_id).latest("pk")


def upload(world: World, name: str, content: bytes, kind: str, **extra: str) -> ImportRun:
    response = world.client("admin").post(
        "/imports/new/",
        {
            "system": str(world.system.pk),
            "kind": kind,
            "file": SimpleUploadedFile(name, content),
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = latest(world)
    assert response["Location"] == f"/imports/{run.pk}/"
    return run


def page(world: World, run: ImportRun) -> str:
    return world.client("admin").get(f"/imports/{run.pk}/").content.decode()


def test_item1_people_csv_is_checked_committed_and_reported(world: World) -> None:
    run = upload(world, "staff.csv", PEOPLE.encode(), "people_csv", **{"people_csv-mode": "delta"})
    assert run.status == ImportRun.Status.READY, run.errors
    preview = page(world, run)
    assert "Checked: ready to commit" in preview and "Commit these changes" in preview
    assert "People CSV, delta" in preview and "mixed" not in preview
    assert not Person.objects.filter(sourced_id="hr-1").exists()  # the preview wrote nothing
    response = world.client("admin").post(f"/imports/{run.pk}/commit/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE, run.errors
    assert run.mode == "delta"
    report = page(world, run)
    assert "What changed" in report and "People CSV, delta" in report
    assert "Unknown mode" not in report
    assert Person.objects.filter(system=world.system, sourced_id__in=["hr-1", "hr-2"]).count() == 2
    # Each record kind comes "from" the uploaded file, by its own name.
    assert "staff.csv" in report
    assert AuditEvent.objects.filter(action="import.commit", object_id=str(run.pk)).exists()


def test_item18_problems_name_the_uploaded_file_never_the_random_one(world: World) -> None:
    bad = "person_id,given_name,family_name,school,position\nhr-4,,Dunn,,astronaut\n"
    run = upload(world, "hr export.csv", bad.encode(), "people_csv")
    assert run.status == ImportRun.Status.REJECTED
    random_name = Path(run.source_path).name
    assert random_name != "hr export.csv"
    assert {e["file"] for e in run.errors} == {"hr export.csv"}
    text = page(world, run)
    assert "hr export.csv" in text and random_name not in text
    download = world.client("admin").get(f"/imports/{run.pk}/?format=csv")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "hr export.csv" in body and random_name not in body
    # A zip that is no zip: the message names the uploaded file too.
    broken = upload(world, "nightly.zip", b"hello", "oneroster")
    assert broken.errors[0]["file"] == "nightly.zip"
    assert Path(broken.source_path).name not in page(world, broken)


def test_a_file_of_the_wrong_type_is_refused_by_the_form(world: World) -> None:
    response = world.client("admin").post(
        "/imports/new/",
        {
            "system": str(world.system.pk),
            "kind": "people_csv",
            "file": SimpleUploadedFile("roster.zip", b"PK"),
        },
    )
    assert response.status_code == 200
    assert "A People CSV is a .csv file; roster.zip is not." in response.content.decode()


def bundle_zip(tmp_path: Path, name: str, students: int = 3) -> bytes:
    folder = write(tmp_path / name, rows_12(students=students))
    return zip_folder(folder, tmp_path / f"{name}.zip").read_bytes()


def commit(world: World, run: ImportRun, **data: str) -> ImportRun:
    world.client("admin").post(f"/imports/{run.pk}/commit/", data)
    run.refresh_from_db()
    return run


def test_repeats_say_the_file_was_already_imported_and_updates_show_their_changes(
    world: World, tmp_path: Path
) -> None:
    first = upload(world, "nightly.zip", bundle_zip(tmp_path, "a"), "oneroster")
    assert "would be linked to the district org" in page(world, first)
    assert "is now linked" not in page(world, first)  # item 16: nothing is committed yet
    assert commit(world, first).status == ImportRun.Status.DONE
    assert "is now linked to the district org" in page(world, first)
    # The same files zipped again a little later (other timestamps inside the zip).
    time.sleep(2.1)
    again = upload(world, "nightly-copy.zip", bundle_zip(tmp_path, "a"), "oneroster")
    assert again.total_changes == 0
    day = first.committed_at.astimezone().strftime("%Y-%m-%d") if first.committed_at else ""
    text = page(world, again)
    assert f"This file was already imported on {day}" in text
    assert "nothing would change" in text
    # An updated file: one more student per school. The preview names what changes.
    updated = upload(world, "nightly.zip", bundle_zip(tmp_path, "b", students=4), "oneroster")
    assert updated.summary["students"]["added"] == 2
    assert "already imported" not in page(world, updated)
    # People CSV: the same file again changes nothing, and says so.
    people = upload(world, "staff.csv", PEOPLE.encode(), "people_csv")
    commit(world, people)
    repeat = upload(world, "staff (1).csv", PEOPLE.encode(), "people_csv")
    assert repeat.total_changes == 0
    assert "already imported on" in page(world, repeat) and "nothing would change" in page(
        world, repeat
    )


def test_item16_mass_removal_needs_confirmation_on_the_page(world: World, tmp_path: Path) -> None:
    full = upload(world, "full.zip", bundle_zip(tmp_path, "full", students=5), "oneroster")
    commit(world, full)
    assert Student.objects.filter(system=world.system, is_active=True).count() == 10
    # Tomorrow's bulk file lists only 2 students per school: 6 of 10 would leave.
    small = upload(world, "small.zip", bundle_zip(tmp_path, "small", students=2), "oneroster")
    assert small.status == ImportRun.Status.READY
    text = page(world, small)
    assert "Mass removal" in text
    assert "6 of 10 active students (60.0%)" in text
    assert 'name="confirm_mass_removal"' in text
    # Without the confirmation nothing is queued and nothing leaves.
    response = world.client("admin").post(f"/imports/{small.pk}/commit/", follow=True)
    assert "Tick the confirmation" in response.content.decode()
    small.refresh_from_db()
    assert small.status == ImportRun.Status.READY
    assert Student.objects.filter(system=world.system, is_active=True).count() == 10
    assert commit(world, small, confirm_mass_removal="on").status == ImportRun.Status.DONE
    assert Student.objects.filter(system=world.system, is_active=True).count() == 4


def test_item16_threshold_is_a_system_setting(world: World, tmp_path: Path) -> None:
    client = world.client("admin")
    assert client.get("/imports/settings/").status_code == 200
    client.post("/imports/settings/", {"system_id": world.system.pk, "mass_removal_percent": 70})
    commit(world, upload(world, "full.zip", bundle_zip(tmp_path, "f", students=5), "oneroster"))
    small = upload(world, "small.zip", bundle_zip(tmp_path, "s", students=2), "oneroster")
    assert small.mass_removal == [] and "Mass removal" not in page(world, small)
    assert world.client("leader").get("/imports/settings/").status_code == 403


def test_item16_command_line_needs_allow_mass_removal(world: World, tmp_path: Path) -> None:
    full = write(tmp_path / "full", rows_12(students=5))
    call_command("import_oneroster", str(full), "--system", world.system.code, stdout=StringIO())
    small = write(tmp_path / "small", rows_12(students=2))
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_oneroster", str(small), "--system", world.system.code, stdout=StringIO()
        )
    assert refused.value.returncode == 1
    assert "6 of 10 active students (60.0%)" in str(refused.value)
    assert "--allow-mass-removal" in str(refused.value)
    assert Student.objects.filter(system=world.system, is_active=True).count() == 10
    # A dry run shows the guard too, and writes nothing.
    dry = StringIO()
    call_command(
        "import_oneroster", str(small), "--system", world.system.code, "--dry-run", stdout=dry
    )
    assert "MASS REMOVAL: This import removes 6 of 10 active students" in dry.getvalue()
    out = StringIO()
    call_command(
        "import_oneroster",
        str(small),
        "--system",
        world.system.code,
        "--allow-mass-removal",
        stdout=out,
    )
    assert Student.objects.filter(system=world.system, is_active=True).count() == 4


# --- A kind registered by a test: warnings, errors and a kind that must not commit twice -----


def _fake_check(context: Context) -> Result:
    text = context.path.read_text()
    if "bad" in text:
        raise ImportProblems(
            [
                {"file": context.path.name, "row": 2, "column": "code", "reason": "No code."},
                {
                    "file": context.path.name,
                    "row": 3,
                    "column": "x",
                    "reason": "Ignored.",
                    "severity": "warning",
                },
            ]
        )
    changed = 0 if AuditEvent.objects.filter(action="fake.applied").exists() else 1
    return Result(
        summary={"things": {"added": changed, "unchanged": 1 - changed}},
        sources={"things": context.source_name},
        warnings=[
            {"file": context.path.name, "row": 4, "column": "note", "reason": "Column unused."}
        ],
    )


def _fake_apply(context: Context) -> Result:
    result = _fake_check(context)
    AuditEvent.objects.create(actor_label="t", action="fake.applied")
    return result


@pytest.fixture
def fake_kind() -> Any:
    kind = ImportKind(
        code="fake",
        label="Fake file",
        accepts=(".txt",),
        permission=Action.ROSTERS_MANAGE,
        check=_fake_check,
        apply=_fake_apply,
        commit_unchanged=False,
    )
    registry.register(kind)
    yield kind
    registry._KINDS.pop("fake", None)


def test_warnings_show_in_preview_and_report_and_do_not_block(world: World, fake_kind: Any) -> None:
    run = upload(world, "things.txt", b"fine", "fake")
    text = page(world, run)
    assert run.status == ImportRun.Status.READY
    assert "1 warning: these do not stop the import" in text and "Column unused." in text
    assert "things.txt" in text and Path(run.source_path).name not in text
    assert commit(world, run).status == ImportRun.Status.DONE
    assert "1 warning: imported anyway" in page(world, run)
    # The same file again: nothing would change, and a kind that must not commit an identical
    # file offers no commit.
    again = upload(world, "things.txt", b"fine", "fake")
    text = page(world, again)
    assert "already imported on" in text and "Commit these changes" not in text
    world.client("admin").post(f"/imports/{again.pk}/commit/")
    again.refresh_from_db()
    assert again.status == ImportRun.Status.READY
    assert AuditEvent.objects.filter(action="fake.applied").count() == 1


def test_errors_block_and_warnings_travel_with_them(world: World, fake_kind: Any) -> None:
    run = upload(world, "things.txt", b"bad", "fake")
    assert run.status == ImportRun.Status.REJECTED
    assert run.error_count == 1 and run.warning_count == 1
    assert [e["file"] for e in run.errors] == ["things.txt"]
    download = world.client("admin").get(f"/imports/{run.pk}/?format=csv")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "things.txt,2,code,error,No code." in body
    assert "things.txt,3,x,warning,Ignored." in body


def test_a_run_whose_worker_died_is_interrupted_and_can_be_re_run(world: World) -> None:
    run = upload(world, "staff.csv", PEOPLE.encode(), "people_csv")
    # As if a worker had been killed while committing: its status row says "committing", and
    # its process (pid) is gone.
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.COMMITTING, worker_pid=2**22 + 12345, worker_host=_host()
    )
    # (On PostgreSQL no advisory lock is held for this run: dead as well.)
    text = page(world, run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INTERRUPTED
    assert "Interrupted: nothing was written" in text and "Re-run the import" in text
    assert AuditEvent.objects.filter(action="import.interrupted", object_id=str(run.pk)).exists()
    world.client("admin").post(f"/imports/{run.pk}/rerun/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY
    assert commit(world, run).status == ImportRun.Status.DONE


def _host() -> str:
    from trellis.imports.services import HOST

    return HOST


def test_a_run_whose_worker_lives_stays_running(world: World) -> None:
    import os

    from django.db import connection

    from trellis.imports.services import LOCK_SPACE

    run = upload(world, "staff.csv", PEOPLE.encode(), "people_csv")
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.CHECKING, worker_pid=os.getpid(), worker_host=_host()
    )
    if connection.vendor == "postgresql":
        # The live worker's session holds the run's advisory lock; here, another session.
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as worker:
            worker.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_SPACE, run.pk])
            page(world, run)
            run.refresh_from_db()
            assert run.status == ImportRun.Status.CHECKING
        return
    page(world, run)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKING


def test_the_upload_form_groups_each_kinds_options_under_its_name_styled_and_labelled(
    world: World,
) -> None:
    """Without JavaScript every kind's options show, each set in a fieldset whose legend names
    its kind; trellis.js then shows only the chosen kind's (tests/browser)."""

    class Fields(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.groups: dict[str, dict[str, Any]] = {}
            self.labels: dict[str, str] = {}
            self.controls: dict[str, dict[str, str]] = {}
            self._group = ""
            self._legend: list[str] | None = None
            self._label: tuple[str, list[str]] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = {k: v or "" for k, v in attrs}
            if "data-kind-options" in a:
                self._group = a["data-kind-options"]
                self.groups[self._group] = {"legend": "", "fields": []}
            elif tag == "legend":
                self._legend = []
            elif tag == "label":
                self._label = (a.get("for", ""), [])
            elif tag in ("input", "select") and a.get("name"):
                self.controls[a["name"]] = a
                if self._group:
                    self.groups[self._group]["fields"].append(a["name"])

        def handle_endtag(self, tag: str) -> None:
            if tag == "legend" and self._legend is not None:
                self.groups[self._group]["legend"] = "".join(self._legend).strip()
                self._legend = None
            elif tag == "label" and self._label is not None:
                self.labels[self._label[0]] = "".join(self._label[1]).strip()
                self._label = None

        def handle_data(self, data: str) -> None:
            for buffer in (self._legend, self._label[1] if self._label else None):
                if buffer is not None:
                    buffer.append(data)

    form = Fields()
    form.feed(world.client("admin").get("/imports/new/?kind=people_csv").content.decode())
    assert form.groups["people_csv"] == {
        "legend": "People CSV: options",
        "fields": ["people_csv-mode"],
    }
    assert form.groups["case"]["legend"] == "CASE framework: options"
    assert form.groups["framework_csv"]["fields"] == [
        "framework_csv-title",
        "framework_csv-kind",
        "framework_csv-subject_kind",
    ]
    # Every option is styled like the rest of the forms and has a label of its own.
    for group in form.groups.values():
        for name in group["fields"]:
            control = form.controls[name]
            assert control["class"] in ("form-select", "form-control"), control
            assert form.labels[control["id"]], name
    assert form.labels["id_framework_csv-title"] == "Title"
    assert form.controls["kind"]["data-kind-select"] == ""
    # The kind the page was opened for is chosen; the folder shows only for kinds that read one.
    page = world.client("admin").get("/imports/new/?kind=people_csv").content.decode()
    assert '<option value="people_csv" selected>People CSV</option>' in page
    assert '<div data-kind-folders="oneroster">' in page
    # A text option is checked like any other text field.
    response = world.client("admin").post(
        "/imports/new/",
        {
            "system": str(world.system.pk),
            "kind": "framework_csv",
            "framework_csv-title": "Bad\x07title",
            "file": SimpleUploadedFile("f.csv", b"code,parent_code,statement,type\n1,,S,D\n"),
        },
    )
    assert response.status_code == 200 and not ImportRun.objects.filter(kind="framework_csv")


def test_a_preview_checked_before_another_commit_says_so_and_is_checked_again(
    world: World,
) -> None:
    # Two previews of the same file; the first is committed. The second's preview ("would add
    # two people") is then out of date: the page says so, and checking it again shows that
    # nothing would change.
    first = upload(world, "staff.csv", PEOPLE.encode(), "people_csv")
    second = upload(world, "staff copy.csv", PEOPLE.encode(), "people_csv")
    assert second.total_changes == first.total_changes > 0
    assert "may be out of date" not in page(world, second)
    assert commit(world, first).status == ImportRun.Status.DONE
    stale = page(world, second)
    assert "may be out of date" in stale and f'href="/imports/{first.pk}/"' in stale
    assert "Check it again" in stale
    response = world.client("admin").post(f"/imports/{second.pk}/rerun/")
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == ImportRun.Status.READY and second.total_changes == 0
    again = page(world, second)
    assert "may be out of date" not in again
    assert "already imported on" in again and "nothing would change" in again
    assert AuditEvent.objects.filter(action="import.rerun", object_id=str(second.pk)).exists()
