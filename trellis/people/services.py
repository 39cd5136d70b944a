from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record, audited_update, snapshot
from trellis.orgs.models import Network, School, System
from trellis.people.models import Certification, Education, EndReason, Person, Position

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "middle_name",
    "preferred_name",
    "email",
    "identifier",
    "sourced_id",
    "is_active",
)
POSITION_FIELDS = (
    "kind",
    "title",
    "school",
    "network",
    "external_organisation",
    "starts_on",
    "ends_on",
)


def person_create(
    *, actor: Any, system: System, given_name: str, family_name: str, **fields: Any
) -> Person:
    require(actor, Action.PEOPLE_MANAGE, system)
    with transaction.atomic():
        person = Person(system=system, given_name=given_name, family_name=family_name, **fields)
        person.full_clean()
        person.save()
        audit_event_record(
            actor=actor, action="person.create", obj=person, after=snapshot(person, PERSON_FIELDS)
        )
    return person


def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    require(actor, Action.PEOPLE_MANAGE, person)
    return audited_update(
        actor=actor, obj=person, fields=fields, allowed=PERSON_FIELDS, action="person.update"
    )


def _check_place(person: Person, school: School | None, network: Network | None) -> None:
    if school is not None and school.system_id != person.system_id:
        raise ValidationError({"school": "The school belongs to another system."})
    if network is not None and network.system_id != person.system_id:
        raise ValidationError({"network": "The network belongs to another system."})
    if school is not None and network is not None:
        raise ValidationError("A position is at a school or a network, not both.")


def position_add(
    *,
    actor: Any,
    person: Person,
    kind: str,
    starts_on: datetime.date,
    school: School | None = None,
    network: Network | None = None,
    ends_on: datetime.date | None = None,
    title: str = "",
    external_organisation: str = "",
) -> Position:
    require(actor, Action.PEOPLE_MANAGE, person)
    _check_place(person, school, network)
    if external_organisation and (school or network):
        raise ValidationError(
            {"external_organisation": "A position outside the system has no school or network."}
        )
    with transaction.atomic():
        position = Position(
            person=person,
            system_id=person.system_id,
            kind=kind,
            title=title,
            school=school,
            network=network,
            external_organisation=external_organisation,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        position.full_clean()
        if ends_on is not None and ends_on < starts_on:
            raise ValidationError({"ends_on": "The end date is before the start date."})
        position.save()
        audit_event_record(
            actor=actor,
            action="position.add",
            obj=position,
            object_repr=f"{person}: {position}",
            after=snapshot(position, POSITION_FIELDS),
        )
    return position


def position_end(
    *,
    actor: Any,
    position: Position,
    ends_on: datetime.date,
    end_reason: str = EndReason.UNKNOWN,
) -> Position:
    require(actor, Action.PEOPLE_MANAGE, position.person)
    with transaction.atomic():
        position = Position.objects.select_for_update().select_related("person").get(pk=position.pk)
        if ends_on < position.starts_on:
            raise ValidationError({"ends_on": "The end date is before the position started."})
        before = {"ends_on": position.ends_on.isoformat() if position.ends_on else None}
        position.ends_on = ends_on
        # Every ended position has a reason (issue 8 part 3); an administrator can refine it.
        position.end_reason = position.end_reason or end_reason
        position.save(update_fields=["ends_on", "end_reason", "updated_at"])
        audit_event_record(
            actor=actor,
            action="position.end",
            obj=position,
            object_repr=f"{position.person}: {position}",
            before=before,
            after={"ends_on": ends_on.isoformat()},
        )
    return position


def position_end_reason_set(*, actor: Any, position: Position, end_reason: str) -> Position:
    """Correct why a position ended (the roster import infers it; an administrator knows
    better, e.g. that someone retired). Audited; only for ended positions."""
    require(actor, Action.PEOPLE_MANAGE, position.person)
    if end_reason not in EndReason.values:
        raise ValidationError({"end_reason": f"'{end_reason}' is not a reason a position ends."})
    with transaction.atomic():
        position = Position.objects.select_for_update().select_related("person").get(pk=position.pk)
        if position.ends_on is None:
            raise ValidationError({"end_reason": "The position has not ended."})
        before = {"end_reason": position.end_reason}
        position.end_reason = end_reason
        position.save(update_fields=["end_reason", "updated_at"])
        audit_event_record(
            actor=actor,
            action="position.end_reason",
            obj=position,
            object_repr=f"{position.person}: {position}",
            before=before,
            after={"end_reason": end_reason},
        )
    return position


def education_add(
    *,
    actor: Any,
    person: Person,
    institution: str,
    degree: str,
    field_of_study: str = "",
    completed_year: int | None = None,
    leadership_preparation: bool = False,
) -> Education:
    require(actor, Action.PEOPLE_MANAGE, person)
    with transaction.atomic():
        education = Education(
            person=person,
            institution=institution,
            degree=degree,
            field_of_study=field_of_study,
            completed_year=completed_year,
            leadership_preparation=leadership_preparation,
        )
        education.full_clean()
        education.save()
        audit_event_record(
            actor=actor,
            action="education.add",
            obj=education,
            system_id=person.system_id,
            object_repr=f"{person}: {education}",
            after=snapshot(
                education, ["institution", "degree", "field_of_study", "completed_year"]
            ),
        )
    return education


def certification_add(
    *,
    actor: Any,
    person: Person,
    name: str,
    issuer: str = "",
    number: str = "",
    issued_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> Certification:
    require(actor, Action.PEOPLE_MANAGE, person)
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": "The expiry date is before the issue date."})
    with transaction.atomic():
        certification = Certification(
            person=person,
            name=name,
            issuer=issuer,
            number=number,
            issued_on=issued_on,
            expires_on=expires_on,
        )
        certification.full_clean()
        certification.save()
        audit_event_record(
            actor=actor,
            action="certification.add",
            obj=certification,
            system_id=person.system_id,
            object_repr=f"{person}: {certification}",
            after=snapshot(certification, ["name", "issuer", "issued_on", "expires_on"]),
        )
    return certification


def people_bulk_create(
    *,
    actor: Any,
    system: System,
    people: list[Person],
    positions: list[Position],
    education: list[Education] = (),  # type: ignore[assignment]
    certifications: list[Certification] = (),  # type: ignore[assignment]
) -> int:
    """Set-based load (demo generator, plain people CSV): people first, then what hangs off them.

    Positions, education and certifications refer to unsaved Person objects; bulk_create sets
    their primary keys on PostgreSQL and SQLite alike, so the links resolve after the first insert.
    """
    require(actor, Action.PEOPLE_MANAGE, system)
    with transaction.atomic():
        for person in people:
            person.system = system
        Person.objects.bulk_create(people, batch_size=2000)
        for position in positions:
            position.person_id = position.person.pk
            position.system = system
        Position.objects.bulk_create(positions, batch_size=2000)
        for row in education:
            row.person_id = row.person.pk
        for cert in certifications:
            cert.person_id = cert.person.pk
        Education.objects.bulk_create(list(education), batch_size=2000)
        Certification.objects.bulk_create(list(certifications), batch_size=2000)
        audit_event_record(
            actor=actor,
            action="person.bulk_create",
            system_id=system.pk,
            object_repr=f"{len(people)} people",
            after={
                "people": len(people),
                "positions": len(positions),
                "education": len(education),
                "certifications": len(certifications),
            },
        )
    return len(people)
