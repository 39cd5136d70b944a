"""Applying a checked bundle: set-based statements per target, in one transaction."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from trellis.orgs.models import System
from trellis.people.services import school_staff_counts_rebuild
from trellis.rosters import history
from trellis.rosters.bundle import Bundle, Problem
from trellis.rosters.checks import check_bundle
from trellis.rosters.read import FAMILY, WARNING_NOTES, Progress, Reader
from trellis.rosters.staging import execute, fetch, vendor
from trellis.rosters.targets import Target, targets
from trellis.students.services import school_grade_counts_rebuild


def school_counts_rebuild(*, system_id: int) -> None:
    """Recount a system's per-school roll-ups (students by grade, current staff by kind)."""
    school_grade_counts_rebuild(system_id=system_id)
    school_staff_counts_rebuild(system_id=system_id)


class Rejected(Exception):
    """`problems` are the errors (nothing was written); `warnings` are listed alongside."""

    def __init__(
        self, problems: list[Problem], error_count: int, *, warnings: list[Problem] | None = None
    ) -> None:
        super().__init__(f"{error_count} problems")
        self.problems = problems
        self.error_count = error_count
        self.warnings = warnings or []


@dataclass
class Outcome:
    # {target: {"added", "changed", "soft_deleted", "reactivated", "unchanged": n, and
    # "active_before": active (positions: open) records of the system before this run}}
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # What Trellis read unambiguously or does not use (issue 7 item 17): not blocking.
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0


def apply_target(
    target: Target,
    *,
    system_id: int,
    bundle: Bundle,
    now: datetime.datetime,
    run_date: datetime.date,
) -> dict[str, int]:
    """Make `target.table` match the staged rows. Returns what changed."""
    if target.file not in bundle.files and not (target.file == "users" and "roles" in bundle.files):
        return {}
    s = int(system_id)
    t = target.table
    # A table that holds nothing of this system yet (the first import) has nothing to
    # reactivate, change, supersede or remove: those statements are skipped, not run empty
    # (at metro size each is a pass over millions of staged rows).
    stored = bool(fetch(f"SELECT EXISTS (SELECT 1 FROM {t} t WHERE t.system_id = {s})")[0][0])
    if not stored:
        return _first_insert(target, system_id=s, now=now, run_date=run_date)
    if target.has_active:
        return _apply_by_diff(
            target, system_id=s, bulk=bundle.modes.get(target.file) == "bulk", now=now
        )
    return _apply_positions(target, system_id=s, bundle=bundle, now=now, run_date=run_date)


# A staged row is newer than the stored record unless both carry a dateLastModified and the
# stored one is later: an older delta cannot undo a newer change.
NEWER = "(t.roster_modified_at IS NULL OR n.dlm IS NULL OR n.dlm >= t.roster_modified_at)"
STAMP = "roster_modified_at = COALESCE(n.dlm, t.roster_modified_at), "


def _apply_by_diff(
    target: Target, *, system_id: int, bulk: bool, now: datetime.datetime
) -> dict[str, int]:
    """Records with an active flag (everything but positions), when the system already has
    some: one pass joins the staged rows with the stored ones and sorts each pair into what it
    needs (add, reactivate, change, move the clock, soft-delete, or nothing). Only when a pair
    needs something is the join run again to keep those pairs, and the writes go by primary
    key from that small table. An unchanged nightly bundle is then one pass per table
    (item 28): before, each kind of write was its own pass over every staged row.

    A bulk file speaks for every record of the system (what it does not list is soft-deleted),
    so the stored side is the whole system's table (a full join); a delta file only for its
    own rows (a left join, which uses the table's index when the file is small)."""
    s, t, cols = int(system_id), target.table, target.columns
    assert not target.key_filter, "a key filter is only for positions"
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM n.{c}" for c in cols)
    later = "n.dlm IS NOT NULL AND (t.roster_modified_at IS NULL OR n.dlm > t.roster_modified_at)"
    if bulk:
        joined = (
            f"FROM ({target.select}) n FULL JOIN (SELECT * FROM {t} WHERE system_id = {s}) t "
            "ON t.sourced_id = n.sid"
        )
        # In a bulk file, a record it does not list, or lists as deleted, leaves the roster.
        missing = "CASE WHEN t.is_active AND t.sourced_id <> '' THEN 'gone' END"
        gone = "t.is_active AND t.sourced_id <> '' AND NOT n.active"
    else:
        joined = (
            f"FROM ({target.select}) n LEFT JOIN {t} t ON t.system_id = {s} "
            "AND t.sourced_id = n.sid"
        )
        missing = "NULL"
        gone = f"t.is_active AND NOT n.active AND {NEWER}"
    what = (
        "CASE WHEN t.id IS NULL THEN CASE WHEN n.active THEN 'add' END "
        f"WHEN n.sid IS NULL THEN {missing} "
        f"WHEN n.active AND NOT t.is_active AND {NEWER} THEN 'reactivate' "
        f"WHEN n.active AND t.is_active AND ({differs}) AND {NEWER} THEN 'change' "
        # A newer row that changes nothing still moves the record's clock, so that a late,
        # older delta cannot undo it. Not counted as a change.
        f"WHEN n.active AND {later} THEN 'clock' "
        f"WHEN {gone} THEN 'gone' END"
    )
    tally: dict[str | None, tuple[int, int]] = {
        kind: (staged, stored)
        for kind, staged, stored in fetch(
            "SELECT what, COUNT(*) FILTER (WHERE n_active), COUNT(*) FILTER (WHERE t_active) "
            f"FROM (SELECT {what} AS what, n.active AS n_active, t.is_active AS t_active "
            f"{joined}) j GROUP BY what"
        )
    }
    total = sum(staged for staged, _stored in tally.values())
    counts = {"added": 0, "changed": 0, "reactivated": 0, "soft_deleted": 0}
    # What the mass-removal guard compares soft-deletes with: the active records before.
    counts["active_before"] = (
        sum(stored for _staged, stored in tally.values())
        if bulk
        else fetch(f"SELECT COUNT(*) FROM {t} t WHERE t.system_id = {s} AND t.is_active")[0][0]
    )
    if any(kind is not None for kind in tally):
        execute("DROP TABLE IF EXISTS delta")
        execute(
            f"CREATE TEMPORARY TABLE delta AS SELECT n.*, t.id AS tid, {what} AS what {joined} "
            f"WHERE {what} IS NOT NULL"
        )
        if vendor() == "postgresql":
            execute("ANALYZE delta")
        sets = ", ".join(f"{c} = n.{c}" for c in cols)
        pair = "t.id = n.tid AND n.what = "
        params = [now]
        counts["reactivated"] = execute(
            f"UPDATE {t} AS t SET {sets}, {STAMP}is_active = TRUE, updated_at = %s FROM delta n "
            f"WHERE {pair}'reactivate'",
            params,
        )
        counts["changed"] = execute(
            f"UPDATE {t} AS t SET {sets}, {STAMP}updated_at = %s FROM delta n WHERE {pair}'change'",
            params,
        )
        execute(f"UPDATE {t} AS t SET roster_modified_at = n.dlm FROM delta n WHERE {pair}'clock'")
        counts["added"] = execute(
            _insert_sql(target, system_id=s, source="delta", condition="n.what = 'add'"),
            [now, now],
        )
        counts["soft_deleted"] = execute(
            f"UPDATE {t} AS t SET is_active = FALSE, "
            + ("" if bulk else STAMP)
            + f"updated_at = %s FROM delta n WHERE {pair}'gone'",
            params,
        )
        execute("DROP TABLE delta")
        if vendor() == "postgresql":
            # Later targets join this table; see _apply_positions.
            execute(f"ANALYZE {t}")
    counts["unchanged"] = max(
        total - counts["added"] - counts["changed"] - counts["reactivated"], 0
    )
    return counts


def _apply_positions(
    target: Target,
    *,
    system_id: int,
    bundle: Bundle,
    now: datetime.datetime,
    run_date: datetime.date,
) -> dict[str, int]:
    """Positions, which are ended rather than deactivated and keep their spells (history)."""
    s = int(system_id)
    t = target.table
    execute("DROP TABLE IF EXISTS nxt")
    execute(f"CREATE TEMPORARY TABLE nxt AS {target.select}")
    execute("CREATE INDEX nxt_sid ON nxt (sid)")
    if vendor() == "postgresql":
        execute("ANALYZE nxt")
    cols = target.columns
    match = f"t.system_id = {s} AND t.sourced_id = n.sid {target.key_filter}"
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM n.{c}" for c in cols)
    newer, stamp = NEWER, STAMP
    sets = ", ".join(f"{c} = n.{c}" for c in cols)
    counts = {"added": 0, "changed": 0, "reactivated": 0, "soft_deleted": 0}
    # What the mass-removal guard compares soft-deletes with: the open positions before.
    counts["active_before"] = fetch(
        f"SELECT COUNT(*) FROM {t} t WHERE t.system_id = {s} AND t.ends_on IS NULL "
        f"{target.key_filter}"
    )[0][0]
    params = [now]
    spells = history.supersede_positions(system_id=s, newer=newer, now=now, run_date=run_date)
    counts["changed"] = execute(
        f"UPDATE {t} AS t SET {sets}, {stamp}updated_at = %s FROM nxt n "
        f"WHERE {match} AND n.active AND ({differs}) AND {newer}",
        params,
    )
    # A newer row that changes nothing still moves the record's clock (see _apply_by_diff).
    execute(
        f"UPDATE {t} AS t SET roster_modified_at = n.dlm FROM nxt n WHERE {match} AND "
        "n.active AND n.dlm IS NOT NULL AND (t.roster_modified_at IS NULL OR "
        "n.dlm > t.roster_modified_at)"
    )
    counts["added"] = execute(
        _insert_sql(
            target,
            system_id=s,
            source="nxt",
            condition=f"n.active AND NOT EXISTS (SELECT 1 FROM {t} t WHERE {match})",
        ),
        [now, now],
    )
    # A roster position that leaves the roster ends the day before this import.
    last_day = run_date - datetime.timedelta(days=1)
    # It cannot end before it started; and one already ended that early is left alone,
    # so that running the same file again changes nothing.
    ending = "CASE WHEN t.starts_on > %s THEN t.starts_on ELSE %s END"
    still_open = f"(t.ends_on IS NULL OR t.ends_on > {ending})"
    # A people CSV speaks only for its own positions ("csv:" keys), a OneRoster bundle only
    # for the others; in a people CSV each person's rows are all of their positions.
    own = (
        "AND t.sourced_id LIKE 'csv:%%'"
        if bundle.version == "people"
        else "AND t.sourced_id NOT LIKE 'csv:%%'"
    )
    listed = (
        " AND EXISTS (SELECT 1 FROM people_person p JOIN stg_users u ON u.sid = "
        "p.sourced_id WHERE p.id = t.person_id)"
    )
    bulk = bundle.modes.get("roles" if bundle.version == "1.2" else "users") == "bulk"
    missing = (
        f"UPDATE {t} AS t SET ends_on = {ending}, updated_at = %s WHERE t.system_id = {s} "
        f"{target.key_filter} {own} AND {still_open} AND NOT EXISTS (SELECT 1 FROM nxt n "
        "WHERE n.sid = t.sourced_id)" + ("" if bulk else listed)
    )
    if bulk or bundle.version == "people":
        counts["soft_deleted"] += execute(missing, [last_day, last_day, now, last_day, last_day])
    counts["soft_deleted"] += execute(
        f"UPDATE {t} AS t SET ends_on = {ending}, {stamp}updated_at = %s FROM nxt n "
        f"WHERE {match} AND NOT n.active AND {still_open} AND {newer}",
        [last_day, last_day, now, last_day, last_day],
    )
    counts["changed"] += spells["changed"]
    counts["added"] += spells["added"]
    history.infer_end_reasons(system_id=s, run_date=run_date)
    if vendor() == "postgresql":
        # Later targets join this table; rows written in this transaction are invisible to the
        # planner's statistics until analysed, and it would choose nested loops over millions.
        execute(f"ANALYZE {t}")
    total = fetch("SELECT COUNT(*) FROM nxt WHERE active")[0][0]
    counts["unchanged"] = max(
        total - counts["added"] - counts["changed"] - counts["reactivated"], 0
    )
    # A changed spell is one row ended and one added; the staged row counted once.
    counts["unchanged"] = max(counts["unchanged"] + spells["added"], 0)
    execute("DROP TABLE IF EXISTS nxt")
    return counts


def _insert_sql(target: Target, *, system_id: int, source: str, condition: str) -> str:
    """INSERT of the staged rows of `source` (aliased n) that meet `condition`; takes the
    created/updated time twice as parameters."""
    cols = target.columns
    extra_cols = "".join(f", {c}" for c, _ in target.insert_only)
    extra_vals = "".join(f", {v}" for _, v in target.insert_only)
    activity = (
        (", is_active, roster_modified_at", ", TRUE, n.dlm")
        if target.has_active
        else (", roster_modified_at", ", n.dlm")
    )
    return (
        f"INSERT INTO {target.table} (system_id, sourced_id, created_at, updated_at"
        f"{activity[0]}, {', '.join(cols)}{extra_cols}) SELECT {int(system_id)}, n.sid, %s, %s"
        f"{activity[1]}, {', '.join('n.' + c for c in cols)}{extra_vals} FROM {source} n "
        f"WHERE {condition}"
    )


def _first_insert(
    target: Target, *, system_id: int, now: datetime.datetime, run_date: datetime.date
) -> dict[str, int]:
    """A table with nothing of the system yet: every active staged row is added, straight from
    the selection. Materialising it in `nxt` first (the path of a re-import, which compares,
    updates and removes against it) wrote the 3 million metro enrollments twice."""
    added = execute(
        _insert_sql(target, system_id=system_id, source=f"({target.select})", condition="n.active"),
        [now, now],
    )
    if not target.has_active:
        history.infer_end_reasons(system_id=system_id, run_date=run_date)
    if vendor() == "postgresql":
        # Later targets join this table; see apply_target.
        execute(f"ANALYZE {target.table}")
    return {
        "added": added,
        "changed": 0,
        "reactivated": 0,
        "soft_deleted": 0,
        "active_before": 0,
        "unchanged": 0,
    }


def adopt_district(reader: Reader) -> str | None:
    """The first import tells Trellis which OneRoster district org this system is."""
    if reader.system.sourced_id:
        return None
    districts = fetch("SELECT sid FROM stg_orgs WHERE type = 'district'")
    if len(districts) != 1:
        return None
    sid = districts[0][0]
    System.objects.filter(pk=reader.system.pk).update(sourced_id=sid)
    reader.system.sourced_id = sid
    return sid


def check_as_of(bundle: Bundle, system: System, as_of: datetime.date | None) -> datetime.date:
    """The day the bundle describes: `as_of` (a backfilled archive) or today. A bundle older
    than what the system's roster already shows would rewrite history backwards: refused."""
    today = timezone.localdate()
    day = as_of or today
    source = next(iter(bundle.files.values())).name if bundle.files else "manifest.csv"
    if day > today:
        raise Rejected(
            [
                Problem(
                    source, None, "", f"The export cannot be as of {day}, after today ({today})."
                )
            ],
            1,
        )
    seen = history.observed_through(system.pk)
    if seen is not None and day < seen:
        raise Rejected(
            [
                Problem(
                    source,
                    None,
                    "",
                    f"This export is as of {day}, but {system.name}'s roster is already observed "
                    f"through {seen}: an older export cannot be imported after a newer one. "
                    "Import archived exports oldest first, before the nightly imports.",
                )
            ],
            1,
        )
    return day


def run_import(
    bundle: Bundle,
    system: System,
    *,
    commit: bool,
    progress: Progress = lambda share, label: None,
    as_of: datetime.date | None = None,
) -> Outcome:
    """Check the bundle and apply it; roll everything back unless `commit` is true.

    `as_of` is the day the bundle describes (a backfilled archive); default today. Raises
    Rejected with every problem found; then nothing was written.
    """
    started = time.monotonic()
    run_date = check_as_of(bundle, system, as_of)
    reader = Reader(bundle, system, progress)
    outcome = Outcome(notes=bundle.notes)
    try:
        reader.read()
        progress(0.62, "Checking references between files")
        check_bundle(reader)
        problems = reader.problems
        if problems.count:
            raise Rejected(problems.items, problems.count, warnings=problems.warnings)
        outcome.warnings, outcome.warning_count = problems.warnings, problems.warning_count
        # Until the report shows warnings on their own, they travel with the notes as well.
        for warning in problems.warnings[:WARNING_NOTES]:
            row = f" row {warning.row}" if warning.row else ""
            column = f" column {warning.column}" if warning.column else ""
            outcome.notes.append(f"Warning: {warning.file}{row}{column}: {warning.reason}")
        if problems.warning_count > WARNING_NOTES:
            outcome.notes.append(f"… and {problems.warning_count - WARNING_NOTES:,} more warnings.")
        now = timezone.now()
        with transaction.atomic():
            district = adopt_district(reader)
            if district:
                # Issue 7 item 16: a preview must not say what only a commit does.
                outcome.notes.append(
                    f"{system.name} is now linked to the district org {district}."
                    if commit
                    else f"{system.name} would be linked to the district org {district}."
                )
            plan = [
                target
                for target in targets(system.pk, run_date.isoformat())
                if bundle.only_targets is None or target.name in bundle.only_targets
            ]
            for index, target in enumerate(plan):
                progress(0.65 + 0.35 * index / len(plan), f"Applying {target.name}")
                counts = apply_target(
                    target, system_id=system.pk, bundle=bundle, now=now, run_date=run_date
                )
                if counts:
                    outcome.summary[target.name] = counts
                if target.name == "students" and counts:
                    outcome.summary["enrolment windows"] = history.apply_enrolments(
                        system_id=system.pk, now=now, run_date=run_date
                    )
            if history.is_complete(bundle) and "positions" in outcome.summary:
                history.advance_observed_through(system.pk, run_date)
            # The per-school counts the pages read (item 29): recounted set-wise, once per
            # import, inside its transaction (a preview rolls them back with the rest).
            school_counts_rebuild(system_id=system.pk)
            skipped = fetch(f"SELECT COUNT(*) FROM stg_roles WHERE kind IN ('{FAMILY}', '')")[0][0]
            if skipped:
                outcome.notes.append(
                    f"{skipped:,} roles (guardians, parents, or roles mapped to no position) "
                    "were read and not stored."
                )
            unplaced = fetch(
                "SELECT COUNT(*) FROM stg_users u WHERE NOT EXISTS (SELECT 1 FROM stg_roles r "
                "WHERE r.user_sid = u.sid) AND NOT EXISTS (SELECT 1 FROM people_person p WHERE "
                f"p.system_id = {int(system.pk)} AND p.sourced_id = u.sid) AND NOT EXISTS "
                f"(SELECT 1 FROM students_student d WHERE d.system_id = {int(system.pk)} AND "
                "d.sourced_id = u.sid)"
            )[0][0]
            if unplaced and bundle.version != "people":
                outcome.notes.append(
                    f"{unplaced:,} users hold no role in this bundle and are not stored yet."
                )
            other_orgs = fetch(
                "SELECT COUNT(*) FROM stg_orgs WHERE type NOT IN ('school', 'district')"
            )[0][0]
            if other_orgs:
                outcome.notes.append(
                    f"{other_orgs:,} orgs that are neither schools nor the "
                    "district (departments, states…) were not stored."
                )
            if not commit:
                transaction.set_rollback(True)
    finally:
        reader.drop()
    outcome.seconds = time.monotonic() - started
    progress(1.0, "Done")
    return outcome
