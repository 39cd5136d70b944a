"""Issue 12, the walk's serious finding: two viewers' chronic figures put together. Each viewer's
figures were protected alone, over the schools that viewer reaches; a viewer who sees part of a
network (two of its schools) and the analyst who sees the whole network could each be safe and
together give a "fewer than 5" back: the part's grade total less the school the analyst shows.
Now every viewer's figures are decided beside the system's published pattern (what a viewer
who may open none of the students sees), so no two pages together pin a small cell.

Six schools of the North Cluster get roll-ups on 30 September: grade 05 has 3 students at
"Part 0", 6 at "Part 1", 5 at "Other 0" and 40 at each other school; grade 06 has 40 at each.
That day as many students are absent at each school as its grade 05 has (the morning page).
The part viewer reaches Part 0 and Part 1 only; the insider is Other 0's principal, who may
list its students and so knows its counts exactly.
"""

from __future__ import annotations

import datetime

import pytest

from tests.attendance.viewers import chronic_figures, morning_figures, together
from tests.attendance.world import schools_by_grade
from tests.conftest import World, make_user
from tests.test_suppression import _possible
from trellis.attendance import selectors
from trellis.authz.roles import Role
from trellis.authz.services import grant_create
from trellis.orgs.models import School

D30 = datetime.date(2026, 9, 30)
GRADE_05 = {"Part 0": 3, "Part 1": 6, "Other 0": 5, "Other 1": 40, "Other 2": 40, "Other 3": 40}


@pytest.fixture
def w(world: World) -> World:
    schools = schools_by_grade(
        world,
        D30,
        {name: {"05": (counted, 0), "06": (40, 0)} for name, counted in GRADE_05.items()},
        absent=GRADE_05,
    )
    part = make_user(world.system, "part@riverbend.test", Role.ANALYST, school=schools["Part 0"])
    grant_create(actor=None, user=part, role=Role.ANALYST, school=schools["Part 1"])
    world.users["part"] = part
    world.users["insider"] = make_user(
        world.system, "insider@riverbend.test", Role.PRINCIPAL, school=schools["Other 0"]
    )
    return world


def test_the_viewers_pages_together_pin_no_small_cell(w: World) -> None:
    """The analyst's, the part viewer's and the insider's figures, each shown figure known,
    every relation any of them shows: each withheld "fewer than 5" keeps more than one value."""
    users = [w.users[who] for who in ("analyst", "part", "insider")]
    values, hidden, relations = together(chronic_figures, users, D30, "chronic_counted")
    small = {k for k in hidden if 0 < values[k] < 5}
    assert small, "the data must hold a withheld small cell"
    possible = _possible(values, relations, hidden, cap=max(values.values()) + 6)
    assert all(len(found) > 1 for found in possible.values()), possible


def test_the_part_viewers_own_total_is_withheld(w: World) -> None:
    """The part's grade 05 is Part 0's 3 and Part 1's 6, both withheld from the analyst: shown,
    it would give Part 0's 3 to Part 1's principal (who knows the 6), and before the analyst's
    pattern withheld Part 1 too, to anyone with both pages. It is withheld."""
    part = selectors.chronic_table(w.users["part"], D30)
    network = ("network", w.network.pk)
    part_05 = selectors.grade_key(network, "05")
    assert part.values["chronic_counted"][part_05] == 9
    assert part_05 in part.hidden["chronic_counted"]
    analyst = selectors.chronic_table(w.users["analyst"], D30)
    by_name = {s.name: pk for pk, s in analyst.schools.items()}
    withheld = analyst.hidden["chronic_counted"]
    assert selectors.grade_key(("school", by_name["Part 0"]), "05") in withheld
    # The part viewer's school cells are the analyst's, decided once.
    for name in ("Part 0", "Part 1"):
        for grade in ("05", "06"):
            key = selectors.grade_key(("school", by_name[name]), grade)
            assert (key in part.hidden["chronic_counted"]) == (key in withheld), key


def test_an_insiders_own_cell_taken_out_leaves_no_small_cell_alone(w: World) -> None:
    """The analyst's grade 05 withheld Part 0 (3) and Other 0 (5) only: Other 0's principal,
    who knows their 5, would have had Part 0's 3 from the network's total. A third cell of the
    grade (Part 1, the next smallest) is withheld too; the insider sees their own school."""
    analyst = selectors.chronic_table(w.users["analyst"], D30)
    by_name = {s.name: pk for pk, s in analyst.schools.items()}
    withheld = analyst.hidden["chronic_counted"]
    assert selectors.grade_key(("school", by_name["Part 1"]), "05") in withheld
    insider = selectors.chronic_table(w.users["insider"], D30)
    assert not insider.hidden["chronic_counted"]


def test_the_viewers_morning_pages_together_pin_no_small_count(w: World) -> None:
    users = [w.users[who] for who in ("analyst", "part", "insider")]
    values, hidden, relations = together(morning_figures, users, D30, "absent")
    assert {k for k in hidden if 0 < values[k] < 5}, "the data must hold a withheld small count"
    possible = _possible(values, relations, hidden, cap=max(values.values()) + 6)
    assert all(len(found) > 1 for found in possible.values()), possible


def test_a_page_of_schools_that_is_no_group_withholds_a_total_an_insider_would_undo(
    w: World,
) -> None:
    """Part 0 (3 absent) and Other 0 (5) are both withheld from the analyst; their total (8)
    on a page of just those two would give Other 0's principal Part 0's 3."""
    decision = selectors.morning_decision(w.users["analyst"], D30)
    by_name = dict(School.objects.filter(name__in=GRADE_05).values_list("name", "pk"))
    hidden = decision.page_hidden([by_name["Part 0"], by_name["Other 0"]])["absent"]
    assert ("school", by_name["Part 0"]) in hidden
    assert selectors.TOTAL in hidden
