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
    from trellis.authz.roles import Role
    from trellis.learning.models import Registration
    from trellis.learning.services import session_create
    from trellis.orgs.services import school_create, system_create
    from trellis.people.models import PositionKind
    from trellis.people.services import person_create, position_add
    from trellis.programs.models import Program
    from trellis.programs.services import add_participant, cohort_create, program_create
    from trellis.surveys.models import Instrument

    system = system_create(actor=None, code="lake", name="Lake County Schools")
    school = school_create(actor=None, system=system, name="Shore Elementary", sourced_id="SH")
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
        school_year=2018,
        starts_on=D(2017, 8, 1),
        ends_on=D(2018, 6, 15),
    )
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
    again = c.post(f"/surveys/sessions/{session.pk}/new/", {**data, "closes_on": "2017-10-24"})
    assert again.status_code == 400
    assert "have been given this instrument" in again.content.decode()
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
