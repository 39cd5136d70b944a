"""Reads of ratings and rounds. Every read starts from what the user may see:

- outside a round, a purpose's ratings of a subject are read by those whose role allows the
  purpose's action on the subject (`READ_ACTIONS`); a person's self-assessment only by the
  person (issue 7 item 9), unless they submitted it into a round;
- inside a round, drafts are seen by their rater only; a rater sees the others' scores of a
  subject only after submitting their own; the owner sees submitted ratings; everyone else
  sees a round's ratings once it is locked, by the same purpose rules.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.accounts.models import User
from trellis.authz.policies import allows, authorize, scope_for
from trellis.authz.roles import Action, Role
from trellis.frameworks.models import Framework, FrameworkVersion, PerformanceLevel
from trellis.frameworks.selectors import rubric_grid, visible_frameworks
from trellis.orgs.models import School, System
from trellis.people.models import Person, PositionKind
from trellis.ratings.agreement import (
    Agreement,
    agreement_from_counts,
    agreement_table,
    pair_counts_by_item,
)
from trellis.ratings.models import (
    Purpose,
    Rating,
    RatingRound,
    RoundRater,
    RoundSubject,
    RoundSubmission,
)
from trellis.ratings.subjects import (
    field_of,
    kind_of,
    name_of,
    subject_filter,
    subject_of,
    user_name,
)

# Which action lets a user read (one by one) the ratings of each purpose, outside rounds.
# Selection scores and a person's self-assessment have none: they are read inside their round.
READ_ACTIONS: dict[str, str] = {
    Purpose.PROGRESS: Action.RATINGS_PROGRESS,
    Purpose.EVALUATION: Action.RATINGS_EVALUATION,
    Purpose.CONDITIONS: Action.SCHOOLS_VIEW,
    Purpose.SELF_ASSESSMENT: Action.RATINGS_SELF_STUDY,  # a system's own self-assessment
}

# Which action lets a user run (own) a round, per purpose and kind of subject.
ROUND_ACTIONS: dict[tuple[str, str], str] = {
    (Purpose.SELECTION, "person"): Action.RATINGS_ROUNDS,
    (Purpose.PROGRESS, "person"): Action.RATINGS_ROUNDS,
    (Purpose.SELF_ASSESSMENT, "person"): Action.RATINGS_ROUNDS,
    (Purpose.EVALUATION, "person"): Action.RATINGS_EVALUATION,
    (Purpose.CONDITIONS, "school"): Action.RATINGS_CONDITIONS,
    (Purpose.SELF_ASSESSMENT, "system"): Action.RATINGS_SELF_STUDY,
}


def readable_purposes(user: Any, subject: Any) -> list[str]:
    """Which purposes of a subject's ratings the user may read (404 outside scope, 403 when in
    scope but none may be read)."""
    if isinstance(subject, School):
        authorize(user, Action.SCHOOLS_VIEW, subject)
        return [Purpose.CONDITIONS]
    if isinstance(subject, System):
        authorize(user, Action.RATINGS_SELF_STUDY, subject)
        return [Purpose.SELF_ASSESSMENT]
    if user.person_id == subject.pk:
        return [Purpose.PROGRESS, Purpose.EVALUATION, Purpose.SELF_ASSESSMENT]
    purposes: list[str] = []
    if allows(user, Action.RATINGS_PROGRESS, subject):
        purposes.append(Purpose.PROGRESS)
    if allows(user, Action.RATINGS_EVALUATION, subject):
        purposes.append(Purpose.EVALUATION)
    if not purposes:
        authorize(user, Action.RATINGS_PROGRESS, subject)  # 404 outside scope, else 403
    return purposes


def may_read_ratings(user: Any, subject: Any) -> bool:
    """Whether the subject's ratings page opens for this user (for showing its link)."""
    try:
        return bool(readable_purposes(user, subject))
    except (Http404, PermissionDenied):
        return False


def rating_purposes(user: Any, subject: Any) -> list[tuple[str, str]]:
    """The purposes for which this user may rate this subject outside a round."""
    P = Purpose
    if isinstance(subject, School):
        return (
            [(P.CONDITIONS, P.CONDITIONS.label)]
            if allows(user, Action.RATINGS_CONDITIONS, subject)
            else []
        )
    if isinstance(subject, System):
        return (
            [(P.SELF_ASSESSMENT, P.SELF_ASSESSMENT.label)]
            if allows(user, Action.RATINGS_SELF_STUDY, subject)
            else []
        )
    if user.person_id == subject.pk:
        # On your own record you assess yourself; others rate your progress.
        return [(P.SELF_ASSESSMENT, P.SELF_ASSESSMENT.label)]
    choices: list[tuple[str, str]] = []
    if allows(user, Action.RATINGS_PROGRESS, subject):
        choices.append((P.PROGRESS, P.PROGRESS.label))
    if allows(user, Action.RATINGS_EVALUATION, subject):
        choices.append((P.EVALUATION, P.EVALUATION.label))
    return choices


def _member_rounds(user: Any) -> QuerySet[RatingRound]:
    return RatingRound.objects.filter(
        Q(owner=user) | Q(pk__in=RoundRater.objects.filter(rater=user).values("round_id"))
    )


def subject_ratings(
    user: Any, subject: Any, purposes: list[str], purpose: str = ""
) -> QuerySet[Rating]:
    """The subject's ratings this user may read, newest first. Drafts never; ratings of a
    round only once it is locked (before that they live on the round's pages); a person's
    self-assessments only for the person and the members of the round it went into."""
    readable = Q(purpose__in=purposes) & (
        Q(round__isnull=True) | Q(round__state=RatingRound.State.LOCKED)
    )
    if isinstance(subject, Person) and user.person_id != subject.pk:
        readable &= ~Q(purpose=Purpose.SELF_ASSESSMENT)
    readable |= Q(rater=user)
    # A locked round's ratings to its raters and its owner; an evaluation round's owner (who
    # configured the cycle) does not thereby read the evaluation: its raters and the evaluator
    # chain (ratings.evaluation) do.
    readable |= Q(
        round__in=RoundRater.objects.filter(rater=user).values("round_id"),
        round__state=RatingRound.State.LOCKED,
    )
    readable |= Q(round__owner=user, round__state=RatingRound.State.LOCKED) & ~Q(
        round__purpose=Purpose.EVALUATION
    )
    ratings = Rating.objects.filter(readable, is_draft=False, **subject_filter(subject))
    if purpose:
        ratings = ratings.filter(purpose=purpose)
    return ratings.select_related(
        "item", "level", "version__framework", "rater__person", "round"
    ).order_by("-rated_on", "-pk")


def rater_kind_label(rating: Rating) -> str:
    if rating.is_consensus:
        return "Consensus"
    if rating.purpose == Purpose.SELF_ASSESSMENT:
        return "Self-assessment"
    if rating.rater_kind in Role.values:
        return str(Role(rating.rater_kind).label).split(" / ")[0]
    return "Rater"


def _competency_label(item: Any) -> str:
    code = f"{item.human_coding_scheme} " if item.human_coding_scheme else ""
    return code + (item.abbreviated_statement or item.full_statement)[:80]


def competency_labels(ratings: list[Rating]) -> dict[str, str]:
    """One label per competency across the framework's versions: a competency keeps its CASE
    identifier when its code or wording changes, so it is one series, named as in the newest
    version rated. Two competencies that would read the same are told apart by a number."""
    newest: dict[str, Any] = {}
    for rating in ratings:
        key = rating.item.case_identifier
        known = newest.get(key)
        if known is None or rating.version.number > known.version.number:
            newest[key] = rating
    labels = {key: _competency_label(r.item) for key, r in newest.items()}
    taken: dict[str, int] = {}
    for key in sorted(labels, key=lambda k: (labels[k], k)):
        label = labels[key]
        taken[label] = taken.get(label, 0) + 1
        if taken[label] > 1:
            labels[key] = f"{label} ({taken[label]})"
    return labels


def progress_chart(ratings: list[Rating]) -> dict[str, Any]:
    """A Vega-Lite chart of levels over time: one small panel per competency, one line per
    kind of rater (a coach's and a supervisor's levels are never joined into one line), level
    names on the axis. Drawn for one framework (its level names), the one rated last."""
    if not ratings:
        return {}
    framework_id = ratings[0].version.framework_id
    shown = [r for r in ratings if r.version.framework_id == framework_id]
    levels = list(
        PerformanceLevel.objects.filter(version__framework_id=framework_id)
        .order_by("-position")
        .values_list("name", flat=True)
        .distinct()
    )
    names = list(dict.fromkeys(levels))  # highest first: the top of the axis
    labels = competency_labels(shown)
    values = [
        {
            "date": r.rated_on.isoformat(),
            "competency": labels[r.item.case_identifier],
            "competency_id": r.item.case_identifier,
            "level": r.level.position,
            "level_name": r.level.name,
            "rater_kind": rater_kind_label(r),
            "rater": r.rater_name,
            "purpose": r.get_purpose_display(),
        }
        for r in sorted(shown, key=lambda r: (r.rated_on, r.pk))
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": (
            f"Ratings on {ratings[0].version.framework.title} over time, one panel per "
            "competency and one line per kind of rater; the table lists the same ratings."
        ),
        "data": {"values": values},
        "columns": 2,
        "facet": {
            "field": "competency",
            "type": "nominal",
            "title": None,
            "header": {"labelLimit": 0, "labelAnchor": "start", "labelFontWeight": "bold"},
        },
        "spec": {
            "width": 260,
            "height": 110,
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": None},
                "y": {
                    "field": "level_name",
                    "type": "ordinal",
                    "title": None,
                    "scale": {"domain": names},
                    "axis": {"labelLimit": 0},
                },
                "color": {
                    "field": "rater_kind",
                    "type": "nominal",
                    "title": "Rated by",
                    "legend": {"orient": "bottom", "labelLimit": 0},
                },
                "tooltip": [
                    {"field": "date", "type": "temporal", "title": "Rated on"},
                    {"field": "competency", "title": "Competency"},
                    {"field": "level_name", "title": "Level"},
                    {"field": "rater", "title": "Rater"},
                    {"field": "purpose", "title": "Purpose"},
                ],
            },
        },
    }


# Which frameworks suit which people: a principal is not rated on the teacher-leader model.
LEADER_KINDS = {
    PositionKind.PRINCIPAL,
    PositionKind.ASSISTANT_PRINCIPAL,
    PositionKind.SUPERVISOR,
    PositionKind.COACH,
    PositionKind.DISTRICT_STAFF,
}
TEACHER_KINDS = {PositionKind.TEACHER, PositionKind.TEACHER_LEADER}
ANY_PERSON_KINDS = {Framework.Kind.STANDARDS, Framework.Kind.OTHER}


def _person_framework_kinds(person: Person) -> set[str]:
    today = timezone.localdate()
    held = set(
        person.positions.filter(starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("kind", flat=True)
    )
    kinds: set[str] = set(ANY_PERSON_KINDS)
    if held & LEADER_KINDS:
        kinds.add(Framework.Kind.LEADERSHIP)
    if held & TEACHER_KINDS:
        kinds.add(Framework.Kind.TEACHER_LEADERSHIP)
    return kinds


def rating_frameworks(user: Any, subject: Any) -> list[Framework]:
    """The frameworks the subject's system uses for this kind of subject (issue 7 item 21):
    published, with a rubric, made for this kind of subject; for a person, those meant for the
    positions they hold (leadership frameworks for leaders, teacher-leader ones for teachers).
    A built-in template is offered only where the system has no published framework of its own
    of that kind: once a system adopts its own, that is the one it uses."""
    kind = kind_of(subject)
    system_id = subject.pk if isinstance(subject, System) else subject.system_id
    candidates = list(
        visible_frameworks(user)
        .filter(
            subject_kind=kind,
            versions__status=FrameworkVersion.Status.PUBLISHED,
            versions__levels__isnull=False,
        )
        .filter(Q(system__isnull=True) | Q(system_id=system_id))
        .distinct()
        .order_by("title")
    )
    if isinstance(subject, Person):
        suitable = _person_framework_kinds(subject)
        candidates = [f for f in candidates if f.kind in suitable]
    own_kinds = {f.kind for f in candidates if f.system_id is not None}
    return [f for f in candidates if f.system_id is not None or f.kind not in own_kinds]


def _readable_q(user: Any, purpose: str, subject_kind: str) -> Q | None:
    """Ratings of one purpose the user could read one by one, as a filter (None: none)."""
    action = READ_ACTIONS.get(purpose)
    if action is None or (purpose == Purpose.SELF_ASSESSMENT and subject_kind != "system"):
        return None  # selection scores and personal self-assessments: only inside rounds
    scope = scope_for(user, action)
    if scope.everything:
        return Q(purpose=purpose)
    if scope.is_empty:
        return None
    if subject_kind == "person":
        inside = Q(subject_person__in=Person.objects.filter(scope.people_q()).values("pk"))
    elif subject_kind == "school":
        inside = Q(subject_school__in=School.objects.filter(scope.schools_q()).values("pk"))
    else:
        inside = Q(subject_system_id__in=scope.system_ids)
    return Q(purpose=purpose) & inside


def rater_agreement(user: Any, framework: Framework, *, purpose: str = "") -> dict[str, Any]:
    """Agreement between every two raters who rated the same subjects on the same competencies
    of this framework (each rater's latest rating per subject, competency and purpose), over
    only the ratings the viewer could read one by one (issue 7 item 6): their own systems and
    the purposes their role may read. Counted in the database."""
    subject_kind = framework.subject_kind
    field = field_of(subject_kind)
    readable: Q | None = None
    for value in [purpose] if purpose else list(Purpose.values):
        q = _readable_q(user, value, subject_kind)
        if q is not None:
            readable = q if readable is None else readable | q
    base = Rating.objects.filter(
        Q(round__isnull=True) | Q(round__state=RatingRound.State.LOCKED),
        version__framework=framework,
        is_draft=False,
        is_consensus=False,
    )
    levels = sorted(
        set(
            PerformanceLevel.objects.filter(version__framework=framework).values_list(
                "position", flat=True
            )
        )
    )
    if readable is None:
        return {"rows": [], "overall": None, "levels": levels}
    base = base.filter(readable)
    later = base.filter(
        Q(rated_on__gt=OuterRef("rated_on"))
        | Q(rated_on=OuterRef("rated_on"), pk__gt=OuterRef("pk")),
        rater_id=OuterRef("rater_id"),
        purpose=OuterRef("purpose"),
        item__case_identifier=OuterRef("item__case_identifier"),
        **{f"{field}_id": OuterRef(f"{field}_id")},
    )
    latest = base.filter(~Exists(later))
    table = agreement_table(latest, field, levels)
    return _named(table)


def _named(table: dict[str, Any]) -> dict[str, Any]:
    ids = {i for row in table["rows"] for i in row["rater_ids"]}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("person")}
    for row in table["rows"]:
        row["raters"] = tuple(sorted(user_name(users.get(i)) for i in row["rater_ids"]))
    return table


# Rounds ---------------------------------------------------------------------------------


def round_actions(user: Any) -> list[tuple[str, str, str]]:
    """(purpose, subject kind, action) for each kind of round this user may run somewhere."""
    return [
        (purpose, kind, action)
        for (purpose, kind), action in ROUND_ACTIONS.items()
        if not scope_for(user, action).is_empty
    ]


def _overseen_systems(user: Any) -> frozenset[int] | None:
    """The systems whose every round the user sees (their administrators'); None: all."""
    scope = scope_for(user, Action.RATINGS_ROUNDS_OVERSEE)
    return None if scope.everything else scope.system_ids


def rounds_for(user: Any, *, member_only: bool = False) -> QuerySet[RatingRound]:
    """The rounds the user owns or rates in, and (unless member_only) every round of the
    systems they administer."""
    rounds = _member_rounds(user)
    if not member_only:
        overseen = _overseen_systems(user)
        rounds = (
            RatingRound.objects.all()
            if overseen is None
            else RatingRound.objects.filter(
                Q(pk__in=rounds.values("pk")) | Q(system_id__in=overseen)
            )
        )
    return (
        rounds.filter(run_by="")
        .select_related("version__framework", "owner__person")
        .annotate(subject_count=Count("subjects", distinct=True))
        .order_by("-opens_on", "-pk")
    )


def _refuse(user: Any, round_: RatingRound) -> None:
    """404 when the round's system is outside every grant of the user, else 403."""
    scope = scope_for(user)
    if scope.everything or round_.system_id in scope.reached_system_ids:
        raise PermissionDenied
    raise Http404


def oversees(user: Any, round_: RatingRound) -> bool:
    """Whether the user sees this round as one of its system's administrators: its subjects,
    raters and who submitted, never the scores (those stay with the raters and the owner)."""
    overseen = _overseen_systems(user)
    return overseen is None or round_.system_id in overseen


def round_get(user: Any, pk: int, *, as_owner: bool = False) -> RatingRound:
    """A round its owner (or, unless as_owner, one of its raters or its system's
    administrators) may open."""
    round_ = (
        RatingRound.objects.select_related("version__framework", "system", "owner__person")
        .filter(pk=pk)
        .first()
    )
    if round_ is None:
        raise Http404
    if round_.run_by:
        # Run from its own app's pages (an evaluation's stages): not through these.
        _refuse(user, round_)
    if round_.owner_id == user.pk or user.is_superuser:
        return round_
    if not as_owner and (
        RoundRater.objects.filter(round=round_, rater=user).exists() or oversees(user, round_)
    ):
        return round_
    _refuse(user, round_)
    raise AssertionError  # pragma: no cover


def is_rater(user: Any, round_: RatingRound) -> bool:
    return RoundRater.objects.filter(round=round_, rater=user).exists()


def round_subject_get(round_: RatingRound, pk: int) -> RoundSubject:
    subject = (
        RoundSubject.objects.select_related("subject_person", "subject_school", "subject_system")
        .filter(round=round_, pk=pk)
        .first()
    )
    if subject is None:
        raise Http404
    return subject


def has_submitted(user: Any, subject: RoundSubject) -> bool:
    return RoundSubmission.objects.filter(subject=subject, rater=user).exists()


def may_see_others(user: Any, round_: RatingRound, subject: RoundSubject) -> bool:
    """No rater sees another's scores of a subject before submitting their own: this holds for
    an owner who also rates. The owner who does not rate sees submitted ratings."""
    if is_rater(user, round_):
        return has_submitted(user, subject) or round_.is_locked
    return round_.owner_id == user.pk or user.is_superuser


def round_ratings(round_: RatingRound, subject: RoundSubject) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(round=round_, **subject_filter(subject_of(subject)))
        .select_related("item", "level", "rater__person")
        .order_by("item__position", "pk")
    )


def round_subjects(user: Any, round_: RatingRound) -> list[dict[str, Any]]:
    """The round's subjects, each with how many raters submitted and whether this user did."""
    mine = set(
        RoundSubmission.objects.filter(subject__round=round_, rater=user).values_list(
            "subject_id", flat=True
        )
    )
    rows = []
    for subject in (
        RoundSubject.objects.filter(round=round_)
        .select_related("subject_person", "subject_school", "subject_system")
        .annotate(submitted=Count("submissions"))
    ):
        rows.append(
            {
                "subject": subject,
                "name": name_of(subject_of(subject)),
                "submitted": subject.submitted,
                "mine": subject.pk in mine,
            }
        )
    return rows


def round_progress(round_: RatingRound) -> dict[str, int]:
    """How many (subject, rater) submissions a round has, of how many expected."""
    subjects = RoundSubject.objects.filter(round=round_).count()
    raters = RoundRater.objects.filter(round=round_).count()
    submitted = RoundSubmission.objects.filter(subject__round=round_).count()
    return {
        "subjects": subjects,
        "raters": raters,
        "expected": subjects * raters,
        "submitted": submitted,
    }


def round_spread(round_: RatingRound, subject: RoundSubject) -> list[dict[str, Any]]:
    """Per competency of the round's rubric: each rater's submitted level, how many chose each
    level, and the consensus if recorded."""
    levels, rows = rubric_grid(round_.version)
    ratings = list(round_ratings(round_, subject).filter(is_draft=False))
    by_item: dict[int, list[Rating]] = {}
    consensus: dict[int, Rating] = {}
    for rating in ratings:
        if rating.is_consensus:
            consensus[rating.item_id] = rating
        else:
            by_item.setdefault(rating.item_id, []).append(rating)
    out = []
    for row in rows:
        if not row["has_descriptors"]:
            continue
        item = row["item"]
        given = by_item.get(item.pk, [])
        counts = Counter(r.level_id for r in given)
        out.append(
            {
                "item": item,
                "ratings": given,
                "counts": [(level, counts.get(level.pk, 0)) for level in levels],
                "consensus": consensus.get(item.pk),
            }
        )
    return out


def round_agreement(round_: RatingRound) -> dict[str, Any]:
    """Agreement between the round's raters over their submitted ratings (in the database)."""
    levels = sorted(round_.version.levels.values_list("position", flat=True))
    ratings = Rating.objects.filter(round=round_, is_draft=False, is_consensus=False)
    return _named(agreement_table(ratings, field_of(round_.subject_kind), levels))


def round_agreement_by_item(
    rounds: QuerySet[RatingRound], version: FrameworkVersion
) -> dict[str, dict[str, Any]]:
    """Agreement per competency (keyed by its CASE identifier) between the raters of these
    rounds over their submitted ratings: pairs of raters who rated the same subject on the same
    competency, every pair of every subject pooled. Besides the figures, how many pairs and
    how far apart the levels of the widest pair were (the spread). Counted in the database."""
    levels = sorted(version.levels.values_list("position", flat=True))
    ratings = Rating.objects.filter(
        round__in=rounds, version=version, is_draft=False, is_consensus=False
    )
    out: dict[str, dict[str, Any]] = {}
    for item, pairs in pair_counts_by_item(ratings, "subject_person").items():
        joint: Counter[tuple[int, int]] = Counter()
        for counts in pairs.values():
            joint.update(counts)
        result: Agreement = agreement_from_counts(joint, levels)
        out[item] = {
            "result": result,
            "pairs": result.n,
            "widest": max(abs(a - b) for a, b in joint) if joint else 0,
        }
    return out


def resolve_subjects(
    user: Any, action: str, kind: str, lines: list[tuple[int, str]]
) -> tuple[list[Any], list[str]]:
    """The subjects named one a line, among those the user may run rounds over; and a problem
    per line that names nobody."""
    scope = scope_for(user, action)
    found: list[Any] = []
    problems: list[str] = []
    for number, text in lines:
        match: Any = None
        if kind == "person":
            people = Person.objects.filter(scope.people_q(), is_active=True)
            match = (
                people.filter(email__iexact=text).first() or people.filter(identifier=text).first()
            )
        elif kind == "school":
            schools = School.objects.filter(scope.schools_q(), is_active=True)
            match = (
                schools.filter(name__iexact=text).first() or schools.filter(identifier=text).first()
            )
        else:
            systems = (
                System.objects.all()
                if scope.everything
                else System.objects.filter(pk__in=scope.system_ids)
            )
            match = systems.filter(Q(code__iexact=text) | Q(name__iexact=text)).first()
        if match is None:
            problems.append(
                f"Line {number}: nothing you may include in this round matches “{text}”."
            )
        else:
            found.append(match)
    return found, problems


def resolve_raters(lines: list[tuple[int, str]]) -> tuple[list[Any], list[str]]:
    found: list[Any] = []
    problems: list[str] = []
    for number, text in lines:
        user = User.objects.filter(email__iexact=text, is_active=True).first()
        if user is None:
            problems.append(f"Line {number}: no active account has the address “{text}”.")
        else:
            found.append(user)
    return found, problems


def round_frameworks(user: Any) -> list[Framework]:
    return list(
        visible_frameworks(user)
        .filter(versions__status=FrameworkVersion.Status.PUBLISHED, versions__levels__isnull=False)
        .distinct()
        .order_by("title")
    )


def round_rater_rows(round_: RatingRound) -> QuerySet[RoundRater]:
    return RoundRater.objects.filter(round=round_).select_related("rater__person")


def latest_progress_ratings(
    person_ids: Any, identifiers: set[str]
) -> dict[tuple[int, str], Rating]:
    """The latest progress rating of each of these people on each competency (by its CASE
    identifier, so a competency is one series across versions): ratings made outside a round
    or in a locked one, never drafts. For a page that already decided the viewer reads these
    people's progress ratings. One query."""
    if not identifiers:
        return {}
    ratings = (
        Rating.objects.filter(
            purpose=Purpose.PROGRESS,
            is_draft=False,
            subject_person_id__in=person_ids,
            item__case_identifier__in=identifiers,
        )
        .filter(Q(round__isnull=True) | Q(round__state=RatingRound.State.LOCKED))
        .select_related("item", "level")
        .order_by("subject_person_id", "item__case_identifier", "-rated_on", "-pk")
    )
    latest: dict[tuple[int, str], Rating] = {}
    for rating in ratings:
        if rating.subject_person_id is not None:
            latest.setdefault((rating.subject_person_id, rating.item.case_identifier), rating)
    return latest


def progress_ratings(person_ids: Any, identifiers: set[str]) -> list[Rating]:
    """Every progress rating of these people on these competencies (by CASE identifier), oldest
    first: made outside a round or in a locked one, never drafts. For a page that already decided
    the viewer reads these people's progress ratings (coaching's progress monitoring). One
    query."""
    if not identifiers:
        return []
    return list(
        Rating.objects.filter(
            purpose=Purpose.PROGRESS,
            is_draft=False,
            subject_person_id__in=person_ids,
            item__case_identifier__in=identifiers,
        )
        .filter(Q(round__isnull=True) | Q(round__state=RatingRound.State.LOCKED))
        .select_related("item", "level")
        .order_by("subject_person_id", "item__case_identifier", "rated_on", "pk")
    )
