"""Figures the attendance app offers other apps by name (trellis.core.providers; imported at
start-up by CoreConfig.ready): the school need profiles of coaching read each school's
attendance rate here, the two apps not importing each other."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, Q, Sum

from trellis.attendance.models import DailySchoolAttendance
from trellis.core.providers import provide
from trellis.core.suppression import threshold


def _year_start(day: datetime.date) -> datetime.date:
    """1 July of the school year the day belongs to."""
    return datetime.date(day.year if day.month >= 7 else day.year - 1, 7, 1)


@provide("school_attendance_rates")
def school_attendance_rates(*, school_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Per school with roll-ups: its attendance rate over the school year to date, as of its
    last rolled-up day = 100 x (enrolled student-days - absent student-days) ÷ enrolled
    student-days, from 1 July of that day's school year to that day (one decimal, half up).
    A school whose largest day enrolled fewer students than the suppression threshold has no
    figure (it is left out). Two queries whatever the number of schools."""
    ids = sorted(set(school_ids))
    if not ids:
        return {}
    last = dict(
        DailySchoolAttendance.objects.filter(school_id__in=ids)
        .values("school_id")
        .annotate(last=Max("date"))
        .values_list("school_id", "last")
        .order_by()
    )
    if not last:
        return {}
    by_start: dict[datetime.date, list[int]] = {}
    for school_id, day in last.items():
        by_start.setdefault(_year_start(day), []).append(school_id)
    window = Q()
    for start, schools in by_start.items():
        window |= Q(school_id__in=schools, date__gte=start)
    out: dict[int, dict[str, Any]] = {}
    limit = threshold()
    for school_id, enrolled, absent, largest in (
        DailySchoolAttendance.objects.filter(window)
        .values("school_id")
        .annotate(Sum("enrolled"), Sum("absent"), Max("enrolled"))
        .values_list("school_id", "enrolled__sum", "absent__sum", "enrolled__max")
        .order_by()
    ):
        if not enrolled or (largest or 0) < limit:
            continue
        rate = (Decimal(100) * (enrolled - (absent or 0)) / Decimal(enrolled)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        day = last[school_id]
        out[school_id] = {
            "value": rate,
            "as_of": day,
            "basis": f"attendance roll-ups, school year to date ({_year_start(day):%b %-d, %Y} "
            f"to {day:%b %-d, %Y})",
        }
    return out
