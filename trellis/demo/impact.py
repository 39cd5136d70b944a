"""The demo's data for Guskey's levels 3 and 5 of the impact report (issue 11): progress ratings
of the programs' participants (use of new practice) and the previous school year's attendance
(student outcomes compare this school year with the one before).

- **Practice**: every participant of every cohort is rated by their coach (the coaching
  assignment of the day; the program's facilitator where there is none) on three competencies of
  the program's framework (the district's leadership framework for aspiring principals, the
  teacher-leader competencies for the fellowship) every six weeks or so of the cohort's year,
  up to today and never after they left. Most rise a level over the year, some stay, a few slip.
- **Attendance of the two years before**: the calendars, the SIS's enrolment windows (each
  student at their school) and the absences of the two school years before today's, through the
  attendance import's services (the roll-ups follow), so that the report of the last year
  surveyed and that of this year each compare two years; a little more absence the further
  back, as in schools where the work takes hold. At the demo size only: at district and metro
  size the roll-ups it would rebuild (every year, every school) would weigh on `make bench`,
  which builds those sizes.

Deterministic from the seed (its own random streams: the rest of the demo does not move).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q

from trellis.attendance.services import (
    CalendarPlan,
    Diff,
    EnrolmentPlan,
    calendar_apply,
    enrolments_apply,
)
from trellis.demo.attendance import day_category, records_apply, school_days
from trellis.orgs.models import School, System
from trellis.students.models import Student

# Rating days of a cohort's year (month, day): about every six weeks.
RATING_DAYS = ((9, 25), (11, 10), (1, 12), (3, 2), (4, 20), (6, 1))
COMPETENCIES = 3


def practice_history(system: System, *, seed: int, today: datetime.date) -> dict[str, int]:
    from trellis.accounts.models import User
    from trellis.assignments.models import Assignment
    from trellis.authz.roles import Relationship
    from trellis.frameworks.models import Framework, FrameworkItem, FrameworkVersion
    from trellis.programs.models import Participant, Program
    from trellis.ratings.models import Rating
    from trellis.ratings.services import ratings_record

    rng = random.Random(f"{seed}-practice")
    published = FrameworkVersion.Status.PUBLISHED

    def newest(frameworks: Any) -> FrameworkVersion | None:
        return (
            FrameworkVersion.objects.filter(framework__in=frameworks, status=published)
            .order_by("-number", "-pk")
            .first()
        )

    leadership = newest(
        Framework.objects.filter(system=system, kind=Framework.Kind.LEADERSHIP)
    ) or newest(Framework.objects.filter(system=system))
    teacher_leadership = newest(
        Framework.objects.filter(kind=Framework.Kind.TEACHER_LEADERSHIP)
        .filter(Q(system=system) | Q(system__isnull=True))
        .order_by("system_id")
    )
    accounts = {u.person_id: u for u in User.objects.filter(person__system=system)}
    participants = (
        Participant.objects.filter(person__system=system, cohort__starts_on__lte=today)
        .select_related("person", "cohort", "cohort__program")
        .order_by("cohort__starts_on", "cohort_id", "pk")
    )
    rated = 0
    frames: dict[int, tuple[list[Any], list[Any]]] = {}
    for participant in participants:
        program = participant.cohort.program
        version = (
            teacher_leadership
            if program.kind
            in (Program.Kind.TEACHER_LEADER_FELLOWSHIP, Program.Kind.PARTNER_FELLOWSHIP)
            else leadership
        ) or leadership
        if version is None:
            continue
        if version.pk not in frames:
            items = list(
                FrameworkItem.objects.filter(version=version, descriptors__isnull=False)
                .distinct()
                .order_by("parent__position", "position", "pk")
            )
            frames[version.pk] = (items, list(version.levels.order_by("position")))
        items, levels = frames[version.pk]
        if not items or len(levels) < 2:
            continue
        cohort = participant.cohort
        until = min(d for d in (today, cohort.ends_on, participant.completed_on) if d is not None)
        days = []
        for month, day in RATING_DAYS:
            year = cohort.starts_on.year + (0 if month >= 7 else 1)
            when = datetime.date(year, month, day)
            if cohort.starts_on <= when <= until:
                days.append(when)
        if not days:
            continue
        # The program's focus: three competencies, the same for its cohorts.
        offset = program.pk % max(1, len(items) - COMPETENCIES + 1)
        focus = items[offset : offset + COMPETENCIES]
        # From a level near the bottom; over the year most rise a level, a few slip.
        start = {item.pk: rng.choice([0, 0, 1]) for item in focus}
        drift = {item.pk: rng.choices([1, 0, -1, 2], weights=[55, 27, 10, 8])[0] for item in focus}
        coaching = list(
            Assignment.objects.filter(
                kind=Relationship.COACHING, assignee=participant.person, starts_on__lte=until
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=cohort.starts_on))
            .select_related("supporter")
            .order_by("starts_on", "pk")
        )
        for n, when in enumerate(days):
            share = n / max(1, len(RATING_DAYS) - 1)
            entries = []
            for item in focus:
                step = round(drift[item.pk] * share + rng.choice([0, 0, 0, 0.4, -0.4]))
                position = max(0, min(len(levels) - 1, start[item.pk] + step))
                entries.append((item, levels[position], ""))
            made = ratings_record(
                actor=None,
                subject=participant.person,
                version=version,
                purpose=Rating.Purpose.PROGRESS,
                rated_on=when,
                entries=entries,
            )
            coach = next(
                (
                    a.supporter
                    for a in coaching
                    if a.starts_on <= when and (a.ends_on is None or when <= a.ends_on)
                ),
                None,
            )
            # Written as the command line, naming the coach (or the program) as the rater.
            Rating.objects.filter(pk__in=[r.pk for r in made]).update(
                rater=accounts.get(coach.pk) if coach else None,
                rater_label=coach.full_name if coach else f"{program.name} facilitator",
                rater_kind="coach",
            )
            rated += len(made)
    return {"progress ratings of participants": rated}


def previous_year_attendance(
    system: System, *, seed: int, today: datetime.date, size_name: str = "demo"
) -> dict[str, int]:
    """The attendance of the two school years before today's: the report of the last year
    surveyed and the report of this year each compare a year with the one before."""
    rng = random.Random(f"{seed}-previous-attendance")
    schools = list(School.objects.filter(system=system).order_by("pk"))
    if not schools or size_name != "demo":
        return {}
    students = list(
        Student.objects.filter(system=system, is_active=True)
        .order_by("pk")
        .values_list("pk", "school_id")
    )
    # As this year's habits (demo/attendance.py), somewhat worse: the years before the work.
    habit = {
        pk: (rng.uniform(0.15, 0.35) if rng.random() < 0.12 else rng.uniform(0.008, 0.07))
        for pk, _s in students
    }
    this_start = datetime.date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    events = 0
    for back, worse in ((2, 1.12), (1, 1.0)):
        events += _year_of_attendance(
            system,
            schools,
            students,
            habit,
            rng=rng,
            # A day of that school year: its calendar, drawn as this year's is.
            calendar=school_days(datetime.date(this_start.year - back, 12, 1)),
            worse=worse,
        )
    return {"earlier years' attendance events": events}


def _year_of_attendance(
    system: System,
    schools: list[School],
    students: list[tuple[int, int]],
    habit: dict[int, float],
    *,
    rng: random.Random,
    calendar: list[datetime.date],
    worse: float,
) -> int:
    """One past school year: its calendar, each student's SIS window at their school, and the
    absences and tardies of every instructional day."""
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
    last: datetime.date | None = calendar[-1]
    windows = {(pk, school_id, calendar[0], last) for pk, school_id in students}
    enrolments_apply(
        actor=None,
        system=system,
        plan=EnrolmentPlan(
            students={pk for pk, _s in students},
            windows=windows,
            remove=set(),
            add=windows,
            diff=Diff(added=len(windows)),
        ),
    )
    records: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    for pk, school_id in students:
        for day in calendar:
            risk = habit[pk] * worse * (1.3 if day.weekday() in (0, 4) else 1.0)
            category = day_category(rng, risk, excused=0.5)
            if category is not None:
                records[(school_id, day)][(pk, category, None)] += 1
    return records_apply(system, records, first=calendar[0], last=calendar[-1])
