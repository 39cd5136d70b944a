"""Reading a bundle: every value checked on the way, streamed into staging tables.

Part of the OneRoster import (see trellis/rosters/oneroster.py for the whole pipeline).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trellis.orgs.models import School, System
from trellis.rosters import spec
from trellis.rosters.bundle import (
    ERROR,
    WARNING,
    Bundle,
    Problem,
    not_utf8_reason,
    read_rows,
)
from trellis.rosters.fastread import copy_enrollments
from trellis.rosters.models import RoleMapping
from trellis.rosters.staging import StagingTable, vendor

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
        self._plans: dict[str, list[Any]] = {}
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
            if name == "enrollments" and vendor() == "postgresql":
                # PostgreSQL joins the enrollments by hashing them (duplicates, the compare
                # with stored records): an index on three million staged rows would only cost
                # the import its building (item 28). SQLite joins through indexes.
                self.tables[name].analyze()
                continue
            self.tables[name].index(*columns)

    def read_file(self, file_spec: spec.FileSpec, path: Path) -> None:
        mode = self.bundle.modes[file_spec.name]
        self.report(path, None)  # the phase starts here (the command's -v 2 times phases)
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
        if file_spec.name == "enrollments" and copy_enrollments(path, header, positions, mode):
            # PostgreSQL read the whole file, and every row was clean (see fastread).
            self.bytes_done += path.stat().st_size
            self.report(path, None)
            return
        handler = getattr(self, f"row_{file_spec.name}")
        width = len(header)
        names = [h.strip() for h in header]
        count = 0
        line = 1
        try:
            for line, raw in enumerate(itertools.chain([first] if first else [], rows), start=2):
                if not "".join(raw).strip():
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

    def plan(
        self, file_spec: spec.FileSpec, positions: dict[str, int]
    ) -> list[tuple[str, int | None, bool, int, Any, Callable[[str], Any] | None, bool]]:
        """Per column, worked out once per file (the row loop runs millions of times):
        (name, index, required, max length, empty value, converter or None, special)."""
        return [
            (
                column.name,
                positions.get(column.name),
                column.required,
                column.max_length,
                [] if column.kind == spec.LIST else None,
                self.converter(column),
                column.name in ("status", "dateLastModified"),
            )
            for column in file_spec.columns
        ]

    def values(
        self,
        file_spec: spec.FileSpec,
        file: str,
        line: int,
        raw: list[str],
        positions: dict[str, int],
        mode: str,
    ) -> tuple[dict[str, Any], bool]:
        plan = self._plans.get(file)
        if plan is None:
            plan = self._plans[file] = self.plan(file_spec, positions)
        out: dict[str, Any] = {}
        ok = True
        for name, index, required, max_length, empty, convert, special in plan:
            text = raw[index].strip() if index is not None else ""
            if not text:
                if required:
                    self.problems.add(file, line, name, "A value is required. Fix: fill it in.")
                    ok = False
                out[name] = empty
                continue
            if special:
                if mode == "bulk":
                    # Issue 7 item 17: bulk rows leave these empty; a filled one is read as
                    # the spec means it (tobedeleted: not in the file) or ignored.
                    self.problems.warn_rows(
                        file,
                        line,
                        name,
                        f"The manifest says {file} is bulk, where {name} is left empty; "
                        + (
                            "tobedeleted rows are read as removed, active ones as present. "
                            if name == "status"
                            else "the value is ignored. "
                        )
                        + "Fix: leave it empty, or declare the file delta in manifest.csv.",
                    )
                    if name == "dateLastModified":
                        out[name] = None
                        continue
                if name == "dateLastModified" and spec.DATE_RE.match(text):
                    try:
                        day = spec.parse_date(text)
                    except spec.ValueProblem as problem:
                        self.problems.add(file, line, name, str(problem))
                        ok = False
                        continue
                    self.problems.warn_rows(
                        file,
                        line,
                        name,
                        "dateLastModified is a date without a time: read as 00:00 UTC that "
                        "day. Fix: write a UTC date-time such as 2024-01-31T08:00:00.000Z.",
                    )
                    out[name] = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
                    continue
            if len(text) > max_length:
                self.problems.add(
                    file, line, name, f"The value is longer than {max_length} characters."
                )
                ok = False
                continue
            if convert is None:
                out[name] = text
                continue
            try:
                out[name] = convert(text)
            except spec.ValueProblem as problem:
                self.problems.add(file, line, name, str(problem))
                ok = False
        sid = out.get("sourcedId")
        if sid and not spec.GUID.match(sid):
            self.problems.add(
                file, line, "sourcedId", f"'{sid}' has characters a sourcedId may not hold."
            )
            ok = False
        if mode == "delta":
            status, modified = out.get("status"), out.get("dateLastModified")
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

    @classmethod
    def converter(cls, column: spec.Column) -> Callable[[str], Any] | None:
        """The function that turns a column's text into its value; None keeps the text."""
        if column.name in ("status", "dateLastModified") or column.kind == spec.YEAR:
            return lambda text: cls.convert(column, text)
        if column.kind == spec.DATE:
            return spec.parse_date
        if column.kind == spec.EMAIL:
            return spec.parse_email
        if column.kind == spec.BOOL:
            return spec.parse_bool
        if column.kind == spec.LIST:
            return lambda text: [item.strip() for item in text.split(",") if item.strip()]
        if column.choices:
            choices = column.choices
            return lambda text: text if text in choices else spec.parse_choice(column, text)
        return None

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
        if column.kind == spec.EMAIL:
            return spec.parse_email(text)
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
