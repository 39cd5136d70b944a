"""The import pipeline: start a run, check it (the preview), commit it, discard or re-run it.

Every kind of import goes through here (see registry.py). The commit applies the data, the
run's status and report, and its audit event in ONE transaction: either all of it lands or none
of it does. A run whose process died is recognised (a PostgreSQL advisory lock held by the
worker's session; on SQLite the worker's host and pid, or its heartbeat) and shown as
interrupted, never "committing" forever.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import signal
import socket
import time
import uuid
import zipfile
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
from trellis.imports import registry
from trellis.imports.models import ImportRun, ImportSettings
from trellis.imports.registry import Context, ImportKind, ImportProblems, Progress, Result
from trellis.orgs.models import System

Status = ImportRun.Status
# The advisory lock a worker holds on its database session while it works on a run:
# pg_advisory_lock(LOCK_SPACE, run id). It goes when the session goes, so a killed worker's
# run can be told from a live one.
LOCK_SPACE = 7_274_735
# Without PostgreSQL's locks, a run on another host is presumed dead after this long without a
# heartbeat (the heartbeat moves with the progress bar).
LEASE = datetime.timedelta(minutes=15)
STALE_AFTER = datetime.timedelta(hours=6)
HOST = socket.gethostname()[:255]
DEFAULT_MASS_REMOVAL_PERCENT = 10
# The records a preview lists one by one (the counts are always whole).
MAX_CHANGES_LISTED = 2000
# For the kill test only (tests/imports/test_interrupted.py): the process kills itself with
# SIGKILL when it reaches this point. Inert unless the variable is set.
CRASH_ENV = "TRELLIS_TEST_CRASH_AT"


def kind_of(code: str) -> ImportKind:
    kind = registry.get(code)
    if kind is None:
        raise ValidationError({"kind": f"There is no import kind '{code}'."})
    return kind


def upload_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(upload: UploadedFile) -> Path:
    """Keep an uploaded file under MEDIA_ROOT/imports for the background check and commit.
    It gets a random name there; the run keeps the uploaded name for every page and report."""
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
    """A folder on the server, only inside the system's own drop folder
    (TRELLIS_IMPORT_ROOT/<system code>/), so that no system can read another's files."""
    root = (Path(settings.TRELLIS_IMPORT_ROOT) / system.code).resolve()
    path = (root / path_text).resolve()
    if root not in path.parents and path != root:
        raise ValidationError({"folder": f"Only folders inside {root} can be imported."})
    if not path.is_dir():
        raise ValidationError({"folder": f"There is no folder {path}."})
    return path


def content_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes (not its name: uploads get random names), or of a folder's
    files with their names. The same file coming again has the same digest."""
    digest = hashlib.sha256()
    if path.is_file() and zipfile.is_zipfile(path):
        # A zip made again from the same files differs in its timestamps: its members' names,
        # sizes and CRCs say whether the content is the same.
        with zipfile.ZipFile(path) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    digest.update(
                        f"{info.filename.lower()}\0{info.file_size}\0{info.CRC}\n".encode()
                    )
        return digest.hexdigest()
    items = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for item in items:
        if path.is_dir():
            digest.update(item.name.lower().encode())
        with item.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def mass_removal_percent(system: System) -> int:
    own = ImportSettings.objects.filter(system=system).first()
    return own.mass_removal_percent if own else DEFAULT_MASS_REMOVAL_PERCENT


def import_settings_set(*, actor: Any, system: System, mass_removal_percent: int) -> ImportSettings:
    require(actor, Action.ROSTERS_MANAGE, system)
    if not 0 <= mass_removal_percent <= 100:
        raise ValidationError({"mass_removal_percent": "Give a share from 0 to 100."})
    with transaction.atomic():
        own, _created = ImportSettings.objects.select_for_update().get_or_create(system=system)
        before = own.mass_removal_percent
        own.mass_removal_percent = mass_removal_percent
        own.save()
        audit_event_record(
            actor=actor,
            action="import_settings.set",
            obj=own,
            system_id=system.pk,
            before={"mass_removal_percent": before},
            after={"mass_removal_percent": mass_removal_percent},
        )
    return own


def import_run_create(
    *,
    actor: Any,
    system: System,
    kind: str,
    path: Path,
    source_name: str,
    options: dict[str, Any] | None = None,
    mode: str = "",
    actor_label: str | None = None,
    allow_mass_removal: bool = False,
) -> ImportRun:
    spec = kind_of(kind)
    require(actor, spec.permission, system)
    given = dict(options or {})
    if mode:
        given.setdefault("mode", mode)
    chosen: dict[str, Any] = {}
    for option in spec.options:
        value = str(given.get(option.name) or option.default).strip()[:200]
        if option.choices and value not in {v for v, _label in option.choices}:
            raise ValidationError({option.name: f"'{value}' is not a choice for {option.label}."})
        if option.required and not value:
            raise ValidationError({option.name: f"Give the {option.label.lower()}."})
        chosen[option.name] = value
    with transaction.atomic():
        run = ImportRun.objects.create(
            system=system,
            kind=kind,
            source_name=source_name[:255],
            source_path=str(path),
            options=chosen,
            mode=str(chosen.get("mode", ""))[:10],
            mass_removal_confirmed=allow_mass_removal,
            created_by=actor if actor is not None else None,
            created_by_label=actor_label or (actor.email if actor is not None else "command line"),
        )
        audit_event_record(
            actor=actor,
            action="import.create",
            obj=run,
            system_id=system.pk,
            actor_label=actor_label,
            after={"kind": kind, "source": run.source_name, "options": chosen},
        )
    return run


# --- Who is working on a run ---------------------------------------------------------------


_crash_seen: dict[str, int] = {}


def _crash_point(name: str) -> None:
    """TRELLIS_TEST_CRASH_AT=<point>[:<n>] kills this process at the n-th time (default the
    first) it reaches the point: reading, checking, applying, before-commit, after-commit."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    point, _sep, nth = wanted.partition(":")
    if point != name:
        return
    _crash_seen[name] = _crash_seen.get(name, 0) + 1
    if _crash_seen[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def _claim(run_id: int, status: str) -> bool:
    """Take the run for this process. False when another live worker holds it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, run_id])
            if not cursor.fetchone()[0]:
                return False
    ImportRun.objects.filter(pk=run_id).update(
        status=status, worker_host=HOST, worker_pid=os.getpid(), heartbeat_at=timezone.now()
    )
    return True


def _release(run_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, run_id])


def worker_alive(run: ImportRun) -> bool:
    """Whether the process working on a checking or committing run is still there."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND "
                "classid::bigint = %s AND objid::bigint = %s AND objsubid = 2 AND granted)",
                [LOCK_SPACE, run.pk],
            )
            return bool(cursor.fetchone()[0])
    if run.worker_host == HOST and run.worker_pid:
        try:
            os.kill(run.worker_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return run.heartbeat_at is not None and timezone.now() - run.heartbeat_at < LEASE


def import_run_reconcile(run: ImportRun) -> ImportRun:
    """Mark a checking or committing run whose worker died as interrupted. Its data never
    landed: a committed run's status is DONE, written in the same transaction as its data."""
    if run.status not in (Status.CHECKING, Status.COMMITTING) or run.worker_pid is None:
        return run
    if worker_alive(run):
        return run
    phase = "checking" if run.status == Status.CHECKING else "committing"
    changed = ImportRun.objects.filter(pk=run.pk, status=run.status).update(
        status=Status.INTERRUPTED,
        progress_label="Interrupted",
        errors=[
            {
                "file": run.source_name,
                "row": None,
                "column": "",
                "reason": f"The import's process stopped while {phase} the file; nothing was "
                "written. Re-run it.",
                "severity": "error",
            }
        ],
        error_count=1,
    )
    run.refresh_from_db()
    if changed:
        audit_event_record(
            actor=None,
            action="import.interrupted",
            obj=run,
            system_id=run.system_id,
            actor_label="import pipeline",
            after={"while": phase, "pid": run.worker_pid, "host": run.worker_host},
        )
    return run


def _reporter(run: ImportRun, outer: Progress | None) -> Progress:
    """Writes a run's progress (and heartbeat) at most twice a second, where other sessions can
    see it. Inside the import's transaction the row is written over a second connection
    (PostgreSQL); SQLite allows one writer, so there the bar moves between the phases only."""
    last = [0.0]
    random_name = Path(run.source_path).name
    table = ImportRun._meta.db_table

    def report(share: float, label: str) -> None:
        lowered = label.lower()
        for phase in ("reading", "checking", "applying"):
            if lowered.startswith(phase):
                _crash_point(phase)
        label = label.replace(random_name, run.source_name)
        if outer is not None:
            outer(share, label)
            return
        now = time.monotonic()
        if now - last[0] < 0.5 and share < 1.0:
            return
        last[0] = now
        done, label = int(share * 1000), label[:200]
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=run.pk).update(
                progress_done=done,
                progress_total=1000,
                progress_label=label,
                heartbeat_at=timezone.now(),
            )
        elif connection.vendor == "postgresql":
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            try:
                with psycopg.connect(**params, autocommit=True) as side:
                    # Never wait behind the import's own transaction.
                    side.execute("SET lock_timeout = '1s'")
                    side.execute(
                        f"UPDATE {table} SET progress_done = %s, progress_total = 1000, "  # noqa: S608
                        "progress_label = %s, heartbeat_at = now() WHERE id = %s",
                        [done, label, run.pk],
                    )
            except psycopg.Error:
                pass  # progress is a courtesy; the import goes on

    return report


# --- Check and commit ------------------------------------------------------------------------


def _named(run: ImportRun, items: list[dict[str, Any]], severity: str) -> list[dict[str, Any]]:
    """Problems as the user knows the file: the uploaded name, never the server's random one."""
    random_name = Path(run.source_path).name
    out = []
    for item in items:
        item = {**item, "severity": item.get("severity") or severity}
        if item.get("file") == random_name:
            item["file"] = run.source_name
        item["reason"] = str(item.get("reason", "")).replace(random_name, run.source_name)
        out.append(item)
    return out


def _guard(run: ImportRun, result: Result) -> list[dict[str, Any]]:
    """The record kinds this import would empty beyond the system's threshold. Only files that
    list everyone (bulk) are guarded: a delta removes only the records it names."""
    if result.mode == "delta":
        return []
    percent = mass_removal_percent(run.system)
    over = []
    for target, active in result.guarded.items():
        removed = result.summary.get(target, {}).get("soft_deleted", 0)
        if active and removed * 100 > percent * active:
            over.append(
                {
                    "target": target,
                    "removed": removed,
                    "active": active,
                    "percent": round(100 * removed / active, 1),
                    "threshold": percent,
                }
            )
    return over


def mass_removal_text(run: ImportRun) -> str:
    parts = [
        f"{m['removed']:,} of {m['active']:,} active {m['target']} ({m['percent']}%)"
        for m in run.mass_removal
    ]
    threshold = run.mass_removal[0]["threshold"] if run.mass_removal else 0
    return (
        f"This import removes {' and '.join(parts)} from the roster, more than the "
        f"{threshold}% this system allows without a confirmation."
    )


def _repeat_note(run: ImportRun, committed: bool) -> str | None:
    earlier = (
        ImportRun.objects.filter(
            system_id=run.system_id, kind=run.kind, file_digest=run.file_digest, status=Status.DONE
        )
        .exclude(pk=run.pk)
        .order_by("-committed_at")
        .first()
    )
    if earlier is None or earlier.committed_at is None:
        return None
    when = timezone.localtime(earlier.committed_at).strftime("%Y-%m-%d %H:%M")
    if run.total_changes == 0:
        tail = "nothing changed." if committed else "nothing would change."
        return f"This file was already imported on {when}; {tail}"
    return f"This file was already imported on {when}; " + (
        "it made the changes below again."
        if committed
        else "committing it again would make the changes below."
    )


def _fill(run: ImportRun, result: Result, *, committed: bool) -> None:
    run.summary = result.summary
    run.sources = {
        k: v.replace(Path(run.source_path).name, run.source_name) for k, v in result.sources.items()
    }
    run.warnings = _named(run, result.warnings, "warning")
    run.warning_count = max(result.warning_count, len(run.warnings))
    run.oneroster_version = result.version[:10]
    run.mode = (result.mode or str(run.options.get("mode", "")))[:10]
    run.mass_removal = _guard(run, result)
    random_name = Path(run.source_path).name
    notes = [note.replace(random_name, run.source_name) for note in result.notes]
    repeat = _repeat_note(run, committed)
    run.notes = [repeat, *notes] if repeat else notes
    run.errors, run.error_count = [], 0
    run.outcome_url, run.outcome_label = result.outcome_url[:500], result.outcome_label[:255]
    run.changes = [
        {**change, "label": str(change.get("label", "")).replace(random_name, run.source_name)}
        for change in result.changes[:MAX_CHANGES_LISTED]
    ]


def _finish_problems(run: ImportRun, error: ImportProblems, status: str) -> None:
    problems = _named(run, error.problems, "error")
    run.errors = [p for p in problems if p["severity"] != "warning"]
    run.error_count = max(error.count - (len(problems) - len(run.errors)), len(run.errors))
    warnings = [p for p in problems if p["severity"] == "warning"]
    if warnings:
        run.warnings, run.warning_count = warnings, len(warnings)
    run.status = status
    run.progress_done, run.progress_total = 1000, 1000
    run.progress_label = run.get_status_display()
    run.save()


def _fail(run: ImportRun, error: Exception) -> None:
    run.status = Status.FAILED
    run.errors = [
        {
            "file": run.source_name,
            "row": None,
            "column": "",
            "reason": f"The import stopped with an error and wrote nothing: {error}",
            "severity": "error",
        }
    ]
    run.error_count = 1
    run.save()


def import_run_execute(*, run_id: int, commit: bool, progress: Progress | None = None) -> ImportRun:
    """Check a run (commit=False: the preview, nothing written) or commit it. Used by the
    background tasks and by the command line. A rejected or failed run writes only its report."""
    run = ImportRun.objects.select_related("system").get(pk=run_id)
    spec = kind_of(run.kind)
    if not _claim(run.pk, Status.COMMITTING if commit else Status.CHECKING):
        return run  # another worker is on it
    try:
        run.refresh_from_db()
        context = Context(
            system=run.system,
            path=Path(run.source_path),
            source_name=run.source_name,
            options=run.options,
            actor=run.created_by,
            progress=_reporter(run, progress),
        )
        if commit:
            _commit(run, spec, context)
        else:
            _check(run, spec, context)
    finally:
        _release(run.pk)
    if run.status == Status.DONE:
        _remove_upload(run)
    return run


def _digest_or_problem(run: ImportRun) -> str:
    path = Path(run.source_path)
    if not path.exists():
        raise ImportProblems(
            [
                {
                    "file": run.source_name,
                    "row": None,
                    "column": "",
                    "reason": "The file is gone from the server; upload it again.",
                }
            ]
        )
    return content_digest(path)


def _check(run: ImportRun, spec: ImportKind, context: Context) -> None:
    started = time.monotonic()
    try:
        run.file_digest = _digest_or_problem(run)
        result = spec.check(context)
    except ImportProblems as error:
        _finish_problems(run, error, Status.REJECTED)
        return
    except Exception as error:
        _fail(run, error)
        raise
    _fill(run, result, committed=False)
    run.seconds = round(time.monotonic() - started, 2)
    run.status = Status.READY
    run.checked_at = timezone.now()
    run.progress_done, run.progress_total = 1000, 1000
    run.progress_label = run.get_status_display()
    run.save()


def _commit(run: ImportRun, spec: ImportKind, context: Context) -> None:
    started = time.monotonic()
    checked_digest = run.file_digest
    try:
        digest = _digest_or_problem(run)
        if checked_digest and digest != checked_digest:
            raise ImportProblems(
                [
                    {
                        "file": run.source_name,
                        "row": None,
                        "column": "",
                        "reason": "The file changed after it was checked; check it again.",
                    }
                ]
            )
        run.file_digest = digest
        # What the user confirmed on the preview (the command line's flag confirms any number).
        confirmed = {m["target"]: m["removed"] for m in run.mass_removal} or None
        # One transaction: the data, the run's status and report, and the audit event. It is
        # opened here, or by the kind once it has read the file (opens_transaction).
        block = transaction.atomic()
        opened = False

        def begin() -> None:
            nonlocal opened
            if not opened:
                block.__enter__()
                opened = True

        context = dataclasses.replace(context, begin=begin)
        if not spec.opens_transaction:
            begin()
        try:
            result = spec.apply(context)
            if not opened:
                raise RuntimeError(
                    f"The import kind {spec.code} wrote without opening the pipeline's transaction."
                )
            _fill(run, result, committed=True)
            beyond = confirmed is not None and any(
                m["removed"] > confirmed.get(m["target"], 0) for m in run.mass_removal
            )
            if run.mass_removal and (not run.mass_removal_confirmed or beyond):
                raise ImportProblems(
                    [
                        {
                            "file": run.source_name,
                            "row": None,
                            "column": "",
                            "reason": mass_removal_text(run)
                            + " Confirm the removal to commit it (on the "
                            "command line: --allow-mass-removal).",
                        }
                    ]
                )
            run.seconds = round(time.monotonic() - started, 2)
            run.status = Status.DONE
            run.committed_at = timezone.now()
            run.progress_done, run.progress_total = 1000, 1000
            run.progress_label = run.get_status_display()
            run.save()
            audit_event_record(
                actor=run.created_by,
                action="import.commit",
                obj=run,
                system_id=run.system_id,
                actor_label=run.created_by_label,
                after={"summary": run.summary, "file_digest": run.file_digest},
            )
            _crash_point("before-commit")
        except BaseException as error:
            if opened:
                block.__exit__(type(error), error, error.__traceback__)
            raise
        block.__exit__(None, None, None)  # COMMIT
        _crash_point("after-commit")
        # The COMMIT itself can take long (deferred foreign-key checks): count it too.
        run.seconds = round(time.monotonic() - started, 2)
        ImportRun.objects.filter(pk=run.pk).update(seconds=run.seconds)
    except ImportProblems as error:
        _finish_problems(run, error, Status.REJECTED)
    except Exception as error:
        _fail(run, error)
        raise


def import_run_commit(
    *, actor: Any, run: ImportRun, confirm_mass_removal: bool = False
) -> ImportRun:
    """Queue the commit of a checked run (the task applies it in one transaction)."""
    spec = kind_of(run.kind)
    require(actor, spec.permission, run.system)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != Status.READY:
            raise ValidationError("Only a checked run with no problems can be committed.")
        if run.total_changes == 0 and not spec.commit_unchanged:
            raise ValidationError("Nothing would change: there is nothing to commit.")
        if run.mass_removal and not confirm_mass_removal:
            raise ValidationError(mass_removal_text(run) + " Tick the confirmation to commit it.")
        run.status = Status.QUEUED
        run.mass_removal_confirmed = bool(run.mass_removal) and confirm_mass_removal
        run.created_by = actor if actor is not None else run.created_by
        run.save(update_fields=["status", "created_by", "mass_removal_confirmed"])
        audit_event_record(
            actor=actor,
            action="import.commit_requested",
            obj=run,
            system_id=run.system_id,
            after={"mass_removal_confirmed": run.mass_removal_confirmed},
        )
    return run


def import_run_rerun(*, actor: Any, run: ImportRun) -> ImportRun:
    """Start an interrupted or failed run again from its check (its file is still kept), or
    check a checked run again (its preview is out of date once another file was committed)."""
    spec = kind_of(run.kind)
    require(actor, spec.permission, run.system)
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (Status.INTERRUPTED, Status.FAILED, Status.READY):
            raise ValidationError("Only a checked, interrupted or failed run can be checked again.")
        if not Path(run.source_path).exists():
            raise ValidationError("The file is gone from the server; upload it again.")
        run.status = Status.QUEUED
        run.errors, run.error_count = [], 0
        run.progress_done = run.progress_total = 0
        run.progress_label = ""
        run.mass_removal_confirmed = False
        run.save()
        audit_event_record(actor=actor, action="import.rerun", obj=run, system_id=run.system_id)
    return run


def is_discardable(run: ImportRun) -> bool:
    """Checked, rejected, failed and interrupted runs can be discarded; so can a run that has
    not moved for hours (its worker may never have started)."""
    if run.status in (Status.READY, Status.REJECTED, Status.FAILED, Status.INTERRUPTED):
        return True
    return run.is_running and timezone.now() - run.created_at > STALE_AFTER


def _remove_upload(run: ImportRun) -> None:
    # Uploads hold people's data: kept only while the run may still need them. Folders on the
    # server belong to the SIS drop and are left alone.
    if run.source_path.startswith(str(upload_dir())):
        Path(run.source_path).unlink(missing_ok=True)


def import_run_discard(*, actor: Any, run: ImportRun) -> ImportRun:
    spec = kind_of(run.kind)
    require(actor, spec.permission, run.system)
    if not is_discardable(run):
        raise ValidationError("Only a checked, rejected, failed or stalled run can be discarded.")
    with transaction.atomic():
        run.status = Status.DISCARDED
        run.save(update_fields=["status"])
        audit_event_record(actor=actor, action="import.discard", obj=run, system_id=run.system_id)
    _remove_upload(run)
    return run
