"""The demo district's attendance: a school year's instructional calendar, homeroom classes,
the SIS's enrolment windows (with transfers), daily negative attendance and teachers'
submissions up to today, through the same plans and services the attendance imports use.

Patterns: most students miss a day now and then, a few in every homeroom are chronically
absent; Mondays and Fridays are worse; a flu week three weeks before today; one school's absence
jumps on the last school day; about one student in a hundred transfers mid-year; most homerooms
submit between 07:45 and 09:15, a few late teachers after the deadline, and on the last school
day the build stands at 08:45, so the classes not yet submitted show.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import get_connection

from trellis.attendance.models import ABSENCES, AttendanceEvent, Category, FamilyContact
from trellis.attendance.selectors import school_year_start, settings_of, student_school_ids
from trellis.attendance.services import (
    CalendarPlan,
    DayPlan,
    Diff,
    EnrolmentPlan,
    attendance_alerts_send,
    attendance_apply,
    calendar_apply,
    enrolments_apply,
    family_contacts_bulk_create,
    is_on_time,
    submissions_apply,
)
from trellis.orgs.models import School, System
from trellis.people.models import Position
from trellis.rosters.models import SchoolClass
from trellis.rosters.services import school_classes_bulk_create
from trellis.students.models import Student

HOMEROOM_SIZE = 25
# At metro size the history is the last instructional days only (a year is ~90 million rows:
# the bench loads it by its own path).
HISTORY_DAYS = {"metro": 10}


def holidays(first: datetime.date) -> set[datetime.date]:
    """US-style breaks of the school year starting on 1 July of first.year."""
    year = first.year

    def nth_monday(y: int, month: int, n: int) -> datetime.date:
        day = datetime.date(y, month, 1)
        day += datetime.timedelta(days=(7 - day.weekday()) % 7)
        return day + datetime.timedelta(weeks=n - 1)

    out = {nth_monday(year, 9, 1)}  # Labor Day
    thanksgiving = datetime.date(year, 11, 1)
    thanksgiving += datetime.timedelta(days=(3 - thanksgiving.weekday()) % 7 + 21)
    out |= {thanksgiving + datetime.timedelta(days=d) for d in (-1, 0, 1)}
    winter = datetime.date(year, 12, 22)
    out |= {winter + datetime.timedelta(days=d) for d in range(12)}
    out.add(nth_monday(year + 1, 1, 3))  # Martin Luther King Jr. Day
    spring = nth_monday(year + 1, 3, 4)
    out |= {spring + datetime.timedelta(days=d) for d in range(5)}
    memorial = datetime.date(year + 1, 5, 31)
    out.add(memorial - datetime.timedelta(days=memorial.weekday()))
    return out


def school_days(today: datetime.date) -> list[datetime.date]:
    first = school_year_start(today)
    start = datetime.date(first.year, 8, 17)
    start += datetime.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
    end = datetime.date(first.year + 1, 5, 21)
    off = holidays(first)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in off:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def day_category(rng: random.Random, risk: float, *, excused: float) -> str | None:
    """A demo student's day: absent with probability `risk` (excused in `excused` of those),
    tardy in 3 % more, else nothing recorded (negative attendance)."""
    roll = rng.random()
    if roll < risk:
        return str(
            Category.EXCUSED_ABSENCE if rng.random() < excused else Category.UNEXCUSED_ABSENCE
        )
    if roll < risk + 0.03:
        return str(Category.TARDY)
    return None


def records_apply(
    system: System,
    records: dict[tuple[int, datetime.date], Counter[Any]],
    *,
    first: datetime.date,
    last: datetime.date,
) -> int:
    """Write the demo's attendance records through the import's own apply; the events made."""
    events = sum(sum(c.values()) for c in records.values())
    attendance_apply(
        actor=None,
        system=system,
        plan=DayPlan(
            covered=set(records),
            records=dict(records),
            changed_pairs=set(records),
            diff=Diff(added=events),
            dates=(first, last),
        ),
    )
    return events


def attendance_history(
    system: System, *, seed: int, today: datetime.date, size_name: str = "demo"
) -> dict[str, int]:
    rng = random.Random(seed * 7919 + 12)
    schools = list(School.objects.filter(system=system).order_by("pk"))
    if not schools:
        return {}
    calendar = school_days(today)
    taught = [d for d in calendar if d <= today]
    limit = HISTORY_DAYS.get(size_name)
    if limit:
        taught = taught[-limit:]
    # "Today" is the last school day up to the build's day (a weekend shows the Friday).
    last = taught[-1] if taught else None
    # The calendar: the whole school year, every school.
    days = {(s.pk, d) for s in schools for d in calendar}
    calendar_apply(
        actor=None,
        system=system,
        plan=CalendarPlan(
            ranges={s.pk: (calendar[0], calendar[-1]) for s in schools},
            days=days,
            remove=set(),
            add=days,
            diff=Diff(added=len(days)),
        ),
    )
    students = list(
        Student.objects.filter(system=system, is_active=True)
        .order_by("pk")
        .values_list("pk", "school_id", "grade")
    )
    # Homerooms of about 25 students of a grade.
    by_school_grade: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, school_id, grade in students:
        by_school_grade[(school_id, grade)].append(pk)
    classes: list[SchoolClass] = []
    members: list[list[int]] = []
    for (school_id, grade), pks in sorted(by_school_grade.items()):
        for n, i in enumerate(range(0, len(pks), HOMEROOM_SIZE)):
            classes.append(
                SchoolClass(
                    sourced_id=f"hr-{school_id}-{grade or 'x'}-{n + 1}",
                    title=f"Homeroom {grade or ''}{chr(65 + n % 26)}".strip(),
                    class_code=f"HR{grade}{chr(65 + n % 26)}",
                    class_type=SchoolClass.Kind.HOMEROOM,
                    school_id=school_id,
                )
            )
            members.append(pks[i : i + HOMEROOM_SIZE])
    school_classes_bulk_create(actor=None, system=system, classes=classes)
    homeroom_of = {
        pk: (c.pk, c.school_id) for c, pks in zip(classes, members, strict=True) for pk in pks
    }
    # The SIS's windows: the first school day on; one in a hundred transfers mid-year.
    first_day = calendar[0]
    # A student moves to another school of the same level (their grade is taught there).
    level_of = {s.pk: s.level for s in schools}
    windows: set[tuple[int, int, datetime.date, datetime.date | None]] = set()
    moved: dict[int, tuple[int, datetime.date]] = {}
    for pk, school_id, _grade in students:
        peers = [s.pk for s in schools if s.pk != school_id and s.level == level_of[school_id]]
        if len(taught) > 20 and peers and rng.random() < 0.01:
            leave = taught[rng.randrange(5, len(taught) - 5)]
            other = rng.choice(peers)
            exit_day = leave - datetime.timedelta(days=1)
            windows.add((pk, school_id, first_day, exit_day))
            windows.add((pk, other, leave, None))
            moved[pk] = (other, leave)
        else:
            windows.add((pk, school_id, first_day, None))
    enrolments_apply(
        actor=None,
        system=system,
        plan=EnrolmentPlan(
            students={pk for pk, _s, _g in students},
            windows=windows,
            remove=set(),
            add=windows,
            diff=Diff(added=len(windows)),
        ),
    )
    if not taught:
        return {"instructional_days": len(days), "homerooms": len(classes)}
    # Each student's habit: most rarely absent, a few in every homeroom chronically.
    habit = {
        pk: rng.uniform(0.12, 0.3) if rng.random() < 0.08 else rng.uniform(0.005, 0.05)
        for pk, _s, _g in students
    }
    flu_monday = today - datetime.timedelta(days=today.weekday() + 21)
    flu = {flu_monday + datetime.timedelta(days=d) for d in range(5)}
    spike_school = schools[len(schools) // 2].pk
    records: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    for pk, home_school, _grade in students:
        class_id: int | None = homeroom_of[pk][0]
        for day in taught:
            school_id = home_school
            class_here = class_id
            if pk in moved and day >= moved[pk][1]:
                school_id, class_here = moved[pk][0], None
            risk = habit[pk]
            if day.weekday() in (0, 4):
                risk *= 1.3
            if day in flu:
                risk = risk * 2 + 0.04
            if day == last and school_id == spike_school:
                risk = risk * 2.5 + 0.08
            category = day_category(rng, risk, excused=0.55)
            if category is not None:
                records[(school_id, day)][(pk, category, class_here)] += 1
    events = records_apply(system, records, first=taught[0], last=taught[-1])
    # Submissions: most homerooms on time, a few late teachers; today stands at 08:45.
    own = settings_of(system.pk)
    zone = ZoneInfo(own.time_zone)
    punctual = {c.pk: rng.random() for c in classes}
    submitted: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    count = 0
    for school_class in classes:
        late_teacher = punctual[school_class.pk] < 0.1
        for day in taught:
            if rng.random() < 0.01:
                continue  # never submitted
            if late_teacher and rng.random() < 0.6:
                minutes = rng.randint(9 * 60 + 35, 11 * 60 + 30)
            else:
                minutes = rng.randint(7 * 60 + 45, 9 * 60 + 15)
            if day == last and minutes > 8 * 60 + 45:
                continue  # not yet
            moment = datetime.datetime.combine(
                day, datetime.time(minutes // 60, minutes % 60), tzinfo=zone
            )
            submitted[(school_class.school_id, day)][
                (
                    school_class.pk,
                    moment.astimezone(datetime.UTC),
                    is_on_time(moment, day, own.deadline, zone),
                )
            ] += 1
            count += 1
    submissions_apply(
        actor=None,
        system=system,
        plan=DayPlan(
            covered=set(submitted),
            records=dict(submitted),
            changed_pairs=set(submitted),
            diff=Diff(added=count),
            dates=(taught[0], taught[-1]),
        ),
    )
    # The alerts of the last week of school (sent to no one: the demo's mail goes nowhere):
    # the days before, after their deadline, and the last day as it stands at 08:45 (its
    # deadline still to come, so only absence spikes).
    alerts = 0
    zone = ZoneInfo(settings_of(system.pk).time_zone)
    quiet = get_connection("django.core.mail.backends.dummy.EmailBackend")
    for day in taught[-5:]:
        as_of = datetime.time(8, 45) if day == taught[-1] else datetime.time(17, 0)
        alerts += attendance_alerts_send(
            actor=None,
            system=system,
            day=day,
            now=datetime.datetime.combine(day, as_of, tzinfo=zone),
            mail_connection=quiet,
        ).sent
    return {
        "attendance_alerts": alerts,
        "instructional_days": len(days),
        "homerooms": len(classes),
        "transfers": len(moved),
        "attendance_events": events,
        "submissions": count,
    }


def contact_loggers(system: System, users: Iterable[Any]) -> dict[int, list[Any]]:
    """Who logs each school's family contacts in the demo: of the demo's accounts, those who
    may log contacts there (attendance.students at the school, as `family_contact_log`
    requires), the school's own staff first (an account whose person holds a current
    position at the school: its principal); a school with none of its staff among them has
    its contacts logged by those who may log at every school (the district's attendance
    office: the system administrator). A school nobody may log at has none."""
    accounts = sorted(users, key=lambda u: u.pk)
    schools = list(School.objects.filter(system=system).values_list("pk", flat=True))
    may: dict[int, list[Any]] = defaultdict(list)
    for user in accounts:
        for school_id in student_school_ids(user):
            may[school_id].append(user)
    staff_at: set[tuple[int, int]] = set(
        Position.objects.filter(
            person__account__in=[u.pk for u in accounts],
            school_id__in=schools,
            ends_on__isnull=True,
        ).values_list("person__account", "school_id")
    )
    out: dict[int, list[Any]] = {}
    for school_id in schools:
        own = [u for u in may[school_id] if (u.pk, school_id) in staff_at]
        if own or may[school_id]:
            out[school_id] = own or may[school_id]
    return out


def family_contact_history(
    system: System, *, seed: int, today: datetime.date, users: Iterable[Any] = ()
) -> dict[str, int]:
    """Family contacts after absences, as a school's office would log them: each time a
    student's absences reach a multiple of the system's N (default 3), nearly every family is
    called (or texted, written to, visited) within a few school days, a few never; an
    unanswered call often sets a follow-up, most of them made on their day. The recent ones,
    the forgotten ones and the follow-ups still to make are today's worklist. Each is logged
    by one of `users` who may log the school's contacts (`contact_loggers`)."""
    rng = random.Random(seed * 104729 + 3)
    loggers = contact_loggers(system, users)
    # Its own generator, so that who logged a contact changes none of the contacts made.
    who_rng = random.Random(seed * 104729 + 5)

    def logger_id(school_id: int) -> int | None:
        found = loggers.get(school_id)
        return who_rng.choice(found).pk if found else None

    n = settings_of(system.pk).contact_after_absences
    first = school_year_start(today)
    absences: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for school_id, student_id, day in (
        AttendanceEvent.objects.filter(
            system=system,
            date__gte=first,
            date__lte=today,
            category__in=[str(c) for c in ABSENCES],
        )
        .order_by("school_id", "student_id", "date")
        .values_list("school_id", "student_id", "date")
        .distinct()
        .iterator(chunk_size=20000)
    ):
        absences[(school_id, student_id)].append(day)
    methods = [
        (FamilyContact.Method.CALL, 0.65),
        (FamilyContact.Method.TEXT, 0.2),
        (FamilyContact.Method.LETTER, 0.1),
        (FamilyContact.Method.VISIT, 0.05),
    ]
    outcomes = [
        (FamilyContact.Outcome.REACHED, 0.5),
        (FamilyContact.Outcome.LEFT_MESSAGE, 0.25),
        (FamilyContact.Outcome.NO_ANSWER, 0.17),
        (FamilyContact.Outcome.WRONG_NUMBER, 0.05),
        (FamilyContact.Outcome.OTHER, 0.03),
    ]
    notes = {
        FamilyContact.Outcome.REACHED: [
            "Spoke with a parent: the student was ill.",
            "Family travelling; back next week.",
            "Parent will bring a doctor's note.",
            "Transport problem: referred to the office.",
            "",
        ],
        FamilyContact.Outcome.WRONG_NUMBER: ["Number not in service: ask the office to update it."],
    }

    def pick(weighted: list[tuple[Any, float]]) -> Any:
        roll, total = rng.random(), 0.0
        for value, weight in weighted:
            total += weight
            if roll < total:
                return value
        return weighted[-1][0]

    def weekday(day: datetime.date) -> datetime.date:
        return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)

    # An office that keeps up: nearly every family is contacted within a few school days, and
    # most follow-ups are made on their day; today's worklist holds the last days' new ones, a
    # few forgotten and a few follow-ups still to make (a handful to a few dozen a school).
    contacts: list[FamilyContact] = []
    for (school_id, student_id), days in sorted(absences.items()):
        for k in range(n, len(days) + 1, n):
            if rng.random() < 0.04:
                continue  # forgotten: the worklist keeps them
            due = days[k - 1]
            when = weekday(due + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3])))
            if when > today:
                continue  # not yet: on today's worklist
            outcome = pick(outcomes)
            follow_up = None
            unanswered = (FamilyContact.Outcome.NO_ANSWER, FamilyContact.Outcome.LEFT_MESSAGE)
            if outcome in unanswered and rng.random() < 0.6:
                follow_up = weekday(when + datetime.timedelta(days=rng.choice([1, 2, 3, 7])))
            contacts.append(
                FamilyContact(
                    school_id=school_id,
                    student_id=student_id,
                    contacted_on=when,
                    method=pick(methods),
                    outcome=outcome,
                    note=rng.choice(notes.get(outcome, [""])),
                    follow_up_on=follow_up,
                    logged_by_id=logger_id(school_id),
                )
            )
            if follow_up is not None and follow_up < today and rng.random() < 0.9:
                # The follow-up, made on its day.
                contacts.append(
                    FamilyContact(
                        school_id=school_id,
                        student_id=student_id,
                        contacted_on=follow_up,
                        method=FamilyContact.Method.CALL,
                        outcome=FamilyContact.Outcome.REACHED,
                        note=rng.choice(notes[FamilyContact.Outcome.REACHED]),
                        logged_by_id=logger_id(school_id),
                    )
                )
    family_contacts_bulk_create(actor=None, system=system, contacts=contacts)
    return {"family_contacts": len(contacts)}
