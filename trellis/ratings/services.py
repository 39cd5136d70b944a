"""Writes of ratings and rating rounds. Every change is audited; the purpose (outside rounds)
or the round's membership (inside) decides who may write."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.accounts.models import User
from trellis.authz.policies import require, roles_of
from trellis.authz.roles import POLICY, Action, Role
from trellis.core.dates import day_text
from trellis.core.services import audit_event_record
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.orgs.models import School, System
from trellis.people.models import Person
from trellis.ratings.models import (
    Purpose,
    Rating,
    RatingRound,
    RoundRater,
    RoundSubject,
    RoundSubmission,
)
from trellis.ratings.selectors import ROUND_ACTIONS
from trellis.ratings.subjects import (
    kind_of,
    name_of,
    subject_filter,
    subject_of,
    system_id_of,
    user_name,
)

Entry = tuple[FrameworkItem, PerformanceLevel, str]

RATE_ACTIONS: dict[str, str] = {
    Purpose.PROGRESS: Action.RATINGS_PROGRESS,
    Purpose.EVALUATION: Action.RATINGS_EVALUATION,
    Purpose.CONDITIONS: Action.RATINGS_CONDITIONS,
}


def round_label(round_: Any, subject: Any) -> str:
    """A round's audit label with its subject: the round's title and the subject's name, once
    (an evaluation's round is already titled "<cycle>: <evaluatee>")."""
    title, name = str(round_), name_of(subject)
    return (title if title.endswith(f": {name}") else f"{title}: {name}")[:200]


def _rater_kind(actor: Any, purpose: str) -> str:
    """The kind of rater, for charts: the first of the actor's roles whose policy allows rating
    for this purpose (a label, not an access decision)."""
    if actor is None:
        return ""
    if purpose == Purpose.SELF_ASSESSMENT:
        return "self"
    roles = roles_of(actor)
    action = RATE_ACTIONS.get(purpose)
    for role in Role.values:
        if role in roles and (action is None or action in POLICY.get(role, frozenset())):
            return role
    return next(iter(sorted(roles)), "")


def _check_entries(
    version: FrameworkVersion, entries: list[Entry], rated_on: datetime.date
) -> None:
    if not version.is_published:
        raise ValidationError("Ratings are made against a published version of a framework.")
    if not entries:
        raise ValidationError("Choose a level for at least one competency.")
    for item, level, _evidence in entries:
        if item.version_id != version.pk or level.version_id != version.pk:
            raise ValidationError(f"“{item}” and its level must come from {version}.")
    if rated_on > timezone.localdate():
        raise ValidationError(
            {"rated_on": "The date is in the future: a rating is dated the day it was made."}
        )


def ratings_record(
    *,
    actor: Any,
    subject: Person | School | System,
    version: FrameworkVersion,
    purpose: str,
    rated_on: datetime.date,
    entries: list[Entry],
) -> list[Rating]:
    """Record one rater's ratings of a subject (a person, a school or a system) on several
    competencies at once, outside any round. The purpose decides who may rate."""
    if isinstance(subject, Person):
        own = actor is not None and actor.person_id == subject.pk
        if own and purpose != Purpose.SELF_ASSESSMENT:
            raise PermissionDenied  # nobody rates their own progress or evaluates themselves
        if purpose == Purpose.SELF_ASSESSMENT:
            if actor is not None and not own:
                raise PermissionDenied
        elif purpose == Purpose.PROGRESS:
            require(actor, Action.RATINGS_PROGRESS, subject)
        elif purpose == Purpose.EVALUATION:
            require(actor, Action.RATINGS_EVALUATION, subject)
        else:
            raise ValidationError(
                {"purpose": "People are rated for progress, evaluation or self-assessment."}
            )
    elif isinstance(subject, School):
        if purpose != Purpose.CONDITIONS:
            raise ValidationError({"purpose": "Schools are rated on their conditions."})
        require(actor, Action.RATINGS_CONDITIONS, subject)
    else:
        if purpose != Purpose.SELF_ASSESSMENT:
            raise ValidationError({"purpose": "A system rates itself (self-assessment)."})
        require(actor, Action.RATINGS_SELF_STUDY, subject)
    _check_entries(version, entries, rated_on)
    system_id = system_id_of(subject)
    with transaction.atomic():
        ratings = Rating.objects.bulk_create(
            [
                Rating(
                    system_id=system_id,
                    version=version,
                    item=item,
                    level=level,
                    purpose=purpose,
                    rater=actor,
                    rater_label=user_name(actor),
                    rater_kind=_rater_kind(actor, purpose),
                    rated_on=rated_on,
                    evidence=evidence.strip(),
                    **subject_filter(subject),
                )
                for item, level, evidence in entries
            ]
        )
        audit_event_record(
            actor=actor,
            action="rating.record",
            obj=subject,
            system_id=system_id,
            object_repr=f"{name_of(subject)}: {len(ratings)} {purpose} ratings on "
            f"{version.framework}"[:200],
            after={
                "purpose": purpose,
                "version": version.pk,
                "rated_on": rated_on.isoformat(),
                "ratings": {str(item.pk): level.position for item, level, _ in entries},
            },
        )
    return ratings


def _refuse_locked(actor: Any, rating: Rating, what: str) -> None:
    """A locked round's ratings never change: the attempt is refused and audited (the audit
    event is written outside the refused change, so it stays)."""
    if (
        rating.round_id is not None
        and RatingRound.objects.filter(pk=rating.round_id, state=RatingRound.State.LOCKED).exists()
    ):
        audit_event_record(
            actor=actor,
            action="rating.change_refused",
            obj=rating,
            system_id=rating.system_id,
            object_repr=f"{what} refused: {rating}"[:200],
            after={"round": rating.round_id, "attempt": what},
        )
        raise ValidationError("This rating belongs to a locked round: it can no longer change.")


def _require_own(actor: Any, rating: Rating) -> None:
    if actor is not None and rating.rater_id != actor.pk:
        raise PermissionDenied  # a rater corrects or withdraws only their own ratings


def rating_correct(
    *,
    actor: Any,
    rating: Rating,
    level: PerformanceLevel,
    evidence: str,
    rated_on: datetime.date,
) -> Rating:
    """A rater corrects their own rating (until its round locks)."""
    _require_own(actor, rating)
    _refuse_locked(actor, rating, "correction")
    if level.version_id != rating.version_id:
        raise ValidationError({"level": "Choose a level of the rating's own framework version."})
    if rated_on > timezone.localdate():
        raise ValidationError(
            {"rated_on": "The date is in the future: a rating is dated the day it was made."}
        )
    before = {
        "level": rating.level.name,
        "evidence": rating.evidence,
        "rated_on": rating.rated_on.isoformat(),
    }
    with transaction.atomic():
        rating.level = level
        rating.evidence = evidence.strip()
        rating.rated_on = rated_on
        rating.save(update_fields=["level", "evidence", "rated_on", "updated_at"])
        audit_event_record(
            actor=actor,
            action="rating.correct",
            obj=rating,
            system_id=rating.system_id,
            object_repr=str(rating)[:200],
            # An evaluation's rating: no level or evidence in the log (see _levels_for_audit).
            before=before
            if rating.purpose not in SECRET_PURPOSES
            else {"rated_on": before["rated_on"]},
            after=(
                {"level": level.name, "evidence": rating.evidence, "rated_on": str(rated_on)}
                if rating.purpose not in SECRET_PURPOSES
                else {"rated_on": str(rated_on)}
            ),
        )
    return rating


def rating_withdraw(*, actor: Any, rating: Rating) -> None:
    """A rater withdraws their own rating (until its round locks); the audit keeps what it was."""
    _require_own(actor, rating)
    _refuse_locked(actor, rating, "withdrawal")
    with transaction.atomic():
        audit_event_record(
            actor=actor,
            action="rating.withdraw",
            obj=rating,
            system_id=rating.system_id,
            object_repr=str(rating)[:200],
            before={
                "subject": name_of(subject_of(rating)),
                "item": str(rating.item),
                "level": rating.level.name,
                "purpose": rating.purpose,
                "rated_on": rating.rated_on.isoformat(),
                "evidence": rating.evidence,
                "round": rating.round_id,
            },
        )
        rating.delete()


# Rounds ---------------------------------------------------------------------------------


def _round_action(purpose: str, subject_kind: str) -> str:
    action = ROUND_ACTIONS.get((purpose, subject_kind))
    if action is None:
        raise ValidationError({"purpose": "This purpose does not rate that kind of subject."})
    return action


def round_create(
    *,
    actor: Any,
    title: str,
    purpose: str,
    version: FrameworkVersion,
    subjects: list[Any],
    raters: list[Any],
    opens_on: datetime.date,
    closes_on: datetime.date,
    authority: tuple[str, Any] | None = None,
    run_by: str = "",
) -> RatingRound:
    """A round of the subjects' system, owned by the actor, who must be allowed to run rounds of
    this purpose over every subject. `run_by` names the app whose own pages run it (the generic
    round pages then leave it alone).

    `authority` is (action, object) when another app's service runs the round on its own
    authority instead: a selection committee schedules an interview because it holds
    `selection.deliberations` on the application, not a ratings action on the applicant's
    person record. The permission is then checked on that object."""
    if not subjects:
        raise ValidationError({"subjects": "Name at least one subject."})
    if not raters:
        raise ValidationError({"raters": "Name at least one rater."})
    kinds = {kind_of(s) for s in subjects}
    if len(kinds) != 1:
        raise ValidationError({"subjects": "A round rates one kind of subject."})
    subject_kind = kinds.pop()
    action = _round_action(purpose, subject_kind)
    if authority is not None:
        require(actor, authority[0], authority[1])
    else:
        for subject in subjects:
            require(actor, action, subject)
    systems = {system_id_of(s) for s in subjects}
    if len(systems) != 1:
        raise ValidationError({"subjects": "Every subject must belong to the same system."})
    system_id = systems.pop()
    if version.framework.subject_kind != subject_kind:
        raise ValidationError(
            {"framework": f"This framework rates {version.framework.get_subject_kind_display()}."}
        )
    if version.framework.system_id not in (None, system_id):
        raise ValidationError({"framework": "The framework belongs to another system."})
    if not version.is_published or not version.levels.exists():
        raise ValidationError({"framework": "Choose a published framework with a rubric."})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "The window closes before it opens."})
    members = _members(system_id, raters)
    strangers = [r.email for r in raters if r.pk not in members]
    if strangers:
        raise ValidationError({"raters": f"Not in this system: {', '.join(strangers)}."})
    with transaction.atomic():
        round_ = RatingRound.objects.create(
            system_id=system_id,
            title=title.strip()[:200],
            purpose=purpose,
            subject_kind=subject_kind,
            version=version,
            owner=actor,
            owner_label=user_name(actor),
            opens_on=opens_on,
            closes_on=closes_on,
            run_by=run_by,
        )
        RoundSubject.objects.bulk_create(
            [RoundSubject(round=round_, **subject_filter(s)) for s in dict.fromkeys(subjects)]
        )
        RoundRater.objects.bulk_create(
            [RoundRater(round=round_, rater=r) for r in dict.fromkeys(raters)]
        )
        audit_event_record(
            actor=actor,
            action="round.create",
            obj=round_,
            system_id=system_id,
            object_repr=round_.title,
            after={
                "purpose": purpose,
                "version": version.pk,
                "subjects": len(set(subjects)),
                "raters": [user_name(r) for r in dict.fromkeys(raters)],
                "window": [opens_on.isoformat(), closes_on.isoformat()],
            },
        )
    return round_


def _members(system_id: int, raters: list[Any]) -> set[int]:
    """The raters (users) who belong to the system: its people, or holders of its grants."""
    return set(
        User.objects.filter(
            Q(person__system_id=system_id) | Q(grants__system_id=system_id),
            pk__in=[r.pk for r in raters],
            is_active=True,
        ).values_list("pk", flat=True)
    )


def round_rater_replace(
    *,
    actor: Any,
    round_: RatingRound,
    former: Any | None,
    rater: Any,
    authority: tuple[str, Any],
) -> int:
    """One rater of an open round takes the place of another who can no longer rate (an
    evaluation whose evaluator's assignment ended: evaluations.services.evaluation_take_over).
    The former rater's drafts go, as when a round moves on to consensus: nobody else has seen
    them and nobody can submit them now; what they submitted stays theirs. Without a former
    rater (their account is gone) the new one joins. Returns how many drafts went.
    `authority` as in `round_create`."""
    _require_runner(actor, round_, authority)
    _refuse_round_locked(actor, round_, "change of rater")
    if round_.state != RatingRound.State.OPEN:
        raise ValidationError("The round is no longer open for ratings.")
    if rater.pk not in _members(round_.system_id, [rater]):
        raise ValidationError({"raters": f"Not in this system: {rater.email}."})
    with transaction.atomic():
        dropped = 0
        if former is not None:
            dropped, _ = Rating.objects.filter(round=round_, rater=former, is_draft=True).delete()
            if not RoundSubmission.objects.filter(subject__round=round_, rater=former).exists():
                RoundRater.objects.filter(round=round_, rater=former).delete()
        RoundRater.objects.get_or_create(round=round_, rater=rater)
        audit_event_record(
            actor=actor,
            action="round.rater_replace",
            obj=round_,
            system_id=round_.system_id,
            object_repr=round_.title,
            before={"rater": user_name(former) if former is not None else None},
            after={"rater": user_name(rater), "drafts_discarded": dropped},
        )
    return dropped


def _require_rater(actor: Any, round_: RatingRound) -> None:
    if not RoundRater.objects.filter(round=round_, rater=actor).exists():
        raise PermissionDenied


def _require_owner(actor: Any, round_: RatingRound) -> None:
    if actor is not None and round_.owner_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied


def _refuse_round_locked(actor: Any, round_: RatingRound, what: str) -> None:
    if RatingRound.objects.filter(pk=round_.pk, state=RatingRound.State.LOCKED).exists():
        audit_event_record(
            actor=actor,
            action="round.change_refused",
            obj=round_,
            system_id=round_.system_id,
            object_repr=f"{what} refused: {round_}"[:200],
            after={"attempt": what},
        )
        raise ValidationError("This round is locked: nothing in it can change.")


def round_ratings_save(
    *,
    actor: Any,
    round_: RatingRound,
    subject: RoundSubject,
    entries: list[Entry],
    submit: bool,
) -> list[Rating]:
    """Save a rater's ratings of one subject of the round as drafts, or submit them. A draft
    is replaced on every save; after submission the rater sees the others' scores and corrects
    a rating through `rating_correct`."""
    _require_rater(actor, round_)
    _refuse_round_locked(actor, round_, "rating")
    if subject.round_id != round_.pk:
        raise PermissionDenied
    if round_.state != RatingRound.State.OPEN:
        raise ValidationError("The round is no longer open for ratings.")
    today = timezone.localdate()
    if not round_.opens_on <= today <= round_.closes_on:
        raise ValidationError(
            f"The round takes ratings from {day_text(round_.opens_on)} to "
            f"{day_text(round_.closes_on)}."
        )
    if RoundSubmission.objects.filter(subject=subject, rater=actor).exists():
        raise ValidationError("You have submitted your ratings of this subject already.")
    target = subject_of(subject)
    # Someone in the round who is its subject records a self-assessment, which only the
    # round's owner and raters read (issue 7 item 9: shared by submitting it into a round).
    is_self = isinstance(target, Person) and actor.person_id == target.pk
    purpose = Purpose.SELF_ASSESSMENT if is_self else round_.purpose
    if submit and not entries:
        raise ValidationError("Choose a level for at least one competency before submitting.")
    for item, level, _evidence in entries:
        if item.version_id != round_.version_id or level.version_id != round_.version_id:
            raise ValidationError(f"“{item}” and its level must come from {round_.version}.")
    with transaction.atomic():
        Rating.objects.filter(
            round=round_, rater=actor, is_draft=True, **subject_filter(target)
        ).delete()
        ratings = Rating.objects.bulk_create(
            [
                Rating(
                    system_id=round_.system_id,
                    version_id=round_.version_id,
                    item=item,
                    level=level,
                    purpose=purpose,
                    rater=actor,
                    rater_label=user_name(actor),
                    rater_kind=_rater_kind(actor, purpose),
                    rated_on=today,
                    evidence=evidence.strip(),
                    round=round_,
                    is_draft=not submit,
                    **subject_filter(target),
                )
                for item, level, evidence in entries
            ]
        )
        if submit:
            RoundSubmission.objects.create(
                subject=subject, rater=actor, submitted_at=timezone.now()
            )
        audit_event_record(
            actor=actor,
            action="round.submit" if submit else "round.draft",
            obj=round_,
            system_id=round_.system_id,
            object_repr=round_label(round_, target),
            after=_levels_for_audit(round_.purpose, "ratings", entries),
        )
    return ratings


def _require_runner(actor: Any, round_: RatingRound, authority: tuple[str, Any] | None) -> None:
    """The round's owner runs it; or, with `authority` = (action, object), whoever holds that
    action on that object (a selection committee runs its interviews: round_create)."""
    if authority is not None:
        require(actor, authority[0], authority[1])
    else:
        _require_owner(actor, round_)


def round_consensus_record(
    *,
    actor: Any,
    round_: RatingRound,
    subject: RoundSubject,
    entries: list[Entry],
    authority: tuple[str, Any] | None = None,
) -> list[Rating]:
    """The owner's consensus rating per competency of a subject (replacing an earlier one);
    `authority` as in `round_create`."""
    _require_runner(actor, round_, authority)
    _refuse_round_locked(actor, round_, "consensus")
    if subject.round_id != round_.pk:
        raise PermissionDenied
    if round_.state != RatingRound.State.CONSENSUS:
        raise ValidationError("Move the round to consensus first: raters are still rating.")
    if not entries:
        raise ValidationError("Choose a consensus level for at least one competency.")
    target = subject_of(subject)
    for item, level, _evidence in entries:
        if item.version_id != round_.version_id or level.version_id != round_.version_id:
            raise ValidationError(f"“{item}” and its level must come from {round_.version}.")
    with transaction.atomic():
        Rating.objects.filter(
            round=round_,
            is_consensus=True,
            item__in=[item for item, _, _ in entries],
            **subject_filter(target),
        ).delete()
        ratings = Rating.objects.bulk_create(
            [
                Rating(
                    system_id=round_.system_id,
                    version_id=round_.version_id,
                    item=item,
                    level=level,
                    purpose=round_.purpose,
                    rater=actor,
                    rater_label=user_name(actor),
                    rater_kind="consensus",
                    rated_on=timezone.localdate(),
                    evidence=evidence.strip(),
                    round=round_,
                    is_consensus=True,
                    **subject_filter(target),
                )
                for item, level, evidence in entries
            ]
        )
        audit_event_record(
            actor=actor,
            action="round.consensus",
            obj=round_,
            system_id=round_.system_id,
            object_repr=round_label(round_, target),
            after=_levels_for_audit(round_.purpose, "consensus", entries),
        )
    return ratings


NEXT_STATE = {
    RatingRound.State.OPEN: RatingRound.State.CONSENSUS,
    RatingRound.State.CONSENSUS: RatingRound.State.LOCKED,
}


def round_advance(
    *, actor: Any, round_: RatingRound, authority: tuple[str, Any] | None = None
) -> RatingRound:
    """Open → consensus (raters stop rating; drafts never submitted are discarded) → locked
    (nothing changes any more); `authority` as in `round_create`."""
    _require_runner(actor, round_, authority)
    _refuse_round_locked(actor, round_, "state change")
    with transaction.atomic():
        round_ = RatingRound.objects.select_for_update().get(pk=round_.pk)
        before = round_.state
        round_.state = NEXT_STATE[RatingRound.State(round_.state)]
        if round_.state == RatingRound.State.CONSENSUS:
            Rating.objects.filter(round=round_, is_draft=True).delete()
        if round_.state == RatingRound.State.LOCKED:
            round_.locked_at = timezone.now()
        round_.save(update_fields=["state", "locked_at", "updated_at"])
        audit_event_record(
            actor=actor,
            action="round.state",
            obj=round_,
            system_id=round_.system_id,
            object_repr=round_.title,
            before={"state": before},
            after={"state": round_.state},
        )
    return round_


# Purposes whose levels and evidence the audit log does not keep (read outside the evaluator
# chain and the person).
SECRET_PURPOSES = (Purpose.EVALUATION, Purpose.SELF_ASSESSMENT)


def _levels_for_audit(purpose: str, key: str, entries: list[Any]) -> dict[str, Any]:
    """What a round's audit event keeps of its ratings. The audit log is read by administrators,
    outside an evaluation's evaluator chain: an evaluation (or self-assessment) keeps only how
    many were rated, other purposes the levels."""
    if purpose in SECRET_PURPOSES:
        return {key: len(entries)}
    return {key: {str(item): level.name for item, level, _ in entries}}
