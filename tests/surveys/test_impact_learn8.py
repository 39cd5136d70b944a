"""The impact report follows product.md's metric definitions in full (branch learn8).

Satisfaction per item, session and program, on a small district worked by hand ("lake"):

Session A, "Coaching cycles" (2017-10-10, for the Teacher Leader Fellowship's participants):
six attendees answer the built-in satisfaction survey (likert5; favourable = 4 or 5):

          S1 S2 S3 S4
    P1     5  5  4  3
    P2     4  4  4  4
    P3     3  2  5  5
    P4     5  1  2  4
    P5     2  3  3  3
    P6     4  5  5  1
    fav    4  3  4  3   -> 14 of 24 = 58.3%

Session B, "Data teams" (2018-02-01, all staff): three attendees, Q1 all 5, Q2 all 4, Q3 all 1:
8 of 12, but 3 respondents: withheld (fewer than 5).

All items: 22 of 36 = 61.1% (9 respondents). Per item: S1 (4+2)/9 = 66.7%, S2 (3+2)/9 = 55.6%,
S3 6/9 = 66.7%, S4 5/9 = 55.6%. Per program: the Fellowship (session A's survey) 58.3%.
"""

from __future__ import annotations

import datetime
import json
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

D = datetime.date

ANSWERS_A = {
    "P1": (5, 5, 4, 3),
    "P2": (4, 4, 4, 4),
    "P3": (3, 2, 5, 5),
    "P4": (5, 1, 2, 4),
    "P5": (2, 3, 3, 3),
    "P6": (4, 5, 5, 1),
}
ANSWERS_B = {"Q1": (5, 5, 5, 5), "Q2": (4, 4, 4, 4), "Q3": (1, 1, 1, 1)}


def _moment(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def _answer(administration: Any, person: Any, values: tuple[int, ...]) -> None:
    """One attendee's submitted answers (the four rated items, and the open one)."""
    from trellis.surveys.models import Response, Submission

    items = list(administration.instrument.items.order_by("position"))
    submission = Submission.objects.create(
        administration=administration,
        person=None if administration.anonymous else person,
        submitted_at=D(2018, 2, 2),
    )
    Response.objects.bulk_create(
        Response(submission=submission, item=item, value=value)
        for item, value in zip(items[:4], values, strict=True)
    )
    Response.objects.create(submission=submission, item=items[4], text="More time to practise.")


@pytest.fixture
def lake(db: Any) -> dict[str, Any]:
    from tests.conftest import make_user
    from tests.surveys.data import fellowship_system
    from trellis.authz.models import Grant
    from trellis.authz.roles import Role
    from trellis.learning.models import Registration
    from trellis.learning.services import session_create
    from trellis.orgs.services import school_create
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add
    from trellis.programs.services import add_participant
    from trellis.surveys.models import Instrument

    system, fellowship, cohort = fellowship_system("lake", "Lake County Schools", cohort_year=2018)
    school = school_create(actor=None, system=system, name="Shore Elementary", sourced_id="SH")
    people = {}
    for code in (*ANSWERS_A, *ANSWERS_B, "R1"):
        person = person_create(
            actor=None, system=system, given_name=code, family_name="Staff", sourced_id=code
        )
        position_add(
            actor=None,
            person=person,
            kind=PositionKind.TEACHER,
            school=school,
            starts_on=D(2015, 7, 1),
        )
        people[code] = person
        if code.startswith("P") or code == "R1":
            add_participant(actor=None, cohort=cohort, person=person)

    def session(title: str, day: datetime.date, **kw: Any) -> Any:
        return session_create(
            actor=None,
            system=system,
            title=title,
            starts_at=_moment(day),
            ends_at=_moment(day, 17),
            capacity=30,
            place="Central office",
            **kw,
        )

    a = session("Coaching cycles", D(2017, 10, 10), program=fellowship)
    b = session("Data teams", D(2018, 2, 1))
    for s, codes in ((a, [*ANSWERS_A, "R1"]), (b, list(ANSWERS_B))):
        for code in codes:
            Registration.objects.create(
                session=s,
                person=people[code],
                status=Registration.Status.CONFIRMED,
                registered_at=s.starts_at - datetime.timedelta(days=3),
                # R1 registered and did not come.
                attended_at=None if code == "R1" else s.starts_at,
            )
    leader = make_user(system, "leader@lake.test", Role.DISTRICT_LEADER, system=system)
    teacher = make_user(
        system, "p1@lake.test", Role.TEACHER_LEADER, person=people["P1"], school=school
    )
    r1 = make_user(system, "r1@lake.test", Role.TEACHER_LEADER, person=people["R1"], school=school)
    # In force since before the sessions, so that the tests may act on the sessions' days.
    Grant.objects.filter(user__in=[leader, teacher, r1]).update(starts_on=D(2015, 7, 1))
    builtin = Instrument.objects.get(code="pd-satisfaction", system__isnull=True)
    return {
        "system": system,
        "school": school,
        "program": fellowship,
        "people": people,
        "a": a,
        "b": b,
        "leader": leader,
        "teacher": teacher,
        "r1": r1,
        "instrument": builtin,
    }


def _give(lake: dict[str, Any], key: str, **kw: Any) -> Any:
    from trellis.surveys.services import session_survey_create

    session = lake[key]
    day = timezone.localtime(session.starts_at).date()
    # Given on the session's day (a window already closed is refused).
    with time_machine.travel(_moment(day), tick=False):
        return session_survey_create(
            actor=lake["leader"],
            session=session,
            instrument=lake["instrument"],
            window=kw.pop("window", "moy"),
            anonymous=kw.pop("anonymous", True),
            opens_on=day,
            closes_on=day + datetime.timedelta(days=14),
        )


def _answered(lake: dict[str, Any]) -> None:
    a, b = _give(lake, "a", window="boy"), _give(lake, "b")
    for code, values in ANSWERS_A.items():
        _answer(a, lake["people"][code], values)
    for code, values in ANSWERS_B.items():
        _answer(b, lake["people"][code], values)


def report(**options: Any) -> dict[str, Any]:
    out = StringIO()
    call_command("impact_report", system="lake", year=2018, format="json", stdout=out, **options)
    return json.loads(out.getvalue())


def test_satisfaction_per_item_session_and_program_against_hand_computed(
    lake: dict[str, Any],
) -> None:
    _answered(lake)
    s = report()["satisfaction"]
    assert s["pct_favorable"] == 61.1
    assert s["answers"] == 36
    assert {code: e["pct_favorable"] for code, e in s["items"].items()} == {
        "S1": 66.7,
        "S2": 55.6,
        "S3": 66.7,
        "S4": 55.6,
    }
    assert s["by_program"] == {"Teacher Leader Fellowship": {"pct_favorable": 58.3}}
    a, b = s["by_session"]
    assert a == {
        "session": "Coaching cycles",
        "session_id": lake["a"].pk,
        "date": "2017-10-10",
        "pct_favorable": 58.3,
    }
    assert b["session"] == "Data teams" and b["date"] == "2018-02-01"
    assert b["pct_favorable"] is None
    assert b["pct_favorable_reason"] == "fewer than 5 respondents answered"
    # The program's report: its session only.
    s = report(program=str(lake["program"].pk))["satisfaction"]
    assert s["pct_favorable"] == 58.3
    assert [e["session"] for e in s["by_session"]] == ["Coaching cycles"]
    # The footnote names the per-session share.
    text = next(d["text"] for d in report()["definitions"] if d["name"] == "Satisfaction")
    assert "per session" in text and "does not tie" not in text


def test_the_report_page_and_pdf_tables_show_the_sessions(lake: dict[str, Any]) -> None:
    _answered(lake)
    c = Client()
    c.force_login(lake["leader"])
    page = c.get("/impact/?system=lake&year=2018").content.decode()
    assert "Favourable answers, session “Coaching cycles” (2017-10-10)" in page
    assert "58.3%" in page
    assert "fewer than 5 respondents answered" in page
    html = StringIO()
    call_command("impact_report", system="lake", year=2018, format="html", stdout=html)
    assert "Favourable answers, session “Coaching cycles” (2017-10-10)" in html.getvalue()


def test_a_session_survey_asks_its_attendees_only(lake: dict[str, Any]) -> None:
    from trellis.surveys.selectors import administrations_to_answer, in_population

    administration = _give(lake, "a")
    day = D(2017, 10, 11)
    people = lake["people"]
    assert in_population(administration, people["P1"], day)
    assert not in_population(administration, people["R1"], day)  # registered, absent
    assert not in_population(administration, people["Q1"], day)  # another session
    assert [a for a, _ in administrations_to_answer(lake["teacher"], day)] == [administration]
    assert administrations_to_answer(lake["r1"], day) == []
    # The attendee finds it on the session's page while it is open.
    with time_machine.travel(_moment(day), tick=False):
        c = Client()
        c.force_login(lake["teacher"])
        page = c.get(f"/learning/sessions/{lake['a'].pk}/").content.decode()
        assert f"/surveys/administrations/{administration.pk}/respond/" in page
        c.force_login(lake["r1"])
        page = c.get(f"/learning/sessions/{lake['a'].pk}/").content.decode()
        assert "respond/" not in page


@time_machine.travel(_moment(D(2017, 10, 10), 9), tick=False)  # the session's morning
def test_the_session_manager_gives_a_survey_from_the_session_page(lake: dict[str, Any]) -> None:
    from trellis.core.models import AuditEvent
    from trellis.surveys.models import Administration

    c = Client()
    c.force_login(lake["leader"])
    session = lake["a"]
    page = c.get(f"/learning/sessions/{session.pk}/").content.decode()
    assert "No satisfaction survey has been given" in page
    assert f"/surveys/sessions/{session.pk}/new/" in page
    form = c.get(f"/surveys/sessions/{session.pk}/new/")
    assert form.status_code == 200
    assert 'value="2017-10-10"' in form.content.decode()  # opens on the session's day
    data = {
        "instrument": lake["instrument"].pk,
        "window": "boy",
        "anonymous": "on",
        "opens_on": "2017-10-10",
        "closes_on": "2017-10-01",
    }
    bad = c.post(f"/surveys/sessions/{session.pk}/new/", data)
    assert bad.status_code == 400
    assert "The form closes after it opens." in bad.content.decode()
    bad = c.post(
        f"/surveys/sessions/{session.pk}/new/",
        {**data, "opens_on": "2018-07-01", "closes_on": "2018-07-05"},
    )
    assert bad.status_code == 400
    assert "is open within its school year" in bad.content.decode()
    assert not Administration.objects.filter(session=session).exists()
    ok = c.post(f"/surveys/sessions/{session.pk}/new/", {**data, "closes_on": "2017-10-24"})
    assert ok.status_code == 302 and ok["Location"] == f"/learning/sessions/{session.pk}/"
    given = Administration.objects.get(session=session)
    assert (given.program, given.school_year, given.window, given.anonymous) == (
        lake["program"],
        2018,
        "boy",
        True,
    )
    assert AuditEvent.objects.filter(
        action="administration.create", object_id=str(given.pk)
    ).exists()
    # Its only satisfaction instrument given, the form is no longer offered: back to the
    # session, saying why; the service refuses the same instrument twice all the same.
    again = c.post(
        f"/surveys/sessions/{session.pk}/new/", {**data, "closes_on": "2017-10-24"}, follow=True
    )
    assert again.redirect_chain == [(f"/learning/sessions/{session.pk}/", 302)]
    assert "Every satisfaction instrument has been given" in again.content.decode()
    from django.core.exceptions import ValidationError

    from trellis.surveys.services import session_survey_create

    with pytest.raises(ValidationError, match="have been given this instrument"):
        session_survey_create(
            actor=lake["leader"],
            session=session,
            instrument=lake["instrument"],
            window="boy",
            anonymous=True,
            opens_on=D(2017, 10, 10),
            closes_on=D(2017, 10, 24),
        )
    # The session page shows the survey and its figure, withheld under 5 respondents.
    for code in ("P1", "P2", "P3"):
        _answer(given, lake["people"][code], ANSWERS_A[code])
    page = c.get(f"/learning/sessions/{session.pk}/").content.decode()
    assert "fewer than 5 respondents" in page and "not shown" in page
    for code in ("P4", "P5", "P6"):
        _answer(given, lake["people"][code], ANSWERS_A[code])
    page = c.get(f"/learning/sessions/{session.pk}/").content.decode()
    assert "<strong>58.3%</strong>" in page and "6 respondents" in page


def test_only_a_satisfaction_instrument_is_given_to_a_session(lake: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    from trellis.surveys.models import Administration, Instrument
    from trellis.surveys.services import session_survey_create

    conditions = Instrument.objects.get(code="school-conditions", system__isnull=True)
    with pytest.raises(ValidationError) as error:
        session_survey_create(
            actor=lake["leader"],
            session=lake["a"],
            instrument=conditions,
            window="boy",
            anonymous=False,
            opens_on=None,
            closes_on=None,
        )
    assert not Administration.objects.filter(session__isnull=False).exists()
    assert error.value.message_dict == {"instrument": ["Choose a satisfaction instrument."]}
    # A teacher who attended may not manage the session (the page answers 403: the matrix).
    with pytest.raises((PermissionDenied, Http404)):
        session_survey_create(
            actor=lake["teacher"],
            session=lake["b"],
            instrument=lake["instrument"],
            window="boy",
            anonymous=False,
            opens_on=None,
            closes_on=None,
        )
    assert not Administration.objects.filter(session__isnull=False).exists()


# --- Conditions rated by a leadership team's consensus ------------------------------------------
#
# Threshold 3. Lake's own conditions survey: two agree4 items, T ("Time") and P ("Priorities").
#   Shore: survey at the beginning, 3 respondents answering 1 (1.0), but its leadership team's
#          consensus (3, 3, 4, 2) = 3.0 is its score; at the end the team's (4, 3, 4, 3) = 3.5.
#   Bay:   survey only: beginning 3 respondents T 2, P 3 -> 2.5; end T 3, P 4 -> 3.5.
#   Cove:  survey only, 2 respondents: beginning all 4 -> 4.0, end all 3 -> 3.0 (its change is
#          withheld: fewer than 3 respondents).
#   Dune:  the team's consensus at the beginning only, (1, 2, 2, 1) = 1.5.
# Beginning: Shore 3.0, Bay 2.5, Cove 4.0, Dune 1.5 -> 2 of 4 at target (3.0 exactly is): 50.0%.
# End: Shore 3.5, Bay 3.5, Cove 3.0 -> 3 of 3: 100.0%. Rated at both: Shore (+0.5), Bay (+1.0),
# Cove (-1.0) -> 2 of 3 improved: 66.7%. By consensus: 2 schools at the beginning, 1 at the end.
# (Without the consensus: Shore 1.0, Dune unrated -> 1 of 3 at target at the beginning.)

SHORE_BOY = (3, 3, 4, 2)
SHORE_EOY = (4, 3, 4, 3)
DUNE_BOY = (1, 2, 2, 1)


def _ratings(values: tuple[int, ...]) -> dict[str, int]:
    from trellis.surveys.builtin import CONDITIONS_DIMENSIONS

    return dict(zip(CONDITIONS_DIMENSIONS, values, strict=True))


def _conditions_answers(
    lake: dict[str, Any], school: Any, window: str, rows: list[tuple[int, int]]
) -> None:
    from trellis.surveys.models import Administration, Item, Response, Submission

    instrument = lake["conditions"]
    administration, _ = Administration.objects.get_or_create(
        instrument=instrument, system=lake["system"], window=window, school_year=2018
    )
    t, p = (
        Item.objects.get(instrument=instrument, code="T"),
        Item.objects.get(instrument=instrument, code="P"),
    )
    for a, b in rows:
        submission = Submission.objects.create(
            administration=administration, school=school, submitted_at=D(2018, 5, 1)
        )
        Response.objects.create(submission=submission, item=t, value=a)
        Response.objects.create(submission=submission, item=p, value=b)


@pytest.fixture
def teams(lake: dict[str, Any], settings: Any) -> dict[str, Any]:
    from trellis.learning.models import Community
    from trellis.learning.services import community_create
    from trellis.orgs.services import school_create
    from trellis.surveys.models import Instrument, Item
    from trellis.surveys.services import consensus_record

    settings.TRELLIS_SUPPRESSION_THRESHOLD = 3
    system, people = lake["system"], lake["people"]
    shore = lake["school"]
    bay, cove, dune = (
        school_create(actor=None, system=system, name=name, sourced_id=name[:2].upper())
        for name in ("Bay Middle", "Cove High", "Dune Elementary")
    )
    lake["conditions"] = instrument = Instrument.objects.create(
        system=system, code="lake-conditions", title="Lake Conditions", measures="conditions"
    )
    Item.objects.create(
        instrument=instrument, code="T", text="Time", scale="agree4", subscale="Time"
    )
    Item.objects.create(
        instrument=instrument,
        code="P",
        text="Priorities",
        scale="agree4",
        subscale="Priorities",
        position=1,
    )
    _conditions_answers(lake, shore, "boy", [(1, 1)] * 3)
    _conditions_answers(lake, bay, "boy", [(2, 3)] * 3)
    _conditions_answers(lake, bay, "eoy", [(3, 4)] * 3)
    _conditions_answers(lake, cove, "boy", [(4, 4)] * 2)
    _conditions_answers(lake, cove, "eoy", [(3, 3)] * 2)
    shore_team = community_create(
        actor=None,
        system=system,
        name="Shore leadership team",
        kind=Community.Kind.LEADERSHIP,
        school=shore,
        facilitator=people["R1"],
        members=[people["R1"], people["P1"]],
    )
    dune_team = community_create(
        actor=None,
        system=system,
        name="Dune leadership team",
        kind=Community.Kind.LEADERSHIP,
        school=dune,
        facilitator=people["Q1"],
        members=[people["Q1"]],
    )
    consensus_record(
        actor=None, team=dune_team, year=2018, window="boy", ratings=_ratings(DUNE_BOY)
    )
    return {**lake, "bay": bay, "cove": cove, "dune": dune, "shore_team": shore_team}


def _record(c: Client, team: Any, year: int, window: str, values: tuple[int, ...]) -> Any:
    data: dict[str, Any] = {"year": year, "window": window}
    data.update({f"dimension_{i}": v for i, v in enumerate(values)})
    return c.post(f"/surveys/teams/{team.pk}/conditions/", data)


def test_conditions_by_consensus_against_hand_computed(teams: dict[str, Any]) -> None:
    c = Client()
    c.force_login(teams["r1"])  # Shore's team facilitator
    assert _record(c, teams["shore_team"], 2018, "boy", SHORE_BOY).status_code == 302
    assert _record(c, teams["shore_team"], 2018, "eoy", SHORE_EOY).status_code == 302
    conditions = report()["conditions"]
    assert conditions["at_target_boy_pct"] == 50.0
    assert conditions["at_target_eoy_pct"] == 100.0
    assert conditions["improved_pct"] == 66.7
    assert conditions["schools_rated_both"] == 3
    assert conditions["schools_by_consensus_boy"] == 2
    assert conditions["schools_by_consensus_eoy"] == 1
    by_school = {e["school"]: e for e in conditions["by_school"]}
    assert by_school["Shore Elementary"]["change"] == 0.5
    assert by_school["Shore Elementary"]["consensus"] == ["boy", "eoy"]
    assert by_school["Bay Middle"]["change"] == 1.0 and "consensus" not in by_school["Bay Middle"]
    assert by_school["Cove High"]["change"] is None
    assert by_school["Cove High"]["change_reason"] == "fewer than 3 respondents"
    text = next(
        d["text"] for d in report()["definitions"] if d["name"] == "School conditions score"
    )
    assert "consensus rating" in text and "records no team" not in text
    # The drill-down marks the schools rated by consensus.
    c.force_login(teams["leader"])
    rows = c.get("/impact/schools/?system=lake&year=2018&level=conditions&format=csv")
    csv = b"".join(rows.streaming_content).decode("utf-8-sig").splitlines()
    assert "Shore Elementary,3.00 (team consensus),3.50 (team consensus),+0.50" in csv
    assert "Dune Elementary,1.50 (team consensus),not rated,—" in csv
    assert "Cove High,fewer than 3 respondents,fewer than 3 respondents,—" in csv
    page = c.get("/impact/?system=lake&year=2018").content.decode()
    assert "Schools rated by their leadership team&#x27;s consensus, beginning of year" in page
    # ...named beside the count (the walk of issue 11: only the JSON and the drill-down did).
    assert '<td class="text-body-secondary">Dune Elementary, Shore Elementary</td>' in page
    assert (
        '<td class="text-end">1</td><td class="text-body-secondary">Shore Elementary</td>' in page
    )
    assert conditions["schools_by_consensus_boy_names"] == ["Dune Elementary", "Shore Elementary"]


def test_the_leadership_team_records_and_changes_its_consensus(teams: dict[str, Any]) -> None:
    from trellis.core.models import AuditEvent
    from trellis.surveys.models import ConsensusRating

    team = teams["shore_team"]
    c = Client()
    c.force_login(teams["r1"])
    page = c.get(f"/learning/communities/{team.pk}/").content.decode()
    assert f"/surveys/teams/{team.pk}/conditions/" in page
    assert c.get(f"/surveys/teams/{team.pk}/conditions/").status_code == 200
    bad = _record(c, team, 2018, "boy", (3, 3, 4))
    assert bad.status_code == 400
    assert "Rate “Limited, clear priorities” from 1 to 4." in bad.content.decode()
    assert _record(c, team, 2018, "moy", SHORE_BOY).status_code == 400
    assert _record(c, team, 1999, "boy", SHORE_BOY).status_code == 400
    assert _record(c, team, 2018, "boy", (3, 3, 5, 2)).status_code == 400
    assert not ConsensusRating.objects.filter(school=teams["school"]).exists()
    assert _record(c, team, 2018, "boy", SHORE_BOY).status_code == 302
    # A member records again: the new values replace the old, the audit keeps both.
    c.force_login(teams["teacher"])
    form = c.get(f"/surveys/teams/{team.pk}/conditions/?year=2018&window=boy").content.decode()
    assert '<option value="4" selected>' in form
    assert _record(c, team, 2018, "boy", (4, 4, 4, 4)).status_code == 302
    values = ConsensusRating.objects.filter(school=teams["school"], window="boy")
    assert sorted(values.values_list("value", flat=True)) == [4, 4, 4, 4]
    event = AuditEvent.objects.filter(action="conditions.consensus").latest("pk")
    assert event.before is not None and event.after is not None
    assert event.before["ratings"] == _ratings(SHORE_BOY)
    assert event.after["ratings"] == _ratings((4, 4, 4, 4))
    # Someone not on the team (a district leader who sees the team) is refused.
    c.force_login(teams["leader"])
    assert c.get(f"/surveys/teams/{team.pk}/conditions/").status_code == 403
    assert _record(c, team, 2018, "boy", (1, 1, 1, 1)).status_code == 403
    assert sorted(values.values_list("value", flat=True)) == [4, 4, 4, 4]


# --- Alumni retention with the alumni survey -----------------------------------------------------
#
# Alumni of the Aspiring Principals (A1..A4) and the Leaders Academy (A5, A6), each placed in
# July 2016 (a position record from then: every one's status is known). 2017-18:
#   A1: placement position current at the end of the year                  -> retained
#   A2: position ended 2017-12-31; said yes on 2018-03-01                   -> retained (survey)
#   A3: position ended; said yes on 2018-03-01, then no on 2018-05-01       -> not (last answer)
#   A4: position ended; no answer                                           -> not
#   A5: position ended; said yes on 2017-06-01 (the year before)            -> not
#   A6: position current; said no on 2018-04-01                             -> retained (position)
# Retained 3 of 6 known: 50.0% (positions alone: A1, A6 = 33.3%). The Leaders Academy's report:
# 2 alumni, withheld (fewer than 5).

ALUMNI_ANSWERS = {
    "A2": [(D(2018, 3, 1), True)],
    "A3": [(D(2018, 3, 1), True), (D(2018, 5, 1), False)],
    "A5": [(D(2017, 6, 1), True)],
    "A6": [(D(2018, 4, 1), False)],
}


@pytest.fixture
def alumni(lake: dict[str, Any]) -> dict[str, Any]:
    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.people.services import person_create, position_end
    from trellis.programs.models import Participant, Program
    from trellis.programs.services import (
        add_participant,
        cohort_create,
        participant_status_set,
        placement_record,
        program_create,
    )

    system = lake["system"]
    programs = {}
    for name in ("Aspiring Principals", "Leaders Academy"):
        program = program_create(
            actor=None,
            name=name,
            kind=Program.Kind.ASPIRING_PRINCIPAL,
            owner_system=system,
            systems=[system],
        )
        programs[name] = cohort_create(
            actor=None,
            program=program,
            name="Cohort 2015",
            school_year=2016,
            starts_on=D(2015, 8, 1),
            ends_on=D(2016, 6, 15),
        )
    people = {}
    for code in ("A1", "A2", "A3", "A4", "A5", "A6"):
        cohort = programs["Leaders Academy" if code in ("A5", "A6") else "Aspiring Principals"]
        person = person_create(
            actor=None, system=system, given_name=code, family_name="Alum", sourced_id=code
        )
        participant = add_participant(actor=None, cohort=cohort, person=person)
        participant_status_set(
            actor=None,
            participant=participant,
            status=Participant.Status.COMPLETED,
            on=D(2016, 6, 15),
        )
        placement = placement_record(
            actor=None,
            participant=participant,
            role="assistant_principal",
            school=lake["school"],
            starts_on=D(2016, 7, 1),
        )
        if code not in ("A1", "A6"):
            position_end(actor=None, position=placement.position, ends_on=D(2017, 12, 31))
        people[code] = person
    manager = make_user(system, "surveys@lake.test", Role.PROGRAM_MANAGER, system=system)
    return {**lake, "alumni": people, "manager": manager, "academy": programs["Leaders Academy"]}


def test_alumni_retention_counts_the_alumni_survey_against_hand_computed(
    alumni: dict[str, Any],
) -> None:
    c = Client()
    c.force_login(alumni["manager"])
    for code, answers in ALUMNI_ANSWERS.items():
        for day, yes in answers:
            response = c.post(
                "/surveys/alumni/?system=lake",
                {
                    "person": alumni["alumni"][code].pk,
                    "answered_on": day.isoformat(),
                    "in_education": "yes" if yes else "no",
                },
            )
            assert response.status_code == 302, response.content.decode()
    figures = report()["alumni"]
    assert figures == {"known": 6, "retention_pct": 50.0}
    academy = report(program=str(alumni["academy"].program.pk))["alumni"]
    assert academy["known"] is None and academy["known_reason"] == "fewer than 5"
    assert academy["retention_pct"] is None
    assert academy["retention_pct_reason"] == "fewer than 5 alumni with a known status"
    text = next(d["text"] for d in report()["definitions"] if d["name"] == "Alumni retention")
    assert "said in the alumni survey" in text


def test_the_alumni_survey_page_records_and_refuses(alumni: dict[str, Any]) -> None:
    from trellis.core.models import AuditEvent
    from trellis.surveys.models import AlumniAnswer

    c = Client()
    c.force_login(alumni["manager"])
    page = c.get("/surveys/alumni/?system=lake")
    assert page.status_code == 200 and "Alum, A1" in page.content.decode()
    assert "Staff, P1" not in page.content.decode()  # a participant not placed: no alumnus
    a2 = alumni["alumni"]["A2"].pk
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    bad = c.post(
        "/surveys/alumni/?system=lake",
        {"person": a2, "answered_on": future, "in_education": "yes"},
    )
    assert bad.status_code == 400
    assert "The answer cannot have been given in the future." in bad.content.decode()
    bad = c.post(
        "/surveys/alumni/?system=lake",
        {"person": alumni["people"]["P1"].pk, "answered_on": "2018-03-01", "in_education": "yes"},
    )
    assert bad.status_code == 400
    assert c.post("/surveys/alumni/?system=lake", {"person": a2}).status_code == 400
    # Before the placement (July 1, 2016) no one is an alumnus: counted nowhere, so refused.
    bad = c.post(
        "/surveys/alumni/?system=lake",
        {"person": a2, "answered_on": "2016-06-30", "in_education": "yes"},
    )
    assert bad.status_code == 400
    assert "was placed on July 1, 2016: give a day from then on" in (bad.content.decode())
    assert not AlumniAnswer.objects.exists()
    data = {"person": a2, "answered_on": "2018-03-01", "in_education": "yes"}
    assert c.post("/surveys/alumni/?system=lake", data).status_code == 302
    # The same day again: the answer is replaced, the audit keeps the one before.
    assert c.post("/surveys/alumni/?system=lake", {**data, "in_education": "no"}).status_code == 302
    assert list(AlumniAnswer.objects.values_list("in_education", flat=True)) == [False]
    event = AuditEvent.objects.filter(action="alumni.answer").latest("pk")
    assert event.before == {"in_education": True}
    assert event.after is not None and event.after["in_education"] is False
    # A district leader reads the report and may not record answers.
    c.force_login(alumni["leader"])
    assert c.get("/surveys/alumni/?system=lake").status_code == 403
    assert c.post("/surveys/alumni/?system=lake", data).status_code == 403


# --- Reach: the reported count where no roster exists --------------------------------------------
#
# P1 (a teacher-leader fellow) leads the Shore PLC (Q1, Q2, Q3, teachers at Shore; it met on
# 2017-10-05). Q1 teaches class K1 on the roster (6 students); Q2's and Q3's classes are on no
# roster: P1 reports 25 and 30 students for them. A number reported for Q1 (99) does not count:
# Q1's classes are on the roster. Students: 6 + 25 + 30 = 61, labelled as including reported
# counts (the roster alone: 6). Threshold 3 (three teachers).


@pytest.fixture
def plc(lake: dict[str, Any], settings: Any) -> dict[str, Any]:
    from trellis.learning.models import Community
    from trellis.learning.services import community_create, meeting_save
    from trellis.rosters.models import Enrollment, SchoolClass
    from trellis.students.models import Student

    # Three teachers: the threshold is 3 here, so that the team's figures are shown.
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 3
    system, school, people = lake["system"], lake["school"], lake["people"]
    team = community_create(
        actor=None,
        system=system,
        name="Shore PLC",
        kind=Community.Kind.PLC,
        school=school,
        facilitator=people["P1"],
        members=[people["Q1"], people["Q2"], people["Q3"]],
    )
    meeting_save(actor=None, community=team, held_on=D(2017, 10, 5), agenda="Exit tickets")
    k1 = SchoolClass.objects.create(
        system=system, sourced_id="K1", title="K1", class_type="scheduled", school=school
    )
    Enrollment.objects.create(
        system=system,
        sourced_id="K1-Q1",
        school_class=k1,
        school=school,
        role="teacher",
        person=people["Q1"],
    )
    for n in range(6):
        student = Student.objects.create(system=system, school=school, sourced_id=f"K{n}")
        Enrollment.objects.create(
            system=system,
            sourced_id=f"K1-{n}",
            school_class=k1,
            school=school,
            role="student",
            student=student,
        )
    return {**lake, "team": team}


def _report_students(c: Client, team: Any, person: Any, students: Any, year: Any = 2018) -> Any:
    return c.post(
        f"/learning/communities/{team.pk}/students/",
        {"person": person.pk, "school_year": year, "students": students},
    )


def test_reach_students_include_reported_counts_where_no_roster_exists(
    plc: dict[str, Any],
) -> None:
    from trellis.learning.models import ReportedStudents
    from trellis.rosters.models import Enrollment

    reach = report()["reach"]
    assert reach["teachers"] == 3 and reach["students"] == 6
    assert reach["students_includes_reported"] is False and "students_label" not in reach
    c = Client()
    c.force_login(plc["teacher"])  # P1, the team's facilitator
    people = plc["people"]
    for code, n in (("Q1", 99), ("Q2", 25), ("Q3", 30)):
        assert _report_students(c, plc["team"], people[code], n).status_code == 302
    reach = report()["reach"]
    assert reach["students"] == 61
    assert reach["students_includes_reported"] is True
    assert reach["students_label"] == "including reported counts where no roster exists"
    leader = Client()
    leader.force_login(plc["leader"])
    page = leader.get("/impact/?system=lake&year=2018").content.decode()
    assert "Students (including reported counts where no roster exists)" in page
    text = next(d["text"] for d in report()["definitions"] if d["name"] == "Reach")
    assert "labelled as including reported counts" in text
    # No roster at all: the reported numbers alone (Q1's now counts too).
    Enrollment.objects.all().delete()
    assert report()["reach"]["students"] == 99 + 25 + 30
    # A reported total under the threshold is withheld like any count of people.
    ReportedStudents.objects.exclude(person=people["Q2"]).delete()
    ReportedStudents.objects.update(students=2)
    reach = report()["reach"]
    assert reach["students"] is None and reach["students_reason"] == "fewer than 3"


def test_the_facilitator_reports_students_and_others_may_not(plc: dict[str, Any]) -> None:
    from trellis.core.models import AuditEvent
    from trellis.learning.models import ReportedStudents

    team, people = plc["team"], plc["people"]
    c = Client()
    c.force_login(plc["teacher"])
    detail = c.get(f"/learning/communities/{team.pk}/").content.decode()
    assert f"/learning/communities/{team.pk}/students/" in detail
    page = c.get(f"/learning/communities/{team.pk}/students/?year=2018")
    assert page.status_code == 200 and "Reported for 2017-18" in page.content.decode()
    assert _report_students(c, team, people["Q2"], -1).status_code == 400
    bad = _report_students(c, team, people["Q2"], 20000)
    assert bad.status_code == 400
    assert "Give the number of students, from 0 to 10,000." in bad.content.decode()
    assert _report_students(c, team, people["Q2"], 20, year=1999).status_code == 400
    assert _report_students(c, team, people["P2"], 20).status_code == 400  # not a member
    assert not ReportedStudents.objects.exists()
    assert _report_students(c, team, people["Q2"], 20).status_code == 302
    assert _report_students(c, team, people["Q2"], 24).status_code == 302
    assert list(ReportedStudents.objects.values_list("students", flat=True)) == [24]
    event = AuditEvent.objects.filter(action="students.reported").latest("pk")
    assert event.before == {"students": 20}
    assert event.after is not None and event.after["students"] == 24
    # A member of the team (R1 is not; Q2 has no account): R1 sees no such team.
    c.force_login(plc["r1"])
    assert c.get(f"/learning/communities/{team.pk}/students/").status_code == 404


def test_a_past_sessions_survey_opens_today_by_default(lake: dict[str, Any]) -> None:
    """The walk of stop 24 gave a survey for a session held two months before with the form as
    it came: it opened on the session's day for two weeks, closed from the start, and asked
    nobody. For a past session of this school year the form opens today."""
    from trellis.learning.models import PDSession

    today = timezone.localdate()
    held = today - datetime.timedelta(days=57)
    PDSession.objects.filter(pk=lake["a"].pk).update(
        starts_at=_moment(held), ends_at=_moment(held, 17)
    )
    c = Client()
    c.force_login(lake["leader"])
    form = c.get(f"/surveys/sessions/{lake['a'].pk}/new/").content.decode()
    assert f'name="opens_on" value="{today.isoformat()}"' in form
    last = datetime.date(today.year if today.month <= 6 else today.year + 1, 6, 30)
    closes = min(today + datetime.timedelta(days=14), last)
    assert f'name="closes_on" value="{closes.isoformat()}"' in form


def test_the_alumni_answer_is_a_group_of_labelled_radios(alumni: dict[str, Any]) -> None:
    """The Yes/No group was drawn inside one 16px check box (its wrapper took the radios'
    class), with "No" under the button: a fieldset with a legend, each radio with its label."""
    c = Client()
    c.force_login(alumni["manager"])
    page = c.get("/surveys/alumni/?system=lake").content.decode()
    assert '<div class="form-check-input"' not in page
    assert "<legend" in page and "Are you currently working in education?" in page
    for n, label in enumerate(("Yes", "No")):
        assert f'<label class="form-check-label" for="id_in_education_{n}">{label}</label>' in page


def test_a_session_survey_whose_days_have_passed_is_refused(lake: dict[str, Any]) -> None:
    """The walk of issue 11 gave a survey for a session two months past with days already
    gone: it opened closed and asked nobody. The page refuses it, naming the field."""
    from trellis.surveys.models import Administration

    c = Client()
    c.force_login(lake["leader"])
    session = lake["a"]
    data = {
        "instrument": lake["instrument"].pk,
        "window": "boy",
        "anonymous": "on",
        "opens_on": "2017-10-10",
        "closes_on": "2017-10-24",
    }
    with time_machine.travel(_moment(D(2017, 11, 2)), tick=False):
        bad = c.post(f"/surveys/sessions/{session.pk}/new/", data)
        assert bad.status_code == 400
        page = bad.content.decode()
        assert "This day has passed: the form would be closed from the start" in page
        assert "Close it today (November 2, 2017) or later." in page
        assert not Administration.objects.filter(session=session).exists()
        ok = c.post(f"/surveys/sessions/{session.pk}/new/", {**data, "closes_on": "2017-11-02"})
        assert ok.status_code == 302
    assert Administration.objects.get(session=session).closes_on == D(2017, 11, 2)


def test_the_session_manager_moves_the_days_of_its_survey(lake: dict[str, Any]) -> None:
    """A survey given with days the manager wants to change (closed before the attendees had
    answered): from the session's page, a small form; the same checks; audited."""
    from trellis.core.models import AuditEvent
    from trellis.surveys.selectors import administrations_to_answer

    given = _give(lake, "a", window="boy")  # October 10 to 24, 2017
    session = lake["a"]
    url = f"/surveys/sessions/surveys/{given.pk}/window/"
    c = Client()
    c.force_login(lake["leader"])
    with time_machine.travel(_moment(D(2017, 11, 2)), tick=False):
        page = c.get(f"/learning/sessions/{session.pk}/").content.decode()
        assert f'href="{url}"' in page
        form = c.get(url)
        assert form.status_code == 200
        assert 'name="closes_on" value="2017-10-24"' in form.content.decode()
        bad = c.post(url, {"opens_on": "2017-10-10", "closes_on": "2017-11-01"})
        assert bad.status_code == 400
        assert "This day has passed" in bad.content.decode()
        bad = c.post(url, {"opens_on": "2017-11-02", "closes_on": "2018-07-02"})
        assert bad.status_code == 400
        assert "is open within its school year" in bad.content.decode()
        given.refresh_from_db()
        assert (given.opens_on, given.closes_on) == (D(2017, 10, 10), D(2017, 10, 24))
        assert administrations_to_answer(lake["teacher"], D(2017, 11, 2)) == []
        ok = c.post(url, {"opens_on": "2017-11-02", "closes_on": "2017-11-16"})
        assert ok.status_code == 302 and ok["Location"] == f"/learning/sessions/{session.pk}/"
        given.refresh_from_db()
        assert (given.opens_on, given.closes_on) == (D(2017, 11, 2), D(2017, 11, 16))
        event = AuditEvent.objects.filter(
            action="administration.window", object_id=str(given.pk)
        ).get()
        assert event.before == {"opens_on": "2017-10-10", "closes_on": "2017-10-24"}
        # The attendee is asked again; the teacher (an attendee) may not move the days.
        assert [a for a, _ in administrations_to_answer(lake["teacher"], D(2017, 11, 2))] == [given]
        c.force_login(lake["teacher"])
        assert c.get(url).status_code == 403
        assert f'href="{url}"' not in c.get(f"/learning/sessions/{session.pk}/").content.decode()


def test_a_session_survey_is_named_by_its_session(lake: dict[str, Any]) -> None:
    """The walk of issue 11: the attendee's home page and form said only "PD Satisfaction",
    and the Administrations list gave the school's staff as its population."""
    given = _give(lake, "a", window="boy")
    named = "Survey for session “Coaching cycles”, Oct 10, 2017"
    with time_machine.travel(_moment(D(2017, 10, 11)), tick=False):
        c = Client()
        c.force_login(lake["teacher"])
        assert named in c.get("/").content.decode()
        form = c.get(f"/surveys/administrations/{given.pk}/respond/")
        assert form.status_code == 200 and named in form.content.decode()
    c.force_login(lake["leader"])
    listing = c.get("/surveys/administrations/").content.decode()
    assert "<td>Attendees of “Coaching cycles”, Oct 10, 2017</td>" in listing
    detail = c.get(f"/surveys/administrations/{given.pk}/").content.decode()
    assert "The attendees of “Coaching cycles”, Oct 10, 2017" in detail


def test_the_report_page_footnote_prints_no_null(lake: dict[str, Any]) -> None:
    """The footnote told the page's reader that a withheld figure "shows as null", which only
    the JSON does: the page (and the PDF's HTML) says what it shows instead."""
    _answered(lake)  # session B's share is withheld (3 respondents)
    c = Client()
    c.force_login(lake["leader"])
    page = c.get("/impact/?system=lake&year=2018").content.decode()
    html = StringIO()
    call_command("impact_report", system="lake", year=2018, format="html", stdout=html)
    for shown in (page, html.getvalue()):
        assert "null" not in shown
        assert "is withheld: its value shows as “—” with the reason beside it" in shown
    text = next(d["text"] for d in report()["definitions"] if d["name"] == "Small-cell suppression")
    assert "shows as null with its reason" in text  # the JSON's reader gets null


def test_a_reported_count_the_roster_overrides_says_so(plc: dict[str, Any]) -> None:
    """Q1's classes are on the roster in 2017-18: a number reported for Q1 is recorded and
    counted nowhere, which the page did not say."""
    team, people = plc["team"], plc["people"]
    c = Client()
    c.force_login(plc["teacher"])
    url = f"/learning/communities/{team.pk}/students/"
    saved = c.post(
        url, {"person": people["Q1"].pk, "school_year": 2018, "students": 99}, follow=True
    )
    page = saved.content.decode()
    assert "the impact report does not count it: a class roster holds Q1 Staff&#x27;s" in page
    assert page.count("not counted: a class roster holds their classes") == 1
    saved = c.post(
        url, {"person": people["Q2"].pk, "school_year": 2018, "students": 25}, follow=True
    )
    page = saved.content.decode()
    assert "The number of students is recorded." in page
    assert page.count("not counted: a class roster holds their classes") == 1  # Q1's only


def test_the_give_link_goes_once_every_instrument_is_given(lake: dict[str, Any]) -> None:
    """The walk: the session page kept "Give a satisfaction survey" once its only instrument
    had been given, and the form then refused."""
    from trellis.surveys.selectors import session_survey_instruments
    from trellis.surveys.services import session_survey_create

    session = lake["a"]
    day = timezone.localtime(session.starts_at).date()
    c = Client()
    c.force_login(lake["leader"])
    link = f'href="/surveys/sessions/{session.pk}/new/"'
    with time_machine.travel(_moment(day), tick=False):
        assert link in c.get(f"/learning/sessions/{session.pk}/").content.decode()
        for instrument in session_survey_instruments(session):
            session_survey_create(
                actor=lake["leader"],
                session=session,
                instrument=instrument,
                window="moy",
                anonymous=True,
                opens_on=day,
                closes_on=day + datetime.timedelta(days=14),
            )
        page = c.get(f"/learning/sessions/{session.pk}/").content.decode()
        assert link not in page
        assert "Every satisfaction instrument has been given to this session." in page
