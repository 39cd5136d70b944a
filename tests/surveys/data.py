"""A small district whose impact figures are worked out by hand (tests/surveys/test_impact.py).

Metro, school year 2017-18 (`--year 2018`). Everything goes in through the commands and the
import pipeline, as a district would load it. Seven schools S1..S7: S6 is rated only at the
beginning of the year, S7 only at the end; S1 and S3 and S4 are exactly at the 3.0 target at
one point. Knowledge: six people with both scores in ELA (P7 has only a pre score, P8 only a
post score), three in math (fewer than 5).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management import call_command

YEAR = 2018


def write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(folder: Path, command: str, name: str, lines: list[str], **options: Any) -> None:
    call_command(command, str(write(folder, name, lines)), **options)


CONDITIONS_ITEMS = [
    "code,text,scale,subscale,reverse",
    "D1a,We have time to plan together.,agree4,Time,0",
    "D1b,Our time together is often cancelled.,agree4,Time,1",
    "D2a,Teacher leaders lead teams.,agree4,Leadership,0",
]
# school -> window -> respondents' answers (D1a, D1b, D2a); D1b is reverse-coded (5 - v).
CONDITIONS = {
    "S1": {"boy": [(3, 2, 3)], "eoy": [(4, 1, 4)]},  # 3.0 (at target exactly) -> 4.0
    "S2": {"boy": [(2, 3, 2)], "eoy": [(2, 3, 3)]},  # 2.0 -> 2.5
    "S3": {"boy": [(3, 2, 4), (1, 4, 2)], "eoy": [(3, 2, 3)]},  # (2+3)/2 = 2.5 -> 3.0
    "S4": {"boy": [(4, 1, 4)], "eoy": [(3, 2, 3)]},  # 4.0 -> 3.0
    "S5": {"boy": [(2, 3, 3)], "eoy": [(2, 3, 3)]},  # 2.5 -> 2.5
    "S6": {"boy": [(1, 4, 1)]},  # 1.0, rated once
    "S7": {"eoy": [(4, 1, 4)]},  # 4.0, rated once
}
BELIEFS_ITEMS = [
    "code,text,scale,subscale,reverse",
    "B1,Some students cannot do grade-level work.,agree4,,0",
    "B2,Struggling students need easier work.,agree4,,0",
    "B3,Every student can reach the standards.,agree4,,1",
]
BELIEFS = {
    "S1": {"boy": (3, 3, 2), "eoy": (2, 2, 3)},  # 3.0 -> 2.0 fell
    "S2": {"boy": (2, 2, 2), "eoy": (2, 2, 3)},  # 7/3 -> 2.0 fell
    "S3": {"boy": (2, 2, 3), "eoy": (2, 2, 3)},  # 2.0 -> 2.0 same
    "S4": {"boy": (1, 1, 4), "eoy": (2, 1, 4)},  # 1.0 -> 4/3 rose
    "S5": {"boy": (3, 4, 1), "eoy": (3, 3, 2)},  # 11/3 -> 3.0 fell
    "S6": {"boy": (1, 1, 1)},  # measured once
}
SATISFACTION_ITEMS = [
    "code,text,scale,subscale,reverse",
    "Q1,The session was relevant.,likert5,,0",
    "Q2,I will use what I learned.,likert5,,0",
    "Q3,What would you change?,text,,0",
]
# (school, Q1, Q2 or None); favourable = 4 or 5. 11 answers, 7 favourable.
SATISFACTION = [
    ("S1", 5, 4),
    ("S1", 3, 4),
    ("S2", 4, 2),
    ("S2", 1, 5),
    ("S3", 4, 4),
    ("S3", 2, None),
]
KNOWLEDGE_ITEMS = [
    "code,text,scale,subscale,reverse",
    "E1,Text-dependent questions.,correct01,ELA,0",
    "E2,Complex text.,correct01,ELA,0",
    "E3,Writing standard.,correct01,ELA,0",
    "E4,Scaffolds.,correct01,ELA,0",
    "M1,Conceptual understanding.,correct01,Math,0",
    "M2,Representations.,correct01,Math,0",
]
# person -> window -> {item: 0/1}; an item left out is unanswered (not correct).
KNOWLEDGE: dict[str, dict[str, dict[str, int]]] = {
    "P1": {  # ELA 25 -> 75; math 0 -> 50
        "boy": {"E1": 1, "E2": 0, "E3": 0, "E4": 0, "M1": 0, "M2": 0},
        "eoy": {"E1": 1, "E2": 1, "E3": 1, "E4": 0, "M1": 1, "M2": 0},
    },
    "P2": {  # ELA 50 -> 50; math 50 -> 100
        "boy": {"E1": 1, "E2": 1, "E3": 0, "E4": 0, "M1": 1, "M2": 0},
        "eoy": {"E1": 0, "E2": 1, "E3": 1, "E4": 0, "M1": 1, "M2": 1},
    },
    "P3": {  # ELA 0 -> 25; math 100 -> 50
        "boy": {"E1": 0, "E2": 0, "E3": 0, "E4": 0, "M1": 1, "M2": 1},
        "eoy": {"E1": 0, "E2": 0, "E3": 1, "E4": 0, "M1": 0, "M2": 1},
    },
    "P4": {  # ELA 75 -> 100; math only pre
        "boy": {"E1": 1, "E2": 1, "E3": 1, "E4": 0, "M1": 1},
        "eoy": {"E1": 1, "E2": 1, "E3": 1, "E4": 1},
    },
    "P5": {  # ELA 50 -> 25
        "boy": {"E1": 1, "E2": 0, "E3": 1, "E4": 0},
        "eoy": {"E1": 0, "E2": 0, "E3": 0, "E4": 1},
    },
    "P6": {  # ELA 25 (three items unanswered) -> 75
        "boy": {"E1": 1},
        "eoy": {"E1": 1, "E2": 1, "E3": 0, "E4": 1},
    },
    "P7": {"boy": {"E1": 1, "E2": 1, "E3": 0, "E4": 0}},  # only a pre score
    "P8": {"eoy": {"E1": 1, "E2": 1, "E3": 1, "E4": 1}},  # only a post score
}
ELA_CHANGES = [50, 0, 25, 25, -25, 50]
HOME = {
    "P1": "S1",
    "P2": "S1",
    "P3": "S2",
    "P4": "S3",
    "P5": "S3",
    "P6": "S4",
    "P7": "S5",
    "P8": "S5",
}


def fellowship_system(code: str, name: str, *, cohort_year: int) -> tuple[Any, Any, Any]:
    """A system with its Teacher Leader Fellowship and the fellowship's cohort of 2017-18
    ("Cohort 2017", August 1, 2017 to June 15, 2018; `cohort_year`, its school year field, as
    each test's district states it)."""
    from trellis.orgs.services import system_create
    from trellis.programs.models import Program
    from trellis.programs.services import cohort_create, program_create

    system = system_create(actor=None, code=code, name=name)
    fellowship = program_create(
        actor=None,
        name="Teacher Leader Fellowship",
        kind=Program.Kind.TEACHER_LEADER_FELLOWSHIP,
        owner_system=system,
        systems=[system],
    )
    cohort = cohort_create(
        actor=None,
        program=fellowship,
        name="Cohort 2017",
        school_year=cohort_year,
        starts_on=datetime.date(2017, 8, 1),
        ends_on=datetime.date(2018, 6, 15),
    )
    return system, fellowship, cohort


def build(folder: Path) -> dict[str, Any]:
    from trellis.orgs.services import school_create
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add, position_end
    from trellis.programs.models import Participant, Program
    from trellis.programs.services import (
        add_participant,
        cohort_create,
        participant_status_set,
        placement_record,
        program_create,
    )

    system, fellowship, cohort = fellowship_system(
        "metro", "Metro Public Schools", cohort_year=2017
    )
    schools = {
        code: school_create(actor=None, system=system, name=f"School {code}", sourced_id=code)
        for code in ("S1", "S2", "S3", "S4", "S5", "S6", "S7")
    }
    start = datetime.date(2015, 7, 1)
    people = {}
    for code, school in HOME.items():
        person = person_create(
            actor=None, system=system, given_name=code, family_name="Teacher", sourced_id=code
        )
        position_add(
            actor=None,
            person=person,
            kind=PositionKind.TEACHER_LEADER,
            school=schools[school],
            starts_on=start,
        )
        people[code] = person

    # Reach: P1..P6 are active teacher-leader fellows in 2017-18 (schools S1, S2, S3, S4).
    for code in ("P1", "P2", "P3", "P4", "P5", "P6"):
        add_participant(actor=None, cohort=cohort, person=people[code])
    # Alumni: A1..A5 placed before the year ended (A1's placement ended in December 2017; A5's
    # ends on the last day of the year, so is current then); A6 is placed only after it.
    principals = program_create(
        actor=None,
        name="Aspiring Principals",
        kind=Program.Kind.ASPIRING_PRINCIPAL,
        owner_system=system,
        systems=[system],
    )
    old = cohort_create(
        actor=None,
        program=principals,
        name="Cohort 2015",
        school_year=2015,
        starts_on=datetime.date(2015, 8, 1),
        ends_on=datetime.date(2016, 6, 15),
    )
    for index, code in enumerate(("A1", "A2", "A3", "A4", "A5", "A6")):
        person = person_create(
            actor=None, system=system, given_name=code, family_name="Alum", sourced_id=code
        )
        participant = add_participant(actor=None, cohort=old, person=person)
        participant_status_set(
            actor=None,
            participant=participant,
            status=Participant.Status.COMPLETED,
            on=datetime.date(2016, 6, 15),
        )
        placed_on = datetime.date(2018, 9, 1) if code == "A6" else datetime.date(2016, 7, 1)
        placement = placement_record(
            actor=None,
            participant=participant,
            role=PositionKind.ASSISTANT_PRINCIPAL,
            school=schools[f"S{index + 1}"],
            starts_on=placed_on,
        )
        if code == "A1":
            position_end(
                actor=None, position=placement.position, ends_on=datetime.date(2017, 12, 31)
            )
        if code == "A5":
            position_end(
                actor=None, position=placement.position, ends_on=datetime.date(2018, 6, 30)
            )

    common = {"system": "metro", "year": YEAR}
    load(
        folder,
        "import_instrument",
        "cond.csv",
        CONDITIONS_ITEMS,
        system="metro",
        code="cond",
        title="Conditions",
        measures="conditions",
    )
    load(
        folder,
        "import_instrument",
        "beliefs.csv",
        BELIEFS_ITEMS,
        system="metro",
        code="beliefs",
        title="Beliefs",
        measures="beliefs",
    )
    load(
        folder,
        "import_instrument",
        "sat.csv",
        SATISFACTION_ITEMS,
        system="metro",
        code="sat",
        title="Satisfaction",
        measures="satisfaction",
    )
    load(
        folder,
        "import_instrument",
        "know.csv",
        KNOWLEDGE_ITEMS,
        system="metro",
        code="know",
        title="Knowledge",
        measures="knowledge",
    )
    for window in ("boy", "eoy"):
        lines = ["respondent,school,item,value"]
        n = 0
        for school, windows in CONDITIONS.items():
            for answers in windows.get(window, []):
                n += 1
                lines += [
                    f"r{n},{school},{item},{v}"
                    for item, v in zip(("D1a", "D1b", "D2a"), answers, strict=True)
                ]
        load(
            folder,
            "import_responses",
            f"cond-{window}.csv",
            lines,
            instrument="cond",
            window=window,
            anonymous=True,
            **common,
        )
        lines = ["respondent,school,item,value"]
        for school, windows in BELIEFS.items():
            if window in windows:
                lines += [
                    f"{school}-x,{school},{item},{v}"
                    for item, v in zip(("B1", "B2", "B3"), windows[window], strict=True)
                ]
        load(
            folder,
            "import_responses",
            f"beliefs-{window}.csv",
            lines,
            instrument="beliefs",
            window=window,
            anonymous=True,
            **common,
        )
        lines = ["respondent,school,item,value"]
        for code, windows in KNOWLEDGE.items():
            for item, v in windows.get(window, {}).items():
                lines.append(f"{code},{HOME[code]},{item},{v}")
        load(
            folder,
            "import_responses",
            f"know-{window}.csv",
            lines,
            instrument="know",
            window=window,
            **common,
        )
    lines = ["respondent,school,item,value"]
    for n, (school, q1, q2) in enumerate(SATISFACTION):
        lines.append(f"s{n},{school},Q1,{q1}")
        if q2 is not None:
            lines.append(f"s{n},{school},Q2,{q2}")
    lines.append('s0,S1,Q3,"More time, please."')
    load(
        folder,
        "import_responses",
        "sat.csv",
        lines,
        instrument="sat",
        window="eoy",
        anonymous=True,
        **common,
    )
    return {"system": system, "schools": schools, "people": people, "fellowship": fellowship}
