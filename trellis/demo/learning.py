"""The demo's surveys and assessments: three school years of the built-in instruments, given to
the district's staff, with realistic change (issue 11). Pre is each year's beginning-of-year
administration, post its end-of-year one; conditions improve in most schools, problematic
beliefs fall in most, knowledge rises in most teachers (about 12 to 18 points a subject), and
this school year's PD satisfaction survey is open for web answers.

Everything goes through `surveys.services.administration_load`, the write a response file uses.
Deterministic from the seed (its own random stream, so the rest of the demo does not move).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from trellis.orgs.models import School, System
from trellis.people.models import Person, Position, PositionKind
from trellis.surveys.models import Instrument, Item, Measures, Window
from trellis.surveys.services import administration_load, instruments_install

YEARS = 3
RESPONDENTS_PER_SCHOOL = 8
KNOWLEDGE_PEOPLE = 40
SATISFACTION_RESPONDENTS = 30


def _likert(rng: random.Random, mean: float, high: int) -> int:
    return max(1, min(high, round(rng.gauss(mean, 0.7))))


Respondent = tuple[School, Person | None, dict[Item, Decimal]]


def _answers(rng: random.Random, items: list[Item], mean: float, high: int) -> dict[Item, Decimal]:
    out = {}
    for item in items:
        value = _likert(rng, mean, high)
        if item.reverse:
            value = high + 1 - value
        out[item] = Decimal(value)
    return out


def survey_history(system: System, *, seed: int, today: datetime.date) -> dict[str, int]:
    rng = random.Random(f"{seed}-surveys")
    builtins = {i.code: i for i in instruments_install()}
    instruments = {
        measures: next(i for i in builtins.values() if i.measures == measures)
        for measures in (Measures.CONDITIONS, Measures.BELIEFS, Measures.SATISFACTION)
    }
    knowledge: Instrument = next(i for i in builtins.values() if i.measures == Measures.KNOWLEDGE)
    schools = list(School.objects.filter(system=system).order_by("pk"))
    # School years that have ended: the last is the one before today's.
    last = today.year if today.month >= 7 else today.year - 1
    years = list(range(last - YEARS + 1, last + 1))
    teachers = list(
        Position.objects.filter(
            system=system, kind=PositionKind.TEACHER, ends_on__isnull=True, school__isnull=False
        )
        .select_related("person", "school")
        .order_by("pk")[:KNOWLEDGE_PEOPLE]
    )
    counts = {"administrations": 0, "survey answers": 0}

    def load(
        instrument: Instrument,
        window: str,
        year: int,
        respondents: list[Respondent],
        *,
        anonymous: bool,
    ) -> None:
        administration_load(
            actor=None,
            system=system,
            instrument=instrument,
            window=window,
            year=year,
            answers=respondents,
            anonymous=anonymous,
        )
        counts["administrations"] += 1
        counts["survey answers"] += sum(len(r[2]) for r in respondents)

    conditions_items = list(instruments[Measures.CONDITIONS].items.all())
    belief_items = list(instruments[Measures.BELIEFS].items.all())
    satisfaction_items = [
        i for i in instruments[Measures.SATISFACTION].items.all() if i.scale != "text"
    ]
    by_subject: dict[str, list[Item]] = {}
    for item in knowledge.items.order_by("pk"):
        by_subject.setdefault(item.subscale, []).append(item)
    level = {s.pk: rng.uniform(2.1, 2.9) for s in schools}
    belief = {s.pk: rng.uniform(2.2, 3.1) for s in schools}
    for year in years:
        for window in (Window.BOY, Window.EOY):
            conditions: list[Respondent] = []
            beliefs: list[Respondent] = []
            for school in schools:
                for _ in range(RESPONDENTS_PER_SCHOOL):
                    conditions.append(
                        (school, None, _answers(rng, conditions_items, level[school.pk], 4))
                    )
                    beliefs.append(
                        (school, None, _answers(rng, belief_items, belief[school.pk], 4))
                    )
            load(instruments[Measures.CONDITIONS], window, year, conditions, anonymous=True)
            load(instruments[Measures.BELIEFS], window, year, beliefs, anonymous=True)
            if window == Window.BOY:
                # The year's work: most schools' conditions improve and beliefs soften.
                for school in schools:
                    level[school.pk] = min(3.8, level[school.pk] + rng.uniform(-0.1, 0.5))
                    belief[school.pk] = max(1.3, belief[school.pk] - rng.uniform(-0.1, 0.4))
        satisfaction: list[Respondent] = [
            (
                _satisfaction_school(schools, n),
                None,
                _answers(rng, satisfaction_items, rng.uniform(3.2, 4.6), 5),
            )
            for n in range(SATISFACTION_RESPONDENTS)
        ]
        load(instruments[Measures.SATISFACTION], Window.EOY, year, satisfaction, anonymous=True)
        # Knowledge: the same teachers before and after. Per subject each starts with 0 to 3
        # of its items right; by the end most get one more right (a few two), some the same,
        # a few one fewer: about 12 to 18 points gained on average, as in product.md's figures.
        pre: dict[tuple[int, str], int] = {}
        post: dict[tuple[int, str], int] = {}
        for position in teachers:
            for subject in by_subject:
                key = (position.person_id, subject)
                pre[key] = rng.choices((0, 1, 2, 3), weights=(10, 35, 40, 15))[0]
                step = rng.choices((1, 2, 0, -1), weights=GAINS.get(subject.lower(), GAINS["ela"]))[
                    0
                ]
                post[key] = max(0, min(len(by_subject[subject]), pre[key] + step))
        for window, right in ((Window.BOY, pre), (Window.EOY, post)):
            people: list[Respondent] = []
            for position in teachers:
                answers: dict[Item, Decimal] = {}
                for subject, items in by_subject.items():
                    correct = set(rng.sample(items, right[(position.person_id, subject)]))
                    answers.update({item: Decimal(int(item in correct)) for item in items})
                where = position.school
                assert where is not None  # the query takes positions at a school
                people.append((where, position.person, answers))
            load(knowledge, window, year, people, anonymous=False)
    counts.update(open_web_form(system, instruments[Measures.SATISFACTION], today=today))
    return counts


# Knowledge gained per subject: weights of one more item right, two more, the same, one fewer.
GAINS = {"ela": (66, 2, 27, 5), "math": (62, 1, 32, 5)}
# Satisfaction answers come mostly from the schools whose staff attend most PD: the first
# SATISFACTION_SCHOOLS schools give 6 each (their drill-down rows show figures), the rest
# share what remains (withheld, fewer than 5 each, and more than 5 between them).
SATISFACTION_SCHOOLS = 3


def _satisfaction_school(schools: list[School], n: int) -> School:
    leading = min(SATISFACTION_SCHOOLS, len(schools))
    if n < 6 * leading:
        return schools[n // 6]
    rest = schools[leading:] or schools
    return rest[(n - 6 * leading) % len(rest)]


def open_web_form(
    system: System, instrument: Instrument, *, today: datetime.date
) -> dict[str, int]:
    """This school year's middle-of-year PD satisfaction survey, asked of the district's staff
    and open for web answers from a week ago to the end of the school year, so that a demo
    user (`teacher@`, or any staff account) answers it from their home page. No one has
    answered it yet: the impact report still opens on the last year surveyed."""
    from trellis.surveys.services import administration_window_set

    year = today.year + 1 if today.month >= 7 else today.year
    administration = administration_load(
        actor=None,
        system=system,
        instrument=instrument,
        window=Window.MOY,
        year=year,
        answers=[],
        anonymous=True,
    )
    administration_window_set(
        actor=None,
        administration=administration,
        opens_on=today - datetime.timedelta(days=7),
        closes_on=datetime.date(year, 6, 30),
    )
    return {"survey forms open for web answers": 1}


# PD sessions of the last school year ended whose attendees were given the satisfaction survey
# (one of them small: its share is withheld), and the schools whose leadership team rated its
# conditions by consensus (the report marks them).
SURVEYED_SESSIONS = 6
CONSENSUS_SCHOOLS = 3


def session_surveys_and_consensus(
    system: System, *, seed: int, today: datetime.date
) -> dict[str, int]:
    """After the PD history: the satisfaction survey given to the attendees of a few sessions
    of the last school year ended (through surveys.services, as the session page does), with
    most attendees answering, and a few schools' leadership teams' consensus ratings of their
    conditions at the beginning and end of that year."""
    from django.db.models import Count, Q

    from trellis.learning.models import Community, PDSession
    from trellis.surveys.selectors import CONDITIONS_DIMENSIONS
    from trellis.surveys.services import consensus_record, session_survey_create

    rng = random.Random(f"{seed}-session-surveys")
    year = today.year if today.month >= 7 else today.year - 1
    first, last = datetime.date(year - 1, 7, 1), datetime.date(year, 6, 30)
    instrument = next(i for i in instruments_install() if i.measures == Measures.SATISFACTION)
    items = [i for i in instrument.items.all() if i.scale != "text"]
    sessions = list(
        PDSession.objects.filter(
            system=system, starts_at__date__gte=first, starts_at__date__lte=last
        )
        .annotate(came=Count("registrations", filter=Q(registrations__attended_at__isnull=False)))
        .filter(came__gte=2)
        .order_by("-came", "pk")
    )
    # The best attended, and the least attended (fewer than 5 answer: withheld).
    chosen = sessions[: SURVEYED_SESSIONS - 1] + sessions[SURVEYED_SESSIONS - 1 :][-1:]
    counts = {"PD sessions surveyed": 0, "session survey answers": 0, "consensus ratings": 0}
    for session in chosen:
        attendees = [
            r.person
            for r in session.registrations.filter(attended_at__isnull=False)
            .select_related("person")
            .order_by("pk")
        ]
        schools: dict[int, School] = {
            p.person_id: p.school  # type: ignore[misc]
            for p in Position.objects.filter(person__in=attendees, school__isnull=False)
            .select_related("school")
            .order_by("starts_on", "pk")
        }
        day = session.starts_at.date()
        window = (
            Window.BOY
            if 7 <= day.month <= 11
            else Window.MOY
            if day.month in (12, 1, 2)
            else Window.EOY
        )
        session_survey_create(
            actor=None,
            session=session,
            instrument=instrument,
            window=window,
            anonymous=True,
            opens_on=None,
            closes_on=None,
        )
        mean = rng.uniform(3.4, 4.5)
        # Most attendees answer; the smallest session keeps fewer than 5 answers.
        answering = [p for p in attendees if rng.random() < 0.85]
        if session is chosen[-1]:
            answering = answering[:3]
        respondents: list[Respondent] = [
            (schools[p.pk], None, _answers(rng, items, mean, 5))
            for p in answering
            if p.pk in schools
        ]
        administration_load(
            actor=None,
            system=system,
            instrument=instrument,
            window=window,
            year=year,
            answers=respondents,
            anonymous=True,
            session=session,
        )
        counts["PD sessions surveyed"] += 1
        counts["session survey answers"] += sum(len(r[2]) for r in respondents)
    teams = list(
        Community.objects.filter(system=system, kind=Community.Kind.LEADERSHIP).order_by(
            "school_id", "pk"
        )[:CONSENSUS_SCHOOLS]
    )
    for team in teams:
        base = [rng.randint(2, 3) for _ in CONDITIONS_DIMENSIONS]
        for window, values in (
            (Window.BOY, base),
            (Window.EOY, [min(4, v + rng.choice((0, 1, 1))) for v in base]),
        ):
            consensus_record(
                actor=None,
                team=team,
                year=year,
                window=window,
                ratings=dict(zip(CONDITIONS_DIMENSIONS, values, strict=True)),
            )
            counts["consensus ratings"] += len(values)
    return counts


# Team members whose classes are on no roster (they teach no homeroom) for whom the team's
# facilitator reported how many students they teach, in the last school year ended and this one.
REPORTED_MEMBERS = 8


def reported_students_history(system: System, *, seed: int, today: datetime.date) -> dict[str, int]:
    """After the class rosters: for a few members of the teams the program participants led in
    the last school year ended whose classes no roster held that year, the number of students
    their facilitator reported (through learning.services, as the team's page does), so that
    the report's reach includes reported counts and says so."""
    from django.db.models import Q

    from trellis.learning.models import Community, Meeting
    from trellis.learning.services import reported_students_record
    from trellis.programs.models import Participant
    from trellis.rosters.models import Enrollment

    rng = random.Random(f"{seed}-reported-students")
    year = today.year if today.month >= 7 else today.year - 1
    start, end = datetime.date(year - 1, 7, 1), datetime.date(year, 6, 30)
    rostered = (
        Enrollment.objects.filter(system=system, person__isnull=False)
        .filter(Q(begins_on__isnull=True) | Q(begins_on__lte=end))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values("person_id")
    )
    teaching = (
        Position.objects.filter(
            system=system,
            kind__in=(PositionKind.TEACHER, PositionKind.TEACHER_LEADER),
            starts_on__lte=end,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .values("person_id")
    )
    met = Meeting.objects.filter(held_on__gte=start, held_on__lte=end).values("community_id")
    teams = (
        Community.objects.filter(
            system=system,
            pk__in=met,
            facilitator_id__in=Participant.objects.values("person_id"),
        )
        .exclude(kind=Community.Kind.LEADERSHIP)
        .order_by("pk")
    )
    seen: set[int] = set()
    for team in teams:
        members = (
            team.members.exclude(pk__in=rostered)
            .filter(pk__in=teaching)
            .exclude(pk__in=seen)
            .order_by("pk")
        )
        for person in members[:2]:
            if len(seen) >= REPORTED_MEMBERS:
                break
            seen.add(person.pk)
            reported_students_record(
                actor=None,
                community=team,
                person=person,
                school_year=year,
                students=rng.randint(18, 32),
            )
    return {"student counts reported": len(seen)}
