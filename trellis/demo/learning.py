"""The demo's surveys and assessments: three school years of the built-in instruments, given to
the district's staff, with realistic change (issue 11). Pre is each year's beginning-of-year
administration, post its end-of-year one; conditions improve in most schools, problematic
beliefs fall in most, knowledge rises by about 12 points in each subject.

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
    knowledge_items = list(knowledge.items.all())
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
                schools[n % len(schools)],
                None,
                _answers(rng, satisfaction_items, rng.uniform(3.2, 4.6), 5),
            )
            for n in range(SATISFACTION_RESPONDENTS)
        ]
        load(instruments[Measures.SATISFACTION], Window.EOY, year, satisfaction, anonymous=True)
        # Knowledge: the same teachers before and after, about 12 points higher after.
        skill = {t.person_id: rng.uniform(0.3, 0.7) for t in teachers}
        for window, gain in ((Window.BOY, 0.0), (Window.EOY, 0.12)):
            people: list[Respondent] = []
            for position in teachers:
                chance = min(0.98, skill[position.person_id] + gain + rng.uniform(-0.08, 0.08))
                answers = {item: Decimal(int(rng.random() < chance)) for item in knowledge_items}
                where = position.school
                assert where is not None  # the query takes positions at a school
                people.append((where, position.person, answers))
            load(knowledge, window, year, people, anonymous=False)
    return counts
