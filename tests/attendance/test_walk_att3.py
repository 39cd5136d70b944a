"""Issue 12, the third browser walk (branch att3): chronic absence suppressed the same on every
page a district role reaches (no grade cell recovered by subtracting the shown cells of the other
schools from the system's or a network's grade total), the network's chronic figures, the
day steps that stop at today, the contact before the school year, the weekend warning of the
calendar editor and the district's home panel.

On top of the hand-computed month (data.py: Oak Hill and Pine Ridge, whose grades are all under
5 students), six schools of the North Cluster get roll-ups on 30 September: grade 05 has 3
students who count at "Extra 0" (1 chronically absent) and 40 (6) at each other; grade 06 has
40 (5) at each.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest

from tests.attendance import data
from tests.attendance.world import add_attendance
from tests.conftest import World
from trellis.attendance import selectors
from trellis.attendance.models import CalendarDay, DailyGradeChronic, DailySchoolAttendance
from trellis.orgs.models import School
from trellis.orgs.services import school_create

DAY = "2026-09-30"
D30 = datetime.date(2026, 9, 30)
CELLS = {"05": [(3, 1), *[(40, 6)] * 5], "06": [(40, 5)] * 6}


@pytest.fixture
def w(world: World) -> World:
    add_attendance(world)
    extra = [
        school_create(actor=None, system=world.system, name=f"Extra {i}", network=world.network)
        for i in range(6)
    ]
    CalendarDay.objects.bulk_create(
        CalendarDay(system=world.system, school=s, date=d) for s in extra for d in data.SEPTEMBER
    )
    for i, school in enumerate(extra):
        counted = sum(CELLS[g][i][0] for g in CELLS)
        absent = sum(CELLS[g][i][1] for g in CELLS)
        DailySchoolAttendance.objects.create(
            system=world.system,
            school=school,
            date=D30,
            enrolled=counted,
            absent=2,
            chronic_counted=counted,
            chronic_absent=absent,
        )
        DailyGradeChronic.objects.bulk_create(
            DailyGradeChronic(
                system=world.system,
                school=school,
                date=D30,
                grade=g,
                chronic_counted=CELLS[g][i][0],
                chronic_absent=CELLS[g][i][1],
            )
            for g in CELLS
        )
    return world


def _rows(w: World, who: str, url: str) -> list[list[str]]:
    response = w.client(who).get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]


def _number(text: str) -> int | None:
    text = text.replace(",", "")
    return int(text) if text.isdigit() else None


def _grades(rows: list[list[str]]) -> dict[str, tuple[int | None, int | None]]:
    return {r[1]: (_number(r[2]), _number(r[3])) for r in rows if r[0] == "Grade"}


def test_no_grade_cell_is_recovered_from_the_system_and_network_totals(w: World) -> None:
    """What a district leader (and an analyst) can read from the exports of the system page,
    the network's page and every school's page: for each grade, the total shown on a page over
    several schools less the shown cells of those schools never leaves exactly one hidden cell
    (which would then be known), and a hidden cell stays hidden on every page."""
    extra = list(School.objects.filter(name__startswith="Extra").order_by("name"))
    schools = [w.school, w.other_school, *extra]
    for who in ("leader", "analyst"):
        system = _grades(_rows(w, who, f"/attendance/chronic/?date={DAY}&format=csv"))
        north = _grades(
            _rows(w, who, f"/attendance/chronic/?date={DAY}&network={w.network.pk}&format=csv")
        )
        cells = {
            s.pk: _grades(
                _rows(w, who, f"/attendance/schools/{s.pk}/chronic/?date={DAY}&format=csv")
            )
            for s in schools
        }
        api = w.client(who).get(f"/api/v1/attendance/chronic?system=riverbend&date={DAY}").json()
        for label in ("Grade 05", "Grade 06"):
            grade = label.split()[1]
            for index, measure in ((0, "chronic_counted"), (1, "chronic_absent")):
                # The API's grade total is the system page's.
                assert api["grades"][grade][measure] == system[label][index]
                for total, members in (
                    (system[label][index], schools),
                    (north[label][index], [s for s in schools if s.network_id == w.network.pk]),
                ):
                    if total is None:
                        continue
                    hidden = [
                        s
                        for s in members
                        if label in cells[s.pk] and cells[s.pk][label][index] is None
                    ]
                    assert len(hidden) != 1, (who, label, measure, total)
        # Extra 0's 3 students of grade 05 are hidden on its own page, and the cell is not
        # given back: the system's grade 05 total less the others' shown cells is not 3.
        assert cells[extra[0].pk]["Grade 05"] == (None, None)
        shown = sum(
            cells[s.pk]["Grade 05"][0] or 0 for s in extra[1:] if cells[s.pk]["Grade 05"][0]
        )
        assert system["Grade 05"][0] is None or system["Grade 05"][0] - shown != 3


def test_every_page_decides_the_same_cells(w: World) -> None:
    """The system page, the network's, a school's and the API read one decision: a school's
    figures hidden on one are hidden on all."""
    leader = w.users["leader"]
    everything = selectors.chronic(leader, D30)
    north = selectors.chronic(leader, D30, group=("network", w.network.pk))
    by_school = {r.school.pk: r for r in everything.schools if r.school}
    for r in north.schools:
        assert r.school is not None
        other = by_school[r.school.pk]
        assert (r.counted.shown, r.chronic.shown) == (other.counted.shown, other.chronic.shown)
        own = selectors.chronic(leader, D30, group=("school", r.school.pk)).total
        assert (own.counted.shown, own.chronic.shown) == (other.counted.shown, other.chronic.shown)
    report = w.client("leader").get(f"/api/v1/attendance/report?system=riverbend&date={DAY}")
    for key, entry in report.json()["schools"].items():
        school = School.objects.get(system=w.system, sourced_id=key) if key[:4] == "sch-" else None
        if school is not None:
            assert entry["chronic_absent"] == by_school[school.pk].chronic.shown


def _cells_of(rows: Any) -> dict[str, Any]:
    return {r.label: (r.counted.shown, r.chronic.shown) for r in rows}
