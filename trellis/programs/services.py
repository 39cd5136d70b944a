"""Writes of programs, cohorts and participants: permission first, one transaction, audited."""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from trellis.assignments.services import assignment_create
from trellis.authz.policies import require
from trellis.authz.roles import Action, Relationship
from trellis.core.services import audit_event_record, changed, snapshot
from trellis.people.models import EndReason
from trellis.people.services import position_add, position_correct, position_end
from trellis.programs.models import (
    Cohort,
    Experience,
    ExperienceRecord,
    Milestone,
    MilestoneTemplate,
    Participant,
    Placement,
    PortfolioLink,
    Program,
    Project,
)
from trellis.programs.selectors import portfolio_digest

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
    return _audited_create(
        actor=actor,
        obj=cohort,
        action="cohort.create",
        system_id=_system_id(program),
        object_repr=str(cohort),
        fields=COHORT_FIELDS,
    )


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
                object_repr=str(cohort)[:200],
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


_M = TypeVar("_M", bound=models.Model)


def _audited_create(
    *,
    actor: Any,
    obj: _M,
    action: str,
    system_id: int | None,
    object_repr: str,
    fields: Iterable[str],
) -> _M:
    """Save a new, already validated record and its audit event in one transaction."""
    with transaction.atomic():
        obj.save()
        audit_event_record(
            actor=actor,
            action=action,
            obj=obj,
            system_id=system_id,
            object_repr=object_repr[:200],
            after=snapshot(obj, tuple(fields)),
        )
    return obj


def _audited_change(
    *,
    actor: Any,
    obj: models.Model,
    fields: dict[str, Any],
    allowed: Iterable[str],
    action: str,
    system_id: int | None,
) -> Any:
    """Change fields of a record under a row lock, validate, save, and audit what changed (filed
    under the participant's system, so the audit log shows it to that system's auditors)."""
    allowed = tuple(allowed)
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        before = snapshot(obj, allowed)
        for key, value in fields.items():
            setattr(obj, key, value.strip() if isinstance(value, str) else value)
        obj.full_clean()
        obj.save()
        diff = changed(before, snapshot(obj, allowed))
        if diff:
            audit_event_record(
                actor=actor,
                action=action,
                obj=obj,
                system_id=system_id,
                object_repr=str(obj)[:200],
                before={key: before[key] for key in diff},
                after=diff,
            )
    return obj


# -- The essential-experience checklist -------------------------------------------------------

EXPERIENCE_FIELDS = ("title", "description", "due_days", "position")


def experience_create(
    *,
    actor: Any,
    program: Program,
    title: str,
    due_days: int,
    description: str = "",
    position: int | None = None,
) -> Experience:
    require(actor, Action.PROGRAMS_MANAGE, program)
    if position is None:
        last = program.experiences.order_by("-position").values_list("position", flat=True)
        position = (last.first() or 0) + 1
    experience = Experience(
        program=program,
        title=title.strip(),
        description=description.strip(),
        due_days=due_days,
        position=position,
    )
    experience.full_clean()
    return _audited_create(
        actor=actor,
        obj=experience,
        action="experience.create",
        system_id=_system_id(program),
        object_repr=f"{program}: {experience}",
        fields=EXPERIENCE_FIELDS,
    )


def experience_update(*, actor: Any, experience: Experience, **fields: Any) -> Experience:
    require(actor, Action.PROGRAMS_MANAGE, experience.program)
    return _audited_change(
        actor=actor,
        obj=experience,
        fields=fields,
        allowed=EXPERIENCE_FIELDS,
        action="experience.update",
        system_id=_system_id(experience.program),
    )


def experience_delete(*, actor: Any, experience: Experience) -> None:
    """Take an experience off the checklist. Refused once any participant has recorded
    evidence for it (the evidence and any sign-off stay with their experience: edit its title
    or due day instead)."""
    program = experience.program
    require(actor, Action.PROGRAMS_MANAGE, program)
    with transaction.atomic():
        experience = Experience.objects.select_for_update().get(pk=experience.pk)
        used = ExperienceRecord.objects.filter(experience=experience).count()
        if used:
            raise ValidationError(
                f"“{experience}” has evidence from {used} participant"
                f"{'' if used == 1 else 's'}; it stays on the checklist so their evidence and "
                "sign-offs are kept. Change its title or due day instead."
            )
        before = snapshot(experience, EXPERIENCE_FIELDS)
        experience_id = experience.pk
        experience.delete()
        experience.pk = experience_id
        audit_event_record(
            actor=actor,
            action="experience.delete",
            obj=experience,
            system_id=_system_id(program),
            object_repr=f"{program}: {experience}"[:200],
            before=before,
        )


# -- The school improvement project template ---------------------------------------------------

MILESTONE_TEMPLATE_FIELDS = ("title", "offset_days")


def milestone_template_create(
    *, actor: Any, program: Program, title: str, offset_days: int
) -> MilestoneTemplate:
    require(actor, Action.PROGRAMS_MANAGE, program)
    item = MilestoneTemplate(program=program, title=title.strip(), offset_days=offset_days)
    item.full_clean()
    return _audited_create(
        actor=actor,
        obj=item,
        action="milestone_template.create",
        system_id=_system_id(program),
        object_repr=f"{program}: {item}",
        fields=MILESTONE_TEMPLATE_FIELDS,
    )


def milestone_template_update(
    *, actor: Any, item: MilestoneTemplate, **fields: Any
) -> MilestoneTemplate:
    """Change a template milestone: projects started from now on take the change; projects
    already started keep their own milestones."""
    require(actor, Action.PROGRAMS_MANAGE, item.program)
    return _audited_change(
        actor=actor,
        obj=item,
        fields=fields,
        allowed=MILESTONE_TEMPLATE_FIELDS,
        action="milestone_template.update",
        system_id=_system_id(item.program),
    )


def milestone_template_delete(*, actor: Any, item: MilestoneTemplate) -> None:
    """Take a milestone off the template (projects already started keep theirs)."""
    program = item.program
    require(actor, Action.PROGRAMS_MANAGE, program)
    with transaction.atomic():
        before = snapshot(item, MILESTONE_TEMPLATE_FIELDS)
        item_id = item.pk
        item.delete()
        item.pk = item_id
        audit_event_record(
            actor=actor,
            action="milestone_template.delete",
            obj=item,
            system_id=_system_id(program),
            object_repr=f"{program}: {item}"[:200],
            before=before,
        )


# -- Evidence and sign-off ---------------------------------------------------------------------

# What evidence may be uploaded: documents, slides, spreadsheets and pictures, up to 10 MB. A
# video is shared as a link in the text (a school's video platform keeps it, not Trellis).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    # extension: (content type, the file's first bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
EVIDENCE_LIMITS = "PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), JPEG or PNG, up to 10 MB"


def _evidence_type(name: str, data: bytes) -> str:
    """The content type of an evidence upload, or a ValidationError stating the limits."""
    if len(data) > EVIDENCE_MAX_BYTES:
        # The view reads at most one byte past the limit: the file's own size is not known here.
        raise ValidationError(
            {"evidence_file": f"The file is over 10 MB; the limit is 10 MB ({EVIDENCE_LIMITS})."}
        )
    if not data:
        raise ValidationError({"evidence_file": "The file is empty."})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    known = EVIDENCE_TYPES.get(extension)
    if known is None or not data.startswith(known[1]):
        raise ValidationError(
            {"evidence_file": f"This kind of file is not accepted. Upload {EVIDENCE_LIMITS}."}
        )
    return known[0]


def _record_for(participant: Participant, experience: Experience) -> ExperienceRecord:
    if experience.program_id != participant.cohort.program_id:
        raise ValidationError("This experience is not on the participant's program checklist.")
    record, _ = ExperienceRecord.objects.select_for_update().get_or_create(
        participant=participant, experience=experience
    )
    return record


def evidence_submit(
    *,
    actor: Any,
    participant: Participant,
    experience: Experience,
    text: str = "",
    file_name: str = "",
    file_data: bytes | None = None,
    on: datetime.date | None = None,
) -> ExperienceRecord:
    """The participant (or their program's managers) records evidence for one experience:
    text, an upload, or both. A new upload replaces the previous one. Evidence of an experience
    already signed off cannot change (the sign-off vouches for what was there)."""
    _require_own_or_manage(actor, participant)
    text = text.strip()
    content_type = _evidence_type(file_name, file_data) if file_data is not None else ""
    with transaction.atomic():
        record = _record_for(participant, experience)
        if record.signed_off_on is not None:
            raise ValidationError(
                f"{experience} was signed off on {record.signed_off_on:%b %-d, %Y}; its "
                "evidence can no longer change."
            )
        if not text and file_data is None and not record.evidence_file:
            raise ValidationError({"evidence_text": "Write the evidence or upload a file."})
        before = snapshot(record, ["evidence_text", "evidence_name", "submitted_on"])
        record.evidence_text = text
        if file_data is not None:
            if record.evidence_file:
                record.evidence_file.delete(save=False)
            record.evidence_file.save(
                f"{uuid.uuid4().hex}.{file_name.rsplit('.', 1)[-1].lower()}",
                ContentFile(file_data),
                save=False,
            )
            record.evidence_name = file_name[-200:]
            record.evidence_type = content_type
            record.evidence_size = len(file_data)
        record.submitted_on = on or timezone.localdate()
        record.save()
        audit_event_record(
            actor=actor,
            action="experience.evidence",
            obj=record,
            system_id=participant.person.system_id,
            object_repr=str(record)[:200],
            before=before,
            after=snapshot(record, ["evidence_text", "evidence_name", "submitted_on"]),
        )
    return record


def sign_off_closed(participant: Participant) -> str:
    """Why experiences of this participant can no longer be signed off ("" while active): the
    record of someone who completed or left the program is closed."""
    if participant.status == Participant.Status.ACTIVE:
        return ""
    left = "completed the program" if participant.status == "completed" else "left the program"
    day = f" on {participant.completed_on:%b %-d, %Y}" if participant.completed_on else ""
    return (
        f"{participant.person} {left}{day}: their essential experiences can no longer be "
        "signed off."
    )


def experience_sign_off(
    *,
    actor: Any,
    participant: Participant,
    experience: Experience,
    on: datetime.date | None = None,
    signed_by: Any = None,
) -> ExperienceRecord:
    """The participant's coach or mentor (an assignment in force) signs off an experience for
    which there is evidence, on a day (today by default). The command line (the demo, an
    import of past records; `actor=None`) names the coach or mentor in `signed_by`."""
    require(actor, Action.PROGRAMS_SIGN_OFF, participant)
    on = on or timezone.localdate()
    if actor is not None and actor.person_id is None:
        raise PermissionDenied
    signer_id = actor.person_id if actor is not None else getattr(signed_by, "pk", None)
    with transaction.atomic():
        current = Participant.objects.select_for_update().get(pk=participant.pk)
        why_not = sign_off_closed(current)
        if why_not:
            raise ValidationError(why_not)
        record = _record_for(participant, experience)
        if record.signed_off_on is not None:
            raise ValidationError(
                f"{experience} was already signed off on {record.signed_off_on:%b %-d, %Y}."
            )
        if not record.evidence_text and not record.evidence_file:
            raise ValidationError(f"There is no evidence for {experience} yet.")
        if on > timezone.localdate():
            raise ValidationError({"signed_off_on": "A sign-off cannot be dated in the future."})
        record.signed_off_by_id = signer_id
        if record.signed_off_by_id is None:
            raise ValidationError("A sign-off names the coach or mentor who gives it.")
        record.signed_off_on = on
        record.save(update_fields=["signed_off_by", "signed_off_on", "updated_at"])
        audit_event_record(
            actor=actor,
            action="experience.sign_off",
            obj=record,
            system_id=participant.person.system_id,
            object_repr=str(record)[:200],
            after={"signed_off_by": record.signed_off_by_id, "signed_off_on": on.isoformat()},
        )
    return record


# -- The school improvement project ------------------------------------------------------------

PROJECT_FIELDS = ("title", "problem_statement", "measure", "baseline", "target", "result")
MILESTONE_FIELDS = ("title", "due_on", "status", "done_on")


def project_save(*, actor: Any, participant: Participant, **fields: Any) -> Project:
    """Create or change the participant's school improvement project."""
    _require_own_or_manage(actor, participant)
    existing = Project.objects.filter(participant=participant).first()
    if existing is not None:
        return _audited_change(
            actor=actor,
            obj=existing,
            fields=fields,
            allowed=PROJECT_FIELDS,
            action="project.update",
            system_id=participant.person.system_id,
        )
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot set {', '.join(sorted(unknown))} here.")
    project = Project(
        participant=participant,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    project.full_clean()
    cohort = participant.cohort
    template = list(
        MilestoneTemplate.objects.filter(program_id=cohort.program_id).order_by("offset_days", "pk")
    )
    with transaction.atomic():
        project.save()
        # The program's project template: the project starts with its milestones.
        Milestone.objects.bulk_create(
            Milestone(
                project=project,
                title=item.title,
                due_on=cohort.starts_on + datetime.timedelta(days=item.offset_days),
            )
            for item in template
        )
        after: dict[str, Any] = dict(snapshot(project, PROJECT_FIELDS))
        if template:
            after["milestones from the template"] = [item.title for item in template]
        audit_event_record(
            actor=actor,
            action="project.create",
            obj=project,
            system_id=participant.person.system_id,
            object_repr=str(project)[:200],
            after=after,
        )
    return project


def _milestone_dates(status: str, done_on: datetime.date | None) -> datetime.date | None:
    if status not in Milestone.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    if status == Milestone.Status.DONE:
        if done_on is None:
            raise ValidationError({"done_on": "Give the day the milestone was reached."})
        return done_on
    return None


def milestone_add(
    *,
    actor: Any,
    project: Project,
    title: str,
    due_on: datetime.date,
    status: str = Milestone.Status.PLANNED,
    done_on: datetime.date | None = None,
) -> Milestone:
    participant = project.participant
    _require_own_or_manage(actor, participant)
    milestone = Milestone(
        project=project,
        title=title.strip(),
        due_on=due_on,
        status=status,
        done_on=_milestone_dates(status, done_on),
    )
    milestone.full_clean()
    return _audited_create(
        actor=actor,
        obj=milestone,
        action="milestone.add",
        system_id=participant.person.system_id,
        object_repr=f"{project}: {milestone}",
        fields=MILESTONE_FIELDS,
    )


def milestone_update(*, actor: Any, milestone: Milestone, **fields: Any) -> Milestone:
    participant = milestone.project.participant
    _require_own_or_manage(actor, participant)
    status = fields.get("status", milestone.status)
    fields["done_on"] = _milestone_dates(status, fields.get("done_on", milestone.done_on))
    return _audited_change(
        actor=actor,
        obj=milestone,
        fields=fields,
        allowed=MILESTONE_FIELDS,
        action="milestone.update",
        system_id=participant.person.system_id,
    )


# -- The portfolio link ------------------------------------------------------------------------


def portfolio_link_create(*, actor: Any, participant: Participant) -> tuple[PortfolioLink, str]:
    """The participant makes a link to share their portfolio; any earlier link is revoked (one
    link at a time, so "who has my link" has one answer). Returns the link and its token, shown
    once: only its digest is kept."""
    if actor is not None and actor.person_id != participant.person_id:
        # Only the participant shares their own portfolio: anyone else gets 403 or 404.
        require(actor, Action.PROGRAMS_OWN_RECORD, participant)
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        now = timezone.now()
        PortfolioLink.objects.filter(participant=participant, revoked_at__isnull=True).update(
            revoked_at=now
        )
        link = PortfolioLink.objects.create(
            participant=participant, token_digest=portfolio_digest(token)
        )
        audit_event_record(
            actor=actor,
            action="portfolio_link.create",
            obj=link,
            system_id=participant.person.system_id,
            object_repr=str(participant)[:200],
        )
    return link, token


def portfolio_link_revoke(*, actor: Any, link: PortfolioLink) -> PortfolioLink:
    """The participant, or their program's managers, end a link for good."""
    participant = link.participant
    _require_own_or_manage(actor, participant)
    with transaction.atomic():
        link = PortfolioLink.objects.select_for_update().get(pk=link.pk)
        if link.revoked_at is not None:
            raise ValidationError("This link was already revoked.")
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
        audit_event_record(
            actor=actor,
            action="portfolio_link.revoke",
            obj=link,
            system_id=participant.person.system_id,
            object_repr=str(participant)[:200],
        )
    return link


# -- Placement ---------------------------------------------------------------------------------

PLACEMENT_ROLES = ("assistant_principal", "principal", "teacher_leader", "coach")


def _check_placement(
    participant: Participant, *, role: str, school: Any, starts_on: datetime.date
) -> None:
    """A placement's role is one a program places into; its school is in a system the program
    serves and in the person's own system; it starts on or after the cohort's first day."""
    if role not in PLACEMENT_ROLES:
        raise ValidationError({"role": "Choose the role the participant was placed in."})
    cohort = participant.cohort
    program = cohort.program
    if not program.systems.filter(pk=school.system_id).exists():
        served = ", ".join(str(s) for s in program.systems.all())
        raise ValidationError(
            {"school": f"{school} is not in a system {program} serves ({served})."}
        )
    person = participant.person
    if school.system_id != person.system_id:
        raise ValidationError(
            {"school": f"{school} is in another system than {person}'s ({person.system})."}
        )
    if starts_on < cohort.starts_on:
        raise ValidationError(
            {
                "starts_on": f"A placement starts on or after the cohort's first day, "
                f"{cohort.starts_on:%b %-d, %Y}."
            }
        )


def placement_record(
    *,
    actor: Any,
    participant: Participant,
    role: str,
    school: Any,
    starts_on: datetime.date,
    end_current: bool = True,
) -> Placement:
    """Record where a participant was placed. It starts a position for the person (role at
    school from the day), titled with the program and cohort, so it shows on their page and in
    retention; their positions in force the day before end then (a change of role or school).

    The program's permission stands for the position's: a program manager places their
    graduates without managing the system's people at large (the position is written by the
    people app's service as the program's own step, and this event names the actor)."""
    require(actor, Action.PROGRAMS_MANAGE, participant)
    _check_placement(participant, role=role, school=school, starts_on=starts_on)
    cohort = participant.cohort
    program = cohort.program
    person = participant.person
    with transaction.atomic():
        type(person).objects.select_for_update().filter(pk=person.pk).first()
        if Placement.objects.filter(
            participant=participant, school=school, role=role, starts_on=starts_on
        ).exists():
            raise ValidationError("This placement is already recorded.")
        day_before = starts_on - datetime.timedelta(days=1)
        if end_current:
            current = person.positions.filter(starts_on__lte=day_before).filter(
                models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=starts_on)
            )
            for position in current.select_related("person"):
                reason = EndReason.CHANGED_ROLE if position.kind != role else EndReason.MOVED_SCHOOL
                position_end(actor=None, position=position, ends_on=day_before, end_reason=reason)
        position = position_add(
            actor=None,
            person=person,
            kind=role,
            school=school,
            starts_on=starts_on,
            title=f"Placed from {program} ({cohort.name})"[:200],
        )
        placement = Placement.objects.create(
            participant=participant,
            role=role,
            school=school,
            starts_on=starts_on,
            position=position,
        )
        audit_event_record(
            actor=actor,
            action="placement.record",
            obj=placement,
            system_id=person.system_id,
            object_repr=str(placement)[:200],
            after={
                "role": role,
                "school": school.pk,
                "starts_on": starts_on.isoformat(),
                "cohort": cohort.pk,
            },
        )
    return placement


PLACEMENT_FIELDS = ("role", "school", "starts_on")


def placement_update(
    *,
    actor: Any,
    placement: Placement,
    role: str,
    school: Any,
    starts_on: datetime.date,
) -> Placement:
    """Correct a placement (role, school, first day) with the same checks as recording one.
    Its position is corrected with it (a correction, not a change of job); positions that the
    placement ended the day before its old first day now end the day before the new one."""
    participant = placement.participant
    require(actor, Action.PROGRAMS_MANAGE, participant)
    _check_placement(participant, role=role, school=school, starts_on=starts_on)
    cohort = participant.cohort
    person = participant.person
    with transaction.atomic():
        placement = (
            Placement.objects.select_for_update()
            .select_related("position", "position__person", "school")
            .get(pk=placement.pk)
        )
        before = snapshot(placement, PLACEMENT_FIELDS)
        old_start = placement.starts_on
        if (
            Placement.objects.filter(
                participant=participant, school=school, role=role, starts_on=starts_on
            )
            .exclude(pk=placement.pk)
            .exists()
        ):
            raise ValidationError("This placement is already recorded.")
        position_correct(
            actor=None,
            position=placement.position,
            kind=role,
            school=school,
            starts_on=starts_on,
            title=f"Placed from {cohort.program} ({cohort.name})"[:200],
        )
        if starts_on != old_start:
            old_eve = old_start - datetime.timedelta(days=1)
            ended = person.positions.filter(ends_on=old_eve).exclude(pk=placement.position_id)
            for position in ended.select_related("person"):
                position_end(
                    actor=None,
                    position=position,
                    ends_on=starts_on - datetime.timedelta(days=1),
                )
        placement.role = role
        placement.school = school
        placement.starts_on = starts_on
        placement.save(update_fields=["role", "school", "starts_on", "updated_at"])
        diff = changed(before, snapshot(placement, PLACEMENT_FIELDS))
        if diff:
            audit_event_record(
                actor=actor,
                action="placement.update",
                obj=placement,
                system_id=person.system_id,
                object_repr=str(placement)[:200],
                before={key: before[key] for key in diff},
                after=diff,
            )
    return placement


# -- Coaches and mentors of participants ------------------------------------------------------

SUPPORT_KINDS = (Relationship.COACHING, Relationship.MENTORING)


def participant_supporter_assign(
    *,
    actor: Any,
    participant: Participant,
    kind: str,
    supporter: Any,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> Any:
    """A program's managers give a participant a coach or mentor (who then signs off their
    essential experiences). The program's permission stands for the assignment's, as for a
    placement's position: a program manager holding only a grant on the program assigns
    within it without managing the system's assignments at large. The assignment is written
    by the assignments app's service as the program's own step (its checks: one system, no
    same pair over the same days); this event names the actor."""
    require(actor, Action.PROGRAMS_MANAGE, participant)
    if kind not in SUPPORT_KINDS:
        raise ValidationError({"kind": "Choose coach or mentor."})
    if participant.status != Participant.Status.ACTIVE:
        raise ValidationError(
            {"participant": f"{participant.person} no longer takes part in the program."}
        )
    with transaction.atomic():
        assignment = assignment_create(
            actor=None,
            kind=kind,
            supporter=supporter,
            assignee=participant.person,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note or f"Assigned for {participant.cohort.program} ({participant.cohort.name})",
        )
        audit_event_record(
            actor=actor,
            action="participant.supporter",
            obj=participant,
            system_id=participant.person.system_id,
            object_repr=str(participant)[:200],
            after={
                "kind": kind,
                "supporter": supporter.pk,
                "assignment": assignment.pk,
                "starts_on": assignment.starts_on.isoformat(),
                "ends_on": assignment.ends_on.isoformat() if assignment.ends_on else None,
            },
        )
    return assignment
