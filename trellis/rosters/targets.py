"""How staged rows become each table's rows: one SQL selection per target."""

from __future__ import annotations

from dataclasses import dataclass

from trellis.rosters.read import FAMILY, STUDENT


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
