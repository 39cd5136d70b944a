"""Rater agreement: exact agreement, agreement within one level, and Cohen's weighted kappa.

Kappa uses linear weights, w = |i - j| / (k - 1) for levels i and j of k: disagreeing by one
level costs a third of disagreeing by three on a four-level scale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Agreement:
    n: int
    exact: float  # share of pairs on the same level
    within_one: float  # share of pairs at most one level apart
    kappa: float | None  # None when undefined (both raters used a single level)


def agreement(pairs: Sequence[tuple[int, int]], levels: Sequence[int]) -> Agreement:
    """Agreement over pairs (level given by rater A, by rater B) on an ordered scale."""
    n = len(pairs)
    if n == 0:
        return Agreement(0, 0.0, 0.0, None)
    exact = sum(a == b for a, b in pairs) / n
    within = sum(abs(a - b) <= 1 for a, b in pairs) / n
    scale = sorted(levels)
    rank = {level: i for i, level in enumerate(scale)}
    k = len(scale)
    if k < 2:
        return Agreement(n, exact, within, None)
    observed = Counter((rank[a], rank[b]) for a, b in pairs)
    rows = Counter(rank[a] for a, _ in pairs)
    cols = Counter(rank[b] for _, b in pairs)
    weight = lambda i, j: abs(i - j) / (k - 1)  # noqa: E731
    disagreement = sum(weight(i, j) * count for (i, j), count in observed.items()) / n
    expected = sum(weight(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / n**2
    kappa = None if expected == 0 else 1 - disagreement / expected
    return Agreement(n, exact, within, kappa)
