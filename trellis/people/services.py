from __future__ import annotations

import datetime
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record, audited_update, snapshot
from trellis.orgs.models import Network, School, System
from trellis.people import rollups
from trellis.people.models import (
    Certification,
    Education,
    EndReason,
    Person,
    Position,
    SchoolStaffCount,
    StaffCountsAsOf,
)

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
        if position.school_id:
            school_staff_counts_rebuild(system_id=person.system_id, school_ids=[position.school_id])
        audit_event_record(
            actor=actor,
            action="position.add",
            obj=position,
            object_repr=f"{person}: {position}",
            after=snapshot(position, POSITION_FIELDS),
        )
    return position


def position_correct(
    *,
    actor: Any,
    position: Position,
    kind: str,
    school: School,
    starts_on: datetime.date,
    title: str,
) -> Position:
    """Correct a position entered wrongly (its kind, school, first day or title), e.g. a
    program's placement recorded at the wrong school: a correction, not a change of job, so
    the row is fixed rather than ended. Audited with what changed."""
    require(actor, Action.PEOPLE_MANAGE, position.person)
    _check_place(position.person, school, None)
    old_school_id = position.school_id
    with transaction.atomic():
        position = audited_update(
            actor=actor,
            obj=position,
            fields={"kind": kind, "school": school, "starts_on": starts_on, "title": title},
            allowed=POSITION_FIELDS,
            action="position.correct",
        )
        if position.ends_on is not None and position.ends_on < position.starts_on:
            raise ValidationError({"starts_on": "The position ended before this day."})
        schools = {s for s in (old_school_id, position.school_id) if s}
        if schools:
            school_staff_counts_rebuild(system_id=position.system_id, school_ids=sorted(schools))
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
        if position.school_id:
            school_staff_counts_rebuild(
                system_id=position.system_id, school_ids=[position.school_id]
            )
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
        school_staff_counts_rebuild(system_id=system.pk)
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


def school_staff_counts_rebuild(
    *,
    system_id: int,
    on: datetime.date | None = None,
    school_ids: Collection[int] | None = None,
) -> None:
    """Recount the roll-up of current staff per school (`SchoolStaffCount`) of a system as of
    `on` (default today): one aggregate over the positions, then only the rows whose count
    changed are deleted and inserted again (a recount that changes nothing, such as a new day's
    or a position dated in the future, keeps the closed readers' stored decision). With
    `school_ids` (a position added or ended there) only those schools are recounted, provided
    the rest were counted for the same day; otherwise the whole system is.

    Derived data, not a record anyone edits: no permission check (the caller's write was
    checked) and no audit event. Also called by a reader that finds the counts out of date
    (people.selectors), so concurrent rebuilds of one system wait for each other (a lock on the
    system's row)."""
    day = on or timezone.localdate()
    with transaction.atomic():
        System.objects.select_for_update().filter(pk=system_id).first()
        as_of = StaffCountsAsOf.objects.filter(system_id=system_id).first()
        if as_of is None or as_of.counted_on != day:
            school_ids = None
        where = "system_id = %s AND school_id IS NOT NULL"
        params: list[Any] = [int(system_id)]
        if school_ids is not None:
            ids = sorted(int(pk) for pk in school_ids)
            where += f" AND school_id IN ({', '.join(['%s'] * len(ids))})"
            params += ids
        current = f"{where} AND starts_on <= %s AND (ends_on IS NULL OR ends_on >= %s)"
        positions = Position._meta.db_table
        table = SchoolStaffCount._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, school_id, kind, people FROM {table} WHERE {where}", params)
            counted = {(school, kind): (pk, n) for pk, school, kind, n in cursor.fetchall()}
            cursor.execute(
                f"SELECT school_id, kind, COUNT(DISTINCT person_id) FROM {positions} WHERE "
                f"{current} GROUP BY school_id, kind UNION ALL SELECT school_id, '', "
                f"COUNT(DISTINCT person_id) FROM {positions} WHERE {current} GROUP BY school_id",
                [*params, day, day, *params, day, day],
            )
            fresh = {(school, kind): n for school, kind, n in cursor.fetchall()}
            # Only the counts that changed are replaced: the others keep what was decided for
            # them, and when none changed the stored decision stands (it is a function of the
            # counts, the threshold and the inactive schools, which readers check).
            keep = {key for key, (_pk, n) in counted.items() if fresh.get(key) == n}
            gone = [pk for key, (pk, _n) in counted.items() if key not in keep]
            for start in range(0, len(gone), 500):
                chunk = gone[start : start + 500]
                cursor.execute(
                    f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
                )
        SchoolStaffCount.objects.bulk_create(
            [
                SchoolStaffCount(system_id=system_id, school_id=school, kind=kind, people=n)
                for (school, kind), n in fresh.items()
                if (school, kind) not in keep
            ],
            batch_size=2000,
        )
        changed = bool(gone) or len(keep) != len(fresh)
        with connection.cursor() as cursor:
            # The counts hold until a position starts, or the day after one ends.
            cursor.execute(
                f"SELECT MIN(CASE WHEN starts_on > %s THEN starts_on END), "
                f"MIN(CASE WHEN ends_on >= %s THEN ends_on END) FROM {positions} WHERE {where}",
                [day, day, *params],
            )
            next_start, last_end = cursor.fetchone()
        until = [_as_date(next_start)]
        ended = _as_date(last_end)
        if ended is not None:
            until.append(ended + datetime.timedelta(days=1))
        if school_ids is not None and as_of is not None and as_of.good_until is not None:
            until.append(as_of.good_until)
        known = [d for d in until if d is not None]
        StaffCountsAsOf.objects.update_or_create(
            system_id=system_id,
            defaults={"counted_on": day, "good_until": min(known) if known else None},
        )
        if changed or not (as_of and as_of.protection):
            _staff_protection_outdated(system_id=system_id)


def _staff_protection_outdated(*, system_id: int) -> None:
    """After a recount (inside its transaction and lock): the stored decision no longer fits the
    counts, so it is marked pending and decided again by the task worker (`tasks.
    staff_protection_decide`), not in the write: over a metro district's 9,000 counts it takes
    minutes, and a principal adding one teacher would wait for it (item 29). Until then closed
    readers see every count withheld (`selectors._stored_protection`). The totals by kind, exact
    sums that readers who may open every school use, are counted now."""
    as_of = StaffCountsAsOf.objects.get(system_id=system_id)
    protection = dict(as_of.protection or {})
    # Imported here, as the views import other apps' tasks: declaring a task sets up
    # django-tasks' backends, which must not happen while the services are first imported
    # (before the settings, a test run's included, are final).
    from trellis.people.tasks import staff_protection_decide

    sums = (
        SchoolStaffCount.objects.filter(system_id=system_id, school__is_active=True)
        .exclude(kind="")
        .order_by()
        .values_list("kind")
        .annotate(n=Sum("people"))
    )
    protection["kinds"] = {kind: [n, True] for kind, n in sums if n}
    # Recounts are numbered (never reset): a decision made over older counts is not stored.
    protection["recount"] = int(protection.get("recount") or 0) + 1
    protection["pending"] = True
    as_of.protection = protection
    as_of.save(update_fields=["protection"])
    # Inside the transaction: the worker sees the task once the counts are committed (and never
    # if they are rolled back).
    staff_protection_decide.enqueue(system_id)


def staff_protection_store(*, system_id: int) -> None:
    """Decide now, under the system's lock, what a closed reader of the system may see (someone
    who sees every school and may open the people of none: analysts, program managers,
    coaches): the same complementary suppression as `people.selectors.staff_table` over every
    school of the system, stored in `SchoolStaffCount.hidden` and `StaffCountsAsOf.protection`,
    so that their pages read a page of schools instead of weighing a metro district's 9,000
    counts on every view (item 29). Called by a reader that finds the stored decision made for
    another threshold or other inactive schools; a recount leaves it to the task worker
    (`staff_protection_decide`). Derived data: no permission check, no audit event."""
    with transaction.atomic():
        System.objects.select_for_update().filter(pk=system_id).first()
        recount = rollups.stored_protection(system_id).get("recount")
        schools, rows = rollups.protection_counts(system_id)
        hide, protection = rollups.protection_weighed(schools, rows)
        rollups.protection_save(system_id, hide, {**protection, "recount": recount})


def staff_protection_decide(*, system_id: int) -> bool:
    """The closed readers' decision a recount left pending, made now
    (`rollups.staff_protection_decide`; the task worker's, or a batch build's at its end)."""
    return rollups.staff_protection_decide(system_id=system_id)


def _as_date(value: Any) -> datetime.date | None:
    # SQLite returns the aggregate of a date column as text.
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
