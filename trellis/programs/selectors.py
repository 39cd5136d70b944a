"""Reads of programs, cohorts and participants, always starting from what the user may see.

Progress and dashboards are computed from a handful of queries per page (participants, the
checklist, the records, the milestones, the placements), whatever the number of participants.
Aggregates over fewer than the suppression threshold of participants are withheld everywhere
they appear (page, export, API): see `Figures`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count as DbCount
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.models import User
from trellis.assignments.selectors import find_person, supporters_of
from trellis.authz.models import Grant
from trellis.authz.policies import allows, authorize, has_grant_for, scope_for
from trellis.authz.roles import Action, Relationship
from trellis.authz.selectors import grants_at_program, grants_in_program
from trellis.core.models import AuditEvent
from trellis.core.suppression import Count, protect, threshold
from trellis.orgs.models import Partner, School, System
from trellis.people.models import Person
from trellis.programs.models import (
    Cohort,
    Experience,
    ExperienceRecord,
    Milestone,
    MilestoneTemplate,
    Participant,
    Placement,
    PortfolioLink,
    Program,
    Project,
)
from trellis.programs.scopes import (
    cohorts_q,
    participants_q,
    programs_q,
    runs_cohort,
    served,
    served_participants_q,
)


def portfolio_digest(token: str) -> str:
    """Only a digest of a portfolio link's token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


# Who may open a participant's record: their program's staff, their coach or mentor, themselves.
RECORD_ACTIONS = (Action.PROGRAMS_VIEW, Action.PROGRAMS_SIGN_OFF, Action.PROGRAMS_OWN_RECORD)


def visible_programs(user: Any, action: str = Action.PROGRAMS_VIEW) -> QuerySet[Program]:
    scope = scope_for(user, action)
    if scope.is_empty:
        return Program.objects.none()
    return Program.objects.filter(programs_q(scope))


def visible_cohorts(user: Any, action: str = Action.PROGRAMS_VIEW) -> QuerySet[Cohort]:
    scope = scope_for(user, action)
    if scope.is_empty:
        return Cohort.objects.none()
    return Cohort.objects.filter(cohorts_q(scope))


def visible_participants(user: Any, action: str = Action.PROGRAMS_VIEW) -> QuerySet[Participant]:
    scope = scope_for(user, action)
    if scope.is_empty:
        return Participant.objects.none()
    return Participant.objects.filter(participants_q(scope))


def program_list(
    user: Any,
    *,
    query: str = "",
    kind: str = "",
    owner: str = "",
    action: str = Action.PROGRAMS_VIEW,
) -> QuerySet[Program]:
    """Programs the user may see, and those whose cohorts they were granted (shown so that the
    cohort can be found; the program page itself needs a grant on the program)."""
    scope = scope_for(user, action)
    if scope.is_empty:
        return Program.objects.none()
    reach = programs_q(scope)
    if scope.cohort_ids:
        reach |= Q(cohorts__in=scope.cohort_ids)
    programs = (
        Program.objects.filter(pk__in=Program.objects.filter(reach).values("pk"))
        .select_related("owner_system", "owner_partner", "framework")
        .annotate(cohort_count=DbCount("cohorts", distinct=True))
    )
    for word in query.split()[:4]:
        programs = programs.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if kind:
        programs = programs.filter(kind=kind)
    if owner == "system":
        programs = programs.filter(owner_system__isnull=False)
    elif owner == "partner":
        programs = programs.filter(owner_partner__isnull=False)
    return programs.order_by("name", "pk")


def program_get(user: Any, pk: int, action: str = Action.PROGRAMS_VIEW) -> Program:
    program = (
        Program.objects.select_related("owner_system", "owner_partner", "framework")
        .filter(pk=pk)
        .first()
    )
    if program is None:
        raise Http404
    authorize(user, action, program)
    return program


COHORT_STATES = [value for value, _ in Cohort.State.choices]


def cohort_list(
    user: Any,
    *,
    query: str = "",
    program_id: int | None = None,
    state: str = "",
    school_year: int | None = None,
) -> QuerySet[Cohort]:
    scope = scope_for(user, Action.PROGRAMS_VIEW)
    # The participants each cohort counts for this viewer (roster_within): all of them in the
    # cohorts of programs they run, those of their own systems in programs that serve them.
    counted = None
    if not scope.everything:
        counted = cohorts_q(scope, include_served=False)
        if served(scope):
            counted |= Q(participants__person__system_id__in=scope.system_ids)
    cohorts = (
        visible_cohorts(user)
        .select_related("program")
        .annotate(
            participant_count=DbCount("participants", filter=counted, distinct=True),
        )
    )
    for word in query.split()[:4]:
        cohorts = cohorts.filter(Q(name__icontains=word) | Q(program__name__icontains=word))
    if program_id:
        cohorts = cohorts.filter(program_id=program_id)
    if state:
        cohorts = cohorts.filter(state=state)
    if school_year:
        cohorts = cohorts.filter(school_year=school_year)
    return cohorts.order_by("program__name", "-school_year", "name", "pk")


def cohort_get(user: Any, pk: int, action: str = Action.PROGRAMS_VIEW) -> Cohort:
    cohort = (
        Cohort.objects.select_related(
            "program", "program__owner_system", "program__owner_partner", "program__framework"
        )
        .filter(pk=pk)
        .first()
    )
    if cohort is None:
        raise Http404
    authorize(user, action, cohort)
    return cohort


def participant_get(user: Any, pk: int, actions: Sequence[str] = RECORD_ACTIONS) -> Participant:
    """A participant whom the user may open with any of `actions`: 404 for whoever no grant or
    relationship reaches, 403 when one reaches but allows none of them."""
    participant = (
        Participant.objects.select_related(
            "person",
            "person__system",
            "cohort",
            "cohort__program",
            "cohort__program__owner_system",
            "cohort__program__owner_partner",
        )
        .filter(pk=pk)
        .first()
    )
    if participant is None:
        raise Http404
    if any(allows(user, action, participant) for action in actions):
        return participant
    authorize(user, actions[0], participant)
    raise Http404  # authorize always raises here; kept for the type checker


def may(user: Any, action: str, obj: Any) -> bool:
    return allows(user, action, obj)


def may_manage_somewhere(user: Any) -> bool:
    return has_grant_for(user, Action.PROGRAMS_MANAGE)


def owner_choices(user: Any) -> tuple[list[Any], list[Any]]:
    """The systems and partners where the user may create a program."""
    scope = scope_for(user, Action.PROGRAMS_MANAGE)
    if scope.everything:
        return list(System.objects.all()), list(Partner.objects.all())
    systems = list(System.objects.filter(pk__in=scope.system_ids))
    partners = list(
        Partner.objects.filter(Q(pk__in=scope.partner_ids) | Q(home_system_id__in=scope.system_ids))
    )
    return systems, partners


def system_choices(user: Any) -> QuerySet[System]:
    """Systems a program the user manages may serve: those of their grants for managing
    programs (a program grant reaches its owner system)."""
    scope = scope_for(user, Action.PROGRAMS_MANAGE)
    if scope.everything:
        return System.objects.all()
    # Partner staff's programs serve their partner's home system.
    homes = Partner.objects.filter(pk__in=scope.partner_ids, home_system__isnull=False)
    return System.objects.filter(
        Q(pk__in=scope.system_ids | scope.reached_system_ids)
        | Q(pk__in=homes.values("home_system_id"))
    )


def person_for_program(program: Program, reference: str) -> tuple[Any, str]:
    """The one person of the systems the program serves that a reference names (e-mail,
    employee number, roster ID or full name), or None and why not."""
    return find_person(
        Person.objects.filter(system__served_programs=program),
        reference,
        nobody=f"No one in a system {program} serves",
    )


def program_cohorts(user: Any, program: Program) -> QuerySet[Cohort]:
    return cohort_list(user, program_id=program.pk)


def program_team(program: Program, cohort: Cohort | None = None) -> list[Any]:
    """Grants in force on the program (and on the cohort): its managers and partner staff."""
    return list(grants_at_program(program.pk, cohort.pk if cohort else None))


def program_team_all(program: Program) -> list[Any]:
    """Grants not yet ended on the program and on each of its cohorts (its page's team list)."""
    return list(grants_in_program(program.pk))


def team_account(program: Program, email: str) -> Any:
    """The active account with this e-mail that may join the program's team: someone of the
    systems the program serves (their person works there, or a grant not yet ended sits
    there) or staff of the partner that runs it (a grant on the partner). None for anyone
    else, so that the team form finds no account of another system by its e-mail."""
    systems = program.systems.values("pk")
    today = timezone.localdate()
    open_grant = Q(grants__ends_on__isnull=True) | Q(grants__ends_on__gte=today)
    reach = Q(person__system_id__in=systems) | (Q(grants__system_id__in=systems) & open_grant)
    if program.owner_partner_id is not None:
        reach |= Q(grants__partner_id=program.owner_partner_id) & open_grant
    return (
        User.objects.filter(email__iexact=email.strip(), is_active=True)
        .filter(reach)
        .order_by("pk")
        .first()
    )


def team_grant_get(program: Program, grant_pk: int) -> Any:
    """A grant not yet ended on this program or one of its cohorts; 404 for any other."""
    grant = grants_in_program(program.pk).filter(pk=grant_pk).first()
    if grant is None:
        raise Http404
    return grant


@dataclass
class TeamEvent:
    at: datetime.datetime
    by: str
    what: str
    grant: Any
    starts_on: datetime.date | None
    ends_on: datetime.date | None


def _day(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


TEAM_HISTORY_SHOWN = 200


def team_history(program: Program) -> list[TeamEvent]:
    """Who appointed or ended whom on this program and its cohorts, and when (newest first):
    the audit trail of the grants ever made on the program. Two queries."""
    grants = {
        str(g.pk): g
        for g in Grant.objects.filter(program_id=program.pk).select_related("user", "cohort")
    }
    if not grants:
        return []
    events = AuditEvent.objects.filter(
        object_type="authz.grant",
        object_id__in=list(grants),
        action__in=["grant.create", "grant.end"],
    ).order_by("-at", "-pk")[:TEAM_HISTORY_SHOWN]
    return [
        TeamEvent(
            at=event.at,
            by=event.actor_label,
            what="Appointed" if event.action == "grant.create" else "Ended",
            grant=grants[event.object_id],
            starts_on=_day((event.after or {}).get("starts_on")),
            ends_on=_day((event.after or {}).get("ends_on")),
        )
        for event in events
    ]


# -- Roster and progress -------------------------------------------------------------------------


@dataclass
class Progress:
    """One participant's progress through the checklist and their project's milestones."""

    participant: Participant
    experiences_total: int = 0
    experiences_done: int = 0
    experiences_overdue: list[Experience] = field(default_factory=list)
    milestones_total: int = 0
    milestones_done: int = 0
    milestones_overdue: int = 0
    # Oldest first.
    placements: list[Placement] = field(default_factory=list)

    @property
    def placement(self) -> Placement | None:
        """The latest placement."""
        return self.placements[-1] if self.placements else None

    @property
    def behind(self) -> bool:
        return self.participant.status == Participant.Status.ACTIVE and bool(
            self.experiences_overdue or self.milestones_overdue
        )

    @property
    def placed(self) -> bool:
        return self.placement is not None


def due_on(experience: Experience, cohort: Cohort) -> datetime.date:
    return cohort.starts_on + datetime.timedelta(days=experience.due_days)


def progress_of(
    participants: Iterable[Participant], today: datetime.date | None = None
) -> list[Progress]:
    """Progress of each participant (with `cohort` and `cohort.program` loaded): four queries
    whatever their number."""
    today = today or timezone.localdate()
    participants = list(participants)
    ids = [p.pk for p in participants]
    program_ids = {p.cohort.program_id for p in participants}
    checklist: dict[int, list[Experience]] = defaultdict(list)
    for experience in Experience.objects.filter(program_id__in=program_ids).order_by(
        "position", "due_days", "pk"
    ):
        checklist[experience.program_id].append(experience)
    signed: set[tuple[int, int]] = set(
        ExperienceRecord.objects.filter(
            participant_id__in=ids, signed_off_on__isnull=False
        ).values_list("participant_id", "experience_id")
    )
    milestones: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    for participant_id, status, due in Milestone.objects.filter(
        project__participant_id__in=ids
    ).values_list("project__participant_id", "status", "due_on"):
        milestones[participant_id].append((status, due))
    placements: dict[int, list[Placement]] = defaultdict(list)
    for placement in (
        Placement.objects.filter(participant_id__in=ids)
        .select_related("school", "participant")
        .order_by("starts_on", "pk")
    ):
        placements[placement.participant_id].append(placement)
    rows = []
    for participant in participants:
        items = checklist.get(participant.cohort.program_id, [])
        done = [e for e in items if (participant.pk, e.pk) in signed]
        overdue = [
            e
            for e in items
            if (participant.pk, e.pk) not in signed and due_on(e, participant.cohort) < today
        ]
        own = milestones.get(participant.pk, [])
        rows.append(
            Progress(
                participant=participant,
                experiences_total=len(items),
                experiences_done=len(done),
                experiences_overdue=overdue,
                milestones_total=len([m for m in own if m[0] != Milestone.Status.DROPPED]),
                milestones_done=len([m for m in own if m[0] == Milestone.Status.DONE]),
                milestones_overdue=len(
                    [
                        m
                        for m in own
                        if m[0] in (Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS)
                        and m[1] < today
                    ]
                ),
                placements=placements.get(participant.pk, []),
            )
        )
    return rows


ROSTER_FILTERS = ["active", "completed", "withdrawn", "behind"]


def roster_within(user: Any, cohort: Cohort, action: str = Action.PROGRAMS_VIEW) -> Q:
    """Which of the cohort's participants the user's pages count and list: all of them for the
    program's own people (owner, program or cohort grants); for the viewers of a system the
    program serves, the participants from their own systems only."""
    scope = scope_for(user, action)
    if runs_cohort(scope, cohort):
        return Q()
    return served_participants_q(scope)


def cohort_roster(
    cohort: Cohort,
    *,
    query: str = "",
    status: str = "",
    today: datetime.date | None = None,
    within: Q | None = None,
) -> list[Progress]:
    """The cohort's participants (`within` narrows them, see roster_within) with their
    progress (the cohort page and its dashboard)."""
    participants = cohort.participants.filter(within or Q()).select_related(
        "person", "cohort", "cohort__program"
    )
    for word in query.split()[:4]:
        participants = participants.filter(
            Q(person__given_name__icontains=word)
            | Q(person__family_name__icontains=word)
            | Q(person__preferred_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    if status in ("active", "completed", "withdrawn"):
        participants = participants.filter(status=status)
    rows = progress_of(participants, today)
    if status == "behind":
        rows = [row for row in rows if row.behind]
    return rows


def assignable_participants(cohort: Cohort) -> QuerySet[Participant]:
    """The cohort's active participants, who may be given a coach or mentor."""
    return cohort.participants.filter(status=Participant.Status.ACTIVE).select_related(
        "person", "cohort", "cohort__program"
    )


def supporter_for(participant: Participant, reference: str) -> tuple[Any, str]:
    """The one person of the participant's system a reference names (a coach or mentor is of
    the participant's own system), or None and why not."""
    return find_person(
        Person.objects.filter(system_id=participant.person.system_id),
        reference,
        nobody=f"No one in {participant.person.system}",
    )


def selection_cycle_url(user: Any, cohort: Cohort) -> str | None:
    """The cohort's selection cycle page, when it has one and the user may open it (the
    program's managers and the cohort's committee): the selection app sits a floor above, so
    the cycle is reached through the reverse relation and its page by name."""
    try:
        cycle = cohort.selection_cycle
    except ObjectDoesNotExist:
        return None
    if allows(user, Action.PROGRAMS_MANAGE, cohort) or allows(
        user, Action.SELECTION_DELIBERATIONS, cycle
    ):
        return reverse("selection_cycle", args=[cycle.pk])
    return None


def cohort_supporters(cohort: Cohort, within: Q | None = None) -> list[Any]:
    """Coaches and mentors in force of the cohort's participants (the assignments app)."""
    people = cohort.participants.filter(within or Q()).values("person_id")
    return list(supporters_of(people, [Relationship.COACHING, Relationship.MENTORING]))


# -- Figures (suppressed) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A share of a group, withheld when the group is smaller than the threshold or when its
    numerator is a withheld count (the rate would give it back)."""

    numerator: Count
    denominator: Count

    @property
    def suppressed(self) -> bool:
        return (
            self.denominator.value < threshold()
            or self.denominator.suppressed
            or self.numerator.suppressed
        )

    @property
    def shown(self) -> float | None:
        if self.suppressed or not self.denominator.value:
            return None
        return round(100 * self.numerator.value / self.denominator.value, 1)

    def __str__(self) -> str:
        if not self.denominator.value:
            return "no one yet"
        if self.denominator.value < threshold():
            return f"not shown (fewer than {threshold()} people)"
        if self.suppressed:
            return "not shown"
        return f"{self.shown:.0f}%"


MEASURES = ("participants", "active", "completed", "withdrawn", "placed", "behind")
MEASURE_LABELS = {
    "participants": "Participants",
    "active": "Active",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "placed": "Completers placed",
    "behind": "Active and behind",
}


@dataclass
class Figures:
    """Counts and rates of one group of participants (a cohort, or a program's cohorts
    together), as every viewer sees them: counts of 1 to threshold-1 hidden with their
    complements, rates withheld for groups under the threshold."""

    label: str
    counts: dict[str, Count]

    @property
    def completion_rate(self) -> Rate:
        return Rate(self.counts["completed"], self.counts["participants"])

    @property
    def placement_rate(self) -> Rate:
        return Rate(self.counts["placed"], self.counts["completed"])

    @property
    def behind_rate(self) -> Rate:
        return Rate(self.counts["behind"], self.counts["active"])

    def export_row(self) -> list[Any]:
        return [
            self.label,
            *[self.counts[m].shown if self.counts[m].shown is not None else "" for m in MEASURES],
            *["" if r.shown is None else r.shown for r in self.rates()],
        ]

    def rates(self) -> list[Rate]:
        return [self.completion_rate, self.placement_rate, self.behind_rate]

    def suppressed_fields(self) -> list[str]:
        names = [m for m in MEASURES if self.counts[m].suppressed]
        for name, rate in zip(RATE_NAMES, self.rates(), strict=True):
            if rate.suppressed and rate.denominator.value:
                names.append(name)
        return names


RATE_NAMES = ("completion_rate", "placement_rate", "behind_rate")
FIGURE_HEADERS = [
    "Group",
    *[MEASURE_LABELS[m] for m in MEASURES],
    "Completion rate (%)",
    "Placement rate of completers (%)",
    "Share of active behind (%)",
]


def _raw(rows: list[Progress]) -> dict[str, int]:
    return {
        "participants": len(rows),
        "active": sum(1 for r in rows if r.participant.status == Participant.Status.ACTIVE),
        "completed": sum(1 for r in rows if r.participant.status == Participant.Status.COMPLETED),
        "withdrawn": sum(1 for r in rows if r.participant.status == Participant.Status.WITHDRAWN),
        "placed": sum(
            1 for r in rows if r.placed and r.participant.status == Participant.Status.COMPLETED
        ),
        "behind": sum(1 for r in rows if r.behind),
    }


def figures_for_groups(groups: list[tuple[str, list[Progress]]], total_label: str) -> list[Figures]:
    """Figures of each group and of all of them together (last), decided together so that no
    total or difference gives a hidden count back: each group's participants are the sum of
    active, completed and withdrawn; each measure's total is the sum over the groups."""
    values: dict[tuple[str, str], int] = {}
    labels = [label for label, _ in groups]
    for label, rows in groups:
        for measure, value in _raw(rows).items():
            values[(label, measure)] = value
    total = "\x00total"
    for measure in MEASURES:
        values[(total, measure)] = sum(values[(label, measure)] for label in labels)
    relations: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
    for key in [*labels, total]:
        relations.append(
            ((key, "participants"), [(key, "active"), (key, "completed"), (key, "withdrawn")])
        )
    if len(labels) > 1:
        for measure in MEASURES:
            relations.append(((total, measure), [(label, measure) for label in labels]))
    hidden = protect(values, relations)
    out = []
    for key, shown_label in [*[(label, label) for label in labels], (total, total_label)]:
        out.append(
            Figures(
                label=shown_label,
                counts={m: Count(values[(key, m)], hidden=(key, m) in hidden) for m in MEASURES},
            )
        )
    return out


def cohort_figures(cohort: Cohort, rows: list[Progress]) -> Figures:
    return figures_for_groups([(cohort.name, rows)], cohort.name)[-1]


def program_figures(
    user: Any, program: Program, action: str = Action.PROGRAMS_VIEW
) -> list[Figures]:
    """Per cohort of the program that the user may see (newest first), then all together;
    counted over the participants the user's pages count (roster_within)."""
    cohorts = list(
        visible_cohorts(user, action)
        .filter(program=program)
        .select_related("program")
        .order_by("-school_year", "name", "pk")
    )
    scope = scope_for(user, action)
    own = [c for c in cohorts if runs_cohort(scope, c)]
    served_only = [c for c in cohorts if c not in own]
    participants = (
        Participant.objects.filter(
            Q(cohort__in=own) | (Q(cohort__in=served_only) & served_participants_q(scope))
        )
        .select_related("person", "cohort", "cohort__program")
        .order_by("cohort_id", "pk")
    )
    by_cohort: dict[int, list[Progress]] = defaultdict(list)
    for row in progress_of(participants):
        by_cohort[row.participant.cohort_id].append(row)
    groups = [(f"{c.name} ({c.school_year_label})", by_cohort.get(c.pk, [])) for c in cohorts]
    return figures_for_groups(groups, f"All cohorts of {program}")


def behind_detail(rows: list[Progress]) -> list[Progress]:
    return [row for row in rows if row.behind]


# -- The participant record --------------------------------------------------------------------


@dataclass
class ExperienceLine:
    experience: Experience
    due_on: datetime.date
    record: ExperienceRecord | None

    @property
    def signed_off(self) -> bool:
        return self.record is not None and self.record.signed_off_on is not None

    @property
    def has_evidence(self) -> bool:
        return self.record is not None and bool(
            self.record.evidence_text or self.record.evidence_file
        )

    def overdue(self, today: datetime.date) -> bool:
        return not self.signed_off and self.due_on < today


def participant_record(participant: Participant) -> dict[str, Any]:
    """Everything on a participant's record page, in a fixed number of queries."""
    cohort = participant.cohort
    records = {
        r.experience_id: r
        for r in ExperienceRecord.objects.filter(participant=participant).select_related(
            "signed_off_by"
        )
    }
    lines = [
        ExperienceLine(experience=e, due_on=due_on(e, cohort), record=records.get(e.pk))
        for e in Experience.objects.filter(program_id=cohort.program_id).order_by(
            "position", "due_days", "pk"
        )
    ]
    project = Project.objects.filter(participant=participant).first()
    milestones = list(project.milestones.order_by("due_on", "pk")) if project else []
    placements = list(
        participant.placements.select_related("school", "position").order_by("-starts_on", "pk")
    )
    links = list(participant.portfolio_links.filter(revoked_at__isnull=True))
    return {
        "lines": lines,
        "project": project,
        "milestones": milestones,
        "placements": placements,
        "active_link": links[0] if links else None,
        "today": timezone.localdate(),
    }


def experience_get(participant: Participant, experience_pk: int) -> Experience:
    experience = Experience.objects.filter(
        pk=experience_pk, program_id=participant.cohort.program_id
    ).first()
    if experience is None:
        raise Http404
    return experience


def program_experience_get(program: Program, pk: int) -> Experience:
    experience = Experience.objects.filter(pk=pk, program=program).first()
    if experience is None:
        raise Http404
    return experience


def signed_off_on(participant: Participant, experience: Experience) -> datetime.date | None:
    """The day this experience was signed off for the participant, if it was."""
    return (
        ExperienceRecord.objects.filter(participant=participant, experience=experience)
        .values_list("signed_off_on", flat=True)
        .first()
    )


def evidence_record(participant: Participant, experience: Experience) -> ExperienceRecord | None:
    """The participant's record (evidence, sign-off) for one experience, if there is one."""
    return ExperienceRecord.objects.filter(participant=participant, experience=experience).first()


def milestone_template_get(program: Program, pk: int) -> MilestoneTemplate:
    item = MilestoneTemplate.objects.filter(pk=pk, program=program).first()
    if item is None:
        raise Http404
    return item


def record_get(participant: Participant, experience: Experience) -> ExperienceRecord:
    record = ExperienceRecord.objects.filter(participant=participant, experience=experience).first()
    if record is None or not record.evidence_file:
        raise Http404
    return record


def milestone_get(participant: Participant, pk: int) -> Milestone:
    milestone = (
        Milestone.objects.select_related("project", "project__participant")
        .filter(pk=pk, project__participant=participant)
        .first()
    )
    if milestone is None:
        raise Http404
    return milestone


def portfolio_link_get(participant: Participant, pk: int) -> PortfolioLink:
    link = (
        PortfolioLink.objects.select_related("participant")
        .filter(pk=pk, participant=participant)
        .first()
    )
    if link is None:
        raise Http404
    return link


def portfolio_by_token(token: str) -> Participant:
    """The participant whose active link has this token, for an anonymous visitor: 404 for an
    unknown or revoked token (never saying which)."""
    if not token or len(token) > 100:
        raise Http404
    link = (
        PortfolioLink.objects.filter(token_digest=portfolio_digest(token), revoked_at__isnull=True)
        .select_related("participant__person", "participant__cohort__program")
        .first()
    )
    if link is None:
        raise Http404
    return link.participant


def placement_schools(participant: Participant) -> QuerySet[School]:
    """Schools offered for a placement: the active schools of the systems the program serves
    (the service also refuses a school outside the participant's own system)."""
    return (
        School.objects.filter(system__served_programs=participant.cohort.program_id, is_active=True)
        .select_related("system")
        .order_by("system__name", "name")
    )


def placement_get(participant: Participant, pk: int) -> Placement:
    placement = (
        Placement.objects.select_related("school", "participant", "position")
        .filter(pk=pk, participant=participant)
        .first()
    )
    if placement is None:
        raise Http404
    # The participant as the caller loaded it (cohort, program and person with it).
    placement.participant = participant
    return placement


def placement_list(user: Any, *, cohort_id: int | None = None) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(participant__in=visible_participants(user).values("pk"))
        .filter(**({"participant__cohort_id": cohort_id} if cohort_id else {}))
        .select_related("participant__person", "participant__cohort", "school")
        .order_by("-starts_on", "pk")
    )


def participations_for(
    user: Any, *, limit: int = 10
) -> tuple[list[Participant], list[Participant]]:
    """The user's own participant records, and the participants they coach or mentor (active
    first, then those who completed or left, so a coach reaches their people's records when no
    cohort is running): two queries at most."""
    person_id = getattr(user, "person_id", None)
    related = Participant.objects.select_related("person", "cohort", "cohort__program").order_by(
        "-cohort__school_year", "cohort__name", "pk"
    )
    own = list(related.filter(person_id=person_id)[:limit]) if person_id else []
    scope = scope_for(user, Action.PROGRAMS_SIGN_OFF)
    supported = (
        list(
            # "active" sorts before "completed" and "withdrawn".
            related.filter(person_id__in=scope.related_person_ids).order_by(
                "status", "-cohort__school_year", "cohort__name", "pk"
            )[:limit]
        )
        if scope.related_person_ids and not scope.everything
        else []
    )
    return own, supported
