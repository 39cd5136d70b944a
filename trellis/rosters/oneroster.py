"""The OneRoster import: read → check → stage → apply, set-based.

1. Each CSV is read once, streaming: every row's values are checked in Python (required values,
   vocabularies, dates) and written to a temporary staging table. Nothing per row touches the
   database beyond that bulk write.
2. What needs the whole bundle is checked in SQL on the staging tables: duplicate sourcedIds and
   references that point nowhere.
3. The changes are applied target by target in dependency order, each as a handful of set-based
   statements (reactivate, update what differs, insert what is new, soft-delete what is gone).
   A preview runs the same statements and rolls them back, so its figures are exact.
"""

from __future__ import annotations

import datetime
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from trellis.orgs.models import School, System
from trellis.rosters import history, spec
from trellis.rosters.bundle import (
    ERROR,
    WARNING,
    Bundle,
    Problem,
    not_utf8_reason,
    read_rows,
)
from trellis.rosters.models import RoleMapping
from trellis.rosters.staging import StagingTable, execute, fetch, vendor

ERROR_LIMIT = 1000
WARNING_NOTES = 50
Progress = Callable[[float, str], None]

# Default mapping from OneRoster roles (and the type of org they are held at) to positions.
# "" as org type means any org. An empty kind means the role is not a position.
DEFAULT_ROLE_MAPPING: list[tuple[str, str, str]] = [
    ("teacher", "", "teacher"),
    ("aide", "", "other_staff"),
    ("counselor", "", "other_staff"),
    ("proctor", "", "other_staff"),
    ("principal", "", "principal"),
    ("siteAdministrator", "", "assistant_principal"),
    ("districtAdministrator", "", "district_staff"),
    ("systemAdministrator", "", "district_staff"),
    ("administrator", "school", "principal"),
    ("administrator", "district", "district_staff"),
    ("administrator", "", "district_staff"),
    ("guardian", "", ""),
    ("parent", "", ""),
    ("relative", "", ""),
]
STUDENT, FAMILY, IGNORED = "student", "family", ""


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


class Problems:
    """Errors block the import; warnings are reported with it. A warning that recurs on many
    rows of a file is reported once, at its first row, with how many rows have it."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0
        self.warnings: list[Problem] = []
        self.warning_count = 0
        self._repeated: dict[tuple[str, str, str], list[Any]] = {}

    def add(
        self, file: str, row: int | None, column: str, reason: str, severity: str = ERROR
    ) -> None:
        if severity == WARNING:
            self.warning_count += 1
            if len(self.warnings) < ERROR_LIMIT:
                self.warnings.append(Problem(file, row, column, reason, WARNING))
            return
        self.count += 1
        if len(self.items) < ERROR_LIMIT:
            self.items.append(Problem(file, row, column, reason, ERROR))

    def warn_rows(self, file: str, row: int, column: str, reason: str) -> None:
        """A warning about a row, gathered per file, column and reason."""
        seen = self._repeated.setdefault((file, column, reason), [row, 0])
        seen[1] += 1

    def flush_rows(self) -> None:
        for (file, column, reason), (row, count) in self._repeated.items():
            rows = f" (this row and {count - 1:,} more)" if count > 1 else ""
            self.add(file, row, column, f"{reason}{rows}", WARNING)
        self._repeated = {}


def role_mapping(system: System) -> dict[tuple[str, str], str]:
    mapping = {(role, org_type): kind for role, org_type, kind in DEFAULT_ROLE_MAPPING}
    for row in RoleMapping.objects.filter(system=system):
        mapping[(row.oneroster_role, row.org_type)] = row.position_kind
    return mapping


def position_kind(mapping: dict[tuple[str, str], str], role: str, org_type: str) -> str:
    if role == "student":
        return STUDENT
    if role in spec.FAMILY_ROLES:
        return FAMILY
    key = (role, org_type) if (role, org_type) in mapping else (role, "")
    return mapping.get(key, IGNORED)


# -- reading and row checks ------------------------------------------------------------------

STAGING = {
    "orgs": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("name", "text"),
        ("type", "text"),
        ("identifier", "text"),
        ("parent_sid", "text"),
    ],
    "sessions": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("title", "text"),
        ("type", "text"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("parent_sid", "text"),
        ("school_year", "int"),
    ],
    "users": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("given", "text"),
        ("family", "text"),
        ("middle", "text"),
        ("preferred", "text"),
        ("identifier", "text"),
        ("email", "text"),
        ("grade", "text"),
        ("primary_org_sid", "text"),
    ],
    # One row per role a user holds at an org (1.2 roles.csv; 1.1 users.csv: role at each org).
    "roles": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("user_sid", "text"),
        ("role", "text"),
        ("kind", "text"),
        ("org_sid", "text"),
        ("at_school", "bool"),
        ("begin_date", "date"),
        ("end_date", "date"),
        ("file", "text"),
        ("school_pk", "int"),
    ],
    "courses": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("title", "text"),
        ("course_code", "text"),
        ("grades", "text"),
        ("org_sid", "text"),
        ("subjects", "text"),
        ("year_sid", "text"),
    ],
    "classes": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("title", "text"),
        ("grades", "text"),
        ("course_sid", "text"),
        ("class_code", "text"),
        ("class_type", "text"),
        ("school_sid", "text"),
        ("term_sids", "text"),
        ("subjects", "text"),
        ("periods", "text"),
    ],
    "class_terms": [("class_sid", "text"), ("term_sid", "text")],
    "enrollments": [
        ("sid", "text"),
        ("status", "text"),
        ("dlm", "ts"),
        ("class_sid", "text"),
        ("school_sid", "text"),
        ("user_sid", "text"),
        ("role", "text"),
        ("is_primary", "bool"),
        ("begin_date", "date"),
        ("end_date", "date"),
    ],
}
FILE_OF = {
    "orgs": "orgs",
    "sessions": "academicSessions",
    "users": "users",
    "roles": "roles",
    "courses": "courses",
    "classes": "classes",
    "enrollments": "enrollments",
}


class Reader:
    """Reads one bundle into staging tables, checking every value on the way."""

    def __init__(self, bundle: Bundle, system: System, progress: Progress) -> None:
        self.bundle = bundle
        self.system = system
        self.progress = progress
        self.problems = Problems()
        for warning in bundle.warnings:
            self.problems.add(warning.file, warning.row, warning.column, warning.reason, WARNING)
        self.tables = {name: StagingTable(f"stg_{name}", cols) for name, cols in STAGING.items()}
        self.mapping = role_mapping(system)
        self.org_types: dict[str, str] = {}
        self.skipped: dict[str, int] = {}
        self.bytes_total = sum(p.stat().st_size for p in set(bundle.files.values())) or 1
        self.seen_people: dict[str, int] = {}
        self.unread: set[str] = set()  # files whose header could not be read
        self._school_keys: dict[str, int] | None = None
        self.bytes_done = 0

    def known_org_types(self) -> None:
        """Orgs already stored, for delta bundles whose rows refer to them."""
        for sid in (
            School.objects.filter(system=self.system)
            .exclude(sourced_id="")
            .values_list("sourced_id", flat=True)
        ):
            self.org_types[sid] = "school"
        if self.system.sourced_id:
            self.org_types[self.system.sourced_id] = "district"

    def read(self) -> None:
        for table in self.tables.values():
            table.create()
        self.known_org_types()
        files = {"1.1": spec.FILES_11, "1.2": spec.FILES_12, "people": [spec.PEOPLE]}[
            self.bundle.version
        ]
        for file_spec in files:
            path = self.bundle.files.get(file_spec.name)
            if path is None:
                continue
            if not file_spec.stored:
                self.bundle.notes.append(
                    f"{path.name} was checked for presence but not stored: Trellis keeps no "
                    "student demographics unless the system turns them on."
                )
                continue
            self.read_file(file_spec, path)
        for table in self.tables.values():
            table.flush()
        self.problems.flush_rows()
        for name, columns in (
            ("orgs", ("sid",)),
            ("sessions", ("sid",)),
            ("users", ("sid",)),
            ("roles", ("user_sid",)),
            ("courses", ("sid",)),
            ("classes", ("sid",)),
            ("enrollments", ("sid",)),
        ):
            self.tables[name].index(*columns)

    def read_file(self, file_spec: spec.FileSpec, path: Path) -> None:
        mode = self.bundle.modes[file_spec.name]
        rows = read_rows(path)
        file = path.name
        try:
            header = next(rows)
            first = next((r for r in rows if any(cell.strip() for cell in r)), None)
        except StopIteration:
            self.problems.add(
                file,
                None,
                "",
                "The file is empty; a OneRoster file needs a header and at least one row. "
                "Fix: add the header, or mark the file absent in manifest.csv.",
            )
            return
        except UnicodeDecodeError:
            self.problems.add(file, 1, "", not_utf8_reason(path))
            return
        except Exception as error:  # csv.Error
            self.problems.add(file, 1, "", f"The CSV cannot be read here: {error}")
            return
        if first is None and self.bundle.version != "people":
            # Issue 7 item 17: "none of these" and "absent" cannot be told apart; absent is the
            # reading that removes nothing.
            self.problems.add(
                file,
                None,
                "",
                f"The file has a header but no rows: read as absent (what is stored from it is "
                f"kept). Fix: fill it, or write file.{file_spec.name},absent in manifest.csv.",
                WARNING,
            )
            self.bundle.files.pop(file_spec.name, None)
            self.bundle.modes[file_spec.name] = "absent"
            return
        positions = self.header_positions(file_spec, file, header, mode)
        if positions is None:
            self.unread.add(file_spec.name)
            return
        handler = getattr(self, f"row_{file_spec.name}")
        width = len(header)
        names = [h.strip() for h in header]
        count = 0
        line = 1
        try:
            for line, raw in enumerate(itertools.chain([first] if first else [], rows), start=2):
                if not any(cell.strip() for cell in raw):
                    continue
                count += 1
                if len(raw) != width:
                    extra = raw[width:] if len(raw) > width else []
                    if (len(raw) < width and not any(names[len(raw) :])) or (
                        extra and not any(cell.strip() for cell in extra)
                    ):
                        # Cells missing under (or beyond) columns with no name: nothing is lost.
                        self.problems.warn_rows(
                            file,
                            line,
                            "",
                            f"The row has {len(raw)} values but the header has {width} columns; "
                            "the difference is in columns with no name and no value, ignored. "
                            "Fix: remove the empty columns from the header.",
                        )
                        raw = (raw + [""] * width)[:width]
                    else:
                        self.problems.add(
                            file,
                            line,
                            "",
                            f"The row has {len(raw)} values but the header has {width} columns. "
                            "Fix: quote values that hold commas, and give every row one value "
                            "per column.",
                        )
                        continue
                values, ok = self.values(file_spec, file, line, raw, positions, mode)
                if ok:
                    handler(file, line, values, mode)
                elif values.get("sourcedId"):
                    self.stub(file_spec.name, line, values)
                if count % 50_000 == 0:
                    self.report(path, line)
        except UnicodeDecodeError:
            self.problems.add(file, line + 1, "", not_utf8_reason(path) + " (from this row on)")
        except Exception as error:  # csv.Error: a broken quote, a NUL byte, a huge field
            self.problems.add(file, line + 1, "", f"The CSV cannot be read here: {error}")
        if count == 0:
            self.problems.add(
                file,
                None,
                "",
                "The file has a header but no rows; OneRoster "
                "does not allow empty files (mark it absent in the manifest).",
            )
        self.bytes_done += path.stat().st_size
        self.report(path, None)

    def report(self, path: Path, line: int | None) -> None:
        share = self.bytes_done / self.bytes_total
        label = f"Reading {path.name}" + (f", row {line:,}" if line else "")
        self.progress(0.6 * share, label)

    def header_positions(
        self, file_spec: spec.FileSpec, file: str, header: list[str], mode: str
    ) -> dict[str, int] | None:
        names = [h.strip() for h in header]
        seen: set[str] = set()
        for name in names:
            if name and name in seen:
                self.problems.add(file, 1, name, f"The column '{name}' appears twice.")
                return None
            seen.add(name)
        exact = {name: i for i, name in enumerate(names) if name}
        folded = {name.lower(): i for i, name in enumerate(names) if name}
        positions: dict[str, int] = {}
        ok = True
        for column in file_spec.columns:
            if column.name in exact:
                positions[column.name] = exact[column.name]
            elif column.name.lower() in folded:
                positions[column.name] = folded[column.name.lower()]
            elif column.required or (
                mode == "delta" and column.name in ("status", "dateLastModified")
            ):
                self.problems.add(
                    file,
                    1,
                    column.name,
                    f"The required column '{column.name}' is missing. Fix: add it to the header, "
                    "spelled as OneRoster spells it.",
                )
                ok = False
        return positions if ok else None

    def values(
        self,
        file_spec: spec.FileSpec,
        file: str,
        line: int,
        raw: list[str],
        positions: dict[str, int],
        mode: str,
    ) -> tuple[dict[str, Any], bool]:
        out: dict[str, Any] = {}
        ok = True
        for column in file_spec.columns:
            index = positions.get(column.name)
            text = raw[index].strip() if index is not None and index < len(raw) else ""
            if column.name in ("status", "dateLastModified") and text and mode == "bulk":
                # Issue 7 item 17: bulk rows leave these empty; a filled one is read as the
                # spec means it (tobedeleted: not in the file) or ignored.
                self.problems.warn_rows(
                    file,
                    line,
                    column.name,
                    f"The manifest says {file} is bulk, where {column.name} is left empty; "
                    + (
                        "tobedeleted rows are read as removed, active ones as present. "
                        if column.name == "status"
                        else "the value is ignored. "
                    )
                    + "Fix: leave it empty, or declare the file delta in manifest.csv.",
                )
                if column.name == "dateLastModified":
                    out[column.name] = None
                    continue
            if column.name == "dateLastModified" and spec.DATE_RE.match(text):
                try:
                    day = spec.parse_date(text)
                except spec.ValueProblem as problem:
                    self.problems.add(file, line, column.name, str(problem))
                    ok = False
                    continue
                self.problems.warn_rows(
                    file,
                    line,
                    column.name,
                    "dateLastModified is a date without a time: read as 00:00 UTC that day. "
                    "Fix: write a UTC date-time such as 2024-01-31T08:00:00.000Z.",
                )
                out[column.name] = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
                continue
            if not text:
                if column.required:
                    self.problems.add(
                        file, line, column.name, "A value is required. Fix: fill it in."
                    )
                    ok = False
                out[column.name] = [] if column.kind == spec.LIST else None
                continue
            if len(text) > column.max_length:
                self.problems.add(
                    file,
                    line,
                    column.name,
                    f"The value is longer than {column.max_length} characters.",
                )
                ok = False
                continue
            try:
                out[column.name] = self.convert(column, text)
            except spec.ValueProblem as problem:
                self.problems.add(file, line, column.name, str(problem))
                ok = False
        sid = out.get("sourcedId")
        if sid and not spec.GUID.match(sid):
            self.problems.add(
                file, line, "sourcedId", f"'{sid}' has characters a sourcedId may not hold."
            )
            ok = False
        status, modified = out.get("status"), out.get("dateLastModified")
        if mode == "delta":
            if status not in spec.STATUSES:
                self.problems.add(
                    file,
                    line,
                    "status",
                    f"A delta row needs status active or tobedeleted, not '{status or ''}'.",
                )
                ok = False
            if modified is None:
                self.problems.add(
                    file, line, "dateLastModified", "A delta row needs its dateLastModified."
                )
                ok = False
        return out, ok

    STUB_TABLES = {
        "orgs": "orgs",
        "academicSessions": "sessions",
        "users": "users",
        "roles": "roles",
        "courses": "courses",
        "classes": "classes",
        "enrollments": "enrollments",
    }

    def stub(self, file_name: str, line: int, values: dict[str, Any]) -> None:
        """A row that failed its checks still stands for its sourcedId, so that other files'
        references to it are not reported as dangling as well. Nothing is applied after a
        failed check, so stubs are never written anywhere but staging."""
        table = self.STUB_TABLES.get(file_name)
        if table is None:
            return
        staging = self.tables[table]
        row: list[Any] = [None] * len(staging.names)
        row[0], row[1] = line, values["sourcedId"]
        if table == "orgs" and values.get("type"):
            row[staging.names.index("type")] = values["type"]
            self.org_types[values["sourcedId"]] = values["type"]
        if table == "users":
            # Stand for a student or staff member, so enrollments of this user are not flagged.
            self.tables["roles"].write(
                (
                    line,
                    f"stub:{values['sourcedId']}",
                    None,
                    None,
                    values["sourcedId"],
                    None,
                    IGNORED,
                    None,
                    False,
                    None,
                    None,
                    None,
                    None,
                )
            )
        staging.write(tuple(row))

    @staticmethod
    def convert(column: spec.Column, text: str) -> Any:
        if column.name == "dateLastModified":
            return spec.parse_datetime(text)
        if column.name == "status":
            if text not in spec.STATUSES:
                raise spec.ValueProblem(
                    f"'{text}' is not a status. Fix: write active or tobedeleted."
                )
            return text
        if column.kind == spec.DATE:
            return spec.parse_date(text)
        if column.kind == spec.BOOL:
            return spec.parse_bool(text)
        if column.kind == spec.YEAR:
            if not (len(text) == 4 and text.isdigit()):
                raise spec.ValueProblem(f"'{text}' is not a year written YYYY")
            return int(text)
        if column.kind == spec.LIST:
            return [item.strip() for item in text.split(",") if item.strip()]
        if column.choices:
            return spec.parse_choice(column, text)
        return text

    @staticmethod
    def _last_day(end: datetime.date | None) -> datetime.date | None:
        # OneRoster end dates of roles and enrollments are exclusive; Trellis keeps the last day.
        return end - datetime.timedelta(days=1) if end else None

    # One handler per file: turn checked values into staging rows.
    def row_orgs(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        self.org_types[v["sourcedId"]] = v["type"]
        self.tables["orgs"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["name"],
                v["type"],
                v["identifier"],
                v["parentSourcedId"],
            )
        )

    def row_academicSessions(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        if v["endDate"] < v["startDate"]:
            self.problems.add(file, line, "endDate", "The session ends before it starts.")
            return
        if v["schoolYear"] is None:
            v["schoolYear"] = v["endDate"].year
            self.problems.warn_rows(
                file,
                line,
                "schoolYear",
                "The session has no schoolYear: read as the year it ends. "
                "Fix: fill schoolYear (YYYY, the year the school year ends).",
            )
        self.tables["sessions"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["title"],
                v["type"],
                v["startDate"],
                v["endDate"],
                v["parentSourcedId"],
                v["schoolYear"],
            )
        )

    def row_users(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        grades = v.get("grades") or []
        if grades and len(grades[0]) > 8:
            self.problems.add(
                file,
                line,
                "grades",
                f"The grade '{grades[0]}' is longer than 8 "
                "characters; use a CEDS grade code such as KG or 05.",
            )
            self.stub("users", line, v)
            return
        self.tables["users"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["givenName"],
                v["familyName"],
                v["middleName"],
                v.get("preferredGivenName"),
                v["identifier"],
                v["email"],
                grades[0] if grades else None,
                v.get("primaryOrgSourcedId"),
            )
        )
        if self.bundle.version == "1.1":
            # 1.1 keeps the role on the user, held at each of its orgs.
            for org_sid in v["orgSourcedIds"]:
                org_type = self.org_types.get(org_sid, "")
                kind = position_kind(self.mapping, v["role"], org_type)
                self.tables["roles"].write(
                    (
                        line,
                        f"{v['sourcedId']}@{org_sid}",
                        v["status"],
                        v["dateLastModified"],
                        v["sourcedId"],
                        v["role"],
                        kind,
                        org_sid,
                        org_type == "school",
                        None,
                        None,
                        file,
                        None,
                    )
                )

    def row_roles(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        begin, end = v["beginDate"], v["endDate"]
        if begin and end and end <= begin:
            self.problems.add(file, line, "endDate", "The role ends before it begins.")
            return
        org_type = self.org_types.get(v["orgSourcedId"], "")
        kind = position_kind(self.mapping, v["role"], org_type)
        self.tables["roles"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["userSourcedId"],
                v["role"],
                kind,
                v["orgSourcedId"],
                org_type == "school",
                begin,
                self._last_day(end),
                file,
                None,
            )
        )

    def row_people(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        school_pk = None
        if v["school"]:
            school_pk = self.school_keys().get(v["school"])
            if school_pk is None:
                self.problems.add(
                    file,
                    line,
                    "school",
                    f"No school of {self.system.name} has the ID '{v['school']}'.",
                )
                return
        begin, end = v["starts_on"], v["ends_on"]
        if begin and end and end < begin:
            self.problems.add(file, line, "ends_on", "The position ends before it starts.")
            return
        if not self.seen_people.get(v["person_id"]):
            self.seen_people[v["person_id"]] = line
            self.tables["users"].write(
                (
                    line,
                    v["person_id"],
                    v["status"],
                    None,
                    v["given_name"],
                    v["family_name"],
                    v["middle_name"],
                    v["preferred_name"],
                    v["employee_number"],
                    v["email"],
                    None,
                    None,
                )
            )
        kind = v["position"] or ""
        if kind:
            sid = f"csv:{v['person_id']}:{v['school'] or '-'}:{kind}"
            self.tables["roles"].write(
                (
                    line,
                    sid,
                    v["status"],
                    None,
                    v["person_id"],
                    kind,
                    kind,
                    None,
                    False,
                    begin,
                    end,
                    file,
                    school_pk,
                )
            )

    def school_keys(self) -> dict[str, int]:
        if self._school_keys is None:
            keys: dict[str, int] = {}
            for pk, sourced_id, identifier in School.objects.filter(system=self.system).values_list(
                "pk", "sourced_id", "identifier"
            ):
                if identifier:
                    keys[identifier] = pk
                if sourced_id:
                    keys[sourced_id] = pk
            self._school_keys = keys
        return self._school_keys

    def row_courses(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        self.tables["courses"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["title"],
                v["courseCode"],
                ",".join(v["grades"]),
                v["orgSourcedId"],
                ",".join(v["subjects"]),
                v["schoolYearSourcedId"],
            )
        )

    def row_classes(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        if not v["courseSourcedId"]:
            self.problems.warn_rows(
                file,
                line,
                "courseSourcedId",
                "The class has no course: stored without one. "
                "Fix: fill courseSourcedId with the class's course from courses.csv.",
            )
        self.tables["classes"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["title"],
                ",".join(v["grades"]),
                v["courseSourcedId"],
                v["classCode"],
                v["classType"],
                v["schoolSourcedId"],
                ",".join(v["termSourcedIds"]),
                ",".join(v["subjects"]),
                ",".join(v["periods"]),
            )
        )
        for term in v["termSourcedIds"]:
            self.tables["class_terms"].write((line, v["sourcedId"], term))

    def row_enrollments(self, file: str, line: int, v: dict[str, Any], mode: str) -> None:
        begin, end = v["beginDate"], v["endDate"]
        if begin and end and end <= begin:
            self.problems.add(file, line, "endDate", "The enrollment ends before it begins.")
            return
        self.tables["enrollments"].write(
            (
                line,
                v["sourcedId"],
                v["status"],
                v["dateLastModified"],
                v["classSourcedId"],
                v["schoolSourcedId"],
                v["userSourcedId"],
                v["role"],
                bool(v["primary"]),
                begin,
                self._last_day(end),
            )
        )

    def drop(self) -> None:
        for table in self.tables.values():
            table.drop()


# -- whole-bundle checks in SQL ---------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    table: str  # staging table holding the reference
    column: str  # its column
    header: str  # the CSV column name, for the message
    target: str  # staging table of the referenced records
    target_file: str  # manifest name of the referenced file
    db: list[str] | None  # subqueries finding a stored record (for non-bulk targets)
    school_only: bool = False
    file_column: str = ""  # staging column naming the file, when not the table's own file
    # An org's parent is not stored (only schools and the district are): a dangling one is
    # reported, not blocking.
    severity: str = ERROR


def _db_sets(system_id: int) -> dict[str, list[str]]:
    """Subqueries finding a stored, active record of this system by sourcedId ({v})."""
    s = int(system_id)

    def stored(table: str) -> str:
        return (
            f"SELECT 1 FROM {table} d WHERE d.system_id = {s} AND d.sourced_id = {{v}} "
            "AND d.is_active"
        )

    return {
        "orgs": [
            stored("orgs_school"),
            f"SELECT 1 FROM orgs_system d WHERE d.id = {s} AND d.sourced_id = {{v}}",
        ],
        "schools": [stored("orgs_school")],
        "sessions": [stored("rosters_academicsession")],
        "users": [stored("people_person"), stored("students_student")],
        "courses": [stored("rosters_course")],
        "classes": [stored("rosters_schoolclass")],
    }


def check_bundle(reader: Reader) -> None:
    bundle, problems = reader.bundle, reader.problems
    db = _db_sets(reader.system.pk)
    tables: tuple[str, ...] = ("orgs", "sessions", "users", "courses", "classes", "enrollments")
    if bundle.version == "1.2":
        tables += ("roles",)
    if bundle.version == "people":
        tables = ("roles",)
    for table in tables:
        file = FILE_OF[table]
        if file not in bundle.files:
            continue
        for row, sid in fetch(
            f"SELECT s.row, s.sid FROM stg_{table} s JOIN (SELECT sid, MIN(row) AS first "
            f"FROM stg_{table} GROUP BY sid HAVING COUNT(*) > 1) d "
            f"ON s.sid = d.sid AND s.row > d.first ORDER BY s.row LIMIT {ERROR_LIMIT}"
        ):
            problems.add(
                bundle.files[file].name,
                row,
                "sourcedId",
                f"The sourcedId '{sid}' appears more than once in this file.",
            )
    references = [
        Reference(
            "orgs", "parent_sid", "parentSourcedId", "orgs", "orgs", db["orgs"], severity=WARNING
        ),
        Reference(
            "sessions",
            "parent_sid",
            "parentSourcedId",
            "sessions",
            "academicSessions",
            db["sessions"],
        ),
        Reference(
            "roles", "user_sid", "userSourcedId", "users", "users", db["users"], file_column="file"
        ),
        Reference(
            "roles",
            "org_sid",
            "orgSourcedIds" if bundle.version == "1.1" else "orgSourcedId",
            "orgs",
            "orgs",
            db["orgs"],
            file_column="file",
        ),
        Reference("users", "primary_org_sid", "primaryOrgSourcedId", "orgs", "orgs", db["orgs"]),
        Reference("courses", "org_sid", "orgSourcedId", "orgs", "orgs", db["orgs"]),
        Reference(
            "courses",
            "year_sid",
            "schoolYearSourcedId",
            "sessions",
            "academicSessions",
            db["sessions"],
        ),
        Reference("classes", "course_sid", "courseSourcedId", "courses", "courses", db["courses"]),
        Reference(
            "classes",
            "school_sid",
            "schoolSourcedId",
            "orgs",
            "orgs",
            db["schools"],
            school_only=True,
        ),
        Reference(
            "class_terms",
            "term_sid",
            "termSourcedIds",
            "sessions",
            "academicSessions",
            db["sessions"],
        ),
        Reference(
            "enrollments", "class_sid", "classSourcedId", "classes", "classes", db["classes"]
        ),
        Reference(
            "enrollments",
            "school_sid",
            "schoolSourcedId",
            "orgs",
            "orgs",
            db["schools"],
            school_only=True,
        ),
        Reference("enrollments", "user_sid", "userSourcedId", "users", "users", db["users"]),
    ]
    for ref in references:
        owner = "classes" if ref.table == "class_terms" else ref.table
        if ref.target_file in reader.unread or FILE_OF[owner] in reader.unread:
            continue  # that file's header is already reported; its rows were not read
        if FILE_OF[owner] not in bundle.files and not (
            ref.table == "roles" and "users" in bundle.files
        ):
            continue
        # Anti-joins (NOT EXISTS), never NOT IN: at metro size the referenced set is far larger
        # than PostgreSQL's work_mem, and NOT IN would then probe it once per row.
        value = f"s.{ref.column}"
        school = " AND t.type = 'school'" if ref.school_only else ""
        missing = [f"NOT EXISTS (SELECT 1 FROM stg_{ref.target} t WHERE t.sid = {value}{school})"]
        # A bulk file is the complete set: references must be in the bundle. Otherwise what is
        # already stored counts too.
        target_bulk = bundle.modes.get(ref.target_file) == "bulk"
        if not target_bulk and ref.db is not None:
            missing += [f"NOT EXISTS ({query.format(v=value)})" for query in ref.db]
        file_expr = f"s.{ref.file_column}" if ref.file_column else "''"
        org_join = f"LEFT JOIN stg_orgs o ON o.sid = {value}" if ref.school_only else ""
        # A row that removes a record may point at records already removed.
        live = (
            ""
            if ref.table == "class_terms"
            else (" AND (s.status IS NULL OR s.status <> 'tobedeleted')")
        )
        org_type = "o.type" if ref.school_only else "NULL"
        rows = fetch(
            f"SELECT s.row, {value}, {file_expr}, {org_type} FROM stg_{ref.table} s {org_join} "
            f"WHERE {value} IS NOT NULL AND {' AND '.join(missing)}{live} "
            f"ORDER BY s.row LIMIT {ERROR_LIMIT}"
        )
        for row, value, file_name, found_type in rows:
            if found_type:
                problems.add(
                    file_name or bundle.files[FILE_OF[owner]].name,
                    row,
                    ref.header,
                    f"'{value}' is a {found_type} org in orgs.csv, not a school. Fix: give the "
                    "school's sourcedId here, or correct the org's type in orgs.csv.",
                )
                continue
            file = file_name or bundle.files[FILE_OF[owner]].name
            where = (
                f"{ref.target_file}.csv"
                if ref.target_file in bundle.files
                else f"the bundle ({ref.target_file}.csv is absent)"
            )
            kind = "school" if ref.school_only else "record"
            stored = "" if target_bulk else " or among the records already stored"
            unused = (
                " Trellis does not store it, so nothing dangles." if ref.severity == WARNING else ""
            )
            problems.add(
                file,
                row,
                ref.header,
                f"'{value}' refers to a {kind} that is not in {where}{stored}.{unused} Fix: "
                f"add it to {ref.target_file}.csv, or correct {ref.header}.",
                ref.severity,
            )
        if ref.table == "class_terms" or ref.severity == WARNING:
            continue
        # A live row may not point at a record this bundle removes.
        for row, value, file_name, _ in fetch(
            f"SELECT s.row, s.{ref.column}, {file_expr}, NULL FROM stg_{ref.table} s WHERE "
            f"s.{ref.column} IS NOT NULL{live} AND EXISTS (SELECT 1 FROM stg_{ref.target} t "
            f"WHERE t.sid = s.{ref.column} AND t.status = 'tobedeleted') "
            f"ORDER BY s.row LIMIT {ERROR_LIMIT}"
        ):
            problems.add(
                file_name or bundle.files[FILE_OF[owner]].name,
                row,
                ref.header,
                f"'{value}' refers to a record that {ref.target_file}.csv marks tobedeleted. "
                "Fix: remove or mark tobedeleted this row too, or keep the record.",
            )
    # A class member must be stored as what the enrollment says: a student, or staff.
    if "enrollments" in bundle.files:
        sys_id = int(reader.system.pk)
        checks = (
            (
                "e.role = 'student'",
                f"r.kind = '{STUDENT}'",
                "students_student",
                "is enrolled as a student but holds no student role. Fix: give the user a "
                "student role (roles.csv; 1.1: role in users.csv), or correct this row's role",
            ),
            (
                "e.role <> 'student'",
                f"r.kind NOT IN ('{STUDENT}', '{FAMILY}')",
                "people_person",
                "is enrolled as staff but holds no staff role. Fix: give the user a staff "
                "role (roles.csv; 1.1: role in users.csv), or correct this row's role",
            ),
        )
        for role_test, kind_test, table, reason in checks:
            for row, user in fetch(
                f"SELECT e.row, e.user_sid FROM stg_enrollments e WHERE {role_test} "
                "AND (e.status IS NULL OR e.status <> 'tobedeleted') "
                # users that exist nowhere are reported once, as dangling references
                "AND (EXISTS (SELECT 1 FROM stg_users u WHERE u.sid = e.user_sid) "
                f"OR EXISTS (SELECT 1 FROM people_person d WHERE d.system_id = {sys_id} "
                "AND d.sourced_id = e.user_sid) OR EXISTS (SELECT 1 FROM students_student d "
                f"WHERE d.system_id = {sys_id} AND d.sourced_id = e.user_sid)) "
                f"AND NOT EXISTS (SELECT 1 FROM stg_roles r WHERE r.user_sid = e.user_sid "
                f"AND {kind_test}) AND NOT EXISTS (SELECT 1 FROM {table} d WHERE "
                f"d.system_id = {sys_id} AND d.sourced_id = e.user_sid) "
                f"ORDER BY e.row LIMIT {ERROR_LIMIT}"
            ):
                problems.add(
                    bundle.files["enrollments"].name, row, "userSourcedId", f"'{user}' {reason}."
                )
    # In 1.2 the roles say who is staff and who a student: a complete users.csv needs them.
    if (
        bundle.version == "1.2"
        and bundle.modes.get("users") == "bulk"
        and "roles" not in bundle.files
    ):
        problems.add(
            bundle.files["users"].name,
            None,
            "",
            "A bulk users.csv needs roles.csv in OneRoster 1.2: the roles say who is "
            "a student and who is staff.",
        )
    # The district in the bundle must be this system's.
    districts = [sid for (sid,) in fetch("SELECT sid FROM stg_orgs WHERE type = 'district'")]
    system = reader.system
    if system.sourced_id and districts and system.sourced_id not in districts:
        problems.add(
            bundle.files["orgs"].name,
            None,
            "sourcedId",
            f"This bundle is for the district {', '.join(districts)}, but "
            f"{system.name} is district {system.sourced_id}: wrong --system?",
        )
    elif not system.sourced_id and len(districts) > 1:
        problems.add(
            bundle.files["orgs"].name,
            None,
            "type",
            f"The bundle holds {len(districts)} districts; import each into its own system.",
        )


# -- applying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """How staged rows become one table's rows."""

    name: str  # the key in the run's summary
    table: str
    file: str  # the manifest file whose mode governs bulk soft-deletes
    select: str  # SQL producing: sid, active, dlm, then `columns`, from staging
    columns: tuple[str, ...]
    insert_only: tuple[tuple[str, str], ...] = ()  # (column, SQL value) set only on insert
    has_active: bool = True  # positions are ended instead
    key_filter: str = ""  # extra condition on the target's rows (positions: source='roster')


def targets(system_id: int, run_date: str) -> list[Target]:
    s = int(system_id)
    active = "(s.status IS NULL OR s.status = 'active')"
    return [
        Target(
            "schools",
            "orgs_school",
            "orgs",
            f"SELECT s.sid, {active} AS active, s.dlm, s.name, COALESCE(s.identifier, '') "
            "AS identifier FROM stg_orgs s WHERE s.type = 'school'",
            ("name", "identifier"),
            (("level", "'other'"), ("address", "''"), ("city", "''"), ("phone", "''")),
        ),
        Target(
            "academic sessions",
            "rosters_academicsession",
            "academicSessions",
            f"SELECT s.sid, {active} AS active, s.dlm, s.title, s.type AS kind, "
            "s.start_date AS starts_on, s.end_date AS ends_on, COALESCE(s.parent_sid, '') AS "
            "parent_sourced_id, s.school_year FROM stg_sessions s",
            ("title", "kind", "starts_on", "ends_on", "parent_sourced_id", "school_year"),
        ),
        Target(
            "people",
            "people_person",
            "users",
            f"SELECT s.sid, {active} AS active, s.dlm, s.given AS given_name, s.family AS "
            "family_name, COALESCE(s.middle, '') AS middle_name, COALESCE(s.preferred, '') AS "
            "preferred_name, COALESCE(s.email, '') AS email, COALESCE(s.identifier, '') AS "
            "identifier FROM stg_users s WHERE EXISTS (SELECT 1 FROM stg_roles r WHERE "
            f"r.user_sid = s.sid AND r.kind NOT IN ('{STUDENT}', '{FAMILY}')) OR EXISTS "
            f"(SELECT 1 FROM people_person p WHERE p.system_id = {s} AND p.sourced_id = s.sid)",
            ("given_name", "family_name", "middle_name", "preferred_name", "email", "identifier"),
        ),
        Target(
            "students",
            "students_student",
            "users",
            f"SELECT s.sid, {active} AS active, s.dlm, COALESCE(sc.id, ex.school_id) AS "
            "school_id, s.given AS given_name, s.family AS family_name, COALESCE(s.grade, '') "
            "AS grade, r.begin_date AS enrolled_on, r.end_date AS exits_on FROM stg_users s "
            "LEFT JOIN (SELECT user_sid, MIN(org_sid) AS org_sid, MIN(begin_date) AS "
            f"begin_date, MAX(end_date) AS end_date FROM stg_roles WHERE kind = '{STUDENT}' "
            "AND at_school GROUP BY user_sid) r ON r.user_sid = s.sid "
            f"LEFT JOIN orgs_school sc ON sc.system_id = {s} AND sc.sourced_id = r.org_sid "
            f"LEFT JOIN students_student ex ON ex.system_id = {s} AND ex.sourced_id = s.sid "
            "WHERE COALESCE(sc.id, ex.school_id) IS NOT NULL",
            ("school_id", "given_name", "family_name", "grade", "enrolled_on", "exits_on"),
        ),
        Target(
            "positions",
            "people_position",
            "users",
            # A role's begin date is its current spell's start unless an earlier spell of the
            # same role (superseded: history) already covers it; then the spell keeps its own.
            f"SELECT r.sid, {active.replace('s.', 'r.')} AS active, r.dlm, p.id AS person_id, "
            "r.kind, COALESCE(r.school_pk, sc.id) AS school_id, CASE WHEN pe.prev_end IS NOT "
            "NULL AND (r.begin_date IS NULL OR r.begin_date <= pe.prev_end) THEN ex.starts_on "
            "ELSE COALESCE(r.begin_date, ex.starts_on, CASE WHEN "
            f"r.end_date < '{run_date}' THEN r.end_date ELSE '{run_date}' END) END AS starts_on, "
            "r.end_date AS ends_on, r.begin_date FROM stg_roles r "
            f"JOIN people_person p ON p.system_id = {s} AND p.sourced_id = r.user_sid "
            f"LEFT JOIN orgs_school sc ON sc.system_id = {s} AND sc.sourced_id = r.org_sid "
            f"LEFT JOIN people_position ex ON ex.system_id = {s} AND ex.source = 'roster' "
            "AND NOT ex.superseded AND ex.sourced_id = r.sid LEFT JOIN (SELECT sourced_id, "
            f"MAX(ends_on) AS prev_end FROM people_position WHERE system_id = {s} AND "
            "source = 'roster' AND superseded GROUP BY sourced_id) pe ON pe.sourced_id = r.sid "
            f"WHERE r.kind NOT IN ('{STUDENT}', '{FAMILY}', '')",
            ("person_id", "kind", "school_id", "starts_on", "ends_on"),
            (
                ("title", "''"),
                ("external_organisation", "''"),
                ("source", "'roster'"),
                ("end_reason", "''"),
                ("superseded", "FALSE"),
            ),
            has_active=False,
            key_filter="AND t.source = 'roster' AND NOT t.superseded",
        ),
        Target(
            "courses",
            "rosters_course",
            "courses",
            f"SELECT s.sid, {active} AS active, s.dlm, s.title, COALESCE(s.course_code, '') AS "
            "course_code, sc.id AS school_id, COALESCE(s.grades, '') AS grades, "
            "COALESCE(s.subjects, '') AS subjects FROM stg_courses s "
            f"LEFT JOIN orgs_school sc ON sc.system_id = {s} AND sc.sourced_id = s.org_sid",
            ("title", "course_code", "school_id", "grades", "subjects"),
        ),
        Target(
            "classes",
            "rosters_schoolclass",
            "classes",
            f"SELECT s.sid, {active} AS active, s.dlm, s.title, COALESCE(s.class_code, '') AS "
            "class_code, s.class_type, sc.id AS school_id, c.id AS course_id, "
            "COALESCE(s.term_sids, '') AS term_sourced_ids, COALESCE(s.grades, '') AS grades, "
            "COALESCE(s.subjects, '') AS subjects, COALESCE(s.periods, '') AS periods "
            f"FROM stg_classes s JOIN orgs_school sc ON sc.system_id = {s} "
            f"AND sc.sourced_id = s.school_sid LEFT JOIN rosters_course c ON c.system_id = {s} "
            "AND c.sourced_id = s.course_sid",
            (
                "title",
                "class_code",
                "class_type",
                "school_id",
                "course_id",
                "term_sourced_ids",
                "grades",
                "subjects",
                "periods",
            ),
        ),
        Target(
            "enrollments",
            "rosters_enrollment",
            "enrollments",
            f"SELECT s.sid, {active} AS active, s.dlm, c.id AS school_class_id, sc.id AS "
            "school_id, CASE WHEN s.role = 'student' THEN NULL ELSE p.id END AS person_id, "
            "CASE WHEN s.role = 'student' THEN st.id ELSE NULL END AS student_id, s.role, "
            "COALESCE(s.is_primary, FALSE) AS is_primary, s.begin_date AS begins_on, "
            "s.end_date AS ends_on FROM stg_enrollments s "
            f"JOIN rosters_schoolclass c ON c.system_id = {s} AND c.sourced_id = s.class_sid "
            f"JOIN orgs_school sc ON sc.system_id = {s} AND sc.sourced_id = s.school_sid "
            f"LEFT JOIN people_person p ON p.system_id = {s} AND p.sourced_id = s.user_sid "
            f"LEFT JOIN students_student st ON st.system_id = {s} AND st.sourced_id = s.user_sid",
            (
                "school_class_id",
                "school_id",
                "person_id",
                "student_id",
                "role",
                "is_primary",
                "begins_on",
                "ends_on",
            ),
        ),
    ]


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
    execute("DROP TABLE IF EXISTS nxt")
    execute(f"CREATE TEMPORARY TABLE nxt AS {target.select}")
    execute("CREATE INDEX nxt_sid ON nxt (sid)")
    if vendor() == "postgresql":
        execute("ANALYZE nxt")
    s = int(system_id)
    t = target.table
    cols = target.columns
    match = f"t.system_id = {s} AND t.sourced_id = n.sid {target.key_filter}"
    differs = " OR ".join(f"t.{c} IS DISTINCT FROM n.{c}" for c in cols)
    newer = "(t.roster_modified_at IS NULL OR n.dlm IS NULL OR n.dlm >= t.roster_modified_at)"
    stamp = "roster_modified_at = COALESCE(n.dlm, t.roster_modified_at), "
    sets = ", ".join(f"{c} = n.{c}" for c in cols)
    counts = {"added": 0, "changed": 0, "reactivated": 0, "soft_deleted": 0}
    # What the mass-removal guard compares soft-deletes with: the active (open) records before.
    counts["active_before"] = fetch(
        f"SELECT COUNT(*) FROM {t} t WHERE t.system_id = {s} "
        + ("AND t.is_active" if target.has_active else f"AND t.ends_on IS NULL {target.key_filter}")
    )[0][0]
    params = [now]
    spells = {"changed": 0, "added": 0}
    if not target.has_active:
        spells = history.supersede_positions(system_id=s, newer=newer, now=now, run_date=run_date)
    if target.has_active:
        counts["reactivated"] = execute(
            f"UPDATE {t} AS t SET {sets}, {stamp}is_active = TRUE, updated_at = %s FROM nxt n "
            f"WHERE {match} AND NOT t.is_active AND n.active AND {newer}",
            params,
        )
        counts["changed"] = execute(
            f"UPDATE {t} AS t SET {sets}, {stamp}updated_at = %s FROM nxt n "
            f"WHERE {match} AND t.is_active AND n.active AND ({differs}) AND {newer}",
            params,
        )
    else:
        counts["changed"] = execute(
            f"UPDATE {t} AS t SET {sets}, {stamp}updated_at = %s FROM nxt n "
            f"WHERE {match} AND n.active AND ({differs}) AND {newer}",
            params,
        )
    # A newer row that changes nothing still moves the record's clock, so that a late, older
    # delta cannot undo it. Not counted as a change.
    execute(
        f"UPDATE {t} AS t SET roster_modified_at = n.dlm FROM nxt n WHERE {match} AND n.active "
        "AND n.dlm IS NOT NULL AND (t.roster_modified_at IS NULL OR n.dlm > t.roster_modified_at)"
    )
    extra_cols = "".join(f", {c}" for c, _ in target.insert_only)
    extra_vals = "".join(f", {v}" for _, v in target.insert_only)
    activity = (
        (", is_active, roster_modified_at", ", TRUE, n.dlm")
        if target.has_active
        else (", roster_modified_at", ", n.dlm")
    )
    counts["added"] = execute(
        f"INSERT INTO {t} (system_id, sourced_id, created_at, updated_at{activity[0]}, "
        f"{', '.join(cols)}{extra_cols}) SELECT {s}, n.sid, %s, %s{activity[1]}, "
        f"{', '.join('n.' + c for c in cols)}{extra_vals} FROM nxt n WHERE n.active AND NOT "
        f"EXISTS (SELECT 1 FROM {t} t WHERE {match})",
        [now, now],
    )
    if target.has_active:
        gone = (
            f"UPDATE {t} AS t SET is_active = FALSE, updated_at = %s WHERE t.system_id = {s} "
            "AND t.is_active AND t.sourced_id <> '' AND NOT EXISTS (SELECT 1 FROM nxt n "
            "WHERE n.sid = t.sourced_id AND n.active)"
            if bundle.modes.get(target.file) == "bulk"
            else f"UPDATE {t} AS t SET is_active = FALSE, {stamp}updated_at = %s FROM nxt n "
            f"WHERE {match} AND t.is_active AND NOT n.active AND {newer}"
        )
        counts["soft_deleted"] = execute(gone, params)
    else:
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
        counts["soft_deleted"] = 0
        if bulk or bundle.version == "people":
            counts["soft_deleted"] += execute(
                missing, [last_day, last_day, now, last_day, last_day]
            )
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
    if not target.has_active:
        # A changed spell is one row ended and one added; the staged row counted once.
        counts["unchanged"] = max(counts["unchanged"] + spells["added"], 0)
    execute("DROP TABLE IF EXISTS nxt")
    return counts


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
                    else f"Committing links {system.name} to the district org {district}."
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
