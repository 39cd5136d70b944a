"""Reads of attendance: only the daily per-school roll-up (never the raw events), for the
schools the viewer reaches, suppressed for viewers who may not open the students behind a
figure. The operator's report (the command line) is the same computation without a viewer.

Reach (Action.ATTENDANCE_VIEW): a principal their school; a supervisor their schools (those of
the network they are granted, and those their caseload's principals lead: the one rule of
docs/decisions.md, 2026-11-30); district roles every school of the system. Outside what the
viewer may see at all is "not found"; a school the viewer sees but whose attendance they may not
is "forbidden".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models import Count as Count_
from django.db.models import Value as V
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.http import Http404
from django.utils import timezone

from trellis.attendance.models import (
    ABSENCES,
    AttendanceEvent,
    AttendanceSettings,
    AttendanceSubmission,
    CalendarDay,
    DailySchoolAttendance,
    FamilyContact,
)
from trellis.attendance.rollups import (
    USUAL_WINDOW_DAYS,
    chronic_days,
    class_type,
    is_chronic,
    school_year_end,
    school_year_start,
    settings_of,
    window_source,
)
from trellis.authz.policies import scope_for
from trellis.authz.roles import Action
from trellis.core.panels import per_request
from trellis.core.suppression import Count, protect, protect_beside, protected_counts, threshold
from trellis.orgs.models import School, System
from trellis.orgs.selectors import open_school_ids, visible_schools
from trellis.people.models import PositionKind
from trellis.people.selectors import current_positions
from trellis.rosters.models import SchoolClass
from trellis.students.models import Student
from trellis.students.selectors import grade_sort_key

# The school's usual absence rate (its instructional days in the four weeks before the day,
# rollups.USUAL_WINDOW_DAYS) is stored on each roll-up row (rollups.usual_refresh).
# A school's absence rate "jumped": at least this many times its usual rate, and this many
# points above it.
JUMP_FACTOR = Decimal("1.5")
JUMP_POINTS = Decimal(3)
LEADERS = (PositionKind.PRINCIPAL, PositionKind.ASSISTANT_PRINCIPAL)

DEFINITIONS = [
    ("Enrolled", "students whose enrolment window at the school covers the day."),
    ("Absent", "enrolled students with an Excused or Unexcused Absence that day."),
    (
        "Usual rate",
        "the school's absent student-days ÷ enrolled student-days over its instructional days "
        "in the four weeks before the day.",
    ),
    (
        "Jumped",
        "today's absence rate is at least 1.5 times the usual rate and 3 points above it.",
    ),
    (
        "Expected submissions",
        "one per active homeroom class (per scheduled class where attendance is taken by "
        "period) per instructional day of its school.",
    ),
    (
        "On time",
        "submitted by the system's deadline (a setting, default 09:30 in the system's time "
        "zone) on the day.",
    ),
    (
        "This week",
        "the instructional days from Monday up to the day shown. The day shown counts toward "
        "the week's expected and on-time submissions only once the system's deadline has "
        "passed: before it (today still open until the deadline, 09:30 by default) the "
        "week's on-time rate is of Monday to the day before.",
    ),
    (
        "Chronic absence",
        "from the school year's first instructional day: students enrolled at the school at "
        "least 10 instructional days (a setting) count; those absent on at least 10% (a "
        "setting) of them are chronically absent. A student who transfers counts at each "
        "school only for the days enrolled there.",
    ),
]


def pct(part: int, whole: int) -> float | None:
    """A percentage to one decimal, halves rounded up; None without a denominator."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def system_today(system: System) -> datetime.date:
    return timezone.now().astimezone(ZoneInfo(settings_of(system.pk).time_zone)).date()


# --- Reach -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    school_ids: frozenset[int]
    # "system", "caseload", "school" or "schools": what the viewer's pages are about.
    kind: str
    system_ids: frozenset[int] = frozenset()
    # Systems every school of which is in reach (a system grant, or everything), and the
    # schools in reach outside them: the morning page filters by system rather than listing a
    # metro district's thousand school ids in every query.
    whole_system_ids: frozenset[int] = frozenset()
    outside_ids: frozenset[int] = frozenset()


def attendance_reach(user: Any) -> Reach:
    return per_request(user, "attendance_reach", lambda: _reach(user))


def _reach(user: Any) -> Reach:
    scope = scope_for(user, Action.ATTENDANCE_VIEW)
    if scope.is_empty:
        return Reach(frozenset(), "schools")
    # Each school with its system, in the query that finds it: asked afterwards by id, a
    # metro district's thousand ids went back to the database as a list (item 29). A
    # supervisor's schools (their grants' and their caseload's: `Scope.related_school_ids`) are
    # the ones every other page of theirs shows (docs/decisions.md, 2026-11-30).
    system_of: dict[int, int] = dict(
        School.objects.filter(scope.schools_q()).order_by().values_list("pk", "system_id")
    )
    ids = set(system_of)
    if scope.everything or scope.system_ids:
        kind = "system"
    elif scope.related_school_ids and not (scope.school_ids or scope.network_ids):
        kind = "caseload"
    elif len(ids) == 1 and not (scope.network_ids or scope.related_school_ids):
        kind = "school"
    else:
        kind = "schools"
    systems = set(system_of.values())
    whole = systems if scope.everything else systems & set(scope.system_ids)
    outside = {pk for pk, system_id in system_of.items() if system_id not in whole}
    return Reach(frozenset(ids), kind, frozenset(systems), frozenset(whole), frozenset(outside))


def reach_filters(reach: Reach) -> tuple[Q, Q]:
    """Filters of the reach's schools and of their roll-up rows (also fit for the other per-school
    roll-ups, which carry the school's system): by system for whole systems (and the few
    schools outside them), rather than a metro district's thousand school ids as a list, which
    every query then compiles and sends (and the (system, date) indexes serve)."""
    if reach.whole_system_ids:
        whole, outside = sorted(reach.whole_system_ids), sorted(reach.outside_ids)
        return (
            Q(system_id__in=whole) | Q(pk__in=outside),
            Q(system_id__in=whole) | Q(school_id__in=outside),
        )
    ids = sorted(reach.school_ids) or [0]
    return Q(pk__in=ids), Q(school_id__in=ids)


def morning_day(
    user: Any, today: datetime.date, school_ids: Iterable[int] | None = None
) -> datetime.date:
    """The day the morning pages open on: today, or before the day's first import (or on a day
    without school) the last day with attendance of the viewer's schools."""
    if school_ids is None:
        # By system for whole systems: one probe of the (system, date) index, where a metro
        # district's thousand school ids read every school's days (item 29, perf8).
        _schools, rows = reach_filters(attendance_reach(user))
    else:
        rows = Q(school_id__in=set(school_ids))
    latest = (
        DailySchoolAttendance.objects.filter(rows, date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return latest or today


def viewer_today(user: Any) -> datetime.date:
    """Today for the viewer: in the time zone of their systems (the latest of them when they
    reach several; UTC's when they reach none)."""
    systems = list(attendance_systems(user)[:5])
    if not systems:
        return timezone.now().astimezone(datetime.UTC).date()
    return max(system_today(s) for s in systems)


def day_steps(
    user: Any, day: datetime.date, school_ids: Iterable[int] | None = None
) -> tuple[datetime.date, datetime.date | None]:
    """The "Previous day" and "Next day" of the morning pages: the instructional days of the
    viewer's schools (or the given ones among them) just before and after `day` (two queries;
    a calendar day either way when the calendar has none). No next day after today (the
    viewer's, `viewer_today`): the pages speak of "today" and hold no figures of the future."""
    reach = attendance_reach(user)
    if school_ids is None and reach.whole_system_ids:
        q = Q(system_id__in=sorted(reach.whole_system_ids)) | Q(
            school_id__in=sorted(reach.outside_ids)
        )
    else:
        wanted = reach.school_ids if school_ids is None else set(school_ids) & reach.school_ids
        q = Q(school_id__in=sorted(wanted) or [0])
    days = CalendarDay.objects.filter(q).values_list("date", flat=True)
    before = days.filter(date__lt=day).order_by("-date").first()
    after = days.filter(date__gt=day).order_by("date").first()
    one = datetime.timedelta(days=1)
    today = viewer_today(user)
    following = after or day + one
    return before or day - one, following if following <= today else None


def attendance_school_get(user: Any, pk: int) -> School:
    """A school whose attendance the viewer may see; 404 when they may not see the school at
    all, 403 when they see it but not its attendance."""
    school = School.objects.select_related("system", "network").filter(pk=pk).first()
    if school is None:
        raise Http404
    if school.pk in attendance_reach(user).school_ids:
        return school
    if visible_schools(user).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def attendance_school_in_scope(user: Any, pk: int) -> bool:
    """Whether a school is in the viewer's scope: its attendance in their reach, or the school
    itself in sight (what `attendance_school_get` answers 404 for when it is not). For whoever
    may not take an attendance action at all: 404 outside their scope, 403 in it."""
    return pk in attendance_reach(user).school_ids or visible_schools(user).filter(pk=pk).exists()


def attendance_systems(user: Any) -> QuerySet[System]:
    return System.objects.filter(pk__in=attendance_reach(user).system_ids).order_by("name")


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class Figures:
    """One school's (or a total's) day, exact: the operator's numbers."""

    enrolled: int = 0
    absent: int = 0
    expected_week: int = 0
    on_time_week: int = 0
    chronic_counted: int = 0
    chronic_absent: int = 0
    # The morning page's extras.
    usual_enrolled: int = 0
    usual_absent: int = 0
    expected_today: int = 0
    submitted_today: int = 0
    has_day: bool = False
    # The roll-up day the chronic figures are of: the day, or the school's last instructional
    # day before it in the school year (None: none yet).
    as_of: datetime.date | None = None

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            if name in ("has_day", "as_of"):
                continue
            if name in ("usual_enrolled", "usual_absent") and not other.has_day:
                # A total's usual rate is of the schools with the day (the ones its rate today
                # is of): a school without the day keeps its own, but adds none.
                continue
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.has_day = self.has_day or other.has_day

    @property
    def not_submitted(self) -> int:
        return max(self.expected_today - self.submitted_today, 0)


def _deadline_passed(day: datetime.date, own: AttendanceSettings, now: datetime.datetime) -> bool:
    return now > datetime.datetime.combine(day, own.deadline, tzinfo=ZoneInfo(own.time_zone))


def week_q(day: datetime.date) -> Q:
    """The roll-up rows of "this week" for the on-time figures on `day`: the instructional days
    from Monday up to `day`, the day itself only once its system's submission deadline has
    passed (before it, today's classes still have time: the week is Monday to yesterday).
    Decided once here for every page, the report and the API (docs/decisions.md). Reads the
    systems' settings (one query) only on a day that can still be before a deadline."""
    monday = day - datetime.timedelta(days=day.weekday())
    q = Q(date__gte=monday, date__lte=day)
    now = timezone.now()
    # Any time zone's today is within a day of UTC's.
    if abs((day - now.astimezone(datetime.UTC).date()).days) > 1:
        return q
    own = list(AttendanceSettings.objects.all())
    closed = [s.system_id for s in own if _deadline_passed(day, s, now)]
    still_open = [s.system_id for s in own if s.system_id not in closed]
    if _deadline_passed(day, AttendanceSettings(), now):
        # Systems without settings of their own: the default deadline has passed.
        return q & ~Q(date=day, system_id__in=still_open) if still_open else q
    if not closed:
        return Q(date__gte=monday, date__lt=day)
    return q & ~(Q(date=day) & ~Q(system_id__in=closed))


def week_open_until(system_id: int, day: datetime.date) -> datetime.time | None:
    """The system's deadline when `day` is still before it (today's classes left out of the
    week's on-time figures, `week_q`), else None: for the pages to say so."""
    own = settings_of(system_id)
    return None if _deadline_passed(day, own, timezone.now()) else own.deadline


def as_of_days(school_ids: Iterable[int], day: datetime.date) -> dict[int, datetime.date]:
    """Each school's roll-up day for figures "to date" on `day`: the day itself, or on a day
    the school has no instruction its last rolled-up day before it in the school year (schools
    with none are left out). Two queries whatever the size: the second runs even when every
    school has the day (asking for no school, id 0), so that a page's query count does not
    depend on which schools taught."""
    ids = sorted(set(school_ids))
    out = {
        pk: day
        for pk in DailySchoolAttendance.objects.filter(school_id__in=ids, date=day).values_list(
            "school_id", flat=True
        )
    }
    missing = [pk for pk in ids if pk not in out] or [0]
    for school_id, last in (
        DailySchoolAttendance.objects.filter(
            school_id__in=missing, date__gte=school_year_start(day), date__lt=day
        )
        .order_by()
        .values_list("school_id")
        .annotate(Max("date"))
    ):
        out[school_id] = last
    return out


def on_days(as_of: dict[int, datetime.date]) -> Q:
    """Rows of each school on its day (`as_of_days`), one filter grouped by day (with none, a
    filter that matches nothing but still asks: query counts do not depend on the data)."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for school_id, day in as_of.items():
        by_day[day].append(school_id)
    q = Q(school_id=0)
    for day, ids in sorted(by_day.items()):
        q |= Q(date=day, school_id__in=sorted(ids))
    return q


def figures(school_ids: Iterable[int], day: datetime.date) -> dict[int, Figures]:
    """Each school's figures on `day` from the roll-up: five queries whatever the size. Chronic
    absence to date on a day a school has no instruction: as of its last day before. The usual
    rate is the one stored on the day's row (rollups.usual_refresh); a school without the day
    gets the same sums from its rows of the four weeks before (only those schools' rows are
    read)."""
    ids = sorted(set(school_ids))
    out: dict[int, Figures] = {pk: Figures() for pk in ids}
    if not ids:
        return out
    as_of = as_of_days(ids, day)
    for row in DailySchoolAttendance.objects.filter(on_days(as_of)):
        f = out[row.school_id]
        f.as_of = row.date
        f.chronic_counted, f.chronic_absent = row.chronic_counted, row.chronic_absent
        if row.date == day:
            f.enrolled, f.absent, f.has_day = row.enrolled, row.absent, True
            f.expected_today, f.submitted_today = row.expected_submissions, row.submitted
            f.usual_enrolled, f.usual_absent = row.usual_enrolled, row.usual_absent
    rollup = DailySchoolAttendance.objects.filter(school_id__in=ids)
    for school_id, expected, on_time in (
        rollup.filter(week_q(day))
        .order_by()
        .values_list("school_id")
        .annotate(Sum("expected_submissions"), Sum("on_time"))
    ):
        out[school_id].expected_week, out[school_id].on_time_week = expected or 0, on_time or 0
    # Never an empty list (id 0 is no school): the query count does not depend on the data.
    missing = [pk for pk in ids if not out[pk].has_day] or [0]
    for school_id, enrolled, absent in (
        DailySchoolAttendance.objects.filter(
            school_id__in=missing,
            date__gte=day - datetime.timedelta(days=USUAL_WINDOW_DAYS),
            date__lt=day,
        )
        .order_by()
        .values_list("school_id")
        .annotate(Sum("enrolled"), Sum("absent"))
    ):
        out[school_id].usual_enrolled, out[school_id].usual_absent = enrolled or 0, absent or 0
    return out


def chronic_duplicates(
    as_of: dict[int, datetime.date], *, by_grade: bool = False
) -> dict[str, tuple[int, int]]:
    """What the schools' chronic figures (each school on its day, `as_of_days`) count twice:
    the students who count at more than one of these schools (transfers, DailyChronicTransfer),
    as (extra students who count, extra chronically absent), under "" for the whole set or per
    grade with `by_grade`. A set of schools counts a student once: counted if they count at one
    of its schools, chronically absent if they are at one of those. One query."""
    from trellis.attendance.models import DailyChronicTransfer

    keys = ["student_id", "grade"] if by_grade else ["student_id"]
    inner = (
        DailyChronicTransfer.objects.filter(on_days(as_of))
        .order_by()
        .values(*keys)
        .annotate(n=Count_("pk"), c=Sum(Case(When(chronic=True, then=1), default=0)))
        .filter(n__gt=1)
    )
    sql, params = inner.query.sql_with_params()
    extra = "COALESCE(SUM(x.n - 1), 0), COALESCE(SUM(CASE WHEN x.c > 1 THEN x.c - 1 ELSE 0 END), 0)"
    query = (
        f"SELECT x.grade, {extra} FROM ({sql}) x GROUP BY x.grade"  # noqa: S608
        if by_grade
        else f"SELECT '', {extra} FROM ({sql}) x"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {grade or "": (int(n), int(c)) for grade, n, c in cursor.fetchall()}


def chronic_total(found: dict[int, Figures]) -> tuple[int, int]:
    """The chronic figures of a set of schools (students who count, chronically absent), each
    student once: the schools' figures less the transfers counted at two of them."""
    counted = sum(f.chronic_counted for f in found.values())
    chronic = sum(f.chronic_absent for f in found.values())
    as_of = {pk: f.as_of for pk, f in found.items() if f.as_of is not None}
    extra_counted, extra_chronic = chronic_duplicates(as_of).get("", (0, 0))
    return counted - extra_counted, chronic - extra_chronic


REPORT_KEYS = (
    "enrolled",
    "absent",
    "absence_rate_pct",
    "submissions_expected_week",
    "submissions_on_time_week",
    "on_time_rate_week_pct",
    "chronic_absent",
    "chronic_absence_rate_pct",
)


def _entry(f: Figures) -> dict[str, Any]:
    return {
        "enrolled": f.enrolled,
        "absent": f.absent,
        "absence_rate_pct": pct(f.absent, f.enrolled),
        "submissions_expected_week": f.expected_week,
        "submissions_on_time_week": f.on_time_week,
        "on_time_rate_week_pct": pct(f.on_time_week, f.expected_week),
        "chronic_absent": f.chronic_absent,
        "chronic_absence_rate_pct": pct(f.chronic_absent, f.chronic_counted),
    }


def school_key(school: School) -> str:
    return school.sourced_id or f"school-{school.pk}"


def attendance_report(system: System, day: datetime.date) -> dict[str, Any]:
    """The operator's report of a system's day (the command line): every school, exact."""
    schools = list(School.objects.filter(system=system).order_by("sourced_id", "pk"))
    found = figures([s.pk for s in schools], day)
    total = Figures()
    for f in found.values():
        total.add(f)
    # A student who counts at two schools (a transfer) counts once in the system's figures.
    total.chronic_counted, total.chronic_absent = chronic_total(found)
    return {
        "date": day.isoformat(),
        "schools": {school_key(s): _entry(found[s.pk]) for s in schools},
        "system": _entry(total),
    }


# --- What one viewer sees ----------------------------------------------------------------------


@dataclass
class Row:
    """A school's figures as one viewer may see them (counts of students suppressed)."""

    school: School
    f: Figures
    enrolled: Count
    absent: Count
    chronic_absent: Count
    chronic_counted: Count

    @property
    def absence_rate(self) -> float | None:
        if self.enrolled.suppressed or self.absent.suppressed:
            return None
        return pct(self.f.absent, self.f.enrolled)

    @property
    def usual_rate(self) -> float | None:
        # Over many days' student-days, but the viewer could still subtract: shown with today.
        if self.enrolled.suppressed:
            return None
        return pct(self.f.usual_absent, self.f.usual_enrolled)

    @property
    def jumped(self) -> bool:
        return absence_jumped(self.absence_rate, self.usual_rate)

    @property
    def on_time_rate(self) -> float | None:
        return pct(self.f.on_time_week, self.f.expected_week)

    @property
    def chronic_rate(self) -> float | None:
        if self.chronic_absent.suppressed or self.chronic_counted.suppressed:
            return None
        return pct(self.f.chronic_absent, self.f.chronic_counted)

    def entry(self) -> dict[str, Any]:
        hidden = [
            name
            for name, count in (
                ("enrolled", self.enrolled),
                ("absent", self.absent),
                ("chronic_absent", self.chronic_absent),
            )
            if count.suppressed
        ]
        if self.absence_rate is None and self.f.enrolled:
            hidden.append("absence_rate_pct")
        if self.chronic_rate is None and self.f.chronic_counted:
            hidden.append("chronic_absence_rate_pct")
        return {
            "enrolled": self.enrolled.shown,
            "absent": self.absent.shown,
            "absence_rate_pct": self.absence_rate,
            "submissions_expected_week": self.f.expected_week,
            "submissions_on_time_week": self.f.on_time_week,
            "on_time_rate_week_pct": self.on_time_rate,
            "chronic_absent": self.chronic_absent.shown,
            "chronic_absence_rate_pct": self.chronic_rate,
            "suppressed": hidden,
        }


@dataclass
class Morning:
    day: datetime.date
    reach: Reach
    rows: list[Row]
    total: Row
    definitions: list[tuple[str, str]] = field(default_factory=lambda: DEFINITIONS)

    @property
    def jumped(self) -> list[Row]:
        return [row for row in self.rows if row.jumped]

    @property
    def has_data(self) -> bool:
        return any(row.f.has_day for row in self.rows)


TOTAL = ("all",)


def morning(user: Any, day: datetime.date, *, school_ids: Iterable[int] | None = None) -> Morning:
    """The viewer's schools (or the given ones among them) on `day`, with their total,
    suppressed together: a total beside its parts never gives a hidden part away."""
    reach = attendance_reach(user)
    ids = set(reach.school_ids) if school_ids is None else set(school_ids) & reach.school_ids
    schools = list(
        School.objects.filter(pk__in=ids).select_related("system", "network").order_by("name")
    )
    found = figures([s.pk for s in schools], day)
    total = Figures()
    for f in found.values():
        total.add(f)
    total.chronic_counted, total.chronic_absent = chronic_total(found)
    opened = _opened(user)
    open_keys: set[Any] = {("school", pk) for pk in ids & opened}
    if ids <= opened:
        open_keys.add(TOTAL)
    counts: dict[str, dict[Any, Count]] = {}
    for name in ("chronic_absent", "chronic_counted"):
        values: dict[Any, int] = {("school", pk): getattr(f, name) for pk, f in found.items()}
        values[TOTAL] = getattr(total, name)
        counts[name] = protected_counts(
            values, [(TOTAL, [k for k in values if k != TOTAL])], open_keys=open_keys
        )
    # Enrolled and absent: the one decision over every school the viewer reaches (the
    # system's and network's pages show the same schools' counts).
    decided = morning_decision(user, day).page_hidden(ids)
    for name in MORNING_COUNTS:
        counts[name] = {
            ("school", pk): Count(getattr(f, name), hidden=("school", pk) in decided[name])
            for pk, f in found.items()
        }
        counts[name][TOTAL] = Count(getattr(total, name), hidden=TOTAL in decided[name])

    def row(school: Any, f: Figures, key: Any) -> Row:
        return Row(
            school=school,
            f=f,
            enrolled=counts["enrolled"][key],
            absent=counts["absent"][key],
            chronic_absent=counts["chronic_absent"][key],
            chronic_counted=counts["chronic_counted"][key],
        )

    return Morning(
        day=day,
        reach=reach,
        rows=[row(s, found[s.pk], ("school", s.pk)) for s in schools],
        total=row(None, total, TOTAL),
    )


def attendance_report_for(user: Any, system: System, day: datetime.date) -> dict[str, Any]:
    """The report as the API gives it: the viewer's schools of the system, suppressed; `system`
    is the total over those schools."""
    reach = attendance_reach(user)
    ids = set(
        School.objects.filter(system=system, pk__in=reach.school_ids).values_list("pk", flat=True)
    )
    seen = morning(user, day, school_ids=ids)
    # Chronic figures as the chronic pages decide them (over every school the viewer reaches).
    table = chronic_table(user, day)
    for r, key in [
        *((r, ("school", r.school.pk)) for r in seen.rows),
        (seen.total, chronic_group(user, system=system.pk)),
    ]:
        r.chronic_counted = table.count("chronic_counted", key)
        r.chronic_absent = table.count("chronic_absent", key)
    # A day that is not an instructional day has no figures of the day, not zeros (as the
    # pages say): a school whose calendar of the school year lacks the day, and the total
    # when that is every school's case.
    calendars = CalendarDay.objects.filter(
        school_id__in=ids, date__gte=school_year_start(day), date__lte=school_year_end(day)
    )
    with_calendar = set(calendars.values_list("school_id", flat=True).distinct())
    teaching = set(calendars.filter(date=day).values_list("school_id", flat=True))
    recorded = {row.school.pk for row in seen.rows if row.f.has_day}
    closed = with_calendar - teaching - recorded
    schools = {}
    for row in seen.rows:
        schools[school_key(row.school)] = _day_entry(
            row.entry(), NOT_INSTRUCTIONAL if row.school.pk in closed else None
        )
    everywhere = bool(seen.rows) and closed == {row.school.pk for row in seen.rows}
    return {
        "date": day.isoformat(),
        "schools": schools,
        "system": _day_entry(
            seen.total.entry(), NOT_INSTRUCTIONAL_ANYWHERE if everywhere else None
        ),
        "scope": "system" if reach.kind == "system" else "schools in your reach",
    }


NOT_INSTRUCTIONAL = "Not an instructional day at this school."
NOT_INSTRUCTIONAL_ANYWHERE = "Not an instructional day at any of these schools."


def _day_entry(entry: dict[str, Any], note: str | None) -> dict[str, Any]:
    """An entry of the API's report with the day's figures null, and why, on a day that is
    not an instructional day (the week's and the chronic figures stand: they are to date)."""
    if note is not None:
        entry.update(enrolled=None, absent=None, absence_rate_pct=None)
    return {**entry, "day_note": note}


def instructional(school: School, day: datetime.date) -> bool | None:
    """Whether the school's calendar has `day` as an instructional day: None when no calendar
    of that school year has been imported (two queries at most)."""
    days = CalendarDay.objects.filter(
        school=school, date__gte=school_year_start(day), date__lte=school_year_end(day)
    )
    if days.filter(date=day).exists():
        return True
    return False if days.exists() else None


def instructional_anywhere(
    user: Any, day: datetime.date, school_ids: Iterable[int] | None = None
) -> bool | None:
    """Whether `day` is an instructional day at any of the viewer's schools (or of
    `school_ids`, within them): None when none of their calendars of that school year has been
    imported (two queries at most, by the reach's filter, not its schools one by one)."""
    _school_q, rollup_q = reach_filters(attendance_reach(user))
    days = CalendarDay.objects.filter(
        rollup_q, date__gte=school_year_start(day), date__lte=school_year_end(day)
    )
    if school_ids is not None:
        days = days.filter(school_id__in=list(school_ids))
    if days.filter(date=day).exists():
        return True
    return False if days.exists() else None


def classes_not_submitted(school: School, day: datetime.date, query: str = "") -> QuerySet[Any]:
    """The school's classes expected to submit on `day` that have not (none on a day that is
    not instructional)."""
    own = settings_of(school.system_id)
    classes = SchoolClass.objects.filter(
        school=school, is_active=True, class_type=class_type(own)
    ).exclude(
        pk__in=AttendanceSubmission.objects.filter(school=school, date=day).values(
            "school_class_id"
        )
    )
    if not CalendarDay.objects.filter(school=school, date=day).exists():
        return classes.none()
    if query:
        classes = classes.filter(Q(title__icontains=query) | Q(class_code__icontains=query))
    return classes.order_by("title", "pk")


# --- Student outcomes for the impact report (Guskey's level 5) ---------------------------------


def _year_figures(school_ids: list[int], year: int) -> dict[int, dict[str, int]]:
    """Per school, over the school year that ends in `year` (1 July to 30 June), from the
    roll-up: student-days enrolled and absent, the largest day's enrolment, and chronic absence
    to date on the school's last rolled-up day of that year."""
    start, end = datetime.date(year - 1, 7, 1), datetime.date(year, 6, 30)
    rollup = DailySchoolAttendance.objects.filter(
        school_id__in=school_ids, date__gte=start, date__lte=end
    )
    out: dict[int, dict[str, int]] = {}
    for school_id, enrolled, absent, days in (
        rollup.order_by()
        .values_list("school_id")
        .annotate(Sum("enrolled"), Sum("absent"), Count_("pk"))
    ):
        out[school_id] = {
            "student_days": enrolled or 0,
            "absent_days": absent or 0,
            "days": days,
            "chronic_counted": 0,
            "chronic_absent": 0,
        }
    last_day = (
        DailySchoolAttendance.objects.filter(
            school_id=OuterRef("school_id"), date__gte=start, date__lte=end
        )
        .order_by("-date")
        .values("date")[:1]
    )
    for row in rollup.filter(date=Subquery(last_day)).values(
        "school_id", "chronic_counted", "chronic_absent"
    ):
        out[row["school_id"]]["chronic_counted"] = row["chronic_counted"]
        out[row["school_id"]]["chronic_absent"] = row["chronic_absent"]
    return out


def _outcome_entry(
    figures: list[dict[str, int]], threshold_: int
) -> tuple[dict[str, Any], dict[str, float]]:
    """A year's figures over the given schools (rounded, suppressed) and the unrounded rates
    (for the change between years)."""
    student_days = sum(f["student_days"] for f in figures)
    absent = sum(f["absent_days"] for f in figures)
    counted = sum(f["chronic_counted"] for f in figures)
    chronic = sum(f["chronic_absent"] for f in figures)
    entry: dict[str, Any] = {"schools": len(figures), "students_counted": counted}
    if counted < threshold_ or not student_days:
        reason = "no attendance recorded" if not figures else f"fewer than {threshold_} students"
        entry["students_counted"] = None if counted else 0
        for key in ("absence_rate_pct", "chronic_absence_pct"):
            entry[key], entry[f"{key}_reason"] = None, reason
        return entry, {}
    entry["absence_rate_pct"] = pct(absent, student_days)
    entry["chronic_absence_pct"] = pct(chronic, counted)
    raw = {
        "absence_rate_pct": 100.0 * absent / student_days,
        "chronic_absence_pct": 100.0 * chronic / counted,
    }
    return entry, raw


def student_outcomes(*, school_ids: Iterable[int], year: int) -> dict[str, Any]:
    """The attendance of the given schools in the school year ending in `year` and the one
    before: absence rate (absent student-days ÷ enrolled student-days) and chronic absence (as
    of each school's last rolled-up day of the year, the product's definition), each summed
    over the schools; a year over fewer students than the threshold is null with its reason.
    The change (this year minus the previous, in points) is worked out from the unrounded
    rates. Also each school's figures (the drill-down), with the same suppression."""
    ids = sorted(set(school_ids))
    limit = threshold()
    this, previous = _year_figures(ids, year), _year_figures(ids, year - 1)
    this_entry, this_raw = _outcome_entry(list(this.values()), limit)
    previous_entry, previous_raw = _outcome_entry(list(previous.values()), limit)
    out: dict[str, Any] = {"this_year": this_entry, "previous_year": previous_entry}
    for key in ("absence_rate_pct", "chronic_absence_pct"):
        change = f"{key.removesuffix('_pct')}_change_pts"
        if key not in this_raw or key not in previous_raw:
            out[change], out[f"{change}_reason"] = None, "not measured in both years"
        else:
            difference = Decimal(repr(this_raw[key] - previous_raw[key]))
            out[change] = float(difference.quantize(Decimal("0.1"), ROUND_HALF_UP))
    out["by_school"] = {
        pk: {
            "previous_year": _outcome_entry([previous[pk]] if pk in previous else [], limit)[0],
            "this_year": _outcome_entry([this[pk]] if pk in this else [], limit)[0],
        }
        for pk in ids
        if pk in this or pk in previous
    }
    return out


# --- Chronic absence by school, grade and month; the students behind it; family contact -------
# (issue 12, second slice). Per school the figures are the roll-up's; per grade and per student
# they come from the same computation the roll-up uses (rollups.chronic_days).

CONTACT_RULE = (
    "A student is on the worklist when their absences this school year at the school have "
    "reached a multiple of N (N, then 2N, 3N, …; N is a system setting, default 3) and no "
    "family contact has been logged on or after the day of that latest Nth absence; a student "
    "whose latest contact set a follow-up date on or before the day is on it too. Contacted: "
    "a student with at least N absences whose latest multiple of N has a contact logged on or "
    "after its day."
)


def student_school_ids(user: Any) -> set[int]:
    """The schools whose absent students the viewer may read by name (attendance.students)
    among those whose attendance they see: principals their school, administrators every
    school."""
    return open_school_ids(user, Action.ATTENDANCE_STUDENTS) & set(
        attendance_reach(user).school_ids
    )


def attendance_students_school_get(user: Any, pk: int) -> School:
    """A school whose absent students the viewer may read: 404 outside what they see, 403 for
    a school whose attendance or students they may not read."""
    school = attendance_school_get(user, pk)
    if school.pk not in student_school_ids(user):
        raise PermissionDenied
    return school


def _opened(user: Any) -> set[int]:
    # Counts are exact where the viewer may open the students behind them.
    return open_school_ids(user, Action.STUDENTS_VIEW) | student_school_ids(user)


def _protected(
    values: dict[Any, int], groups: list[list[Any]], open_keys: set[Any]
) -> dict[Any, Count]:
    """Counts of students with their total, each group of parts adding up to the total."""
    return protected_counts(values, [(TOTAL, parts) for parts in groups], open_keys=open_keys)


@dataclass
class ChronicRow:
    label: str
    counted: Count
    chronic: Count
    school: School | None = None
    grade: str = ""

    @property
    def rate(self) -> float | None:
        if self.counted.suppressed or self.chronic.suppressed:
            return None
        return pct(self.chronic.value, self.counted.value)

    def entry(self) -> dict[str, Any]:
        return {
            "chronic_counted": self.counted.shown,
            "chronic_absent": self.chronic.shown,
            "chronic_absence_rate_pct": self.rate,
            "suppressed": [
                name
                for name, count in (
                    ("chronic_counted", self.counted),
                    ("chronic_absent", self.chronic),
                )
                if count.suppressed
            ]
            + (["chronic_absence_rate_pct"] if self.rate is None and self.counted.value else []),
        }


@dataclass
class TrendPoint:
    month: datetime.date  # the month's first day
    as_of: datetime.date  # its last day, or the day shown
    row: ChronicRow


@dataclass
class Chronic:
    day: datetime.date
    reach: Reach
    schools: list[ChronicRow]
    grades: list[ChronicRow]
    total: ChronicRow
    trend: list[TrendPoint]
    min_days: int
    percent: int

    @property
    def chart(self) -> dict[str, Any]:
        return trend_chart(self.trend)


def _trend_points(
    rollup_q: Q, schools: Collection[int], day: datetime.date, group_of: Any
) -> list[tuple[datetime.date, datetime.date, dict[str, dict[Any, int]]]]:
    """(month, as of, {measure: {group: value}}) at each month's end of the school year to
    `day`, for every school and every group of schools (`group_of`), from the roll-up: each
    school's last rolled-up day in or before the month (a month with no roll-up of a school
    carries its last figures forward), each student once in a group (less the transfers counted
    at two of its schools on those days). Three queries whatever the months and schools."""
    from trellis.attendance.models import DailyChronicTransfer

    first = school_year_start(day)
    rollup = DailySchoolAttendance.objects.filter(rollup_q, date__gte=first, date__lte=day)
    lasts = {
        (school_id, last)
        for school_id, last in rollup.annotate(month=TruncMonth("date"))
        .order_by()
        .values_list("school_id", "month")
        .annotate(last=Max("date"))
        .values_list("school_id", "last")
        if school_id in schools
    }
    found: dict[int, list[tuple[datetime.date, int, int]]] = defaultdict(list)
    for school_id, date, counted, absent in (
        rollup.filter(date__in={d for _s, d in lasts} or [first])
        .order_by("date")
        .values_list("school_id", "date", "chronic_counted", "chronic_absent")
    ):
        if (school_id, date) in lasts:
            found[school_id].append((date, counted, absent))
    # The transfers of the schools on those days (by the filter of the reach, with the system
    # and date index; a school's rows on another school's last day are not looked up).
    moved: dict[tuple[int, datetime.date], list[tuple[int, int, str, bool]]] = defaultdict(list)
    for student_id, school_id, date, grade, is_chronic_there in DailyChronicTransfer.objects.filter(
        rollup_q, date__in=sorted({d for _s, d in lasts}) or [first]
    ).values_list("student_id", "school_id", "date", "grade", "chronic"):
        if (school_id, date) in lasts:
            moved[(school_id, date)].append((student_id, school_id, grade, is_chronic_there))
    out = []
    month = first
    while month <= day:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        as_of = min(following - datetime.timedelta(days=1), day)
        values: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in CHRONIC_MEASURES}
        used: list[tuple[int, datetime.date]] = []
        for school_id, rows in found.items():
            latest = [r for r in rows if r[0] <= as_of]
            if not latest:
                continue
            used.append((school_id, latest[-1][0]))
            for key in [("school", school_id), *group_of(school_id)]:
                values["chronic_counted"][key] += latest[-1][1]
                values["chronic_absent"][key] += latest[-1][2]
        if used:
            twice = _duplicates([row for pair in used for row in moved.get(pair, [])], group_of)
            for key, (extra_counted, extra_absent) in twice.items():
                if key in values["chronic_counted"]:
                    values["chronic_counted"][key] -= extra_counted
                    values["chronic_absent"][key] -= extra_absent
            out.append((month, as_of, values))
        month = following
    return out


# --- One decision of what chronic figures a viewer sees (every page, export and API) ---------
# A district role sees the system's page (each grade's total over every school), each network's
# and each school's (its grade cells): a grade total less the shown cells of the other schools
# would give a hidden cell back. So the cells are protected once over every school the viewer
# reaches, with every total any of their pages shows (docs/decisions.md, branch att3).

ALL = TOTAL


def grade_key(group: tuple[Any, ...], grade: str) -> tuple[Any, ...]:
    """The key of a grade's figures in a group (the whole reach, a system, a network, or a
    school: a school's grade key is one cell of the table of schools by grades)."""
    return (*group, "grade", grade)


@dataclass
class ChronicTable:
    """Chronic absence to a day over every school the viewer reaches: per school and per
    (school, grade) the roll-up's figures, per group of schools (everything, each system, each
    network) the totals and grades each student once, and the keys hidden from this viewer
    (`values[measure][key]`, `hidden[measure]`; measures chronic_counted and chronic_absent)."""

    schools: dict[int, School]
    members: dict[tuple[Any, ...], list[int]]
    grades: dict[tuple[Any, ...], list[str]]
    values: dict[str, dict[Any, int]]
    hidden: dict[str, set[Any]]
    as_of: dict[int, datetime.date]
    # Each month's end: (month, as of, values, hidden), keyed by group as above.
    trend: list[
        tuple[datetime.date, datetime.date, dict[str, dict[Any, int]], dict[str, set[Any]]]
    ] = field(default_factory=list)

    def count(self, measure: str, key: Any) -> Count:
        return Count(self.values[measure].get(key, 0), hidden=key in self.hidden[measure])


CHRONIC_MEASURES = ("chronic_counted", "chronic_absent")
TIMESTAMPS = ("created_at", "updated_at", "roster_modified_at")


def chronic_table(user: Any, day: datetime.date) -> ChronicTable:
    """Decided once per request and day for the viewer (the page, its export, the API)."""
    return per_request(user, f"chronic_table {day.isoformat()}", lambda: _chronic_table(user, day))


def _duplicates(
    rows: list[tuple[int, int, str, bool]], group_of: Any
) -> dict[tuple[Any, ...], list[int]]:
    """{key: [extra students who count, extra chronically absent]} for the groups' totals and
    grades: a student counted at n schools of a group (transfers, DailyChronicTransfer) is
    n - 1 too many there, and c - 1 too many among the chronically absent when chronically
    absent at c > 1 of them (`chronic_duplicates`' rule, for every group at once)."""
    per: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    by_student: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for student_id, school_id, grade, is_chronic_there in rows:
        by_student[student_id].append((school_id, grade, is_chronic_there))
    for found in by_student.values():
        if len(found) < 2:
            continue
        tally: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
        for school_id, grade, is_chronic_there in found:
            for group in group_of(school_id):
                for key in (group, grade_key(group, grade or "")):
                    tally[key][0] += 1
                    tally[key][1] += int(is_chronic_there)
        for key, (n, c) in tally.items():
            if n > 1:
                per[key][0] += n - 1
                per[key][1] += max(c - 1, 0)
    return per


@dataclass
class _ChronicFigures:
    """The chronic figures of a set of schools to a day, before any is withheld: each group's
    values, the relations between them (every total a page shows, with its parts), and each
    month's end with its own."""

    schools: dict[int, School]
    members: dict[tuple[Any, ...], list[int]]
    grades: dict[tuple[Any, ...], set[str]]
    values: dict[str, dict[Any, int]]
    relations: list[tuple[Any, list[Any]]]
    as_of: dict[int, datetime.date]
    months: list[tuple[datetime.date, datetime.date, dict[str, dict[Any, int]]]]
    month_relations: list[tuple[Any, list[Any]]]


def _chronic_figures(school_q: Q, rollup_q: Q, day: datetime.date) -> _ChronicFigures:
    from trellis.attendance.models import DailyChronicTransfer, DailyGradeChronic

    # A metro district's thousand schools with their networks, without the timestamps every
    # row would parse (no page or answer shows them).
    schools = {
        s.pk: s
        for s in School.objects.filter(school_q)
        .select_related("network")
        .defer(*TIMESTAMPS, *(f"network__{name}" for name in TIMESTAMPS[:2]))
    }
    ids = sorted(schools)
    # Each school's day (`as_of_days`), and its rows (`on_days`), without listing the schools:
    # those with the day by the filter of the reach, only the others by id.
    on_day = DailySchoolAttendance.objects.filter(rollup_q, date=day)
    as_of = {pk: day for pk in on_day.values_list("school_id", flat=True) if pk in schools}
    missing = [pk for pk in ids if pk not in as_of]
    earlier = as_of_days(missing, day) if missing else {}
    as_of.update(earlier)
    when = Q(date=day, school_id__in=on_day.values("school_id")) | on_days(earlier)
    school_values = {
        pk: (counted, absent)
        for pk, counted, absent in DailySchoolAttendance.objects.filter(when).values_list(
            "school_id", "chronic_counted", "chronic_absent"
        )
    }
    cells = list(
        DailyGradeChronic.objects.filter(when).values_list(
            "school_id", "grade", "chronic_counted", "chronic_absent"
        )
    )
    transfers = list(
        DailyChronicTransfer.objects.filter(when).values_list(
            "student_id", "school_id", "grade", "chronic"
        )
    )
    # The groups a page can show: everything, each system, each network, each school.
    members: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for pk in ids:
        school = schools[pk]
        members[ALL].append(pk)
        members[("system", school.system_id)].append(pk)
        if school.network_id:
            members[("network", school.network_id)].append(pk)
        members[("school", pk)].append(pk)

    def group_of(school_id: int) -> list[tuple[Any, ...]]:
        school = schools[school_id]
        found: list[tuple[Any, ...]] = [ALL, ("system", school.system_id)]
        if school.network_id:
            found.append(("network", school.network_id))
        return found

    twice = _duplicates([t for t in transfers if t[1] in schools], group_of)
    values: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in CHRONIC_MEASURES}
    grades: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    for pk in ids:
        counted, absent = school_values.get(pk, (0, 0))
        for group in [("school", pk), *group_of(pk)]:
            values["chronic_counted"][group] += counted
            values["chronic_absent"][group] += absent
    for school_id, grade, counted, absent in cells:
        if school_id not in schools:
            continue
        for group in [("school", school_id), *group_of(school_id)]:
            key = grade_key(group, grade or "")
            grades[group].add(grade or "")
            values["chronic_counted"][key] += counted
            values["chronic_absent"][key] += absent
    for key, (extra_counted, extra_absent) in twice.items():
        values["chronic_counted"][key] -= extra_counted
        values["chronic_absent"][key] -= extra_absent
    for group in members:
        values["chronic_counted"].setdefault(group, 0)
        values["chronic_absent"].setdefault(group, 0)
    # Every total a page shows, with the parts it adds up to (counts of distinct students are
    # not exactly additive: treated as sums, which hides more, not less).
    relations: list[tuple[Any, list[Any]]] = []
    for group, pks in members.items():
        relations.append((group, [grade_key(group, g) for g in sorted(grades[group])]))
        if group[0] == "school":
            continue
        relations.append((group, [("school", pk) for pk in pks]))
        for g in sorted(grades[group]):
            relations.append(
                (
                    grade_key(group, g),
                    [grade_key(("school", pk), g) for pk in pks if g in grades[("school", pk)]],
                )
            )
    # Everything = its systems; a system = its networks and its schools outside any network.
    systems = sorted({s.system_id for s in schools.values()})
    outer: list[tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = [
        (ALL, [("system", pk) for pk in systems])
    ]
    for system_id in systems:
        of_system = [s for s in schools.values() if s.system_id == system_id]
        outer.append(
            (
                ("system", system_id),
                sorted({("network", s.network_id) for s in of_system if s.network_id})
                + [("school", s.pk) for s in of_system if not s.network_id],
            )
        )
    for group, parts in outer:
        relations.append((group, parts))
        for g in sorted(grades[group]):
            relations.append(
                (grade_key(group, g), [grade_key(p, g) for p in parts if g in grades[p]])
            )
    # Each month's end (the trend): every group's total against its schools' and the outer
    # relations (a school's page shows its months, the system's page their sum).
    month_relations = [
        (group, [("school", pk) for pk in pks])
        for group, pks in members.items()
        if group[0] != "school"
    ] + outer
    return _ChronicFigures(
        schools=schools,
        members=dict(members),
        grades=dict(grades),
        values={name: dict(v) for name, v in values.items()},
        relations=relations,
        as_of=as_of,
        months=_trend_points(rollup_q, schools, day, group_of),
        month_relations=month_relations,
    )


def _withheld_alone(
    values: dict[str, dict[Any, int]], relations: list[tuple[Any, list[Any]]]
) -> dict[str, set[Any]]:
    """What a viewer who may open none of the students is not shown of a set of figures. A
    count of chronically absent students over a hidden number of students would tell about
    those few (a 0 says none of them is): it goes with its denominator."""
    hidden = {
        name: protect(dict(values[name]), relations, insiders=_insiders(values[name]))
        for name in CHRONIC_MEASURES
    }
    hidden["chronic_absent"] |= hidden["chronic_counted"]
    return hidden


def _insiders(keys: Iterable[Any]) -> dict[Any, int]:
    """Whose figures each school's are: whoever may list a school's students (its principal)
    knows its counts exactly, and must not learn another school's from what is withheld."""
    return {key: key[1] for key in keys if key[0] == "school"}


@dataclass
class _Published:
    """A system's chronic figures with what a viewer who may open none of its students is
    shown, to the day and at each month's end."""

    figures: _ChronicFigures
    day: Pattern
    months: dict[datetime.date, Pattern]


def _published(user: Any, system_id: int, day: datetime.date) -> _Published:
    return per_request(
        user,
        f"chronic_published {system_id} {day.isoformat()}",
        lambda: _publish(_chronic_figures(Q(system_id=system_id), Q(system_id=system_id), day)),
    )


def _publish(figures: _ChronicFigures) -> _Published:
    return _Published(
        figures=figures,
        day=Pattern(
            figures.members,
            figures.values,
            figures.relations,
            _withheld_alone(figures.values, figures.relations),
        ),
        months={
            month: Pattern(
                figures.members,
                month_values,
                figures.month_relations,
                _withheld_alone(month_values, figures.month_relations),
            )
            for month, _as_of, month_values in figures.months
        },
    )


def published_decide(system_id: int) -> datetime.date | None:
    """Every decision of the system's published patterns on the day its pages open on (the
    last day with attendance up to its today, `morning_day`'s): the chronic table to that day
    and at each month's end (`_published`, and `_chronic_table` for a viewer shown the system
    whole) and the day's counts (`_morning_published`). The import's background task makes
    them inside `core.suppression.storing`, so that the first page after an import pays none.
    None when the system has no attendance yet."""
    system = System.objects.get(pk=system_id)
    where = Q(system_id=system_id)
    day = (
        DailySchoolAttendance.objects.filter(where, date__lte=system_today(system))
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if day is None:
        return None
    _publish(_chronic_figures(where, where, day))
    _morning_pattern(*_morning_figures(where, where, day))
    return day


def _group_of_key(key: Any) -> tuple[Any, ...]:
    return key[:-2] if len(key) > 2 and key[-2] == "grade" else key


@dataclass
class Pattern:
    """A system's figures as a viewer who may open none of its students is shown them: each
    group's schools, the figures by measure, the relations between them, and what is withheld
    (by measure). Every other viewer's figures of that system are decided beside it."""

    members: dict[tuple[Any, ...], list[int]]
    values: dict[str, dict[Any, int]]
    relations: list[tuple[Any, list[Any]]]
    hidden: dict[str, set[Any]]


def _withheld_beside(
    values: dict[str, dict[Any, int]],
    relations: list[tuple[Any, list[Any]]],
    *,
    members: dict[tuple[Any, ...], list[int]],
    published: list[Pattern],
    open_keys: set[Any],
) -> dict[str, set[Any]]:
    """What a viewer is not shown of their figures, decided beside what every other viewer of
    their systems is shown (`protect_beside`), so that no two viewers' pages together give a
    hidden figure back. A group of the viewer's that is not the published group of that name
    (the part of a network they see, their whole reach) is their own total, named apart."""
    published_members: dict[tuple[Any, ...], list[int]] = {}
    for pattern in published:
        published_members.update(
            {group: pks for group, pks in pattern.members.items() if group != ALL}
        )
    own: dict[Any, Any] = {}
    for measure in values.values():
        for key in measure:
            group = _group_of_key(key)
            if group == ALL or sorted(members.get(group, [])) != sorted(
                published_members.get(group, [])
            ):
                own[key] = ("seen", *key)

    def named(key: Any) -> Any:
        return own.get(key, key)

    hidden: dict[str, set[Any]] = {}
    for name, measure in values.items():
        union_values: dict[Any, int] = {}
        union_relations: list[tuple[Any, list[Any]]] = []
        union_hidden: set[Any] = set()
        for pattern in published:
            # A system's whole-reach total is its system total by another name: left out, the
            # viewer's whole reach is their own total.
            union_values.update(
                {k: v for k, v in pattern.values[name].items() if _group_of_key(k) != ALL}
            )
            union_relations += [
                (total, parts) for total, parts in pattern.relations if _group_of_key(total) != ALL
            ]
            union_hidden |= pattern.hidden[name]
        decided = protect_beside(
            {named(k): v for k, v in measure.items()},
            [(named(total), [named(p) for p in parts]) for total, parts in relations],
            published=union_values,
            published_relations=union_relations,
            published_hidden=union_hidden,
            open_keys={named(k) for k in open_keys},
            insiders=_insiders([*union_values, *measure]),
        )
        hidden[name] = {k for k in measure if named(k) in decided}
    return hidden


def _chronic_table(user: Any, day: datetime.date) -> ChronicTable:
    reach = attendance_reach(user)
    figures = _chronic_figures(*reach_filters(reach), day)
    members, grades, values = figures.members, figures.grades, figures.values
    opened = _opened(user)
    open_keys: set[Any] = set()
    for group, pks in members.items():
        if set(pks) <= opened:
            open_keys |= {group, *(grade_key(group, g) for g in grades[group])}
    alone = (
        len(reach.system_ids) == 1
        and reach.whole_system_ids == reach.system_ids
        and not reach.outside_ids
        and not open_keys
    )
    trend = []
    if open_keys >= set(values["chronic_counted"]):
        hidden: dict[str, set[Any]] = {name: set() for name in CHRONIC_MEASURES}
        for month, month_as_of, month_values in figures.months:
            trend.append((month, month_as_of, month_values, dict(hidden)))
    elif alone:
        # The viewer sees their system as every viewer who may open none of its students does:
        # that is the published pattern itself.
        published = _publish(figures)
        hidden = published.day.hidden
        for month, month_as_of, month_values in figures.months:
            trend.append((month, month_as_of, month_values, published.months[month].hidden))
    else:
        systems = [_published(user, pk, day) for pk in sorted(reach.system_ids)]
        hidden = _withheld_beside(
            values,
            figures.relations,
            members=members,
            published=[p.day for p in systems],
            open_keys=open_keys,
        )
        # A count of chronically absent students goes with its denominator (`_withheld_alone`).
        hidden["chronic_absent"] |= hidden["chronic_counted"]
        for month, month_as_of, month_values in figures.months:
            month_hidden = _withheld_beside(
                month_values,
                figures.month_relations,
                members=members,
                published=[p.months[month] for p in systems if month in p.months],
                open_keys=open_keys,
            )
            month_hidden["chronic_absent"] |= month_hidden["chronic_counted"]
            trend.append((month, month_as_of, month_values, month_hidden))
    return ChronicTable(
        schools=figures.schools,
        members=members,
        grades={group: sorted(found, key=grade_sort_key) for group, found in grades.items()},
        values=values,
        hidden=hidden,
        as_of=figures.as_of,
        trend=trend,
    )


def chronic_group(
    user: Any, *, school: int | None = None, network: int | None = None, system: int | None = None
) -> tuple[Any, ...]:
    """The group a chronic page or the API shows: a school, a network, a system, else every
    school the viewer reaches."""
    if school is not None:
        return ("school", school)
    if network is not None:
        return ("network", network)
    if system is not None and len(attendance_reach(user).system_ids) > 1:
        return ("system", system)
    return ALL


def chronic_networks(user: Any, day: datetime.date) -> list[tuple[int, str]]:
    """The networks of the viewer's schools (the chronic page's filter), by name."""
    table = chronic_table(user, day)
    found = {s.network.pk: s.network.name for s in table.schools.values() if s.network is not None}
    return sorted(found.items(), key=lambda n: (n[1], n[0]))


def chronic(user: Any, day: datetime.date, *, group: tuple[Any, ...] = ALL) -> Chronic:
    """Chronic absence to `day` of a group of the viewer's schools (all of them by default,
    else a system's, a network's or one school's: `chronic_group`): per school, per grade, and
    each month's end since the school year began, suppressed for viewers who may not open the
    students as `chronic_table` decides over every school they reach, so that no page, export
    or API answer gives back by subtraction a figure another one hides."""
    reach = attendance_reach(user)
    table = chronic_table(user, day)
    pks = table.members.get(group, [])
    schools = sorted((table.schools[pk] for pk in pks), key=lambda s: (s.name, s.pk))

    def row(label: str, key: Any, **extra: Any) -> ChronicRow:
        return ChronicRow(
            label=label,
            counted=table.count("chronic_counted", key),
            chronic=table.count("chronic_absent", key),
            **extra,
        )

    trend = [
        TrendPoint(
            month=month,
            as_of=as_of,
            row=ChronicRow(
                label=month.strftime("%B %Y"),
                counted=Count(
                    values["chronic_counted"].get(group, 0),
                    hidden=group in hidden["chronic_counted"],
                ),
                chronic=Count(
                    values["chronic_absent"].get(group, 0),
                    hidden=group in hidden["chronic_absent"],
                ),
            ),
        )
        for month, as_of, values, hidden in table.trend
        if group in values["chronic_counted"]
    ]
    first_settings = settings_of(schools[0].system_id) if schools else AttendanceSettings()
    return Chronic(
        day=day,
        reach=reach,
        schools=[row(s.name, ("school", s.pk), school=s) for s in schools],
        grades=[
            row(f"Grade {g}" if g else "Grade not recorded", grade_key(group, g), grade=g)
            for g in table.grades.get(group, [])
        ],
        total=row("All", group),
        trend=trend,
        min_days=first_settings.chronic_min_days,
        percent=first_settings.chronic_percent,
    )


def trend_chart(points: list[TrendPoint]) -> dict[str, Any]:
    """An inline SVG line of the chronic absence rate at each month's end (only the shown
    rates; the table beside it gives every figure)."""
    width, height, left, bottom, top = 560, 220, 44, 32, 12
    shown = [(p, p.row.rate) for p in points if p.row.rate is not None]
    peak = max([rate for _p, rate in shown if rate is not None] + [10.0])
    ceiling = float(int((peak + 9.999) // 10) * 10)
    step = (width - left - 16) / max(len(points) - 1, 1)
    plot = height - bottom - top

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(rate: float) -> float:
        return round(top + plot * (1 - rate / ceiling), 1)

    index = {id(p): i for i, p in enumerate(points)}
    dots = [
        {"x": x(index[id(p)]), "y": y(rate), "rate": rate} for p, rate in shown if rate is not None
    ]
    ticks = [{"y": y(value), "label": f"{value:.0f}%"} for value in (0.0, ceiling / 2, ceiling)]
    months = [{"x": x(i), "label": p.month.strftime("%b")} for i, p in enumerate(points)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - 16,
        "baseline": y(0),
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "ticks": ticks,
        "months": months,
        "label_y": height - 8,
    }


@dataclass
class ChronicStudent:
    student: Student
    days_enrolled: int
    days_absent: int
    last_contact: datetime.date | None

    @property
    def rate(self) -> float | None:
        return pct(self.days_absent, self.days_enrolled)


def school_grades(school: School) -> list[str]:
    """The grades of the school's students (on its roster or with an enrolment window there),
    in grade order: what the student lists' grade filter offers."""
    grades = set(
        Student.objects.filter(system_id=school.system_id)
        .filter(Q(school=school) | Q(enrolments__school=school))
        .exclude(grade="")
        .order_by()
        .values_list("grade", flat=True)
        .distinct()
    )
    return sorted(grades, key=grade_sort_key)


def _students_matching(ids: list[int], query: str, grade: str) -> QuerySet[Student]:
    """The students among `ids` whose name or sourcedId holds `query`, of `grade` if given."""
    students = Student.objects.filter(pk__in=ids)
    if query:
        students = students.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(sourced_id__icontains=query)
        )
    if grade:
        students = students.filter(grade=grade)
    return students.only("pk", "given_name", "family_name", "sourced_id", "grade")


def chronic_students(
    school: School, day: datetime.date, *, query: str = "", grade: str = ""
) -> list[ChronicStudent]:
    """The school's chronically absent students to `day` (the viewer was checked by
    `attendance_students_school_get`), highest rate first, with their last family contact."""
    own = settings_of(school.system_id)
    enrolled, absent = chronic_days(
        school_ids=[school.pk], day=day, source=window_source(school.system_id)
    )
    found = {
        student_id: (days, absent.get((school_id, student_id), 0))
        for (school_id, student_id), days in enrolled.items()
        if is_chronic(days, absent.get((school_id, student_id), 0), own)
    }
    students = _students_matching(list(found), query, grade)
    last = dict(
        FamilyContact.objects.filter(
            school=school, student_id__in=list(found), contacted_on__lte=day
        )
        .order_by()
        .values_list("student_id")
        .annotate(Max("contacted_on"))
    )
    rows = [ChronicStudent(s, found[s.pk][0], found[s.pk][1], last.get(s.pk)) for s in students]
    rows.sort(
        key=lambda r: (-(r.days_absent / r.days_enrolled), r.student.family_name, r.student.pk)
    )
    return rows


def student_name(student: Student) -> str:
    name = f"{student.family_name}, {student.given_name}".strip(", ")
    return name or f"Student {student.sourced_id}"


@dataclass
class ContactState:
    """One student's absences and family contacts at a school this school year, to a day."""

    student_id: int
    absences: int = 0
    last_absence: datetime.date | None = None
    # The day of the latest multiple of N absences (None under N): a contact is due on or
    # after it.
    due_from: datetime.date | None = None
    # Which absence that was (N, 2N, …).
    due_count: int = 0
    contacted: bool = False
    last_contact: datetime.date | None = None
    follow_up_on: datetime.date | None = None

    @property
    def eligible(self) -> bool:
        return self.due_from is not None

    @property
    def needs_call(self) -> bool:
        return self.eligible and not self.contacted

    def follow_up_due(self, day: datetime.date) -> bool:
        return self.follow_up_on is not None and self.follow_up_on <= day


def contact_states(
    school_ids: Collection[int], day: datetime.date, threshold_n: int
) -> dict[tuple[int, int], ContactState]:
    """{(school, student): ContactState} of every student with an absence or a contact at the
    schools this school year to `day` (two queries). Absences: days with an Excused or
    Unexcused Absence recorded at the school (the import admits them only on the school's
    instructional days while the student was enrolled there)."""
    first = school_year_start(day)
    ids = sorted(school_ids)
    states: dict[tuple[int, int], ContactState] = {}
    days: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for school_id, student_id, date in (
        AttendanceEvent.objects.filter(
            school_id__in=ids,
            date__gte=first,
            date__lte=day,
            category__in=[str(c) for c in ABSENCES],
        )
        .order_by()
        .values_list("school_id", "student_id", "date")
        .distinct()
        .iterator(chunk_size=20000)
    ):
        days[(school_id, student_id)].append(date)
    for key, dates in days.items():
        dates.sort()
        state = states[key] = ContactState(key[1], absences=len(dates), last_absence=dates[-1])
        reached = len(dates) // threshold_n
        if reached:
            state.due_count = reached * threshold_n
            state.due_from = dates[state.due_count - 1]
    for school_id, student_id, contacted_on, follow_up_on in (
        FamilyContact.objects.filter(
            school_id__in=ids, contacted_on__gte=first, contacted_on__lte=day
        )
        .order_by("contacted_on", "id")
        .values_list("school_id", "student_id", "contacted_on", "follow_up_on")
    ):
        state = states.setdefault((school_id, student_id), ContactState(student_id))
        state.last_contact, state.follow_up_on = contacted_on, follow_up_on
        if state.due_from is not None and contacted_on >= state.due_from:
            state.contacted = True
    return states


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass
class WorklistEntry:
    """A student on the worklist. Why they are on it and their last contact come from one
    computation (their ContactState), so the two columns cannot disagree."""

    student: Student
    state: ContactState
    follow_up: bool  # a follow-up is due (on or before the day)

    @property
    def last_contact(self) -> datetime.date | None:
        return self.state.last_contact

    @property
    def reason(self) -> str:
        parts = []
        state = self.state
        if state.needs_call and state.due_from is not None:
            since = (
                f"last contact {state.last_contact:%b %-d, %Y}, before it"
                if state.last_contact
                else "no contact this school year"
            )
            parts.append(
                f"{ordinal(state.due_count)} absence on {state.due_from:%b %-d, %Y}; {since}"
            )
        if self.follow_up and state.follow_up_on is not None and state.last_contact:
            parts.append(
                f"follow-up due {state.follow_up_on:%b %-d, %Y} "
                f"(set at the contact of {state.last_contact:%b %-d, %Y})"
            )
        return "; ".join(parts)


def worklist(
    school: School, day: datetime.date, *, query: str = "", grade: str = "", due: str = ""
) -> list[WorklistEntry]:
    """Who needs a call at the school on `day` (CONTACT_RULE): students with no contact since
    their latest Nth absence, and follow-ups due; most absences first."""
    n = settings_of(school.system_id).contact_after_absences
    states = contact_states([school.pk], day, n)
    wanted = {
        key[1]: state
        for key, state in states.items()
        if state.needs_call or state.follow_up_due(day)
    }
    students = _students_matching(list(wanted), query, grade)
    out = [WorklistEntry(s, wanted[s.pk], wanted[s.pk].follow_up_due(day)) for s in students]
    if due == "call":
        out = [e for e in out if e.state.needs_call]
    elif due == "follow_up":
        out = [e for e in out if e.follow_up]
    out.sort(key=lambda e: (-e.state.absences, e.student.family_name, e.student.pk))
    return out


def worklist_count(day: datetime.date) -> Subquery:
    """Beside a school (OuterRef "pk"): the students on its worklist on `day`, from the contact
    roll-up (DailySchoolContacts.on_worklist) of its day, or of its last instructional day
    before it in the school year; None without one."""
    from trellis.attendance.models import DailySchoolContacts

    return Subquery(
        DailySchoolContacts.objects.filter(
            school_id=OuterRef("pk"), date__lte=day, date__gte=school_year_start(day)
        )
        .order_by("-date")
        .values("on_worklist")[:1],
        output_field=IntegerField(),
    )


def worklist_size(school: School, day: datetime.date) -> int:
    """How many students are on the school's worklist on `day` (one query: the roll-up)."""
    found = (
        School.objects.filter(pk=school.pk)
        .annotate(n=worklist_count(day))
        .values_list("n", flat=True)
        .first()
    )
    return found or 0


@dataclass
class ContactRateRow:
    school: School | None
    eligible: Count
    contacted: Count
    to_call: int

    @property
    def rate(self) -> float | None:
        if self.eligible.suppressed or self.contacted.suppressed:
            return None
        return pct(self.contacted.value, self.eligible.value)


def contact_rates(
    user: Any, day: datetime.date, *, school_ids: Iterable[int] | None = None
) -> tuple[list[ContactRateRow], ContactRateRow]:
    """Per school of the viewer's (or the given ones among them): students with at least N
    absences this school year (eligible) and those contacted since their latest Nth absence
    (the contact roll-up, DailySchoolContacts: three queries whatever the size), suppressed
    like the other counts of students."""
    reach = attendance_reach(user)
    ids = set(reach.school_ids) if school_ids is None else set(school_ids) & reach.school_ids
    schools = list(
        School.objects.filter(pk__in=ids).select_related("system", "network").order_by("name")
    )
    from trellis.attendance.models import DailySchoolContacts

    tallies: dict[int, list[int]] = {s.pk: [0, 0] for s in schools}
    # The contact roll-up on each school's day (its last instructional day up to the day).
    for school_id, eligible, contacted in DailySchoolContacts.objects.filter(
        on_days(as_of_days(list(tallies), day))
    ).values_list("school_id", "eligible", "contacted"):
        tallies[school_id] = [eligible, contacted]
    opened = _opened(user)
    open_keys: set[Any] = {("school", pk) for pk in ids & opened}
    if ids <= opened:
        open_keys.add(TOTAL)
    keys = [("school", s.pk) for s in schools]
    counts = {}
    for index, name in ((0, "eligible"), (1, "contacted")):
        values: dict[Any, int] = {("school", pk): t[index] for pk, t in tallies.items()}
        values[TOTAL] = sum(t[index] for t in tallies.values())
        counts[name] = _protected(values, [keys], open_keys)
    rows = [
        ContactRateRow(
            s,
            counts["eligible"][("school", s.pk)],
            counts["contacted"][("school", s.pk)],
            tallies[s.pk][0] - tallies[s.pk][1],
        )
        for s in schools
    ]
    total = ContactRateRow(
        None,
        counts["eligible"][TOTAL],
        counts["contacted"][TOTAL],
        sum(t[0] - t[1] for t in tallies.values()),
    )
    return rows, total


def contact_student_get(school: School, student_id: int) -> Student:
    """A student of the school (enrolled there at some time, by any window, or on its roster);
    anyone else is not found."""
    student = (
        Student.objects.filter(pk=student_id, system_id=school.system_id)
        .filter(Q(school=school) | Q(enrolments__school=school))
        .distinct()
        .first()
    )
    if student is None:
        raise Http404
    return student


def family_contacts(
    school: School,
    *,
    student_id: int | None = None,
    since: datetime.date | None = None,
    query: str = "",
    method: str = "",
    outcome: str = "",
) -> QuerySet[FamilyContact]:
    """The school's family contacts, latest first (the viewer was checked)."""
    contacts = FamilyContact.objects.filter(school=school).select_related(
        "student", "logged_by__person"
    )
    if query:
        contacts = contacts.filter(
            Q(student__given_name__icontains=query)
            | Q(student__family_name__icontains=query)
            | Q(student__sourced_id__icontains=query)
            | Q(note__icontains=query)
        )
    if method:
        contacts = contacts.filter(method=method)
    if outcome:
        contacts = contacts.filter(outcome=outcome)
    if student_id is not None:
        contacts = contacts.filter(student_id=student_id)
    if since is not None:
        contacts = contacts.filter(contacted_on__gte=since)
    return contacts.order_by("-contacted_on", "-id")


def contact_student_by_sourced_id(school: School, sourced_id: str) -> Student:
    """The API's way to a student of the school: by sourcedId; anyone else is not found."""
    found = Student.objects.filter(system_id=school.system_id, sourced_id=sourced_id).first()
    if found is None:
        raise Http404
    return contact_student_get(school, found.pk)


# --- Alerts (issue 12): who is told, what about, and each person's own alerts ---------------


def absence_jumped(today: float | None, usual: float | None) -> bool:
    """The "jumped" rule of the morning pages (and of the absence-spike alert): today's rate at
    least JUMP_FACTOR times the usual rate and JUMP_POINTS points above it."""
    if today is None or usual is None:
        return False
    return (
        Decimal(str(today)) >= Decimal(str(usual)) * JUMP_FACTOR
        and Decimal(str(today)) - Decimal(str(usual)) >= JUMP_POINTS
    )


def late_classes(system: System, day: datetime.date) -> dict[int, list[tuple[Any, Any]]]:
    """Each school's classes expected on `day` (an instructional day of the school) with no
    submission made by the deadline: (class, the late submission or None), by title. Two
    queries for the whole system."""
    own = settings_of(system.pk)
    taught = CalendarDay.objects.filter(system=system, date=day).values("school_id")
    classes = list(
        SchoolClass.objects.filter(
            system=system, school_id__in=taught, is_active=True, class_type=class_type(own)
        )
        .exclude(
            pk__in=AttendanceSubmission.objects.filter(
                system=system, date=day, on_time=True
            ).values("school_class_id")
        )
        .order_by("school_id", "title", "pk")
    )
    late = {
        s.school_class_id: s
        for s in AttendanceSubmission.objects.filter(
            system=system, date=day, school_class_id__in=[c.pk for c in classes]
        )
    }
    out: dict[int, list[tuple[Any, Any]]] = {}
    for c in classes:
        out.setdefault(c.school_id, []).append((c, late.get(c.pk)))
    return out


def school_principals(school_ids: Iterable[int], day: datetime.date) -> dict[int, set[int]]:
    """The accounts (user ids) of each school's principals on `day`: whoever holds a principal
    or assistant principal position there (the people app) or a principal grant on the school
    (authz), active accounts only."""
    from trellis.authz.models import Grant
    from trellis.authz.roles import Role

    ids = set(school_ids)
    out: dict[int, set[int]] = {pk: set() for pk in ids}
    for school_id, user_id in (
        current_positions(day)
        .filter(school_id__in=ids, kind__in=LEADERS)
        .filter(person__account__is_active=True)
        .values_list("school_id", "person__account")
    ):
        out[school_id].add(user_id)
    for school_id, user_id in (
        Grant.objects.filter(role=Role.PRINCIPAL, school_id__in=ids, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .filter(user__is_active=True)
        .values_list("school_id", "user_id")
    ):
        out[school_id].add(user_id)
    return out


def supervisor_caseloads(system: System, day: datetime.date) -> dict[int, set[int]]:
    """Each supervisor's account (user id) → their schools of the system on `day`: a
    supervisor's schools as every page counts them (their caseload's principals' and
    assistant principals' schools, and their supervisor grants'; assignments'
    `supervisor_schools`)."""
    from trellis.accounts.models import User
    from trellis.assignments.selectors import supervisor_schools

    schools = supervisor_schools(day, system_ids=[system.pk])
    of_system = set(School.objects.filter(system=system).values_list("pk", flat=True))
    accounts = dict(
        User.objects.filter(is_active=True, person__in=list(schools)).values_list("person_id", "pk")
    )
    out: dict[int, set[int]] = {}
    for person_id, ids in schools.items():
        mine = ids & of_system
        if person_id in accounts and mine:
            out[accounts[person_id]] = mine
    return out


ALERT_STATUSES = ("open", "acknowledged", "all")


def own_alerts(
    user: Any,
    *,
    status: str = "open",
    kind: str = "",
    query: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Any]:
    """The viewer's own attendance alerts (nobody sees anyone else's), newest first."""
    from trellis.attendance.models import AttendanceAlert

    if not getattr(user, "is_authenticated", False):
        return AttendanceAlert.objects.none()
    alerts = AttendanceAlert.objects.filter(recipient_id=user.pk).select_related("school")
    if status == "open":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    elif status == "acknowledged":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    if kind:
        alerts = alerts.filter(kind=kind)
    if query:
        alerts = alerts.filter(Q(school__name__icontains=query) | Q(summary__icontains=query))
    if date_from:
        alerts = alerts.filter(date__gte=date_from)
    if date_to:
        alerts = alerts.filter(date__lte=date_to)
    return alerts.order_by("-date", "school__name", "kind", "pk")


def own_alert_get(user: Any, pk: int) -> Any:
    """One of the viewer's own alerts; anyone else's is "not found"."""
    found = own_alerts(user, status="all").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- The instructional calendar on screen (issue 12) -------------------------------------------


def calendar_school_get(user: Any, pk: int) -> School:
    """A school whose calendar the viewer may change (attendance.manage on its system); 404
    outside what they may see, 403 where they see it but may not."""
    from trellis.authz.policies import authorize

    school = School.objects.select_related("system").filter(pk=pk).first()
    if school is None:
        raise Http404
    authorize(user, Action.ATTENDANCE_MANAGE, school)
    return school


@dataclass
class CalendarRemoval:
    """What removing a school's instructional days would take out of the figures: the days,
    and the attendance recorded on them (kept, no longer counted)."""

    days: list[datetime.date]
    events: int
    students: int
    submissions: int

    @property
    def records(self) -> int:
        return self.events + self.submissions


def calendar_removal(school: School, start: datetime.date, end: datetime.date) -> CalendarRemoval:
    """The school's instructional days from `start` to `end` and the attendance records on
    them (three queries): what the confirmation of their removal states."""
    days = sorted(
        CalendarDay.objects.filter(school=school, date__gte=start, date__lte=end).values_list(
            "date", flat=True
        )
    )
    events = AttendanceEvent.objects.filter(school=school, date__in=days).aggregate(
        n=Count_("pk"), students=Count_("student_id", distinct=True)
    )
    return CalendarRemoval(
        days=days,
        events=events["n"] or 0,
        students=events["students"] or 0,
        submissions=AttendanceSubmission.objects.filter(school=school, date__in=days).count(),
    )


@dataclass
class CalendarCell:
    day: datetime.date | None
    instructional: bool = False
    # Attendance or submissions recorded that day (from the roll-up).
    recorded: bool = False


@dataclass
class CalendarMonth:
    first: datetime.date
    weeks: list[list[CalendarCell]]
    instructional: int


def calendar_months(school: School, year_start: datetime.date) -> list[CalendarMonth]:
    """The school year's twelve months as week rows (Monday first), each day marked
    instructional or not and whether attendance was recorded: two queries."""
    year_end = datetime.date(year_start.year + 1, 6, 30)
    days = set(
        CalendarDay.objects.filter(
            school=school, date__gte=year_start, date__lte=year_end
        ).values_list("date", flat=True)
    )
    recorded = set(
        DailySchoolAttendance.objects.filter(
            school=school, date__gte=year_start, date__lte=year_end
        )
        .filter(Q(absent__gt=0) | Q(tardy__gt=0) | Q(submitted__gt=0))
        .values_list("date", flat=True)
    )
    months = []
    for i in range(12):
        month, year = (year_start.month + i - 1) % 12 + 1, year_start.year + (i + 6) // 12
        first = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        cells = [CalendarCell(None) for _ in range(first.weekday())]
        day = first
        while day < following:
            cells.append(CalendarCell(day, day in days, day in recorded))
            day += datetime.timedelta(days=1)
        cells += [CalendarCell(None) for _ in range(-len(cells) % 7)]
        weeks = [cells[k : k + 7] for k in range(0, len(cells), 7)]
        months.append(CalendarMonth(first, weeks, sum(1 for c in cells if c.instructional)))
    return months


# --- A network's morning (issue 12) -------------------------------------------------------------


class NetworkOutOfReach(PermissionDenied):
    """A network the viewer sees (their grant holds it) with none of its schools in their
    attendance reach: "forbidden", and the page says why."""


def attendance_network_get(user: Any, pk: int) -> tuple[Any, list[int], tuple[int, int] | None]:
    """A network whose attendance the viewer may see, the ids of its schools they see there,
    and, when that is only part of it, (schools shown, schools of the network).

    - The viewer's attendance scope holds the network or its system: every school of it.
    - Their reach holds some of its schools (a supervisor whose caseload's principals lead
      schools there, a principal's own school): those schools, and the page says so.
    - They see the network (a grant) but reach none of its schools' attendance: 403
      (`NetworkOutOfReach`, which says why).
    - Anything else: 404."""
    from trellis.orgs.models import Network
    from trellis.orgs.selectors import visible_networks

    network = Network.objects.select_related("system").filter(pk=pk).first()
    if network is None:
        raise Http404
    ids = list(School.objects.filter(network=network).values_list("pk", flat=True))
    scope = scope_for(user, Action.ATTENDANCE_VIEW)
    if scope.everything or network.system_id in scope.system_ids or pk in scope.network_ids:
        return network, ids, None
    reached = sorted(set(ids) & attendance_reach(user).school_ids)
    if reached:
        return network, reached, (len(reached), len(ids))
    if visible_networks(user).filter(pk=pk).exists():
        raise NetworkOutOfReach(
            f"You see {network.name}, but the attendance of none of its schools: you see the "
            "attendance of your own school or, as a supervisor, of the schools of the network "
            "you are granted and of those whose principals are on your caseload, and none of "
            "those is in this network."
        )
    raise Http404


# --- The morning page of many schools, one page at a time (issue 12, metro scale) --------------
# The system's (or a network's) page reads the figures of the 50 schools it shows, the total
# from one aggregate over the roll-up, and the few schools that decide small-cell suppression;
# sorting and filtering by a figure happen in SQL over the roll-up. Same figures and the same
# suppression as `morning()` (which the school page, the home panel, the API report and the
# alerts keep: a handful of schools, or every school's figures wanted).

MORNING_SORTS = {
    "name": "School name",
    "absence_rate": "Absence rate (highest first)",
    "not_submitted": "Classes not submitted (most first)",
    "on_time": "On time this week (lowest first)",
}
# How many schools the "jumped" list names before it points at the filter.
JUMPED_SHOWN = 10


def _tenths(part: Any, whole: Any) -> Any:
    """A percentage in tenths, halves rounded up, in integer SQL (as `pct` rounds it): NULL
    without a denominator."""
    return ExpressionWrapper(
        (V(2000) * part + whole) / NullIf(V(2) * whole, V(0)), output_field=IntegerField()
    )


def _jumped_ids(schools: Q, day: datetime.date, hidden: list[int]) -> list[int]:
    """The schools whose absence rate jumped on `day` (`absence_jumped`, in tenths of a
    percent: today at least 1.5 times the usual rate and 30 tenths above it), leaving out those
    whose rate the viewer may not see: one query over the day's roll-up rows, which hold the
    usual figures (rollups.usual_refresh)."""
    return list(
        DailySchoolAttendance.objects.filter(schools, date=day)
        .exclude(school_id__in=hidden)
        .order_by()
        .alias(
            rate_t=_tenths(F("absent"), F("enrolled")),
            usual_t=_tenths(F("usual_absent"), F("usual_enrolled")),
        )
        .alias(twice=F("rate_t") * 2, thrice=F("usual_t") * 3)
        .filter(rate_t__gte=F("usual_t") + 30, twice__gte=F("thrice"))
        .values_list("school_id", flat=True)
    )


def _figure_annotations(day: datetime.date) -> dict[str, Any]:
    """Each school's day from the roll-up, as subqueries beside the school (index lookups on
    (school, date)): today's row (with the usual figures it holds) and the week's sums."""
    rollup = DailySchoolAttendance.objects.filter(school_id=OuterRef("pk"))
    today = rollup.filter(date=day)

    def one(field: str) -> Subquery:
        return Subquery(today.values(field)[:1], output_field=IntegerField())

    def summed(rows: QuerySet[Any], field: str) -> Subquery:
        return Subquery(
            rows.order_by().values("school_id").annotate(s=Sum(field)).values("s")[:1],
            output_field=IntegerField(),
        )

    week = rollup.filter(week_q(day))
    usual = rollup.filter(date__gte=day - datetime.timedelta(days=USUAL_WINDOW_DAYS), date__lt=day)
    return {
        "d_enrolled": one("enrolled"),
        "d_absent": one("absent"),
        "d_expected": one("expected_submissions"),
        "d_submitted": one("submitted"),
        "w_expected": summed(week, "expected_submissions"),
        "w_on_time": summed(week, "on_time"),
        # Stored on the day's row; for a school without the day (and only then: COALESCE
        # stops at the first value) its rows of the four weeks before.
        "u_enrolled": Coalesce(one("usual_enrolled"), summed(usual, "enrolled")),
        "u_absent": Coalesce(one("usual_absent"), summed(usual, "absent")),
    }


def _figures_of(school: Any) -> Figures:
    """The Figures of an annotated school (see `_figure_annotations`)."""
    return Figures(
        enrolled=school.d_enrolled or 0,
        absent=school.d_absent or 0,
        expected_week=school.w_expected or 0,
        on_time_week=school.w_on_time or 0,
        usual_enrolled=school.u_enrolled or 0,
        usual_absent=school.u_absent or 0,
        expected_today=school.d_expected or 0,
        submitted_today=school.d_submitted or 0,
        has_day=school.d_enrolled is not None,
    )


MORNING_COUNTS = ("enrolled", "absent")


def _morning_total(
    schools: Q, closed: Q | None, day: datetime.date
) -> tuple[Figures, dict[str, int | None]]:
    """The total of the schools' day: one aggregate over the daily per-school roll-up (today,
    with the usual figures its rows hold, and this week, in one pass); with it, for the
    schools whose students the viewer may not open (`closed`), the smallest count of each kind
    at or above the suppression threshold (`_morning_hidden`'s complementary candidates)."""
    monday = day - datetime.timedelta(days=day.weekday())
    on_day, in_week = Q(date=day), week_q(day)
    limit = threshold()
    mins = {
        f"m_{name}": Min(name, filter=on_day & closed & Q(**{f"{name}__gte": limit}))
        for name in MORNING_COUNTS
        if closed is not None
    }
    got = DailySchoolAttendance.objects.filter(schools, date__gte=monday, date__lte=day).aggregate(
        t_enrolled=Sum("enrolled", filter=on_day),
        t_absent=Sum("absent", filter=on_day),
        t_expected_today=Sum("expected_submissions", filter=on_day),
        t_submitted_today=Sum("submitted", filter=on_day),
        t_days=Count_("pk", filter=on_day),
        t_expected_week=Sum("expected_submissions", filter=in_week),
        t_on_time_week=Sum("on_time", filter=in_week),
        t_usual_enrolled=Sum("usual_enrolled", filter=on_day),
        t_usual_absent=Sum("usual_absent", filter=on_day),
        **mins,
    )
    smallest = {name: got.pop(f"m_{name}", None) for name in MORNING_COUNTS}
    days = got.pop("t_days") or 0
    sums: dict[str, Any] = {k[2:]: int(v or 0) for k, v in got.items()}
    total = Figures(**sums, has_day=bool(days))
    return total, smallest


@dataclass
class MorningDecision:
    """Which counts of students of the day (enrolled, absent) are hidden from one viewer, decided
    once over every school they reach with every total one of their pages shows (everything,
    each system, each network: `protect`), so that the system's, a network's and a school's
    page, the home panel and the API hide the same cells."""

    members: dict[tuple[Any, ...], list[int]]
    values: dict[str, dict[Any, int]]
    hidden: dict[str, set[Any]]
    # No count of the day at any school in reach is small (1 to threshold - 1): `protect`
    # then hides nothing over these schools, whichever of them a page shows (members and
    # values are left empty: nothing to decide).
    none_small: bool = False
    # The systems' patterns the decision was made beside, and what the viewer may open: a page
    # over a set of schools that is no group decides its total beside them too.
    published: list[Pattern] = field(default_factory=list)
    open_keys: set[Any] = field(default_factory=set)

    def group(self, ids: Collection[int]) -> tuple[Any, ...] | None:
        """The group whose schools are exactly `ids` (a school, a network, a system, or all)."""
        wanted = set(ids)
        if len(wanted) == 1:
            return ("school", next(iter(wanted)))
        for group, pks in self.members.items():
            if group[0] != "school" and set(pks) == wanted:
                return group
        return None

    def page_hidden(self, ids: Collection[int]) -> dict[str, set[Any]]:
        """The hidden keys of a page over `ids`: its schools' ("school", pk) and its total's
        (TOTAL). A set of schools that is no group (none of the pages shows one) is protected
        against its own total on top of the decision."""
        if self.none_small:
            return {name: set() for name in MORNING_COUNTS}
        group = self.group(ids)
        out: dict[str, set[Any]] = {}
        for name in MORNING_COUNTS:
            schools = {("school", pk) for pk in ids}
            hidden = {k for k in self.hidden[name] if k in schools}
            if group is not None:
                if group in self.hidden[name]:
                    hidden.add(TOTAL)
            else:
                values: dict[Any, int] = {k: self.values[name].get(k, 0) for k in schools}
                values[TOTAL] = sum(values.values())
                hidden = _page_total_hidden(self, name, values, sorted(schools), hidden)
            out[name] = hidden
        return out


def _page_total_hidden(
    decision: MorningDecision,
    name: str,
    values: dict[Any, int],
    schools: list[Any],
    hidden: set[Any],
) -> set[Any]:
    """The hidden keys of a page over schools that are no group: its schools as decided, and
    its total, protected beside the systems' patterns when there are any."""
    if not decision.published:
        return set(protect(values, [(TOTAL, schools)], hidden=hidden))
    own = ("seen", "page")
    beside = _withheld_beside(
        {name: {(own if k == TOTAL else k): v for k, v in values.items()}},
        [(own, schools)],
        members={key: [key[1]] for key in schools},
        published=decision.published,
        open_keys={k for k in decision.open_keys if k in values},
    )[name]
    return hidden | ({TOTAL} if own in beside else set()) | (beside - {own})


def morning_decision(user: Any, day: datetime.date) -> MorningDecision:
    return per_request(
        user, f"morning_decision {day.isoformat()}", lambda: _morning_decision(user, day)
    )


def _morning_decision(user: Any, day: datetime.date) -> MorningDecision:
    """One query when no school of the viewer's systems has a small count of the day (the usual
    day of a district, and of a metro district's thousand schools): `protect` hides nothing
    unless a cell is small (primary suppression is where every complementary cell starts; a
    total of parts that are 0 or at least the threshold is itself 0 or at least the
    threshold), so there is nothing to decide and no school is loaded. Otherwise the reach's
    schools (with their system and network) and their rows of the day (one per school, by
    index), the decision over them, and for a viewer who is not shown their system whole, each
    system's published pattern (two queries each) to decide beside."""
    reach = attendance_reach(user)
    school_q, rollup_q = reach_filters(reach)
    limit = threshold()
    small = Q()
    for name in MORNING_COUNTS:
        small |= Q(**{f"{name}__gt": 0, f"{name}__lt": limit})
    # Over the viewer's systems, not only their schools: a school's figure another viewer is
    # not shown must not be shown exactly here either (`_withheld_beside`).
    if not DailySchoolAttendance.objects.filter(
        small, system_id__in=sorted(reach.system_ids), date=day
    ).exists():
        return MorningDecision(
            members={},
            values={name: {} for name in MORNING_COUNTS},
            hidden={name: set() for name in MORNING_COUNTS},
            none_small=True,
        )
    members, values, relations = _morning_figures(school_q, rollup_q, day)
    students = scope_for(user, Action.STUDENTS_VIEW)
    opened = (
        open_school_ids(user, Action.STUDENTS_VIEW)
        if students.everything or students.system_ids or students.network_ids or students.school_ids
        else set()
    ) | (
        # Cells the viewer may open are shown: a principal lists their school's absent students.
        student_school_ids(user)
        if not scope_for(user, Action.ATTENDANCE_STUDENTS).is_empty
        else set()
    )
    open_keys = {group for group, pks in members.items() if set(pks) <= opened}
    hidden: dict[str, set[Any]] = {name: set() for name in MORNING_COUNTS}
    published: list[Pattern] = []
    # A viewer who may open every student behind the figures is shown them all.
    closed = not open_keys >= set(members)
    if closed and (
        len(reach.system_ids) == 1
        and reach.whole_system_ids == reach.system_ids
        and not reach.outside_ids
        and not open_keys
    ):
        # The viewer is shown their system as every viewer who may open none of its students is.
        published = [_morning_pattern(members, values, relations)]
        hidden = published[0].hidden
    elif closed:
        published = [_morning_published(user, pk, day) for pk in sorted(reach.system_ids)]
        hidden = _withheld_beside(
            values, relations, members=members, published=published, open_keys=open_keys
        )
    return MorningDecision(
        members=dict(members),
        values={name: dict(v) for name, v in values.items()},
        hidden=hidden,
        published=published,
        open_keys=open_keys,
    )


_MorningFigures = tuple[
    dict[tuple[Any, ...], list[int]], dict[str, dict[Any, int]], list[tuple[Any, list[Any]]]
]


def _morning_figures(school_q: Q, rollup_q: Q, day: datetime.date) -> _MorningFigures:
    """The day's counts of a set of schools by group (each school, each network, each system,
    all of them), and the relations between them, before any is withheld."""
    placed = list(School.objects.filter(school_q).values_list("pk", "system_id", "network_id"))
    day_values = {
        pk: (enrolled, absent)
        for pk, enrolled, absent in DailySchoolAttendance.objects.filter(
            rollup_q, date=day
        ).values_list("school_id", "enrolled", "absent")
    }
    members: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    values: dict[str, dict[Any, int]] = {name: defaultdict(int) for name in MORNING_COUNTS}
    for pk, system_id, network_id in placed:
        groups: list[tuple[Any, ...]] = [("school", pk), TOTAL, ("system", system_id)]
        if network_id:
            groups.append(("network", network_id))
        for group in groups:
            members[group].append(pk)
            for index, name in enumerate(MORNING_COUNTS):
                values[name][group] += day_values.get(pk, (0, 0))[index]
    relations: list[tuple[Any, list[Any]]] = [
        (group, [("school", pk) for pk in pks])
        for group, pks in members.items()
        if group[0] != "school"
    ]
    systems = sorted({system_id for _pk, system_id, _n in placed})
    relations.append((TOTAL, [("system", pk) for pk in systems]))
    for system_id in systems:
        relations.append(
            (
                ("system", system_id),
                sorted({("network", n) for _pk, s, n in placed if s == system_id and n})
                + [("school", pk) for pk, s, n in placed if s == system_id and not n],
            )
        )
    return dict(members), {name: dict(v) for name, v in values.items()}, relations


def _morning_pattern(
    members: dict[tuple[Any, ...], list[int]],
    values: dict[str, dict[Any, int]],
    relations: list[tuple[Any, list[Any]]],
) -> Pattern:
    return Pattern(
        members,
        values,
        relations,
        {
            name: protect(dict(values[name]), relations, insiders=_insiders(values[name]))
            for name in MORNING_COUNTS
        },
    )


def _morning_published(user: Any, system_id: int, day: datetime.date) -> Pattern:
    return per_request(
        user,
        f"morning_published {system_id} {day.isoformat()}",
        lambda: _morning_pattern(
            *_morning_figures(Q(system_id=system_id), Q(system_id=system_id), day)
        ),
    )


@dataclass
class MorningPage:
    """The morning page of many schools: their total (exact figures, suppressed as one viewer
    may see them), the schools that jumped, and the schools as a queryset (filtered, sorted,
    each with its day annotated) for the page or the export to turn into Rows."""

    day: datetime.date
    reach: Reach
    total: Row
    jumped: list[Row]
    jumped_more: bool
    schools: QuerySet[School]
    networks: list[tuple[int, str]]
    hidden: dict[str, set[Any]]
    definitions: list[tuple[str, str]] = field(default_factory=lambda: DEFINITIONS)
    # The network filter applied (one of `networks`), or None.
    network: int | None = None

    @property
    def has_data(self) -> bool:
        return self.total.f.has_day

    def row(self, school: Any) -> Row:
        key = ("school", school.pk)
        f = _figures_of(school)

        def count(name: str) -> Count:
            return Count(getattr(f, name), hidden=key in self.hidden[name])

        return Row(
            school=school,
            f=f,
            enrolled=count("enrolled"),
            absent=count("absent"),
            # Not on the morning page (the chronic page has them).
            chronic_absent=Count(0),
            chronic_counted=Count(0),
        )

    def rows(self, schools: Iterable[Any]) -> list[Row]:
        return [self.row(s) for s in schools]


def morning_page(
    user: Any,
    day: datetime.date,
    *,
    school_ids: Iterable[int] | None = None,
    query: str = "",
    network: int | None = None,
    jumped: bool = False,
    sort: str = "name",
) -> MorningPage:
    """The viewer's schools (or the given ones among them) on `day`, a page at a time: a fixed
    number of queries whatever the number of schools."""
    reach = attendance_reach(user)
    wanted = set(reach.school_ids) if school_ids is None else set(school_ids) & reach.school_ids
    ids = sorted(wanted)
    if school_ids is None and reach.whole_system_ids:
        # Every school of whole systems (and a few more): filtered by system.
        school_q, rollup_q = reach_filters(reach)
    else:
        school_q, rollup_q = Q(pk__in=ids), Q(school_id__in=ids)
    total, _smallest = _morning_total(rollup_q, None, day)
    # One decision over every school the viewer reaches, whichever page (the system's, a
    # network's) shows which of them.
    hidden = morning_decision(user, day).page_hidden(wanted)
    rate_hidden = sorted(k[1] for k in hidden["enrolled"] | hidden["absent"] if k != TOTAL)
    # Never an empty list (id 0 is no school): Django would skip the query, and a page's query
    # count would depend on whether a school jumped.
    jumped_ids = _jumped_ids(rollup_q, day, rate_hidden) or [0]
    annotated = (
        School.objects.filter(school_q)
        .select_related("network")
        .annotate(**_figure_annotations(day))
    )
    page = MorningPage(
        day=day,
        reach=reach,
        total=Row(
            school=None,  # type: ignore[arg-type]
            f=total,
            enrolled=Count(total.enrolled, hidden=TOTAL in hidden["enrolled"]),
            absent=Count(total.absent, hidden=TOTAL in hidden["absent"]),
            chronic_absent=Count(0),
            chronic_counted=Count(0),
        ),
        jumped=[],
        jumped_more=False,
        schools=annotated,
        networks=[
            (pk, name)
            for pk, name in School.objects.filter(school_q, network__isnull=False)
            .order_by("network__name", "network_id")
            .values_list("network_id", "network__name")
            .distinct()
        ],
        hidden=hidden,
    )
    found = list(annotated.filter(pk__in=jumped_ids).order_by("name", "pk")[: JUMPED_SHOWN + 1])
    page.jumped, page.jumped_more = page.rows(found[:JUMPED_SHOWN]), len(found) > JUMPED_SHOWN
    schools = annotated
    if query:
        schools = schools.filter(name__icontains=query)
    # A network that is not one of the page's (another network, another system's) filters
    # nothing, as a value not offered by any other filter: the viewer's schools are shown.
    page.network = network if network in dict(page.networks) else None
    if page.network:
        schools = schools.filter(network_id=page.network)
    if jumped:
        schools = schools.filter(pk__in=jumped_ids)
    # Sorting by a figure: over every school in SQL; a rate the viewer may not see sorts last.
    order: list[Any] = []
    if sort == "absence_rate":
        # The day's rate from the day's roll-up rows joined once (a LEFT JOIN on the school and
        # the day: one set-based pass over every school), not looked up school by school (a
        # correlated subquery: 1,000 index probes at metro size, each an executor restart).
        # A school without the day has no rate and sorts last.
        schools = schools.alias(
            day_row=FilteredRelation("daily_attendance", condition=Q(daily_attendance__date=day))
        )
        rate = Case(
            When(pk__in=rate_hidden, then=None),
            default=_tenths(F("day_row__absent"), F("day_row__enrolled")),
            output_field=IntegerField(),
        )
        schools, order = schools.alias(sort_key=rate), [F("sort_key").desc(nulls_last=True)]
    elif sort == "not_submitted":
        late = Case(
            When(d_expected__gt=F("d_submitted"), then=F("d_expected") - F("d_submitted")),
            default=0,
            output_field=IntegerField(),
        )
        schools, order = schools.alias(sort_key=late), [F("sort_key").desc()]
    elif sort == "on_time":
        on_time = _tenths(F("w_on_time"), F("w_expected"))
        schools, order = schools.alias(sort_key=on_time), [F("sort_key").asc(nulls_last=True)]
    page.schools = schools.order_by(*order, "name", "pk")
    return page
