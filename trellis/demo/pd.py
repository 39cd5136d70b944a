"""The demo district's professional learning (issue 11): three school years of PD sessions and
workshops with registrations, waiting lists and attendance; learning communities (a PLC at
every school with inquiry cycles, content-alike teams across the district) with their meetings;
and every school's leadership team with its monthly meetings and decisions.

System-wide workshops run about twice a month in term, each school holds a few of its own a
year, and each program a few for its participants. Popular sessions fill and keep a waiting
list (some people on it get a seat when others cancel); about 85% of those registered attend,
most by the code on their phone, some ticked by the facilitator. Sessions still to come this
year have registrations and no attendance. The demo teacher attended last month's workshop (a
certificate to open) and is registered for the next one. Its own random stream, so the rest of
the demo does not move with it.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from trellis.accounts.models import User
from trellis.frameworks.models import FrameworkItem
from trellis.learning.models import Community, Cycle, Meeting, PDSession, Registration
from trellis.learning.services import CODE_ALPHABET, CODE_LENGTH, history_load
from trellis.orgs.models import School
from trellis.people.models import Position, PositionKind
from trellis.programs.models import Participant, Program

YEARS = 3
TOPICS = [
    "Questioning that gets every student talking",
    "Data meetings that lead to action",
    "Feedback cycles for new teachers",
    "Small-group reading instruction",
    "Culturally responsive classrooms",
    "Math talks in the upper grades",
    "Restorative practices",
    "Writing across the content areas",
    "Leading adult learning",
    "Coaching conversations",
    "Student discourse in science",
    "Family partnerships",
]
PLACES = ["Central office, room 204", "Professional learning center", "Library", "Auditorium"]
FOCI = [
    "Do our questions reach every student?",
    "Which students are not yet reading on grade level, and why?",
    "Does our feedback change what students write?",
    "How do we know small groups are working?",
]
AGENDAS = ["Look at student work", "Review the exit tickets", "Plan the next lesson study"]
DECISIONS = [
    "Adopt the new intervention block schedule.",
    "Call families on the second absence.",
    "Move the data meeting to Thursdays.",
    "Focus walkthroughs on student discourse this month.",
]


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _term_days(rng: random.Random, start: datetime.date, count: int) -> list[datetime.date]:
    days = []
    for _ in range(count):
        day = start + datetime.timedelta(days=rng.randrange(14, 300))
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        days.append(day)
    return sorted(days)


def pd_history(system: Any, *, seed: int, today: datetime.date) -> dict[str, int]:
    rng = random.Random(f"{seed}-pd")
    now = _at(today, 12)
    first_year = today.year - YEARS + (1 if today.month >= 8 else 0)
    items = list(
        FrameworkItem.objects.filter(
            version__framework__system=system,
            version__status="published",
            descriptors__isnull=False,
        )
        .distinct()
        .order_by("pk")[:40]
    )
    current = (
        Position.objects.filter(system=system, school__isnull=False, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("person")
        .order_by("school_id", "pk")
    )
    staff: dict[int, list[Any]] = defaultdict(list)
    by_kind: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for position in current:
        school_id = int(position.school_id or 0)
        staff[school_id].append(position.person)
        by_kind[(school_id, position.kind)].append(position.person)
    # A person holding two positions is one person (dict.fromkeys keeps the first, in order).
    for school_id in list(staff):
        staff[school_id] = list(dict.fromkeys(staff[school_id]))
    for kind_key in list(by_kind):
        by_kind[kind_key] = list(dict.fromkeys(by_kind[kind_key]))
    schools = list(School.objects.filter(system=system, pk__in=list(staff)).order_by("pk"))
    everyone = list(dict.fromkeys(p for s in schools for p in staff[s.pk]))
    if not everyone:
        return {}
    facilitators = list(
        dict.fromkeys(p for s in schools for p in by_kind[(s.pk, PositionKind.TEACHER_LEADER)])
    )
    facilitators = facilitators or everyone
    programs = list(
        Program.objects.filter(Q(owner_system=system) | Q(systems=system)).distinct().order_by("pk")
    )
    participants = {
        program.pk: list(
            dict.fromkeys(
                p.person
                for p in Participant.objects.filter(
                    cohort__program=program, status=Participant.Status.ACTIVE
                ).select_related("person")
            )
        )
        for program in programs
    }
    # The demo teacher account's person, where it has one.
    account = User.objects.filter(email="teacher@riverbend.example", person__isnull=False).first()
    demo_teacher = next((p for p in everyone if account and p.pk == account.person_id), None)

    sessions: list[tuple[PDSession, list[Any], list[Any], list[Registration]]] = []

    def add(title: str, start: datetime.datetime, audience: list[Any], **where: Any) -> None:
        capacity = rng.choice([12, 15, 20, 25, 30])
        session = PDSession(
            system=system,
            title=title,
            description=f"A workshop on {title.lower()}: try it, plan it, bring back evidence.",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=rng.choice([1, 2, 3])),
            place=rng.choice(PLACES),
            online_url="https://meet.example.org/pd" if rng.random() < 0.3 else "",
            capacity=capacity,
            checkin_code=_code(rng),
            **where,
        )
        wanted = min(len(audience), int(capacity * rng.uniform(0.5, 1.3)))
        people = rng.sample(audience, wanted)
        past = session.ends_at < now
        registrations = []
        seated = 0
        # Registered in the order seats are given (the first comes first), never after now: a
        # session weeks ahead had registrations dated in the future, and a real sign-up today
        # went ahead of its waiting list.
        last = min(start - datetime.timedelta(days=rng.randint(1, 3)), now) - datetime.timedelta(
            hours=1
        )
        for k, person in enumerate(people):
            registered_at = last - datetime.timedelta(hours=3 * (len(people) - k))
            # A cancelled seat went to the first person waiting, as the service does it: seats
            # are never free while anyone waits.
            if seated < capacity and rng.random() < 0.06:
                status = "cancelled"
            elif seated < capacity:
                status, seated = "confirmed", seated + 1
            else:
                status = "waitlisted"
            attended = past and status == "confirmed" and rng.random() < 0.85
            registrations.append(
                Registration(
                    person=person,
                    status=status,
                    registered_at=registered_at,
                    attended_at=start + datetime.timedelta(minutes=rng.randint(-10, 15))
                    if attended
                    else None,
                    checked_in_via=(
                        rng.choice(["code", "code", "code", "list"]) if attended else ""
                    ),
                )
            )
        sessions.append(
            (
                session,
                rng.sample(items, min(len(items), rng.randint(1, 3))),
                rng.sample(facilitators, min(2, len(facilitators))),
                registrations,
            )
        )

    for year in range(first_year, first_year + YEARS):
        start = datetime.date(year, 8, 1)
        for n, day in enumerate(_term_days(rng, start, 18)):
            add(TOPICS[(n + year) % len(TOPICS)], _at(day, 16), everyone)
        for school in schools:
            for day in _term_days(rng, start, 2):
                add(
                    f"{school.name}: {rng.choice(TOPICS).lower()}",
                    _at(day, 15),
                    staff[school.pk],
                    school=school,
                )
        for program in programs:
            if participants[program.pk]:
                for day in _term_days(rng, start, 3):
                    add(
                        f"{program.name}: {rng.choice(TOPICS).lower()}",
                        _at(day, 17),
                        participants[program.pk],
                        program=program,
                    )
    if demo_teacher is not None:
        # Last month's workshop, attended; next week's, registered.
        for offset, attended in ((-30, True), (7, False)):
            day = today + datetime.timedelta(days=offset)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
            add(
                TOPICS[offset % len(TOPICS)],
                _at(day, 16),
                [p for p in everyone if p != demo_teacher],
            )
            session, _c, _f, regs = sessions[-1]
            regs.insert(
                0,
                Registration(
                    person=demo_teacher,
                    status="confirmed",
                    registered_at=session.starts_at - datetime.timedelta(days=40),
                    attended_at=session.starts_at if attended else None,
                    checked_in_via="code" if attended else "",
                ),
            )
            confirmed = [r for r in regs if r.status == "confirmed"]
            if len(confirmed) > session.capacity:
                confirmed[-1].status, confirmed[-1].attended_at = "waitlisted", None
                confirmed[-1].checked_in_via = ""

    communities: list[
        tuple[Community, list[Any], list[Cycle], list[tuple[Meeting, list[Any]]]]
    ] = []
    for school in schools:
        teachers = list(
            dict.fromkeys(
                by_kind[(school.pk, PositionKind.TEACHER)]
                + by_kind[(school.pk, PositionKind.TEACHER_LEADER)]
            )
        )
        leaders = by_kind[(school.pk, PositionKind.TEACHER_LEADER)]
        if len(teachers) >= 3:
            facilitator = leaders[0] if leaders else teachers[0]
            members = rng.sample(teachers, min(len(teachers), rng.randint(4, 8)))
            if facilitator not in members:
                members.append(facilitator)
            cycles, meetings = [], []
            for year in range(first_year, first_year + YEARS):
                for half in (0, 1):
                    begin = datetime.date(year, 9, 1) + datetime.timedelta(days=150 * half)
                    cycle = Cycle(
                        focus=rng.choice(FOCI),
                        starts_on=begin,
                        ends_on=begin + datetime.timedelta(days=120),
                    )
                    cycles.append(cycle)
                    for k in range(5):
                        held = begin + datetime.timedelta(days=21 * k + rng.randint(0, 3))
                        if held > today:
                            break
                        meetings.append(
                            (
                                Meeting(
                                    cycle=cycle,
                                    held_on=held,
                                    agenda=rng.choice(AGENDAS),
                                    notes="Shared what we tried; agreed the next step.",
                                ),
                                [m for m in members if rng.random() < 0.85],
                            )
                        )
            communities.append(
                (
                    Community(
                        system=system,
                        school=school,
                        name=f"{school.name} PLC",
                        kind="plc",
                        facilitator=facilitator,
                        description="Grade-level inquiry into student learning.",
                    ),
                    members,
                    cycles,
                    meetings,
                )
            )
        principal = (by_kind[(school.pk, PositionKind.PRINCIPAL)] or [None])[0]
        team = list(
            dict.fromkeys(
                p
                for p in [
                    principal,
                    *by_kind[(school.pk, PositionKind.ASSISTANT_PRINCIPAL)],
                    *leaders[:3],
                ]
                if p is not None
            )
        )
        if team:
            meetings = []
            for year in range(first_year, first_year + YEARS):
                for month in range(10):
                    held = datetime.date(year + (month + 8) // 12, (month + 8) % 12 + 1, 5)
                    held += datetime.timedelta(days=rng.randint(0, 10))
                    if held > today:
                        break
                    meetings.append(
                        (
                            Meeting(
                                held_on=held,
                                agenda="Attendance, walkthrough trends, upcoming PD",
                                decisions=rng.choice(DECISIONS),
                            ),
                            [m for m in team if rng.random() < 0.9],
                        )
                    )
            communities.append(
                (
                    Community(
                        system=system,
                        school=school,
                        name=f"{school.name} leadership team",
                        kind="leadership",
                        facilitator=principal or team[0],
                    ),
                    team,
                    [],
                    meetings,
                )
            )
    for n, topic in enumerate(["ELA", "Math", "Science"]):
        members = rng.sample(facilitators, min(len(facilitators), 10))
        communities.append(
            (
                Community(
                    system=system,
                    name=f"District {topic} content team",
                    kind="content",
                    facilitator=members[0],
                    description=f"Teacher leaders who plan {topic} units together.",
                ),
                members,
                [],
                [
                    (
                        Meeting(
                            held_on=datetime.date(first_year, 9, 15 + n)
                            + datetime.timedelta(days=42 * k),
                            agenda="Unit planning",
                        ),
                        [m for m in members if rng.random() < 0.8],
                    )
                    for k in range(YEARS * 7)
                    if datetime.date(first_year, 9, 15 + n) + datetime.timedelta(days=42 * k)
                    <= today
                ],
            )
        )
    communities += fellows_teams(system, seed=seed, today=today, first_year=first_year)
    _distinct_names([c for c, *_ in communities])
    return history_load(actor=None, system=system, sessions=sessions, communities=communities)


def _distinct_names(communities: list[Community]) -> None:
    """Communities of one name (two fellows of a school leading its 3rd-grade team in the same
    year, schools of one name) told apart by who leads them, then by a number: the walk of
    issue 11 found four of one name in the communities' list."""
    counts = Counter(c.name for c in communities)
    for community in communities:
        if counts[community.name] > 1 and community.facilitator is not None:
            community.name = f"{community.name}, led by {community.facilitator.full_name}"
    seen: Counter[str] = Counter()
    for community in communities:
        seen[community.name] += 1
        if seen[community.name] > 1:
            community.name = f"{community.name} ({seen[community.name]})"


GRADE_TEAMS = ["Kindergarten", "1st grade", "2nd grade", "3rd grade", "4th grade", "5th grade"]


def fellows_teams(
    system: Any, *, seed: int, today: datetime.date, first_year: int
) -> list[tuple[Community, list[Any], list[Cycle], list[tuple[Meeting, list[Any]]]]]:
    """What the teacher-leader fellowship is for: each fellow leads a team of four to six
    colleagues of their school in their fellowship year (an inquiry cycle from September to
    March, a meeting every three weeks up to today, none after they left), so that the impact
    report's reach counts the teachers on the teams its teacher leaders lead (and, through the
    class rosters, their students). Its own random stream: the rest of the demo does not move."""
    rng = random.Random(f"{seed}-pd-fellows")
    fellows = (
        Participant.objects.filter(
            cohort__program__kind__in=(
                Program.Kind.TEACHER_LEADER_FELLOWSHIP,
                Program.Kind.PARTNER_FELLOWSHIP,
            ),
            person__system=system,
            cohort__starts_on__lte=today,
            cohort__ends_on__gte=datetime.date(first_year, 8, 1),
        )
        .select_related("person", "cohort", "cohort__program")
        .order_by("cohort__starts_on", "pk")
    )
    out: list[tuple[Community, list[Any], list[Cycle], list[tuple[Meeting, list[Any]]]]] = []
    for fellow in fellows:
        begin = fellow.cohort.starts_on
        where = (
            Position.objects.filter(
                person=fellow.person, school__isnull=False, starts_on__lte=begin
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=begin))
            .select_related("school")
            .order_by("-starts_on", "pk")
            .first()
        )
        if where is None or where.school is None:
            continue
        colleagues = list(
            dict.fromkeys(
                p.person
                for p in Position.objects.filter(
                    school=where.school,
                    kind__in=(PositionKind.TEACHER, PositionKind.TEACHER_LEADER),
                    starts_on__lte=begin,
                )
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=begin))
                .exclude(person=fellow.person)
                .select_related("person")
                .order_by("person_id")
            )
        )
        if len(colleagues) < 3:
            continue
        members = rng.sample(colleagues, min(len(colleagues), rng.randint(4, 6)))
        year = begin.year if begin.month >= 7 else begin.year - 1
        cycle = Cycle(
            focus=rng.choice(FOCI),
            starts_on=datetime.date(year, 9, 15),
            ends_on=datetime.date(year + 1, 3, 15),
        )
        last = min(today, cycle.ends_on)
        if fellow.status == Participant.Status.WITHDRAWN and fellow.completed_on:
            last = min(last, fellow.completed_on)
        meetings = []
        held = datetime.date(year, 9, 22)
        while held <= last:
            meetings.append(
                (
                    Meeting(
                        cycle=cycle,
                        held_on=held,
                        agenda=rng.choice(AGENDAS),
                        notes="Tried the strategy in every room; brought student work.",
                    ),
                    [fellow.person] + [m for m in members if rng.random() < 0.85],
                )
            )
            held += datetime.timedelta(days=21)
        grade = rng.choice(GRADE_TEAMS)
        out.append(
            (
                Community(
                    system=system,
                    school=where.school,
                    name=f"{where.school.name}: {grade} team ({year}-{str(year + 1)[2:]})",
                    kind="plc",
                    facilitator=fellow.person,
                    description=f"Led by {fellow.person.full_name}, a fellow of "
                    f"{fellow.cohort.program.name}.",
                ),
                members,
                [cycle],
                meetings,
            )
        )
    return out
