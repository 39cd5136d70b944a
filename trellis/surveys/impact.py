"""The impact report: every figure of ../shared/docs/product.md's "Metric definitions".

`impact_report` returns a plain dict (the JSON of the command and the API): each figure is a
number, or null with "<figure>_reason" beside it (suppressed under the threshold, or no data).
Percentages are rounded to one decimal, other figures to two. `impact_schools` gives the schools
behind a level's figures (the drill-down), with the same suppression.

A report is always a system's: a program's report covers that program's administrations in the
system and its participants from the system (a partner's fellowship serving several districts
has one report per district).

Pre is the year's `boy` administration, post its `eoy` one. A system's report pools every
administration of the system in that year; a program's report only the program's own.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from trellis.core.numbers import hundredths, signed, tenths
from trellis.core.providers import provider
from trellis.core.suppression import protect, small, threshold
from trellis.learning.models import Community, Cycle, Meeting, PDSession, ReportedStudents
from trellis.orgs.models import School, System
from trellis.people.models import Person, Position, PositionKind
from trellis.programs.models import Participant, Placement, Program
from trellis.ratings.models import Purpose, Rating
from trellis.ratings.selectors import competency_labels
from trellis.rosters.models import Enrollment
from trellis.surveys.models import (
    SCALE_RANGE,
    Administration,
    AlumniAnswer,
    ConsensusRating,
    Item,
    Measures,
    Response,
    Scale,
    Submission,
    Window,
    school_year_label,
)
from trellis.surveys.stats import t_quantile

ORDINAL = (Scale.LIKERT4, Scale.LIKERT5, Scale.AGREE4)
# Compared after rounding to this many places: a mean of answers exactly at 3 is at target.
PLACES = 9

DEFINITIONS = [
    (
        "School conditions score",
        "a school's score on a dimension is the mean of that administration's item responses "
        "(1-4) from its respondents (all answers pooled; reverse-coded items reversed first), "
        "or, where the school leadership team recorded a consensus rating of the four "
        "dimensions (1-4) for that window, the team's rating, in place of the survey's "
        "answers (the schools rated by consensus are counted beside the figures and marked "
        "on the drill-down; a consensus rating is not withheld, it is no figure over people); "
        "the overall score is the mean of the dimension scores. Where two conditions "
        "instruments were given in a window, a school's score is the one of the administration "
        "more of its people answered, never the two pooled. At target: overall ≥ {target}. "
        "Improved: end-of-year overall > beginning-of-year overall, among schools rated at both "
        "points only.",
    ),
    (
        "Knowledge growth",
        "a person's score in a subject is the percentage of that subject's items answered "
        "correctly (0-100; an item left unanswered is not correct). Per person and subject, "
        "post score - pre score among people with both. n, the share whose score rose "
        "(post > pre), the mean change, its 95% confidence interval (Student's t with n - 1 "
        "degrees of freedom) and the effect size d_z = mean change ÷ standard deviation of the "
        "changes (sample standard deviation).",
    ),
    (
        "Beliefs",
        "a school's mean agreement with the problematic-belief items (reverse-coded items "
        "reversed first); decreased = lower at the end than at the beginning, among schools "
        "measured at both points.",
    ),
    (
        "Satisfaction",
        "share of favourable answers (top two points of the scale) among all answers to the "
        "satisfaction items, overall, per item, per session (the surveys given to a PD "
        "session's attendees, from the session's page) and per program (the administrations "
        "given to a program's participants, a program's sessions included); a share over fewer "
        "than {threshold} respondents is not shown, nor is the count of answers beside it.",
    ),
    (
        "Reach",
        "over the school year: distinct schools and systems with an active participant; "
        "teacher leaders = active participants of teacher-leader programs (a teacher-leader "
        "fellowship), or active participants who held a teacher-leader role or led a learning "
        "community in the year; teachers = distinct teachers (a teacher's or teacher leader's "
        "position in the year) who are members of the learning communities (PLCs, content-alike "
        "teams, leadership teams) those teacher leaders led in the year (a meeting held or an "
        "inquiry cycle under way); students = distinct students enrolled (class roster) in a "
        "class those teachers teach, plus, for a teacher none of whose classes is on a roster "
        "that year, the number of students reported for them (by their team's facilitator), "
        "in which case the figure is labelled as including reported counts (a reported "
        "number cannot be told apart from the roster's students: a student on both counts "
        "twice).",
    ),
    (
        "Alumni retention",
        "alumni (participants with a placement) with a current education position at the end "
        "of the school year (a position in Trellis's records covering that day), or who said "
        "in the alumni survey that they work in education (their last answer recorded in the "
        "school year) ÷ alumni whose status is known (a position record in Trellis by the end "
        "of the year, or an answer to the alumni survey in the year; an alumnus with neither "
        "is left out).",
    ),
    (
        "Pre and post",
        "pre is the school year's beginning-of-year (boy) administration, post its end-of-year "
        "(eoy) one; the school year 2018 is 2017-18.",
    ),
    (
        "Use of new practice",
        "for each active participant and competency rated at least twice in the school year "
        "(submitted progress ratings, any rater): the level of the last rating minus that of the "
        "first, in levels of the framework; a person's change is the mean over their "
        "competencies. Improved: a person's change > 0.",
    ),
    (
        "Student outcomes",
        "attendance of the schools served (schools with an active participant), this school "
        "year and the one before: absence rate = absent student-days ÷ enrolled student-days; "
        "chronic absence: a student absent on ≥ 10% of the instructional days they were "
        "enrolled, to date, as of each school's last recorded day of the year.",
    ),
    (
        "Small-cell suppression",
        "a figure over fewer than {threshold} people (or schools) shows as null with its reason.",
    ),
]
# The same, as the page and the PDF show it (they print no "null": a withheld figure is a
# dash with its reason beside it).
SUPPRESSION_ON_PAGE = (
    "a figure over fewer than {threshold} people (or schools) is withheld: its value shows "
    "as “—” with the reason beside it (for example “fewer than {threshold} respondents "
    "answered”)."
)


def definitions(*, page: bool = False) -> list[tuple[str, str]]:
    """The footnote's definitions: as the JSON states them, or (`page`) as the page and the PDF
    show a withheld figure."""
    target = f"{conditions_target():.1f}"
    return [
        (
            name,
            (SUPPRESSION_ON_PAGE if page and name == "Small-cell suppression" else text).format(
                target=target, threshold=threshold()
            ),
        )
        for name, text in DEFINITIONS
    ]


def conditions_target() -> float:
    return float(getattr(settings, "TRELLIS_CONDITIONS_TARGET", 3.0))


def pct(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def two(value: float) -> float:
    return float(hundredths(value))


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year - 1, 7, 1), datetime.date(year, 6, 30)


@dataclass(frozen=True)
class Scope:
    system: System
    year: int
    program: Program | None = None

    def administrations(self) -> QuerySet[Administration]:
        qs = Administration.objects.filter(system=self.system, school_year=self.year)
        return qs.filter(program=self.program) if self.program is not None else qs


def _adjusted() -> Case:
    """An answer's value with reverse-coded items reversed (low + high - value)."""
    value = Cast("value", FloatField())
    whens = [
        When(item__reverse=True, item__scale=scale, then=Value(float(low + high)) - value)
        for scale, (low, high) in SCALE_RANGE.items()
    ]
    return Case(*whens, default=value, output_field=FloatField())


def _answers(scope: Scope, measures: str, window: str | None = None) -> QuerySet[Response]:
    admins = scope.administrations().filter(instrument__measures=measures)
    if window is not None:
        admins = admins.filter(window=window)
    return Response.objects.filter(
        submission__administration__in=admins,
        submission__submitted_at__isnull=False,
        value__isnull=False,
        item__scale__in=ORDINAL,
    )


@dataclass
class SchoolScore:
    overall: float
    respondents: int
    # Rated by the school leadership team's consensus (not over respondents: never withheld).
    consensus: bool = False

    @property
    def withheld(self) -> bool:
        return not self.consensus and _small(self.respondents)


SchoolScores = dict[str, dict[str, dict[int, SchoolScore]]]


def _rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """A grouped query's rows as the database returns them (without Django's per-row
    conversions, which the plain ints, floats and strings of these queries do not need)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _wrapped(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def school_scores_all(scope: Scope, measures: tuple[str, ...]) -> SchoolScores:
    """Measures → window → school → the school's overall score (the mean of its sub-scales'
    means of pooled answers) and its respondents. The database does the arithmetic: the answers
    grouped per school and item (the ORM's query, its filters and the reverse-coding), then per
    sub-scale (pooled mean) and per school (mean of the sub-scales), so only one row per school
    and window comes back (a few thousand at metro size, not the tens of thousands of items)."""
    admins = scope.administrations().filter(
        instrument__measures__in=measures, window__in=(Window.BOY, Window.EOY)
    )
    answers = Response.objects.filter(
        submission__administration__in=admins,
        submission__submitted_at__isnull=False,
        submission__school__isnull=False,
        value__isnull=False,
        item__scale__in=ORDINAL,
    )
    group = (
        "submission__administration__instrument__measures",
        "submission__administration__window",
        "submission__administration_id",
    )
    # Grouped per item (no DISTINCT: a submission answers an item once, so an item's answers
    # are its respondents). A school's respondents in an administration: on each sub-scale the
    # most any one of its items has (everyone answers every item in practice), and the fewest
    # of those over the sub-scales (a sub-scale fewer people answered withholds the score).
    per_item = (
        answers.values_list(*group, "submission__school_id", "item__subscale", "item_id")
        .annotate(total=Sum(_adjusted()), n=Count("pk"))
        .values_list(*group, "submission__school_id", "item__subscale", "total", "n")
        .order_by()
    )
    inner, params = per_item.query.sql_with_params()
    sql = f"""
        WITH per_item (measures, win, admin, school, subscale, total, n) AS ({inner}),
        dims AS (
            SELECT measures, win, admin, school, subscale, SUM(total) / SUM(n) AS m,
                MAX(n) AS most
            FROM per_item GROUP BY measures, win, admin, school, subscale
        )
        SELECT measures, win, admin, school, AVG(m), MIN(most)
        FROM dims GROUP BY measures, win, admin, school
    """
    out: SchoolScores = {m: {Window.BOY: {}, Window.EOY: {}} for m in measures}
    # A school's score is one administration's ("the mean of that administration's item
    # responses"): where two instruments of the measure were given in the window (the built-in
    # survey and a district's own), the one more of the school's people answered (the earlier
    # given on a tie), never their dimensions pooled together.
    chosen: dict[tuple[str, str, int], tuple[int, int]] = {}
    for m, window, admin, school, overall, respondents in sorted(
        _wrapped(sql, list(params)), key=lambda row: row[2]
    ):
        key = (m, window, school)
        if key in chosen and chosen[key][0] >= int(respondents):
            continue
        chosen[key] = (int(respondents), admin)
        out[m][window][school] = SchoolScore(
            overall=round(float(overall), PLACES), respondents=int(respondents)
        )
    if Measures.CONDITIONS in measures:
        # Where the school's leadership team rated the window, its consensus is the school's
        # dimension scores (every dimension is rated at once), whatever the survey says.
        for window, school, overall in consensus_scores(scope):
            out[Measures.CONDITIONS][window][school] = SchoolScore(
                overall=round(overall, PLACES), respondents=0, consensus=True
            )
    return out


def consensus_scores(scope: Scope) -> list[tuple[str, int, float]]:
    """(window, school, the mean of its dimensions' consensus ratings) for the schools whose
    leadership team rated their conditions at the beginning or end of the year: in a
    program's report, only the schools it serves (with an active participant)."""
    ratings = ConsensusRating.objects.filter(
        system=scope.system, school_year=scope.year, window__in=(Window.BOY, Window.EOY)
    )
    if scope.program is not None:
        ratings = ratings.filter(school__in=reach_schools(scope))
    totals: dict[tuple[str, int], list[int]] = defaultdict(list)
    for window, school, value in ratings.values_list("window", "school_id", "value"):
        totals[(window, school)].append(value)
    return [(w, school, sum(v) / len(v)) for (w, school), v in sorted(totals.items())]


def school_scores_by_window(scope: Scope, measures: str) -> dict[str, dict[int, SchoolScore]]:
    return school_scores_all(scope, (measures,))[measures]


def school_scores(scope: Scope, measures: str, window: str) -> dict[int, SchoolScore]:
    """Per school: the mean of each sub-scale's pooled answers, and their mean."""
    return school_scores_by_window(scope, measures)[window]


def _small(n: int) -> bool:
    return n < threshold()


def _share(out: dict[str, Any], key: str, hits: int, n: int, unit: str, what: str) -> None:
    if n == 0:
        out[key], out[f"{key}_reason"] = None, f"no {unit} {what}"
    elif _small(n):
        out[key], out[f"{key}_reason"] = None, f"fewer than {threshold()} {unit} {what}"
    else:
        out[key] = pct(100.0 * hits / n)


def conditions(scope: Scope, scores: SchoolScores | None = None) -> dict[str, Any]:
    target = conditions_target()
    scores = scores or school_scores_all(scope, (Measures.CONDITIONS,))
    boy, eoy = scores[Measures.CONDITIONS][Window.BOY], scores[Measures.CONDITIONS][Window.EOY]
    both = sorted(set(boy) & set(eoy))
    out: dict[str, Any] = {"target": target, "schools_rated_boy": len(boy)}
    out["schools_rated_eoy"] = len(eoy)
    _share(
        out,
        "at_target_boy_pct",
        sum(s.overall >= target for s in boy.values()),
        len(boy),
        "schools",
        "rated at the beginning of the year",
    )
    _share(
        out,
        "at_target_eoy_pct",
        sum(s.overall >= target for s in eoy.values()),
        len(eoy),
        "schools",
        "rated at the end of the year",
    )
    _share(
        out,
        "improved_pct",
        sum(eoy[s].overall > boy[s].overall for s in both),
        len(both),
        "schools",
        "rated at both points",
    )
    out["schools_rated_both"] = len(both)
    out["bands"] = [label for label, _lo, _hi in BANDS]
    for window, rated in (("boy", boy), ("eoy", eoy)):
        key = f"distribution_{window}"
        if _small(len(rated)):
            point = "beginning" if window == "boy" else "end"
            reason = "no schools" if not rated else f"fewer than {threshold()} schools"
            out[key], out[f"{key}_reason"] = None, f"{reason} rated at the {point} of the year"
        else:
            out[key] = distribution(rated)
    out["by_school"] = by_school(boy, eoy)
    # The schools scored by their leadership team's consensus (a count of schools, not people).
    out["schools_by_consensus_boy"] = sum(s.consensus for s in boy.values())
    out["schools_by_consensus_eoy"] = sum(s.consensus for s in eoy.values())
    # ...and their names, which the page shows beside the counts (by_school names only those
    # rated at both points; the drill-down names them all to the same viewers).
    by_team = {
        w: [pk for pk, s in scores.items() if s.consensus]
        for w, scores in (("boy", boy), ("eoy", eoy))
    }
    names = dict(
        School.objects.filter(pk__in=by_team["boy"] + by_team["eoy"]).values_list("pk", "name")
    )
    for window, pks in by_team.items():
        out[f"schools_by_consensus_{window}_names"] = sorted(names[pk] for pk in pks)
    return out


# Bands of a school's overall score (1-4) for the beginning/end-of-year distribution chart; the
# last includes 4.0. A score exactly at a boundary falls in the upper band (3.0 is "3.0-3.5").
BANDS = [
    ("1.0-1.5", 1.0, 1.5),
    ("1.5-2.0", 1.5, 2.0),
    ("2.0-2.5", 2.0, 2.5),
    ("2.5-3.0", 2.5, 3.0),
    ("3.0-3.5", 3.0, 3.5),
    ("3.5-4.0", 3.5, 4.0 + 1e-9),
]


def distribution(scores: dict[int, SchoolScore]) -> dict[str, int]:
    return {label: sum(lo <= s.overall < hi for s in scores.values()) for label, lo, hi in BANDS}


def by_school(boy: dict[int, SchoolScore], eoy: dict[int, SchoolScore]) -> list[dict[str, Any]]:
    """Each school rated at both points: its change (end - beginning), withheld (null with a
    reason) when either point has fewer respondents than the threshold."""
    both = set(boy) & set(eoy)
    names = dict(School.objects.filter(pk__in=both).values_list("pk", "name"))
    out = []
    for pk in sorted(both, key=lambda k: (names[k], k)):
        b, e = boy[pk], eoy[pk]
        entry: dict[str, Any] = {"school": names[pk], "school_id": pk}
        if b.withheld or e.withheld:
            entry["change"] = None
            entry["change_reason"] = f"fewer than {threshold()} respondents"
        else:
            entry["change"] = two(e.overall - b.overall)
        by = [w for w, score in (("boy", b), ("eoy", e)) if score.consensus]
        if by:
            entry["consensus"] = by
        out.append(entry)
    return out


Scores = dict[tuple[int, str], tuple[float, int | None]]


def knowledge_scores_by_window(scope: Scope) -> dict[str, Scores]:
    """Window → (person, subject) → (score 0-100, the school of their submission): one grouped
    query over the answers of both windows (per person, instrument and subject), one over the
    items."""
    admins = scope.administrations().filter(
        instrument__measures=Measures.KNOWLEDGE,
        window__in=(Window.BOY, Window.EOY),
        anonymous=False,
    )
    items = dict(
        ((row["instrument_id"], row["subscale"]), row["n"])
        for row in Item.objects.filter(
            instrument__administrations__in=admins, scale=Scale.CORRECT01
        )
        .exclude(subscale="")
        .values("instrument_id", "subscale")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    correct: dict[tuple[str, int, str], float] = defaultdict(float)
    given: dict[tuple[str, int, str], int] = defaultdict(int)
    schools: dict[tuple[str, int], int | None] = {}
    rows = (
        Response.objects.filter(
            submission__administration__in=admins,
            submission__submitted_at__isnull=False,
            submission__person__isnull=False,
            item__scale=Scale.CORRECT01,
        )
        .exclude(item__subscale="")
        .values_list(
            "submission__administration__window",
            "submission__person_id",
            "submission__administration__instrument_id",
            "item__subscale",
        )
        .annotate(right=Sum(Cast("value", FloatField())))
        .order_by()
    )
    # One row per window, person, instrument and subject: the instrument's items in the subject
    # count once, however many of its administrations the person answered in.
    for window, person, instrument, subject, right in _rows(rows):
        key = (window, person, subject)
        correct[key] += right or 0.0
        given[key] += items.get((instrument, subject), 0)
    # A person's school in a window: that of their (last) submission, read on the submissions.
    for window, person, school in (
        Submission.objects.filter(
            administration__in=admins, submitted_at__isnull=False, person__isnull=False
        )
        .order_by("pk")
        .values_list("administration__window", "person_id", "school_id")
    ):
        schools[(window, person)] = school
    out: dict[str, Scores] = {Window.BOY: {}, Window.EOY: {}}
    for key, n in given.items():
        if n:
            window, person, subject = key
            out[window][(person, subject)] = (100.0 * correct[key] / n, schools[(window, person)])
    return out


def knowledge_scores(scope: Scope, window: str) -> Scores:
    """(person, subject) → (score 0-100, the school of their submission)."""
    return knowledge_scores_by_window(scope)[window]


def knowledge_changes(scope: Scope) -> dict[str, list[tuple[int, float, int | None]]]:
    """Subject (as named) → [(person, post - pre, school at post)] among people with both."""
    scores = knowledge_scores_by_window(scope)
    pre, post = scores[Window.BOY], scores[Window.EOY]
    subjects: dict[str, list[tuple[int, float, int | None]]] = {
        subject: [] for subject in {k[1] for k in pre} | {k[1] for k in post}
    }
    for key, (before, _school) in pre.items():
        after = post.get(key)
        if after is not None:
            subjects[key[1]].append((key[0], after[0] - before, after[1]))
    for entries in subjects.values():
        entries.sort()
    return subjects


def knowledge_withheld(*, system: System, year: int, program: Program | None) -> list[str]:
    """The subjects (as named) whose figures the report withholds: 1 to 4 people with both a
    pre and a post score (none at all is not a withheld figure, there is none)."""
    changes = knowledge_changes(Scope(system, year, program))
    return sorted(s for s, entries in changes.items() if entries and _small(len(entries)))


def growth(changes: list[float]) -> dict[str, Any]:
    """The growth figures of a list of changes (post - pre)."""
    n = len(changes)
    if n < 2:
        return growth_figures(n, sum(c > 0 for c in changes), 0.0, 0.0)
    # math.fsum (exactly rounded sums): statistics.stdev's exact fractions are slow over the
    # tens of thousands of people of a metro district.
    mean = math.fsum(changes) / n
    sd = math.sqrt(math.fsum((c - mean) ** 2 for c in changes) / (n - 1))
    return growth_figures(n, sum(c > 0 for c in changes), mean, sd)


def growth_figures(n: int, rose: int, mean: float, sd: float) -> dict[str, Any]:
    """n, the share who rose, the mean change, its 95% interval and d_z from the aggregates of
    the changes (their count, how many are positive, their mean and sample standard deviation),
    suppressed under the threshold."""
    out: dict[str, Any] = {}
    fields = ("pct_improved", "mean_change", "ci95_low", "ci95_high", "effect_size")
    if n == 0 or _small(n):
        reason = (
            "no one with both a pre and a post score"
            if n == 0
            else f"fewer than {threshold()} people with both a pre and a post score"
        )
        out["n"] = 0 if n == 0 else None
        if n:
            out["n_reason"] = reason
        for key in fields:
            out[key], out[f"{key}_reason"] = None, reason
        return out
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    out["n"] = n
    out["pct_improved"] = pct(100.0 * rose / n)
    out["mean_change"] = two(mean)
    out["ci95_low"] = two(mean - half)
    out["ci95_high"] = two(mean + half)
    if sd == 0:
        out["effect_size"], out["effect_size_reason"] = None, "the changes do not vary"
    else:
        out["effect_size"] = two(mean / sd)
    return out


def knowledge(scope: Scope) -> dict[str, Any]:
    """Subject (lower case) → growth figures. The database does the arithmetic: each person's
    pre and post score per subject, then per subject the count of people with both, how many
    rose, the mean change and its sample standard deviation; one row per subject comes back
    (not one per person, tens of thousands at metro size)."""
    admins = scope.administrations().filter(
        instrument__measures=Measures.KNOWLEDGE,
        window__in=(Window.BOY, Window.EOY),
        anonymous=False,
    )
    items = (
        Item.objects.filter(instrument__administrations__in=admins, scale=Scale.CORRECT01)
        .exclude(subscale="")
        .values_list("instrument_id", "subscale")
        .annotate(n=Count("pk", distinct=True))
        .values_list("instrument_id", "subscale", "n")
        .order_by()
    )
    # One row per window, person, instrument and subject: the instrument's items in the subject
    # count once, however many of its administrations the person answered in. The few
    # administrations are a materialized list the responses join (bench/impact.py): as a
    # subquery the planner walked the submissions in another order and the metro report took
    # 1.49x its floor, against 1.2x this way.
    admins_sql, admins_params = (
        admins.values_list("pk", "window", "instrument_id").order_by().query.sql_with_params()
    )
    response, submission, item = (m._meta.db_table for m in (Response, Submission, Item))
    answered_sql = f"""
        SELECT ad.win, s.person_id, ad.instrument, i.subscale, SUM(r.value)
        FROM {response} r
        JOIN {submission} s ON s.id = r.submission_id
        JOIN admins ad ON ad.id = s.administration_id
        JOIN {item} i ON i.id = r.item_id
        WHERE i.scale = %s AND i.subscale <> '' AND s.person_id IS NOT NULL
            AND s.submitted_at IS NOT NULL
        GROUP BY ad.win, s.person_id, ad.instrument, i.subscale"""
    answered_params = [Scale.CORRECT01]
    items_sql, items_params = items.query.sql_with_params()
    sql = f"""
        WITH items (instrument, subject, n) AS ({items_sql}),
        admins (id, win, instrument) AS MATERIALIZED ({admins_sql}),
        answered (win, person, instrument, subject, correct) AS ({answered_sql}),
        scores AS (
            SELECT a.subject, a.person,
                100.0 * SUM(CASE WHEN a.win = %s THEN a.correct END)
                    / NULLIF(SUM(CASE WHEN a.win = %s THEN it.n END), 0) AS pre,
                100.0 * SUM(CASE WHEN a.win = %s THEN a.correct END)
                    / NULLIF(SUM(CASE WHEN a.win = %s THEN it.n END), 0) AS post
            FROM answered a
            JOIN items it ON it.instrument = a.instrument AND it.subject = a.subject
            GROUP BY a.subject, a.person
        )
        SELECT subject, COUNT(post - pre), SUM(CASE WHEN post > pre THEN 1 ELSE 0 END),
            SUM(post - pre), SUM((post - pre) * (post - pre))
        FROM scores GROUP BY subject
    """
    params = [
        *items_params,
        *admins_params,
        *answered_params,
        Window.BOY,
        Window.BOY,
        Window.EOY,
        Window.EOY,
    ]
    out: dict[str, Any] = {}
    for subject, n, rose, total, squares in sorted(_wrapped(sql, params)):
        mean, sd = _mean_sd(int(n), total, squares)
        # The key is the sub-scale's name in lower case (the JSON's paths); `name` keeps it as
        # the instrument writes it ("ELA", "Math") for the page, the PDF and the charts.
        out[subject.lower()] = {
            "name": subject,
            **growth_figures(int(n), int(rose or 0), mean, sd),
        }
    return out


def _mean_sd(n: int, total: Any, squares: Any) -> tuple[float, float]:
    """The mean and the sample standard deviation from the count, the sum and the sum of
    squares (as PostgreSQL's stddev_samp works them out; exact decimals from its numeric sums,
    and SQLite's user-defined STDDEV_SAMP cannot skip the people with one score)."""
    if n == 0:
        return 0.0, 0.0
    s1, s2 = Decimal(str(total)), Decimal(str(squares))
    mean = s1 / n
    if n < 2:
        return float(mean), 0.0
    variance = (s2 - s1 * s1 / n) / (n - 1)
    return float(mean), float(variance.sqrt()) if variance > 0 else 0.0


def beliefs(scope: Scope, scores: SchoolScores | None = None) -> dict[str, Any]:
    scores = scores or school_scores_all(scope, (Measures.BELIEFS,))
    boy, eoy = scores[Measures.BELIEFS][Window.BOY], scores[Measures.BELIEFS][Window.EOY]
    both = sorted(set(boy) & set(eoy))
    out: dict[str, Any] = {"schools_measured_both": len(both)}
    _share(
        out,
        "pct_schools_decreased",
        sum(eoy[s].overall < boy[s].overall for s in both),
        len(both),
        "schools",
        "measured at both points",
    )
    out["by_school"] = by_school(boy, eoy)
    return out


def _favourable() -> Case:
    whens = [
        When(item__scale=scale, then=Case(When(adjusted__gte=high - 1, then=1), default=0))
        for scale, (_low, high) in SCALE_RANGE.items()
        if scale in ORDINAL
    ]
    return Case(*whens, default=0)


def satisfaction(scope: Scope) -> dict[str, Any]:
    """One grouped query per item (a submission answers an item once, so an item's answers are
    its respondents), the totals added up from it."""
    answers = _answers(scope, Measures.SATISFACTION).annotate(adjusted=_adjusted())
    rows = list(
        answers.values("item__code")
        .annotate(n=Count("pk"), fav=Sum(_favourable()))
        .order_by("item__code")
    )
    n, fav = sum(r["n"] for r in rows), sum(r["fav"] or 0 for r in rows)
    # The respondents overall, for the threshold: the most any one item has (a lower bound of
    # the distinct respondents: where it is lower, more is withheld, never less).
    people = max((r["n"] for r in rows), default=0)
    out: dict[str, Any] = {}
    # The answers count goes with the share: over fewer respondents than the threshold it says
    # how few answered (4 answers to one item is 4 people).
    if _small(people) and people:
        out["answers"], out["answers_reason"] = None, f"fewer than {threshold()} respondents"
    else:
        out["answers"] = n
    _share(out, "pct_favorable", fav, people, "respondents", "answered")
    if n and people >= threshold():
        out["pct_favorable"] = pct(100.0 * fav / n)
    # Each item's wording (the first instrument's, should two share a code): the page and the
    # PDF name the item, not only its code.
    texts: dict[str, str] = {}
    for code, text in (
        Item.objects.filter(
            instrument__administrations__in=scope.administrations().filter(
                instrument__measures=Measures.SATISFACTION
            ),
            code__in=[r["item__code"] for r in rows],
        )
        .order_by("instrument_id", "position", "pk")
        .values_list("code", "text")
    ):
        texts.setdefault(code, text)
    items: dict[str, Any] = {}
    for row in rows:
        entry: dict[str, Any] = {"text": texts.get(row["item__code"], "")}
        _share(entry, "pct_favorable", row["fav"], row["n"], "respondents", "answered")
        if row["n"] >= threshold():
            entry["pct_favorable"] = pct(100.0 * row["fav"] / row["n"])
        items[row["item__code"]] = entry
    out["items"] = items
    out["by_program"] = _satisfaction_by_program(answers)
    out["by_session"] = _satisfaction_by_session(answers)
    return out


def _favourable_share(per_item: list[tuple[int, int]]) -> dict[str, Any]:
    """The favourable share of a group's answers from its items' (answers, favourable) pairs,
    withheld under the threshold of respondents (the most answers any one item has)."""
    n = sum(k for k, _ in per_item)
    fav = sum(f for _, f in per_item)
    people = max((k for k, _ in per_item), default=0)
    entry: dict[str, Any] = {}
    _share(entry, "pct_favorable", fav, people, "respondents", "answered")
    if people >= threshold():
        entry["pct_favorable"] = pct(100.0 * fav / n)
    return entry


def _satisfaction_by_session(answers: QuerySet[Response]) -> list[dict[str, Any]]:
    """The favourable share per PD session (the satisfaction surveys given to a session's
    attendees), in the order the sessions took place; withheld under the threshold of
    respondents, no count beside it (as per program)."""
    per_item = (
        answers.filter(submission__administration__session__isnull=False)
        .values("submission__administration__session_id", "item_id")
        .annotate(n=Count("pk"), fav=Sum(_favourable()))
        .order_by()
    )
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in per_item:
        found[row["submission__administration__session_id"]].append((row["n"], row["fav"] or 0))
    out = []
    for session in PDSession.objects.filter(pk__in=found).order_by("starts_at", "pk"):
        out.append(
            {
                "session": session.title,
                "session_id": session.pk,
                "date": timezone.localtime(session.starts_at).date().isoformat(),
                **_favourable_share(found[session.pk]),
            }
        )
    return out


def session_satisfaction(session: PDSession) -> dict[str, Any]:
    """The favourable share of the answers to the satisfaction surveys given to one session's
    attendees (the session page's figure; the report's `satisfaction.by_session` entry)."""
    answers = (
        Response.objects.filter(
            submission__administration__session=session,
            submission__administration__instrument__measures=Measures.SATISFACTION,
            submission__submitted_at__isnull=False,
            value__isnull=False,
            item__scale__in=ORDINAL,
        )
        .annotate(adjusted=_adjusted())
        .values("item_id")
        .annotate(n=Count("pk"), fav=Sum(_favourable()))
        .order_by()
    )
    return _favourable_share([(r["n"], r["fav"] or 0) for r in answers])


def _satisfaction_by_program(answers: QuerySet[Response]) -> dict[str, Any]:
    """The favourable share per program (the administration given to a program's
    participants), keyed by the program's name; withheld (null with a reason) under the
    threshold of respondents (the most answers any one item has, as for the total). No count
    is given per program (a count beside the total would give a withheld one back). The
    administrations given to a school's or the system's staff belong to no program: not
    listed."""
    per_item = (
        answers.filter(submission__administration__program__isnull=False)
        .values("submission__administration__program__name", "item_id")
        .annotate(n=Count("pk"), fav=Sum(_favourable()))
        .order_by()
    )
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in per_item:
        found[row["submission__administration__program__name"]].append((row["n"], row["fav"] or 0))
    return {name: _favourable_share(found[name]) for name in sorted(found)}


def active_participants(scope: Scope) -> QuerySet[Participant]:
    start, end = year_bounds(scope.year)
    qs = Participant.objects.filter(cohort__starts_on__lte=end, cohort__ends_on__gte=start).filter(
        Q(status=Participant.Status.ACTIVE) | Q(completed_on__gte=start)
    )
    qs = qs.filter(person__system=scope.system)
    if scope.program is not None:
        return qs.filter(cohort__program=scope.program)
    return qs


def reach_schools(scope: Scope) -> QuerySet[School]:
    start, end = year_bounds(scope.year)
    people = active_participants(scope).values("person_id")
    positions = Position.objects.filter(person_id__in=people, starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )
    return School.objects.filter(pk__in=positions.values("school_id"))


def _count(out: dict[str, Any], key: str, value: int) -> None:
    if 0 < value < threshold():
        out[key], out[f"{key}_reason"] = None, f"fewer than {threshold()}"
    else:
        out[key] = value


def _during(start: datetime.date, end: datetime.date) -> Q:
    """Positions held at some time in [start, end]."""
    return Q(starts_on__lte=end) & (Q(ends_on__isnull=True) | Q(ends_on__gte=start))


def communities_led(scope: Scope) -> QuerySet[Community]:
    """The system's learning communities (PLCs, content-alike teams, leadership teams) that
    were under way in the school year: a meeting held in it, or an inquiry cycle overlapping it."""
    start, end = year_bounds(scope.year)
    met = Meeting.objects.filter(held_on__gte=start, held_on__lte=end).values("community_id")
    cycling = Cycle.objects.filter(starts_on__lte=end, ends_on__gte=start).values("community_id")
    return Community.objects.filter(system=scope.system, facilitator__isnull=False).filter(
        Q(pk__in=met) | Q(pk__in=cycling)
    )


def reach_teacher_leaders(scope: Scope) -> QuerySet[Person]:
    """Active participants who are teacher leaders: in a teacher-leader fellowship, or, in any
    program of the report, holding a teacher-leader role (a position) or leading a learning
    community during the school year."""
    start, end = year_bounds(scope.year)
    active = active_participants(scope)
    fellows = active.filter(cohort__program__kind=Program.Kind.TEACHER_LEADER_FELLOWSHIP)
    roles = Position.objects.filter(_during(start, end), kind=PositionKind.TEACHER_LEADER)
    return Person.objects.filter(pk__in=active.values("person_id")).filter(
        Q(pk__in=fellows.values("person_id"))
        | Q(pk__in=roles.values("person_id"))
        | Q(pk__in=communities_led(scope).values("facilitator_id"))
    )


def reach_teachers(scope: Scope, leaders: QuerySet[Person]) -> QuerySet[Person]:
    """The teachers on the teams the teacher leaders lead: members of the communities they
    facilitated in the year who held a teacher's (or teacher leader's) position in it."""
    start, end = year_bounds(scope.year)
    teams = communities_led(scope).filter(facilitator_id__in=leaders.values("pk"))
    teaching = Position.objects.filter(
        _during(start, end), kind__in=(PositionKind.TEACHER, PositionKind.TEACHER_LEADER)
    )
    members = Community.members.through.objects.filter(community_id__in=teams.values("pk"))
    return Person.objects.filter(
        pk__in=members.values("person_id"), id__in=teaching.values("person_id")
    )


def _held(year: int) -> Q:
    """The enrollments of the school year's class rosters (see `reach`)."""
    start, end = year_bounds(year)
    dated = (Q(begins_on__isnull=True) | Q(begins_on__lte=end)) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )
    return dated & (Q(is_active=True) | Q(begins_on__isnull=False, ends_on__isnull=False))


def rostered_teachers(person_ids: list[int], year: int) -> set[int]:
    """Those of these people a class roster shows teaching in the school year: reach counts
    their roster's students, never a number reported for them."""
    return set(
        Enrollment.objects.filter(_held(year), person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )


def reach(scope: Scope) -> dict[str, Any]:
    active = active_participants(scope)
    out: dict[str, Any] = {"schools": reach_schools(scope).count()}
    out["systems"] = active.values("person__system_id").distinct().count()
    leaders = reach_teacher_leaders(scope)
    _count(out, "teacher_leaders", leaders.count())
    teachers = reach_teachers(scope, leaders)
    _count(out, "teachers", teachers.count())
    # Students: enrolled (the class roster: enrollments overlapping the year) in a class one of
    # those teachers teaches. An enrollment on the roster today counts with its dates (none:
    # open); one the SIS has since dropped (soft-deleted, as a past year's rosters are) counts
    # for the years its own dates cover, so that a past year's reach keeps its students. One
    # dropped without dates says nothing about when it held.
    held = _held(scope.year)
    teaching = Enrollment.objects.filter(held, person_id__in=teachers.values("pk"))
    taught = teaching.values("school_class_id")
    # A teacher none of whose classes is on the roster counts with the number of students
    # reported for them that year (learning's ReportedStudents), where there is one.
    rostered = teaching.values("person_id")
    reported = (
        ReportedStudents.objects.filter(school_year=scope.year, person_id__in=teachers.values("pk"))
        .exclude(person_id__in=rostered)
        .aggregate(n=Count("pk"), total=Sum("students"))
    )
    if out["teachers"] == 0:
        out["students"] = 0
    elif not taught.exists() and not reported["n"]:
        out["students"], out["students_reason"] = (
            None,
            "no class roster for these teachers (and no reported count)",
        )
    else:
        students = (
            Enrollment.objects.filter(held, school_class_id__in=taught, student__isnull=False)
            .values("student_id")
            .distinct()
            .count()
        )
        _count(out, "students", students + (reported["total"] or 0))
        # The label goes with the figure (`students` stays the one number, as the paths say).
        out["students_includes_reported"] = bool(reported["n"])
        if reported["n"]:
            out["students_label"] = "including reported counts where no roster exists"
    return out


def alumni(scope: Scope) -> dict[str, Any]:
    """Alumni retention: alumni with a current education position at the end of the school
    year, or who said in the alumni survey (their last answer in the year) that they work in
    education ÷ alumni whose status is known (a position record in Trellis by the end of the
    year, or an answer in the year)."""
    start, end = year_bounds(scope.year)
    placements = Placement.objects.filter(
        starts_on__lte=end, participant__person__system=scope.system
    )
    if scope.program is not None:
        placements = placements.filter(participant__cohort__program=scope.program)
    people = set(placements.values_list("participant__person_id", flat=True))
    positions = Position.objects.filter(person_id__in=people, starts_on__lte=end)
    recorded = set(positions.values_list("person_id", flat=True))
    current = set(
        positions.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=end)).values_list(
            "person_id", flat=True
        )
    )
    said: dict[int, bool] = {}
    for person, in_education in (
        AlumniAnswer.objects.filter(
            person_id__in=people, answered_on__gte=start, answered_on__lte=end
        )
        .order_by("answered_on", "pk")
        .values_list("person_id", "in_education")
    ):
        said[person] = in_education  # the last answer of the year
    known = (recorded | set(said)) & people
    retained = (current | {p for p, yes in said.items() if yes}) & known
    out: dict[str, Any] = {}
    _count(out, "known", len(known))
    _share(out, "retention_pct", len(retained), len(known), "alumni", "with a known status")
    return out


def practice_levels(scope: Scope) -> dict[tuple[int, str], tuple[int, int]]:
    """(person, competency label) → (position of the first progress rating's level in the
    school year, that of the last), for the report's active participants rated at least twice
    on a competency in the year (submitted ratings only, any rater)."""
    start, end = year_bounds(scope.year)
    ratings = list(
        Rating.objects.filter(
            purpose=Purpose.PROGRESS,
            is_draft=False,
            subject_person_id__in=active_participants(scope).values("person_id"),
            rated_on__gte=start,
            rated_on__lte=end,
        )
        .select_related("item", "level", "version")
        .order_by("rated_on", "pk")
    )
    labels = competency_labels(ratings)
    first: dict[tuple[int, str], int] = {}
    last: dict[tuple[int, str], int] = {}
    seen: dict[tuple[int, str], int] = defaultdict(int)
    for r in ratings:
        if r.subject_person_id is None:
            continue
        key = (r.subject_person_id, labels[r.item.case_identifier])
        first.setdefault(key, r.level.position)
        last[key] = r.level.position
        seen[key] += 1
    return {key: (first[key], last[key]) for key, times in seen.items() if times >= 2}


def practice_changes(scope: Scope) -> dict[int, dict[str, float]]:
    """Person → competency label → change in level (position of the last progress rating of
    the school year minus that of the first), for the report's active participants rated at
    least twice on a competency in the year (submitted ratings only, any rater)."""
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for (person, label), (before, after) in practice_levels(scope).items():
        out[person][label] = float(after - before)
    return dict(out)


def people_schools(scope: Scope, people: set[int]) -> dict[int, int]:
    """Person → the school of their latest position held during the school year (a person
    without one is in no school)."""
    start, end = year_bounds(scope.year)
    out: dict[int, int] = {}
    for person, school in (
        Position.objects.filter(_during(start, end), person_id__in=people, school__isnull=False)
        .order_by("starts_on", "pk")
        .values_list("person_id", "school_id")
    ):
        out[person] = school
    return out


def practice(scope: Scope) -> dict[str, Any]:
    """Guskey's level 3, use of new practice: progress ratings of the participants."""
    changes = practice_changes(scope)
    people = {p: statistics.fmean(c.values()) for p, c in changes.items()}
    out: dict[str, Any] = {}
    n = len(people)
    _count(out, "people_rated_twice", n)
    _share(out, "pct_improved", sum(v > 0 for v in people.values()), n, "people", "rated twice")
    if out.get("pct_improved") is None:
        out["mean_change"], out["mean_change_reason"] = None, out["pct_improved_reason"]
    else:
        out["mean_change"] = two(statistics.fmean(people.values()))
    competencies: dict[str, Any] = {}
    names = sorted({name for c in changes.values() for name in c})
    for name in names:
        values = [c[name] for c in changes.values() if name in c]
        entry: dict[str, Any] = {}
        _count(entry, "n", len(values))
        if _small(len(values)):
            reason = f"fewer than {threshold()} people rated twice"
            entry["mean_change"], entry["mean_change_reason"] = None, reason
        else:
            entry["mean_change"] = two(statistics.fmean(values))
        competencies[name] = entry
    out["competencies"] = competencies
    return out


def outcomes(scope: Scope) -> dict[str, Any] | None:
    """Guskey's level 5, student outcomes: the attendance of the schools served (the reach's
    schools), from the attendance app's roll-ups through the provider it registers (the two
    apps do not import each other). None when no app offers student outcomes."""
    read = provider("student_outcomes")
    if read is None:
        return None
    ids = list(reach_schools(scope).values_list("pk", flat=True))
    found: dict[str, Any] = read(school_ids=ids, year=scope.year)
    return {k: v for k, v in found.items() if k != "by_school"}


def impact_report(*, system: System, year: int, program: Program | None = None) -> dict[str, Any]:
    scope = Scope(system, year, program)
    # Conditions and beliefs are read together (the same two grouped queries).
    scores = school_scores_all(scope, (Measures.CONDITIONS, Measures.BELIEFS))
    return {
        "system": system.code,
        "system_name": system.name,
        "program": program.name if program else None,
        "program_id": program.pk if program else None,
        "year": year,
        "school_year": school_year_label(year),
        "conditions": conditions(scope, scores),
        "knowledge": knowledge(scope),
        "beliefs": beliefs(scope, scores),
        "satisfaction": satisfaction(scope),
        "reach": reach(scope),
        "alumni": alumni(scope),
        "practice": practice(scope),
        "outcomes": outcomes(scope),
        "definitions": [{"name": n, "text": t} for n, t in definitions()],
    }


# --- Drill-down: the schools behind a level's figures ------------------------------------------

LEVELS = ("conditions", "beliefs", "knowledge", "satisfaction", "reach", "outcomes", "practice")


@dataclass
class SchoolRow:
    school: School
    cells: list[str]


def _score(score: SchoolScore | None) -> str:
    if score is None:
        return "not rated"
    if score.consensus:
        return f"{score.overall:.2f} (team consensus)"
    if score.withheld:
        return f"fewer than {threshold()} respondents"
    return f"{score.overall:.2f}"


def _withhold_schools(counts: dict[Any, int], *, unlisted: int = 0) -> dict[Any, str] | None:
    """How each school's count of people is shown beside a total the report shows: "shown",
    "small" (fewer than the threshold) or "withheld" (complementary, "not shown"); None when
    no school may be listed at all. `counts` maps school ids to people; `unlisted` are people in
    no school (withheld, not listed).

    `protect` withholds the next-smallest school while the withheld ones' sum (the report's
    total minus the shown schools) pins any of them (each listed school has at least 1). When
    even every school withheld leaves one pinned, the total would have to go, but the report
    shows it: every school is then "not shown" alike (a reader cannot tell the small ones),
    which pins none while the total is more than the schools listed (each at least 1: a total
    equal to their number says each is 1); otherwise no school is listed."""
    values: dict[Any, int] = {**counts, "total": sum(counts.values()) + unlisted}
    values["no school"] = unlisted
    withheld = protect(
        values,
        [("total", [*counts, "no school"])],
        hidden=["no school"] if unlisted else [],
    )
    if "total" in withheld:
        listed = [k for k, v in counts.items() if v]
        if values["total"] <= len(listed):
            return None
        return dict.fromkeys(counts, "withheld")
    return {
        k: "small" if small(v) else "withheld" if k in withheld else "shown"
        for k, v in counts.items()
    }


def impact_schools(
    *, system: System, year: int, program: Program | None, level: str
) -> tuple[list[str], list[SchoolRow]]:
    """The columns and the rows of the schools behind a level's figures. A school's score over
    fewer respondents than the threshold is withheld, as is every figure over fewer people."""
    scope = Scope(system, year, program)
    if level in ("conditions", "beliefs"):
        measures = Measures.CONDITIONS if level == "conditions" else Measures.BELIEFS
        scores = school_scores_by_window(scope, measures)
        boy, eoy = scores[Window.BOY], scores[Window.EOY]
        schools = School.objects.filter(pk__in=set(boy) | set(eoy)).order_by("name")
        rows = []
        for school in schools:
            b, e = boy.get(school.pk), eoy.get(school.pk)
            shown = b and e and not b.withheld and not e.withheld
            difference = signed(hundredths(e.overall - b.overall)) if shown and b and e else "—"
            rows.append(SchoolRow(school, [_score(b), _score(e), difference]))
        return ["Beginning of year", "End of year", "Change"], rows
    if level == "knowledge":
        # Only the subjects whose figures the report shows (n at or over the threshold): a
        # withheld subject's people would otherwise come back as the schools' total minus the
        # report's subjects.
        per_school: dict[int | None, list[float]] = defaultdict(list)
        for _subject, entries in knowledge_changes(scope).items():
            if _small(len(entries)):
                continue
            for _person, change, school_id in entries:
                per_school[school_id].append(change)
        # Complementary suppression against the report's total (the shown subjects' n, and
        # their mean changes), as for practice: a school withheld alone, or withheld ones adding
        # up to fewer than the threshold with the scores in no school, take the next-smallest
        # school with them ("not shown").
        state = _withhold_schools(
            {k: len(v) for k, v in per_school.items() if k},
            unlisted=len(per_school.get(None, [])),
        )
        if state is None:
            return ["Scores with pre and post (person x subject)", "Mean change"], []
        schools = School.objects.filter(pk__in=[k for k in per_school if k]).order_by("name")
        rows = []
        for school in schools:
            changes = per_school[school.pk]
            if state[school.pk] == "small":
                rows.append(SchoolRow(school, [f"fewer than {threshold()}", "—"]))
            elif state[school.pk] == "withheld":
                rows.append(SchoolRow(school, ["not shown", "—"]))
            else:
                rows.append(
                    SchoolRow(
                        school, [str(len(changes)), signed(hundredths(statistics.fmean(changes)))]
                    )
                )
        return ["Scores with pre and post (person x subject)", "Mean change"], rows
    if level == "satisfaction":
        answers = _answers(scope, Measures.SATISFACTION).annotate(adjusted=_adjusted())
        rows = []
        data: dict[int | None, Any] = {
            r["submission__school_id"]: r
            for r in answers.values("submission__school_id")
            .annotate(
                n=Count("pk"), fav=Sum(_favourable()), people=Count("submission_id", distinct=True)
            )
            .order_by()
        }
        # Complementary suppression against the report's total (all respondents, and the
        # favourable share of all items), as for knowledge and practice: a school withheld
        # alone, or withheld ones with fewer than the threshold between them and the answers in
        # no school, take the next-smallest school with them ("not shown").
        state = _withhold_schools(
            {k: r["people"] for k, r in data.items() if k},
            unlisted=data[None]["people"] if None in data else 0,
        )
        if state is None:
            return ["Respondents", "Favourable"], []
        for school in School.objects.filter(pk__in=[k for k in data if k]).order_by("name"):
            r = data[school.pk]
            if state[school.pk] == "small":
                rows.append(SchoolRow(school, [f"fewer than {threshold()}", "—"]))
            elif state[school.pk] == "withheld":
                rows.append(SchoolRow(school, ["not shown", "—"]))
            else:
                rows.append(
                    SchoolRow(school, [str(r["people"]), f"{pct(100.0 * r['fav'] / r['n']):.1f}%"])
                )
        return ["Respondents", "Favourable"], rows
    if level == "practice":
        means = {p: statistics.fmean(c.values()) for p, c in practice_changes(scope).items()}
        by_school: dict[int, list[float]] = defaultdict(list)
        at = people_schools(scope, set(means))
        for person, school_id in at.items():
            by_school[school_id].append(means[person])
        # Complementary suppression against the report's total (people rated twice): a school
        # withheld alone, or with fewer than the threshold between the withheld ones (people in
        # no school count as withheld), takes the next-smallest school with it.
        state = _withhold_schools(
            {k: len(v) for k, v in by_school.items()}, unlisted=len(set(means) - set(at))
        )
        columns = ["People rated twice", "Whose level rose", "Mean change (levels)"]
        if state is None:
            return columns, []
        rows = []
        for school in School.objects.filter(pk__in=list(by_school)).order_by("name"):
            values = by_school[school.pk]
            if state[school.pk] == "small":
                rows.append(SchoolRow(school, [f"fewer than {threshold()}", "—", "—"]))
            elif state[school.pk] == "withheld":
                rows.append(SchoolRow(school, ["not shown", "—", "—"]))
            else:
                improved = 100.0 * sum(v > 0 for v in values) / len(values)
                rows.append(
                    SchoolRow(
                        school,
                        [
                            str(len(values)),
                            f"{pct(improved):.1f}%",
                            signed(hundredths(statistics.fmean(values))),
                        ],
                    )
                )
        return ["People rated twice", "Whose level rose", "Mean change (levels)"], rows
    if level == "outcomes":
        read = provider("student_outcomes")
        served = list(reach_schools(scope).order_by("name"))
        found = read(school_ids=[s.pk for s in served], year=year)["by_school"] if read else {}
        rows = []
        for school in served:
            if school.pk not in found:
                continue
            cells = []
            for when in ("previous_year", "this_year"):
                entry = found[school.pk][when]
                for key in ("absence_rate_pct", "chronic_absence_pct"):
                    value = entry.get(key)
                    cells.append(f"{value:.1f}%" if value is not None else entry[f"{key}_reason"])
            rows.append(SchoolRow(school, cells))
        return [
            "Absence rate, previous year",
            "Chronic absence, previous year",
            "Absence rate, this year",
            "Chronic absence, this year",
        ], rows
    # reach: the schools with an active participant, with each school's teacher leaders and
    # teachers reached (those holding a position there in the year: someone in two schools
    # counts in both), each column withheld as the other levels' counts of people are.
    return _reach_schools(scope)


def _reach_schools(scope: Scope) -> tuple[list[str], list[SchoolRow]]:
    start, end = year_bounds(scope.year)
    leaders = reach_teacher_leaders(scope)
    placed = Position.objects.filter(_during(start, end), school__isnull=False)
    counts: list[dict[Any, int]] = []
    states: list[dict[Any, str] | None] = []
    for people in (leaders, reach_teachers(scope, leaders)):
        found: dict[Any, int] = dict(
            placed.filter(person_id__in=people.values("pk"))
            .values("school_id")
            .annotate(n=Count("person_id", distinct=True))
            .values_list("school_id", "n")
            .order_by()
        )
        unlisted = people.exclude(pk__in=placed.values("person_id")).count()
        counts.append(found)
        states.append(_withhold_schools(found, unlisted=unlisted) if found else {})
    rows = []
    for school in reach_schools(scope).order_by("name"):
        cells = []
        for found, state in zip(counts, states, strict=True):
            n = found.get(school.pk, 0)
            how = state.get(school.pk, "shown") if state is not None else "withheld"
            if not n:
                cells.append("0")
            elif how == "small":
                cells.append(f"fewer than {threshold()}")
            elif how == "withheld":
                cells.append("not shown")
            else:
                cells.append(str(n))
        rows.append(SchoolRow(school, cells))
    return ["Teacher leaders", "Teachers reached"], rows


# --- Drill-down: the people behind the knowledge figures ---------------------------------------

PEOPLE_LEVELS = ("knowledge", "practice")


@dataclass
class PersonRow:
    person_id: int
    name: str
    school: str
    subject: str
    pre: float | None
    post: float | None

    @property
    def change(self) -> float | None:
        return None if self.pre is None or self.post is None else self.post - self.pre

    @property
    def change_text(self) -> str:
        """The change as the page shows it: one decimal, half up, signed (+50.0, -1.0, 0.0)."""
        change = self.change
        if change is None:
            return "—"
        value = tenths(change)
        return f"{value:+.1f}" if value else "0.0"


def knowledge_people(scope: Scope, visible: Q) -> tuple[list[PersonRow], list[str]]:
    """Each person's pre and post score per subject (identified administrations only: an
    anonymous one stores no one), for the people `visible` lets the viewer see. A subject whose
    people the viewer sees only in part, with fewer than the threshold hidden, is withheld
    entirely: its mean change and the rows shown would give the hidden ones back. Returns the
    rows and the subjects withheld."""
    scores = knowledge_scores_by_window(scope)
    pre, post = scores[Window.BOY], scores[Window.EOY]
    keys = set(pre) | set(post)
    people = {
        p.pk: p
        for p in Person.objects.filter(visible, pk__in={k[0] for k in keys}).only(
            "given_name", "family_name"
        )
    }
    schools = dict(
        School.objects.filter(
            pk__in={v[1] for v in (*pre.values(), *post.values()) if v[1]}
        ).values_list("pk", "name")
    )
    withheld = []
    for subject in sorted({k[1] for k in keys}):
        behind = {k[0] for k in keys if k[1] == subject and k in pre and k in post}
        hidden = len(behind - set(people))
        if 0 < hidden < threshold() and len(behind) >= threshold():
            withheld.append(subject)
    rows = []
    for key in keys:
        person_id, subject = key
        if person_id not in people or subject in withheld:
            continue
        school = (post.get(key) or pre.get(key) or (0.0, None))[1]
        person = people[person_id]
        rows.append(
            PersonRow(
                person_id,
                f"{person.family_name}, {person.given_name}",
                schools.get(school, "") if school else "",
                subject,
                pre[key][0] if key in pre else None,
                post[key][0] if key in post else None,
            )
        )
    rows.sort(key=lambda r: (r.subject, r.name, r.person_id))
    return rows, withheld


def practice_people(scope: Scope, visible: Q) -> tuple[list[PersonRow], list[str]]:
    """Each person's first and last progress-rating level per competency in the school year
    (rated at least twice), for the people `visible` lets the viewer see; a competency whose
    people the viewer sees only in part, with fewer than the threshold hidden, is withheld
    whole (as for knowledge). `pre` and `post` are the levels' positions."""
    levels = practice_levels(scope)
    ids = {k[0] for k in levels}
    people = {
        p.pk: p
        for p in Person.objects.filter(visible, pk__in=ids).only("given_name", "family_name")
    }
    at = people_schools(scope, set(people))
    schools = dict(School.objects.filter(pk__in=set(at.values())).values_list("pk", "name"))
    withheld = []
    for label in sorted({k[1] for k in levels}):
        behind = {k[0] for k in levels if k[1] == label}
        hidden = len(behind - set(people))
        if 0 < hidden < threshold() and len(behind) >= threshold():
            withheld.append(label)
    rows = []
    for (person_id, label), (before, after) in levels.items():
        if person_id not in people or label in withheld:
            continue
        person = people[person_id]
        rows.append(
            PersonRow(
                person_id,
                f"{person.family_name}, {person.given_name}",
                schools.get(at.get(person_id, 0), ""),
                label,
                float(before),
                float(after),
            )
        )
    rows.sort(key=lambda r: (r.subject, r.name, r.person_id))
    return rows, withheld
