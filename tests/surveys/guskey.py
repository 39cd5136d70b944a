"""Guskey's levels 3 and 5 on the hand-worked district of tests/surveys/data.py.

Use of new practice: progress ratings (levels 1-4) of the fellows P1..P6 in 2017-18 on the
competencies 1.A and 1.B; first and last of the year count (a middle one does not):
  P1 1.A 1 -> 3 (+2), 1.B 2 -> 2 (0)  -> mean +1
  P2 1.A 2 -> 3 (+1) (a June 2017 rating, before the year, does not count) -> +1
  P3 1.A 3 -> 2 (-1)                  -> -1
  P4 1.A 2 -> 2 (0), 1.B 1 -> 3 (+2)  -> mean +1
  P5 1.A 1 -> 4 -> 2 (+1)             -> +1
  P6 1.A rated once (no change), 1.B 2 -> 1 (-1) -> -1
  P7 (not a fellow) 1.A 1 -> 4: not counted.
  People rated twice 6; improved 4/6 = 66.7%; mean change 2/6 = 0.33.
  1.A: P1..P5 changes 2, 1, -1, 0, 1 -> n 5, mean 0.6; 1.B: 3 people -> suppressed.

Student outcomes: the schools served are S1..S4 (the fellows' schools). Daily roll-ups (counts
written directly: the roll-up is derived data the attendance imports rebuild):
  2016-17: S1 (100, 10 absent), (100, 8), chronic on its last day 12 of 100;
           S3 (20, 2), chronic 4 of 20.
  2017-18: S1 (100, 6), (100, 4), chronic 50 of 100 on the first day, 8 of 100 on the last;
           S2 (50, 5), chronic 5 of 50.  S5 (not served): (500, 250), ignored.
  Previous: absence 20/220 = 9.1%, chronic 16/120 = 13.3%.
  This:     absence 15/250 = 6.0%, chronic 13/150 = 8.7%.
  Change (unrounded): 6.0 - 9.0909 = -3.1 points; 8.6667 - 13.3333 = -4.7 points.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

D = datetime.date
PRACTICE = {
    # person -> competency -> [(date, level)]
    "P1": {
        "1.A": [(D(2017, 9, 15), 1), (D(2018, 5, 1), 3)],
        "1.B": [(D(2017, 9, 15), 2), (D(2018, 5, 1), 2)],
    },
    "P2": {"1.A": [(D(2017, 6, 1), 4), (D(2017, 9, 15), 2), (D(2018, 5, 1), 3)]},
    "P3": {"1.A": [(D(2017, 9, 15), 3), (D(2018, 5, 1), 2)]},
    "P4": {
        "1.A": [(D(2017, 9, 15), 2), (D(2018, 5, 1), 2)],
        "1.B": [(D(2017, 9, 15), 1), (D(2018, 5, 1), 3)],
    },
    "P5": {"1.A": [(D(2017, 9, 15), 1), (D(2018, 1, 10), 4), (D(2018, 5, 1), 2)]},
    "P6": {"1.A": [(D(2017, 9, 15), 2)], "1.B": [(D(2017, 9, 15), 2), (D(2018, 5, 1), 1)]},
    "P7": {"1.A": [(D(2017, 9, 15), 1), (D(2018, 5, 1), 4)]},
}
# school -> [(date, enrolled, absent, chronic_counted, chronic_absent)]
ATTENDANCE = {
    "S1": [
        (D(2016, 9, 6), 100, 10, 100, 0),
        (D(2017, 6, 1), 100, 8, 100, 12),
        (D(2017, 9, 6), 100, 6, 100, 50),
        (D(2018, 6, 1), 100, 4, 100, 8),
    ],
    "S3": [(D(2017, 5, 1), 20, 2, 20, 4)],
    "S2": [(D(2018, 3, 1), 50, 5, 50, 5)],
    "S5": [(D(2018, 3, 1), 500, 250, 500, 250)],
}


def add_practice(d: dict[str, Any]) -> None:
    from tests.frameworks.packages import rubric_package
    from trellis.frameworks.models import PerformanceLevel
    from trellis.frameworks.services import framework_import_case
    from trellis.ratings.models import Purpose
    from trellis.ratings.services import ratings_record

    version = framework_import_case(
        actor=None, system=d["system"], raw=json.dumps(rubric_package())
    )
    items = {i.human_coding_scheme: i for i in version.items.all()}
    levels = {lv.position: lv for lv in PerformanceLevel.objects.filter(version=version)}
    for code, competencies in PRACTICE.items():
        for competency, ratings in competencies.items():
            for day, level in ratings:
                ratings_record(
                    actor=None,
                    subject=d["people"][code],
                    version=version,
                    purpose=Purpose.PROGRESS,
                    rated_on=day,
                    entries=[(items[competency], levels[level], "")],
                )


def add_attendance(d: dict[str, Any]) -> None:
    from trellis.attendance.models import DailySchoolAttendance

    for code, days in ATTENDANCE.items():
        for day, enrolled, absent, counted, chronic in days:
            DailySchoolAttendance.objects.create(
                system=d["system"],
                school=d["schools"][code],
                date=day,
                enrolled=enrolled,
                absent=absent,
                chronic_counted=counted,
                chronic_absent=chronic,
            )
