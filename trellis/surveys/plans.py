"""What importing a surveys file would write (read-only): instrument files and response files.

`instrument_plan` compares an instrument file with the instrument of that code (if any);
`responses_plan` checks every row of a response file against the instrument, the system and the
administration's population, and compares it with what the administration holds. Both raise
ImportProblems (by row) and write nothing.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Q

from trellis.imports.registry import ImportProblems
from trellis.orgs.models import School, System
from trellis.people.models import Person
from trellis.programs.models import Participant, Program
from trellis.surveys.files import ItemRow, Problems, parse_value, read_responses
from trellis.surveys.models import (
    Administration,
    Instrument,
    Item,
    Measures,
    Response,
    Submission,
    Window,
)

ITEMS = "items"
SUBMISSIONS = "respondents"
RESPONSES = "answers"


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The school year that ends in `year` (2018: 2017-07-01 to 2018-06-30)."""
    return datetime.date(year - 1, 7, 1), datetime.date(year, 6, 30)


def _problem(reason: str, column: str = "") -> ImportProblems:
    return ImportProblems([{"file": "", "row": None, "column": column, "reason": reason}])


@dataclass
class InstrumentPlan:
    system: System
    code: str
    title: str
    measures: str
    items: list[ItemRow]
    instrument: Instrument | None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    title_changed: bool = False
    # Per changed item, what changed ("text: “old” → “new”"), shown in the preview.
    what_changed: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, int]]:
        return {
            "instruments": {
                "added": int(self.instrument is None),
                "changed": int(self.instrument is not None and self.title_changed),
                "unchanged": int(self.instrument is not None and not self.title_changed),
            },
            ITEMS: {
                "added": len(self.added),
                "changed": len(self.changed),
                "removed": len(self.removed),
                "unchanged": self.unchanged,
            },
        }


def instrument_plan(
    *, system: System, code: str, title: str, measures: str, items: list[ItemRow], name: str
) -> InstrumentPlan:
    problems = Problems(name)
    if not code:
        problems.add(None, "code", "Give the instrument's code (--code).")
    elif len(code) > 60 or not all(c.isalnum() or c in "-_" for c in code):
        problems.add(None, "code", f"'{code}' is not a code: letters, digits, - and _ only.")
    if not title:
        problems.add(None, "title", "Give the instrument's title (--title).")
    if measures not in Measures.values:
        problems.add(None, "measures", f"'{measures}' is not one of {', '.join(Measures.values)}.")
    problems.raise_any()
    instrument = Instrument.objects.filter(system=system, code=code).first()
    builtin = Instrument.objects.filter(system__isnull=True, code=code).first()
    if instrument is None and builtin is not None:
        # A district's copy under a built-in's code would stand beside it in every list and
        # take its place in `import_responses --instrument`.
        problems.add(
            None,
            "code",
            f"'{code}' is the code of the built-in instrument “{builtin.title}”: give your "
            "instrument another code.",
        )
        problems.raise_any()
    plan = InstrumentPlan(system, code, title, measures, items, instrument)
    if instrument is None:
        plan.added = [i.code for i in items]
        return plan
    if instrument.measures != measures:
        problems.add(
            None,
            "measures",
            f"The instrument '{code}' measures {instrument.measures}; it cannot become {measures}.",
        )
    plan.title_changed = instrument.title != title
    existing = {i.code: i for i in instrument.items.all()}
    answered = set(
        Response.objects.filter(item__instrument=instrument)
        .values_list("item__code", flat=True)
        .distinct()
    )
    given = {i.code for i in items}
    for number, row in enumerate(items, start=2):
        old = existing.get(row.code)
        if old is None:
            plan.added.append(row.code)
        elif (old.text, old.scale, old.subscale, old.reverse) == row.key():
            plan.unchanged += 1
        elif old.code in answered and (old.scale, old.reverse) != (row.scale, row.reverse):
            problems.add(
                number,
                "scale",
                f"The item '{row.code}' has answers: its scale and reverse-coding stay as they "
                "are (give the new version another code).",
            )
        else:
            plan.changed.append(row.code)
            plan.what_changed[row.code] = item_changes(old, row)
    for old_code in existing:
        if old_code not in given:
            if old_code in answered:
                problems.add(
                    None,
                    "code",
                    f"The item '{old_code}' has answers and cannot be removed; keep it in "
                    "the file.",
                )
            plan.removed.append(old_code)
    problems.raise_any()
    return plan


def item_changes(old: Item, row: ItemRow) -> list[str]:
    """What a file changes of an item, each as "what: old → new"."""
    out = []
    if old.text != row.text:
        out.append(f"text: “{old.text}” → “{row.text}”")
    if old.scale != row.scale:
        out.append(f"scale: {old.scale} → {row.scale}")
    if old.subscale != row.subscale:
        out.append(f"subscale: “{old.subscale or '(none)'}” → “{row.subscale or '(none)'}”")
    if old.reverse != row.reverse:
        out.append(f"reverse: {int(old.reverse)} → {int(row.reverse)}")
    return out


# --- Response files --------------------------------------------------------------------------


def find_instrument(system: System, code: str) -> Instrument | None:
    """The system's own instrument of that code, else the built-in one."""
    own = Instrument.objects.filter(system=system, code=code).first()
    return own or Instrument.objects.filter(system__isnull=True, code=code).first()


def find_program(system: System, reference: str) -> Program | None:
    """A program serving the system, by id or by its name (case-insensitive)."""
    programs = Program.objects.filter(Q(owner_system=system) | Q(systems=system)).distinct()
    if reference.isdigit():
        return programs.filter(pk=int(reference)).first()
    return programs.filter(name__iexact=reference).first()


@dataclass
class Answer:
    item: Item
    value: Decimal | None
    text: str


@dataclass
class Respondent:
    school: School
    person: Person | None
    answers: dict[int, Answer] = field(default_factory=dict)  # item id -> answer

    def key(self) -> tuple[Any, ...]:
        return (
            self.school.pk,
            tuple(sorted((i, str(a.value), a.text) for i, a in self.answers.items())),
        )


@dataclass
class ResponsesPlan:
    system: System
    instrument: Instrument
    program: Program | None
    window: str
    year: int
    anonymous: bool
    administration: Administration | None
    respondents: list[Respondent]
    summary: dict[str, dict[str, int]] = field(default_factory=dict)


def _population(system: System, program: Program | None, year: int) -> Q:
    if program is None:
        return Q(system=system)
    start, end = year_bounds(year)
    members = Participant.objects.filter(
        cohort__program=program, cohort__starts_on__lte=end, cohort__ends_on__gte=start
    ).values("person_id")
    return Q(pk__in=members)


def responses_plan(
    *,
    system: System,
    path: Path,
    name: str,
    instrument_code: str,
    window: str,
    year_text: str,
    program_ref: str = "",
    anonymous: bool = False,
) -> ResponsesPlan:
    setup = Problems(name)
    instrument = find_instrument(system, instrument_code)
    if instrument is None:
        setup.add(None, "instrument", f"There is no instrument with the code '{instrument_code}'.")
    if window not in Window.values:
        setup.add(None, "window", f"'{window}' is not a window; use boy, moy or eoy.")
    year = int(year_text) if year_text.isdigit() else 0
    if not 1990 <= year <= 2100:
        setup.add(
            None, "year", f"'{year_text}' is not a school year (the year it ends, e.g. 2018)."
        )
    program = None
    if program_ref:
        program = find_program(system, program_ref)
        if program is None:
            setup.add(
                None, "program", f"There is no program '{program_ref}' serving {system.code}."
            )
    setup.raise_any()
    assert instrument is not None
    administration = (
        Administration.objects.filter(
            instrument=instrument,
            system=system,
            program=program,
            school__isnull=True,
            session__isnull=True,
            window=window,
            school_year=year,
        )
        .order_by("pk")
        .first()
    )
    if administration is not None and administration.anonymous != anonymous:
        kind = "anonymous" if administration.anonymous else "identified"
        setup.add(
            None,
            "anonymous",
            f"This administration is {kind}; give --anonymous only for an anonymous one.",
        )
        setup.raise_any()

    rows = read_responses(path, name)
    problems = Problems(name)
    items = {i.code: i for i in instrument.items.all()}
    school_ids = {r["school"] for _n, r in rows if r["school"]}
    schools = {
        s.sourced_id: s for s in School.objects.filter(system=system, sourced_id__in=school_ids)
    }
    people: dict[str, Person] = {}
    members: set[int] = set()
    if not anonymous:
        ids = {r["respondent"] for _n, r in rows if r["respondent"]}
        people = {p.sourced_id: p for p in Person.objects.filter(system=system, sourced_id__in=ids)}
        members = set(
            Person.objects.filter(
                _population(system, program, year), pk__in=[p.pk for p in people.values()]
            ).values_list("pk", flat=True)
        )
    seen: dict[tuple[str, str], int] = {}
    respondents: dict[str, Respondent] = {}
    population = f"the participants of {program.name}" if program else f"{system.code}'s staff"
    for number, row in rows:
        ok = True
        token, school_code, code, raw = row["respondent"], row["school"], row["item"], row["value"]
        if not token:
            problems.add(number, "respondent", "Give the respondent.")
            ok = False
        item = items.get(code)
        if item is None:
            problems.add(
                number, "item", f"The instrument '{instrument.code}' has no item '{code}'."
            )
            ok = False
        school = schools.get(school_code)
        if school is None:
            problems.add(number, "school", f"'{school_code}' is not a school of {system.code}.")
            ok = False
        person = None
        if token and not anonymous:
            person = people.get(token)
            if person is None:
                problems.add(number, "respondent", f"'{token}' is not a person of {system.code}.")
                ok = False
            elif person.pk not in members:
                problems.add(
                    number,
                    "respondent",
                    f"'{token}' is not in this administration's population ({population}).",
                )
                ok = False
        value, text = None, ""
        if item is not None:
            value, text, problem = parse_value(item.scale, raw)
            if problem is None and raw == "":
                problem = "Give the answer."
            if problem:
                problems.add(number, "value", problem)
                ok = False
        if token and code:
            first = seen.get((token, code))
            if first is not None:
                problems.add(
                    number,
                    "item",
                    f"The respondent answered the item '{code}' twice (also on row {first}).",
                )
                ok = False
            else:
                seen[(token, code)] = number
        if not ok:
            continue
        assert item is not None and school is not None
        respondent = respondents.get(token)
        if respondent is None:
            respondent = respondents[token] = Respondent(school=school, person=person)
        elif respondent.school.pk != school.pk:
            problems.add(
                number,
                "school",
                f"The respondent answered for {respondent.school.sourced_id} on an earlier row.",
            )
            continue
        respondent.answers[item.pk] = Answer(item, value, text)
    if not rows:
        problems.add(None, "", "The file holds no answers.")
    problems.raise_any()
    plan = ResponsesPlan(
        system,
        instrument,
        program,
        window,
        year,
        anonymous,
        administration,
        list(respondents.values()),
    )
    plan.summary = compare(plan)
    return plan


def _stored(administration: Administration | None) -> dict[int, Respondent]:
    """The administration's submissions as Respondents, by submission id."""
    if administration is None:
        return {}
    out: dict[int, Respondent] = {}
    answers: dict[int, dict[int, Answer]] = defaultdict(dict)
    for response in Response.objects.filter(
        submission__administration=administration
    ).select_related("item"):
        answers[response.submission_id][response.item_id] = Answer(
            response.item, response.value, response.text
        )
    submissions = administration.submissions.all()
    if administration.anonymous:
        # An anonymous file stands for the answers files gave, not the web form's.
        submissions = submissions.filter(source=Submission.Source.FILE)
    for sub in submissions.select_related("school", "person"):
        out[sub.pk] = Respondent(school=sub.school, person=sub.person, answers=answers[sub.pk])  # type: ignore[arg-type]
    return out


def _normal(value: Decimal | None) -> str:
    return "" if value is None else str(value.normalize())


def _answers_key(r: Respondent) -> tuple[Any, ...]:
    return (
        r.school.pk if r.school else None,
        tuple(sorted((i, _normal(a.value), a.text) for i, a in r.answers.items())),
    )


def compare(plan: ResponsesPlan) -> dict[str, dict[str, int]]:
    stored = _stored(plan.administration)
    subs: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    admin = {
        "added": int(plan.administration is None),
        "unchanged": int(plan.administration is not None),
    }
    if plan.anonymous:
        # The file is the administration's whole set of anonymous answers: matched as multisets.
        old = Counter(_answers_key(r) for r in stored.values())
        new = Counter(_answers_key(r) for r in plan.respondents)
        same = old & new
        subs["unchanged"] = sum(same.values())
        subs["added"] = sum((new - same).values())
        subs["removed"] = sum((old - same).values())
        answers["unchanged"] = sum(len(k[1]) * n for k, n in same.items())
        answers["added"] = sum(len(k[1]) * n for k, n in (new - same).items())
        answers["removed"] = sum(len(k[1]) * n for k, n in (old - same).items())
    else:
        by_person = {r.person.pk: r for r in stored.values() if r.person is not None}
        for r in plan.respondents:
            assert r.person is not None
            before = by_person.get(r.person.pk)
            if before is None:
                subs["added"] += 1
                answers["added"] += len(r.answers)
                continue
            subs["unchanged" if _answers_key(before) == _answers_key(r) else "changed"] += 1
            for item_id, answer in r.answers.items():
                old_answer = before.answers.get(item_id)
                if old_answer is None:
                    answers["added"] += 1
                elif (_normal(old_answer.value), old_answer.text) == (
                    _normal(answer.value),
                    answer.text,
                ):
                    answers["unchanged"] += 1
                else:
                    answers["changed"] += 1
            answers["removed"] += len(set(before.answers) - set(r.answers))
    keys = ("added", "changed", "removed", "unchanged")
    return {
        "administrations": admin,
        SUBMISSIONS: {k: subs[k] for k in keys},
        RESPONSES: {k: answers[k] for k in keys},
    }
