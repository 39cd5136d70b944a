"""Roster imports: start a run, check it (the preview), commit it, discard it; role mappings."""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.orgs.models import System
from trellis.rosters.bundle import Bundle, BundleRejected, open_bundle
from trellis.rosters.models import ImportRun, RoleMapping
from trellis.rosters.oneroster import Outcome, Progress, Rejected, run_import
from trellis.rosters.people_csv import open_people_csv

Status = ImportRun.Status


def upload_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(upload: UploadedFile) -> Path:
    """Keep an uploaded file under MEDIA_ROOT/imports for the background checks and commit."""
    if upload.size is not None and upload.size > settings.TRELLIS_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": "The file is larger than the limit of "
                f"{settings.TRELLIS_IMPORT_MAX_BYTES:,} bytes."
            }
        )
    suffix = Path(upload.name or "upload").suffix.lower()[:10]
    target = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def server_folder(system: System, path_text: str) -> Path:
    """A bundle folder on the server, only inside the system's own drop folder
    (TRELLIS_IMPORT_ROOT/<system code>/), so that no system can read another's roster."""
    root = (Path(settings.TRELLIS_IMPORT_ROOT) / system.code).resolve()
    path = (root / path_text).resolve()
    if root not in path.parents and path != root:
        raise ValidationError({"folder": f"Only folders inside {root} can be imported."})
    if not path.is_dir():
        raise ValidationError({"folder": f"There is no folder {path}."})
    return path


def import_run_create(
    *,
    actor: Any,
    system: System,
    kind: str,
    path: Path,
    source_name: str,
    mode: str = "",
    actor_label: str | None = None,
) -> ImportRun:
    require(actor, Action.ROSTERS_MANAGE, system)
    with transaction.atomic():
        run = ImportRun.objects.create(
            system=system,
            kind=kind,
            source_name=source_name[:255],
            source_path=str(path),
            mode=mode,
            created_by=actor if actor is not None else None,
            created_by_label=actor_label or (actor.email if actor is not None else "command line"),
        )
        audit_event_record(
            actor=actor,
            action="import.create",
            obj=run,
            system_id=system.pk,
            actor_label=actor_label,
            after={"kind": kind, "source": source_name},
        )
    return run


def _progress(run_id: int) -> Progress:
    """Writes a run's progress at most twice a second, where other sessions can see it.

    Inside the import's transaction the row is written over a second connection (PostgreSQL);
    SQLite allows one writer, so there the bar moves between the phases only.
    """
    last = [0.0]

    def report(share: float, label: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and share < 1.0:
            return
        last[0] = now
        values = {
            "progress_done": int(share * 1000),
            "progress_total": 1000,
            "progress_label": label[:200],
        }
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=run_id).update(**values)
        elif connection.vendor == "postgresql":
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            try:
                with psycopg.connect(**params, autocommit=True) as side:
                    side.execute(
                        "UPDATE rosters_importrun SET progress_done = %s, progress_total = %s, "
                        "progress_label = %s WHERE id = %s",
                        [values["progress_done"], 1000, values["progress_label"], run_id],
                    )
            except psycopg.Error:
                pass  # progress is a courtesy; the import goes on

    return report


def _open(run: ImportRun) -> Bundle:
    path = Path(run.source_path)
    if run.kind == ImportRun.Kind.PEOPLE_CSV:
        return open_people_csv(
            path, mode=run.mode or "delta", max_bytes=settings.TRELLIS_IMPORT_MAX_BYTES
        )
    return open_bundle(path, max_bytes=settings.TRELLIS_IMPORT_MAX_BYTES)


def import_run_execute(
    *,
    run_id: int,
    commit: bool,
    progress: Callable[[float, str], None] | None = None,
    as_of: datetime.date | None = None,
) -> ImportRun:
    """Check a run (commit=False: the preview) or apply it (commit=True). Used by the background
    tasks and by the command line. A rejected or failed run writes nothing but its report."""
    run = ImportRun.objects.select_related("system").get(pk=run_id)
    run.status = Status.COMMITTING if commit else Status.CHECKING
    run.save(update_fields=["status"])
    report = progress or _progress(run.pk)
    outcome: Outcome | None = None
    try:
        with _open(run) as bundle:
            digest = bundle.digest
            if commit and run.file_digest and digest != run.file_digest:
                raise BundleRejected([])  # the file changed since it was checked
            run.oneroster_version = bundle.version
            run.mode = bundle.mode
            outcome = run_import(bundle, run.system, commit=commit, progress=report, as_of=as_of)
    except (BundleRejected, Rejected) as error:
        problems = error.problems
        count = getattr(error, "error_count", len(problems))
        problems_list: list[dict[str, object]]
        if not problems:
            problems_list = [
                {
                    "file": run.source_name,
                    "row": None,
                    "column": "",
                    "reason": "The file changed after it was checked; check it again.",
                }
            ]
        else:
            problems_list = [p.as_dict() for p in problems]
        run.errors = problems_list
        run.error_count = max(count, len(problems_list))
        run.status = Status.REJECTED
    except Exception as error:
        run.status = Status.FAILED
        run.errors = [
            {
                "file": run.source_name,
                "row": None,
                "column": "",
                "reason": f"The import stopped with an error and wrote nothing: {error}",
            }
        ]
        run.error_count = 1
        run.save()
        _remove_upload(run)
        raise
    else:
        assert outcome is not None
        run.file_digest = digest
        run.summary = outcome.summary
        run.notes = outcome.notes
        run.seconds = round(outcome.seconds, 2)
        run.errors, run.error_count = [], 0
        if commit:
            run.status = Status.DONE
            run.committed_at = timezone.now()
        else:
            run.status = Status.READY
            run.checked_at = timezone.now()
    run.progress_done, run.progress_total = 1000, 1000
    run.progress_label = run.get_status_display()
    run.save()
    if run.status == Status.DONE:
        _remove_upload(run)
    if commit and run.status == Status.DONE:
        audit_event_record(
            actor=run.created_by,
            action="import.commit",
            obj=run,
            system_id=run.system_id,
            actor_label=run.created_by_label,
            after={"summary": run.summary},
        )
    return run


def import_run_commit(*, actor: Any, run: ImportRun) -> ImportRun:
    """Queue the commit of a checked run (the task applies it in one transaction)."""
    require(actor, Action.ROSTERS_MANAGE, run.system)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != Status.READY:
            raise ValidationError("Only a checked run with no problems can be committed.")
        run.status = Status.QUEUED
        run.created_by = actor if actor is not None else run.created_by
        run.save(update_fields=["status", "created_by"])
        audit_event_record(
            actor=actor, action="import.commit_requested", obj=run, system_id=run.system_id
        )
    return run


STALE_AFTER = datetime.timedelta(hours=6)


def is_discardable(run: ImportRun) -> bool:
    """Checked, rejected and failed runs can be discarded; so can a run whose worker died."""
    if run.status in (Status.READY, Status.REJECTED, Status.FAILED):
        return True
    return run.is_running and timezone.now() - run.created_at > STALE_AFTER


def _remove_upload(run: ImportRun) -> None:
    # Uploads hold student data: kept only while the run may still need them. Folders on the
    # server belong to the SIS drop and are left alone.
    if run.source_path.startswith(str(upload_dir())):
        Path(run.source_path).unlink(missing_ok=True)


def import_run_discard(*, actor: Any, run: ImportRun) -> ImportRun:
    require(actor, Action.ROSTERS_MANAGE, run.system)
    if not is_discardable(run):
        raise ValidationError("Only a checked, rejected, failed or stalled run can be discarded.")
    with transaction.atomic():
        run.status = Status.DISCARDED
        run.save(update_fields=["status"])
        audit_event_record(actor=actor, action="import.discard", obj=run, system_id=run.system_id)
    _remove_upload(run)
    return run


def role_mapping_set(
    *, actor: Any, system: System, oneroster_role: str, org_type: str, position_kind: str
) -> RoleMapping:
    require(actor, Action.ROSTERS_MANAGE, system)
    with transaction.atomic():
        mapping, _created = RoleMapping.objects.update_or_create(
            system=system,
            oneroster_role=oneroster_role,
            org_type=org_type,
            defaults={"position_kind": position_kind},
        )
        audit_event_record(
            actor=actor,
            action="role_mapping.set",
            obj=mapping,
            system_id=system.pk,
            after={"role": oneroster_role, "org_type": org_type, "position_kind": position_kind},
        )
    return mapping
