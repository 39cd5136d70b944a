"""Reads of attendance: only the daily per-school roll-up (never the raw events), for the
schools the viewer reaches, suppressed for viewers who may not open the students behind a
figure. The operator's report (the command line) is the same computation without a viewer.

Reach (Action.ATTENDANCE_VIEW): a principal their school; a supervisor the schools their
caseload's principals lead (the supervision relationship); district roles every school of the
system. Outside what the viewer may see at all is "not found"; a school the viewer sees but whose
attendance they may not is "forbidden".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from trellis.attendance.models import AttendanceSubmission, CalendarDay, DailySchoolAttendance
from trellis.attendance.rollups import class_type, school_year_start, settings_of
from trellis.authz.policies import scope_for
from trellis.authz.roles import Action
from trellis.core.panels import per_request
from trellis.core.suppression import Count, protected_counts
from trellis.orgs.models import School, System
from trellis.orgs.selectors import open_school_ids, visible_schools
from trellis.people.models import PositionKind
from trellis.people.selectors import current_positions
from trellis.rosters.models import SchoolClass

# The school's usual absence rate: its instructional days in the four weeks before the day.
USUAL_WINDOW_DAYS = 28
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
    ("This week", "the instructional days from Monday up to the day shown."),
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


def attendance_reach(user: Any) -> Reach:
    return per_request(user, "attendance_reach", lambda: _reach(user))


def _reach(user: Any) -> Reach:
    scope = scope_for(user, Action.ATTENDANCE_VIEW)
    if scope.is_empty:
        return Reach(frozenset(), "schools")
    ids: set[int] = set()
    if scope.everything or scope.system_ids or scope.network_ids or scope.school_ids:
        ids |= set(School.objects.filter(scope.schools_q()).values_list("pk", flat=True))
    caseload: set[int] = set()
    if scope.related_person_ids:
        caseload = set(
            current_positions()
            .filter(person_id__in=scope.related_person_ids, kind__in=LEADERS, school__isnull=False)
            .values_list("school_id", flat=True)
        )
    ids |= caseload
    if scope.everything or scope.system_ids:
        kind = "system"
    elif caseload and not (scope.school_ids or scope.network_ids):
        kind = "caseload"
    elif len(ids) == 1:
        kind = "school"
    else:
        kind = "schools"
    systems = set(School.objects.filter(pk__in=ids).values_list("system_id", flat=True))
    return Reach(frozenset(ids), kind, frozenset(systems))


def morning_day(
    user: Any, today: datetime.date, school_ids: Iterable[int] | None = None
) -> datetime.date:
    """The day the morning pages open on: today, or before the day's first import (or on a day
    without school) the last day with attendance of the viewer's schools."""
    ids = attendance_reach(user).school_ids if school_ids is None else set(school_ids)
    latest = (
        DailySchoolAttendance.objects.filter(school_id__in=ids, date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    return latest or today


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

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            if name != "has_day":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.has_day = self.has_day or other.has_day

    @property
    def not_submitted(self) -> int:
        return max(self.expected_today - self.submitted_today, 0)


def figures(school_ids: Iterable[int], day: datetime.date) -> dict[int, Figures]:
    """Each school's figures on `day` from the roll-up: four queries whatever the size."""
    ids = sorted(set(school_ids))
    out: dict[int, Figures] = {pk: Figures() for pk in ids}
    if not ids:
        return out
    rollup = DailySchoolAttendance.objects.filter(school_id__in=ids)
    for row in rollup.filter(date=day):
        f = out[row.school_id]
        f.enrolled, f.absent, f.has_day = row.enrolled, row.absent, True
        f.expected_today, f.submitted_today = row.expected_submissions, row.submitted
        f.chronic_counted, f.chronic_absent = row.chronic_counted, row.chronic_absent
    monday = day - datetime.timedelta(days=day.weekday())
    for school_id, expected, on_time in (
        rollup.filter(date__gte=monday, date__lte=day)
        .order_by()
        .values_list("school_id")
        .annotate(Sum("expected_submissions"), Sum("on_time"))
    ):
        out[school_id].expected_week, out[school_id].on_time_week = expected or 0, on_time or 0
    for school_id, enrolled, absent in (
        rollup.filter(date__gte=day - datetime.timedelta(days=USUAL_WINDOW_DAYS), date__lt=day)
        .order_by()
        .values_list("school_id")
        .annotate(Sum("enrolled"), Sum("absent"))
    ):
        out[school_id].usual_enrolled, out[school_id].usual_absent = enrolled or 0, absent or 0
    # Chronic absence to date on a day a school has no instruction: as of its last day before.
    # The query runs even when every school has the day (asking for no school, id 0), so that
    # a page's query count does not depend on which schools taught today, without reading
    # rows it would not use.
    missing = [pk for pk, f in out.items() if not f.has_day]
    asked = missing or [0]
    first = school_year_start(day)
    latest: dict[int, DailySchoolAttendance] = {}
    for row in (
        rollup.filter(school_id__in=asked, date__gte=first, date__lt=day)
        .order_by("school_id", "-date")
        .only("school_id", "date", "chronic_counted", "chronic_absent")[: len(asked) * 40]
    ):
        latest.setdefault(row.school_id, row)
    for school_id in missing:
        if school_id in latest:
            out[school_id].chronic_counted = latest[school_id].chronic_counted
            out[school_id].chronic_absent = latest[school_id].chronic_absent
    return out


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
    opened = open_school_ids(user, Action.STUDENTS_VIEW)
    open_keys: set[Any] = {("school", pk) for pk in ids & opened}
    if ids <= opened:
        open_keys.add(TOTAL)
    counts: dict[str, dict[Any, Count]] = {}
    for name in ("enrolled", "absent", "chronic_absent", "chronic_counted"):
        values: dict[Any, int] = {("school", pk): getattr(f, name) for pk, f in found.items()}
        values[TOTAL] = getattr(total, name)
        counts[name] = protected_counts(
            values, [(TOTAL, [k for k in values if k != TOTAL])], open_keys=open_keys
        )

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
    return {
        "date": day.isoformat(),
        "schools": {school_key(row.school): row.entry() for row in seen.rows},
        "system": seen.total.entry(),
        "scope": "system" if reach.kind == "system" else "schools in your reach",
    }


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
    """Each supervisor's account (user id) → the schools of the system whose principal (or
    assistant principal) is on their caseload (supervision assignments in force on `day`)."""
    from trellis.accounts.models import User
    from trellis.assignments.selectors import supporters_of
    from trellis.authz.roles import Relationship

    leaders: dict[int, set[int]] = {}
    for person_id, school_id in (
        current_positions(day)
        .filter(school__system=system, kind__in=LEADERS)
        .values_list("person_id", "school_id")
    ):
        leaders.setdefault(person_id, set()).add(school_id)
    accounts = dict(
        User.objects.filter(
            is_active=True,
            person__in=supporters_of(list(leaders), [Relationship.SUPERVISION], day).values(
                "supporter_id"
            ),
        ).values_list("person_id", "pk")
    )
    out: dict[int, set[int]] = {}
    for a in supporters_of(list(leaders), [Relationship.SUPERVISION], day):
        if a.supporter_id in accounts:
            out.setdefault(accounts[a.supporter_id], set()).update(leaders[a.assignee_id])
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


def attendance_network_get(user: Any, pk: int) -> tuple[Any, list[int]]:
    """A network whose attendance the viewer may see (their scope holds the network or its
    system) and its schools' ids; 404 when they may not see the network at all, 403 when they
    see it but not its attendance (a supervisor who reaches a few of its schools by caseload)."""
    from trellis.orgs.models import Network
    from trellis.orgs.selectors import visible_networks

    network = Network.objects.select_related("system").filter(pk=pk).first()
    if network is None:
        raise Http404
    scope = scope_for(user, Action.ATTENDANCE_VIEW)
    if not (scope.everything or network.system_id in scope.system_ids or pk in scope.network_ids):
        if visible_networks(user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    ids = list(School.objects.filter(network=network).values_list("pk", flat=True))
    return network, ids
