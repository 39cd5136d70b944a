"""Small counts: complementary suppression (repairs issue, item 7) and who sees counts exactly
(item 8)."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import World
from trellis.core.suppression import protect
from trellis.people.models import Person, Position, PositionKind
from trellis.people.services import people_bulk_create
from trellis.students.models import Student
from trellis.students.services import students_bulk_create

START = "2020-08-01"


def add_students(world: World, school, n: int, prefix: str) -> None:  # type: ignore[no-untyped-def]
    students_bulk_create(
        actor=None,
        system=world.system,
        students=[
            Student(school=school, sourced_id=f"{prefix}{i}", grade="09" if i % 2 else "10")
            for i in range(n)
        ],
    )


def add_teachers(world: World, school, n: int) -> None:  # type: ignore[no-untyped-def]
    people, positions = [], []
    for i in range(n):
        person = Person(given_name=f"T{i}", family_name=f"Teacher{i}")
        people.append(person)
        positions.append(
            Position(person=person, kind=PositionKind.TEACHER, school=school, starts_on=START)
        )
    people_bulk_create(actor=None, system=world.system, people=people, positions=positions)


def test_protect_hides_the_next_smallest_cell_when_a_total_would_reveal_one() -> None:
    values = {"all": 23, "oak": 3, "pine": 20}
    assert protect(values, [("all", ["oak", "pine"])]) == {"oak", "pine"}
    # Two small cells that add up to less than 5 are not enough either.
    values = {"all": 42, "a": 1, "b": 2, "c": 9, "d": 30}
    assert protect(values, [("all", ["a", "b", "c", "d"])]) == {"a", "b", "c"}
    # No total shown: nothing more to hide; cells the viewer may open are never hidden.
    assert protect({"a": 1, "b": 9}, []) == {"a"}
    assert protect(values, [("all", ["a", "b", "c", "d"])], open_keys={"a", "b", "c", "d"}) == set()
    # A hidden total whose parts are all shown gets a part hidden.
    assert protect({"t": 30, "x": 10, "y": 20}, [("t", ["x", "y"])], hidden={"t"}) == {"t", "x"}


def school_counts_from_the_list(client, column: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.get("/schools/?format=csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    return {row["School"]: row[column] for row in rows}


def test_item7_a_small_schools_students_cannot_be_recovered_by_subtraction(world: World) -> None:
    add_students(world, world.school, 3, "oak")  # Oak Hill: 1-4 students
    add_students(world, world.other_school, 20, "pine")
    client = world.client("analyst")
    home = client.get("/").content.decode()
    found = re.search(r"Students enrolled</p><p class=\"stat mb-0\">([\d,]+)<", home)
    assert found is not None
    total = int(found[1])
    assert total == 23
    # Page, export and API all withhold Pine Ridge's 20 too: 23 - 20 would give Oak Hill's 3.
    page = client.get("/schools/").content.decode()
    assert "fewer than 5" in page and "not shown" in page and ">20<" not in page
    exported = school_counts_from_the_list(client, "Students")
    assert exported == {"Oak Hill Elementary": "fewer than 5", "Pine Ridge Middle": "not shown"}
    api = client.get("/api/v1/schools").json()["items"]
    assert {s["name"]: s["students_enrolled"] for s in api} == {
        "Oak Hill Elementary": None,
        "Pine Ridge Middle": None,
    }
    assert all("students_enrolled" in s["suppressed"] for s in api)
    one = client.get(f"/api/v1/schools/{world.other_school.pk}").json()
    assert one["students_enrolled"] is None
    # The school page's grades do not give Pine Ridge's total back either.
    grades = client.get(f"/schools/{world.other_school.pk}/").content.decode()
    assert ">10<" not in grades.split("Students enrolled by grade")[1]


def test_item7_staff_by_kind_totals_do_not_reveal_a_small_school(world: World) -> None:
    # Oak Hill: a principal, a teacher leader and one teacher; Pine Ridge: 21 teachers.
    add_teachers(world, world.other_school, 20)
    client = world.client("analyst")
    home = client.get("/").content.decode()
    found = re.search(r">Teacher</th><td class=\"text-end\">([^<]+)<", home)
    assert found is not None
    teachers = found[1]
    exported = school_counts_from_the_list(client, "Current staff")
    assert exported["Oak Hill Elementary"] == "fewer than 5"
    # Teachers in all schools minus Pine Ridge's staff would give Oak Hill's teacher.
    assert not (teachers.replace(",", "").isdigit() and exported["Pine Ridge Middle"].isdigit())
    assert (teachers, exported["Pine Ridge Middle"]) == ("22", "not shown")
    api = client.get("/api/v1/schools").json()["items"]
    assert {s["name"]: s["current_staff"] for s in api}["Pine Ridge Middle"] == (
        int(exported["Pine Ridge Middle"]) if exported["Pine Ridge Middle"].isdigit() else None
    )


def test_item8_counts_are_exact_for_viewers_who_may_open_the_people(world: World) -> None:
    school = f"/schools/{world.school.pk}/"
    principal = world.client("principal").get(school).content.decode()
    staff = principal.split('id="staff-h"')[1].split('id="students-h"')[0]
    assert "fewer than 5" not in staff
    assert re.search(r">Principal</th><td class=\"text-end\">1<", staff)
    assert "Paula Prince" in principal  # the table naming the principal
    # The analyst may not open the people: the same counts are suppressed.
    analyst = world.client("analyst").get(school).content.decode()
    assert re.search(r">Principal</th><td class=\"text-end\">fewer than 5<", analyst)
    # The district leader may open every person: exact in the list, export and API.
    assert school_counts_from_the_list(world.client("leader"), "Current staff") == {
        "Oak Hill Elementary": "3",
        "Pine Ridge Middle": "1",
    }
    api = world.client("leader").get(f"/api/v1/schools/{world.school.pk}").json()
    assert api["current_staff"] == 3 and "current_staff" not in api["suppressed"]
    # Students stay suppressed for the leader (no role of theirs opens student records).
    assert "students_enrolled" not in api["suppressed"]  # zero is shown
    add_students(world, world.school, 2, "oak")
    api = world.client("leader").get(f"/api/v1/schools/{world.school.pk}").json()
    assert api["students_enrolled"] is None


def test_item8_a_supervisor_sees_their_networks_staff_counts_exactly(world: World) -> None:
    # A supervisor of one network sees its people: nothing of theirs is suppressed.
    content = world.client("supervisor").get("/").content.decode()
    assert "fewer than 5" not in content.split("Current staff in your schools")[1]


@given(
    st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=5), min_size=1, max_size=6),
    st.sets(st.integers(0, 5), max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_protect_never_leaves_a_small_cell_recoverable(
    rows: list[list[int]], opened: set[int]
) -> None:
    """Over a table with row and column totals: no small cell is shown unless open, and no shown
    total has a lone hidden part or hidden parts adding up to less than 5."""
    width = max(len(r) for r in rows)
    values: dict[object, int] = {}
    for i, row in enumerate(rows):
        for j in range(width):
            values[(i, j)] = row[j] if j < len(row) else 0
        values[("row", i)] = sum(values[(i, j)] for j in range(width))
    for j in range(width):
        values[("col", j)] = sum(values[(i, j)] for i in range(len(rows)))
    relations = [(("row", i), [(i, j) for j in range(width)]) for i in range(len(rows))]
    relations += [(("col", j), [(i, j) for i in range(len(rows))]) for j in range(width)]
    open_keys = {(i, j) for i in opened for j in range(width)} | {("row", i) for i in opened}
    hidden = protect(values, relations, open_keys=open_keys)
    assert not hidden & open_keys
    for key, value in values.items():
        if 0 < value < 5 and key not in open_keys:
            assert key in hidden, key
    for total, parts in relations:
        if total in hidden:
            continue
        secret = [values[p] for p in parts if p in hidden]
        assert len(secret) != 1, (total, secret)
        # What stays unknown together must not be a small number either.
        assert not secret or sum(secret) >= 5, (total, secret)


def _network(cells: dict[tuple[int, int], int]) -> tuple[dict[object, int], list]:  # type: ignore[type-arg]
    """A network's schools by grades, as the chronic pages show it: each school's total, each
    grade's total over the network, the network's total, each the sum of its cells."""
    schools = sorted({s for s, _ in cells})
    grades = sorted({g for _, g in cells})
    values: dict[object, int] = {("cell", s, g): v for (s, g), v in cells.items()}
    for s in schools:
        values[("school", s)] = sum(cells[(s, g)] for g in grades)
    for g in grades:
        values[("grade", g)] = sum(cells[(s, g)] for s in schools)
    values["network"] = sum(cells.values())
    relations: list[tuple[object, list[object]]] = [
        (("school", s), [("cell", s, g) for g in grades]) for s in schools
    ]
    relations += [(("grade", g), [("cell", s, g) for s in schools]) for g in grades]
    relations += [("network", [("school", s) for s in schools])]
    relations += [("network", [("grade", g) for g in grades])]
    return values, relations


def _possible(  # type: ignore[no-untyped-def]
    values: dict[object, int],
    relations: list,
    hidden: set,
    cap: int,
    known=(),  # type: ignore[type-arg]
) -> dict:  # type: ignore[type-arg]
    """Every value each withheld "fewer than 5" cell can take, by search (no linear programme):
    what a reader knows is every shown figure, every relation, and the labels ("fewer than 5" is
    1 to 4, "not shown" at least 5, tried up to `cap`), and `known` figures exactly (an
    insider's own school).

    The search narrows every figure's bounds by every relation until nothing moves, then halves
    the widest-open figure's range and tries both halves: exact, and fast whatever the draws
    (trying one value after another took up to a quarter of an hour on some networks)."""
    hidden = set(hidden) - set(known)
    start = {key: (value, value) for key, value in values.items() if key not in hidden}
    for key in hidden:
        value = values[key]
        start[key] = (1, 4) if 0 < value < 5 else (0 if value == 0 else 5, cap)

    def narrowed(bounds: dict[object, tuple[int, int]]) -> dict[object, tuple[int, int]] | None:
        bounds = dict(bounds)
        moved = True
        while moved:
            moved = False
            for total, parts in relations:
                lo = sum(bounds[p][0] for p in parts)
                hi = sum(bounds[p][1] for p in parts)
                t_lo, t_hi = bounds[total]
                t_lo, t_hi = max(t_lo, lo), min(t_hi, hi)
                if t_lo > t_hi:
                    return None
                if (t_lo, t_hi) != bounds[total]:
                    bounds[total], moved = (t_lo, t_hi), True
                for part in parts:
                    p_lo, p_hi = bounds[part]
                    # What the total leaves this part once the others take their most or least.
                    n_lo = max(p_lo, t_lo - (hi - p_hi))
                    n_hi = min(p_hi, t_hi - (lo - p_lo))
                    if n_lo > n_hi:
                        return None
                    if (n_lo, n_hi) != (p_lo, p_hi):
                        bounds[part], moved = (n_lo, n_hi), True
                        lo, hi = lo - p_lo + n_lo, hi - p_hi + n_hi
        return bounds

    def solvable(bounds: dict[object, tuple[int, int]]) -> bool:
        found = narrowed(bounds)
        if found is None:
            return False
        open_keys = [k for k, (lo, hi) in found.items() if lo < hi]
        if not open_keys:
            return True
        key = max(open_keys, key=lambda k: found[k][1] - found[k][0])
        lo, hi = found[key]
        middle = (lo + hi) // 2
        return solvable({**found, key: (lo, middle)}) or solvable({**found, key: (middle + 1, hi)})

    return {
        key: {v for v in range(1, 5) if solvable({**start, key: (v, v)})}
        for key in hidden
        if 0 < values[key] < 5
    }


def test_protect_leaves_no_cell_pinned_by_chaining_relations() -> None:
    """The walk's case (issue 12): no single relation gives a cell away, but a network's grade
    total, a school's total and another grade together do. Grade 2 of schools 1 and 2 are both
    "not shown" (at least 5) and add up to the network's grade 2 (10), so each is 5; school 1's
    total (20) less its grade 3 (12) and that 5 left its grade 1 at 3."""
    values, relations = _network(
        {(0, 1): 4, (0, 2): 0, (0, 3): 2, (1, 1): 3, (1, 2): 5, (1, 3): 12}
        | {(2, 1): 2, (2, 2): 5, (2, 3): 6}
    )
    hidden = protect(values, relations)
    assert ("cell", 1, 1) in hidden
    possible = _possible(values, relations, hidden, cap=values["network"] + 6)
    assert all(len(found) > 1 for found in possible.values()), possible


def test_protect_withholds_further_along_when_a_pinned_cells_relations_are_all_withheld() -> None:
    """Only the network's grade 2 and its total are shown; together they pin school 0's grade 1
    (1) though every relation school 0's grade 1 is in is withheld whole."""
    values, relations = _network(
        {(0, 1): 1, (0, 2): 2, (0, 3): 3, (1, 1): 5, (1, 2): 4} | {(1, 3): 2}
    )
    hidden = protect(values, relations)
    possible = _possible(values, relations, hidden, cap=values["network"] + 6)
    assert len(possible[("cell", 0, 1)]) > 1


@given(
    st.integers(2, 3),
    st.integers(2, 3),
    st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 12]), min_size=9, max_size=9),
)
@settings(max_examples=200, deadline=None)
def test_protect_leaves_no_small_cell_with_one_possible_value(
    schools: int, grades: int, draws: list[int]
) -> None:
    """Over any small network, trying every value a withheld cell could take: each "fewer than
    5" keeps more than one possible value, whatever relations a reader chains, unless the labels
    alone pin it (every figure withheld and still one value: four cells "fewer than 5" under a
    total "fewer than 5" are each 1), which no withholding can help."""
    cells = {(s, g): draws[s * 3 + g] for s in range(schools) for g in range(grades)}
    values, relations = _network(cells)
    hidden = protect(values, relations)
    cap = values["network"] + 6
    possible = _possible(values, relations, hidden, cap=cap)
    by_labels = _possible(values, relations, set(values), cap=cap)
    assert all(len(found) > 1 or len(by_labels[k]) == 1 for k, found in possible.items()), possible


def test_cells_the_labels_alone_pin_are_left_as_they_are() -> None:
    """Every cell 1 and the network's total 4: all "fewer than 5", each pinned to 1 by the labels
    alone (hypothesis found it). Nothing more to withhold: `protect` ends, every figure withheld."""
    values, relations = _network({(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 1})
    assert protect(values, relations) == set(values)


def test_an_insider_learns_no_withheld_cell_of_another_school_from_one_relation() -> None:
    """The walk's case (issue 12, stop 23): Douglass's principal knows its grade 03 (7); the
    network's grade 03 (16) less that gave Madison's grade 03 (9, "not shown") exactly, and
    Madison's total less its shown grades and that 9 gave its grade 04 (3). A relation whose
    withheld cells an insider would leave one of is withheld further."""
    grades = ["KG", "01", "02", "03", "04", "05"]
    madison = dict(zip(grades, [11, 9, 12, 9, 3, 9], strict=True))
    douglass = dict(zip(grades, [20, 20, 20, 7, 20, 20], strict=True))
    values, relations = _network(
        {
            (s, g): school[grade]
            for s, school in enumerate((douglass, madison))
            for g, grade in enumerate(grades)
        }
    )
    insiders = {k: k[1] for k in values if isinstance(k, tuple) and k[0] in ("cell", "school")}
    hidden = protect(values, relations, insiders=insiders)
    assert ("cell", 1, 4) in hidden
    own = {k for k, owner in insiders.items() if owner == 0}
    possible = _possible(values, relations, hidden - own, cap=values["network"] + 6)
    assert len(possible[("cell", 1, 4)]) > 1, possible


def _insiders_of(values: dict[object, int]) -> dict[object, int]:
    """Each school's cells and total belong to its principal, as the attendance code names them
    (`attendance.selectors._insiders`)."""
    return {
        key: key[1] for key in values if isinstance(key, tuple) and key[0] in ("cell", "school")
    }


@given(
    st.integers(2, 3),
    st.integers(2, 3),
    st.lists(st.integers(0, 12), min_size=9, max_size=9),
)
@settings(max_examples=200, deadline=None)
def test_no_insider_pins_another_schools_small_cell(
    schools: int, grades: int, draws: list[int]
) -> None:
    """Issue 12's known gap: each school's principal knows their own school's figures exactly
    (a cell is known to whoever may list its students). With every shown figure, every relation,
    the labels' bounds and one school's figures known, each "fewer than 5" cell of another
    school keeps more than one possible value, unless the labels and that school's figures
    alone pin it (every other figure withheld and still one value), which no withholding helps."""
    cells = {(s, g): draws[s * 3 + g] for s in range(schools) for g in range(grades)}
    values, relations = _network(cells)
    insiders = _insiders_of(values)
    hidden = protect(values, relations, insiders=insiders)
    cap = values["network"] + 6
    for school in range(schools):
        own = {k for k, owner in insiders.items() if owner == school}
        possible = _possible(values, relations, hidden, cap=cap, known=own)
        pinned = {
            k: found
            for k, found in possible.items()
            if insiders.get(k, school) != school and len(found) == 1
        }
        if pinned:
            by_labels = _possible(values, relations, set(values), cap=cap, known=own)
            pinned = {k: found for k, found in pinned.items() if len(by_labels[k]) > 1}
        assert not pinned, (school, cells, sorted(hidden, key=repr), pinned)
