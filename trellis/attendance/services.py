"""Every write of the attendance app: the imports' plans (reading.py) applied set-wise, the
roll-ups rebuilt in the same transaction, and the system's settings. Each checks permission,
runs in one transaction and records an audit event."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from trellis.attendance import fastread
from trellis.attendance.models import (
    AttendanceAlert,
    AttendanceEvent,
    AttendanceSettings,
    AttendanceSubmission,
    CalendarDay,
    Category,
    CategoryMapping,
    DailySchoolAttendance,
    FamilyContact,
)
from trellis.attendance.partitions import ensure_partitions
from trellis.attendance.reading import CalendarPlan, DayPlan, EnrolmentPlan, is_on_time

# The demo generator builds the plans itself and writes them through these services.
from trellis.attendance.reading import Diff as Diff
from trellis.attendance.rollups import (
    SIS_SOURCE,
    contact_rollups_rebuild,
    last_rolled_up,
    rollups_rebuild,
    school_year_end,
    school_year_start,
    settings_of,
    submission_rollups_refresh,
    window_source,
)
from trellis.attendance.selectors import calendar_removal
from trellis.authz.policies import require
from trellis.authz.roles import Action
from trellis.core.services import audit_event_record
from trellis.orgs.models import School, System
from trellis.students.models import SchoolEnrolment, Student

BATCH = 5000


def _pairs_q(pairs: Iterable[tuple[int, datetime.date]], prefix: str = "") -> list[Q]:
    """Filters for (school, date) pairs, a few hundred pairs each: one DELETE per batch, never
    one per row."""
    listed = sorted(pairs)
    out = []
    for i in range(0, len(listed), 300):
        q = Q(pk__in=[])
        for school_id, day in listed[i : i + 300]:
            q |= Q(**{f"{prefix}school_id": school_id, f"{prefix}date": day})
        out.append(q)
    return out


def _rebuild_from(system: System, start: datetime.date, end: datetime.date | None) -> int:
    """Roll-ups from `start` to the later of `end` and the last day already rolled up (chronic
    absence to date moves on every later day)."""
    last = last_rolled_up(system.pk)
    stop = max(d for d in (end, last) if d is not None) if (end or last) else None
    if stop is None:
        return 0
    return rollups_rebuild(system_id=system.pk, start=start, end=stop)


def calendar_apply(*, actor: Any, system: System, plan: CalendarPlan) -> int:
    """The file's instructional days replace each of its schools' days between the file's
    first and last day for that school. Roll-ups already written for those schools follow."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    with transaction.atomic():
        for q in _pairs_q(plan.remove):
            CalendarDay.objects.filter(q).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(system=system, school_id=s, date=d) for s, d in sorted(plan.add)],
            batch_size=BATCH,
        )
        last = last_rolled_up(system.pk)
        rebuilt = 0
        if last is not None and plan.diff.any:
            start = min(lo for lo, _hi in plan.ranges.values())
            rebuilt = rollups_rebuild(
                system_id=system.pk, start=start, end=last, school_ids=set(plan.ranges)
            )
            _decisions_on_commit(system.pk)
        audit_event_record(
            actor=actor,
            action="attendance.calendar_import",
            system_id=system.pk,
            object_repr=f"{len(plan.ranges)} schools' calendars",
            after={**plan.diff.summary(), "rollups": rebuilt},
        )
    return len(plan.add) + len(plan.remove)


def enrolments_apply(*, actor: Any, system: System, plan: EnrolmentPlan) -> int:
    """The file's windows replace the SIS windows of the students it lists (from the first SIS
    file on, attendance counts these windows instead of the roster's)."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    with transaction.atomic():
        removed = sorted(plan.remove, key=lambda w: (w[0], w[2]))
        for i in range(0, len(removed), 300):
            SchoolEnrolment.objects.filter(system=system, source=SIS_SOURCE).filter(
                _windows_q(removed[i : i + 300])
            ).delete()
        SchoolEnrolment.objects.bulk_create(
            [
                SchoolEnrolment(
                    system=system,
                    student_id=student_id,
                    school_id=school_id,
                    entry_date=entry,
                    exit_date=exit_,
                    source=SIS_SOURCE,
                )
                for student_id, school_id, entry, exit_ in sorted(
                    plan.add, key=lambda w: (w[0], w[2])
                )
            ],
            batch_size=BATCH,
        )
        touched = plan.add | plan.remove
        rebuilt = 0
        last = last_rolled_up(system.pk)
        if touched and last is not None:
            # The first SIS file changes which windows count for every school.
            rebuilt = rollups_rebuild(
                system_id=system.pk, start=min(w[2] for w in touched), end=last
            )
            _decisions_on_commit(system.pk)
        audit_event_record(
            actor=actor,
            action="attendance.enrolment_import",
            system_id=system.pk,
            object_repr=f"{len(plan.students)} students' enrolment windows",
            after={**plan.diff.summary(), "rollups": rebuilt},
        )
    return len(touched)


def _windows_q(windows: list[tuple[int, int, datetime.date, datetime.date | None]]) -> Q:
    q = Q(pk__in=[])
    for student_id, school_id, entry, exit_ in windows:
        q |= Q(student_id=student_id, school_id=school_id, entry_date=entry, exit_date=exit_)
    return q


def _decisions_on_commit(system_id: int) -> None:
    """Once the import's transaction has committed, hand the system's decisions to the task
    worker (a rolled-back import enqueues nothing)."""
    # Imported here: a task binds its backend when defined, and this module is imported while
    # Django starts, before a test run has chosen its backend.
    from trellis.attendance.decision_tasks import store_published_decisions

    transaction.on_commit(lambda: store_published_decisions.enqueue(system_id))


def attendance_apply(*, actor: Any, system: System, plan: DayPlan) -> int:
    """For each school-day the file covers whose records differ, the file's records replace
    that day's; the roll-ups of the file's days (and the later days' chronic figures) follow."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    with transaction.atomic():
        if plan.staged:
            _staged_events_replace(system, plan)
        else:
            for q in _pairs_q(plan.changed_pairs):
                AttendanceEvent.objects.filter(q).delete()
            # PostgreSQL: the months' partitions (partitions.py).
            ensure_partitions(day for _school, day in plan.changed_pairs)
            rows_insert(
                AttendanceEvent,
                ["system_id", "student_id", "school_id", "date", "category", "school_class_id"],
                (
                    (system.pk, student_id, school_id, day, category, class_id)
                    for (school_id, day) in sorted(plan.changed_pairs)
                    for (student_id, category, class_id), n in plan.records[
                        (school_id, day)
                    ].items()
                    for _ in range(n)
                ),
            )
        rebuilt = _rebuild_for(system, plan)
        if rebuilt:
            _decisions_on_commit(system.pk)
        audit_event_record(
            actor=actor,
            action="attendance.events_import",
            system_id=system.pk,
            object_repr=f"attendance of {len(plan.covered)} school-days",
            after={**plan.diff.summary(), "rollups": rebuilt},
        )
    return plan.diff.added + plan.diff.removed


def _staged_events_replace(system: System, plan: DayPlan) -> None:
    """PostgreSQL, a file staged by fastread: the changed school-days' events are replaced by
    the staged rows in two statements (set-wise, no row passes through Python)."""
    table = AttendanceEvent._meta.db_table
    lo, hi = plan.dates
    if plan.changed_pairs:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} e USING {fastread.CHANGED} p "  # noqa: S608
                "WHERE e.school_id = p.school_id AND e.date = p.date "
                "AND e.date >= %s AND e.date <= %s",
                [lo, hi],
            )
            ensure_partitions(day for _school, day in plan.changed_pairs)
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608
                "(system_id, student_id, school_id, date, category, school_class_id) "
                "SELECT %s, s.student_id, s.school_id, s.date, s.category, s.class_id "
                f"FROM {fastread.STAGED} s JOIN {fastread.CHANGED} p "
                "ON p.school_id = s.school_id AND p.date = s.date",
                [system.pk],
            )
    fastread.drop_staging()


def rows_insert(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert plain rows (no model instances): by COPY on PostgreSQL (a day of a metro
    district's attendance is half a million rows), by batched bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        objects = (model(**dict(zip(columns, row, strict=True))) for row in rows)
        return len(model.objects.bulk_create(objects, batch_size=BATCH))
    count = 0
    table = model._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _rebuild_for(system: System, plan: DayPlan) -> int:
    # Every school of the system on the file's days: a negative file leaves out the schools
    # where nobody was absent, and they have a day all the same.
    if not plan.diff.any and last_rolled_up(system.pk) is not None:
        return 0
    return _rebuild_from(system, plan.dates[0], plan.dates[1])


def submissions_apply(*, actor: Any, system: System, plan: DayPlan) -> int:
    """For each school-day the file covers whose submissions differ, the file's replace that
    day's; the roll-ups follow."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    with transaction.atomic():
        for q in _pairs_q(plan.changed_pairs):
            AttendanceSubmission.objects.filter(q).delete()
        rows_insert(
            AttendanceSubmission,
            ["system_id", "school_id", "school_class_id", "date", "submitted_at", "on_time"],
            (
                (system.pk, school_id, class_id, day, moment, on_time)
                for (school_id, day) in sorted(plan.changed_pairs)
                for (class_id, moment, on_time) in plan.records[(school_id, day)]
            ),
        )
        # Submissions change only the roll-ups' submission figures of the file's days.
        rebuilt = 0
        if plan.diff.any or last_rolled_up(system.pk) is None:
            rebuilt = submission_rollups_refresh(
                system_id=system.pk, start=plan.dates[0], end=plan.dates[1]
            )
        audit_event_record(
            actor=actor,
            action="attendance.submissions_import",
            system_id=system.pk,
            object_repr=f"submissions of {len(plan.covered)} school-days",
            after={**plan.diff.summary(), "rollups": rebuilt},
        )
    return plan.diff.added + plan.diff.removed


def attendance_settings_set(
    *,
    actor: Any,
    system: System,
    time_zone: str,
    deadline: datetime.time,
    chronic_min_days: int,
    chronic_percent: int,
    taken_by: str,
    contact_after_absences: int | None = None,
) -> AttendanceSettings:
    """Change a system's attendance settings; submissions' on-time marks and every roll-up
    are recomputed in the same transaction."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": f"'{time_zone}' is not a time zone."}) from None
    if taken_by not in AttendanceSettings.TakenBy.values:
        raise ValidationError({"taken_by": "Choose homeroom or period."})
    if contact_after_absences is not None and contact_after_absences < 1:
        raise ValidationError({"contact_after_absences": "Give at least 1 absence."})
    if chronic_min_days < 1 or not 1 <= chronic_percent <= 100:
        raise ValidationError({"chronic_percent": "Give at least 1 day and a share from 1 to 100."})
    with transaction.atomic():
        own, _created = AttendanceSettings.objects.select_for_update().get_or_create(system=system)
        fields = (
            "time_zone",
            "deadline",
            "chronic_min_days",
            "chronic_percent",
            "taken_by",
            "contact_after_absences",
        )
        before = {name: str(getattr(own, name)) for name in fields}
        if contact_after_absences is not None:
            own.contact_after_absences = contact_after_absences
        own.time_zone, own.deadline = time_zone, deadline
        own.chronic_min_days, own.chronic_percent, own.taken_by = (
            chronic_min_days,
            chronic_percent,
            taken_by,
        )
        own.save()
        after = {name: str(getattr(own, name)) for name in fields}
        if before["time_zone"] != after["time_zone"] or before["deadline"] != after["deadline"]:
            _on_time_recompute(system, deadline, zone)
        first = DailySchoolAttendance.objects.filter(system=system).order_by("date").first()
        last = last_rolled_up(system.pk)
        chronic_changed = any(before[k] != after[k] for k in fields[:5])
        if first is not None and last is not None and chronic_changed:
            rollups_rebuild(system_id=system.pk, start=first.date, end=last)
            _decisions_on_commit(system.pk)
        elif (
            first is not None
            and last is not None
            and before["contact_after_absences"] != after["contact_after_absences"]
        ):
            # N decides who is due a contact: the contact roll-up follows.
            contact_rollups_rebuild(
                system_id=system.pk,
                start=first.date,
                end=last,
                school_ids=list(School.objects.filter(system=system).values_list("pk", flat=True)),
            )
        audit_event_record(
            actor=actor, action="attendance.settings_set", obj=own, before=before, after=after
        )
    return own


def _on_time_recompute(system: System, deadline: datetime.time, zone: ZoneInfo) -> None:
    changed = []
    for submission in AttendanceSubmission.objects.filter(system=system).only(
        "pk", "date", "submitted_at", "on_time"
    ):
        on_time = is_on_time(submission.submitted_at, submission.date, deadline, zone)
        if on_time != submission.on_time:
            submission.on_time = on_time
            changed.append(submission)
    AttendanceSubmission.objects.bulk_update(changed, ["on_time"], batch_size=BATCH)


def category_mapping_set(
    *, actor: Any, system: System, label: str, category: str
) -> CategoryMapping:
    """Map a system's own word for an attendance category to an Ed-Fi category."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    word = label.strip().lower()
    if not word:
        raise ValidationError({"label": "Give the word the system's files use."})
    if category not in Category.values:
        raise ValidationError({"category": f"'{category}' is not an Ed-Fi category."})
    with transaction.atomic():
        mapping, created = CategoryMapping.objects.update_or_create(
            system=system, label=word, defaults={"category": category}
        )
        audit_event_record(
            actor=actor,
            action="attendance.category_mapping_set",
            obj=mapping,
            after={"label": word, "category": category, "created": created},
        )
    return mapping


# --- Family contact and reads of the absent students (issue 12, second slice) ------------------


def family_contact_log(
    *,
    actor: Any,
    school: School,
    student: Student,
    contacted_on: datetime.date,
    method: str,
    outcome: str,
    note: str = "",
    follow_up_on: datetime.date | None = None,
) -> FamilyContact:
    """Log a contact with an absent student's family at the school. The caller found the
    student among the school's (attendance.selectors.contact_student_get)."""
    require(actor, Action.ATTENDANCE_STUDENTS, school)
    errors: dict[str, str] = {}
    if student.system_id != school.system_id:
        errors["student"] = "This student is not a student of the school."
    if method not in FamilyContact.Method.values:
        errors["method"] = "Choose how the family was contacted."
    if outcome not in FamilyContact.Outcome.values:
        errors["outcome"] = "Choose the outcome."
    if follow_up_on is not None and follow_up_on < contacted_on:
        errors["follow_up_on"] = "The follow-up date cannot be before the contact."
    zone = ZoneInfo(settings_of(school.system_id).time_zone)
    today = timezone.now().astimezone(zone).date()  # today in the system's zone
    year_start = school_year_start(today)
    # A contact falls after the student's first entry at the school. After they left it is
    # still taken: their absences there stay on its worklist until someone calls (a student
    # who left is not dropped from the call list; docs/decisions.md).
    entry = (
        SchoolEnrolment.objects.filter(
            student=student, school=school, source=window_source(school.system_id)
        )
        .order_by("entry_date")
        .values_list("entry_date", flat=True)
        .first()
    )
    if contacted_on > today:
        errors["contacted_on"] = (
            "A contact is logged once it has happened: the date is in the future."
        )
    elif contacted_on < year_start:
        # The worklist and the contact rates are of the school year: a contact of an earlier
        # year would count for nothing (or, mistyped, for the wrong year).
        errors["contacted_on"] = (
            f"This date is in an earlier school year: contacts are logged for this school "
            f"year, from {year_start:%b} {year_start.day}, {year_start.year}. Check the year."
        )
    elif entry is not None and contacted_on < entry:
        errors["contacted_on"] = (
            f"This date is before the student's enrolment at {school.name} began "
            f"({entry:%b} {entry.day}, {entry.year}). Check the date."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = FamilyContact.objects.create(
            system_id=school.system_id,
            school=school,
            student=student,
            contacted_on=contacted_on,
            method=method,
            outcome=outcome,
            note=note.strip(),
            follow_up_on=follow_up_on,
            logged_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # The school's contact roll-up from the contact's day to its school year's end.
        contact_rollups_rebuild(
            system_id=school.system_id,
            start=contacted_on,
            end=school_year_end(contacted_on),
            school_ids=[school.pk],
        )
        audit_event_record(
            actor=actor,
            action="attendance.family_contact_log",
            obj=contact,
            after={
                "student": student.pk,
                "school": school.pk,
                "contacted_on": contacted_on.isoformat(),
                "method": method,
                "outcome": outcome,
                "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
            },
        )
    return contact


def attendance_students_read_record(
    *, actor: Any, school: School, what: str, count: int, fmt: str = ""
) -> None:
    """The audit of a read of a school's absent students by name (a page, an export or the
    API): who read which list, how many students it held."""
    require(actor, Action.ATTENDANCE_STUDENTS, school)
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="attendance.students_read",
            obj=school,
            after={"list": what, "students": count, "format": fmt or "page"},
        )


def family_contacts_bulk_create(
    *, actor: Any, system: System, contacts: list[FamilyContact]
) -> int:
    """Set-based load of family contacts (the demo generator's path): one transaction, one
    audit event."""
    require(actor, Action.ATTENDANCE_MANAGE, system)
    with transaction.atomic():
        for contact in contacts:
            contact.system = system
        FamilyContact.objects.bulk_create(contacts, batch_size=BATCH)
        if contacts:
            contact_rollups_rebuild(
                system_id=system.pk,
                start=min(c.contacted_on for c in contacts),
                school_ids={c.school_id for c in contacts},
            )
        audit_event_record(
            actor=actor,
            action="attendance.family_contacts_bulk_create",
            system_id=system.pk,
            object_repr=f"{len(contacts)} family contacts",
            after={"count": len(contacts)},
        )
    return len(contacts)


# --- Alerts (issue 12) --------------------------------------------------------------------------


@dataclass
class AlertsSent:
    """What one run of the alerts did: alerts made (and e-mailed) by kind, and why a kind was
    not looked at."""

    day: datetime.date
    not_submitted: int = 0
    absence_spike: int = 0
    already_sent: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.not_submitted + self.absence_spike


def attendance_alerts_send(
    *,
    actor: Any,
    system: System,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
    mail_connection: Any = None,
) -> AlertsSent:
    """Make and e-mail the day's alerts of a system, once each (per school, day, kind and
    recipient: a second run sends nothing again):
    - attendance not submitted by the deadline: to the school's principals, listing the classes
      with no submission made by the deadline (only once the deadline has passed);
    - absence spike: to each supervisor among whose schools it is (their caseload's and their
      grants': assignments' `supervisor_schools`), when the school's rate "jumped" on the
      supervisor's own morning page (the same rule, the same suppression).
    The e-mails go out inside the transaction: if sending fails, nothing is recorded and the
    next run sends again. `mail_connection`: another e-mail backend's connection (the demo's
    sends nothing)."""
    from trellis.attendance import selectors

    require(actor, Action.ATTENDANCE_MANAGE, system)
    own = settings_of(system.pk)
    zone = ZoneInfo(own.time_zone)
    now = now or timezone.now()
    day = day or now.astimezone(zone).date()
    result = AlertsSent(day=day)
    planned: list[AttendanceAlert] = []
    deadline = datetime.datetime.combine(day, own.deadline, tzinfo=zone)
    if now < deadline:
        result.notes.append(
            f"The deadline ({own.deadline:%H:%M} {own.time_zone}) has not passed yet on {day}: "
            "no alert for attendance not submitted."
        )
    else:
        late = selectors.late_classes(system, day)
        principals = selectors.school_principals(late, day)
        for school_id, classes in late.items():
            lines = [
                f"{c.title} ({c.class_code or c.sourced_id}): "
                + (
                    f"submitted late at {timezone.localtime(s.submitted_at, zone):%H:%M}"
                    if s is not None
                    else "not submitted"
                )
                for c, s in classes
            ]
            for user_id in sorted(principals.get(school_id, ())):
                planned.append(
                    AttendanceAlert(
                        system=system,
                        school_id=school_id,
                        date=day,
                        kind=AttendanceAlert.Kind.NOT_SUBMITTED,
                        recipient_id=user_id,
                        summary=(
                            f"{len(classes)} class{'es' if len(classes) != 1 else ''} had not "
                            f"submitted attendance by {own.deadline:%H:%M}"
                        ),
                        details="\n".join(lines),
                    )
                )
    caseloads = selectors.supervisor_caseloads(system, day)
    users = {u.pk: u for u in _accounts(caseloads)}
    for user_id, school_ids in caseloads.items():
        seen = selectors.morning(users[user_id], day, school_ids=school_ids)
        for row in seen.jumped:
            planned.append(
                AttendanceAlert(
                    system=system,
                    school_id=row.school.pk,
                    date=day,
                    kind=AttendanceAlert.Kind.ABSENCE_SPIKE,
                    recipient_id=user_id,
                    summary=(
                        f"Absence rate jumped: {row.absence_rate}% absent, usually "
                        f"{row.usual_rate}%"
                    ),
                    details=f"{row.absent.shown} of {row.enrolled.shown} students absent.",
                )
            )
    with transaction.atomic():
        done = set(
            AttendanceAlert.objects.filter(system=system, date=day).values_list(
                "school_id", "kind", "recipient_id"
            )
        )
        fresh = [a for a in planned if (a.school_id, a.kind, a.recipient_id) not in done]
        result.already_sent = len(planned) - len(fresh)
        sent_at = timezone.now()
        for alert in fresh:
            alert.emailed_at = sent_at
        AttendanceAlert.objects.bulk_create(fresh)
        _alerts_mail(fresh, mail_connection or get_connection())
        for alert in fresh:
            if alert.kind == AttendanceAlert.Kind.NOT_SUBMITTED:
                result.not_submitted += 1
            else:
                result.absence_spike += 1
        if fresh:
            audit_event_record(
                actor=actor,
                action="attendance.alerts_send",
                system_id=system.pk,
                object_repr=f"attendance alerts of {day}",
                after={
                    "date": day.isoformat(),
                    "not_submitted": result.not_submitted,
                    "absence_spike": result.absence_spike,
                },
            )
    return result


def _accounts(caseloads: dict[int, set[int]]) -> list[Any]:
    from trellis.accounts.models import User

    return list(User.objects.filter(pk__in=list(caseloads)))


def _alerts_mail(alerts: list[AttendanceAlert], connection: Any) -> None:
    """One e-mail per alert, to its recipient, with the link to the school's morning page and
    to the alerts page where it is acknowledged."""
    from trellis.accounts.models import User
    from trellis.orgs.models import School

    if not alerts:
        return
    emails = dict(
        User.objects.filter(pk__in={a.recipient_id for a in alerts}).values_list("pk", "email")
    )
    names = dict(
        School.objects.filter(pk__in={a.school_id for a in alerts}).values_list("pk", "name")
    )
    base = django_settings.TRELLIS_BASE_URL.rstrip("/")
    messages = []
    for alert in alerts:
        school = names[alert.school_id]
        heading = alert.get_kind_display()
        messages.append(
            EmailMessage(
                f"{heading} at {school} on {alert.date:%a %-d %b %Y}",
                f"{school}, {alert.date:%A %-d %B %Y}: {alert.summary}.\n\n"
                + (f"{alert.details}\n\n" if alert.details else "")
                + f"The school's attendance: {base}/attendance/schools/{alert.school_id}/"
                f"?date={alert.date.isoformat()}\n"
                f"Acknowledge this alert: {base}/attendance/alerts/\n",
                None,
                [emails[alert.recipient_id]],
            )
        )
    connection.send_messages(messages)


def attendance_alert_acknowledge(*, actor: Any, alert: AttendanceAlert) -> AttendanceAlert:
    """The recipient acknowledges their alert (it leaves the home page's panel; the alerts page
    keeps it). Acknowledging it again changes nothing."""
    if actor is None or alert.recipient_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = AttendanceAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            return locked
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_at", "updated_at"])
        audit_event_record(
            actor=actor,
            action="attendance.alert_acknowledge",
            obj=locked,
            after={"acknowledged_at": locked.acknowledged_at.isoformat()},
        )
    return locked


# --- The instructional calendar on screen (issue 12) -------------------------------------------


@dataclass
class CalendarChange:
    days: list[datetime.date]
    # Attendance records on removed days, kept but no longer counted: the confirmation's
    # figures (selectors.calendar_removal), so that the result says the same.
    events_kept: int = 0
    students_kept: int = 0
    submissions_kept: int = 0
    rollups: int = 0

    @property
    def records_kept(self) -> int:
        """Events and submissions together."""
        return self.events_kept + self.submissions_kept


def calendar_days_change(
    *,
    actor: Any,
    school: Any,
    year_start: datetime.date,
    start: datetime.date,
    end: datetime.date | None = None,
    add: bool,
    weekdays_only: bool = True,
    confirmed: bool = False,
    weekend_confirmed: bool = False,
) -> CalendarChange:
    """Add or remove a school's instructional days, one day or a range (a closure), within the
    school year starting `year_start`. Adding a day already instructional, or removing one that
    is not, is refused. A removed day's attendance records stay (re-adding the day counts them
    again) but no figure counts them: the school's roll-ups are rebuilt from the first changed
    day, in the same transaction, as the calendar import does. Removing days on which
    attendance was recorded needs `confirmed` (the page asks first, stating the counts)."""
    require(actor, Action.ATTENDANCE_MANAGE, school.system)
    end = end or start
    year_end = datetime.date(year_start.year + 1, 6, 30)
    if end < start:
        raise ValidationError({"end": "The last day comes before the first."})
    if start < year_start or end > year_end:
        raise ValidationError(
            {
                "start": "Give days of the school year shown: "
                f"{year_start:%b %-d, %Y} to {year_end:%b %-d, %Y}."
            }
        )
    span = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    existing = set(
        CalendarDay.objects.filter(school=school, date__gte=start, date__lte=end).values_list(
            "date", flat=True
        )
    )
    if add:
        wanted = [d for d in span if d.weekday() < 5] if weekdays_only and end > start else span
        days = [d for d in wanted if d not in existing]
        weekend = [d for d in days if d.weekday() >= 5]
        if weekend and not weekend_confirmed:
            # Schools seldom teach on a Saturday or Sunday: a weekend day is more often a
            # mistyped date than a make-up day, so adding one is confirmed first.
            named = ", ".join(f"{d:%A, %b} {d.day}, {d.year}" for d in weekend[:3])
            more = f" and {len(weekend) - 3} more" if len(weekend) > 3 else ""
            raise ValidationError(
                {
                    "confirm_weekend": f"{named}{more} "
                    f"{'is a weekend day' if len(weekend) == 1 else 'are weekend days'}. "
                    "Check the date; to add it as an instructional day (a make-up day), tick "
                    '"Yes, add the weekend days" and submit again.'
                }
            )
        if not days:
            raise ValidationError(
                f"{start:%b %-d, %Y} is already an instructional day of {school.name}."
                if start == end
                else f"Every {'weekday' if weekdays_only else 'day'} from {start:%b %-d, %Y} to "
                f"{end:%b %-d, %Y} is already an instructional day of {school.name}."
            )
    else:
        days = sorted(existing)
        if not days:
            raise ValidationError(
                f"{start:%b %-d, %Y} is not an instructional day of {school.name}."
                if start == end
                else f"{school.name} has no instructional day from {start:%b %-d, %Y} to "
                f"{end:%b %-d, %Y}."
            )
    change = CalendarChange(days=days)
    with transaction.atomic():
        if add:
            CalendarDay.objects.bulk_create(
                [CalendarDay(system_id=school.system_id, school=school, date=d) for d in days]
            )
        else:
            kept = calendar_removal(school, days[0], days[-1])
            change.events_kept = kept.events
            change.students_kept = kept.students
            change.submissions_kept = kept.submissions
            if change.records_kept and not confirmed:
                raise ValidationError(
                    f"{change.records_kept} attendance record(s) are on "
                    f"{'that day' if len(days) == 1 else 'those days'}: confirm the removal."
                )
            CalendarDay.objects.filter(school=school, date__in=days).delete()
        last = last_rolled_up(school.system_id)
        if last is not None and days[0] <= last:
            change.rollups = rollups_rebuild(
                system_id=school.system_id, start=days[0], end=last, school_ids=[school.pk]
            )
            _decisions_on_commit(school.system_id)
        audit_event_record(
            actor=actor,
            action="attendance.calendar_add" if add else "attendance.calendar_remove",
            obj=school,
            object_repr=f"{school.name}: {len(days)} instructional day(s)",
            after={
                "days": [d.isoformat() for d in days],
                "records_kept": change.records_kept,
                "events_kept": change.events_kept,
                "submissions_kept": change.submissions_kept,
                "confirmed": confirmed,
                "rollups": change.rollups,
            },
        )
    return change
