"""Reads of evaluation cycles. An evaluation is read by its evaluatee and by the evaluator
chain: whoever holds `ratings.evaluation` on the evaluatee (their evaluator and supervisor by
relationship). The system's administrators (`evaluations.progress`) follow its progress to run
the cycle: who, which stage, when due, what is done or overdue; never its content (ratings,
evidence, goals, notes, self-assessment, response). Whoever may not even see the person gets a
404, whoever sees them otherwise (their coach, a principal of their school) a 403. Coaching notes
are never read here.

A signed-off evaluation is also read by its evaluator of record after their assignment ends
(read-only: docs/decisions.md, 2026-12-01); an unsigned one follows current relationships only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.assignments.models import Assignment
from trellis.assignments.selectors import active_q, caseload_of, supporters_of
from trellis.authz.policies import allows, authorize, has_grant_for, scope_for
from trellis.authz.roles import Action, Relationship
from trellis.evaluations.models import Evaluation, EvaluationCycle, Goal, Stage
from trellis.frameworks.models import FrameworkItem, FrameworkVersion
from trellis.frameworks.selectors import COMPETENCY_KINDS, framework_order, rubric_grid
from trellis.people.models import Person, PositionKind
from trellis.people.selectors import person_search_q, visible_people
from trellis.ratings.models import Purpose, Rating, RoundRater

# The stages in which the evaluator acts, and those in which the evaluatee does.
EVALUATOR_STAGES = (Stage.MIDYEAR, Stage.SUMMATIVE)
EVALUATEE_STAGES = (Stage.SELF_ASSESSMENT, Stage.GOALS, Stage.ACKNOWLEDGEMENT)


def may_read_any(user: Any) -> bool:
    """Whether the evaluations pages have anything for this user (the evaluator chain anywhere,
    those who follow cycles' progress, or an evaluatee)."""
    if has_grant_for(user, Action.RATINGS_EVALUATION):
        return True
    if has_grant_for(user, Action.EVALUATIONS_PROGRESS):
        return True
    return (
        bool(user.person_id)
        and Evaluation.objects.filter(
            Q(evaluatee_id=user.person_id) | _signed_by_q(user.person_id)
        ).exists()
    )


def _signed_by_q(person_id: int) -> Q:
    """The evaluations this person signed off as their evaluator of record."""
    return Q(evaluator_id=person_id, signed_off_at__isnull=False)


def _progress_q(user: Any) -> Q:
    """The evaluations whose progress the user follows: those of the cycles of the systems
    where they hold `evaluations.progress` (a system grant)."""
    scope = scope_for(user, Action.EVALUATIONS_PROGRESS)
    if scope.everything:
        return Q()
    if scope.system_ids:
        return Q(cycle__system_id__in=scope.system_ids)
    return Q(pk__in=[])


def visible_evaluations(user: Any) -> QuerySet[Evaluation]:
    """The evaluations the user reads (evaluatee, evaluator of record once signed, evaluator
    chain) or follows (progress)."""
    q = Q(pk__in=[])
    if user.person_id:
        q = Q(evaluatee_id=user.person_id) | _signed_by_q(user.person_id)
    if has_grant_for(user, Action.RATINGS_EVALUATION):
        q |= Q(evaluatee__in=visible_people(user, Action.RATINGS_EVALUATION).values("pk"))
    if has_grant_for(user, Action.EVALUATIONS_PROGRESS):
        q |= _progress_q(user)
    return Evaluation.objects.filter(q)


def reads_content(user: Any, evaluation: Evaluation) -> bool:
    """Whether the user reads the evaluation's content (ratings, evidence, goals, notes,
    self-assessment, response): the evaluatee and the evaluator chain only."""
    if user.person_id and user.person_id == evaluation.evaluatee_id:
        return True
    if signed_by(user, evaluation):
        return True
    return allows(user, Action.RATINGS_EVALUATION, evaluation.evaluatee)


def signed_by(user: Any, evaluation: Evaluation) -> bool:
    """Whether the user is the evaluator of record of this signed-off evaluation: what they
    signed stays theirs to read when their assignment ends, so that they can answer for it."""
    return (
        evaluation.is_locked and bool(user.person_id) and user.person_id == evaluation.evaluator_id
    )


def acts_as_evaluator(user: Any, evaluation: Evaluation) -> bool:
    """Whether the user is the evaluation's evaluator and still in its evaluator chain: a former
    evaluator reads what they signed and changes nothing (no forms, every write 403)."""
    return (
        bool(user.person_id)
        and user.person_id == evaluation.evaluator_id
        and allows(user, Action.RATINGS_EVALUATION, evaluation.evaluatee)
    )


def _pick(assignments: Any) -> dict[int, Person]:
    """Each assignee's evaluator among these assignments in force: the supporter of their
    evaluation assignment, else of their supervision."""
    evaluators: dict[int, Person] = {}
    for assignment in assignments:
        if assignment.kind == Relationship.EVALUATION:
            evaluators[assignment.assignee_id] = assignment.supporter
        else:
            evaluators.setdefault(assignment.assignee_id, assignment.supporter)
    return evaluators


EVALUATOR_KINDS: list[str] = [Relationship.EVALUATION, Relationship.SUPERVISION]


def evaluators_of(person_ids: Any, day: datetime.date | None = None) -> dict[int, Person]:
    """Who evaluates each person on the day (today by default): the supporter of their
    evaluation assignment, else of their supervision (as a cycle names them when it opens).
    One query."""
    return _pick(supporters_of(person_ids, EVALUATOR_KINDS, day))


@dataclass(frozen=True)
class Handover:
    """An unsigned evaluation whose evaluator of record no longer evaluates or supervises the
    evaluatee (their assignment ended): who does now (None when nobody is assigned), and
    whether the reader is that person."""

    current: Person | None
    yours: bool


def _handed_over(evaluation: Evaluation, assignments: list[Any]) -> bool:
    """Whether the evaluator of record has lost every assignment to the evaluatee (among the
    evaluatee's assignments in force). While one lasts they finish the evaluation they began,
    even if another evaluator has been assigned since (docs/decisions.md, 2026-12-01)."""
    return not evaluation.is_locked and not any(
        a.supporter_id == evaluation.evaluator_id
        for a in assignments
        if a.assignee_id == evaluation.evaluatee_id
    )


def handover(user: Any, evaluation: Evaluation) -> Handover | None:
    """Whether the evaluation waits for its evaluatee's current evaluator to take it over.
    One query (none once signed off)."""
    if evaluation.is_locked:
        return None
    assignments = list(supporters_of([evaluation.evaluatee_id], EVALUATOR_KINDS))
    if not _handed_over(evaluation, assignments):
        return None
    current = _pick(assignments).get(evaluation.evaluatee_id)
    yours = current is not None and bool(user.person_id) and current.pk == user.person_id
    return Handover(current=current, yours=yours)


def awaiting_take_over() -> Any:
    """`_handed_over` as a condition on the evaluations' rows, for the list's filter and export:
    unsigned, and the evaluator of record has no evaluation or supervision assignment to the
    evaluatee in force today."""
    keeps = Assignment.objects.filter(
        active_q(timezone.localdate()),
        kind__in=EVALUATOR_KINDS,
        supporter_id=OuterRef("evaluator_id"),
        assignee_id=OuterRef("evaluatee_id"),
    )
    return ~Exists(keeps)


def to_take_over(user: Any) -> list[Evaluation]:
    """The unsigned evaluations of the people the user evaluates now whose evaluator of record
    no longer evaluates or supervises them: the user's to take over. Three queries."""
    if not user.person_id:
        return []
    mine = [a.assignee_id for a in caseload_of(user.person_id, EVALUATOR_KINDS)]
    assignments = list(supporters_of(mine, EVALUATOR_KINDS))
    current = _pick(assignments)
    ids = [pid for pid, person in current.items() if person.pk == user.person_id]
    rows = (
        Evaluation.objects.filter(evaluatee_id__in=ids, signed_off_at__isnull=True)
        .exclude(evaluator_id=user.person_id)
        .select_related("evaluatee", "evaluator", "cycle")
        .order_by("due_on", "evaluatee__family_name", "pk")
    )
    return [e for e in rows if _handed_over(e, assignments)]


def evaluation_list(
    user: Any,
    *,
    query: str = "",
    cycle_id: int | None = None,
    school_year: str = "",
    stage: str = "",
    overdue: bool = False,
    mine: bool = False,
    signed: bool = False,
    awaiting: bool = False,
) -> QuerySet[Evaluation]:
    rows = (
        visible_evaluations(user)
        .select_related("cycle", "evaluatee", "evaluator")
        .annotate(awaits_take_over=Q(signed_off_at__isnull=True) & awaiting_take_over())
    )
    if awaiting:
        rows = rows.filter(awaits_take_over=True)
    for word in query.split():
        rows = rows.filter(
            Q(evaluatee__in=_people_matching(word)) | Q(evaluator__in=_people_matching(word))
        )
    if cycle_id:
        rows = rows.filter(cycle_id=cycle_id)
    if school_year:
        rows = rows.filter(cycle__school_year=school_year)
    if stage:
        rows = rows.filter(stage=stage)
    if overdue:
        rows = rows.exclude(stage=Stage.COMPLETE).filter(due_on__lt=timezone.localdate())
    if mine:
        rows = rows.filter(evaluator_id=user.person_id)
    if signed:
        rows = rows.filter(_signed_by_q(user.person_id)) if user.person_id else rows.none()
    return rows.order_by(
        "-cycle__school_year", "due_on", "evaluatee__family_name", "evaluatee__given_name", "pk"
    )


def _people_matching(word: str) -> Any:
    from trellis.people.models import Person

    return Person.objects.filter(person_search_q(word)).values("pk")


def evaluation_get(user: Any, pk: int) -> Evaluation:
    """An evaluation the user reads (evaluatee, evaluator chain) or whose progress they follow
    (`evaluations.progress` on its system: the page then shows the stages only). 404 when the
    user does not see the evaluatee, 403 when they see them otherwise."""
    evaluation = (
        Evaluation.objects.select_related(
            "cycle", "cycle__version__framework", "round", "evaluatee", "evaluator"
        )
        .filter(pk=pk)
        .first()
    )
    if evaluation is None:
        raise Http404
    if reads_content(user, evaluation):
        return evaluation
    if allows(user, Action.EVALUATIONS_PROGRESS, evaluation.cycle.system):
        return evaluation
    authorize(user, Action.RATINGS_EVALUATION, evaluation.evaluatee)
    return evaluation


def cycle_filter_choices(user: Any) -> dict[str, Any]:
    """The cycles and school years of the evaluations the user reads (for the filters)."""
    cycles = list(
        EvaluationCycle.objects.filter(
            pk__in=visible_evaluations(user).values("cycle_id")
        ).order_by("-opens_on", "pk")
    )
    person_id = user.person_id
    return {
        "cycles": cycles,
        "school_years": sorted({c.school_year for c in cycles}, reverse=True),
        "stages": Stage.choices,
        # "Mine to conduct" and "Evaluations you signed" only to whom they can show anything.
        "conducts": bool(person_id) and Evaluation.objects.filter(evaluator_id=person_id).exists(),
        "signs": bool(person_id) and Evaluation.objects.filter(_signed_by_q(person_id)).exists(),
        # "Awaiting take-over" where some evaluation the user reads waits for its new evaluator.
        "awaits": visible_evaluations(user)
        .filter(awaiting_take_over(), signed_off_at__isnull=True)
        .exists(),
    }


# One evaluation's page --------------------------------------------------------------------


def competencies(version: FrameworkVersion) -> tuple[list[Any], list[dict[str, Any]]]:
    """The rated competencies of the cycle's framework: (levels, rubric rows with descriptors)."""
    levels, rows = rubric_grid(version)
    return levels, [row for row in rows if row["has_descriptors"]]


def rated_items(evaluation: Evaluation, rater: Any) -> list[Rating]:
    """The evaluator's (draft) summative ratings, one per competency."""
    return list(
        Rating.objects.filter(round_id=evaluation.round_id, rater=rater, is_draft=True)
        .exclude(purpose=Purpose.SELF_ASSESSMENT)
        .select_related("item", "level")
        .order_by(*framework_order("item__"), "pk")
    )


def unrated_items(evaluation: Evaluation, rater: Any) -> list[FrameworkItem]:
    _levels, rows = competencies(evaluation.cycle.version)
    rated = {r.item_id for r in rated_items(evaluation, rater)}
    return [row["item"] for row in rows if row["item"].pk not in rated]


# The stages in the order they run; a cycle has the optional ones it gives a deadline.
STAGE_ORDER = (
    Stage.SELF_ASSESSMENT,
    Stage.GOALS,
    Stage.MIDYEAR,
    Stage.SUMMATIVE,
    Stage.ACKNOWLEDGEMENT,
)
# How a sentence names a stage: as what is not open yet, and as what is not complete yet.
STAGE_SUBJECTS = {
    Stage.SELF_ASSESSMENT: "The self-assessment",
    Stage.GOALS: "Goal setting",
    Stage.MIDYEAR: "The mid-year review",
    Stage.SUMMATIVE: "The summative rating",
    Stage.ACKNOWLEDGEMENT: "The acknowledgement",
}
STAGE_NOUNS = {
    Stage.SELF_ASSESSMENT: "the self-assessment",
    Stage.GOALS: "goal setting",
    Stage.MIDYEAR: "the mid-year review",
    Stage.SUMMATIVE: "the summative sign-off",
}


def stage_done_at(evaluation: Evaluation, stage: str) -> Any:
    """When the stage was completed (None while it is not): the summative rating is complete
    when it is signed off."""
    done: dict[str, Any] = {
        Stage.SELF_ASSESSMENT: evaluation.self_assessed_at,
        Stage.GOALS: evaluation.goals_set_at,
        Stage.MIDYEAR: evaluation.midyear_at,
        Stage.SUMMATIVE: evaluation.signed_off_at,
        Stage.ACKNOWLEDGEMENT: evaluation.acknowledged_at,
    }
    return done[stage]


def _joined(phrases: list[str]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def evaluatee_takes_part(evaluation: Evaluation) -> bool:
    """Whether the evaluatee acts in the evaluation themselves: a rater of its round, which
    they are when they had an account the day the cycle opened. Without one, the stages only
    they can take (the self-assessment, the acknowledgement online) are not possible and hold
    nothing; the evaluator records a signed paper acknowledgement instead. Asked once per
    evaluation object."""
    cached = evaluation.__dict__.get("_evaluatee_takes_part")
    if cached is None:
        cached = RoundRater.objects.filter(
            round_id=evaluation.round_id, rater__person_id=evaluation.evaluatee_id
        ).exists()
        evaluation.__dict__["_evaluatee_takes_part"] = cached
    return bool(cached)


def stage_possible(evaluation: Evaluation, stage: str) -> bool:
    """False for the self-assessment of an evaluatee without an account: nobody can take it,
    so it is marked "not possible" and does not hold the stages after it."""
    if stage == Stage.SELF_ASSESSMENT and stage_done_at(evaluation, stage) is None:
        return evaluatee_takes_part(evaluation)
    return True


NO_ACCOUNT = (
    "Not possible: {name} had no Trellis account when the cycle opened, so this stage does not "
    "hold the ones after it."
)


def stage_wait(evaluation: Evaluation, stage: str, on: datetime.date | None = None) -> str:
    """What the stage waits for, as a sentence ("" when it can be worked on): the cycle's
    opening day, or the stages before it (of those the cycle has) that are not complete.
    Deadlines are due dates and gate nothing: a stage whose deadline has passed stays open,
    overdue; one whose deadline is far off opens as soon as the stages before it are complete."""
    cycle = evaluation.cycle
    on = on or timezone.localdate()
    if on < cycle.opens_on:
        return f"The cycle opens on {cycle.opens_on:%Y-%m-%d}."
    position = STAGE_ORDER.index(Stage(stage))
    missing = [
        STAGE_NOUNS[Stage(earlier)]
        for earlier, _label, _due in cycle.stages()
        if STAGE_ORDER.index(Stage(earlier)) < position
        and stage_done_at(evaluation, earlier) is None
        and stage_possible(evaluation, earlier)
    ]
    if not missing:
        return ""
    text = _joined(missing)
    verb = "is" if len(missing) == 1 else "are"
    return f"{text[0].upper()}{text[1:]} {verb} not complete yet."


def stage_blocker(evaluation: Evaluation, stage: str, on: datetime.date | None = None) -> str:
    """Why the stage cannot be worked on yet, as the services' refusal says it ("" when it
    can): "The summative rating is not yet open: the self-assessment is not complete yet." """
    wait = stage_wait(evaluation, stage, on)
    if not wait:
        return ""
    return f"{STAGE_SUBJECTS[Stage(stage)]} is not yet open: {wait[0].lower()}{wait[1:]}"


@dataclass(frozen=True)
class StageRow:
    stage: str
    label: str
    due_on: Any
    done_at: Any
    is_current: bool
    overdue: bool
    # "done", "open", "not_open" (with the reason why not) or "not_possible" (the evaluatee's
    # self-assessment when they have no account: it holds nothing).
    state: str
    reason: str
    # Completed after its deadline (a deadline is a due date: a late stage is noted, not refused).
    late: bool
    # Said beside the stage (an acknowledgement taken on paper, or to be).
    note: str = ""


def stage_rows(evaluation: Evaluation) -> list[StageRow]:
    today = timezone.localdate()
    rows = []
    name = evaluation.evaluatee.full_name
    for stage, label, due in evaluation.cycle.stages():
        done = stage_done_at(evaluation, stage)
        note = ""
        if stage == Stage.ACKNOWLEDGEMENT:
            if evaluation.acknowledged_on_paper:
                note = "Acknowledged on paper, recorded by the evaluator."
            elif not done and not evaluatee_takes_part(evaluation):
                note = (
                    f"{name} had no Trellis account when the cycle opened: the evaluator "
                    "records the signed paper acknowledgement."
                )
        if not stage_possible(evaluation, stage):
            rows.append(
                StageRow(
                    stage=stage,
                    label=label,
                    due_on=due,
                    done_at=None,
                    is_current=False,
                    overdue=False,
                    state="not_possible",
                    reason=NO_ACCOUNT.format(name=name),
                    late=False,
                )
            )
            continue
        reason = "" if done else stage_wait(evaluation, stage, today)
        rows.append(
            StageRow(
                stage=stage,
                label=label,
                due_on=due,
                done_at=done,
                is_current=evaluation.stage == stage,
                overdue=done is None and due is not None and due < today,
                state="done" if done else ("not_open" if reason else "open"),
                reason=reason,
                late=done is not None and due is not None and timezone.localdate(done) > due,
                note=note,
            )
        )
    return rows


def evaluation_page(user: Any, evaluation: Evaluation) -> dict[str, Any]:
    """What the evaluation page shows this reader: the stages, the submitted self-assessment,
    the goals, the mid-year notes, and the summative ratings (the evaluator's drafts to the
    evaluator alone; after sign-off to every reader). Someone who follows the cycle's progress
    without being in the evaluator chain gets the stages only (`content_shown` False)."""
    levels, rows = competencies(evaluation.cycle.version)
    stages = stage_rows(evaluation)
    if not reads_content(user, evaluation):
        return {
            "content_shown": False,
            "levels": levels,
            "rows": [],
            "rubric_rows": rows,
            "stages": stages,
            "stage_by": {row.stage: row for row in stages},
            "goals": [],
            "is_evaluator": False,
            "is_evaluatee": False,
            "unrated": [],
        }
    ratings = list(
        Rating.objects.filter(round_id=evaluation.round_id, is_consensus=False)
        .select_related("item", "level")
        .order_by(*framework_order("item__"), "pk")
    )
    self_by_item = {
        r.item_id: r for r in ratings if r.purpose == Purpose.SELF_ASSESSMENT and not r.is_draft
    }
    is_evaluator = acts_as_evaluator(user, evaluation)
    summative = [
        r
        for r in ratings
        if r.purpose != Purpose.SELF_ASSESSMENT
        and (
            (r.is_draft and is_evaluator and r.rater_id == user.pk)
            or (not r.is_draft and evaluation.is_locked)
        )
    ]
    summative_by_item = {r.item_id: r for r in summative}
    goals = list(
        evaluation.goals.prefetch_related(
            Prefetch("competencies", queryset=FrameworkItem.objects.order_by(*framework_order()))
        )
    )
    return {
        "content_shown": True,
        "levels": levels,
        "rows": [
            {
                "item": row["item"],
                "self": self_by_item.get(row["item"].pk),
                "summative": summative_by_item.get(row["item"].pk),
            }
            for row in rows
        ],
        "rubric_rows": rows,
        "stages": stages,
        # Each stage's row by its name, for the page's sections ("not yet open" and why).
        "stage_by": {row.stage: row for row in stages},
        "goals": goals,
        "is_evaluator": is_evaluator,
        "is_evaluatee": user.person_id == evaluation.evaluatee_id,
        "unrated": [row["item"] for row in rows if row["item"].pk not in summative_by_item],
    }


def goal_list(evaluation: Evaluation) -> QuerySet[Goal]:
    return evaluation.goals.prefetch_related(
        Prefetch("competencies", queryset=FrameworkItem.objects.order_by(*framework_order()))
    )


# Home panels -------------------------------------------------------------------------------


def evaluator_due(user: Any, limit: int = 8) -> dict[str, Any] | None:
    """The evaluator's evaluations not complete: those waiting on them first, by deadline."""
    if not user.person_id:
        return None
    # Only those the user still reads: an unsigned evaluation whose assignment ended is no
    # longer theirs (its page would be a 404).
    rows = (
        visible_evaluations(user).filter(evaluator_id=user.person_id).exclude(stage=Stage.COMPLETE)
    )
    today = timezone.localdate()
    counts = rows.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        mine=Count("pk", filter=Q(stage__in=EVALUATOR_STAGES)),
    )
    counts["signed"] = Evaluation.objects.filter(_signed_by_q(user.person_id)).count()
    # Only someone in an evaluator chain can be anyone's evaluator now.
    handed = to_take_over(user) if has_grant_for(user, Action.RATINGS_EVALUATION) else []
    if not counts["open"] and not counts["signed"] and not handed:
        return None
    shown = list(
        rows.select_related("evaluatee", "cycle").order_by("due_on", "evaluatee__family_name")[
            :limit
        ]
    )
    return {**counts, "rows": shown, "today": today, "take_over": handed}


def evaluatee_asks(user: Any) -> list[Evaluation]:
    """The evaluatee's evaluations waiting on them (self-assessment, goals, acknowledgement)."""
    if not user.person_id:
        return []
    return list(
        Evaluation.objects.filter(evaluatee_id=user.person_id, stage__in=EVALUATEE_STAGES)
        .select_related("cycle")
        .order_by("due_on", "pk")
    )


def has_own_evaluations(user: Any) -> bool:
    """Whether the user is evaluated in any cycle (their way back to their evaluations)."""
    return bool(user.person_id) and Evaluation.objects.filter(evaluatee_id=user.person_id).exists()


# Configuring cycles ------------------------------------------------------------------------


def configurable_systems(user: Any) -> list[int]:
    scope = scope_for(user, Action.EVALUATIONS_CONFIGURE)
    if scope.everything:
        from trellis.orgs.models import System

        return list(System.objects.values_list("pk", flat=True))
    return sorted(scope.system_ids)


def cycle_list(
    user: Any, *, query: str = "", school_year: str = "", overdue: bool = False
) -> QuerySet[EvaluationCycle]:
    """The cycles of the systems the user configures, with their evaluations counted: all,
    complete, and overdue (the current stage past its deadline); `overdue` keeps the cycles
    with at least one overdue evaluation."""
    today = timezone.localdate()
    rows = (
        EvaluationCycle.objects.filter(system_id__in=configurable_systems(user))
        .select_related("version__framework")
        .annotate(
            evaluation_count=Count("evaluations"),
            complete=Count("evaluations", filter=Q(evaluations__stage=Stage.COMPLETE)),
            overdue=Count(
                "evaluations",
                filter=Q(evaluations__due_on__lt=today) & ~Q(evaluations__stage=Stage.COMPLETE),
            ),
        )
    )
    for word in query.split():
        rows = rows.filter(title__icontains=word)
    if school_year:
        rows = rows.filter(school_year=school_year)
    if overdue:
        rows = rows.filter(overdue__gt=0)
    return rows.order_by("-opens_on", "-pk")


def cycle_frameworks(user: Any) -> QuerySet[FrameworkVersion]:
    """Published versions, with a rubric, of the competency frameworks (`COMPETENCY_KINDS`: never
    external standards) of the configurable systems or built in."""
    systems = configurable_systems(user)
    return (
        FrameworkVersion.objects.filter(
            Q(framework__system_id__in=systems) | Q(framework__system__isnull=True),
            framework__subject_kind="person",
            framework__kind__in=COMPETENCY_KINDS,
            status=FrameworkVersion.Status.PUBLISHED,
            levels__isnull=False,
        )
        .distinct()
        .select_related("framework")
        .order_by("framework__title", "-number")
    )


POPULATIONS = [
    (PositionKind.PRINCIPAL.value, "Principals"),
    (PositionKind.ASSISTANT_PRINCIPAL.value, "Assistant principals"),
    (PositionKind.TEACHER_LEADER.value, "Teacher leaders"),
    (PositionKind.COACH.value, "Coaches"),
    (PositionKind.SUPERVISOR.value, "Principal supervisors"),
]


def today() -> datetime.date:
    return timezone.localdate()
