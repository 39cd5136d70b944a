"""What can be rated: a person, a school or a system.

Every rating and round subject holds one nullable foreign key per kind (exactly one set). This
module is the one place that maps a kind to its field, model and system, so that the selection
capability adds applicants here (and a column) without touching the callers.
"""

from __future__ import annotations

from typing import Any

from trellis.orgs.models import School, System
from trellis.people.models import Person

SUBJECT_KINDS: dict[str, tuple[type[Any], str]] = {
    "person": (Person, "subject_person"),
    "school": (School, "subject_school"),
    "system": (System, "subject_system"),
}


def kind_of(subject: Any) -> str:
    for kind, (model, _field) in SUBJECT_KINDS.items():
        if isinstance(subject, model):
            return kind
    raise TypeError(f"{type(subject).__name__} cannot be rated")


def field_of(kind: str) -> str:
    return SUBJECT_KINDS[kind][1]


def subject_filter(subject: Any, prefix: str = "") -> dict[str, Any]:
    return {f"{prefix}{field_of(kind_of(subject))}": subject}


def system_id_of(subject: Any) -> int:
    return int(subject.pk if isinstance(subject, System) else subject.system_id)


def subject_of(row: Any) -> Any:
    """The subject a rating or round subject points to."""
    for _model, field in SUBJECT_KINDS.values():
        value = getattr(row, field)
        if value is not None:
            return value
    return None


def name_of(subject: Any) -> str:
    return str(subject.full_name if isinstance(subject, Person) else subject.name)


def user_name(user: Any) -> str:
    """How a user is shown beside their ratings: their person's name, else their display name;
    never the e-mail address (issue 7 item 6)."""
    if user is None:
        return "Command line"
    if user.display_name:
        return str(user.display_name)
    if user.person_id:
        return str(user.person.full_name)
    # An account with no name at all: the part before the @, as words ("far.supervisor" →
    # "Far Supervisor"), which names the account without publishing the address.
    return user.email.split("@")[0].replace(".", " ").replace("_", " ").title()
