"""Differentiated support (issue 10): tiers by ordered rules (first match wins), and planned
versus delivered coaching dosage matching the logged sessions exactly on a hand-computed data set
(three schools in two networks, three tiers, a month boundary, a coachee who moved school, a
session by a coach with no assignment, sessions outside the period), through the page, the
export and the API."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.conftest import START, make_user
from trellis.authz.roles import Relationship, Role
from trellis.coaching import selectors
from trellis.coaching.models import RuleField, RuleOperator, TierRule
from trellis.coaching.services import (
    SessionIn,
    need_flag_create,
    need_profile_save,
    sessions_bulk_create,
    support_tier_save,
    tier_rule_add,
)

D = datetime.date


@pytest.fixture
def hill(db: Any) -> dict[str, Any]:
    """Hillcrest: East (Ash, Birch) and West (Cedar).

    Tiers: Intensive 6 h/month (rule 1: band at most 1), Targeted 4 (rule 2: flag "New
    principal"), Intensive again by rule 3 (attendance below 90), Universal 2 (the default).
    Ash: band 1 → Intensive (rule 1). Birch: band 2, the flag, attendance 85 → Targeted (rule 2
    matches first; rule 3 would give Intensive). Cedar: band 4 → Universal (default). All set up
    on Jan 1, 2025, when the tier history starts.
    """
    from trellis.assignments.services import assignment_create
    from trellis.orgs.services import network_create, school_create, system_create
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add

    system = system_create(actor=None, code="hillcrest", name="Hillcrest Schools")
    east = network_create(actor=None, system=system, name="East", code="east")
    west = network_create(actor=None, system=system, name="West", code="west")
    ash = school_create(actor=None, system=system, name="Ash", network=east)
    birch = school_create(actor=None, system=system, name="Birch", network=east)
    cedar = school_create(actor=None, system=system, name="Cedar", network=west)

    def person(given: str) -> Any:
        return person_create(
            actor=None,
            system=system,
            given_name=given,
            family_name="Hill",
            email=f"{given.lower()}@hill.example",
        )

    pa, pb, pc, ta, mover = (person(n) for n in ("Pat", "Bea", "Cal", "Tia", "Max"))
    coach, loose, vic, wes = (person(n) for n in ("Kim", "Uma", "Vic", "Wes"))
    position_add(actor=None, person=pa, kind=PositionKind.PRINCIPAL, school=ash, starts_on=START)
    position_add(actor=None, person=pb, kind=PositionKind.PRINCIPAL, school=birch, starts_on=START)
    position_add(actor=None, person=pc, kind=PositionKind.PRINCIPAL, school=cedar, starts_on=START)
    position_add(actor=None, person=ta, kind=PositionKind.TEACHER, school=ash, starts_on=START)
    position_add(
        actor=None,
        person=mover,
        kind=PositionKind.TEACHER,
        school=ash,
        starts_on=START,
        ends_on=D(2025, 3, 31),
    )
    position_add(
        actor=None, person=mover, kind=PositionKind.TEACHER, school=cedar, starts_on=D(2025, 4, 1)
    )
    for who in (pa, pb, pc, ta, mover):
        assignment_create(
            actor=None, kind=Relationship.COACHING, supporter=coach, assignee=who, starts_on=START
        )
    for sup, who in ((vic, pa), (vic, pb), (wes, pc)):
        assignment_create(
            actor=None,
            kind=Relationship.SUPERVISION,
            supporter=sup,
            assignee=who,
            starts_on=START,
        )
    # The district set up its tiers, rules and profiles on Jan 1, 2025: the tier history starts
    # then (planned dosage is read from the tiers in force each month).
    with time_machine.travel(datetime.datetime(2025, 1, 1, 12, 0), tick=False):
        intensive = support_tier_save(
            actor=None,
            system=system,
            name="Intensive",
            hours_per_month=Decimal(6),
            is_default=False,
        )
        targeted = support_tier_save(
            actor=None, system=system, name="Targeted", hours_per_month=Decimal(4), is_default=False
        )
        support_tier_save(
            actor=None, system=system, name="Universal", hours_per_month=Decimal(2), is_default=True
        )
        new_principal = need_flag_create(actor=None, system=system, name="New principal")
        tier_rule_add(
            actor=None,
            system=system,
            field=RuleField.PERFORMANCE_BAND,
            operator=RuleOperator.LTE,
            value=Decimal(1),
            tier=intensive,
        )
        tier_rule_add(
            actor=None,
            system=system,
            field=RuleField.FLAG,
            operator=RuleOperator.HAS,
            flag=new_principal,
            tier=targeted,
        )
        tier_rule_add(
            actor=None,
            system=system,
            field=RuleField.ATTENDANCE_RATE,
            operator=RuleOperator.LT,
            value=Decimal(90),
            tier=intensive,
        )
        need_profile_save(actor=None, school=ash, performance_band=1)
        need_profile_save(
            actor=None,
            school=birch,
            performance_band=2,
            attendance_rate=Decimal(85),
            flags=[new_principal],
        )
        need_profile_save(actor=None, school=cedar, performance_band=4)

    def s(coachee: Any, day: datetime.date, minutes: int, by: Any = coach) -> SessionIn:
        return SessionIn(
            coach=by,
            coachee=coachee,
            assignment=None,
            held_on=day,
            minutes=minutes,
            mode="in_person",
            protocol=None,
            focus=[],
            notes="",
            next_steps=[],
        )

    sessions_bulk_create(
        actor=None,
        system=system,
        sessions=[
            s(pa, D(2025, 3, 10), 60),
            s(pa, D(2025, 3, 31), 45),  # the last day of March
            s(pa, D(2025, 4, 1), 30),  # the first day of April
            s(ta, D(2025, 4, 15), 90),
            s(mover, D(2025, 3, 20), 40),  # at Ash that day
            s(mover, D(2025, 4, 2), 50),  # at Cedar that day
            s(pb, D(2025, 4, 10), 120, by=loose),  # Uma coaches no one: counts all the same
            s(pa, D(2025, 2, 28), 100),  # before the period
            s(pb, D(2025, 5, 1), 100),  # after it
        ],
    )
    leader = make_user(system, "leader@hill.example", Role.DISTRICT_LEADER, system=system)
    client = Client()
    client.force_login(leader)
    return {
        "system": system,
        "client": client,
        "ash": ash,
        "birch": birch,
        "cedar": cedar,
        "leader": leader,
    }


def export_lines(client: Client, url: str) -> list[list[str]]:
    response = client.get(url + "&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))[1:]


def table(client: Client, url: str) -> dict[str, list[str]]:
    """The export's rows by label, without its last line, the total."""
    return {
        row[0]: row[1:] for row in export_lines(client, url) if row[0] != selectors.DOSAGE_TOTAL
    }


def test_tiers_follow_the_first_matching_rule(hill: dict[str, Any]) -> None:
    supports = selectors.school_supports([hill["ash"], hill["birch"], hill["cedar"]])
    ash, birch, cedar = (supports[hill[k].pk] for k in ("ash", "birch", "cedar"))
    assert (ash.tier.name, ash.rule.position) == ("Intensive", 1)
    # Birch matches rules 2 and 3: the first wins.
    assert (birch.tier.name, birch.rule.position) == ("Targeted", 2)
    assert cedar.tier.name == "Universal" and cedar.rule is None
    # Reordering the rules changes the answer: rule 3 moved to the top gives Birch Intensive.
    from trellis.coaching.services import tier_rule_move

    third = TierRule.objects.get(system=hill["system"], position=3)
    tier_rule_move(actor=None, rule=third, up=True)
    tier_rule_move(actor=None, rule=TierRule.objects.get(pk=third.pk), up=True)
    birch = selectors.school_supports([hill["birch"]])[hill["birch"].pk]
    assert birch.tier.name == "Intensive" and birch.rule.pk == third.pk


def test_a_profile_without_the_figure_does_not_match_and_gets_the_default(
    hill: dict[str, Any],
) -> None:
    from trellis.orgs.services import school_create

    bare = school_create(actor=None, system=hill["system"], name="Bare")
    assert selectors.school_supports([bare])[bare.pk].tier.name == "Universal"


def test_dosage_per_school_matches_the_logged_sessions(hill: dict[str, Any]) -> None:
    client = hill["client"]
    url = "/coaching/dosage/?from=2025-03-01&to=2025-04-30&by=school"
    page = client.get(url)
    assert page.status_code == 200
    assert "Delivered" in page.content.decode()
    rows = table(client, url)
    # Planned: 2 months x tier. Delivered: Ash 60+45+30+90+40 = 265 min; Birch 120; Cedar 50.
    # Numbers are written as numbers (no formula guard on a negative number: it is no formula).
    assert rows["Ash"][:5] == ["1", "12.0", "4.4", "-7.6", "37"]
    assert rows["Birch"][:5] == ["1", "8.0", "2.0", "-6.0", "25"]
    assert rows["Cedar"][:5] == ["1", "4.0", "0.8", "-3.2", "20"]
    # In the workbook they are numeric cells a spreadsheet sums.
    from openpyxl import load_workbook

    book = client.get(url + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(book.content)).active
    ash = next(r for r in sheet.values if r[0] == "Ash")
    assert list(ash[1:6]) == [1, 12, 4.4, -7.6, 37]
    assert all(isinstance(v, int | float) for v in ash[1:6])
    assert rows["Ash"][5:] == ["East", "Intensive"]
    # March alone: Ash 60+45+40 = 145 min (the session of April 1 is April's).
    march = table(client, "/coaching/dosage/?from=2025-03-01&to=2025-03-31&by=school")
    assert march["Ash"][1:3] == ["6.0", "2.4"]
    assert march["Birch"][1:3] == ["4.0", "0.0"]
    assert march["Cedar"][1:3] == ["2.0", "0.0"]


def test_dosage_per_network_and_supervisor(hill: dict[str, Any]) -> None:
    client = hill["client"]
    by_network = table(client, "/coaching/dosage/?from=2025-03-01&to=2025-04-30&by=network")
    # East: Ash + Birch, 265 + 120 = 385 min = 6.4 h; West: Cedar.
    assert by_network["East"][:3] == ["2", "20.0", "6.4"]
    assert by_network["West"][:3] == ["1", "4.0", "0.8"]
    by_sup = table(client, "/coaching/dosage/?from=2025-03-01&to=2025-04-30&by=supervisor")
    assert by_sup["Vic Hill"][:3] == ["2", "20.0", "6.4"]
    assert by_sup["Wes Hill"][:3] == ["1", "4.0", "0.8"]
    api = client.get("/api/v1/coaching/dosage?from=2025-03-01&to=2025-04-30&by=network")
    assert api.status_code == 200
    got = {r["label"]: (r["planned_hours"], r["delivered_hours"]) for r in api.json()["rows"]}
    assert got == {"East": ("20.0", "6.4"), "West": ("4.0", "0.8")}


def test_the_page_states_the_definitions(hill: dict[str, Any]) -> None:
    text = hill["client"].get("/coaching/dosage/?from=2025-03-01&to=2025-04-30").content.decode()
    assert "whose coachee held a position at the school on the session" in text
    assert "whoever the coach" in text


def test_the_export_guard_applies_to_text_only() -> None:
    from trellis.core.exports import cell

    assert cell(Decimal("-1.2")) == Decimal("-1.2")
    assert cell(-3) == -3 and cell(-0.5) == -0.5
    assert cell("-1+2") == "'-1+2" and cell("=SUM(A1)") == "'=SUM(A1)"
    assert cell(Decimal("NaN")) == "NaN"


def test_a_supervisor_row_is_the_whole_caseload_whoever_looks(hill: dict[str, Any]) -> None:
    """Wes (a supervisor granted the West network) also supervises Ada, an assistant principal
    of Ash in East: his row counts Cedar and Ash for himself and for the district leader alike.
    Vic (granted East) reads his own row but not Wes's, whose caseload reaches Cedar in West;
    nor Wes Vic's."""
    from trellis.assignments.services import assignment_create
    from trellis.people.models import Person, PositionKind
    from trellis.people.services import person_create, position_add

    def who(given: str) -> Any:
        return Person.objects.get(email=f"{given.lower()}@hill.example")

    ada = person_create(
        actor=None, system=hill["system"], given_name="Ada", family_name="Hill", email=""
    )
    position_add(
        actor=None,
        person=ada,
        kind=PositionKind.ASSISTANT_PRINCIPAL,
        school=hill["ash"],
        starts_on=START,
    )
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=who("Wes"),
        assignee=ada,
        starts_on=START,
    )
    url = "/coaching/dosage/?from=2025-03-01&to=2025-04-30&by=supervisor"
    # Wes: Cedar (Universal, 2 h x 2 months = 4.0; 50 min) + Ash (Intensive, 6 x 2 = 12.0;
    # 265 min) = 16.0 planned, 315 min = 5.25 h, shown to the tenth as 5.2 (half to even).
    wes_row = ["2", "16.0", "5.2", "-10.8", "32"]
    # Vic: Ash + Birch = 12.0 + 8.0 = 20.0 planned; 265 + 120 = 385 min = 6.4 h.
    vic_row = ["2", "20.0", "6.4", "-13.6", "32"]
    leader = table(hill["client"], url)
    assert leader["Wes Hill"] == wes_row and leader["Vic Hill"] == vic_row

    system = hill["system"]
    clients = {}
    for given, school in (("Wes", "cedar"), ("Vic", "ash")):
        user = make_user(
            system,
            f"{given.lower()}-user@hill.example",
            Role.SUPERVISOR,
            person=who(given),
            network=hill[school].network,
        )
        clients[given] = Client()
        clients[given].force_login(user)
    assert table(clients["Wes"], url) == {"Wes Hill": wes_row}
    assert table(clients["Vic"], url) == {"Vic Hill": vic_row}
    page = clients["Vic"].get(url).content.decode()
    assert "1 supervisor is not shown" in page
    # Wes reads his caseload's schools (Ash too), not the rest of East (Birch).
    schools = table(clients["Wes"], "/coaching/dosage/?from=2025-03-01&to=2025-04-30&by=school")
    assert sorted(schools) == ["Ash", "Cedar"]


# -- Tier history: planned dosage from the tier in force each month ------------------------------


def test_planned_dosage_follows_the_tier_in_force_each_month(hill: dict[str, Any]) -> None:
    """Cedar moves from Universal (2 h a month) to Intensive (6) on April 16, 2025, when its band
    is entered as 1. March and April: March 2.0; April, 30 days, 15 at each tier: 2 x 15/30 +
    6 x 15/30 = 1.0 + 3.0 = 4.0; so 6.0 planned (before the history: 4.0, today's tier for both
    months would have said 12.0). Later, Intensive's hours go up to 10 (June 1): March and April
    do not change."""
    from trellis.coaching.models import SchoolTierPeriod
    from trellis.core.models import AuditEvent

    client = hill["client"]
    url = "/coaching/dosage/?from=2025-03-01&to=2025-04-30"
    with time_machine.travel(datetime.datetime(2025, 4, 16, 9, 0), tick=False):
        need_profile_save(actor=None, school=hill["cedar"], performance_band=1)
    periods = list(
        SchoolTierPeriod.objects.filter(school=hill["cedar"]).values_list(
            "tier_name", "hours_per_month", "starts_on", "ends_on"
        )
    )
    assert periods == [
        ("Universal", Decimal("2.0"), D(2025, 1, 1), D(2025, 4, 15)),
        ("Intensive", Decimal("6.0"), D(2025, 4, 16), None),
    ]
    event = AuditEvent.objects.filter(action="coaching.tier_history").latest("pk")
    assert event.after == {
        "from": "2025-04-16",
        "cause": "need profile",
        "schools": {str(hill["cedar"].pk): ["Universal (2.0 h)", "Intensive (6.0 h)"]},
    }
    rows = table(client, url + "&by=school")
    assert rows["Cedar"][:5] == ["1", "6.0", "0.8", "-5.2", "13"]
    assert rows["Cedar"][5:] == ["West", "Universal → Intensive"]
    assert table(client, url.replace("04-30", "03-31") + "&by=school")["Cedar"][1] == "2.0"
    april = table(client, "/coaching/dosage/?from=2025-04-01&to=2025-04-30&by=school")
    assert april["Cedar"][1] == "4.0"
    assert table(client, url + "&by=network")["West"][:3] == ["1", "6.0", "0.8"]
    # The tier filter finds a school by any tier in force over the period.
    intensive = selectors.support_tiers({hill["system"].pk}).get(name="Intensive")
    assert "Cedar" in table(client, url + f"&by=school&tier={intensive.pk}")
    # A tier's hours changed later leave the months before alone.
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, 0), tick=False):
        support_tier_save(
            actor=None,
            system=hill["system"],
            name="Intensive",
            hours_per_month=Decimal(10),
            is_default=False,
            tier=intensive,
        )
    rows = table(client, url + "&by=school")
    assert rows["Ash"][:2] == ["1", "12.0"] and rows["Cedar"][:2] == ["1", "6.0"]
    june = table(client, "/coaching/dosage/?from=2025-06-01&to=2025-06-30&by=school")
    assert june["Ash"][1] == "10.0" and june["Cedar"][1] == "10.0"


def test_a_change_and_its_correction_on_the_same_day_keep_one_period(hill: dict[str, Any]) -> None:
    from trellis.coaching.models import SchoolTierPeriod

    with time_machine.travel(datetime.datetime(2025, 5, 5, 9, 0), tick=False):
        need_profile_save(actor=None, school=hill["cedar"], performance_band=1)
        need_profile_save(actor=None, school=hill["cedar"], performance_band=4)
    periods = list(
        SchoolTierPeriod.objects.filter(school=hill["cedar"]).values_list(
            "tier_name", "starts_on", "ends_on"
        )
    )
    # Intensive for a few minutes is corrected in place, never in force a whole day: back to
    # Universal, the period in force before goes on.
    assert periods == [("Universal", D(2025, 1, 1), None)]


def test_existing_tiers_are_backfilled_from_their_creation(hill: dict[str, Any]) -> None:
    """The migration's backfill: each school's tier today, from the later of its tier's and its
    profile's creation dates."""
    import importlib

    from django.apps import apps

    from trellis.coaching.models import SchoolNeedProfile, SchoolTierPeriod

    migration = importlib.import_module("trellis.coaching.migrations.0006_backfill_tier_history")
    SchoolTierPeriod.objects.all().delete()
    SchoolNeedProfile.objects.filter(school=hill["birch"]).update(
        created_at=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
        attendance_source="",
        attendance_as_of=None,
    )
    migration.backfill(apps, None)
    found = {
        p.school_id: (p.tier_name, p.starts_on, p.ends_on)
        for p in SchoolTierPeriod.objects.filter(system=hill["system"])
    }
    assert found == {
        hill["ash"].pk: ("Intensive", D(2025, 1, 1), None),
        hill["birch"].pk: ("Targeted", D(2025, 2, 1), None),
        hill["cedar"].pk: ("Universal", D(2025, 1, 1), None),
    }
    birch = SchoolNeedProfile.objects.get(school=hill["birch"])
    assert birch.attendance_source == "entered"  # the figure on it was entered by hand


# -- The three groupings reconcile; one rounding; the period stops at today (walk, coach3) --------


def _dogwood(hill: dict[str, Any], minutes: int) -> Any:
    """Dogwood (West), whose principal Dee no one supervises, coached `minutes` on Apr 3, 2025."""
    from trellis.orgs.services import school_create
    from trellis.people.models import Person, PositionKind
    from trellis.people.services import person_create, position_add

    system = hill["system"]
    west = hill["cedar"].network
    dogwood = school_create(actor=None, system=system, name="Dogwood", network=west)
    dee = person_create(
        actor=None, system=system, given_name="Dee", family_name="Hill", email="dee@hill.example"
    )
    position_add(
        actor=None, person=dee, kind=PositionKind.PRINCIPAL, school=dogwood, starts_on=START
    )
    sessions_bulk_create(
        actor=None,
        system=system,
        sessions=[
            SessionIn(
                coach=Person.objects.get(email="kim@hill.example"),
                coachee=dee,
                assignment=None,
                held_on=D(2025, 4, 3),
                minutes=minutes,
                mode="in_person",
                protocol=None,
                focus=[],
                notes="",
                next_steps=[],
            )
        ],
    )
    return dogwood


def test_per_supervisor_rows_include_the_schools_of_no_supervisor_and_add_up(
    hill: dict[str, Any],
) -> None:
    """Per school, per network and per supervisor give the same total; the supervisors' rows and
    "(no supervisor)" (Dogwood: Dee has no supervisor) add up to it, on the page, in the export
    and in the API."""
    _dogwood(hill, 15)
    client = hill["client"]
    url = "/coaching/dosage/?from=2025-03-01&to=2025-04-30"
    totals = {}
    for by in ("school", "network", "supervisor"):
        lines = export_lines(client, f"{url}&by={by}")
        *rows, total = lines
        assert total[0] == selectors.DOSAGE_TOTAL
        assert sum(Decimal(r[2]) for r in rows) == Decimal(total[2])
        assert sum(Decimal(r[3]) for r in rows) == Decimal(total[3])
        assert sum(int(r[1]) for r in rows) == int(total[1]) == 4
        totals[by] = total[1:4]
        api = client.get(f"/api/v1/coaching/dosage?from=2025-03-01&to=2025-04-30&by={by}").json()
        assert sum(Decimal(r["delivered_hours"]) for r in api["rows"]) == Decimal(
            api["total"]["delivered_hours"]
        )
        assert sum(Decimal(r["planned_hours"]) for r in api["rows"]) == Decimal(
            api["total"]["planned_hours"]
        )
        assert api["total"]["delivered_hours"] == total[3]
        page = client.get(f"{url}&by={by}").content.decode()
        assert f"{total[3]} hours delivered of {total[2]} planned at 4 schools" in page
    # Ash 4.4 + Birch 2.0 + Cedar 0.8 + Dogwood 0.3 (15 min, half up) = 7.5 delivered;
    # 12 + 8 + 4 = 24 planned (Dogwood, added after the tier history started, has none).
    assert totals["school"] == totals["network"] == totals["supervisor"] == ["4", "24.0", "7.5"]
    by_sup = table(client, url + "&by=supervisor")
    assert by_sup["(no supervisor)"][:3] == ["1", "0.0", "0.3"]
    assert set(by_sup) == {"Vic Hill", "Wes Hill", "(no supervisor)"}
    page = client.get(url + "&by=supervisor").content.decode()
    assert "(no supervisor)" in page and "Total (each school once)" in page


def test_a_school_two_supervisors_share_is_counted_once_in_the_total(
    hill: dict[str, Any],
) -> None:
    """Wes also supervises Ada, an assistant principal at Ash (Vic's principal's school): Ash is
    in both rows, which add up to more than the total, and the page says so."""
    from trellis.assignments.services import assignment_create
    from trellis.people.models import Person, PositionKind
    from trellis.people.services import person_create, position_add

    ada = person_create(
        actor=None, system=hill["system"], given_name="Ada", family_name="Hill", email=""
    )
    position_add(
        actor=None,
        person=ada,
        kind=PositionKind.ASSISTANT_PRINCIPAL,
        school=hill["ash"],
        starts_on=START,
    )
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=Person.objects.get(email="wes@hill.example"),
        assignee=ada,
        starts_on=START,
    )
    url = "/coaching/dosage/?from=2025-03-01&to=2025-04-30&by=supervisor"
    *rows, total = export_lines(hill["client"], url)
    assert total[1:4] == ["3", "24.0", "7.2"]  # as per school: 4.4 + 2.0 + 0.8
    assert sum(Decimal(r[3]) for r in rows) == Decimal("11.6")  # Ash twice
    page = hill["client"].get(url).content.decode()
    assert "1 school is in more than one supervisor" in page
    api = hill["client"].get("/api/v1/coaching/dosage?from=2025-03-01&to=2025-04-30&by=supervisor")
    assert api.json()["shared_schools"] == 1


def test_hours_are_rounded_half_up_once_per_school() -> None:
    from trellis.core.numbers import hours_from_minutes, tenths

    assert selectors.hours(15) == Decimal("0.3")  # 0.25 h: half up, not to even (0.2)
    assert selectors.hours(315) == Decimal("5.3")
    assert hours_from_minutes(45) == Decimal("0.8")
    assert tenths(0.25) == Decimal("0.3") and tenths(Decimal("2.25")) == Decimal("2.3")


def test_dosage_stops_at_today(hill: dict[str, Any]) -> None:
    """On Apr 9, 2025, March to May counts the sessions up to today (not those of Apr 10, Apr 15
    and May 1, logged ahead) and plans April up to today: Ash, Intensive, 6 + 6 x 9/30 = 7.8;
    May plans nothing yet."""
    client = hill["client"]
    with time_machine.travel(datetime.datetime(2025, 4, 9, 12, 0), tick=False):
        rows = table(client, "/coaching/dosage/?from=2025-03-01&to=2025-05-31&by=school")
        # Ash: 60 + 45 + 40 (March) + 30 (Apr 1) = 175 min = 2.9 h; Birch: none by today.
        assert rows["Ash"][1:3] == ["7.8", "2.9"]
        assert rows["Birch"][1:3] == ["5.2", "0.0"]
        page = client.get("/coaching/dosage/?from=2025-03-01&to=2025-05-31").content.decode()
        assert "The period stops at today, Apr 9, 2025" in page
        api = client.get("/api/v1/coaching/dosage?from=2025-03-01&to=2025-05-31").json()
        assert api["last_day"] == "2025-04-09"
        future = client.get("/coaching/dosage/?from=2025-06-01&to=2025-06-30").content.decode()
        assert "This period has not begun" in future
