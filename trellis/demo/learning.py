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
