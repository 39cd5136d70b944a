"""Writes of evaluation cycles. Configuring a cycle opens one rating round (purpose evaluation)
per evaluatee; the stages write through the ratings engine's round services. Every change is
audited; after sign-off every change but the acknowledgement is refused, and the refused
attempt is audited too."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import User
from trellis.authz.policies import allows, require
from trellis.authz.roles import Action
from trellis.core.dates import day_text
from trellis.core.services import audit_event_record
from trellis.evaluations.models import Evaluation, EvaluationCycle, Goal, Stage
from trellis.evaluations.selectors import (
    competencies,
    evaluatee_takes_part,
    evaluators_of,
    handover,
    rated_items,
    signed_by,
    stage_blocker,
    stage_possible,
    unrated_items,
)
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.frameworks.selectors import is_competency_framework
from trellis.orgs.models import System
from trellis.people.models import Person
from trellis.people.selectors import current_positions
from trellis.ratings.models import Purpose, RoundSubject
from trellis.ratings.services import (
    round_advance,
    round_create,
    round_rater_replace,
    round_ratings_save,
)

Entry = tuple[FrameworkItem, PerformanceLevel, str]


class StageConflict(ValidationError):
    """A change the evaluation's state refuses, whatever was entered: a stage not yet open (a
    stage before it is not complete), a stage done once and for all, or a locked evaluation. The
    pages and the API answer it 409 with its message; other ValidationErrors are bad input."""


@dataclass(frozen=True)
class CycleCreated:
    cycle: EvaluationCycle
    evaluations: int
    # People of the population left out, with the reason (no evaluator, no account).
    skipped: list[tuple[Person, str]]


def current_stage(evaluation: Evaluation) -> tuple[str, datetime.date | None]:
    """The first stage not done yet (a stage that is not possible, the self-assessment of an
    evaluatee without an account, is passed over), and its deadline."""
    cycle = evaluation.cycle
    if evaluation.acknowledged_at:
        return Stage.COMPLETE, None
    if evaluation.signed_off_at:
        return Stage.ACKNOWLEDGEMENT, cycle.acknowledgement_due
    if (
        cycle.self_assessment_due
        and not evaluation.self_assessed_at
        and stage_possible(evaluation, Stage.SELF_ASSESSMENT)
    ):
        return Stage.SELF_ASSESSMENT, cycle.self_assessment_due
    if cycle.goals_due and not evaluation.goals_set_at:
        return Stage.GOALS, cycle.goals_due
    if cycle.midyear_due and not evaluation.midyear_at:
        return Stage.MIDYEAR, cycle.midyear_due
    return Stage.SUMMATIVE, cycle.summative_due


def _restage(evaluation: Evaluation) -> None:
    evaluation.stage, evaluation.due_on = current_stage(evaluation)


def _check_deadlines(
    opens_on: datetime.date,
    deadlines: list[tuple[str, datetime.date | None]],
) -> None:
    previous, previous_label = opens_on, "the opening date"
    for label, due in deadlines:
        if due is None:
            continue
        if due < previous:
            raise ValidationError(
                f"The {label} deadline ({day_text(due)}) comes before {previous_label} "
                f"({day_text(previous)}): stages run in order."
            )
        previous, previous_label = due, f"the {label} deadline"


def cycle_create(
    *,
    actor: Any,
    system: System,
    title: str,
    school_year: str,
    population: str,
    version: FrameworkVersion,
    opens_on: datetime.date,
    self_assessment_due: datetime.date | None,
    goals_due: datetime.date | None,
    midyear_due: datetime.date | None,
    summative_due: datetime.date,
    acknowledgement_due: datetime.date,
) -> CycleCreated:
    """Configure a cycle for everyone of the population in the system on the opening day who
    has an evaluator that day (their evaluation assignment, else their supervisor; for a cycle
    opening later, today's): one rating round each,
    owned by the actor, rated by the evaluator and the evaluatee."""
    require(actor, Action.EVALUATIONS_CONFIGURE, system)
    framework = version.framework
    if (
        not is_competency_framework(framework)
        or framework.system_id not in (None, system.pk)
        or not version.is_published
    ):
        # External or content standards, a school or system scale, a draft, another system's:
        # a cycle rates people on a published competency framework (coach5).
        raise ValidationError(
            {
                "version": "An evaluation cycle rates a published competency framework of this "
                f"system or built in, not “{framework.title}”."
            }
        )
    _check_deadlines(
        opens_on,
        [
            ("self-assessment", self_assessment_due),
            ("goal-setting", goals_due),
            ("mid-year review", midyear_due),
            ("summative rating", summative_due),
            ("acknowledgement", acknowledgement_due),
        ],
    )
    existing = EvaluationCycle.objects.filter(
        system=system, school_year=school_year, population=population
    ).first()
    if existing is not None:
        # A second cycle would give everyone a second evaluation for the same year (the walk
        # saw each principal listed twice on the evaluator's home).
        raise ValidationError(
            {
                "school_year": f"This population already has a {school_year} cycle: "
                f"“{existing.title}”. Open it to follow its evaluations."
            }
        )
    person_ids = list(
        current_positions(opens_on)
        .filter(system=system, kind=population)
        .values_list("person_id", flat=True)
        .distinct()
    )
    people = list(
        Person.objects.filter(pk__in=person_ids, is_active=True).order_by(
            "family_name", "given_name", "pk"
        )
    )
    on = min(opens_on, timezone.localdate())
    if not people:
        raise ValidationError(
            {"population": "Nobody of this population works in the system on the opening day."}
        )
    evaluators = evaluators_of([p.pk for p in people], on)
    users = {
        u.person_id: u
        for u in User.objects.filter(
            person_id__in=[p.pk for p in people] + [e.pk for e in evaluators.values()],
            is_active=True,
        )
    }
    skipped: list[tuple[Person, str]] = []
    made = 0
    with transaction.atomic():
        cycle = EvaluationCycle.objects.create(
            system=system,
            title=title.strip()[:200],
            school_year=school_year,
            population=population,
            version=version,
            opens_on=opens_on,
            self_assessment_due=self_assessment_due,
            goals_due=goals_due,
            midyear_due=midyear_due,
            summative_due=summative_due,
            acknowledgement_due=acknowledgement_due,
            created_by=actor,
        )
        for person in people:
            evaluator = evaluators.get(person.pk)
            if evaluator is None:
                skipped.append((person, "no evaluator or supervisor assigned"))
                continue
            evaluator_user = users.get(evaluator.pk)
            if evaluator_user is None:
                skipped.append((person, f"their evaluator {evaluator.full_name} has no account"))
                continue
            raters = [evaluator_user]
            if person.pk in users:
                raters.append(users[person.pk])
            round_ = round_create(
                actor=actor,
                title=f"{cycle.title}: {person.full_name}",
                purpose=Purpose.EVALUATION,
                version=version,
                subjects=[person],
                raters=raters,
                opens_on=opens_on,
                closes_on=acknowledgement_due,
                # Opened on the authority to configure cycles: whoever configures them follows
                # their progress and does not read their content (ratings.evaluation).
                authority=(Action.EVALUATIONS_CONFIGURE, system),
                run_by="evaluations",
            )
            evaluation = Evaluation(
                cycle=cycle, round=round_, evaluatee=person, evaluator=evaluator
            )
            # Without an account the evaluatee is no rater of the round: their
            # self-assessment is not possible and does not hold the stages after it.
            evaluation.__dict__["_evaluatee_takes_part"] = person.pk in users
            _restage(evaluation)
            evaluation.save()
            made += 1
        if not made:
            raise ValidationError(
                {
                    "population": "Nobody of this population has an evaluator: assign evaluators "
                    "first (Assignments)."
                }
            )
        audit_event_record(
            actor=actor,
            action="evaluation_cycle.create",
            obj=cycle,
            system_id=system.pk,
            object_repr=cycle.title,
            after={
                "school_year": school_year,
                "population": population,
                "version": version.pk,
                "stages": {stage: str(due) for stage, _label, due in cycle.stages()},
                "evaluations": made,
                "skipped": [p.full_name for p, _ in skipped],
            },
        )
    return CycleCreated(cycle=cycle, evaluations=made, skipped=skipped)


# Stages ----------------------------------------------------------------------------------


def _is_evaluatee(actor: Any, evaluation: Evaluation) -> bool:
    return actor is None or actor.person_id == evaluation.evaluatee_id


def _is_evaluator(actor: Any, evaluation: Evaluation) -> bool:
    return actor is None or actor.person_id == evaluation.evaluator_id


def _require_reader(actor: Any, evaluation: Evaluation) -> None:
    if actor is None or actor.person_id == evaluation.evaluatee_id:
        return
    if signed_by(actor, evaluation) and not allows(
        actor, Action.RATINGS_EVALUATION, evaluation.evaluatee
    ):
        # A former evaluator reads what they signed (so it is in their scope: 403, not 404)
        # and changes nothing, not even through the lock's audited refusal.
        raise PermissionDenied
    require(actor, Action.RATINGS_EVALUATION, evaluation.evaluatee)


def _is_either(actor: Any, evaluation: Evaluation) -> bool:
    return _is_evaluatee(actor, evaluation) or _is_evaluator(actor, evaluation)


# Who acts in each change, by its name as the lock's refusal says it.
PARTIES: dict[str, Callable[[Any, Evaluation], bool]] = {
    "self-assessment": _is_evaluatee,
    "goals": _is_either,
    "mid-year review": _is_evaluator,
    "summative rating": _is_evaluator,
    "sign-off": _is_evaluator,
}


def change_check(*, actor: Any, evaluation: Evaluation, attempt: str) -> None:
    """What every change of a signed-off-able stage checks before what was entered: the reader
    (404/403), the party who acts (403), then the lock (409, the refusal audited). The pages and
    the API run it before validating a form, so a locked evaluation says it is locked rather
    than what is wrong with the form."""
    _require_reader(actor, evaluation)
    if not PARTIES[attempt](actor, evaluation):
        raise PermissionDenied
    _refuse_locked(actor, evaluation, attempt)


def _refuse_locked(actor: Any, evaluation: Evaluation, what: str) -> None:
    """After sign-off nothing changes: the attempt is refused with the reason and audited (the
    audit event is written outside any transaction of the refused change, so it stays)."""
    signed = (
        Evaluation.objects.filter(pk=evaluation.pk).values_list("signed_off_at", flat=True).first()
    )
    if signed is None:
        return
    audit_event_record(
        actor=actor,
        action="evaluation.change_refused",
        obj=evaluation,
        system_id=evaluation.cycle.system_id,
        object_repr=f"{what} refused: {evaluation}"[:200],
        after={"attempt": what, "signed_off_at": signed.isoformat()},
    )
    raise StageConflict(
        f"This evaluation was signed off on {day_text(signed)} and is "
        f"locked: the {what} can no longer change."
    )


def _require_open(evaluation: Evaluation, stage: str) -> None:
    """Stages run in order: a stage is worked on once every stage before it (of those the cycle
    has) is complete, and not before the cycle opens. Deadlines do not gate: a stage past its
    deadline stays open (and shows as overdue)."""
    reason = stage_blocker(evaluation, stage)
    if reason:
        raise StageConflict(reason)


def _round_subject(evaluation: Evaluation) -> RoundSubject:
    return RoundSubject.objects.get(round_id=evaluation.round_id)


def _audit(actor: Any, evaluation: Evaluation, action: str, after: dict[str, Any]) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        obj=evaluation,
        system_id=evaluation.cycle.system_id,
        object_repr=str(evaluation)[:200],
        after=after,
    )


def self_assessment_submit(*, actor: Any, evaluation: Evaluation, entries: list[Entry]) -> None:
    """The evaluatee's self-assessment: their ratings with evidence, submitted into the round
    (the ratings engine records them as self-assessment ratings)."""
    change_check(actor=actor, evaluation=evaluation, attempt="self-assessment")
    if evaluation.cycle.self_assessment_due is None:
        raise StageConflict("This cycle has no self-assessment.")
    if evaluation.self_assessed_at:
        raise StageConflict("You have submitted your self-assessment already.")
    if not evaluatee_takes_part(evaluation):
        raise StageConflict(
            "The self-assessment is not possible: the evaluatee had no account when the cycle "
            "opened."
        )
    _require_open(evaluation, Stage.SELF_ASSESSMENT)
    # Submitted is final (the round takes it as submitted): a partial one could never be
    # completed, so every competency is rated first, as at sign-off.
    given = {item.pk for item, _level, _evidence in entries}
    _levels, rows = competencies(evaluation.cycle.version)
    missing = [row["item"] for row in rows if row["item"].pk not in given]
    if missing:
        names = "; ".join(_item_name(item) for item in missing)
        raise ValidationError(
            "Rate every competency before submitting your self-assessment. "
            f"Not rated yet ({len(missing)}): {names}."
        )
    with transaction.atomic():
        round_ratings_save(
            actor=actor,
            round_=evaluation.round,
            subject=_round_subject(evaluation),
            entries=entries,
            submit=True,
        )
        evaluation.self_assessed_at = timezone.now()
        _restage(evaluation)
        evaluation.save(update_fields=["self_assessed_at", "stage", "due_on", "updated_at"])
        _audit(actor, evaluation, "evaluation.self_assessment", {"ratings": len(entries)})


def goals_save(
    *, actor: Any, evaluation: Evaluation, goals: list[tuple[str, list[FrameworkItem]]]
) -> None:
    """The evaluatee's goals (or the evaluator's, setting them together), each with the
    competencies it serves; saving replaces the earlier goals."""
    change_check(actor=actor, evaluation=evaluation, attempt="goals")
    if evaluation.cycle.goals_due is None:
        raise StageConflict("This cycle has no goal setting.")
    _require_open(evaluation, Stage.GOALS)
    goals = [(text.strip(), items) for text, items in goals if text.strip()]
    if not goals:
        raise ValidationError("Write at least one goal.")
    for _text, items in goals:
        for item in items:
            if item.version_id != evaluation.cycle.version_id:
                raise ValidationError(f"“{item}” is not a competency of this cycle's framework.")
    with transaction.atomic():
        evaluation.goals.all().delete()
        for n, (text, items) in enumerate(goals):
            goal = Goal.objects.create(evaluation=evaluation, text=text, position=n)
            goal.competencies.set(items)
        evaluation.goals_set_at = timezone.now()
        _restage(evaluation)
        evaluation.save(update_fields=["goals_set_at", "stage", "due_on", "updated_at"])
        _audit(
            actor,
            evaluation,
            "evaluation.goals",
            # The audit log is read outside the evaluator chain: it keeps no content.
            {"goals": len(goals)},
        )


def midyear_record(*, actor: Any, evaluation: Evaluation, notes: str) -> None:
    """The evaluator's mid-year review notes."""
    change_check(actor=actor, evaluation=evaluation, attempt="mid-year review")
    if evaluation.cycle.midyear_due is None:
        raise StageConflict("This cycle has no mid-year review.")
    _require_open(evaluation, Stage.MIDYEAR)
    if not notes.strip():
        raise ValidationError({"notes": "Write the mid-year review notes."})
    with transaction.atomic():
        before = evaluation.midyear_notes
        evaluation.midyear_notes = notes.strip()
        evaluation.midyear_at = timezone.now()
        _restage(evaluation)
        evaluation.save(
            update_fields=["midyear_notes", "midyear_at", "stage", "due_on", "updated_at"]
        )
        audit_event_record(
            actor=actor,
            action="evaluation.midyear",
            obj=evaluation,
            system_id=evaluation.cycle.system_id,
            object_repr=str(evaluation)[:200],
            # The audit log is read outside the evaluator chain: that the notes were written
            # (their length), never the notes.
            before={"notes_characters": len(before)},
            after={"notes_characters": len(evaluation.midyear_notes)},
        )


def summative_save(*, actor: Any, evaluation: Evaluation, entries: list[Entry]) -> None:
    """The evaluator's summative ratings with evidence, kept as drafts of the round (seen by
    nobody else) until sign-off."""
    if actor is None:
        raise PermissionDenied
    change_check(actor=actor, evaluation=evaluation, attempt="summative rating")
    _require_open(evaluation, Stage.SUMMATIVE)
    with transaction.atomic():
        round_ratings_save(
            actor=actor,
            round_=evaluation.round,
            subject=_round_subject(evaluation),
            entries=entries,
            submit=False,
        )
        _audit(actor, evaluation, "evaluation.summative_draft", {"ratings": len(entries)})


def sign_off(*, actor: Any, evaluation: Evaluation) -> None:
    """The evaluator signs the summative evaluation off: refused while a competency is unrated
    (naming them); then the ratings are submitted and the round locked."""
    if actor is None:
        raise PermissionDenied
    change_check(actor=actor, evaluation=evaluation, attempt="sign-off")
    _require_open(evaluation, Stage.SUMMATIVE)
    missing = unrated_items(evaluation, actor)
    if missing:
        names = "; ".join(_item_name(item) for item in missing)
        raise ValidationError(
            f"Rate every competency before signing off. Not rated yet ({len(missing)}): {names}."
        )
    drafts = rated_items(evaluation, actor)
    # The summative rating is evidence per competency: a level alone is not signed off.
    bare = [r.item for r in drafts if not r.evidence.strip()]
    if bare:
        names = "; ".join(_item_name(item) for item in bare)
        raise ValidationError(
            "Give the evidence for every competency before signing off. "
            f"Without evidence ({len(bare)}): {names}."
        )
    authority = (Action.RATINGS_EVALUATION, evaluation.evaluatee)
    with transaction.atomic():
        round_ratings_save(
            actor=actor,
            round_=evaluation.round,
            subject=_round_subject(evaluation),
            entries=[(r.item, r.level, r.evidence) for r in drafts],
            submit=True,
        )
        round_ = round_advance(actor=actor, round_=evaluation.round, authority=authority)
        round_advance(actor=actor, round_=round_, authority=authority)
        evaluation.signed_off_at = timezone.now()
        evaluation.signed_off_by = actor
        _restage(evaluation)
        evaluation.save(
            update_fields=["signed_off_at", "signed_off_by", "stage", "due_on", "updated_at"]
        )
        _audit(
            actor,
            evaluation,
            "evaluation.sign_off",
            {"ratings": len(drafts)},
        )


def evaluation_take_over(*, actor: Any, evaluation: Evaluation) -> None:
    """The evaluatee's current evaluator (their evaluation assignment's supporter, else their
    supervisor) takes over an unsigned evaluation whose evaluator of record no longer evaluates
    them: they become its evaluator and a rater of its round in the former one's place. The
    stages done stay done (the mid-year notes, the goals, the self-assessment); the former
    evaluator's summative drafts go (seen by nobody, signable by nobody now). Refused once
    signed off (409, audited), to anyone else in the chain (403)."""
    if actor is None:
        raise PermissionDenied  # taken over by a person, never from the command line
    _require_reader(actor, evaluation)
    _refuse_locked(actor, evaluation, "evaluator")
    found = handover(actor, evaluation)
    if found is None:
        if actor is not None and actor.person_id == evaluation.evaluator_id:
            raise StageConflict("You are this evaluation's evaluator already.")
        raise PermissionDenied
    if not found.yours:
        raise PermissionDenied
    former = User.objects.filter(
        person_id=evaluation.evaluator_id, pk__in=evaluation.round.raters.values("rater_id")
    ).first()
    with transaction.atomic():
        # Signed off meanwhile (by a former evaluator still in the chain through a grant)?
        locked = Evaluation.objects.select_for_update().filter(pk=evaluation.pk)
        if locked.values_list("signed_off_at", flat=True).first() is not None:
            raise StageConflict("This evaluation was signed off meanwhile: it is locked.")
        dropped = round_rater_replace(
            actor=actor,
            round_=evaluation.round,
            former=former,
            rater=actor,
            authority=(Action.RATINGS_EVALUATION, evaluation.evaluatee),
        )
        before = evaluation.evaluator
        evaluation.evaluator = actor.person
        evaluation.save(update_fields=["evaluator", "updated_at"])
        audit_event_record(
            actor=actor,
            action="evaluation.take_over",
            obj=evaluation,
            system_id=evaluation.cycle.system_id,
            object_repr=str(evaluation)[:200],
            before={"evaluator": before.full_name},
            after={"evaluator": actor.person.full_name, "drafts_discarded": dropped},
        )


def _refuse_unless_acknowledgeable(actor: Any, evaluation: Evaluation, attempt: str) -> None:
    """Both acknowledgements (online by the evaluatee, on paper by the evaluator) come after
    sign-off and once only: a second one is refused with the day of the first, and audited."""
    if evaluation.signed_off_at is None:
        raise StageConflict(
            stage_blocker(evaluation, Stage.ACKNOWLEDGEMENT)
            or "The evaluation is acknowledged once the evaluator signs it off."
        )
    if evaluation.acknowledged_at is not None:
        audit_event_record(
            actor=actor,
            action="evaluation.change_refused",
            obj=evaluation,
            system_id=evaluation.cycle.system_id,
            object_repr=f"{attempt} refused: {evaluation}"[:200],
            after={"attempt": attempt},
        )
        how = " on paper" if evaluation.acknowledged_on_paper else ""
        raise StageConflict(
            f"This evaluation was acknowledged{how} on {day_text(evaluation.acknowledged_at)}: "
            "it can no longer change."
        )


def acknowledgement_check(*, actor: Any, evaluation: Evaluation, on_paper: bool) -> None:
    """What an acknowledgement checks before what was entered (as `change_check` for the
    stages): the party (403), then whether it can be acknowledged (409: not signed off yet, or
    acknowledged already, audited)."""
    if on_paper:
        _require_reader(actor, evaluation)
        if not _is_evaluator(actor, evaluation):
            raise PermissionDenied
    elif not _is_evaluatee(actor, evaluation):
        _require_reader(actor, evaluation)
        raise PermissionDenied
    attempt = "paper acknowledgement" if on_paper else "acknowledgement"
    _refuse_unless_acknowledgeable(actor, evaluation, attempt)


def acknowledge(*, actor: Any, evaluation: Evaluation, response: str) -> None:
    """The evaluatee acknowledges the signed-off evaluation, with an optional response (which
    does not change the ratings)."""
    acknowledgement_check(actor=actor, evaluation=evaluation, on_paper=False)
    with transaction.atomic():
        evaluation.acknowledged_at = timezone.now()
        evaluation.response = response.strip()
        _restage(evaluation)
        evaluation.save(
            update_fields=["acknowledged_at", "response", "stage", "due_on", "updated_at"]
        )
        _audit(
            actor,
            evaluation,
            "evaluation.acknowledge",
            {"with_response": bool(evaluation.response)},
        )


def acknowledge_on_paper(
    *, actor: Any, evaluation: Evaluation, signed_on: datetime.date, response: str
) -> None:
    """The evaluator records that an evaluatee without an account acknowledged the signed-off
    evaluation on paper: the day they signed it, and their response transcribed (optional).
    Refused before sign-off, once acknowledged, and for an evaluatee who acts online."""
    acknowledgement_check(actor=actor, evaluation=evaluation, on_paper=True)
    if evaluatee_takes_part(evaluation):
        raise StageConflict(
            f"{evaluation.evaluatee.full_name} has an account and acknowledges the evaluation "
            "themselves."
        )
    signed_local = timezone.localtime(evaluation.signed_off_at).date()
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The day is in the future."})
    if signed_on < signed_local:
        raise ValidationError(
            {
                "signed_on": f"The evaluation was signed off on {day_text(signed_local)}: the "
                "paper acknowledgement cannot come before it."
            }
        )
    with transaction.atomic():
        evaluation.acknowledged_at = timezone.make_aware(
            datetime.datetime.combine(signed_on, datetime.time(12))
        )
        evaluation.acknowledged_on_paper = True
        evaluation.response = response.strip()
        _restage(evaluation)
        evaluation.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_on_paper",
                "response",
                "stage",
                "due_on",
                "updated_at",
            ]
        )
        _audit(
            actor,
            evaluation,
            "evaluation.acknowledge_on_paper",
            {"signed_on": signed_on.isoformat(), "with_response": bool(evaluation.response)},
        )


def _item_name(item: FrameworkItem) -> str:
    code = f"{item.human_coding_scheme} " if item.human_coding_scheme else ""
    return code + (item.abbreviated_statement or item.full_statement)[:80]


__all__ = [
    "CycleCreated",
    "StageConflict",
    "acknowledge",
    "acknowledge_on_paper",
    "acknowledgement_check",
    "change_check",
    "current_stage",
    "cycle_create",
    "evaluation_take_over",
    "goals_save",
    "midyear_record",
    "self_assessment_submit",
    "sign_off",
    "summative_save",
]
