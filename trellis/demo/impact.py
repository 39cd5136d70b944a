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
from trellis.demo.attendance import HOMEROOM_SIZE, day_category, records_apply, school_days
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


def class_rosters(
    system: System, *, seed: int, today: datetime.date, size_name: str
) -> dict[str, int]:
    """Class rosters (teachers and students in classes) of this school year and the two before,
    so that the impact report's reach counts the students of the teachers on the teacher
    leaders' teams. This year: the homerooms the attendance demo made (demo/attendance.py,
    found by their sourcedIds), each with one of the school's teachers and its students. The
    two years before: that year's homerooms of the same students, with the teachers who taught
    at the school then, soft-deleted with their enrollments as a SIS drops a past year's
    rosters (dated, so that the year's reach still counts them). At the demo size only, like
    the earlier years' attendance: at district and metro size these would be millions of rows
    in `make bench`'s build."""
    from trellis.people.models import Position, PositionKind
    from trellis.rosters.models import Enrollment, SchoolClass
    from trellis.rosters.services import enrollments_bulk_create, school_classes_bulk_create

    if size_name != "demo":
        return {}
    rng = random.Random(f"{seed}-class-rosters")
    schools = list(School.objects.filter(system=system).order_by("pk"))
    students = list(
        Student.objects.filter(system=system, is_active=True)
        .order_by("pk")
        .values_list("pk", "school_id", "grade")
    )
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, school_id, grade in students:
        groups[(school_id, grade)].append(pk)
    this_start = datetime.date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    made: list[Enrollment] = []
    classes = 0
    for back in (2, 1, 0):
        first = datetime.date(this_start.year - back, 7, 1)
        calendar = school_days(datetime.date(first.year, 12, 1))
        begins, ends = calendar[0], calendar[-1]
        teaching = (
            Position.objects.filter(
                system=system,
                kind__in=(PositionKind.TEACHER, PositionKind.TEACHER_LEADER),
                school__isnull=False,
                starts_on__lte=ends,
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=begins))
            .order_by("school_id", "person_id")
            .values_list("school_id", "person_id")
        )
        teachers: dict[int, list[int]] = defaultdict(list)
        for school_id, person_id in teaching:
            if person_id not in teachers[school_id]:
                teachers[school_id].append(person_id)
        for school in schools:
            rng.shuffle(teachers[school.pk])
        homerooms: list[tuple[str, int, str, list[int]]] = []
        for (school_id, grade), pks in sorted(groups.items()):
            for n, i in enumerate(range(0, len(pks), HOMEROOM_SIZE)):
                homerooms.append(
                    (
                        f"hr-{school_id}-{grade or 'x'}-{n + 1}",
                        school_id,
                        grade,
                        pks[i : i + HOMEROOM_SIZE],
                    )
                )
        if back == 0:
            found = dict(
                SchoolClass.objects.filter(
                    system=system, sourced_id__in=[h[0] for h in homerooms]
                ).values_list("sourced_id", "pk")
            )
            ids = [found.get(h[0]) for h in homerooms]
        else:
            label = f"{first.year}-{str(first.year + 1)[2:]}"
            pending = [
                SchoolClass(
                    sourced_id=f"{sid}-{first.year + 1}",
                    title=f"Homeroom {grade or ''} ({label})".replace("  ", " "),
                    class_type=SchoolClass.Kind.HOMEROOM,
                    school_id=school_id,
                    is_active=False,
                )
                for sid, school_id, grade, _pks in homerooms
            ]
            classes += school_classes_bulk_create(actor=None, system=system, classes=pending)
            ids = [c.pk for c in pending]
        active = back == 0
        used: dict[int, int] = defaultdict(int)
        for (sid, school_id, _grade, pks), class_id in zip(homerooms, ids, strict=True):
            if class_id is None:
                continue
            staff = teachers.get(school_id) or []
            tag = f"{sid}-{first.year + 1}"
            if staff:
                teacher = staff[used[school_id] % len(staff)]
                used[school_id] += 1
                made.append(
                    Enrollment(
                        sourced_id=f"enr-{tag}-t",
                        school_class_id=class_id,
                        school_id=school_id,
                        person_id=teacher,
                        role="teacher",
                        is_primary=True,
                        begins_on=begins,
                        ends_on=None if active else ends,
                        is_active=active,
                    )
                )
            made += [
                Enrollment(
                    sourced_id=f"enr-{tag}-{pk}",
                    school_class_id=class_id,
                    school_id=school_id,
                    student_id=pk,
                    role="student",
                    begins_on=begins,
                    ends_on=None if active else ends,
                    is_active=active,
                )
                for pk in pks
            ]
    enrollments_bulk_create(actor=None, system=system, enrollments=made)
    return {"past homerooms": classes, "class enrollments": len(made)}
