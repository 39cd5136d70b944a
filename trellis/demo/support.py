"""The demo district's differentiated support and classroom visits (issue 10, coach-visits).

Support: three tiers (Intensive 3 hours of coaching a month per school, Targeted 2, Universal 1,
the default), the flags "New principal", "Turnaround school" and "Chronic absence above 20%",
and ordered rules (band 1 or a turnaround school → Intensive; a new principal or band 2 →
Targeted). Every school gets a need profile: a performance band the district entered, its
attendance rate from the attendance roll-ups (school year to date, read by the need profile
service through the attendance app's provider, where there are any), a conditions score the
district entered (replaced by the survey's where the demo's surveys rate the school, once they
are in: `support_from_data`), and flags; the flag "Chronic absence above 20%" follows the last
60 days of roll-ups. The tiers are in force from the month of the first coaching session. The
first network's last school is a turnaround school on band 1 (Intensive: 3 hours a month), more
than its sessions deliver: a school under its dosage.

Visits: every principal visits classrooms of their school on school days this school year (the
last ten weeks at metro size): most a few times a week, some rarely (one in five: below the
instructional-leadership goal of 180 minutes a week). Caseloads: where no supervisor is over the
target of 5 principals, the first network's supervisor covers the principals of the last network
whose supervisor left (a supervisor over ratio). Its own random stream.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from trellis.assignments.models import Assignment
from trellis.assignments.services import assignments_bulk_create
from trellis.attendance.models import DailySchoolAttendance
from trellis.authz.roles import Relationship
from trellis.coaching.models import CoachingSession, RuleField, RuleOperator
from trellis.coaching.services import (
    VisitIn,
    need_flag_create,
    need_profile_save,
    need_profiles_refresh,
    support_settings_save,
    support_tier_save,
    tier_history_backdate,
    tier_rule_add,
    visits_bulk_create,
)
from trellis.core.numbers import tenths
from trellis.orgs.models import School
from trellis.people.models import Position, PositionKind

GOAL_MINUTES = 180
TARGET = 5

FEEDBACK = [
    "Students restated the objective in their own words; next, check how many can.",
    "Strong turn-and-talk routine. Try cold-calling after partners share.",
    "The exit ticket matched the objective; use the results to group tomorrow.",
    "Pacing slowed during transitions; a timer might help.",
    "Questions were mostly recall; plan two higher-order questions for tomorrow.",
    "Great use of student work on the document camera.",
    "Several students off task at the back table; circulate there first.",
    "Clear modelling of the strategy; release to partners sooner.",
    "Anchor chart is helpful; refer students back to it during independent work.",
    "Wait time after questions made a real difference in participation.",
]


def _profiles(system: Any, rng: random.Random, today: datetime.date) -> dict[str, int]:
    intensive = support_tier_save(
        actor=None, system=system, name="Intensive", hours_per_month=Decimal(3), is_default=False
    )
    targeted = support_tier_save(
        actor=None, system=system, name="Targeted", hours_per_month=Decimal(2), is_default=False
    )
    support_tier_save(
        actor=None, system=system, name="Universal", hours_per_month=Decimal(1), is_default=True
    )
    new = need_flag_create(actor=None, system=system, name="New principal")
    turnaround = need_flag_create(actor=None, system=system, name="Turnaround school")
    absence = need_flag_create(actor=None, system=system, name="Chronic absence above 20%")
    for field, operator, value, flag, tier in (
        (RuleField.PERFORMANCE_BAND, RuleOperator.LTE, Decimal(1), None, intensive),
        (RuleField.FLAG, RuleOperator.HAS, None, turnaround, intensive),
        (RuleField.FLAG, RuleOperator.HAS, None, new, targeted),
        (RuleField.PERFORMANCE_BAND, RuleOperator.EQ, Decimal(2), None, targeted),
    ):
        tier_rule_add(
            actor=None,
            system=system,
            field=field,
            operator=operator,
            value=value,
            flag=flag,
            tier=tier,
        )
    schools = list(School.objects.filter(system=system).order_by("network_id", "pk"))
    rates = {
        row["school_id"]: (row["absent"], row["enrolled"])
        for row in DailySchoolAttendance.objects.filter(
            system=system, date__gt=today - datetime.timedelta(days=60), date__lte=today
        )
        .values("school_id")
        .annotate(absent=Sum("absent"), enrolled=Sum("enrolled"))
        .order_by()
    }
    new_principals = set(
        Position.objects.filter(
            system=system,
            kind=PositionKind.PRINCIPAL,
            starts_on__gt=today - datetime.timedelta(days=365),
        ).values_list("school_id", flat=True)
    )
    first_network = schools[0].network_id if schools else None
    under = [s for s in schools if s.network_id == first_network][-1:] if schools else []
    for school in schools:
        absent, enrolled = rates.get(school.pk, (0, 0))
        rate = (
            tenths(Decimal(100) * (1 - Decimal(absent) / Decimal(enrolled))) if enrolled else None
        )
        band = rng.choices([1, 2, 3, 4], weights=[15, 30, 35, 20])[0]
        flags = []
        if school.pk in new_principals:
            flags.append(new)
        if rng.random() < 0.1 or school in under:
            flags.append(turnaround)
        if rate is not None and rate < 80:
            flags.append(absence)
        # The attendance rate comes from the roll-ups through the attendance app's provider
        # (need_profile_save reads it); the conditions score is entered here and replaced by
        # the survey's where the demo's surveys rate the school (`support_from_data`).
        need_profile_save(
            actor=None,
            school=school,
            performance_band=1 if school in under else band,
            conditions_score=Decimal(str(round(rng.uniform(2.1, 3.7), 2))),
            flags=flags,
        )
    return {"need profiles": len(schools), "support tiers": 3}


def _over_ratio(system: Any, today: datetime.date) -> int:
    """Make one supervisor carry more than the target, if none does yet."""
    active = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    loads = (
        Assignment.objects.filter(active, system=system, kind=Relationship.SUPERVISION)
        .values("supporter_id")
        .annotate(n=Count("assignee_id", distinct=True))
        .order_by("-n", "supporter_id")
    )
    if not loads or loads[0]["n"] > TARGET:
        return 0
    first = (
        Assignment.objects.filter(active, system=system, kind=Relationship.SUPERVISION)
        .order_by("pk")
        .first()
    )
    if first is None:
        return 0
    supervisor = first.supporter
    mine = set(
        Assignment.objects.filter(
            active, supporter=supervisor, kind=Relationship.SUPERVISION
        ).values_list("assignee_id", flat=True)
    )
    others = list(
        Assignment.objects.filter(active, system=system, kind=Relationship.SUPERVISION)
        .exclude(supporter=supervisor)
        .exclude(assignee_id__in=mine)
        .select_related("assignee")
        .order_by("-pk")
    )
    # The handover follows the last session held under the old assignment, so that every
    # session stays within its assignment.
    last = dict(
        CoachingSession.objects.filter(assignment__in=others)
        .values("assignment_id")
        .annotate(last=Max("held_on"))
        .values_list("assignment_id", "last")
    )
    day = today - datetime.timedelta(days=30)
    handovers = []
    for a in others:
        end = max(day, last.get(a.pk) or day)
        if end < today - datetime.timedelta(days=1):
            handovers.append((a, end))
        if len(handovers) == TARGET + 1 - len(mine):
            break
    if not handovers:
        return 0
    for a, end in handovers:
        Assignment.objects.filter(pk=a.pk).update(ends_on=end)
    assignments_bulk_create(
        actor=None,
        system=system,
        assignments=[
            Assignment(
                kind=Relationship.SUPERVISION,
                supporter=supervisor,
                assignee=a.assignee,
                starts_on=end + datetime.timedelta(days=1),
                note="Covering a vacant senior director post",
            )
            for a, end in handovers
        ],
    )
    return len(handovers)


def _visits(
    system: Any,
    rng: random.Random,
    today: datetime.date,
    *,
    weeks: int | None,
    look_fors: list[Any] | None = None,
    pick: random.Random | None = None,
) -> int:
    year_start = datetime.date(today.year if today.month >= 8 else today.year - 1, 8, 20)
    start = (
        year_start if weeks is None else max(year_start, today - datetime.timedelta(weeks=weeks))
    )
    current = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    staff: dict[int, list[Any]] = {}
    for position in (
        Position.objects.filter(
            current,
            system=system,
            kind__in=[PositionKind.TEACHER, PositionKind.TEACHER_LEADER],
            school__isnull=False,
            starts_on__lte=start,
        )
        .select_related("person")
        .order_by("school_id", "person_id")
    ):
        staff.setdefault(position.school_id or 0, []).append(position.person)
    leaders = list(
        Position.objects.filter(
            current, system=system, kind=PositionKind.PRINCIPAL, school__isnull=False
        )
        .select_related("person", "school")
        .order_by("school_id", "pk")
    )
    pending: list[VisitIn] = []
    for n, position in enumerate(leaders):
        teachers = staff.get(position.school_id or 0, [])
        if not teachers:
            continue
        # The demo principal visits often; one in five others rarely.
        per_week = (1, 2) if n > 0 and rng.random() < 0.2 else (7, 12)
        day = max(start, position.starts_on)
        while day <= today:
            monday = day - datetime.timedelta(days=day.weekday())
            if not (monday.month == 12 and monday.day > 20):  # winter break
                for _ in range(rng.randint(*per_week)):
                    when = monday + datetime.timedelta(days=rng.randint(0, 4))
                    if when > today or when < start:
                        continue
                    at = timezone.make_aware(
                        datetime.datetime(
                            when.year,
                            when.month,
                            when.day,
                            rng.randint(8, 14),
                            rng.choice([0, 15, 30, 45]),
                        )
                    )
                    if at > timezone.now():
                        continue
                    pending.append(
                        VisitIn(
                            principal=position.person,
                            teacher=rng.choice(teachers),
                            school=position.school,
                            visited_at=at,
                            minutes=rng.choice([10, 15, 15, 20, 20, 25, 30]),
                            feedback=rng.choice(FEEDBACK),
                            # Look-fors from the district's framework of classroom practice
                            # (their own random stream: the visits stay as they were).
                            look_fors=(
                                pick.sample(look_fors, pick.randint(1, min(2, len(look_fors))))
                                if look_fors and pick
                                else ()
                            ),
                        )
                    )
            day = monday + datetime.timedelta(weeks=1)
    return visits_bulk_create(actor=None, system=system, visits=pending) if pending else 0


def support_from_data(system: Any) -> dict[str, int]:
    """Once the surveys are in: the need profiles' figures read from the data again, and the
    tiers the demo set up made in force from the month of its first coaching session (the
    dosage report plans the years it generates)."""
    from django.db.models import Min

    refreshed = need_profiles_refresh(actor=None, system=system)
    first = CoachingSession.objects.filter(system=system).aggregate(first=Min("held_on"))["first"]
    moved = (
        tier_history_backdate(actor=None, system=system, since=first.replace(day=1)) if first else 0
    )
    return {"need profiles refreshed from the data": refreshed, "tier periods backdated": moved}


# The district's framework of classroom practice, the look-fors of its principals' classroom
# visits (designated under Tiers and rules): code, parent, statement, type, then a descriptor per
# level, lowest first.
CLASSROOM_LEVELS = ["Beginning", "Developing", "Proficient", "Distinguished"]
CLASSROOM_PRACTICE = [
    ("1", "", "Planning and preparation", "Domain", []),
    (
        "1.1",
        "1",
        "Clear learning objective",
        "Look-for",
        [
            "No objective is stated or visible.",
            "An objective is posted but not referred to.",
            "The objective is stated and students can say what they are learning.",
            "Students explain the objective and how they will know they met it.",
        ],
    ),
    (
        "1.2",
        "1",
        "Task matched to the standard",
        "Look-for",
        [
            "The task does not address the grade-level standard.",
            "The task touches the standard at a lower level of rigour.",
            "The task asks for the thinking the standard names.",
            "Students choose among tasks that all reach the standard.",
        ],
    ),
    ("2", "", "Classroom environment", "Domain", []),
    (
        "2.1",
        "2",
        "Routines that protect learning time",
        "Look-for",
        [
            "Transitions and materials take much of the time.",
            "Some routines run; others need the teacher's direction.",
            "Routines run smoothly with few prompts.",
            "Students run the routines themselves.",
        ],
    ),
    ("3", "", "Instruction", "Domain", []),
    (
        "3.1",
        "3",
        "Student discourse",
        "Look-for",
        [
            "The teacher does nearly all the talking.",
            "Students answer the teacher's questions briefly.",
            "Students talk to each other about the content, with sentence frames where needed.",
            "Students build on and question each other's reasoning without prompting.",
        ],
    ),
    (
        "3.2",
        "3",
        "Checks for understanding",
        "Look-for",
        [
            "Understanding is not checked.",
            "The teacher asks the whole class whether it understands.",
            "The teacher checks every student's understanding and adjusts.",
            "Students check their own understanding against criteria and act on it.",
        ],
    ),
]


def classroom_framework(system: Any) -> Any:
    """The district's framework of classroom practice (kind: standards), published and
    designated as the look-fors of classroom visits, through the same services as the pages."""
    import csv
    import io

    from trellis.coaching.services import classroom_framework_set
    from trellis.frameworks.models import Framework
    from trellis.frameworks.services import framework_import_csv, version_publish

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "parent_code", "statement", "type", *CLASSROOM_LEVELS])
    for code, parent, statement, kind, descriptors in CLASSROOM_PRACTICE:
        writer.writerow(
            [code, parent, statement, kind, *(descriptors or [""] * len(CLASSROOM_LEVELS))]
        )
    draft = framework_import_csv(
        actor=None,
        system=system,
        title="Riverbend Classroom Practice Look-fors",
        raw=out.getvalue().encode(),
        kind=Framework.Kind.STANDARDS,
        filename="classroom-practice.csv",
    )
    version = version_publish(actor=None, version=draft)
    classroom_framework_set(actor=None, system=system, framework=version.framework)
    return version.framework


def support_history(
    system: Any, *, seed: int, today: datetime.date, size_name: str = "demo"
) -> dict[str, int]:
    rng = random.Random(f"{seed}-support")
    support_settings_save(actor=None, system=system, leadership_goal_minutes=GOAL_MINUTES)
    framework = classroom_framework(system)
    counts = _profiles(system, rng, today)
    counts["supervision reassigned (over ratio)"] = _over_ratio(system, today)
    from trellis.frameworks.models import FrameworkItem

    look_fors = list(
        FrameworkItem.objects.filter(
            version__framework=framework, descriptors__isnull=False
        ).distinct()
    )
    counts["classroom visits"] = _visits(
        system,
        rng,
        today,
        weeks=10 if size_name == "metro" else None,
        look_fors=sorted(look_fors, key=lambda i: i.human_coding_scheme),
        pick=random.Random(f"{seed}-look-fors"),
    )
    return counts
