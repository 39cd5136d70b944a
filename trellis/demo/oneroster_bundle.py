"""Writes a spec-valid OneRoster 1.1 or 1.2 bulk bundle of a demo size, deterministically.

`write_bundle` is a synthetic district (its own sourcedIds), used by the tests (property
tests generate small ones) and by `make bench` (the metro bundle: 1,000 schools, 30,000 staff,
500,000 students, 25,000 classes, about 3 million enrollments). Rows stream to disk; nothing
big is held in memory.
`write_system_bundle` describes a stored system as it is (`manage.py demo --oneroster-out DIR`).
"""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from trellis.demo.generator import FAMILY, GIVEN, GRADES, PLACES, SIZES, school_year_start
from trellis.rosters import spec

SUBJECTS = ["Mathematics", "English", "Science", "Social Studies", "Art"]
STUDENT_CLASSES = 6


def _writer(folder: Path, name: str, header: Sequence[str]) -> tuple[Any, Any]:
    handle = (folder / f"{name}.csv").open("w", newline="", encoding="utf-8")
    writer = csv.writer(handle)
    writer.writerow(header)
    return writer, handle


def write_bundle(
    folder: Path,
    *,
    size_name: str = "demo",
    seed: int = 1,
    version: str = "1.2",
    today: datetime.date | None = None,
    schools: int | None = None,
    staff: int | None = None,
    students: int | None = None,
) -> dict[str, int]:
    """Write the bundle's CSV files into `folder`; returns the row count of each file."""
    size = SIZES[size_name]
    n_schools = schools or size.schools
    n_staff = staff or size.staff
    n_students = students or size.students
    rng = random.Random(seed)
    start = school_year_start(today or datetime.date(2026, 10, 1))
    end = datetime.date(start.year + 1, 6, 30)
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    files = spec.MANIFEST_FILES_11 if version == "1.1" else spec.MANIFEST_FILES_12
    present = {"orgs", "academicSessions", "users", "courses", "classes", "enrollments"}
    if version == "1.2":
        present.add("roles")
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["propertyName", "value"])
        writer.writerow(["manifest.version", "1.0"])
        writer.writerow(["oneroster.version", version])
        for name in files:
            writer.writerow([f"file.{name}", "bulk" if name in present else "absent"])
        writer.writerow(["source.systemName", "Trellis demo generator"])

    def rows(name: str, header: Sequence[str], body: Iterable[Sequence[object]]) -> None:
        writer, handle = _writer(folder, name, header)
        n = 0
        for row in body:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
        handle.close()
        counts[name] = n

    district = "district-1"
    school_ids = [f"school-{i + 1:05d}" for i in range(n_schools)]
    levels = ["elementary"] * 6 + ["middle"] * 2 + ["high"] * 2 + ["k8"]
    school_levels = [levels[i % len(levels)] for i in range(n_schools)]
    rows(
        "orgs",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ],
        [[district, "", "", "Riverbend Public Schools", "district", "1300000", ""]]
        + [
            [
                sid,
                "",
                "",
                f"{rng.choice(PLACES)} {school_levels[i].title()} School {i + 1}",
                "school",
                f"13{i + 1:05d}",
                district,
            ]
            for i, sid in enumerate(school_ids)
        ],
    )
    year = f"year-{start.year + 1}"
    terms = [f"term-{start.year + 1}-1", f"term-{start.year + 1}-2"]
    middle = datetime.date(start.year + 1, 1, 15)
    rows(
        "academicSessions",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        [
            [
                year,
                "",
                "",
                f"{start.year}-{start.year + 1}",
                "schoolYear",
                start,
                end,
                "",
                start.year + 1,
            ],
            [
                terms[0],
                "",
                "",
                "Fall",
                "term",
                start,
                middle - datetime.timedelta(days=1),
                year,
                start.year + 1,
            ],
            [terms[1], "", "", "Spring", "term", middle, end, year, start.year + 1],
        ],
    )
    per_school_staff = max(n_staff // n_schools, 3)
    classes_per_school = max(per_school_staff - 5, 1)
    # Staff: a principal, an assistant principal, then teachers.
    staff_rows: list[tuple[str, str, str]] = []  # (sourcedId, role, school)
    for i, school in enumerate(school_ids):
        for j in range(per_school_staff):
            role = "principal" if j == 0 else ("siteAdministrator" if j == 1 else "teacher")
            staff_rows.append((f"staff-{i + 1:05d}-{j + 1:03d}", role, school))
    students_per_school = max(n_students // n_schools, 1)

    if version == "1.1":
        user_header = [
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ]
    else:
        user_header = [
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
            "userMasterIdentifier",
            "resourceSourcedIds",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
        ]

    def user(sid: str, role11: str, school: str, **values: str) -> list[str]:
        row = {
            "sourcedId": sid,
            "enabledUser": "true",
            "username": sid,
            "givenName": rng.choice(GIVEN),
            "familyName": rng.choice(FAMILY),
            "orgSourcedIds": school,
            "role": role11,
            "primaryOrgSourcedId": school,
            **values,
        }
        return [row.get(name, "") for name in user_header]

    def user_rows() -> Iterable[Sequence[object]]:
        for sid, role, school in staff_rows:
            yield user(
                sid,
                "teacher" if role == "teacher" else "administrator",
                school,
                identifier=sid.upper(),
                email=f"{sid}@riverbend.example",
            )
        for i, school in enumerate(school_ids):
            grades = GRADES.get(school_levels[i], ["09"])
            for k in range(students_per_school):
                yield user(
                    f"stu-{i + 1:05d}-{k + 1:04d}",
                    "student",
                    school,
                    grades=grades[k % len(grades)],
                )

    rows("users", user_header, user_rows())
    if version == "1.2":

        def role_rows() -> Iterable[Sequence[object]]:
            for sid, role, school in staff_rows:
                yield [f"role-{sid}", "", "", sid, "primary", role, start, "", school, ""]
            for i, school in enumerate(school_ids):
                for k in range(students_per_school):
                    sid = f"stu-{i + 1:05d}-{k + 1:04d}"
                    yield [f"role-{sid}", "", "", sid, "primary", "student", start, "", school, ""]

        rows(
            "roles",
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "userSourcedId",
                "roleType",
                "role",
                "beginDate",
                "endDate",
                "orgSourcedId",
                "userProfileSourcedId",
            ],
            role_rows(),
        )
    rows(
        "courses",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ],
        (
            [
                f"course-{i + 1:05d}-{s}",
                "",
                "",
                year,
                f"{subject} {i + 1}",
                f"C{s}",
                "",
                school,
                subject,
                "",
            ]
            for i, school in enumerate(school_ids)
            for s, subject in enumerate(SUBJECTS)
        ),
    )

    def class_id(i: int, c: int) -> str:
        return f"class-{i + 1:05d}-{c + 1:03d}"

    rows(
        "classes",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "periods",
        ],
        (
            [
                class_id(i, c),
                "",
                "",
                f"{SUBJECTS[c % len(SUBJECTS)]} section {c + 1}",
                "",
                f"course-{i + 1:05d}-{c % len(SUBJECTS)}",
                f"S{c + 1}",
                "homeroom" if c == 0 else "scheduled",
                "",
                school,
                ",".join(terms),
                SUBJECTS[c % len(SUBJECTS)],
                str(c % 8 + 1),
            ]
            for i, school in enumerate(school_ids)
            for c in range(classes_per_school)
        ),
    )

    def enrollment_rows() -> Iterable[Sequence[object]]:
        for i, school in enumerate(school_ids):
            teachers = [
                sid
                for sid, role, s in staff_rows[i * per_school_staff : (i + 1) * per_school_staff]
                if role == "teacher"
            ] or [staff_rows[i * per_school_staff][0]]
            for c in range(classes_per_school):
                teacher = teachers[c % len(teachers)]
                yield [
                    f"enr-{class_id(i, c)}-t",
                    "",
                    "",
                    class_id(i, c),
                    school,
                    teacher,
                    "teacher",
                    "true",
                    start,
                    "",
                ]
            for k in range(students_per_school):
                sid = f"stu-{i + 1:05d}-{k + 1:04d}"
                first = (k * 7) % classes_per_school
                taken = {
                    (first + step) % classes_per_school
                    for step in range(min(STUDENT_CLASSES, classes_per_school))
                }
                for c in sorted(taken):
                    yield [
                        f"enr-{class_id(i, c)}-{sid}",
                        "",
                        "",
                        class_id(i, c),
                        school,
                        sid,
                        "student",
                        "",
                        start,
                        "",
                    ]

    rows(
        "enrollments",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        enrollment_rows(),
    )
    return counts


# -- the demo district as a bundle ---------------------------------------------------------

# Which OneRoster 1.2 role stands for each position kind (the default role mapping's inverse).
ROLE_OF_KIND = {
    "teacher": "teacher",
    "principal": "principal",
    "assistant_principal": "siteAdministrator",
    "district_staff": "districtAdministrator",
    "other_staff": "aide",
}
SYSTEM_HEADERS = {
    "orgs": [
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ],
    "users": [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "grades",
        "preferredGivenName",
        "primaryOrgSourcedId",
    ],
    "roles": [
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
    ],
}


def write_system_bundle(folder: Path, system: Any) -> dict[str, int]:
    """Write a OneRoster 1.2 bulk bundle describing `system` as stored: the same sourcedIds,
    names, positions and students, so that importing it into that system changes nothing
    (issue 7 item 16: the demo's bundle used to soft-delete the demo it came from).

    Positions entered in Trellis (coaches, supervisors, teacher leaders) are not roster data
    and are left out; people who hold only those are listed as users with no role.
    """
    from trellis.orgs.models import School
    from trellis.people.models import Person, Position
    from trellis.students.models import Student

    folder.mkdir(parents=True, exist_ok=True)
    present = {"orgs", "users", "roles"}
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["propertyName", "value"])
        writer.writerow(["manifest.version", "1.0"])
        writer.writerow(["oneroster.version", "1.2"])
        for name in spec.MANIFEST_FILES_12:
            writer.writerow([f"file.{name}", "bulk" if name in present else "absent"])
        writer.writerow(["source.systemName", f"Trellis: {system.name}"])
    counts: dict[str, int] = {}

    def rows(name: str, body: Iterable[Sequence[object]]) -> None:
        writer, handle = _writer(folder, name, SYSTEM_HEADERS[name])
        n = 0
        for row in body:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
        handle.close()
        counts[name] = n

    district = system.sourced_id or f"district-{system.code}"
    schools: dict[int, str] = dict(
        School.objects.filter(system=system, is_active=True)
        .exclude(sourced_id="")
        .values_list("pk", "sourced_id")
    )
    rows(
        "orgs",
        [[district, "", "", system.name, "district", "", ""]]
        + [
            [school.sourced_id, "", "", school.name, "school", school.identifier, district]
            for school in School.objects.filter(pk__in=schools).order_by("sourced_id")
        ],
    )
    people = Person.objects.filter(system=system, is_active=True).exclude(sourced_id="")
    students = Student.objects.filter(system=system, is_active=True, school_id__in=schools)
    first_school: dict[int, int] = dict(
        Position.objects.filter(person__in=people, school__isnull=False, ends_on__isnull=True)
        .order_by("person_id", "-starts_on")
        .values_list("person_id", "school_id")
    )

    def users() -> Iterable[Sequence[object]]:
        for p in people.order_by("sourced_id").iterator(chunk_size=5000):
            yield [
                p.sourced_id,
                "",
                "",
                "true",
                p.sourced_id,
                p.given_name,
                p.family_name,
                p.middle_name,
                p.identifier,
                p.email,
                "",
                p.preferred_name,
                schools.get(first_school.get(p.pk, 0), district),
            ]
        for s in students.order_by("sourced_id").iterator(chunk_size=5000):
            yield [
                s.sourced_id,
                "",
                "",
                "true",
                s.sourced_id,
                s.given_name,
                s.family_name,
                "",
                "",
                "",
                s.grade,
                "",
                schools[s.school_id],
            ]

    def exclusive(day: datetime.date | None) -> object:
        # OneRoster's endDate is exclusive; Trellis keeps the last day.
        return day + datetime.timedelta(days=1) if day else ""

    def roles() -> Iterable[Sequence[object]]:
        positions = (
            Position.objects.filter(
                person__in=people, source=Position.Source.ROSTER, superseded=False
            )
            .exclude(sourced_id="")
            .filter(kind__in=ROLE_OF_KIND)
            .select_related("person")
            .order_by("sourced_id")
        )
        for p in positions.iterator(chunk_size=5000):
            yield [
                p.sourced_id,
                "",
                "",
                p.person.sourced_id,
                "primary",
                ROLE_OF_KIND[p.kind],
                p.starts_on,
                exclusive(p.ends_on),
                schools.get(p.school_id or 0, district),
            ]
        for s in students.order_by("sourced_id").iterator(chunk_size=5000):
            yield [
                f"role-{s.sourced_id}",
                "",
                "",
                s.sourced_id,
                "primary",
                "student",
                s.enrolled_on,
                exclusive(s.exits_on),
                schools[s.school_id],
            ]

    rows("users", users())
    rows("roles", roles())
    return counts
