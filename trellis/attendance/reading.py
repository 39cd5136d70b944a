"""Reading and checking the attendance files (calendar, enrolment windows, attendance,
submissions): what each would change, and every problem by row and column. Nothing here writes;
the import kinds hand the plans to the services. Every lookup is one query for the whole file
(no query per row)."""

from __future__ import annotations

import csv
import datetime
import heapq
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from trellis.attendance.models import (
    AttendanceEvent,
    AttendanceSubmission,
    CalendarDay,
    Category,
    CategoryMapping,
)
from trellis.attendance.rollups import SIS_SOURCE, settings_of, window_source
from trellis.attendance.selectors import system_today
from trellis.imports.registry import ImportProblems
from trellis.orgs.models import School, System
from trellis.rosters.models import SchoolClass
from trellis.students.models import SchoolEnrolment, Student

# Problems listed one by one (the count is always whole).
MAX_LISTED = 200


class Problems:
    """A file's problems, listed by row (a problem of the whole file first, then row 2, 3, …,
    in the order found within a row), the first MAX_LISTED of them; the count is whole. The
    checks run column by column over the file, so they are found out of row order."""

    def __init__(self, source: str) -> None:
        self.source = source
        # The MAX_LISTED earliest by (row, order found), as a max-heap of negated keys.
        self._kept: list[tuple[int, int, dict[str, Any]]] = []
        self.count = 0

    def add(self, row: int | None, column: str, reason: str) -> None:
        self.count += 1
        key = (-(row or 0), -self.count)
        item = {
            "file": self.source,
            "row": row,
            "column": column,
            "reason": reason,
            "severity": "error",
        }
        if len(self._kept) < MAX_LISTED:
            heapq.heappush(self._kept, (*key, item))
        elif key > self._kept[0][:2]:
            heapq.heapreplace(self._kept, (*key, item))

    @property
    def items(self) -> list[dict[str, Any]]:
        return [item for *_key, item in sorted(self._kept, key=lambda k: k[:2], reverse=True)]

    def raise_any(self) -> None:
        if self.count:
            raise ImportProblems(self.items, self.count)


def read_rows(
    path: Path, source: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (row number, {column: value}); the header is row 1. A missing
    column or a file that is not UTF-8 CSV is a problem of the whole file."""
    problems = Problems(source)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(None, "", "The file is not UTF-8 text: save it as CSV (UTF-8).")
        problems.raise_any()
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in required if name not in header]
    if missing:
        problems.add(
            1,
            ", ".join(missing),
            f"The header lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}: it must have {', '.join(required)}"
            + (f" (and may have {', '.join(optional)})" if optional else "")
            + ".",
        )
        problems.raise_any()
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append(
            (
                number,
                {
                    name: (values[i].strip() if i < len(values) else "")
                    for i, name in enumerate(header)
                },
            )
        )
    if not rows:
        problems.add(None, "", "The file has no rows under its header.")
        problems.raise_any()
    return rows


def parse_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


class Lookup:
    """The system's schools, students and classes by sourcedId (one query each), and where an
    unknown sourcedId belongs to another system (a file for another system)."""

    def __init__(self, system: System) -> None:
        self.system = system
        self._schools: dict[str, int] | None = None
        self._students: dict[str, int] | None = None
        self._classes: dict[str, tuple[int, int]] | None = None

    @property
    def schools(self) -> dict[str, int]:
        if self._schools is None:
            self._schools = dict(
                School.objects.filter(system=self.system)
                .exclude(sourced_id="")
                .values_list("sourced_id", "pk")
            )
        return self._schools

    @property
    def students(self) -> dict[str, int]:
        if self._students is None:
            self._students = dict(
                Student.objects.filter(system=self.system)
                .exclude(sourced_id="")
                .values_list("sourced_id", "pk")
            )
        return self._students

    @property
    def classes(self) -> dict[str, tuple[int, int]]:
        if self._classes is None:
            self._classes = {
                sid: (pk, school_id)
                for sid, pk, school_id in SchoolClass.objects.filter(system=self.system)
                .values_list("sourced_id", "pk", "school_id")
                .iterator(chunk_size=20000)
            }
        return self._classes

    def elsewhere(self, model: Any, unknown: set[str]) -> dict[str, str]:
        """{sourcedId: other system's code} for the unknown ids another system holds."""
        if not unknown:
            return {}
        found: dict[str, str] = {}
        listed = sorted(unknown)
        for i in range(0, len(listed), 500):
            found.update(
                model.objects.filter(sourced_id__in=listed[i : i + 500])
                .exclude(system=self.system)
                .values_list("sourced_id", "system__code")
            )
        return found


def _unknown(
    problems: Problems,
    lookup: Lookup,
    rows: list[tuple[int, dict[str, str]]],
    column: str,
    known: dict[str, Any],
    model: Any,
    noun: str,
) -> None:
    unknown = {row[column] for _n, row in rows if row.get(column) and row[column] not in known}
    other = lookup.elsewhere(model, unknown)
    for number, row in rows:
        value = row.get(column, "")
        if not value:
            problems.add(number, column, f"The {noun} is missing.")
        elif value not in known:
            if value in other:
                problems.add(
                    number,
                    column,
                    f"{noun.capitalize()} {value} belongs to the system '{other[value]}', not "
                    f"'{lookup.system.code}': this file is for another system.",
                )
            else:
                problems.add(number, column, f"There is no {noun} {value} in this system.")


def _dates(problems: Problems, rows: list[tuple[int, dict[str, str]]], column: str) -> None:
    for number, row in rows:
        if row.get(column) and parse_date(row[column]) is None:
            problems.add(number, column, f"'{row[column]}' is not a date: write YYYY-MM-DD.")
        elif not row.get(column):
            problems.add(number, column, "The date is missing.")


@dataclass
class Diff:
    """What a file changes: the keys to add and remove, per record kind."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


# --- Calendar ------------------------------------------------------------------------------


@dataclass
class CalendarPlan:
    # Per school: the file's range and its instructional days in it (they replace the range).
    ranges: dict[int, tuple[datetime.date, datetime.date]]
    days: set[tuple[int, datetime.date]]
    remove: set[tuple[int, datetime.date]]
    add: set[tuple[int, datetime.date]]
    diff: Diff
    warnings: list[dict[str, Any]] = field(default_factory=list)


def plan_calendar(system: System, path: Path, source: str) -> CalendarPlan:
    rows = read_rows(path, source, ("school", "date"))
    problems = Problems(source)
    lookup = Lookup(system)
    _unknown(problems, lookup, rows, "school", lookup.schools, School, "school")
    _dates(problems, rows, "date")
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        key = (row.get("school", ""), row.get("date", ""))
        if key in seen:
            problems.add(number, "date", f"The same school and day as row {seen[key]}.")
        seen.setdefault(key, number)
    problems.raise_any()
    days = {(lookup.schools[row["school"]], parse_date(row["date"])) for _n, row in rows}
    ranges: dict[int, tuple[datetime.date, datetime.date]] = {}
    for school_id, day in days:
        assert day is not None
        lo, hi = ranges.get(school_id, (day, day))
        ranges[school_id] = (min(lo, day), max(hi, day))
    lo_all = min(lo for lo, _hi in ranges.values())
    hi_all = max(hi for _lo, hi in ranges.values())
    existing = {
        (school_id, day)
        for school_id, day in CalendarDay.objects.filter(
            school_id__in=list(ranges), date__gte=lo_all, date__lte=hi_all
        ).values_list("school_id", "date")
        if ranges[school_id][0] <= day <= ranges[school_id][1]
    }
    typed_days: set[tuple[int, datetime.date]] = {(s, d) for s, d in days if d is not None}
    plan = CalendarPlan(
        ranges=ranges,
        days=typed_days,
        remove=existing - typed_days,
        add=typed_days - existing,
        diff=Diff(
            added=len(typed_days - existing),
            removed=len(existing - typed_days),
            unchanged=len(existing & typed_days),
        ),
    )
    if plan.remove:
        # Days the file drops that already hold attendance: kept, but no longer counted.
        held = (
            set(
                AttendanceEvent.objects.filter(
                    school_id__in={s for s, _d in plan.remove},
                    date__in={d for _s, d in plan.remove},
                )
                .values_list("school_id", "date")
                .distinct()
            )
            & plan.remove
        )
        names = {pk: sid for sid, pk in lookup.schools.items()}
        for school_id, day in sorted(held)[:MAX_LISTED]:
            plan.warnings.append(
                {
                    "file": source,
                    "row": None,
                    "column": "date",
                    "reason": f"School {names.get(school_id, school_id)} has attendance on "
                    f"{day}, which this file leaves out: that day no longer counts.",
                    "severity": "warning",
                }
            )
    return plan


# --- Enrolment windows -----------------------------------------------------------------------

Window = tuple[int, int, datetime.date, datetime.date | None]  # student, school, entry, exit


@dataclass
class EnrolmentPlan:
    students: set[int]
    windows: set[Window]
    remove: set[Window]
    add: set[Window]
    diff: Diff


def plan_enrolments(system: System, path: Path, source: str) -> EnrolmentPlan:
    rows = read_rows(path, source, ("student", "school", "entry_date", "exit_date"))
    problems = Problems(source)
    lookup = Lookup(system)
    _unknown(problems, lookup, rows, "student", lookup.students, Student, "student")
    _unknown(problems, lookup, rows, "school", lookup.schools, School, "school")
    _dates(problems, rows, "entry_date")
    by_student: dict[str, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
    for number, row in rows:
        entry = parse_date(row.get("entry_date", ""))
        exit_text = row.get("exit_date", "")
        exit_ = parse_date(exit_text) if exit_text else None
        if exit_text and exit_ is None:
            problems.add(number, "exit_date", f"'{exit_text}' is not a date: write YYYY-MM-DD.")
            continue
        if entry and exit_ and exit_ < entry:
            problems.add(
                number, "exit_date", "The exit date (the last day enrolled) is before the entry."
            )
            continue
        if entry is None:
            continue
        for other_number, other_entry, other_exit in by_student[row.get("student", "")]:
            if entry <= (other_exit or datetime.date.max) and other_entry <= (
                exit_ or datetime.date.max
            ):
                problems.add(
                    number,
                    "entry_date",
                    f"This window overlaps row {other_number}'s: a student is enrolled at one "
                    "school at a time.",
                )
                break
        by_student[row.get("student", "")].append((number, entry, exit_))
    problems.raise_any()
    windows: set[Window] = {
        (
            lookup.students[row["student"]],
            lookup.schools[row["school"]],
            parse_date(row["entry_date"]),  # type: ignore[misc]
            parse_date(row["exit_date"]) if row.get("exit_date") else None,
        )
        for _n, row in rows
    }
    students = {w[0] for w in windows}
    existing: set[Window] = set()
    listed = sorted(students)
    for i in range(0, len(listed), 5000):
        existing.update(
            SchoolEnrolment.objects.filter(
                system=system, source=SIS_SOURCE, student_id__in=listed[i : i + 5000]
            ).values_list("student_id", "school_id", "entry_date", "exit_date")
        )
    add, remove = windows - existing, existing - windows
    # A window whose exit alone changed is one change, not a removal and an addition.
    changed = {w[:3] for w in add} & {w[:3] for w in remove}
    return EnrolmentPlan(
        students=students,
        windows=windows,
        remove=remove,
        add=add,
        diff=Diff(
            added=len(add) - len(changed),
            changed=len(changed),
            removed=len(remove) - len(changed),
            unchanged=len(windows & existing),
        ),
    )


# --- Attendance ------------------------------------------------------------------------------

Event = tuple[int, int, datetime.date, str, int | None]  # student, school, date, category, class


def category_words(system: System) -> dict[str, str]:
    """Every word the system's files may use for a category, in lower case: the Ed-Fi labels,
    their descriptor URIs' last part, the codes, and the system's own mapping."""
    words = {}
    for value, label in Category.choices:
        words[label.lower()] = value
        words[value] = value
        words[value.replace("_", " ")] = value
    for label, category in CategoryMapping.objects.filter(system=system).values_list(
        "label", "category"
    ):
        words[label.lower()] = category
    return words


def category_of(words: dict[str, str], text: str) -> str | None:
    word = text.strip().lower()
    if "#" in word:  # uri://ed-fi.org/AttendanceEventCategoryDescriptor#Excused Absence
        word = word.rsplit("#", 1)[1].strip()
    return words.get(word)


def windows_for(
    system: System, school_ids: set[int], lo: datetime.date, hi: datetime.date
) -> dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]]:
    """{(student, school): [(entry, exit)]} of the windows touching [lo, hi]: one query."""
    found: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = defaultdict(
        list
    )
    for student_id, school_id, entry, exit_ in (
        SchoolEnrolment.objects.filter(
            system=system,
            source=window_source(system.pk),
            school_id__in=sorted(school_ids),
            entry_date__lte=hi,
        )
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=lo))
        .values_list("student_id", "school_id", "entry_date", "exit_date")
        .iterator(chunk_size=20000)
    ):
        found[(student_id, school_id)].append((entry, exit_))
    return found


def enrolled(
    windows: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]],
    student_id: int,
    school_id: int,
    day: datetime.date,
) -> bool:
    return any(
        entry <= day and (exit_ is None or day <= exit_)
        for entry, exit_ in windows.get((student_id, school_id), ())
    )


def calendar_for(
    school_ids: set[int], lo: datetime.date, hi: datetime.date
) -> set[tuple[int, datetime.date]]:
    return set(
        CalendarDay.objects.filter(
            school_id__in=sorted(school_ids), date__gte=lo, date__lte=hi
        ).values_list("school_id", "date")
    )


@dataclass
class DayPlan:
    """Records keyed per school-day: the file's replace what is there for the pairs it covers."""

    covered: set[tuple[int, datetime.date]]
    records: dict[tuple[int, datetime.date], Counter[Any]]
    changed_pairs: set[tuple[int, datetime.date]]
    diff: Diff
    dates: tuple[datetime.date, datetime.date]
    warnings: list[dict[str, Any]] = field(default_factory=list)
    # PostgreSQL's reader (attendance.fastread) left the file's rows in this session's staging
    # tables, and `records` is empty: the commit writes from there.
    staged: bool = False


def _day_diff(
    covered_records: dict[tuple[int, datetime.date], Counter[Any]],
    existing: dict[tuple[int, datetime.date], Counter[Any]],
) -> tuple[set[tuple[int, datetime.date]], Diff]:
    diff = Diff()
    changed: set[tuple[int, datetime.date]] = set()
    for pair, new in covered_records.items():
        old = existing.get(pair, Counter())
        diff.unchanged += sum((new & old).values())
        diff.added += sum((new - old).values())
        diff.removed += sum((old - new).values())
        if new != old:
            changed.add(pair)
    return changed, diff


def plan_attendance(system: System, path: Path, source: str, *, positive: bool) -> DayPlan:
    rows = read_rows(path, source, ("student", "school", "date", "category"), ("class",))
    problems = Problems(source)
    lookup = Lookup(system)
    _unknown(problems, lookup, rows, "school", lookup.schools, School, "school")
    _unknown(problems, lookup, rows, "student", lookup.students, Student, "student")
    _dates(problems, rows, "date")
    words = category_words(system)
    dates = [d for _n, row in rows if (d := parse_date(row.get("date", ""))) is not None]
    school_ids = {
        lookup.schools[row["school"]] for _n, row in rows if row.get("school") in lookup.schools
    }
    if not dates or not school_ids:
        problems.raise_any()
    lo, hi = min(dates), max(dates)
    # A day still to come has no attendance (the pages and the API refuse it too): today is
    # the system's, in its time zone.
    today = system_today(system)
    calendar = calendar_for(school_ids, lo, hi)
    windows = windows_for(system, school_ids, lo, hi)
    has_classes = any(row.get("class") for _n, row in rows)
    classes = lookup.classes if has_classes else {}
    unknown_classes = {
        row["class"] for _n, row in rows if row.get("class") and row["class"] not in classes
    }
    other_classes = lookup.elsewhere(SchoolClass, unknown_classes)
    records: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    seen: dict[Any, int] = {}
    for number, row in rows:
        school_id = lookup.schools.get(row.get("school", ""))
        student_id = lookup.students.get(row.get("student", ""))
        day = parse_date(row.get("date", ""))
        category = category_of(words, row.get("category", ""))
        if not row.get("category"):
            problems.add(number, "category", "The category is missing.")
        elif category is None:
            problems.add(
                number,
                "category",
                f"'{row['category']}' is not an attendance category: use one of "
                f"{', '.join(label for _v, label in Category.choices)} (in any case), or map "
                "the system's own word to one.",
            )
        class_id = None
        class_text = row.get("class", "")
        if class_text:
            found = classes.get(class_text)
            if found is None:
                if class_text in other_classes:
                    problems.add(
                        number,
                        "class",
                        f"Class {class_text} belongs to the system '{other_classes[class_text]}'"
                        f", not '{system.code}': this file is for another system.",
                    )
                else:
                    problems.add(number, "class", f"There is no class {class_text} in this system.")
            elif school_id is not None and found[1] != school_id:
                problems.add(
                    number, "class", f"Class {class_text} is not a class of school {row['school']}."
                )
            else:
                class_id = found[0]
        if school_id is None or day is None:
            continue
        if day > today:
            problems.add(
                number,
                "date",
                f"{day} is after today ({today}): attendance is imported once the day has "
                "happened.",
            )
            continue
        if (school_id, day) not in calendar:
            problems.add(
                number, "date", f"{day} is not an instructional day of school {row['school']}."
            )
            continue
        if student_id is None:
            continue
        if not enrolled(windows, student_id, school_id, day):
            problems.add(
                number,
                "student",
                f"Student {row['student']} is not enrolled at school {row['school']} on {day}.",
            )
            continue
        if category is None:
            continue
        key: Any = (student_id, day) if positive else (student_id, day, category, class_id)
        if key in seen:
            problems.add(
                number,
                "student",
                f"Student {row['student']} is on row {seen[key]} for the same day"
                + ("" if positive else " and category")
                + (" (a positive file has one row per student-day)." if positive else "."),
            )
            continue
        seen[key] = number
        records[(school_id, day)][(student_id, category, class_id)] += 1
    problems.raise_any()
    plan = _plan_days(
        covered_records=dict(records),
        existing=_existing_events(set(records)),
        dates=(lo, hi),
    )
    if positive:
        by_school: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for (student_id, school_id), spans in windows.items():
            by_school[school_id].append((student_id, spans))
        missing = 0
        for school_id, day in plan.covered:
            present = {key[0] for key in records[(school_id, day)]}
            missing += sum(
                1
                for student_id, spans in by_school.get(school_id, ())
                if student_id not in present
                and any(e <= day and (x is None or day <= x) for e, x in spans)
            )
        if missing:
            plan.warnings.append(missing_rows_warning(source, missing))
    return plan


def missing_rows_warning(source: str, missing: int) -> dict[str, Any]:
    """A positive file's warning: enrolled student-days of its school-days without a row."""
    return {
        "file": source,
        "row": None,
        "column": "",
        "reason": f"{missing:,} enrolled student-days of the schools and days in this file "
        "have no row: they are not counted absent.",
        "severity": "warning",
    }


def _existing_events(
    pairs: set[tuple[int, datetime.date]],
) -> dict[tuple[int, datetime.date], Counter[Any]]:
    existing: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    if not pairs:
        return existing
    for student_id, school_id, day, category, class_id in (
        AttendanceEvent.objects.filter(
            school_id__in=sorted({s for s, _d in pairs}),
            date__in=sorted({d for _s, d in pairs}),
        )
        .values_list("student_id", "school_id", "date", "category", "school_class_id")
        .iterator(chunk_size=20000)
    ):
        if (school_id, day) in pairs:
            existing[(school_id, day)][(student_id, category, class_id)] += 1
    return existing


def _plan_days(
    *,
    covered_records: dict[tuple[int, datetime.date], Counter[Any]],
    existing: dict[tuple[int, datetime.date], Counter[Any]],
    dates: tuple[datetime.date, datetime.date],
) -> DayPlan:
    changed, diff = _day_diff(covered_records, existing)
    return DayPlan(
        covered=set(covered_records),
        records=covered_records,
        changed_pairs=changed,
        diff=diff,
        dates=dates,
    )


# --- Submissions -----------------------------------------------------------------------------


def parse_moment(text: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def is_on_time(
    moment: datetime.datetime, day: datetime.date, deadline: datetime.time, zone: ZoneInfo
) -> bool:
    return moment <= datetime.datetime.combine(day, deadline, tzinfo=zone)


def plan_submissions(system: System, path: Path, source: str) -> DayPlan:
    rows = read_rows(path, source, ("class", "date", "submitted_at"))
    problems = Problems(source)
    lookup = Lookup(system)
    _unknown(problems, lookup, rows, "class", lookup.classes, SchoolClass, "class")
    _dates(problems, rows, "date")
    own = settings_of(system.pk)
    zone = ZoneInfo(own.time_zone)
    dates = [d for _n, row in rows if (d := parse_date(row.get("date", ""))) is not None]
    school_ids = {
        lookup.classes[r["class"]][1] for _n, r in rows if r.get("class") in lookup.classes
    }
    if not dates or not school_ids:
        problems.raise_any()
    lo, hi = min(dates), max(dates)
    calendar = calendar_for(school_ids, lo, hi)
    records: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    seen: dict[tuple[int, datetime.date], int] = {}
    for number, row in rows:
        found = lookup.classes.get(row.get("class", ""))
        day = parse_date(row.get("date", ""))
        moment = parse_moment(row.get("submitted_at", ""))
        if moment is None:
            problems.add(
                number,
                "submitted_at",
                f"'{row.get('submitted_at', '')}' is not a moment with a time zone: write ISO "
                "8601, e.g. 2026-09-14T08:05:00-04:00 or 2026-09-14T12:05:00Z.",
            )
        if found is None or day is None:
            continue
        class_id, school_id = found
        if (school_id, day) not in calendar:
            problems.add(
                number,
                "date",
                f"{day} is not an instructional day of class {row['class']}'s school.",
            )
            continue
        if (class_id, day) in seen:
            problems.add(
                number,
                "class",
                f"Class {row['class']} is on row {seen[(class_id, day)]} for the same day.",
            )
            continue
        seen[(class_id, day)] = number
        if moment is None:
            continue
        records[(school_id, day)][
            (class_id, moment.astimezone(datetime.UTC), is_on_time(moment, day, own.deadline, zone))
        ] += 1
    problems.raise_any()
    pairs = set(records)
    existing: dict[tuple[int, datetime.date], Counter[Any]] = defaultdict(Counter)
    for school_id, class_id, day, moment, on_time in AttendanceSubmission.objects.filter(
        school_id__in=sorted({s for s, _d in pairs}), date__in=sorted({d for _s, d in pairs})
    ).values_list("school_id", "school_class_id", "date", "submitted_at", "on_time"):
        if (school_id, day) in pairs:
            existing[(school_id, day)][(class_id, moment.astimezone(datetime.UTC), on_time)] += 1
    return _plan_days(covered_records=dict(records), existing=existing, dates=(lo, hi))
