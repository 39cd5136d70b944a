"""The demo district's coaching (issue 10): three school years of sessions on the caseloads.

Every coachee of this year gets a coaching assignment reaching back three school years (with
their current coach, where no earlier coach covers those years), and sessions about every two
weeks in term time, each with a protocol, focus competencies from the district's leadership
framework, non-evaluative notes and one or two next steps (mostly the coachee's; older ones
done a week or three later, some left open and carried over). Supervisors hold a walkthrough
with each principal on their caseload about once a month this year. Gaps are realistic: a
coachee in four is not seen for a stretch of six to ten weeks some year, and one in six has not
been seen for the last five to nine weeks (the demo coach's last coachee among them, so "not
seen in N weeks" has names on it). The demo coach's first coachee is seen recently. Coaches
rate progress on each focus when it changes. Its own random stream, so the rest of the demo
does not move with it.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import Q

from trellis.assignments.models import Assignment
from trellis.assignments.services import assignments_bulk_create
from trellis.authz.roles import Relationship
from trellis.coaching.models import Mode, Protocol
from trellis.coaching.services import (
    SessionIn,
    builtin_protocols_install,
    protocol_create,
    sessions_bulk_create,
)
from trellis.frameworks.models import Framework, FrameworkItem, FrameworkVersion

YEARS = 3

NOTES = [
    "Talked through the week's data meeting: what the team noticed and what it skipped.",
    "{name} named the tension between the master schedule and intervention blocks.",
    "Rehearsed the opening of Thursday's staff meeting; {name} wants to lead with student work.",
    "Reflected on the walkthrough: questioning is strong in 4th grade, uneven in 2nd.",
    "Worked on delegating the attendance team to the assistant principal.",
    "{name} is proud of the family night turnout and wants to keep the momentum.",
    "Planned the next round of feedback conversations with two new teachers.",
    "Looked at the reading screener results by classroom; agreed on a focus group.",
    "Talked about time: instructional leadership blocks keep getting eaten by operations.",
    "{name} tried the consultancy protocol with the ILT and wants to refine the timing.",
]
STEPS = [
    "Share the walkthrough look-fors with the ILT",
    "Block two instructional leadership hours on the calendar",
    "Draft the agenda for the next data meeting",
    "Observe two classrooms with the assistant principal",
    "Send the team the article on feedback cycles",
    "Meet the attendance team about the chronic absence list",
    "Try the debrief protocol with one new teacher",
    "Bring three samples of student writing to the next session",
]


def _school_days(start: datetime.date, end: datetime.date, rng: random.Random, every: int) -> list:
    """Session days every `every` days or so, Monday to Thursday, outside July."""
    days = []
    day = start + datetime.timedelta(days=rng.randint(2, every))
    while day <= end:
        if day.month != 7:
            days.append(day - datetime.timedelta(days=day.weekday() % 4))
        day += datetime.timedelta(days=every + rng.randint(-3, 4))
    return [d for d in days if start <= d <= end]


def _focus_items(system: Any) -> list[FrameworkItem]:
    """The competencies (with a rubric) of the leadership framework the system uses: its own
    published one, else the built-in template."""
    candidates = Framework.objects.filter(
        kind=Framework.Kind.LEADERSHIP,
        subject_kind=Framework.Subject.PERSON,
        versions__status=FrameworkVersion.Status.PUBLISHED,
    ).distinct()
    chosen = (
        candidates.filter(system=system).order_by("pk").first()
        or candidates.filter(system__isnull=True).order_by("pk").first()
    )
    if chosen is None:
        return []
    version = (
        chosen.versions.filter(status=FrameworkVersion.Status.PUBLISHED).order_by("-number").first()
    )
    return list(
        FrameworkItem.objects.filter(version=version, descriptors__isnull=False)
        .select_related("version")
        .distinct()
        .order_by("position", "pk")
    )


def coaching_history(system: Any, *, seed: int, today: datetime.date) -> dict[str, int]:
    rng = random.Random(f"{seed}-coaching")
    first_day = datetime.date(today.year - YEARS + (1 if today.month >= 8 else 0), 8, 1)
    library = [
        protocol_create(
            actor=None,
            system=system,
            name="Riverbend instructional rounds",
            description="The district's walkthrough routine, shared by supervisors and coaches.",
            steps="Agree the problem of practice\nVisit three classrooms for ten minutes each\n"
            "Describe, do not judge: what did students do?\nName the next level of work",
        ),
        protocol_create(
            actor=None,
            system=system,
            name="Entry plan check-in",
            description="For principals in their first year: listening, learning, leading.",
            steps="What have you heard?\nWhat have you learned?\nWhat will you lead next?",
        ),
    ]
    protocols = builtin_protocols_install() + library
    items = _focus_items(system)
    current = list(
        Assignment.objects.filter(system=system, kind=Relationship.COACHING)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("supporter", "assignee")
        .order_by("pk")
    )
    # Reach back three school years with the current coach where nothing covers them.
    earliest: dict[int, datetime.date] = {}
    for a in Assignment.objects.filter(system=system, kind=Relationship.COACHING):
        earliest[a.assignee_id] = min(earliest.get(a.assignee_id, a.starts_on), a.starts_on)
    history: dict[int, Assignment] = {}
    for a in current:
        if earliest[a.assignee_id] > first_day and a.assignee_id not in history:
            history[a.assignee_id] = Assignment(
                kind=Relationship.COACHING,
                supporter=a.supporter,
                assignee=a.assignee,
                starts_on=first_day,
                ends_on=earliest[a.assignee_id] - datetime.timedelta(days=1),
            )
    if history:
        assignments_bulk_create(actor=None, system=system, assignments=list(history.values()))
    every_coaching = list(
        Assignment.objects.filter(system=system, kind=Relationship.COACHING, starts_on__lte=today)
        .select_related("supporter", "assignee")
        .order_by("pk")
    )
    supervision = list(
        Assignment.objects.filter(
            system=system, kind=Relationship.SUPERVISION, starts_on__lte=today
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("supporter", "assignee")
        .order_by("pk")
    )
    # Who has not been seen lately: the demo coach's last coachee, and one in six others (never
    # the demo coach's first coachee, who is seen recently); sessions of every kind stop then.
    demo_coach = current[0].supporter_id if current else None
    cut: dict[int, datetime.date] = {}
    for n, a in enumerate(current):
        mine = [c for c in current if c.supporter_id == demo_coach]
        if n == 0 or a.assignee_id in cut:
            continue
        if (a.supporter_id == demo_coach and a is mine[-1]) or rng.random() < 1 / 6:
            cut[a.assignee_id] = today - datetime.timedelta(weeks=rng.randint(5, 9))
    cut.pop(current[0].assignee_id if current else 0, None)
    pending: list[SessionIn] = []
    for assignment in every_coaching:
        start = max(assignment.starts_on, first_day)
        end = min(assignment.ends_on or today, today, cut.get(assignment.assignee_id, today))
        days = _school_days(start, end, rng, 14)
        if rng.random() < 0.25 and len(days) > 8:
            # A stretch without sessions (illness, a crisis at school, a coach's leave).
            gap_from = days[rng.randrange(2, len(days) - 5)]
            gap_to = gap_from + datetime.timedelta(weeks=rng.randint(6, 10))
            days = [d for d in days if not gap_from <= d <= gap_to]
        pending += _sessions(assignment, days, rng, protocols, items, today, Mode.IN_PERSON)
    for assignment in supervision:
        start = max(assignment.starts_on, first_day)
        end = cut.get(assignment.assignee_id, today)
        days = _school_days(start, end, rng, 30)
        pending += _sessions(assignment, days, rng, protocols[-2:], items, today, Mode.WALKTHROUGH)
    made = sessions_bulk_create(actor=None, system=system, sessions=pending) if pending else 0
    rated = _rate_focus(pending, rng)
    return {
        "progress ratings on focus": rated,
        "coaching sessions": made,
        "next steps": sum(len(s.next_steps) for s in pending),
        "protocols": len(library),
    }


def _rate_focus(pending: list[SessionIn], rng: random.Random) -> int:
    """The coach rates progress on the focus competencies at the last session of each focus
    (every sixth session or so), a level that creeps up over the years: the caseload panel's
    "latest ratings on focus competencies"."""
    from trellis.accounts.models import User
    from trellis.frameworks.models import PerformanceLevel
    from trellis.ratings.models import Rating
    from trellis.ratings.services import ratings_record

    accounts = {u.person_id: u for u in User.objects.filter(person__isnull=False)}
    levels_of: dict[int, list[Any]] = {}
    rated = 0
    by_pair: dict[tuple[int, int], list[SessionIn]] = {}
    for s in pending:
        by_pair.setdefault((s.coach.pk, s.coachee.pk), []).append(s)
    for sessions in by_pair.values():
        sessions.sort(key=lambda s: s.held_on)
        for n, s in enumerate(sessions):
            ends_focus = n == len(sessions) - 1 or sessions[n + 1].focus != s.focus
            if not (ends_focus and s.focus):
                continue
            version_id = s.focus[0].version_id
            if version_id not in levels_of:
                levels_of[version_id] = list(
                    PerformanceLevel.objects.filter(version_id=version_id).order_by("position")
                )
            levels = levels_of[version_id]
            if not levels:
                continue
            # From the lowest level towards the one below the top over the three years.
            base = n * (len(levels) - 1) // max(len(sessions), 1)
            entries = [
                (item, levels[min(len(levels) - 1, base + rng.choice([0, 0, 1]))], "")
                for item in s.focus
            ]
            made = ratings_record(
                actor=None,
                subject=s.coachee,
                version=s.focus[0].version,
                purpose=Rating.Purpose.PROGRESS,
                rated_on=s.held_on,
                entries=entries,
            )
            coach_account = accounts.get(s.coach.pk)
            Rating.objects.filter(pk__in=[r.pk for r in made]).update(
                rater=coach_account,
                rater_label=s.coach.full_name,
                rater_kind="supervisor" if s.assignment.kind == "supervision" else "coach",
            )
            rated += len(made)
    return rated


def _sessions(
    assignment: Any,
    days: list[datetime.date],
    rng: random.Random,
    protocols: list[Protocol],
    items: list[FrameworkItem],
    today: datetime.date,
    usual_mode: str,
) -> list[SessionIn]:
    coach, person = assignment.supporter, assignment.assignee
    focus = rng.sample(items, k=min(2, len(items))) if items else []
    found = []
    for n, day in enumerate(days):
        if n % 6 == 0 and items:
            focus = rng.sample(items, k=min(rng.randint(1, 2), len(items)))  # a new focus
        last = n == len(days) - 1
        steps = []
        for k in range(rng.randint(1, 2)):
            owner = person if k == 0 or rng.random() < 0.6 else coach
            due = day + datetime.timedelta(days=rng.choice([7, 14, 21]))
            done: datetime.date | None = None
            # Older steps are nearly all done by now; recent ones are often still open.
            chance = 0.98 if (today - day).days > 90 else 0.8
            if not last and rng.random() < chance:
                done = min(day + datetime.timedelta(days=rng.randint(3, 20)), today)
            steps.append((rng.choice(STEPS), owner, due, done))
        mode = usual_mode if rng.random() < 0.6 else rng.choice(Mode.values)
        found.append(
            SessionIn(
                coach=coach,
                coachee=person,
                assignment=assignment,
                held_on=day,
                minutes=rng.choice([30, 45, 45, 60, 60, 90]),
                mode=mode,
                protocol=rng.choice(protocols) if rng.random() < 0.8 else None,
                focus=focus,
                notes=rng.choice(NOTES).format(name=person.preferred_name or person.given_name),
                next_steps=steps,
            )
        )
    return found
