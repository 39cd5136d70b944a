from __future__ import annotations

import datetime

from ninja import Schema


class SchoolOut(Schema):
    id: int
    name: str
    system: str
    network: str | None
    level: str
    identifier: str
    sourced_id: str
    is_active: bool
    current_staff: int | None
    students_enrolled: int | None
    suppressed: list[str]


class PositionOut(Schema):
    kind: str
    title: str
    school_id: int | None
    school: str | None
    network: str | None
    external_organisation: str
    starts_on: datetime.date
    ends_on: datetime.date | None


class PersonOut(Schema):
    id: int
    system: str
    given_name: str
    family_name: str
    preferred_name: str
    email: str
    identifier: str
    sourced_id: str
    is_active: bool
    current_positions: list[PositionOut]


class MeOut(Schema):
    email: str
    person_id: int | None
    roles: list[str]


class ErrorOut(Schema):
    detail: str
