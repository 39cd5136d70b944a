"""The plain people CSV (no OneRoster export): read into the same staging tables as a bundle.

Columns, matched by header name: person_id (required: the person's stable ID in the district's
HR system), given_name, family_name (required), middle_name, preferred_name, email,
employee_number, school (a school's roster ID or state identifier), position (teacher,
teacher_leader, assistant_principal, principal, coach, supervisor, district_staff,
other_staff), title, starts_on, ends_on (YYYY-MM-DD; ends_on is the last day), and status
(active or tobedeleted, optional). A person with several positions has one row per position.
"""

from __future__ import annotations

from pathlib import Path

from trellis.rosters.bundle import Bundle, BundleRejected, Problem, file_digest


def open_people_csv(path: Path, *, mode: str, max_bytes: int) -> Bundle:
    if not path.is_file():
        raise BundleRejected([Problem(path.name, None, "", "There is no such file.")])
    if path.stat().st_size > max_bytes:
        raise BundleRejected(
            [
                Problem(
                    path.name,
                    None,
                    "",
                    f"The file is larger than the limit of {max_bytes:,} bytes.",
                )
            ]
        )
    if mode not in ("bulk", "delta"):
        raise BundleRejected([Problem(path.name, None, "", f"Unknown mode '{mode}'.")])
    # People and positions are the only targets; bulk means the file lists everyone.
    return Bundle(
        folder=path.parent,
        files={"people": path, "users": path, "roles": path},
        version="people",
        modes={"people": "plain", "users": mode, "roles": mode},
        digest=file_digest(path),
        only_targets=frozenset({"people", "positions"}),
    )
