"""Figures the surveys app offers other apps by name (trellis.core.providers; imported at
start-up by CoreConfig.ready): the school need profiles of coaching read each school's
conditions score here, the two apps not importing each other."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max

from trellis.core.providers import provide
from trellis.core.suppression import threshold
from trellis.orgs.models import School
from trellis.surveys.impact import Scope, school_scores_all
from trellis.surveys.models import (
    Administration,
    ConsensusRating,
    Measures,
    Submission,
    Window,
    school_year_label,
)


@provide("school_conditions_scores")
def school_conditions_scores(*, school_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Per school: its school conditions score (1-4, the impact report's: the mean of the
    sub-scales' pooled answers, or its leadership team's consensus rating) from the latest
    school year in which its system administered a conditions survey or a team rated its
    school, at the end of that year when the school was rated then, else at its beginning; as
    of the day of the last answer counted (or the rating's). A school rated by fewer respondents
    than the suppression threshold, or not rated that year, has no figure (it is left out).
    A fixed number of queries per system (one system in practice)."""
    ids = sorted(set(school_ids))
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    limit = threshold()
    by_system: dict[Any, list[int]] = {}
    for school in School.objects.filter(pk__in=ids).select_related("system"):
        by_system.setdefault(school.system, []).append(school.pk)
    windows = (Window.BOY, Window.EOY)
    for system, schools in by_system.items():
        surveyed = Administration.objects.filter(
            system=system,
            instrument__measures=Measures.CONDITIONS,
            window__in=windows,
            submissions__submitted_at__isnull=False,
        ).aggregate(year=Max("school_year"))["year"]
        rated_year = ConsensusRating.objects.filter(system=system).aggregate(
            year=Max("school_year")
        )["year"]
        year = max((y for y in (surveyed, rated_year) if y is not None), default=None)
        if year is None:
            continue
        scores = school_scores_all(Scope(system, year), (Measures.CONDITIONS,))[Measures.CONDITIONS]
        last = {
            (school_id, window): at
            for school_id, window, at in Submission.objects.filter(
                administration__system=system,
                administration__school_year=year,
                administration__instrument__measures=Measures.CONDITIONS,
                administration__window__in=windows,
                school_id__in=schools,
                submitted_at__isnull=False,
            )
            .values("school_id", "administration__window")
            .annotate(at=Max("submitted_at"))
            .values_list("school_id", "administration__window", "at")
            .order_by()
        }
        # The day a consensus rating was last recorded (a team's rating has no answers).
        rated = {
            (school_id, window): at.date()
            for school_id, window, at in ConsensusRating.objects.filter(
                school_id__in=schools, school_year=year
            )
            .values("school_id", "window")
            .annotate(at=Max("updated_at"))
            .values_list("school_id", "window", "at")
            .order_by()
        }
        for school_id in schools:
            for window in (Window.EOY, Window.BOY):
                score = scores[window].get(school_id)
                if score is None:
                    continue
                when = f"{Window(window).label.lower()} {school_year_label(year)}"
                if score.consensus:
                    out[school_id] = {
                        "value": Decimal(repr(score.overall)).quantize(
                            Decimal("0.01"), rounding=ROUND_HALF_UP
                        ),
                        "as_of": rated.get((school_id, window)),
                        "basis": f"school leadership team's consensus rating, {when}",
                    }
                elif score.respondents >= limit:
                    at = last.get((school_id, window))
                    out[school_id] = {
                        "value": Decimal(repr(score.overall)).quantize(
                            Decimal("0.01"), rounding=ROUND_HALF_UP
                        ),
                        "as_of": at,
                        "basis": f"school conditions survey, {when}, "
                        f"{score.respondents} respondents",
                    }
                break
    return out
