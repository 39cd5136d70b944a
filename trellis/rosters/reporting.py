"""The roster's part of the import report: which file each kind of record comes from."""

from __future__ import annotations

# Which files each kind of record comes from, for the preview's "per file" reading.
SOURCES = {
    "schools": "orgs.csv",
    "academic sessions": "academicSessions.csv",
    "people": "users.csv",
    "students": "users.csv",
    "positions": "roles.csv (1.1: users.csv)",
    "courses": "courses.csv",
    "classes": "classes.csv",
    "enrollments": "enrollments.csv",
    "enrolment windows": "users.csv and enrollments.csv",
}
