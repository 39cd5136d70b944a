"""The impact report after the fourth walk (imp4), on the hand-worked district of
tests/surveys/data.py with the progress ratings of tests/surveys/guskey.py (P1..P6 rated twice).

S1: the walk recovered "fewer than 5" schools from the drill-down of use of new practice: a
total of 11, one school shown (6) and five "fewer than 5" (each listed school has at least 1):
11 - 6 = 5 over five schools = 1 each. Here, at a threshold of 3 (so that six people make the
same shape): S1 holds P1, P2, P3 (3), S2 P4, S3 P5, S4 P6 (1 each). The old rule showed S1
(the withheld three add up to 3, the threshold): 6 - 3 = 3 over three schools = 1 each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import World
from tests.surveys.data import build
from tests.surveys.guskey import add_practice
from tests.surveys.world import surveyed


@pytest.fixture
def district(db: Any, tmp_path: Path) -> dict[str, Any]:
    from tests.conftest import make_user
    from trellis.authz.roles import Role

    d = build(tmp_path)
    add_practice(d)
    system = d["system"]
    d["users"] = {
        "leader": make_user(system, "leader@metro.test", Role.DISTRICT_LEADER, system=system),
    }
    return d


def client(d: dict[str, Any], who: str) -> Client:
    c = Client()
    c.force_login(d["users"][who])
    return c


def one_school_each(d: dict[str, Any]) -> None:
    """S1: P1, P2, P3; S2: P4; S3: P5; S4: P6."""
    from trellis.people.models import Position

    at = {"P1": "S1", "P2": "S1", "P3": "S1", "P4": "S2", "P5": "S3", "P6": "S4"}
    for person, school in at.items():
        Position.objects.filter(person=d["people"][person]).update(school=d["schools"][school])


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [line.split(",") for line in text.splitlines()[1:]]


def recoverable(total: int, cells: list[str], limit: int) -> list[str]:
    """What the walk did: the report's total minus the shown schools is the withheld schools'
    sum; each listed school has at least 1, "fewer than N" at most N - 1, "not shown" (a
    complementary cell) at least N. Returns the withheld cells whose value that pins."""
    shown = [int(c) for c in cells if c.isdigit()]
    hidden = [c for c in cells if not c.isdigit()]
    rest = total - sum(shown)
    inf = 10**9
    bounds = [(1, limit - 1) if c.startswith("fewer") else (1, inf) for c in hidden]
    # A reader who sees labels mixed knows a "not shown" cell is at least N.
    if any(c.startswith("fewer") for c in hidden):
        bounds = [
            (limit, inf) if c == "not shown" else b for c, b in zip(hidden, bounds, strict=True)
        ]
    found = []
    for i, (lo, hi) in enumerate(bounds):
        others_lo = sum(b[0] for j, b in enumerate(bounds) if j != i)
        others_hi = sum(b[1] for j, b in enumerate(bounds) if j != i)
        least, most = max(lo, rest - others_hi), min(hi, rest - others_lo)
        if least >= most:
            found.append(f"{hidden[i]} = {least}")
    return found


def test_practice_drilldown_gives_no_small_school_back_by_subtraction(
    district: dict[str, Any], settings: Any
) -> None:
    one_school_each(district)
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 3
    c = client(district, "leader")
    report = c.get("/api/v1/impact?system=metro&year=2018").json()
    total = report["practice"]["people_rated_twice"]
    assert total == 6
    for extra in ("", f"&program={district['fellowship'].pk}"):
        rows = csv_rows(
            c.get(f"/impact/schools/?system=metro&year=2018&level=practice&format=csv{extra}")
        )
        cells = [r[1] for r in rows]
        assert recoverable(total, cells, 3) == [], cells
        # Every school is withheld alike: the total leaves each of the four anything from 1 to 3.
        assert cells == ["not shown"] * 4
        page = c.get(f"/impact/schools/?system=metro&year=2018&level=practice{extra}")
        assert "<td>fewer than 3</td>" not in page.content.decode()


def test_protect_leaves_no_withheld_cell_pinned_by_its_total() -> None:
    from trellis.core.suppression import exposed, protect

    # The walk's figures: 11 = 6 + five schools with 1 each.
    values = {"total": 11, "D": 6, **{f"s{i}": 1 for i in range(5)}}
    parts = ["D", *(f"s{i}" for i in range(5))]
    # The five withheld add up to 5 (each is 1): Douglass is withheld too; then 11 over the six
    # leaves each small one 1 or 2 (Douglass at least 5): none pinned, the total stays.
    assert protect(values, [("total", parts)]) == set(parts)
    assert exposed([1, 1, 1, 1, 1]) and not exposed([6, 1, 1, 1, 1, 1])
    # 2 + 3: each could be anything from 1 to 4; 4 + 4 = 8 says each is 4.
    assert not exposed([2, 3]) and not exposed([3, 4]) and exposed([4, 4])
    values = {"total": 28, "a": 20, "b": 4, "c": 4}
    assert protect(values, [("total", ["a", "b", "c"])]) == {"a", "b", "c"}
    values = {"total": 25, "a": 20, "b": 2, "c": 3}
    assert protect(values, [("total", ["a", "b", "c"])]) == {"b", "c"}
    # At a threshold of 2 "fewer than 2" is 1 by its label alone: nothing more is learned.


def test_satisfaction_answers_are_withheld_with_the_share(
    district: dict[str, Any], settings: Any
) -> None:
    """S3: six people answered the satisfaction survey (11 answers). At a threshold of 7 the
    share is withheld, and so is the answers count (it says how few answered). S5: the share
    per program; the footnote states the definitions as implemented."""
    import json
    from io import StringIO

    from django.core.management import call_command

    settings.TRELLIS_SUPPRESSION_THRESHOLD = 7
    api = client(district, "leader").get("/api/v1/impact?system=metro&year=2018").json()
    out = StringIO()
    call_command("impact_report", system="metro", year=2018, format="json", stdout=out)
    for report in (api, json.loads(out.getvalue())):
        s = report["satisfaction"]
        assert s["pct_favorable"] is None
        assert s["answers"] is None
        assert s["answers_reason"] == "fewer than 7 respondents"
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 5
    api = client(district, "leader").get("/api/v1/impact?system=metro&year=2018").json()
    assert api["satisfaction"]["answers"] == 11
    # S5: per program (the satisfaction survey given to the fellowship's participants): 7 of
    # 11 answers favourable = 63.6%; withheld under the threshold; the footnote says how.
    from trellis.surveys.models import Administration

    Administration.objects.filter(instrument__measures="satisfaction").update(
        program=district["fellowship"]
    )
    api = client(district, "leader").get("/api/v1/impact?system=metro&year=2018").json()
    name = district["fellowship"].name
    assert api["satisfaction"]["by_program"] == {name: {"pct_favorable": 63.6}}
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 7
    api = client(district, "leader").get("/api/v1/impact?system=metro&year=2018").json()
    assert api["satisfaction"]["by_program"][name] == {
        "pct_favorable": None,
        "pct_favorable_reason": "fewer than 7 respondents answered",
    }
    footnote = {d["name"]: d["text"] for d in api["definitions"]}
    assert "per program" in footnote["Satisfaction"]
    # Branch learn8: the definitions are followed in full (per session, consensus ratings,
    # the alumni survey), and the footnote says so.
    assert "per session" in footnote["Satisfaction"]
    assert "consensus rating" in footnote["School conditions score"]
    assert "said in the alumni survey" in footnote["Alumni retention"]
    page = client(district, "leader").get("/impact/?system=metro&year=2018").content.decode()
    assert f"Favourable answers, {name}" in page


def test_one_rounding_and_signed_changes_on_screen_and_in_exports(
    district: dict[str, Any], settings: Any
) -> None:
    """M1: the drill-down's change is the report's (two decimals, half up: -0.125 is -0.13, as
    Lincoln's was on /impact/, where the drill-down said -0.12). M3: a signed number in a CSV
    export is a number, no apostrophe (+0.33, -1.00), while a formula still gets one; the
    people page's Change column shows the sign (P1 ELA 25 -> 75: +50.0)."""
    from trellis.core.exports import cell
    from trellis.core.numbers import hundredths, signed

    assert str(hundredths(-0.125)) == "-0.13" and signed(hundredths(-0.125)) == "-0.13"
    assert signed(hundredths(1 / 3)) == "+0.33" and signed(hundredths(-0.001)) == "0.00"
    assert cell("+25.0") == "+25.0" and cell("-0.62") == "-0.62" and cell("+3.1%") == "+3.1%"
    assert cell("-1+2") == "'-1+2" and cell("=SUM(A1)") == "'=SUM(A1)" and cell("+") == "'+"
    # Each school's conditions change shown (a threshold of 1: the district's schools have one
    # or two respondents each).
    settings.TRELLIS_SUPPRESSION_THRESHOLD = 1
    c = client(district, "leader")
    report = c.get("/api/v1/impact?system=metro&year=2018").json()
    rows = csv_rows(c.get("/impact/schools/?system=metro&year=2018&level=conditions&format=csv"))
    drill = {r[0]: r[3] for r in rows}
    changes = [e for e in report["conditions"]["by_school"] if e["change"] is not None]
    assert changes
    for entry in changes:
        assert drill[entry["school"]] == signed(hundredths(entry["change"])), entry
    people = c.get("/impact/people/?system=metro&year=2018&level=knowledge").content.decode()
    assert '<td class="text-end">+50.0</td>' in people


def test_a_beginning_of_year_import_does_not_move_the_report_onto_its_year(
    world: World,
) -> None:
    """M9: 2017-18 has the pulse (conditions) at the beginning and the end of the year, five
    respondents each; 2018-19 only a beginning-of-year import of five. The report opens on
    2017-18 (a figure to compare), 2018-19 one choice away."""
    from trellis.surveys.models import Administration, Response, Submission

    surveyed(world)
    base = Administration.objects.get(school_year=2018)
    item = base.instrument.items.get()
    for year, window in ((2018, "eoy"), (2019, "boy")):
        made = Administration.objects.create(
            instrument=base.instrument, system=world.system, window=window, school_year=year
        )
        for value in (1, 2, 3, 4, 4):
            submission = Submission.objects.create(
                administration=made, school=world.school, submitted_at=timezone.now()
            )
            Response.objects.create(submission=submission, item=item, value=value)
    page = world.client("leader").get("/impact/?system=riverbend").content.decode()
    assert "Impact report: Riverbend Public Schools, 2017-18" in page
    assert '<option value="2019">2018-19</option>' in page
