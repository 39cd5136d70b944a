"""Writes of coaching: permission first, one transaction, one audit event.

Audit events of sessions never hold the notes or comments (the audit log is read by
administrators, who do not read notes): they record that the notes changed, not what they say.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.coaching import selectors
from trellis.coaching.models import (
    ClassroomVisit,
    CoachingSession,
    CoachingSettings,
    FigureSource,
    Mode,
    NeedFlag,
    NextStep,
    PerformanceBand,
    Protocol,
    RuleField,
    RuleOperator,
    SchoolNeedProfile,
    SessionComment,
    SupportSettings,
    SupportTier,
    TierRule,
)
from trellis.core.dates import day_text
from trellis.core.refusals import Refused
from trellis.core.services import audit_event_record, changed

MAX_MINUTES = 600
MAX_NEXT_STEP = 500


@dataclass(frozen=True)
class NextStepIn:
    text: str
    owner: Any  # a Person: the session's coach or coachee
    due_on: datetime.date | None = None


def _record(session: CoachingSession, focus_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """What the audit trail keeps of a session: everything but the notes' words."""
    return {
        "coach": session.coach_id,
        "coachee": session.coachee_id,
        "held_on": session.held_on.isoformat(),
        "minutes": session.minutes,
        "mode": session.mode,
        "protocol": session.protocol_id,
        "focus": sorted(focus_ids if focus_ids is not None else []),
        "has_notes": bool(session.notes),
        "shared": session.shared_at is not None,
    }


def _check_fields(
    *,
    coachee: Any,
    held_on: datetime.date,
    minutes: int,
    mode: str,
    protocol: Protocol | None,
    keep_protocol: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = (
            "A session is logged once it has taken place: the date is in the future."
        )
    if not 1 <= minutes <= MAX_MINUTES:
        errors["minutes"] = f"The length is between 1 and {MAX_MINUTES} minutes."
    if mode not in Mode.values:
        errors["mode"] = f"Unknown mode {mode!r}."
    if protocol is not None and not (
        protocol.system_id is None or protocol.system_id == coachee.system_id
    ):
        errors["protocol"] = "That protocol is not in this system's library."
    if protocol is not None and not protocol.is_active and protocol.pk != keep_protocol:
        errors["protocol"] = "That protocol is no longer in use."
    if errors:
        raise ValidationError(errors)


def _check_substance(focus: Sequence[Any], notes: str) -> None:
    """A session records what it was about: at least one focus competency or some notes. A
    session with neither (a blank form saved with its defaults) would count toward dosage with
    nothing to show for it (docs/decisions.md, 2026-11-30 coaching fixes)."""
    if not focus and not notes.strip():
        raise ValidationError(
            {
                "focus": "Choose at least one focus competency or write notes: a session "
                "records what it was about."
            }
        )


def _check_focus(actor: Any, coachee: Any, focus: Sequence[Any]) -> None:
    if actor is None or not focus:
        return
    allowed = {item.pk for item in selectors.focus_choices(actor, coachee)}
    wrong = [item for item in focus if item.pk not in allowed]
    if wrong:
        raise ValidationError(
            {"focus": "Focus competencies come from the framework the system uses for this person."}
        )


def _check_next_steps(session: CoachingSession, next_steps: Sequence[NextStepIn]) -> None:
    participants = {session.coach_id, session.coachee_id}
    for step in next_steps:
        if not step.text.strip():
            raise ValidationError({"next_steps": "A next step needs its text."})
        if len(step.text) > MAX_NEXT_STEP:
            raise ValidationError(
                {"next_steps": f"A next step is at most {MAX_NEXT_STEP} characters."}
            )
        if step.due_on is not None and step.due_on < session.held_on:
            raise ValidationError({"next_steps": _due_before_session(step.due_on, session.held_on)})
        if step.owner is None or step.owner.pk not in participants:
            raise ValidationError(
                {
                    "next_steps": "A next step's owner must take part in the session: "
                    f"{session.coach} or {session.coachee}."
                }
            )


def _due_before_session(due_on: datetime.date, held_on: datetime.date) -> str:
    return (
        f"A next step is due on or after the session's date, {day_text(held_on)}; "
        f"{day_text(due_on)} is before it."
    )


def _add_next_steps(session: CoachingSession, next_steps: Sequence[NextStepIn]) -> list[NextStep]:
    return NextStep.objects.bulk_create(
        [
            NextStep(session=session, text=step.text.strip(), owner=step.owner, due_on=step.due_on)
            for step in next_steps
        ]
    )


def session_log(
    *,
    actor: Any,
    coachee: Any,
    held_on: datetime.date,
    minutes: int,
    mode: str,
    protocol: Protocol | None = None,
    focus: Sequence[Any] = (),
    notes: str = "",
    next_steps: Sequence[NextStepIn] = (),
    coach: Any = None,
) -> CoachingSession:
    """The actor logs a session they held with someone on their caseload (a coaching or
    supervision assignment of theirs in force today and on the session's day). `coach` is for
    the command line (the demo), which names the coach; a signed-in actor is the coach."""
    if actor is not None:
        require(actor, Action.COACHING_LOG, coachee)
        coach = actor.person
    if coach is None:
        raise ValidationError("A session needs its coach.")
    if coach.pk == coachee.pk:
        raise ValidationError("A session is held with someone else.")
    _check_fields(coachee=coachee, held_on=held_on, minutes=minutes, mode=mode, protocol=protocol)
    _check_substance(focus, notes)
    assignment = selectors.caseload_assignment(coach, coachee, held_on)
    if assignment is None:
        raise ValidationError(
            {
                "coachee": f"{coachee} was not on {coach}'s caseload on {held_on:%b %-d, %Y}: "
                "a session is logged only with someone you coach or supervise."
            }
        )
    _check_focus(actor, coachee, focus)
    with transaction.atomic():
        session = CoachingSession(
            system_id=coachee.system_id,
            coach=coach,
            coachee=coachee,
            assignment=assignment,
            held_on=held_on,
            minutes=minutes,
            mode=mode,
            protocol=protocol,
            notes=notes,
        )
        _check_next_steps(session, next_steps)
        session.save()
        session.focus.set(focus)
        _add_next_steps(session, next_steps)
        audit_event_record(
            actor=actor,
            action="coaching.session_log",
            obj=session,
            after={
                **_record(session, [item.pk for item in focus]),
                "next_steps": len(next_steps),
            },
        )
    return session


def _require_coach(actor: Any, session: CoachingSession) -> None:
    if actor is not None and not selectors.may_edit(actor, session):
        raise PermissionDenied


def session_update(
    *,
    actor: Any,
    session: CoachingSession,
    held_on: datetime.date,
    minutes: int,
    mode: str,
    protocol: Protocol | None,
    focus: Sequence[Any],
    notes: str,
    next_steps: Sequence[NextStepIn] = (),
) -> CoachingSession:
    """The session's own coach corrects it (and may add next steps); audited with what changed
    (the notes only as "changed")."""
    _require_coach(actor, session)
    _check_fields(
        coachee=session.coachee,
        held_on=held_on,
        minutes=minutes,
        mode=mode,
        protocol=protocol,
        keep_protocol=session.protocol_id,  # a session keeps a protocol retired since
    )
    _check_substance(focus, notes)
    if held_on != session.held_on and (
        selectors.caseload_assignment(session.coach, session.coachee, held_on) is None
    ):
        raise ValidationError(
            {"held_on": f"{session.coachee} was not on the caseload on {held_on:%b %-d, %Y}."}
        )
    kept = set(session.focus.values_list("pk", flat=True))
    _check_focus(actor, session.coachee, [item for item in focus if item.pk not in kept])
    _check_next_steps(session, next_steps)
    with transaction.atomic():
        session = CoachingSession.objects.select_for_update().get(pk=session.pk)
        before = _record(session, list(session.focus.values_list("pk", flat=True)))
        notes_changed = session.notes != notes
        session.held_on = held_on
        session.minutes = minutes
        session.mode = mode
        session.protocol = protocol
        session.notes = notes
        session.save()
        session.focus.set(focus)
        _add_next_steps(session, next_steps)
        after = _record(session, [item.pk for item in focus])
        diff = changed(before, after)
        if notes_changed:
            diff["notes"] = "changed"
        if next_steps:
            diff["next_steps_added"] = len(next_steps)
        if diff:
            audit_event_record(
                actor=actor,
                action="coaching.session_update",
                obj=session,
                before={key: before[key] for key in diff if key in before},
                after=diff,
            )
    return session


def session_delete(*, actor: Any, session: CoachingSession) -> None:
    """The session's own coach deletes it, with its next steps and comments; the audit event
    keeps its record (not its notes)."""
    _require_coach(actor, session)
    with transaction.atomic():
        record = _record(session, list(session.focus.values_list("pk", flat=True)))
        record["next_steps"] = session.next_steps.count()
        record["comments"] = session.comments.count()
        audit_event_record(
            actor=actor, action="coaching.session_delete", obj=session, before=record
        )
        session.delete()


def session_share(*, actor: Any, session: CoachingSession, shared: bool) -> CoachingSession:
    """The coachee shares the session (notes and comments) with their supervisor and evaluator,
    or takes it back."""
    if actor is not None and actor.person_id != session.coachee_id:
        raise PermissionDenied
    with transaction.atomic():
        session = CoachingSession.objects.select_for_update().get(pk=session.pk)
        if session.is_shared == shared:
            return session
        session.shared_at = timezone.now() if shared else None
        session.save(update_fields=["shared_at", "updated_at"])
        audit_event_record(
            actor=actor,
            action="coaching.session_share" if shared else "coaching.session_unshare",
            obj=session,
            before={"shared": not shared},
            after={"shared": shared},
        )
    return session


def comment_add(*, actor: Any, session: CoachingSession, text: str) -> SessionComment:
    """The coachee (or the coach, answering) comments on the session."""
    if actor is not None and not selectors.is_participant(actor, session):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the comment first."})
    if len(text) > 5000:
        raise ValidationError({"text": "A comment is at most 5,000 characters."})
    with transaction.atomic():
        comment = SessionComment.objects.create(session=session, author=actor.person, text=text)
        audit_event_record(
            actor=actor,
            action="coaching.comment_add",
            obj=session,
            system_id=session.system_id,
            after={"comment": comment.pk},
        )
    return comment


def next_step_done(
    *, actor: Any, step: NextStep, done: bool, on: datetime.date | None = None
) -> NextStep:
    """The step's owner or the session's coach marks a next step done (or open again); another
    participant (the coachee, for a step the coach owns) is refused with the reason."""
    if actor is not None and not selectors.may_mark_done(actor, step):
        raise Refused(
            f"This next step is marked done by its owner ({step.owner.full_name}) or by the "
            f"session's coach ({step.session.coach.full_name}), who keeps the record."
        )
    with transaction.atomic():
        step = NextStep.objects.select_for_update().select_related("session").get(pk=step.pk)
        before = step.done_on
        step.done_on = (on or timezone.localdate()) if done else None
        if before == step.done_on or (done and before is not None):
            return step
        step.save(update_fields=["done_on", "updated_at"])
        audit_event_record(
            actor=actor,
            action="coaching.next_step_done" if done else "coaching.next_step_reopen",
            obj=step,
            system_id=step.session.system_id,
            before={"done_on": before.isoformat() if before else None},
            after={"done_on": step.done_on.isoformat() if step.done_on else None},
        )
    return step


# -- Protocols and settings ----------------------------------------------------------------------


def protocol_name(name: str) -> str:
    """A protocol's name as kept: trimmed, inner runs of spaces made one."""
    return " ".join(name.split())


def _check_protocol(system: Any, name: str, pk: int | None) -> None:
    """A name appears once in a system's library, which holds the system's protocols and the
    built-in ones: whatever the case and spacing ("Tuning  protocol" is "tuning protocol")."""
    name = protocol_name(name)
    if not name:
        raise ValidationError({"name": "A protocol needs a name."})
    clash = Protocol.objects.filter(
        Q(system=system) | Q(system__isnull=True), name__iexact=name
    ).order_by("system_id")
    if pk:
        clash = clash.exclude(pk=pk)
    found = clash.first()
    if found is not None:
        # A built-in protocol cannot be edited: only another name helps then.
        whose, advice = (
            ("a built-in protocol", "choose another name.")
            if found.system_id is None
            else ("a protocol", "choose another name, or edit that protocol.")
        )
        raise ValidationError(
            {
                "name": f"{system}'s protocol library already has {whose} called "
                f"“{found.name}” (names are compared without regard to case or spacing): "
                f"{advice}"
            }
        )


def builtin_protocols_install() -> list[Protocol]:
    """Install the built-in protocols that are missing (safe to repeat); the command line's."""
    from trellis.coaching.builtin import BUILTIN

    installed = []
    with transaction.atomic():
        for name, description, steps in BUILTIN:
            protocol, created = Protocol.objects.get_or_create(
                system=None, name=name, defaults={"description": description, "steps": steps}
            )
            if created:
                audit_event_record(actor=None, action="coaching.protocol_install", obj=protocol)
            installed.append(protocol)
    return installed


def protocol_create(
    *, actor: Any, system: Any, name: str, description: str = "", steps: str = ""
) -> Protocol:
    require(actor, Action.COACHING_CONFIGURE, system)
    _check_protocol(system, name, None)
    with transaction.atomic():
        protocol = Protocol.objects.create(
            system=system, name=protocol_name(name), description=description, steps=steps
        )
        audit_event_record(
            actor=actor,
            action="coaching.protocol_create",
            obj=protocol,
            after={"name": protocol.name, "steps": len(protocol.step_list)},
        )
    return protocol


def protocol_update(
    *,
    actor: Any,
    protocol: Protocol,
    name: str,
    description: str,
    steps: str,
    is_active: bool = True,
) -> Protocol:
    """Built-in protocols are read-only (403 for everyone, operators included)."""
    if protocol.is_builtin:
        raise PermissionDenied
    require(actor, Action.COACHING_CONFIGURE, protocol)
    _check_protocol(protocol.system, name, protocol.pk)
    with transaction.atomic():
        protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
        fields = ("name", "description", "steps", "is_active")
        before = {f: getattr(protocol, f) for f in fields}
        protocol.name = protocol_name(name)
        protocol.description = description
        protocol.steps = steps
        protocol.is_active = is_active
        protocol.save()
        after = {f: getattr(protocol, f) for f in fields}
        diff = changed(before, after)
        if diff:
            audit_event_record(
                actor=actor,
                action="coaching.protocol_update",
                obj=protocol,
                before={k: before[k] for k in diff},
                after=diff,
            )
    return protocol


def settings_save(*, actor: Any, system: Any, unseen_weeks: int) -> CoachingSettings:
    require(actor, Action.COACHING_CONFIGURE, system)
    if not 1 <= unseen_weeks <= 52:
        raise ValidationError({"unseen_weeks": "Between 1 and 52 weeks."})
    with transaction.atomic():
        found, _ = CoachingSettings.objects.select_for_update().get_or_create(system=system)
        before = found.unseen_weeks
        found.unseen_weeks = unseen_weeks
        found.save()
        audit_event_record(
            actor=actor,
            action="coaching.settings",
            obj=found,
            system_id=system.pk,
            before={"unseen_weeks": before},
            after={"unseen_weeks": unseen_weeks},
        )
    return found


# -- The demo's bulk path ------------------------------------------------------------------------


@dataclass
class SessionIn:
    coach: Any
    coachee: Any
    assignment: Any
    held_on: datetime.date
    minutes: int
    mode: str
    protocol: Protocol | None
    focus: Sequence[Any]
    notes: str
    next_steps: Sequence[tuple[str, Any, datetime.date | None, datetime.date | None]]


def sessions_bulk_create(*, actor: Any, system: Any, sessions: Sequence[SessionIn]) -> int:
    """Many sessions at once for the command line (the demo generator), with their focus and
    next steps (text, owner, due, done); the same checks as `session_log` on owners, one audit
    event for the batch."""
    if actor is not None:
        raise PermissionDenied  # the command line only
    with transaction.atomic():
        made = CoachingSession.objects.bulk_create(
            [
                CoachingSession(
                    system=system,
                    coach=s.coach,
                    coachee=s.coachee,
                    assignment=s.assignment,
                    held_on=s.held_on,
                    minutes=s.minutes,
                    mode=s.mode,
                    protocol=s.protocol,
                    notes=s.notes,
                )
                for s in sessions
            ]
        )
        through = CoachingSession.focus.through
        links = []
        steps = []
        for session, given in zip(made, sessions, strict=True):
            links += [
                through(coachingsession_id=session.pk, frameworkitem_id=i.pk) for i in given.focus
            ]
            for text, owner, due_on, done_on in given.next_steps:
                if owner.pk not in (session.coach_id, session.coachee_id):
                    raise ValidationError("A next step's owner must take part in the session.")
                steps.append(
                    NextStep(
                        session=session, text=text, owner=owner, due_on=due_on, done_on=done_on
                    )
                )
        through.objects.bulk_create(links, batch_size=2000)
        NextStep.objects.bulk_create(steps, batch_size=2000)
        audit_event_record(
            actor=None,
            action="coaching.sessions_bulk_create",
            system_id=system.pk,
            after={"sessions": len(made), "next_steps": len(steps)},
        )
    return len(made)


# -- Classroom visits, support settings, need profiles, tiers and rules (coach-visits) -----------

MAX_VISIT_MINUTES = 240
MAX_FEEDBACK = 10000


def visit_log(
    *,
    actor: Any,
    teacher: Any,
    visited_at: datetime.datetime,
    minutes: int,
    look_fors: Sequence[Any] = (),
    feedback: str = "",
    principal: Any = None,
) -> ClassroomVisit:
    """The actor (a principal) logs a visit to a teacher of their school. A teacher who holds no
    position that day at a school where the actor logs visits is refused. `principal` is for the
    command line (the demo), which names the visitor; a signed-in actor is the visitor."""
    if actor is not None:
        require(actor, Action.VISITS_LOG, teacher)
        principal = actor.person
    if principal is None:
        raise PermissionDenied("Only someone with a person record logs a visit.")
    errors: dict[str, str] = {}
    day = (
        timezone.localtime(visited_at).date()
        if timezone.is_aware(visited_at)
        else visited_at.date()
    )
    if visited_at > timezone.now():
        errors["visited_at"] = (
            "A visit is logged once it has taken place: the time is in the future."
        )
    if not 1 <= minutes <= MAX_VISIT_MINUTES:
        errors["minutes"] = f"The length is between 1 and {MAX_VISIT_MINUTES} minutes."
    if len(feedback) > MAX_FEEDBACK:
        errors["feedback"] = f"The feedback is at most {MAX_FEEDBACK:,} characters."
    if teacher.pk == principal.pk:
        errors["teacher"] = "A visit is to someone else's classroom."
    school = selectors.visit_school(actor, teacher, day)
    if school is None:
        errors["teacher"] = (
            f"{teacher} did not teach at a school of yours on {day_text(day)}: a principal "
            "visits the classrooms of their own school's teachers and teacher leaders."
        )
    if actor is not None and look_fors:
        allowed = {item.pk for item in selectors.look_for_allowed(actor, teacher)}
        if any(item.pk not in allowed for item in look_fors):
            errors["look_fors"] = (
                "Look-fors come from the framework the system designates for classroom "
                "practice (or, without one, a framework the system uses for this teacher)."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = ClassroomVisit.objects.create(
            system_id=school.system_id,
            school=school,
            principal=principal,
            teacher=teacher,
            visited_at=visited_at,
            minutes=minutes,
            feedback=feedback.strip(),
        )
        visit.look_fors.set(look_fors)
        audit_event_record(
            actor=actor,
            action="coaching.visit_log",
            obj=visit,
            system_id=visit.system_id,
            after={
                "principal": principal.pk,
                "teacher": teacher.pk,
                "school": school.pk,
                "visited_at": visited_at.isoformat(),
                "minutes": minutes,
                "look_fors": sorted(item.pk for item in look_fors),
                "has_feedback": bool(feedback.strip()),
            },
        )
    return visit


def support_settings_save(
    *, actor: Any, system: Any, leadership_goal_minutes: int
) -> SupportSettings:
    require(actor, Action.SUPPORT_CONFIGURE, system)
    if not 1 <= leadership_goal_minutes <= 3000:
        raise ValidationError({"leadership_goal_minutes": "Between 1 and 3,000 minutes a week."})
    with transaction.atomic():
        found, _ = SupportSettings.objects.select_for_update().get_or_create(system=system)
        before = found.leadership_goal_minutes
        found.leadership_goal_minutes = leadership_goal_minutes
        found.save()
        audit_event_record(
            actor=actor,
            action="coaching.support_settings",
            obj=found,
            system_id=system.pk,
            before={"leadership_goal_minutes": before},
            after={"leadership_goal_minutes": leadership_goal_minutes},
        )
    return found


def classroom_framework_set(*, actor: Any, system: Any, framework: Any) -> SupportSettings:
    """Designate the framework of classroom practice whose competencies and indicators are the
    look-fors of a classroom visit (None: principals choose among those the system uses for
    teachers). It must rate people, be the system's own or a built-in template, and have a
    published version with a rubric."""
    require(actor, Action.SUPPORT_CONFIGURE, system)
    if framework is not None:
        if framework.system_id not in (None, system.pk) or framework.subject_kind != "person":
            raise ValidationError(
                {"classroom_framework": "Choose a framework of this system that rates people."}
            )
        if not framework.versions.filter(status="published", levels__isnull=False).exists():
            raise ValidationError(
                {"classroom_framework": "Choose a framework with a published rubric."}
            )
    with transaction.atomic():
        found, _ = SupportSettings.objects.select_for_update().get_or_create(system=system)
        before = found.classroom_framework_id
        found.classroom_framework = framework
        found.save()
        audit_event_record(
            actor=actor,
            action="coaching.classroom_framework",
            obj=found,
            system_id=system.pk,
            before={"classroom_framework": before},
            after={"classroom_framework": framework.pk if framework else None},
        )
    return found


def need_flag_create(*, actor: Any, system: Any, name: str) -> NeedFlag:
    require(actor, Action.SUPPORT_CONFIGURE, system)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "A flag needs a name of at most 100 characters."})
    if NeedFlag.objects.filter(system=system, name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a flag named {name!r}."})
    with transaction.atomic():
        flag = NeedFlag.objects.create(system=system, name=name)
        audit_event_record(
            actor=actor,
            action="coaching.flag_create",
            obj=flag,
            system_id=system.pk,
            after={"name": name},
        )
    return flag


# -- Tier history ----------------------------------------------------------------------------------


def _tiers_record(
    *,
    actor: Any,
    system_id: int,
    on: datetime.date | None = None,
    cause: str,
    school_ids: Sequence[int] | None = None,
) -> dict[str, list[str]]:
    """Bring the system's tier history up to date with the tiers its schools have now (the
    profiles, rules and tiers as they stand): a school whose tier or planned hours changed gets
    its open period ended the day before `on` (today by default) and a new one from `on`; a
    period that started on `on` is corrected in place. Called inside the transaction of every
    service that changes what a tier depends on (`school_ids`: only those schools, when the
    change concerns no other); one audit event lists the changes. Returns school id → [before,
    after]."""
    from trellis.coaching.models import SchoolTierPeriod
    from trellis.orgs.models import School

    day = on or timezone.localdate()
    schools_qs = School.objects.filter(system_id=system_id)
    periods_qs = SchoolTierPeriod.objects.select_for_update().filter(
        system_id=system_id, ends_on__isnull=True
    )
    if school_ids is not None:
        schools_qs = schools_qs.filter(pk__in=school_ids)
        periods_qs = periods_qs.filter(school_id__in=school_ids)
    schools = list(schools_qs.order_by("pk"))
    supports = selectors.school_supports(schools)
    open_periods = {p.school_id: p for p in periods_qs}
    changes: dict[str, list[str]] = {}
    for school in schools:
        tier = supports[school.pk].tier
        current = open_periods.get(school.pk)
        same = (
            current is not None
            and tier is not None
            and current.tier_id == tier.pk
            and current.hours_per_month == tier.hours_per_month
        )
        if same or (current is None and tier is None):
            continue
        before = f"{current.tier_name} ({current.hours_per_month} h)" if current else "none"
        after = f"{tier.name} ({tier.hours_per_month} h)" if tier else "none"
        if current is not None and current.starts_on >= day:
            # A period that started today is corrected in place; back to the tier in force
            # until yesterday, the two join again.
            previous = (
                SchoolTierPeriod.objects.select_for_update()
                .filter(school=school, ends_on=day - datetime.timedelta(days=1))
                .first()
            )
            if tier is None or (
                previous is not None
                and previous.tier_id == tier.pk
                and previous.hours_per_month == tier.hours_per_month
            ):
                current.delete()
                if tier is not None and previous is not None:
                    previous.ends_on = None
                    previous.save(update_fields=["ends_on", "updated_at"])
            else:
                current.tier, current.tier_name = tier, tier.name
                current.hours_per_month = tier.hours_per_month
                current.save(update_fields=["tier", "tier_name", "hours_per_month", "updated_at"])
        else:
            if current is not None:
                current.ends_on = day - datetime.timedelta(days=1)
                current.save(update_fields=["ends_on", "updated_at"])
            if tier is not None:
                SchoolTierPeriod.objects.create(
                    system_id=system_id,
                    school=school,
                    tier=tier,
                    tier_name=tier.name,
                    hours_per_month=tier.hours_per_month,
                    starts_on=day,
                )
        changes[str(school.pk)] = [before, after]
    if changes:
        audit_event_record(
            actor=actor,
            action="coaching.tier_history",
            system_id=system_id,
            object_repr=f"Support tiers from {day_text(day)}",
            after={"from": day.isoformat(), "cause": cause, "schools": changes},
        )
    return changes


def tier_history_backdate(*, actor: Any, system: Any, since: datetime.date) -> int:
    """The command line's (the demo): the first tier period of each school of the system that
    starts after `since` starts on `since` instead (the tiers the demo sets up were in force for
    the years it generates). Audited; returns the number of periods moved."""
    from trellis.coaching.models import SchoolTierPeriod

    if actor is not None:
        raise PermissionDenied  # the command line only
    with transaction.atomic():
        firsts: dict[int, Any] = {}
        for period in (
            SchoolTierPeriod.objects.select_for_update()
            .filter(system=system)
            .order_by("school_id", "starts_on")
        ):
            firsts.setdefault(period.school_id, period)
        moved = [p for p in firsts.values() if p.starts_on > since]
        for period in moved:
            period.starts_on = since
            period.save(update_fields=["starts_on", "updated_at"])
        audit_event_record(
            actor=None,
            action="coaching.tier_history_backdate",
            system_id=system.pk,
            after={"since": since.isoformat(), "periods": len(moved)},
        )
    return len(moved)


def support_tier_save(
    *,
    actor: Any,
    system: Any,
    name: str,
    hours_per_month: Any,
    is_default: bool,
    tier: SupportTier | None = None,
) -> SupportTier:
    """Create a tier (tier=None) or change one; making a tier the default unsets the former."""
    require(actor, Action.SUPPORT_CONFIGURE, system)
    name = name.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > 100:
        errors["name"] = "A tier needs a name of at most 100 characters."
    elif (
        SupportTier.objects.filter(system=system, name__iexact=name)
        .exclude(pk=tier.pk if tier else 0)
        .exists()
    ):
        errors["name"] = f"There is already a tier named {name!r}."
    if hours_per_month is None or not 0 <= hours_per_month <= 200:
        errors["hours_per_month"] = "Between 0 and 200 hours a month."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if is_default:
            SupportTier.objects.filter(system=system, is_default=True).exclude(
                pk=tier.pk if tier else 0
            ).update(is_default=False)
        before = (
            {"name": tier.name, "hours": str(tier.hours_per_month), "default": tier.is_default}
            if tier
            else None
        )
        if tier is None:
            tier = SupportTier(system=system)
        tier.name = name
        tier.hours_per_month = hours_per_month
        tier.is_default = is_default
        tier.save()
        audit_event_record(
            actor=actor,
            action="coaching.tier_save",
            obj=tier,
            system_id=system.pk,
            before=before,
            after={"name": name, "hours": str(hours_per_month), "default": is_default},
        )
        _tiers_record(actor=actor, system_id=system.pk, cause="tier")
    return tier


def tier_rule_add(
    *,
    actor: Any,
    system: Any,
    field: str,
    operator: str,
    tier: SupportTier,
    value: Any = None,
    flag: NeedFlag | None = None,
) -> TierRule:
    """Add a rule after the system's last one (rules are tried in order, first match wins)."""
    require(actor, Action.SUPPORT_CONFIGURE, system)
    errors: dict[str, str] = {}
    if field not in RuleField.values:
        errors["field"] = f"Unknown field {field!r}."
    if operator not in RuleOperator.values:
        errors["operator"] = f"Unknown comparison {operator!r}."
    if tier.system_id != system.pk:
        errors["tier"] = "That tier is not this system's."
    if field == RuleField.FLAG:
        if flag is None or flag.system_id != system.pk:
            errors["flag"] = "A rule on a flag names one of this system's flags."
        operator = RuleOperator.HAS
        value = None
    else:
        flag = None
        if operator != RuleOperator.HAS and value is None:
            errors["value"] = "Give the value to compare with."
        if operator == RuleOperator.HAS:
            value = None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        last = (
            TierRule.objects.select_for_update()
            .filter(system=system)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        rule = TierRule.objects.create(
            system=system,
            position=(last or 0) + 1,
            field=field,
            operator=operator,
            value=value,
            flag=flag,
            tier=tier,
        )
        audit_event_record(
            actor=actor,
            action="coaching.rule_add",
            obj=rule,
            system_id=system.pk,
            after={"rule": str(rule), "position": rule.position},
        )
        _tiers_record(actor=actor, system_id=system.pk, cause="rule added")
    return rule


def tier_rule_delete(*, actor: Any, rule: TierRule) -> None:
    require(actor, Action.SUPPORT_CONFIGURE, rule.system)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="coaching.rule_delete",
            obj=rule,
            system_id=rule.system_id,
            before={"rule": str(rule), "position": rule.position},
        )
        rule.delete()
        _tiers_record(actor=actor, system_id=rule.system_id, cause="rule deleted")


def tier_rule_move(*, actor: Any, rule: TierRule, up: bool) -> None:
    """Swap the rule with the one before (up) or after it."""
    require(actor, Action.SUPPORT_CONFIGURE, rule.system)
    with transaction.atomic():
        rules = list(TierRule.objects.select_for_update().filter(system_id=rule.system_id))
        rules.sort(key=lambda r: r.position)
        at = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = at - 1 if up else at + 1
        if not 0 <= other < len(rules):
            return
        a, b = rules[at], rules[other]
        a_pos, b_pos = a.position, b.position
        TierRule.objects.filter(pk=a.pk).update(position=0)
        TierRule.objects.filter(pk=b.pk).update(position=a_pos)
        TierRule.objects.filter(pk=a.pk).update(position=b_pos)
        audit_event_record(
            actor=actor,
            action="coaching.rule_move",
            obj=a,
            system_id=a.system_id,
            before={"position": a_pos},
            after={"position": b_pos},
        )
        _tiers_record(actor=actor, system_id=a.system_id, cause="rules reordered")


def _apply_figures(
    profile: SchoolNeedProfile,
    data: dict[str, Any],
    entered: dict[str, Any] | None,
    today: datetime.date,
) -> None:
    """Set the profile's attendance rate and conditions score: from the data where it has a
    figure for the school (`data`: figure → DataFigure or None), else the `entered` values
    (None: keep what was entered before; a figure that came from the data and has none now is
    cleared)."""
    for figure, prefix in (("attendance_rate", "attendance"), ("conditions_score", "conditions")):
        found = data.get(figure)
        if found is not None:
            setattr(profile, figure, found.value)
            setattr(profile, f"{prefix}_source", FigureSource.DATA)
            setattr(profile, f"{prefix}_as_of", found.as_of)
            setattr(profile, f"{prefix}_basis", found.basis[:200])
            continue
        if entered is not None:
            value = entered.get(figure)
            kept = (
                value is not None
                and getattr(profile, f"{prefix}_source") == FigureSource.ENTERED
                and getattr(profile, figure) == value
            )
            setattr(profile, figure, value)
            setattr(profile, f"{prefix}_source", FigureSource.ENTERED if value is not None else "")
            if not kept:  # the same value entered again keeps the day it was entered
                setattr(profile, f"{prefix}_as_of", today if value is not None else None)
            setattr(profile, f"{prefix}_basis", "")
        elif getattr(profile, f"{prefix}_source") == FigureSource.DATA:
            setattr(profile, figure, None)
            setattr(profile, f"{prefix}_source", "")
            setattr(profile, f"{prefix}_as_of", None)
            setattr(profile, f"{prefix}_basis", "")


def _profile_record(profile: SchoolNeedProfile, flags: Sequence[int]) -> dict[str, Any]:
    return {
        "band": profile.performance_band,
        "attendance": str(profile.attendance_rate),
        "attendance_source": profile.attendance_source,
        "conditions": str(profile.conditions_score),
        "conditions_source": profile.conditions_source,
        "flags": sorted(flags),
    }


def need_profile_save(
    *,
    actor: Any,
    school: Any,
    performance_band: int | None,
    attendance_rate: Any = None,
    conditions_score: Any = None,
    flags: Sequence[NeedFlag] = (),
) -> SchoolNeedProfile:
    """Save a school's need profile. The attendance rate and conditions score come from the
    data (selectors.need_data) wherever it has them, refreshed now; a value entered for such a
    figure is refused (with the data's figure and source named). Entered values are kept only
    for the figures the data lacks for this school."""
    require(actor, Action.SUPPORT_CONFIGURE, school)
    errors: dict[str, str] = {}
    if performance_band is not None and performance_band not in PerformanceBand.values:
        errors["performance_band"] = "The band is 1 (lowest) to 4 (highest)."
    if attendance_rate is not None and not 0 <= attendance_rate <= 100:
        errors["attendance_rate"] = "The attendance rate is a percentage, 0 to 100."
    if conditions_score is not None and not 1 <= conditions_score <= 4:
        errors["conditions_score"] = "The conditions score is between 1 and 4."
    if any(f.system_id != school.system_id for f in flags):
        errors["flags"] = "Flags come from this system's list."
    data = {figure: by.get(school.pk) for figure, by in selectors.need_data([school.pk]).items()}
    for figure, value in (
        ("attendance_rate", attendance_rate),
        ("conditions_score", conditions_score),
    ):
        found = data.get(figure)
        if found is not None and value is not None and Decimal(value) != found.value:
            errors[figure] = (
                f"This figure comes from {selectors.NEED_SOURCES[figure]} ({found.value}, "
                f"{found.basis}); it is entered by hand only for a school without that data."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile, created = SchoolNeedProfile.objects.select_for_update().get_or_create(
            school=school, defaults={"system_id": school.system_id}
        )
        before = _profile_record(profile, list(profile.flags.values_list("pk", flat=True)))
        profile.performance_band = performance_band
        _apply_figures(
            profile,
            data,
            {"attendance_rate": attendance_rate, "conditions_score": conditions_score},
            timezone.localdate(),
        )
        profile.save()
        profile.flags.set(flags)
        audit_event_record(
            actor=actor,
            action="coaching.need_profile",
            obj=profile,
            system_id=school.system_id,
            before=None if created else before,
            after=_profile_record(profile, [f.pk for f in flags]),
        )
        _tiers_record(
            actor=actor, system_id=school.system_id, cause="need profile", school_ids=[school.pk]
        )
    return profile


def need_profiles_refresh(*, actor: Any, system: Any) -> int:
    """Read every school's attendance rate and conditions score from the data again (a profile
    is made for a school the data has a figure for and that has none yet; a figure that came
    from the data and has none now is cleared; entered figures of schools without data stay).
    One audit event listing the schools whose figures changed; the tier history follows.
    Returns that number."""
    from trellis.orgs.models import School

    if actor is not None:
        require(actor, Action.SUPPORT_CONFIGURE, system)
    school_ids = list(School.objects.filter(system=system).values_list("pk", flat=True))
    data = selectors.need_data(school_ids)
    today = timezone.localdate()
    with transaction.atomic():
        profiles = {
            p.school_id: p
            for p in SchoolNeedProfile.objects.select_for_update().filter(system=system)
        }
        changed: dict[str, dict[str, str]] = {}
        for pk in school_ids:
            found = {figure: by.get(pk) for figure, by in data.items()}
            profile = profiles.get(pk)
            if profile is None:
                if not any(found.values()):
                    continue
                profile = SchoolNeedProfile(system_id=system.pk, school_id=pk)
            fields = ("attendance_rate", "attendance_as_of", "conditions_score", "conditions_as_of")
            before = {f: str(getattr(profile, f)) for f in fields}
            _apply_figures(profile, found, None, today)
            after = {f: str(getattr(profile, f)) for f in fields}
            if before != after or profile.pk is None:
                profile.save()
                changed[str(pk)] = {
                    "attendance": after["attendance_rate"],
                    "conditions": after["conditions_score"],
                }
        audit_event_record(
            actor=actor,
            action="coaching.need_profiles_refresh",
            system_id=system.pk,
            object_repr=f"Need profiles of {system}",
            after={"schools": changed},
        )
        _tiers_record(actor=actor, system_id=system.pk, cause="figures from the data")
    return len(changed)


@dataclass
class VisitIn:
    principal: Any
    teacher: Any
    school: Any
    visited_at: datetime.datetime
    minutes: int
    feedback: str
    look_fors: Sequence[Any] = ()


def visits_bulk_create(*, actor: Any, system: Any, visits: Sequence[VisitIn]) -> int:
    """Many visits at once for the command line (the demo generator): one audit event."""
    if actor is not None:
        raise PermissionDenied  # the command line only
    with transaction.atomic():
        made = ClassroomVisit.objects.bulk_create(
            [
                ClassroomVisit(
                    system=system,
                    school=v.school,
                    principal=v.principal,
                    teacher=v.teacher,
                    visited_at=v.visited_at,
                    minutes=v.minutes,
                    feedback=v.feedback,
                )
                for v in visits
            ],
            batch_size=2000,
        )
        through = ClassroomVisit.look_fors.through
        through.objects.bulk_create(
            [
                through(classroomvisit_id=visit.pk, frameworkitem_id=item.pk)
                for visit, given in zip(made, visits, strict=True)
                for item in given.look_fors
            ],
            batch_size=2000,
        )
        audit_event_record(
            actor=None,
            action="coaching.visits_bulk_create",
            system_id=system.pk,
            after={"visits": len(made)},
        )
    return len(made)


def performance_bands_apply(
    *, actor: Any, system: Any, bands: Sequence[tuple[Any, int | None]]
) -> int:
    """Set schools' performance bands from an import (the pipeline's transaction): profiles are
    created where missing; one audit event for the file."""
    for school, _band in bands:
        require(actor, Action.SUPPORT_CONFIGURE, school)
        if school.system_id != system.pk:
            raise ValidationError(f"{school} is not a school of {system}.")
    with transaction.atomic():
        existing = {
            p.school_id: p
            for p in SchoolNeedProfile.objects.select_for_update().filter(
                school__in=[s for s, _ in bands]
            )
        }
        changed = []
        for school, band in bands:
            profile = existing.get(school.pk) or SchoolNeedProfile(
                system_id=school.system_id, school=school
            )
            profile.performance_band = band
            changed.append(profile)
        for profile in changed:
            profile.save()
        audit_event_record(
            actor=actor,
            action="coaching.performance_bands_import",
            system_id=system.pk,
            after={"schools": {str(p.school_id): p.performance_band for p in changed}},
        )
        _tiers_record(
            actor=actor,
            system_id=system.pk,
            cause="performance bands imported",
            school_ids=[s.pk for s, _ in bands],
        )
    return len(changed)


# -- Video of practice ---------------------------------------------------------------------------

# The containers accepted, by extension, and the family of content signature each must carry.
VIDEO_EXTENSIONS: dict[str, str] = {".mp4": "iso", ".m4v": "iso", ".mov": "iso", ".webm": "webm"}
VIDEO_FORMATS = "MP4, M4V, MOV (QuickTime) or WebM"
# ISO base media brands (bytes 8-12 of an `ftyp` box) and the type each is served as.
_ISO_BRANDS: dict[bytes, str] = {
    b"qt  ": "video/quicktime",
    b"M4V ": "video/x-m4v",
    b"M4VH": "video/x-m4v",
    b"M4VP": "video/x-m4v",
}
_ISO_MP4_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"MSNV",
    b"mmp4", b"f4v ", b"3gp4", b"3gp5", b"3g2a",
}  # fmt: skip
# Older QuickTime files open with another top-level atom instead of `ftyp`.
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
MAX_VIDEO_COMMENT = 5000


def video_type(head: bytes, extension: str) -> str | None:
    """The content type the file's first bytes prove it to be, when they match its extension's
    container; None when they do not (a renamed file, a matroska, an image)."""
    family = VIDEO_EXTENSIONS.get(extension.lower())
    if family == "webm":
        # EBML magic, then a DocType element (0x42 0x82) of "webm" near the start.
        if head[:4] == b"\x1a\x45\xdf\xa3" and b"\x42\x82" in head[:64] and b"webm" in head[:64]:
            return "video/webm"
        return None
    if family == "iso":
        box = head[4:8]
        if box == b"ftyp":
            brand = head[8:12]
            if brand in _ISO_BRANDS:
                return _ISO_BRANDS[brand]
            if brand in _ISO_MP4_BRANDS:
                return "video/x-m4v" if extension.lower() == ".m4v" else "video/mp4"
            return None
        if box in _QUICKTIME_ATOMS and extension.lower() == ".mov":
            return "video/quicktime"
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f} MB"


def _video_parties(actor: Any, *, coach: Any, coachee: Any, session: Any) -> None:
    """The actor adds a video to their own coaching relationship: a session they took part in,
    or (the coach) someone on their caseload today."""
    if actor is None:
        return
    if session is not None:
        if not selectors.is_participant(actor, session):
            raise PermissionDenied
        return
    if actor.person_id != coach.pk:
        raise PermissionDenied
    require(actor, Action.COACHING_LOG, coachee)
    if selectors.caseload_assignment(coach, coachee, timezone.localdate()) is None:
        raise ValidationError({"coachee": f"{coachee} is not on your caseload."})


def _video_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the video a title."})
    if len(title) > 200:
        raise ValidationError({"title": "A title is at most 200 characters."})
    return title


def _video_record(video: Any) -> dict[str, Any]:
    """What the audit trail keeps of a video: who, which session, what kind: not its title."""
    return {
        "coach": video.coach_id,
        "coachee": video.coachee_id,
        "session": video.session_id,
        "kind": "link" if video.link else "file",
        "content_type": video.content_type,
        "size": video.size,
    }


def video_upload(
    *,
    actor: Any,
    coach: Any,
    coachee: Any,
    session: CoachingSession | None,
    title: str,
    upload: Any,
) -> Any:
    """Keep an uploaded video of practice in private storage. Refused: a file whose extension
    is not a video container Trellis plays, whose first bytes are not that container, or that
    is larger than the system's limit (the message states the limit and the file's size)."""
    import os
    import uuid

    from trellis.coaching.models import PracticeVideo

    _video_parties(actor, coach=coach, coachee=coachee, session=session)
    title = _video_title(title)
    limit_mb = selectors.video_max_mb(coachee.system_id)
    size = int(upload.size or 0)
    if size > limit_mb * 1024**2:
        raise ValidationError(
            {
                "file": f"The video is {_megabytes(size)}; the limit is {limit_mb:,} MB. "
                "Trim it or link it instead."
            }
        )
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in VIDEO_EXTENSIONS:
        raise ValidationError(
            {"file": f"{upload.name} is not a video Trellis plays: upload {VIDEO_FORMATS}."}
        )
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    content_type = video_type(head, extension)
    if content_type is None:
        raise ValidationError(
            {
                "file": f"{upload.name} does not contain the video its name says "
                f"({extension}): upload {VIDEO_FORMATS}."
            }
        )
    from trellis.coaching.video_meta import video_duration

    duration = video_duration(upload, size, content_type)
    video = PracticeVideo(
        system_id=coachee.system_id,
        coach=coach,
        coachee=coachee,
        session=session,
        added_by=actor.person if actor is not None else coach,
        title=title,
        content_type=content_type,
        size=size,
        duration_seconds=duration,
        duration_source="file" if duration is not None else "",
    )
    video.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    try:
        with transaction.atomic():
            video.save()
            audit_event_record(
                actor=actor,
                action="coaching.video_upload",
                obj=video,
                system_id=video.system_id,
                object_repr=f"Video {video.pk} of {coachee}",
                after=_video_record(video),
            )
    except BaseException:
        video.file.delete(save=False)
        raise
    return video


def video_link(
    *,
    actor: Any,
    coach: Any,
    coachee: Any,
    session: CoachingSession | None,
    title: str,
    link: str,
) -> Any:
    """Link a video kept elsewhere (an https address); Trellis shows it as a link."""
    from urllib.parse import urlsplit

    from django.core.validators import URLValidator

    from trellis.coaching.models import PracticeVideo

    _video_parties(actor, coach=coach, coachee=coachee, session=session)
    title = _video_title(title)
    link = link.strip()
    try:
        URLValidator(schemes=["https"])(link)
    except ValidationError:
        raise ValidationError({"link": "Give the video's full https:// address."}) from None
    if len(link) > 1000 or urlsplit(link).username or urlsplit(link).password:
        raise ValidationError({"link": "Give the video's address without a user name."})
    with transaction.atomic():
        video = PracticeVideo.objects.create(
            system_id=coachee.system_id,
            coach=coach,
            coachee=coachee,
            session=session,
            added_by=actor.person if actor is not None else coach,
            title=title,
            link=link,
        )
        audit_event_record(
            actor=actor,
            action="coaching.video_link",
            obj=video,
            system_id=video.system_id,
            object_repr=f"Video {video.pk} of {coachee}",
            after=_video_record(video),
        )
    return video


def video_comment_add(
    *,
    actor: Any,
    video: Any,
    at_seconds: int,
    text: str,
    competencies: Sequence[Any] = (),
    author: Any = None,
    player_duration: float | None = None,
) -> Any:
    """The video's coach or coachee comments at a moment (seconds from the start), tagged to
    competencies of the framework used for the coachee. `author` is for the command line (the
    demo); a signed-in actor is the author. The audit trail keeps the moment, not the words.

    A moment past the video's end is refused when its length is known. An uploaded video whose
    header did not give its length takes it from `player_duration` (what the commenter's player
    reported on loading the video: the comment form's hidden field), once."""
    from trellis.coaching.models import VideoComment

    if actor is not None:
        if not selectors.video_may_comment(actor, video):
            raise PermissionDenied
        author = actor.person
    if author is None or author.pk not in (video.coach_id, video.coachee_id):
        raise ValidationError("A comment is left by the video's coach or coachee.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the comment first."})
    if len(text) > MAX_VIDEO_COMMENT:
        raise ValidationError({"text": f"A comment is at most {MAX_VIDEO_COMMENT:,} characters."})
    if not 0 <= at_seconds <= 86400:
        raise ValidationError({"at": "The moment is between 0:00 and 24:00:00."})
    learned = None
    if (
        video.duration_seconds is None
        and video.file
        and player_duration is not None
        and math.isfinite(player_duration)
        and 0 < player_duration <= 86400
    ):
        learned = math.ceil(player_duration - 1e-6)
    length = video.duration_seconds if video.duration_seconds is not None else learned
    if length is not None and at_seconds > length:
        from trellis.coaching.models import seconds_label

        raise ValidationError(
            {
                "at": f"The video is {seconds_label(length)} long: the moment "
                f"{seconds_label(at_seconds)} is past its end."
            }
        )
    if actor is not None and competencies:
        allowed = {item.pk for item in selectors.video_competency_choices(actor, video)}
        if any(item.pk not in allowed for item in competencies):
            raise ValidationError(
                {"competencies": "Competencies come from the framework used for this person."}
            )
    with transaction.atomic():
        if learned is not None:
            type(video).objects.filter(pk=video.pk, duration_seconds__isnull=True).update(
                duration_seconds=learned, duration_source="player"
            )
            video.duration_seconds, video.duration_source = learned, "player"
        comment = VideoComment.objects.create(
            video=video, author=author, at_seconds=at_seconds, text=text
        )
        comment.competencies.set(competencies)
        audit_event_record(
            actor=actor,
            action="coaching.video_comment_add",
            obj=video,
            system_id=video.system_id,
            object_repr=f"Video {video.pk} of {video.coachee}",
            after={
                "comment": comment.pk,
                "at_seconds": at_seconds,
                "competencies": sorted(item.pk for item in competencies),
                **({"duration_seconds": learned} if learned is not None else {}),
            },
        )
    return comment


def video_captions_add(*, actor: Any, video: Any, upload: Any) -> Any:
    """The video's coach or coachee attaches captions (a WebVTT file) to an uploaded video,
    replacing any before (whose file goes once the transaction commits). Refused with the
    reason: a linked video (its host captions it), a file over the limit, not UTF-8, without
    the WEBVTT signature, with a malformed timing line or no cue. Audited: size and cues."""
    import uuid

    from trellis.coaching.models import PracticeVideo
    from trellis.coaching.video_meta import MAX_CAPTIONS_BYTES, CaptionsError, parse_webvtt
    from trellis.coaching.video_storage import video_storage

    if actor is not None and not selectors.video_may_comment(actor, video):
        raise PermissionDenied
    if not video.file:
        raise ValidationError(
            {
                "captions": "A linked video is captioned where it is kept; captions are added "
                "to uploaded videos."
            }
        )
    size = int(upload.size or 0)
    if size > MAX_CAPTIONS_BYTES:
        raise ValidationError(
            {
                "captions": f"The captions file is {size / 1024:,.0f} KB; the limit is "
                f"{MAX_CAPTIONS_BYTES // 1024:,} KB."
            }
        )
    upload.seek(0)
    raw = upload.read(MAX_CAPTIONS_BYTES + 1)
    try:
        cues = parse_webvtt(raw)
    except CaptionsError as error:
        raise ValidationError({"captions": str(error)}) from None
    from django.core.files.base import ContentFile

    with transaction.atomic():
        video = PracticeVideo.objects.select_for_update().get(pk=video.pk)
        old = video.captions.name if video.captions else ""
        video.captions.save(f"{uuid.uuid4().hex}.vtt", ContentFile(raw), save=False)
        video.captions_added_at = timezone.now()
        try:
            video.save(update_fields=["captions", "captions_added_at", "updated_at"])
            audit_event_record(
                actor=actor,
                action="coaching.video_captions_add",
                obj=video,
                system_id=video.system_id,
                object_repr=f"Video {video.pk} of {video.coachee}",
                before={"captions": bool(old)},
                after={"captions": True, "bytes": len(raw), "cues": len(cues)},
            )
        except BaseException:
            video_storage.delete(video.captions.name)
            raise
        if old:
            transaction.on_commit(lambda: video_storage.delete(old))
    return video


def video_delete(*, actor: Any, video: Any) -> None:
    """Whoever added the video, or its coach, removes it with its comments and its file."""
    if actor is not None and not selectors.video_may_delete(actor, video):
        raise PermissionDenied
    with transaction.atomic():
        record = _video_record(video)
        record["comments"] = video.comments.count()
        audit_event_record(
            actor=actor,
            action="coaching.video_delete",
            obj=video,
            system_id=video.system_id,
            object_repr=f"Video {video.pk} of {video.coachee}",
            before=record,
        )
        stored = [f.name for f in (video.file, video.captions) if f]
        video.delete()
        if stored:
            from trellis.coaching.video_storage import video_storage

            def remove() -> None:
                for name in stored:
                    video_storage.delete(name)

            transaction.on_commit(remove)


def video_settings_save(*, actor: Any, system: Any, max_mb: int) -> Any:
    """The system's limit on uploaded videos, in MB."""
    from trellis.coaching.models import VideoSettings

    require(actor, Action.COACHING_CONFIGURE, system)
    if not 1 <= max_mb <= 20480:
        raise ValidationError({"max_mb": "Between 1 and 20,480 MB."})
    with transaction.atomic():
        found = VideoSettings.objects.select_for_update().filter(system=system).first()
        before = found.max_mb if found else selectors.video_max_mb(system.pk)
        if found is None:
            found = VideoSettings(system=system, max_mb=max_mb)
        found.max_mb = max_mb
        found.save()
        audit_event_record(
            actor=actor,
            action="coaching.video_settings",
            obj=found,
            system_id=system.pk,
            before={"max_mb": before},
            after={"max_mb": max_mb},
        )
    return found
