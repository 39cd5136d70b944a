"""Writes of programs, cohorts and participants: permission first, one transaction, audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record, changed, snapshot
from trellis.programs.models import Cohort, Participant, Program

PROGRAM_FIELDS = ["name", "kind", "owner_system", "owner_partner", "framework", "description"]
COHORT_FIELDS = ["name", "school_year", "starts_on", "ends_on", "state"]
PARTICIPANT_FIELDS = ["status", "completed_on", "career_goal", "goals"]


def _system_id(program: Program) -> int | None:
    """The system an audit event about this program is filed under (its owner system, or the
    owner partner's home system)."""
    if program.owner_system_id is not None:
        return program.owner_system_id
    return program.owner_partner.home_system_id if program.owner_partner else None


def _check_program_fields(
    *, kind: str, owner_system: Any, owner_partner: Any, framework: Any, systems: list[Any]
) -> None:
    if kind not in Program.Kind.values:
        raise ValidationError({"kind": f"Unknown kind of program {kind!r}."})
    if (owner_system is None) == (owner_partner is None):
        raise ValidationError("A program is owned by one system or by one partner.")
    if not systems:
        raise ValidationError({"systems": "Choose at least one system the program serves."})
    served = {s.pk for s in systems}
    if owner_system is not None and owner_system.pk not in served:
        raise ValidationError({"systems": f"A program of {owner_system} serves {owner_system}."})
    # An internal partner is a department of one system; it serves only that system.
    internal = owner_partner is not None and owner_partner.home_system_id is not None
    if internal and served != {owner_partner.home_system_id}:
        raise ValidationError(
            {"systems": f"{owner_partner} is part of one system and serves only it."}
        )
    if framework is not None and framework.system_id not in (None, *served):
        raise ValidationError(
            {"framework": "The framework belongs to a system this program does not serve."}
        )


def _require_owner(actor: Any, owner_system: Any, owner_partner: Any) -> None:
    """Creating a program is managing programs where its owner is."""
    if actor is None:
        return
    owner = owner_system or owner_partner
    require(actor, Action.PROGRAMS_MANAGE, owner)


def program_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    systems: Iterable[Any],
    owner_system: Any = None,
    owner_partner: Any = None,
    framework: Any = None,
    description: str = "",
) -> Program:
    systems = list(systems)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A program needs a name."})
    _check_program_fields(
        kind=kind,
        owner_system=owner_system,
        owner_partner=owner_partner,
        framework=framework,
        systems=systems,
    )
    _require_owner(actor, owner_system, owner_partner)
    program = Program(
        name=name,
        kind=kind,
        owner_system=owner_system,
        owner_partner=owner_partner,
        framework=framework,
        description=description,
    )
    program.validate_constraints()
    with transaction.atomic():
        program.save()
        program.systems.set(systems)
        audit_event_record(
            actor=actor,
            action="program.create",
            obj=program,
            system_id=_system_id(program),
            object_repr=str(program),
            after={**snapshot(program, PROGRAM_FIELDS), "systems": sorted(s.pk for s in systems)},
        )
    return program


def program_update(
    *, actor: Any, program: Program, systems: Iterable[Any] | None = None, **fields: Any
) -> Program:
    """Change a program's name, kind, framework, description or the systems it serves (its
    owner stays: a program changing hands is a new program)."""
    require(actor, Action.PROGRAMS_MANAGE, program)
    allowed = {"name", "kind", "framework", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        before: dict[str, Any] = snapshot(program, PROGRAM_FIELDS)
        before["systems"] = sorted(program.systems.values_list("pk", flat=True))
        for key, value in fields.items():
            setattr(program, key, value.strip() if key == "name" else value)
        if not program.name:
            raise ValidationError({"name": "A program needs a name."})
        new_systems = list(systems) if systems is not None else list(program.systems.all())
        _check_program_fields(
            kind=program.kind,
            owner_system=program.owner_system,
            owner_partner=program.owner_partner,
            framework=program.framework,
            systems=new_systems,
        )
        program.validate_constraints()
        program.save()
        if systems is not None:
            program.systems.set(new_systems)
        after = {
            **snapshot(program, PROGRAM_FIELDS),
            "systems": sorted(s.pk for s in new_systems),
        }
        diff = changed(before, after)
        if diff:
            audit_event_record(
                actor=actor,
                action="program.update",
                obj=program,
                system_id=_system_id(program),
                object_repr=str(program),
                before={key: before[key] for key in diff},
                after=diff,
            )
    return program


def _check_cohort_dates(school_year: int, starts_on: datetime.date, ends_on: datetime.date) -> None:
    if not 2000 <= school_year <= 2100:
        raise ValidationError({"school_year": "The school year is a year such as 2026."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The last day is before the first day."})


def cohort_create(
    *,
    actor: Any,
    program: Program,
    name: str,
    school_year: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    state: str = Cohort.State.PLANNED,
) -> Cohort:
    require(actor, Action.PROGRAMS_MANAGE, program)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A cohort needs a name."})
    if state not in Cohort.State.values:
        raise ValidationError({"state": f"Unknown state {state!r}."})
    _check_cohort_dates(school_year, starts_on, ends_on)
    cohort = Cohort(
        program=program,
        name=name,
        school_year=school_year,
        starts_on=starts_on,
        ends_on=ends_on,
        state=state,
    )
    cohort.validate_constraints()
    with transaction.atomic():
        cohort.save()
        audit_event_record(
            actor=actor,
            action="cohort.create",
            obj=cohort,
            system_id=_system_id(program),
            object_repr=str(cohort),
            after=snapshot(cohort, COHORT_FIELDS),
        )
    return cohort


def cohort_update(*, actor: Any, cohort: Cohort, **fields: Any) -> Cohort:
    require(actor, Action.PROGRAMS_MANAGE, cohort)
    unknown = set(fields) - set(COHORT_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    if "state" in fields and fields["state"] not in Cohort.State.values:
        raise ValidationError({"state": f"Unknown state {fields['state']!r}."})
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
        before = snapshot(cohort, COHORT_FIELDS)
        for key, value in fields.items():
            setattr(cohort, key, value.strip() if key == "name" else value)
        if not cohort.name:
            raise ValidationError({"name": "A cohort needs a name."})
        _check_cohort_dates(cohort.school_year, cohort.starts_on, cohort.ends_on)
        cohort.validate_constraints()
        cohort.save()
        diff = changed(before, snapshot(cohort, COHORT_FIELDS))
        if diff:
            audit_event_record(
                actor=actor,
                action="cohort.update",
                obj=cohort,
                system_id=_system_id(cohort.program),
                object_repr=str(cohort),
                before={key: before[key] for key in diff},
                after=diff,
            )
    return cohort


def add_participant(
    *,
    actor: Any,
    cohort: Cohort,
    person: Any,
    career_goal: str = "",
    goals: str = "",
    note: str = "",
) -> Participant:
    """Admit `person` into `cohort` (the selection cycle's admit decision, or a program manager
    adding someone by hand). The person works in a system the program serves; a person is in a
    cohort once. `note` says how they came in (e.g. "admitted from application 12") and goes in
    the audit event."""
    require(actor, Action.PROGRAMS_MANAGE, cohort)
    program = cohort.program
    with transaction.atomic():
        # Lock the cohort so that two admissions of the same person cannot both win.
        Cohort.objects.select_for_update().filter(pk=cohort.pk).first()
        if not program.systems.filter(pk=person.system_id).exists():
            raise ValidationError(
                {"person": f"{person} works in a system {program} does not serve."}
            )
        if Participant.objects.filter(cohort=cohort, person=person).exists():
            raise ValidationError({"person": f"{person} is already in {cohort.name}."})
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    cohort=cohort, person=person, career_goal=career_goal, goals=goals
                )
        except IntegrityError as error:
            raise ValidationError({"person": f"{person} is already in {cohort.name}."}) from error
        audit_event_record(
            actor=actor,
            action="participant.add",
            obj=participant,
            system_id=person.system_id,
            object_repr=str(participant)[:200],
            after={"cohort": cohort.pk, "person": person.pk, "note": note},
        )
    return participant


def participant_status_set(
    *,
    actor: Any,
    participant: Participant,
    status: str,
    on: datetime.date | None = None,
) -> Participant:
    """Mark a participant completed or withdrawn on a day (or active again). A withdrawn
    participant keeps their record."""
    require(actor, Action.PROGRAMS_MANAGE, participant)
    if status not in Participant.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if status != Participant.Status.ACTIVE and on is None:
        raise ValidationError({"completed_on": "Give the day of completion or withdrawal."})
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("cohort", "person")
            .get(pk=participant.pk)
        )
        before = snapshot(participant, PARTICIPANT_FIELDS)
        participant.status = status
        participant.completed_on = None if status == Participant.Status.ACTIVE else on
        if on is not None and on < participant.cohort.starts_on:
            raise ValidationError(
                {"completed_on": f"The cohort starts on {participant.cohort.starts_on:%b %-d, %Y}."}
            )
        participant.save(update_fields=["status", "completed_on", "updated_at"])
        diff = changed(before, snapshot(participant, PARTICIPANT_FIELDS))
        if diff:
            audit_event_record(
                actor=actor,
                action="participant.status",
                obj=participant,
                system_id=participant.person.system_id,
                object_repr=str(participant)[:200],
                before={key: before[key] for key in diff},
                after=diff,
            )
    return participant


def participant_goals_set(
    *, actor: Any, participant: Participant, career_goal: str, goals: str
) -> Participant:
    """The participant (their own record) or their program's managers set the goals."""
    _require_own_or_manage(actor, participant)
    with transaction.atomic():
        participant = (
            Participant.objects.select_for_update()
            .select_related("cohort", "person")
            .get(pk=participant.pk)
        )
        before = snapshot(participant, PARTICIPANT_FIELDS)
        participant.career_goal = career_goal.strip()
        participant.goals = goals.strip()
        participant.save(update_fields=["career_goal", "goals", "updated_at"])
        diff = changed(before, snapshot(participant, PARTICIPANT_FIELDS))
        if diff:
            audit_event_record(
                actor=actor,
                action="participant.goals",
                obj=participant,
                system_id=participant.person.system_id,
                object_repr=str(participant)[:200],
                before={key: before[key] for key in diff},
                after=diff,
            )
    return participant


def _require_own_or_manage(actor: Any, participant: Participant) -> None:
    """A participant writes their own record; their program's managers write anyone's."""
    if actor is None:
        return
    if actor.person_id is not None and actor.person_id == participant.person_id:
        return
    require(actor, Action.PROGRAMS_MANAGE, participant)
