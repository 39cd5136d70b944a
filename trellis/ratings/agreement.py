"""Rater agreement: exact agreement, agreement within one level, and Cohen's weighted kappa.

Kappa uses linear weights, w = |i - j| / (k - 1) for levels i and j of k: disagreeing by one
level costs a third of disagreeing by three on a four-level scale.

The ratings are never loaded one by one: the database pairs them and counts each combination
of levels per pair of raters (`pair_counts`); the figures are computed from those counts, at
most k² rows per pair of raters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet


@dataclass(frozen=True)
class Agreement:
    n: int
    exact: float  # share of pairs on the same level
    within_one: float  # share of pairs at most one level apart
    kappa: float | None  # None when undefined: a rater used a single level (no variation)

    @property
    def kappa_text(self) -> str:
        """Kappa as the page and the exports show it: a rater who gave every subject the same
        level leaves chance agreement nothing to measure against (kappa would read 0, or
        divide by zero), so no number is shown."""
        return "not defined (no variation)" if self.kappa is None else f"{self.kappa:.2f}"


def agreement(pairs: Sequence[tuple[int, int]], levels: Sequence[int]) -> Agreement:
    """Agreement over pairs (level given by rater A, by rater B) on an ordered scale."""
    return agreement_from_counts(Counter(pairs), levels)


def agreement_from_counts(joint: Mapping[tuple[int, int], int], levels: Sequence[int]) -> Agreement:
    """Agreement from how many pairs gave each combination of levels (A's level, B's level)."""
    n = sum(joint.values())
    if n == 0:
        return Agreement(0, 0.0, 0.0, None)
    exact = sum(c for (a, b), c in joint.items() if a == b) / n
    within = sum(c for (a, b), c in joint.items() if abs(a - b) <= 1) / n
    scale = sorted(set(levels) | {a for a, _ in joint} | {b for _, b in joint})
    rank = {level: i for i, level in enumerate(scale)}
    k = len(scale)
    if k < 2:
        return Agreement(n, exact, within, None)
    rows: Counter[int] = Counter()
    cols: Counter[int] = Counter()
    for (a, b), count in joint.items():
        rows[rank[a]] += count
        cols[rank[b]] += count
    if len(rows) < 2 or len(cols) < 2:
        # One rater used a single level: kappa is 0 (or 0/0) by construction, whatever the
        # other did, which reads as "no better than chance". It is not defined.
        return Agreement(n, exact, within, None)
    weight = lambda i, j: abs(i - j) / (k - 1)  # noqa: E731
    disagreement = sum(weight(rank[a], rank[b]) * c for (a, b), c in joint.items()) / n
    expected = sum(weight(i, j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / n**2
    kappa = None if expected == 0 else 1 - disagreement / expected
    return Agreement(n, exact, within, kappa)


def pair_counts(
    ratings: QuerySet[Any], subject_field: str
) -> dict[tuple[int, int], Counter[tuple[int, int]]]:
    """For every two raters (by user id, lower first) who rated the same subject on the same
    competency (matched by its CASE identifier, so versions line up): how many times they gave
    each combination of levels. One grouped self-join in the database.

    `ratings` holds at most one rating per rater, subject and competency (the caller keeps the
    latest, or a round has one)."""
    rows = (
        ratings.filter(rater__isnull=False)
        .order_by()
        .annotate(
            r_rater=F("rater_id"),
            r_subject=F(f"{subject_field}_id"),
            r_item=F("item__case_identifier"),
            r_level=F("level__position"),
        )
        .values("r_rater", "r_subject", "r_item", "r_level")
    )
    sql, params = rows.query.sql_with_params()
    query = f"""
        SELECT a.r_rater, b.r_rater, a.r_level, b.r_level, COUNT(*)
        FROM ({sql}) a JOIN ({sql}) b
          ON a.r_subject = b.r_subject AND a.r_item = b.r_item AND a.r_rater < b.r_rater
        GROUP BY a.r_rater, b.r_rater, a.r_level, b.r_level
    """  # noqa: S608 (the inner SQL is Django's own, with its parameters passed separately)
    result: dict[tuple[int, int], Counter[tuple[int, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *params])
        for rater_a, rater_b, level_a, level_b, count in cursor.fetchall():
            result.setdefault((rater_a, rater_b), Counter())[(level_a, level_b)] += count
    return result


def agreement_table(
    ratings: QuerySet[Any], subject_field: str, levels: Sequence[int]
) -> dict[str, Any]:
    """Rows per pair of raters (ids, figures) and the figures over every pair."""
    counts = pair_counts(ratings, subject_field)
    overall: Counter[tuple[int, int]] = Counter()
    rows = []
    for pair, joint in sorted(counts.items()):
        overall.update(joint)
        rows.append({"rater_ids": pair, "result": agreement_from_counts(joint, levels)})
    return {
        "rows": rows,
        "overall": agreement_from_counts(overall, levels) if overall else None,
        "levels": list(levels),
    }


def pair_counts_by_item(
    ratings: QuerySet[Any], subject_field: str
) -> dict[str, dict[tuple[int, int], Counter[tuple[int, int]]]]:
    """As `pair_counts`, kept apart per competency (by CASE identifier): one grouped self-join."""
    rows = (
        ratings.filter(rater__isnull=False)
        .order_by()
        .annotate(
            r_rater=F("rater_id"),
            r_subject=F(f"{subject_field}_id"),
            r_item=F("item__case_identifier"),
            r_level=F("level__position"),
        )
        .values("r_rater", "r_subject", "r_item", "r_level")
    )
    sql, params = rows.query.sql_with_params()
    query = f"""
        SELECT a.r_item, a.r_rater, b.r_rater, a.r_level, b.r_level, COUNT(*)
        FROM ({sql}) a JOIN ({sql}) b
          ON a.r_subject = b.r_subject AND a.r_item = b.r_item AND a.r_rater < b.r_rater
        GROUP BY a.r_item, a.r_rater, b.r_rater, a.r_level, b.r_level
    """  # noqa: S608 (the inner SQL is Django's own, with its parameters passed separately)
    result: dict[str, dict[tuple[int, int], Counter[tuple[int, int]]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *params])
        for item, rater_a, rater_b, level_a, level_b, count in cursor.fetchall():
            pairs = result.setdefault(item, {})
            pairs.setdefault((rater_a, rater_b), Counter())[(level_a, level_b)] += count
    return result
