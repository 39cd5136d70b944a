"""The fixes after the browser walk of the impact report (issue 11), on the hand-worked
district of tests/surveys/data.py (and the progress ratings of tests/surveys/guskey.py):

- the year list holds every school year with data the report shows (a cohort's year with no
  survey), and a year asked for by the address is the one the selector shows;
- reach counts teacher leaders, the teachers on the teams they lead and those teachers' students
  (hand-computed below);
- satisfaction items are named by their wording, not only their code;
- the administration page says what is shown of an identified assessment (scores, not answers);
- the use-of-practice level drills down to its schools, and to people for viewers who may read
  their progress ratings;
- the knowledge figures the database aggregates equal those of the per-person computation.

Reach, 2017-18 (added here to data.py's district):
  Teacher leaders: P1..P6 (teacher-leader fellows) + Q1 (a partner fellowship's participant
  holding a teacher-leader position) + Q2 (a partner fellow, a teacher, who led a PLC that met
  in the year) = 8. Q3 (a partner fellow who leads nothing) and P7 (a teacher leader in no
  program, leading a team) are not.
  Teams led in the year: P1's S1 PLC (T1..T6, P2 and the principal R1; met 2017-10-05), Q2's
  team (T1, T7; a cycle Sep-Dec 2017). P3's team (T8) last met in 2016: not led this year; P7's
  team (T9) has no leader counted.
  Teachers: T1..T7 and P2 (a teacher leader is a teacher) = 8; R1 (a principal) is not.
  Students: T1 teaches C1 (10 students, N0..N9), T2 teaches C2 (N8..N12: 5, two also in C1);
  in C1 N13's enrollment is soft-deleted and N14's ended in June 2017: 13 distinct students.
"""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.surveys.data import build
from tests.surveys.guskey import add_practice

D = datetime.date


@pytest.fixture
def district(db: Any, tmp_path: Path) -> dict[str, Any]:
    from tests.conftest import make_user
    from trellis.authz.roles import Role

    d = build(tmp_path)
    add_practice(d)
    system = d["system"]
    d["users"] = {
        "admin": make_user(system, "admin@metro.test", Role.SYSTEM_ADMIN, system=system),
        "leader": make_user(system, "leader@metro.test", Role.DISTRICT_LEADER, system=system),
        "analyst": make_user(system, "analyst@metro.test", Role.ANALYST, system=system),
    }
    return d


def client(d: dict[str, Any], key: str) -> Client:
    c = Client()
    c.force_login(d["users"][key])
    return c


def report_json(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="json", stdout=out, **options)
    return json.loads(out.getvalue())


def add_teams(d: dict[str, Any]) -> None:
    from trellis.learning.models import Community
    from trellis.learning.services import community_create, cycle_add, meeting_save
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add
    from trellis.programs.models import Program
    from trellis.programs.services import add_participant, cohort_create, program_create
    from trellis.rosters.models import Enrollment, SchoolClass
    from trellis.students.models import Student

    system, schools, people = d["system"], d["schools"], d["people"]
    s1 = schools["S1"]

    def person(code: str, kind: str) -> Any:
        p = person_create(actor=None, system=system, given_name=code, family_name="Staff")
        position_add(actor=None, person=p, kind=kind, school=s1, starts_on=D(2015, 7, 1))
        return p

    t = {n: person(f"T{n}", PositionKind.TEACHER) for n in range(1, 10)}
    r1 = person("R1", PositionKind.PRINCIPAL)
    q1 = person("Q1", PositionKind.TEACHER_LEADER)
    q2 = person("Q2", PositionKind.TEACHER)
    q3 = person("Q3", PositionKind.TEACHER)
    partner = program_create(
        actor=None,
        name="Partner Fellowship",
        kind=Program.Kind.PARTNER_FELLOWSHIP,
        owner_system=system,
        systems=[system],
    )
    cohort = cohort_create(
        actor=None,
        program=partner,
        name="Partner 2017",
        school_year=2017,
        starts_on=D(2017, 8, 1),
        ends_on=D(2018, 6, 15),
    )
    for p in (q1, q2, q3):
        add_participant(actor=None, cohort=cohort, person=p)

    def team(name: str, leader: Any, members: list[Any]) -> Community:
        return community_create(
            actor=None,
            system=system,
            name=name,
            kind=Community.Kind.PLC,
            school=s1,
            facilitator=leader,
            members=members,
        )

    plc = team("S1 PLC", people["P1"], [*(t[n] for n in range(1, 7)), people["P2"], r1])
    meeting_save(actor=None, community=plc, held_on=D(2017, 10, 5), agenda="Exit tickets")
    q2_team = team("Q2's team", q2, [t[1], t[7]])
    cycle_add(
        actor=None,
        community=q2_team,
        focus="Fractions",
        starts_on=D(2017, 9, 1),
        ends_on=D(2017, 12, 15),
    )
    old = team("P3's old team", people["P3"], [t[8]])
    meeting_save(actor=None, community=old, held_on=D(2016, 10, 5), agenda="Planning")
    p7_team = team("P7's team", people["P7"], [t[9]])
    meeting_save(actor=None, community=p7_team, held_on=D(2017, 10, 5), agenda="Planning")

    students = [
        Student.objects.create(system=system, school=s1, sourced_id=f"N{n}") for n in range(15)
    ]

    def klass(code: str) -> SchoolClass:
        return SchoolClass.objects.create(
            system=system, sourced_id=code, title=code, class_type="scheduled", school=s1
        )

    def enrol(c: SchoolClass, key: str, **member: Any) -> None:
        Enrollment.objects.create(
            system=system, sourced_id=key, school_class=c, school=s1, role="x", **member
        )

    c1, c2 = klass("C1"), klass("C2")
    enrol(c1, "C1-T1", person=t[1])
    enrol(c2, "C2-T2", person=t[2])
    for n in range(10):
        enrol(c1, f"C1-N{n}", student=students[n])
    for n in range(8, 13):
        enrol(c2, f"C2-N{n}", student=students[n])
    Enrollment.objects.create(
        system=system,
        sourced_id="C1-N13",
        school_class=c1,
        school=s1,
        role="student",
        student=students[13],
        is_active=False,
    )
    enrol(c1, "C1-N14", student=students[14], ends_on=D(2017, 6, 1))


def test_reach_counts_teacher_leaders_their_teams_teachers_and_students(
    district: dict[str, Any],
) -> None:
    add_teams(district)
    reach = report_json()["reach"]
    assert reach["teacher_leaders"] == 8
    assert reach["teachers"] == 8
    assert reach["students"] == 13
    assert "teachers_reason" not in reach and "students_reason" not in reach
    definitions = {d["name"]: d["text"] for d in report_json()["definitions"]}
    assert "come later" not in definitions["Reach"]
    assert "learning communities" in definitions["Reach"]


def test_reach_without_teams_counts_none_and_without_a_roster_says_so(
    district: dict[str, Any],
) -> None:
    from trellis.rosters.models import Enrollment

    reach = report_json()["reach"]
    # data.py's fellows lead no team: no teachers, so no students, and no reason to give.
    assert reach["teacher_leaders"] == 6
    assert reach["teachers"] == 0 and reach["students"] == 0
    add_teams(district)
    Enrollment.objects.all().delete()
    reach = report_json()["reach"]
    assert reach["teachers"] == 8
    assert reach["students"] is None
    assert reach["students_reason"] == "no class roster for these teachers (and no reported count)"


def test_the_year_list_holds_every_year_with_data_and_the_year_asked_for(
    district: dict[str, Any],
) -> None:
    from trellis.programs.services import add_participant, cohort_create
    from trellis.surveys.selectors import impact_years

    # A cohort of 2018-19 and 2019-20 with a participant from the system: its years join the
    # list up to today's school year (2018-19 on 1 December 2018), not beyond.
    cohort = cohort_create(
        actor=None,
        program=district["fellowship"],
        name="Cohort 2018",
        school_year=2018,
        starts_on=D(2018, 8, 1),
        ends_on=D(2020, 6, 15),
    )
    add_participant(actor=None, cohort=cohort, person=district["people"]["P7"])
    system = district["system"]
    assert impact_years(system, today=D(2018, 12, 1)) == [2019, 2018, 2016]
    assert impact_years(system, today=D(2021, 1, 1)) == [2020, 2019, 2018, 2016]
    # (2016: the alumni's cohort of 2015-16.)
    # A year asked for by the address is the year the selector shows, even with no data.
    page = client(district, "leader").get("/impact/?system=metro&year=2031").content.decode()
    assert '<option value="2031" selected>2030-31</option>' in page
    assert "Impact report: Metro Public Schools, 2030-31" in page


def test_satisfaction_items_are_named_by_their_wording(district: dict[str, Any]) -> None:
    items = report_json()["satisfaction"]["items"]
    assert items["Q1"] == {"text": "The session was relevant.", "pct_favorable": 50.0}
    page = client(district, "leader").get("/impact/?system=metro&year=2018").content.decode()
    assert "Q1: The session was relevant." in page
    assert "Q2: I will use what I learned." in page


def test_the_administration_page_says_what_is_shown_of_each_kind(
    district: dict[str, Any],
) -> None:
    from trellis.surveys.models import Administration

    c = client(district, "leader")
    knowledge = Administration.objects.get(instrument__code="know", window="boy")
    conditions = Administration.objects.get(instrument__code="cond", window="boy")
    text = c.get(f"/surveys/administrations/{knowledge.pk}/").content.decode()
    assert "Individual answers (what a person answered to an item) are never shown" in text
    assert (
        "each person&#x27;s score per subject" in text or "each person's score per subject" in text
    )
    text = c.get(f"/surveys/administrations/{conditions.pk}/").content.decode()
    assert "Individual answers (what a person answered to an item) are never shown" in text
    assert "score per subject" not in text


def test_practice_drills_down_to_its_schools_with_suppression(
    district: dict[str, Any], settings: Any
) -> None:
    """Rated twice: P1 (+1) and P2 (+1) at S1, P3 (-1) at S2, P4 (+1) and P5 (+1) at S3, P6 (-1)
    at S4: every school has fewer than 5; at a threshold of 2, S1 and S3 show 2, 100.0%, +1.00."""
    c = client(district, "leader")
    report = c.get("/impact/?system=metro&year=2018").content.decode()
    link = "/impact/schools/?system=metro&amp;year=2018&amp;level=practice"
    assert f'href="{link}"' in report
    page = c.get("/impact/schools/?system=metro&year=2018&level=practice").content.decode()
    assert "The schools behind the practice figures" in page
    for school in ("School S1", "School S2", "School S3", "School S4"):
        assert school in page
    assert "100.0%" not in page and page.count("fewer than 5") >= 4
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 2
    rows = c.get("/impact/schools/?system=metro&year=2018&level=practice&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    assert csv[0] == "School,People rated twice,Whose level rose,Mean change (levels)"
    assert "School S1,2,100.0%,+1.00" in csv
    assert "School S2,fewer than 2,—,—" in csv
    assert "School S3,2,100.0%,+1.00" in csv


def test_practice_people_only_for_who_may_read_progress_ratings(
    district: dict[str, Any],
) -> None:
    url = "/impact/people/?system=metro&year=2018&level=practice"
    admin = client(district, "admin")
    rows = admin.get(url + "&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    assert csv[0] == "Person,School,Competency,First level,Last level,Change"

    def rows_of(code: str, competency: str) -> list[str]:
        return [
            line
            for line in csv
            if line.startswith(f'"Teacher, {code}",') and f",{competency}" in line.replace('"', "")
        ]

    # P1 1.A 1 -> 3; P5 1.A 1 -> (4) -> 2; P6 rated once on 1.A: not listed for it.
    (p1,) = rows_of("P1", "1.A")
    assert p1.startswith('"Teacher, P1",School S1,') and p1.endswith(",1.0,3.0,+2.0")
    (p5,) = rows_of("P5", "1.A")
    assert p5.startswith('"Teacher, P5",School S3,') and p5.endswith(",1.0,2.0,+1.0")
    assert rows_of("P6", "1.A") == [] and len(rows_of("P6", "1.B")) == 1
    assert not any("P7" in line for line in csv)  # not a fellow
    page = admin.get(url).content.decode()
    assert "First level" in page and "progress-rating level" in page
    # The report links the administrator to them.
    report = admin.get("/impact/?system=metro&year=2018").content.decode()
    assert 'href="/impact/people/?system=metro&amp;year=2018&amp;level=practice"' in report
    # A district leader may list people's knowledge scores, not their progress ratings: no link,
    # and the page lists no one.
    leader = client(district, "leader")
    report = leader.get("/impact/?system=metro&year=2018").content.decode()
    assert 'href="/impact/people/?system=metro&amp;year=2018&amp;level=practice"' not in report
    assert 'href="/impact/people/?system=metro&amp;year=2018&amp;level=knowledge"' in report
    page = leader.get(url).content.decode()
    assert leader.get(url).status_code == 200
    assert "Teacher, P1" not in page and "No one whose results you may see" in page
    # An analyst: figures only.
    assert client(district, "analyst").get(url).status_code == 403


def test_knowledge_aggregated_in_the_database_equals_the_per_person_computation(
    district: dict[str, Any],
) -> None:
    from trellis.surveys.impact import Scope, growth, knowledge, knowledge_changes

    scope = Scope(district["system"], 2018)
    by_person = {
        subject.lower(): {"name": subject, **growth([c for _p, c, _s in rows])}
        for subject, rows in knowledge_changes(scope).items()
    }
    assert knowledge(scope) == by_person
    assert knowledge(scope)["ela"]["mean_change"] == 20.83


def test_practice_schools_keep_complementary_suppression(
    district: dict[str, Any], settings: Any
) -> None:
    """At a threshold of 2, with P6 moved to S3: S1 (P1, P2) 2, S2 (P3) 1, S3 (P4, P5, P6) 3.
    S2 alone is withheld, and the report's total (6 people rated twice) less the shown schools
    would give it back: the smallest shown school, S1, is withheld too. S3: P4 +1, P5 +1, P6 -1:
    2 of 3 rose (66.7%), mean +0.33."""
    from trellis.people.models import Position

    Position.objects.filter(person=district["people"]["P6"]).update(
        school=district["schools"]["S3"]
    )
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 2
    c = client(district, "leader")
    rows = c.get("/impact/schools/?system=metro&year=2018&level=practice&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    assert "School S1,not shown,—,—" in csv
    assert "School S2,fewer than 2,—,—" in csv
    assert "School S3,3,66.7%,+0.33" in csv
