"""The suppression audit's question, "can this withheld cell take another value?", answered by a
graph search where the reader's programme is a network flow (`suppression._Programme`).

The programme of a group of withheld cells is A x = b with l <= x <= u: a row per relation
(total minus parts), a column per withheld cell, the labels' bounds integral. When every column
has at most two non-zero entries, each +1 or -1, and the rows can be multiplied by +1 or -1 so
that every column with two entries reads +1 in one and -1 in the other, the signed matrix is
the incidence matrix of a directed graph: each cell an arc from the row where it reads -1 to the
row where it reads +1, a row of its own missing being a ground node (whose equation, minus the
sum of the others, the others imply). Multiplying an equation by -1 changes no solution, so the
reader's possible figures are exactly the feasible flows of that graph, the true figures one.

Exact, not an approximation: x' is feasible exactly when x' - x is a circulation within the
bounds' slack, and a circulation splits into cycles each feasible on its own in the residual
graph of x (an arc with slack above is an edge tail -> head, one with slack below head -> tail).
So a cell can be more than it is exactly when a path leads from its head back to its tail
without the cell itself, and less when one leads from its tail to its head; and since the
matrix is totally unimodular and the bounds integral, a move at all is a move by a whole unit:
the programme's answer ("moves by one or more") is the same, with no solver and no tolerance.
A group that is not a network (a cell in three relations, a cell twice in one, rows that cannot
be signed) returns None and keeps its linear programme.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence

import numpy

GROUND = -1


class Network:
    """A group's withheld cells as arcs (`tails[i]` -> `heads[i]`, rows or GROUND)."""

    def __init__(self, tails: list[int], heads: list[int]) -> None:
        self.tails = tails
        self.heads = heads

    @classmethod
    def of(cls, columns: Sequence[Sequence[tuple[int, float]]]) -> Network | None:
        """The network of a matrix given column by column (each column's rows and entries,
        zeros left out), or None where the matrix is not one."""
        entries_of: list[list[tuple[int, int]]] = []
        linked: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for column in columns:
            if len(column) > 2:
                return None  # a cell in three relations or more
            entries = []
            for row, a in column:
                if a not in (1.0, -1.0):
                    return None  # a cell twice in one relation
                entries.append((row, int(a)))
            entries_of.append(entries)
            if len(entries) == 2:
                (r1, a1), (r2, a2) = entries
                # Signed, r1's entry and r2's must be opposite: sign(r2) = -a1 * a2 * sign(r1).
                linked[r1].append((r2, -a1 * a2))
                linked[r2].append((r1, -a1 * a2))
        # Two-colour the rows (each connected set of rows from its smallest, for a fixed answer).
        signs: dict[int, int] = {}
        for start in sorted({row for entries in entries_of for row, _ in entries}):
            if start in signs:
                continue
            signs[start] = 1
            todo = [start]
            while todo:
                row = todo.pop()
                for other, relative in linked[row]:
                    wanted = signs[row] * relative
                    if other not in signs:
                        signs[other] = wanted
                        todo.append(other)
                    elif signs[other] != wanted:
                        return None
        tails, heads = [], []
        for entries in entries_of:
            tail = head = GROUND
            for row, a in entries:
                if signs[row] * a > 0:
                    head = row
                else:
                    tail = row
            tails.append(tail)
            heads.append(head)
        return cls(tails, heads)

    @classmethod
    def of_matrix(
        cls, starts: numpy.ndarray, index: numpy.ndarray, value: numpy.ndarray
    ) -> Network | None:
        """`of` a column-wise sparse matrix (HiGHS's: column starts, row indices, entries)."""
        return cls.of(
            [
                [(int(index[at]), float(value[at])) for at in range(starts[c], starts[c + 1])]
                for c in range(len(starts) - 1)
            ]
        )

    def pinned(
        self,
        cells: Sequence[int],
        truth: Sequence[float],
        lower: Sequence[float],
        upper: Sequence[float],
    ) -> set[int]:
        """Which of `cells` have one possible value, the figures `truth` and each cell within
        `lower` and `upper` (the labels', or the truth for a cell the reader knows)."""
        # The residual graph of the true flow: node -> [(next node, the cell it moves)].
        residual: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i, (tail, head) in enumerate(zip(self.tails, self.heads, strict=True)):
            if truth[i] < upper[i]:
                residual[tail].append((head, i))
            if truth[i] > lower[i]:
                residual[head].append((tail, i))

        def reaches(source: int, target: int, without: int) -> bool:
            if source == target:
                return True  # a cell in no relation (its entries cancelled): its bounds alone
            seen, queue = {source}, deque([source])
            while queue:
                for further, cell in residual[queue.popleft()]:
                    if cell == without or further in seen:
                        continue
                    if further == target:
                        return True
                    seen.add(further)
                    queue.append(further)
            return False

        # A cycle through a cell's arc stays within one strongly connected component: a cell
        # whose ends lie in two is pinned, and one that can move one way only (at a bound of
        # its label) moves when its ends share one (the path back cannot use the cell itself).
        # Only a cell free both ways needs a search without itself.
        component = _components(residual)
        found = set()
        for i in cells:
            tail, head = self.tails[i], self.heads[i]
            up, down = truth[i] < upper[i], truth[i] > lower[i]
            if tail == head:
                moves = up or down  # a cell in no relation (its entries cancelled)
            elif component.get(tail, tail) != component.get(head, head):
                moves = False
            elif up != down:
                moves = True
            else:
                moves = up and (reaches(head, tail, i) or reaches(tail, head, i))
            if not moves:
                found.add(i)
        return found


def _components(edges: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
    """Each node's strongly connected component (named by one of its nodes), Kosaraju's two
    depth-first passes, iterative (a metropolitan system's graph is thousands of nodes deep)."""
    finished: list[int] = []
    seen: set[int] = set()
    for start in list(edges):
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(edges[start]))]
        while stack:
            node, further = stack[-1]
            for after, _ in further:
                if after not in seen:
                    seen.add(after)
                    stack.append((after, iter(edges.get(after, ()))))
                    break
            else:
                stack.pop()
                finished.append(node)
    backwards: dict[int, list[int]] = defaultdict(list)
    for node, out in list(edges.items()):
        for after, _ in out:
            backwards[after].append(node)
    component: dict[int, int] = {}
    for start in reversed(finished):
        if start in component:
            continue
        component[start] = start
        todo = [start]
        while todo:
            for before in backwards[todo.pop()]:
                if before not in component:
                    component[before] = start
                    todo.append(before)
    return component
