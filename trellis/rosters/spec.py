"""What a OneRoster 1.1 / 1.2 CSV bundle holds, as far as Trellis reads it (standards.md §1).

Columns are found by header name; only the columns listed here are read, the rest (extensions
such as `metadata.*`, and columns Trellis does not store) are ignored.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

# Kinds of value a column holds.
TEXT, DATE, DATETIME, BOOL, YEAR, LIST = "text", "date", "datetime", "bool", "year", "list"
EMAIL = "email"

ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
ROLES_11 = {
    "administrator",
    "aide",
    "guardian",
    "parent",
    "proctor",
    "relative",
    "student",
    "teacher",
}
ROLES_12 = {
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
}
ROLE_TYPES = {"primary", "secondary"}
SESSION_TYPES = {"gradingPeriod", "semester", "schoolYear", "term"}
CLASS_TYPES = {"homeroom", "scheduled"}
ENROLLMENT_ROLES = {"administrator", "proctor", "student", "teacher", "aide"}
STATUSES = {"active", "tobedeleted"}
MODES = {"absent", "bulk", "delta"}
# Roles that are not staff and not students: read, checked, not stored.
FAMILY_ROLES = {"guardian", "parent", "relative"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    choices: frozenset[str] = frozenset()
    extensible: bool = False  # OneRoster lets vocabularies grow with `ext:` values
    max_length: int = 255


def col(
    name: str,
    kind: str = TEXT,
    *,
    required: bool = False,
    choices: set[str] | None = None,
    extensible: bool = False,
    max_length: int = 255,
) -> Column:
    return Column(name, kind, required, frozenset(choices or ()), extensible, max_length)


HEAD = [col("sourcedId", required=True), col("status"), col("dateLastModified")]


@dataclass(frozen=True)
class FileSpec:
    name: str  # the manifest's file.<name>
    columns: tuple[Column, ...] = field(default_factory=tuple)
    stored: bool = True  # False: accepted and checked for presence, not read

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _spec(name: str, *columns: Column) -> FileSpec:
    return FileSpec(name, tuple(HEAD) + columns)


ORGS = _spec(
    "orgs",
    col("name", required=True, max_length=200),
    col("type", required=True, choices=ORG_TYPES, extensible=True, max_length=40),
    col("identifier", max_length=64),
    col("parentSourcedId"),
)
USERS_11 = _spec(
    "users",
    col("enabledUser", BOOL, required=True),
    col("orgSourcedIds", LIST, required=True, max_length=10_000),
    col("role", required=True, choices=ROLES_11, extensible=True, max_length=40),
    col("username", required=True),
    col("givenName", required=True, max_length=100),
    col("familyName", required=True, max_length=100),
    col("middleName", max_length=100),
    col("identifier", max_length=64),
    col("email", max_length=254),
    col("grades", LIST),
)
USERS_12 = _spec(
    "users",
    col("enabledUser", BOOL, required=True),
    col("username", required=True),
    col("givenName", required=True, max_length=100),
    col("familyName", required=True, max_length=100),
    col("middleName", max_length=100),
    col("identifier", max_length=64),
    col("email", max_length=254),
    col("grades", LIST),
    col("preferredGivenName", max_length=100),
    col("preferredFamilyName"),
    col("primaryOrgSourcedId"),
)
ROLES = _spec(
    "roles",
    col("userSourcedId", required=True),
    col("roleType", required=True, choices=ROLE_TYPES),
    col("role", required=True, choices=ROLES_12, extensible=True, max_length=40),
    col("beginDate", DATE),
    col("endDate", DATE),
    col("orgSourcedId", required=True),
)
SESSIONS = _spec(
    "academicSessions",
    col("title", required=True),
    col("type", required=True, choices=SESSION_TYPES, extensible=True, max_length=40),
    col("startDate", DATE, required=True),
    col("endDate", DATE, required=True),
    col("parentSourcedId"),
    col("schoolYear", YEAR),  # required by the spec; a missing one is read from endDate
)
COURSES = _spec(
    "courses",
    col("schoolYearSourcedId"),
    col("title", required=True),
    col("courseCode"),
    col("grades", LIST),
    col("orgSourcedId", required=True),
    col("subjects", LIST),
)
CLASSES = _spec(
    "classes",
    col("title", required=True),
    col("grades", LIST),
    col("courseSourcedId"),  # required by the spec; Trellis stores a class without one
    col("classCode"),
    col("classType", required=True, choices=CLASS_TYPES),
    col("schoolSourcedId", required=True),
    col("termSourcedIds", LIST, required=True, max_length=1000),
    col("subjects", LIST),
    col("periods", LIST),
)
ENROLLMENTS = _spec(
    "enrollments",
    col("classSourcedId", required=True),
    col("schoolSourcedId", required=True),
    col("userSourcedId", required=True),
    col("role", required=True, choices=ENROLLMENT_ROLES, extensible=True, max_length=40),
    col("primary", BOOL),
    col("beginDate", DATE),
    col("endDate", DATE),
)
DEMOGRAPHICS = FileSpec("demographics", tuple(HEAD), stored=False)

# Files Trellis reads, in dependency order, per version.
FILES_11 = [ORGS, SESSIONS, USERS_11, COURSES, CLASSES, ENROLLMENTS, DEMOGRAPHICS]
FILES_12 = [ORGS, SESSIONS, USERS_12, ROLES, COURSES, CLASSES, ENROLLMENTS, DEMOGRAPHICS]
# Every file a manifest may declare (gradebook and resource files are accepted, not read).
MANIFEST_FILES_11 = [
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
]
MANIFEST_FILES_12 = [
    *MANIFEST_FILES_11,
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "resultLearningObjectiveIds",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
]

GUID = re.compile(r"^[0-9A-Za-z.\-_/@:]{1,255}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)


class ValueProblem(ValueError):
    pass


def parse_date(text: str) -> datetime.date:
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        try:
            return datetime.date.fromisoformat(text)  # the common case, without the regex
        except ValueError:
            pass
    if not DATE_RE.match(text):
        raise ValueProblem(f"'{text}' is not a date written YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"'{text}' is not a real date") from None


def parse_datetime(text: str) -> datetime.datetime:
    if not DATETIME_RE.match(text):
        raise ValueProblem(f"'{text}' is not a UTC date-time written like 2024-01-31T08:00:00.000Z")
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueProblem(f"'{text}' is not a real date-time") from None
    return value.astimezone(datetime.UTC)


_email = EmailValidator()


def parse_email(text: str) -> str:
    """An e-mail address as Django's EmailField would accept it (the person form's rule)."""
    try:
        _email(text)
    except ValidationError:
        raise ValueProblem(
            f"'{text}' is not an e-mail address. Fix: write it like name@example.org, or leave "
            "it empty."
        ) from None
    return text


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise ValueProblem(f"'{text}' must be true or false")


def parse_choice(column: Column, text: str) -> str:
    if text in column.choices:
        return text
    # Real exports capitalise vocabulary values ("Scheduled"); the meaning is not in doubt.
    for choice in column.choices:
        if choice.lower() == text.lower():
            return choice
    if column.extensible and text.startswith("ext:") and len(text) > 4:
        return text
    allowed = ", ".join(sorted(column.choices))
    raise ValueProblem(f"'{text}' is not one of: {allowed}")


POSITION_KINDS = {
    "teacher",
    "teacher_leader",
    "assistant_principal",
    "principal",
    "coach",
    "supervisor",
    "district_staff",
    "other_staff",
}
# The plain people CSV, for systems with no OneRoster export: one row per person and position.
PEOPLE = FileSpec(
    "people",
    (
        col("person_id", required=True),
        col("status"),
        col("given_name", required=True, max_length=100),
        col("family_name", required=True, max_length=100),
        col("middle_name", max_length=100),
        col("preferred_name", max_length=100),
        # A malformed address is an error: the row would store an address no one can use.
        col("email", EMAIL, max_length=254),
        col("employee_number", max_length=64),
        col("school"),
        col("position", choices=POSITION_KINDS),
        col("title", max_length=200),
        col("starts_on", DATE),
        col("ends_on", DATE),
    ),
)
