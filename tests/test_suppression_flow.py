"""The suppression audit's graph searches (`core.suppression_flow`) give the linear programmes'
answers wherever a group of withheld cells is a network, and a group that is not one keeps its
programme."""

from __future__ import annotations

import random

from trellis.core.suppression import _Audit, _groups, _Programme, pinned, threshold


def _random_network(rng: random.Random) -> tuple[dict[object, int], list[tuple[object, list]]]:  # type: ignore[type-arg]
    """Relations whose cells each lie in at most two of them with compatible signs: each
    relation gets a side (+1 or -1); a cell that is a part of two lies in relations of
    opposite sides, a total that is also a part lies in relations of the same side. The figures
    need not add up: a reader is granted whatever gap the shown figures leave."""
    count = rng.randint(1, 9)
    side = [rng.choice((1, -1)) for _ in range(count)]
    parts: list[list[object]] = [[] for _ in range(count)]
    totals: list[object] = []
    for r in range(count):
        # A relation's total is a part of another on its side, now and then.
        same = [o for o in range(count) if o != r and side[o] == side[r]]
        totals.append(("total", r))
        if same and rng.random() < 0.4:
            parts[rng.choice(same)].append(("total", r))
    for n in range(rng.randint(count, 5 * count)):
        r = rng.randrange(count)
        parts[r].append(("cell", n))
        other = [o for o in range(count) if side[o] != side[r]]
        if other and rng.random() < 0.7:
            parts[rng.choice(other)].append(("cell", n))
    relations = [(totals[r], parts[r]) for r in range(count)]
    keys = {k for total, ps in relations for k in (total, *ps)}
    draws = (0, 1, 1, 2, 3, 4, 4, 5, 6, 9, 14)
    values = {key: rng.choice(draws) for key in sorted(keys, key=repr)}
    return values, relations


def _answers(
    values: dict[object, int],
    relations: list,  # type: ignore[type-arg]
    withheld: set[object],
    known: set[object],
    *,
    flow: bool,
) -> tuple[set[object], set[object], bool]:
    """What `_Programme.pinned` answers over every group, the cells found to move, and whether
    every group was taken as a network."""
    found: set[object] = set()
    free: set[object] = set()
    networks = True
    for keys, tied in _groups(relations, withheld):
        programme = _Programme(values, tied, keys, threshold(), flow=flow)
        networks = networks and (not programme.rows or programme.network is not None)
        with programme.known(known):
            found |= programme.pinned(programme.small(known), free)
    return found, free, networks


def test_the_graph_searches_answer_as_the_programmes_on_random_networks() -> None:
    """Over 600 random network-shaped tables, each with a random pattern withheld and some
    cells known to the reader (an insider): the same cells pinned, and the same found to move."""
    rng = random.Random(20261201)
    pins = 0
    for _ in range(600):
        values, relations = _random_network(rng)
        withheld = {k for k, v in values.items() if 0 < v < 5 or rng.random() < 0.3}
        known = {k for k in withheld if rng.random() < 0.15}
        by_flow = _answers(values, relations, withheld, known, flow=True)
        by_programme = _answers(values, relations, withheld, known, flow=False)
        assert by_flow[2], relations
        assert by_flow[:2] == by_programme[:2], (values, relations, withheld, known)
        pins += len(by_flow[0])
    assert pins > 50  # the draws pin cells often enough for the comparison to mean something


def test_a_group_that_is_not_a_network_keeps_its_programme() -> None:
    """A cell in three relations (a network's total, as the attendance pages list it: within
    the system's, over its schools and over its grades): not a network, the programme answers.
    The system's total (20) less the other network (14) leaves this one's 6; its grades are 1
    ("fewer than 5") and 5 ("not shown", at least 5): the grade of 1 has one possible value."""
    values: dict[object, int] = {
        "system": 20,
        "other": 14,
        "network": 6,
        "school a": 6,
        "school b": 0,
        "grade 1": 1,
        "grade 2": 5,
    }
    relations: list[tuple[object, list[object]]] = [
        ("system", ["network", "other"]),
        ("network", ["school a", "school b"]),
        ("network", ["grade 1", "grade 2"]),
    ]
    withheld = {"network", "grade 1", "grade 2"}
    [(keys, tied)] = _groups(relations, withheld)
    assert _Programme(values, tied, keys, threshold()).network is None
    assert pinned(values, relations, withheld) == {"grade 1"}
    # The other network and this one's school of 6 withheld too, this one's total is free (6 to
    # 15) and grade 1 with it.
    assert pinned(values, relations, withheld | {"other", "school a"}) == set()


def test_the_audit_kept_between_rounds_answers_as_pinned_each_round() -> None:
    """`_protect`'s audit keeps its groups and one programme from round to round, only bounds
    changed as cells are withheld: over random tables, networks or not (a cell now and then in
    a third relation), each round's answers are those of `pinned` made afresh."""
    rng = random.Random(1201)
    for n in range(200):
        values, relations = _random_network(rng)
        if n % 2:
            keys = sorted(values, key=repr)
            for _ in range(rng.randint(1, 3)):
                relations.append((rng.choice(keys), rng.sample(keys, min(len(keys), 3))))
        audit = _Audit(values, relations, threshold())
        withheld = {k for k, v in values.items() if 0 < v < 5}
        fresh = set(withheld)
        free: set[object] = set()
        free_afresh: set[object] = set()
        for _ in range(4):
            audit.withhold(fresh)
            found = audit.pinned(fresh, free)
            assert found == pinned(values, relations, withheld, changed=fresh, free=free_afresh)
            assert free == free_afresh
            fresh = {k for k in values if k not in withheld and rng.random() < 0.2}
            withheld |= fresh
