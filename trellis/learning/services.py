"""Writes of professional learning: permission first, one transaction, one audit event each.

Registration keeps the waiting list: a session holds at most `capacity` confirmed registrations;
whoever registers when it is full joins the waiting list, and a confirmed registration that is
cancelled promotes the first person waiting, in the same transaction, with an audit event and an
e-mail to the promoted person. The session's row is locked while its seats are counted.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record, changed
from trellis.learning import selectors
from trellis.learning.models import (
    Community,
    Cycle,
    Meeting,
    PDSession,
    Registration,
    ReportedStudents,
)

# No 0/O, 1/I/L: read off a projector and typed on a phone. 31^6 ≈ 887 million codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
# Wrong codes a person may type in an hour before check-in refuses them for the rest of it.
CHECKIN_ATTEMPTS = 10
CHECKIN_LOCKOUT_SECONDS = 3600

SESSION_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "school",
    "program",
)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _record(session: PDSession) -> dict[str, Any]:
    return {
        "title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "place": session.place,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "school": session.school_id,
        "program": session.program_id,
        "competencies": sorted(session.competencies.values_list("pk", flat=True))
        if session.pk
        else [],
        "facilitators": sorted(session.facilitators.values_list("pk", flat=True))
        if session.pk
        else [],
    }


def _check_session(session: PDSession, facilitators: Sequence[Any]) -> None:
    errors: dict[str, str] = {}
    if session.ends_at <= session.starts_at:
        errors["ends_at"] = "The end must come after the start."
    if session.capacity is None or session.capacity < 1:
        errors["capacity"] = "The capacity is at least 1 seat."
    if session.school_id and session.program_id:
        errors["program"] = "A session serves one school or one program (or the whole system)."
    if session.school is not None and session.school.system_id != session.system_id:
        errors["school"] = "That school is not in this system."
    if session.program is not None and not (
        session.program.owner_system_id == session.system_id
        or session.program.systems.filter(pk=session.system_id).exists()
    ):
        errors["program"] = "That program does not serve this system."
    if not session.place.strip() and not session.online_url:
        errors["place"] = "Say where the session takes place, or give its online link."
    if any(person.system_id != session.system_id for person in facilitators):
        errors["facilitators"] = "Facilitators are people of this system."
    if errors:
        raise ValidationError(errors)


def session_create(
    *,
    actor: Any,
    system: Any,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    description: str = "",
    place: str = "",
    online_url: str = "",
    school: Any = None,
    program: Any = None,
    competencies: Sequence[Any] = (),
    facilitators: Sequence[Any] = (),
) -> PDSession:
    session = PDSession(
        system=system,
        school=school,
        program=program,
        title=title.strip(),
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_url=online_url,
        capacity=capacity,
        checkin_code=new_code(),
    )
    require(actor, Action.LEARNING_MANAGE, session)
    _check_session(session, facilitators)
    with transaction.atomic():
        session.full_clean()
        session.save()
        session.competencies.set(competencies)
        session.facilitators.set(facilitators)
        audit_event_record(
            actor=actor, action="pd_session.create", obj=session, after=_record(session)
        )
    return session


def session_update(
    *,
    actor: Any,
    session: PDSession,
    competencies: Sequence[Any] | None = None,
    facilitators: Sequence[Any] | None = None,
    **fields: Any,
) -> PDSession:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"session_update cannot change {', '.join(sorted(unknown))}")
    require(actor, Action.LEARNING_MANAGE, session)
    with transaction.atomic():
        session = PDSession.objects.select_for_update().get(pk=session.pk)
        before = _record(session)
        for key, value in fields.items():
            setattr(session, key, value)
        # Moving the session into a school or program outside the actor's reach is refused.
        require(actor, Action.LEARNING_MANAGE, session)
        people = (
            list(facilitators) if facilitators is not None else list(session.facilitators.all())
        )
        _check_session(session, people)
        confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
        if session.capacity < confirmed:
            raise ValidationError(
                {
                    "capacity": f"{confirmed} people are registered: the capacity cannot be "
                    "lower (cancel registrations first)."
                }
            )
        session.full_clean()
        session.save()
        if competencies is not None:
            session.competencies.set(competencies)
        if facilitators is not None:
            session.facilitators.set(facilitators)
        # A larger room seats the waiting list.
        promoted = _promote(session, session.capacity - confirmed)
        after = _record(session)
        diff = changed(before, after)
        if diff:
            audit_event_record(
                actor=actor,
                action="pd_session.update",
                obj=session,
                before={key: before[key] for key in diff},
                after=diff,
            )
        for registration in promoted:
            _promoted_event(actor, registration)
    return session


def code_renew(*, actor: Any, session: PDSession) -> PDSession:
    if not selectors.may_take_attendance(actor, session):
        raise PermissionDenied
    with transaction.atomic():
        session.checkin_code = new_code()
        session.save(update_fields=["checkin_code", "updated_at"])
        audit_event_record(actor=actor, action="pd_session.code_renew", obj=session)
    return session


# -- registration and the waiting list ---------------------------------------------------------


def _may_act_for(actor: Any, person: Any, session: PDSession) -> bool:
    if actor is None:
        return True
    if getattr(actor, "person_id", None) == person.pk:
        return True
    return selectors.may_manage(actor, session)


def _reg_record(registration: Registration) -> dict[str, Any]:
    return {
        "person": registration.person_id,
        "status": registration.status,
        "attended": registration.attended_at is not None,
    }


def registration_create(*, actor: Any, session: PDSession, person: Any) -> Registration:
    """Register `person` (oneself, or anyone of the audience by a manager): a seat if there is
    one, else the waiting list."""
    if not _may_act_for(actor, person, session):
        raise PermissionDenied
    if not selectors.in_audience(person, session):
        raise ValidationError(f"{session.title} is for {session.audience_phrase}.")
    now = timezone.now()
    if session.ends_at < now:
        raise ValidationError("This session is over: registration is closed.")
    with transaction.atomic():
        session = PDSession.objects.select_for_update().get(pk=session.pk)
        existing = Registration.objects.filter(session=session, person=person).first()
        if existing is not None and existing.status != Registration.Status.CANCELLED:
            raise ValidationError(
                f"{person.full_name} is already {existing.get_status_display().lower()}."
            )
        confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
        # Whoever waits goes first: a seat found free (a capacity change or data loaded from
        # elsewhere) seats the waiting list before a newcomer.
        promoted = _promote(session, session.capacity - confirmed)
        for waiting in promoted:
            _promoted_event(actor, waiting)
        status = (
            Registration.Status.CONFIRMED
            if confirmed + len(promoted) < session.capacity
            else Registration.Status.WAITLISTED
        )
        if existing is None:
            registration = Registration.objects.create(
                session=session, person=person, status=status, registered_at=now
            )
        else:
            registration = existing
            registration.status = status
            registration.registered_at, registration.promoted_at = now, None
            registration.save(
                update_fields=["status", "registered_at", "promoted_at", "updated_at"]
            )
        audit_event_record(
            actor=actor,
            action="registration.create",
            obj=registration,
            system_id=session.system_id,
            after=_reg_record(registration),
        )
    return registration


def _promote(session: PDSession, seats: int) -> list[Registration]:
    if seats <= 0:
        return []
    waiting = list(
        session.registrations.select_related("person")
        .filter(status=Registration.Status.WAITLISTED)
        .order_by("registered_at", "pk")[:seats]
    )
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
    return waiting


def _promoted_event(actor: Any, registration: Registration) -> None:
    session = registration.session
    audit_event_record(
        actor=actor,
        action="registration.promote",
        obj=registration,
        system_id=session.system_id,
        before={"status": Registration.Status.WAITLISTED},
        after={"status": Registration.Status.CONFIRMED},
    )
    person = registration.person
    if person.email:
        start = timezone.localtime(session.starts_at)
        send_mail(
            f"A seat opened for you: {session.title}",
            f"Dear {person.full_name},\n\nA seat opened at {session.title} on "
            f"{start:%A, %b %-d, %Y at %H:%M}, and you moved from the waiting list to "
            "registered. If you can no longer come, please cancel so that the next person "
            "gets the seat.\n",
            None,
            [person.email],
        )


def registration_cancel(*, actor: Any, registration: Registration) -> Registration | None:
    """Cancel; a freed seat goes to the first person waiting. Returns whom it promoted."""
    session = registration.session
    if not _may_act_for(actor, registration.person, session):
        raise PermissionDenied
    if registration.attended_at is not None:
        raise ValidationError("This registration is marked attended; it cannot be cancelled.")
    with transaction.atomic():
        session = PDSession.objects.select_for_update().get(pk=session.pk)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            raise ValidationError("This registration is already cancelled.")
        was = registration.status
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status", "updated_at"])
        audit_event_record(
            actor=actor,
            action="registration.cancel",
            obj=registration,
            system_id=session.system_id,
            before={"status": was},
            after={"status": Registration.Status.CANCELLED},
        )
        promoted = []
        if was == Registration.Status.CONFIRMED and session.ends_at >= timezone.now():
            promoted = _promote(session, 1)
        for other in promoted:
            _promoted_event(actor, other)
    return promoted[0] if promoted else None


# -- attendance ------------------------------------------------------------------------------


def attendance_record(
    *, actor: Any, session: PDSession, present_ids: Sequence[int]
) -> list[Registration]:
    """The facilitator's tick list: the registered people ticked are present, the rest not.
    Someone on the waiting list who came and is ticked is seated on the day: a free seat if
    there is one, else the capacity is raised by the seats needed (the person is in the room);
    a waiting person not ticked stays waiting."""
    if actor is not None and not selectors.may_take_attendance(actor, session):
        raise PermissionDenied
    now = timezone.now()
    if session.starts_at - selectors.CHECKIN_MARGIN > now:
        raise ValidationError("Attendance is taken once the session has started.")
    present = set(present_ids)
    with transaction.atomic():
        session = PDSession.objects.select_for_update().get(pk=session.pk)
        rows = list(
            Registration.objects.select_for_update()
            .filter(session=session, status=Registration.Status.CONFIRMED)
            .order_by("pk")
        )
        waiting = list(
            Registration.objects.select_for_update()
            .filter(
                session=session,
                status=Registration.Status.WAITLISTED,
                person_id__in=present - {row.person_id for row in rows},
            )
            .order_by("registered_at", "pk")
        )
        unknown = present - {row.person_id for row in rows + waiting}
        if unknown:
            raise ValidationError(
                "Only registered people (or people on the waiting list) can be marked present."
            )
        if waiting:
            capacity = session.capacity
            needed = len(rows) + len(waiting)
            if needed > capacity:
                session.capacity = needed
                session.save(update_fields=["capacity", "updated_at"])
            for row in waiting:
                row.status = Registration.Status.CONFIRMED
                row.promoted_at = now
                row.save(update_fields=["status", "promoted_at", "updated_at"])
            audit_event_record(
                actor=actor,
                action="pd_session.seat_on_the_day",
                obj=session,
                before={"capacity": capacity},
                after={
                    "capacity": session.capacity,
                    "seated": sorted(r.person_id for r in waiting),
                },
            )
            rows = sorted(rows + waiting, key=lambda r: r.pk)
        marked, cleared = [], []
        for row in rows:
            if row.person_id in present and row.attended_at is None:
                row.attended_at, row.checked_in_via = now, Registration.Via.LIST
                marked.append(row)
            elif row.person_id not in present and row.attended_at is not None:
                row.attended_at, row.checked_in_via = None, ""
                cleared.append(row)
        Registration.objects.bulk_update(
            marked + cleared, ["attended_at", "checked_in_via", "updated_at"]
        )
        if marked or cleared:
            audit_event_record(
                actor=actor,
                action="pd_session.attendance",
                obj=session,
                after={
                    "present": sorted(r.person_id for r in marked),
                    "absent": sorted(r.person_id for r in cleared),
                },
            )
    return marked


def _attempts_key(actor: Any) -> str:
    return f"learning-checkin-wrong:{actor.pk}"


def checkin(*, actor: Any, code: str, now: datetime.datetime | None = None) -> Registration:
    """Check the signed-in person in with the code shown in the room: among their confirmed
    registrations, the session whose code it is and whose check-in window is open."""
    now = now or timezone.now()
    person_id = getattr(actor, "person_id", None)
    if not person_id:
        raise ValidationError({"code": "Your account has no staff record to check in with."})
    key = _attempts_key(actor)
    if cache.get(key, 0) >= CHECKIN_ATTEMPTS:
        raise ValidationError(
            {"code": "Too many wrong codes. Wait an hour, or ask the facilitator to tick you."}
        )
    code = "".join(code.split()).upper()
    window = selectors.CHECKIN_MARGIN
    candidates = list(
        Registration.objects.select_related("session")
        .filter(
            person_id=person_id,
            status=Registration.Status.CONFIRMED,
            session__starts_at__lte=now + window,
            session__ends_at__gte=now - window,
        )
        .order_by("pk")
    )
    match = next(
        (r for r in candidates if secrets.compare_digest(r.session.checkin_code, code)), None
    )
    if match is None:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, CHECKIN_LOCKOUT_SECONDS)
        waiting = (
            Registration.objects.filter(
                person_id=person_id,
                status=Registration.Status.WAITLISTED,
                session__checkin_code=code,
                session__starts_at__lte=now + window,
                session__ends_at__gte=now - window,
            )
            .select_related("session")
            .first()
        )
        if waiting is not None:
            # The code is right but the person has no seat: say so, rather than that the code
            # is wrong or that nothing of theirs is open.
            raise ValidationError(
                {
                    "code": f"You are on the waiting list for {waiting.session.title}, not "
                    "registered: ask the facilitator to tick you on their attendance list, "
                    "which seats you from the waiting list."
                }
            )
        # The right code at the wrong time: say when its check-in opens (or that it closed),
        # rather than that the code is wrong.
        elsewhen = (
            Registration.objects.filter(
                person_id=person_id,
                status=Registration.Status.CONFIRMED,
                session__checkin_code=code,
            )
            .select_related("session")
            .first()
        )
        if elsewhen is not None:
            session = elsewhen.session
            opens = timezone.localtime(session.starts_at - window)
            if opens > now:
                raise ValidationError(
                    {
                        "code": f"Check-in for {session.title} opens on {opens:%B} {opens.day} "
                        f"at {opens:%H:%M}, {int(window.total_seconds() // 60)} minutes before "
                        "it starts."
                    }
                )
            raise ValidationError(
                {
                    "code": f"Check-in for {session.title} has closed: ask the facilitator to "
                    "tick you on their attendance list."
                }
            )
        if not candidates:
            raise ValidationError(
                {
                    "code": "None of your registered sessions is open for check-in now (from "
                    "30 minutes before it starts to 30 minutes after it ends)."
                }
            )
        raise ValidationError(
            {"code": "That code is not the code of your session. Check it and try again."}
        )
    if match.attended_at is not None:
        return match
    with transaction.atomic():
        match.attended_at, match.checked_in_via = now, Registration.Via.CODE
        match.save(update_fields=["attended_at", "checked_in_via", "updated_at"])
        audit_event_record(
            actor=actor,
            action="registration.check_in",
            obj=match,
            system_id=match.session.system_id,
            after={"attended": True, "via": "code"},
        )
    return match


# -- learning communities ---------------------------------------------------------------------

COMMUNITY_FIELDS = ("name", "kind", "description", "school", "facilitator")


def _community_record(community: Community) -> dict[str, Any]:
    return {
        "name": community.name,
        "kind": community.kind,
        "school": community.school_id,
        "facilitator": community.facilitator_id,
        "members": sorted(community.members.values_list("pk", flat=True)) if community.pk else [],
    }


def _check_community(community: Community, members: Sequence[Any]) -> None:
    errors: dict[str, str] = {}
    if community.kind == Community.Kind.LEADERSHIP and community.school_id is None:
        errors["school"] = "A school leadership team belongs to a school."
    if community.school is not None and community.school.system_id != community.system_id:
        errors["school"] = "That school is not in this system."
    if community.facilitator is not None and community.facilitator.system_id != community.system_id:
        errors["facilitator"] = "The facilitator is a person of this system."
    if any(person.system_id != community.system_id for person in members):
        errors["members"] = "Members are people of this system."
    if errors:
        raise ValidationError(errors)


def community_create(
    *,
    actor: Any,
    system: Any,
    name: str,
    kind: str,
    school: Any = None,
    facilitator: Any = None,
    description: str = "",
    members: Sequence[Any] = (),
) -> Community:
    community = Community(
        system=system,
        name=name.strip(),
        kind=kind,
        school=school,
        facilitator=facilitator,
        description=description,
    )
    require(actor, Action.LEARNING_MANAGE, community)
    _check_community(community, members)
    with transaction.atomic():
        community.full_clean()
        community.save()
        community.members.set(members)
        audit_event_record(
            actor=actor,
            action="community.create",
            obj=community,
            after=_community_record(community),
        )
    return community


def community_update(
    *, actor: Any, community: Community, members: Sequence[Any] | None = None, **fields: Any
) -> Community:
    unknown = set(fields) - set(COMMUNITY_FIELDS)
    if unknown:
        raise TypeError(f"community_update cannot change {', '.join(sorted(unknown))}")
    if actor is not None and not selectors.may_edit_community(actor, community):
        raise PermissionDenied
    with transaction.atomic():
        community = Community.objects.select_for_update().get(pk=community.pk)
        before = _community_record(community)
        for key, value in fields.items():
            setattr(community, key, value)
        if (
            actor is not None
            and ("school" in fields)
            and not selectors.may_edit_community(actor, community)
        ):
            raise PermissionDenied
        _check_community(community, list(members) if members is not None else [])
        community.full_clean()
        community.save()
        if members is not None:
            community.members.set(members)
        after = _community_record(community)
        diff = changed(before, after)
        if diff:
            audit_event_record(
                actor=actor,
                action="community.update",
                obj=community,
                before={key: before[key] for key in diff},
                after=diff,
            )
    return community


def cycle_add(
    *,
    actor: Any,
    community: Community,
    focus: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> Cycle:
    if actor is not None and not selectors.may_edit_community(actor, community):
        raise PermissionDenied
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The cycle ends on or after the day it starts."})
    with transaction.atomic():
        cycle = Cycle.objects.create(
            community=community, focus=focus.strip(), starts_on=starts_on, ends_on=ends_on
        )
        audit_event_record(
            actor=actor,
            action="community.cycle_add",
            obj=cycle,
            system_id=community.system_id,
            after={
                "focus": cycle.focus,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
    return cycle


# A meeting may be planned (its agenda written) up to this far ahead, not further.
MEETING_PLANNED_AHEAD = datetime.timedelta(days=365)


def _check_meeting(
    community: Community,
    cycle: Any,
    attendees: Sequence[Any],
    *,
    held_on: datetime.date,
    written: Sequence[str],
) -> None:
    """What a meeting needs: its date, and what happened there (who attended, or the agenda,
    notes or decisions); attendance only once the day has come."""
    errors: dict[str, str] = {}
    if not attendees and not any(text.strip() for text in written):
        what = "agenda, notes or decisions" if community.is_leadership else "agenda or notes"
        errors["__all__"] = (
            f"A meeting records who attended or what was discussed: tick who attended, or "
            f"write the {what}."
        )
    today = timezone.localdate()
    if held_on > today + MEETING_PLANNED_AHEAD:
        errors["held_on"] = (
            f"{held_on:%b %-d, %Y} is more than a year ahead: record a meeting once it has been "
            "held, or plan one up to a year ahead."
        )
    elif held_on > today:
        if attendees:
            errors["attendees"] = (
                "Attendance is recorded once the meeting has been held: this date is still to "
                "come (write the agenda now, and tick who attended on the day)."
            )
        if any(text.strip() for text in written[1:]):
            what = "Notes and decisions are" if community.is_leadership else "Notes are"
            errors["notes"] = (
                f"{what} written once the meeting has been held: {held_on:%b %-d, %Y} is still "
                "to come (write the agenda now)."
            )
    if cycle is not None and cycle.community_id != community.pk:
        errors["cycle"] = "That cycle is not this community's."
    elif cycle is not None and not cycle.starts_on <= held_on <= cycle.ends_on:
        errors["held_on"] = (
            f"{held_on:%b %-d, %Y} is outside the cycle “{cycle.focus}” "
            f"({cycle.starts_on:%b %-d, %Y} \u2013 {cycle.ends_on:%b %-d, %Y}): change the "
            "date, or choose another cycle or none."
        )
    allowed = set(community.members.values_list("pk", flat=True))
    if community.facilitator_id:
        allowed.add(community.facilitator_id)
    if any(person.pk not in allowed for person in attendees):
        errors["attendees"] = "Attendance lists the community's members and facilitator."
    if errors:
        raise ValidationError(errors)


def meeting_save(
    *,
    actor: Any,
    community: Community,
    held_on: datetime.date,
    agenda: str = "",
    notes: str = "",
    decisions: str = "",
    cycle: Any = None,
    attendees: Sequence[Any] = (),
    meeting: Meeting | None = None,
) -> Meeting:
    """Record a meeting (or correct one): date, agenda, notes, decisions, who attended."""
    if actor is not None and not selectors.may_edit_community(actor, community):
        raise PermissionDenied
    _check_meeting(
        community,
        cycle,
        attendees,
        held_on=held_on,
        written=(agenda, notes, decisions if community.is_leadership else ""),
    )
    with transaction.atomic():
        created = meeting is None
        if meeting is None:
            meeting = Meeting(community=community)
        meeting.held_on, meeting.agenda, meeting.notes = held_on, agenda, notes
        meeting.decisions, meeting.cycle = decisions, cycle
        meeting.full_clean()
        meeting.save()
        meeting.attendees.set(attendees)
        audit_event_record(
            actor=actor,
            action="meeting.create" if created else "meeting.update",
            obj=meeting,
            system_id=community.system_id,
            after={
                "held_on": held_on.isoformat(),
                "cycle": cycle.pk if cycle is not None else None,
                "attendees": sorted(p.pk for p in attendees),
            },
        )
    return meeting


# -- loading history (the demo generator) -----------------------------------------------------


def history_load(
    *,
    actor: Any,
    system: Any,
    sessions: Sequence[tuple[PDSession, Sequence[Any], Sequence[Any], Sequence[Registration]]],
    communities: Sequence[
        tuple[Community, Sequence[Any], Sequence[Cycle], Sequence[tuple[Meeting, Sequence[Any]]]]
    ],
) -> dict[str, int]:
    """Load past and planned learning in bulk: sessions (with competencies, facilitators and
    registrations) and communities (with members, cycles and meetings with attendance), in one
    transaction with one audit event. The command line only (actor None) or a system
    administrator of the system."""
    if actor is not None:
        require(actor, Action.LEARNING_MANAGE, PDSession(system=system))
    with transaction.atomic():
        made = PDSession.objects.bulk_create([s for s, _c, _f, _r in sessions], batch_size=500)
        through_c, through_f, registrations = [], [], []
        for session, (_s, competencies, facilitators, regs) in zip(made, sessions, strict=True):
            through_c += [
                PDSession.competencies.through(pdsession_id=session.pk, frameworkitem_id=i.pk)
                for i in competencies
            ]
            through_f += [
                PDSession.facilitators.through(pdsession_id=session.pk, person_id=p.pk)
                for p in facilitators
            ]
            for registration in regs:
                registration.session = session
                registrations.append(registration)
        PDSession.competencies.through.objects.bulk_create(through_c, batch_size=2000)
        PDSession.facilitators.through.objects.bulk_create(through_f, batch_size=2000)
        Registration.objects.bulk_create(registrations, batch_size=2000)
        made_c = Community.objects.bulk_create([c for c, _m, _y, _g in communities], batch_size=500)
        members, cycles, meetings, pending = [], [], [], []
        for community, (_c, people, its_cycles, its_meetings) in zip(
            made_c, communities, strict=True
        ):
            members += [
                Community.members.through(community_id=community.pk, person_id=p.pk) for p in people
            ]
            for cycle in its_cycles:
                cycle.community = community
                cycles.append(cycle)
            for meeting, attendees in its_meetings:
                meeting.community = community
                meetings.append(meeting)
                pending.append(attendees)
        Community.members.through.objects.bulk_create(members, batch_size=2000)
        Cycle.objects.bulk_create(cycles, batch_size=1000)
        # A meeting's cycle was built unsaved with it: point it at the saved row.
        for meeting in meetings:
            if meeting.cycle is not None:
                meeting.cycle_id = meeting.cycle.pk
        made_m = Meeting.objects.bulk_create(meetings, batch_size=1000)
        Meeting.attendees.through.objects.bulk_create(
            [
                Meeting.attendees.through(meeting_id=meeting.pk, person_id=p.pk)
                for meeting, attendees in zip(made_m, pending, strict=True)
                for p in attendees
            ],
            batch_size=5000,
        )
        counts = {
            "pd_sessions": len(made),
            "pd_registrations": len(registrations),
            "pd_attended": sum(1 for r in registrations if r.attended_at is not None),
            "communities": len(made_c),
            "community_meetings": len(made_m),
        }
        audit_event_record(
            actor=actor, action="learning.history_load", system_id=system.pk, after=counts
        )
    return counts


def reported_students_record(
    *, actor: Any, community: Community, person: Any, school_year: int, students: int
) -> ReportedStudents:
    """Report how many students a member of the team teaches in a school year (for a school
    whose classes no roster holds): the team's facilitator, or whoever may edit the team. A
    second report of the same member and year replaces the first (the audit keeps both)."""
    if actor is not None and not selectors.may_edit_community(actor, community):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if person is None or not community.members.filter(pk=person.pk).exists():
        errors["person"] = "Choose a member of the team."
    today = timezone.localdate()
    # The school year named by the year it ends (1 July to 30 June), as surveys.selectors.
    current = today.year + 1 if today.month >= 7 else today.year
    if not 2000 <= school_year <= 2100:
        errors["school_year"] = "Give the school year as the year it ends (2018 is 2017-18)."
    elif school_year > current:
        errors["school_year"] = (
            f"That school year has not begun: give this one ({current}, "
            f"{current - 1}-{str(current)[-2:]}) or an earlier one."
        )
    if not 0 <= students <= 10000:
        errors["students"] = "Give the number of students, from 0 to 10,000."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        found = (
            ReportedStudents.objects.select_for_update()
            .filter(person=person, school_year=school_year)
            .first()
        )
        before = None if found is None else {"students": found.students}
        if found is None:
            found = ReportedStudents.objects.create(
                person=person, school_year=school_year, students=students, community=community
            )
        else:
            found.students, found.community = students, community
            found.save(update_fields=["students", "community", "updated_at"])
        audit_event_record(
            actor=actor,
            action="students.reported",
            obj=community,
            system_id=community.system_id,
            before=before,
            after={"person": person.pk, "school_year": school_year, "students": students},
        )
    return found


def reported_students_remove(
    *, actor: Any, community: Community, person: Any, school_year: int
) -> None:
    """Remove the number of students reported for a member of the team in a school year (the
    same people who report it). The audit event keeps the number removed."""
    if actor is not None and not selectors.may_edit_community(actor, community):
        raise PermissionDenied
    with transaction.atomic():
        found = (
            ReportedStudents.objects.select_for_update()
            .filter(person=person, school_year=school_year)
            .first()
        )
        if found is None:
            raise ValidationError("No number of students is reported for them that year.")
        found.delete()
        audit_event_record(
            actor=actor,
            action="students.reported_removed",
            obj=community,
            system_id=community.system_id,
            before={"person": person.pk, "school_year": school_year, "students": found.students},
        )
