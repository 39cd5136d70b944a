"""Whole-bundle checks in SQL over the staging tables: duplicates, references, roles."""

from __future__ import annotations

from dataclasses import dataclass

from trellis.rosters.bundle import ERROR, WARNING
from trellis.rosters.read import ERROR_LIMIT, FAMILY, FILE_OF, STUDENT, Reader
from trellis.rosters.staging import fetch


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
            # The anti-join against the staged roles first, as one set operation; only the few
            # rows it leaves are looked up one by one (as an OR of lookups on all three million
            # enrollments, it was a third of the metro import's checking).
            for row, user in fetch(
                "WITH unmatched AS MATERIALIZED (SELECT e.row, e.user_sid FROM stg_enrollments "
                f"e WHERE {role_test} AND (e.status IS NULL OR e.status <> 'tobedeleted') "
                f"AND NOT EXISTS (SELECT 1 FROM stg_roles r WHERE r.user_sid = e.user_sid "
                f"AND {kind_test})) SELECT e.row, e.user_sid FROM unmatched e WHERE "
                # users that exist nowhere are reported once, as dangling references
                "(EXISTS (SELECT 1 FROM stg_users u WHERE u.sid = e.user_sid) "
                f"OR EXISTS (SELECT 1 FROM people_person d WHERE d.system_id = {sys_id} "
                "AND d.sourced_id = e.user_sid) OR EXISTS (SELECT 1 FROM students_student d "
                f"WHERE d.system_id = {sys_id} AND d.sourced_id = e.user_sid)) "
                f"AND NOT EXISTS (SELECT 1 FROM {table} d WHERE "
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
