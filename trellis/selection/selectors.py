"""Reads of the selection cycle, each starting from what the viewer may see.

- The cohort's committee (`selection.deliberations`) reads everything of its cycle.
- The program's managers (`programs.manage`) read and configure the cycle's form and letters,
  not the applications.
- An interviewer reads the application of the applicant whose panel they sit on.
- An applicant reads their own application and, once its letter is sent, their decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trellis.authz.policies import allows, authorize, has_grant_for, scope_for
from trellis.authz.roles import Action
from trellis.frameworks.models import FrameworkItem
from trellis.frameworks.selectors import rubric_grid
from trellis.people.models import Person, PositionKind
from trellis.people.selectors import current_positions
from trellis.programs.models import Cohort
from trellis.ratings.models import RatingRound
from trellis.ratings.selectors import round_agreement_by_item, round_spread
from trellis.selection.letters import render_letter
from trellis.selection.models import (
    Application,
    ApplicationFile,
    Decision,
    Interview,
    LetterTemplate,
    Recommendation,
    ScreeningNote,
    SelectionCycle,
)

COMMITTEE, APPLICANT, INTERVIEWER = "committee", "applicant", "interviewer"


def _cycles() -> QuerySet[SelectionCycle]:
    return SelectionCycle.objects.select_related(
        "cohort__program__owner_system", "cohort__program__owner_partner", "version__framework"
    )


def cycles_for(user: Any) -> QuerySet[SelectionCycle]:
    """The cycles the user runs (program managers) or sits on the committee of."""
    managed = scope_for(user, Action.PROGRAMS_MANAGE)
    committee = scope_for(user, Action.SELECTION_DELIBERATIONS)
    q = Q(pk__in=[])
    if not managed.is_empty:
        q |= managed.q("selection.SelectionCycle")
    if not committee.is_empty:
        q |= committee.q("selection.SelectionCycle")
    return (
        _cycles()
        .filter(q)
        .annotate(
            application_count=Count(
                "applications", filter=Q(applications__status=Application.Status.SUBMITTED)
            )
        )
        .order_by("-opens_on", "-pk")
    )


def may_run_selection(user: Any) -> bool:
    return has_grant_for(user, Action.PROGRAMS_MANAGE) or has_grant_for(
        user, Action.SELECTION_DELIBERATIONS
    )


def cohorts_without_cycle(user: Any) -> QuerySet[Cohort]:
    """Cohorts the user manages that have no selection cycle yet (for a new one)."""
    scope = scope_for(user, Action.PROGRAMS_MANAGE)
    if scope.is_empty:
        return Cohort.objects.none()
    return (
        Cohort.objects.filter(scope.q("programs.Cohort"), selection_cycle__isnull=True)
        .select_related("program")
        .order_by("program__name", "-school_year")
    )


def cycle_get(user: Any, pk: int) -> tuple[SelectionCycle, dict[str, bool]]:
    """A cycle its managers or committee may open, and which of the two the user is."""
    cycle = _cycles().filter(pk=pk).first()
    if cycle is None:
        raise Http404
    roles = {
        "manager": allows(user, Action.PROGRAMS_MANAGE, cycle.cohort),
        "committee": allows(user, Action.SELECTION_DELIBERATIONS, cycle),
    }
    if not any(roles.values()):
        authorize(user, Action.SELECTION_DELIBERATIONS, cycle)  # 404 outside, else 403
    return cycle, roles


def may_open_cohort(user: Any, cycle: SelectionCycle) -> bool:
    """Whether the cycle's page may link to its cohort's page (programs.view there)."""
    return allows(user, Action.PROGRAMS_VIEW, cycle.cohort)


def cycle_for_committee(user: Any, pk: int) -> SelectionCycle:
    cycle = _cycles().filter(pk=pk).first()
    if cycle is None:
        raise Http404
    authorize(user, Action.SELECTION_DELIBERATIONS, cycle)
    return cycle


def cycle_for_manager(user: Any, pk: int) -> SelectionCycle:
    cycle = _cycles().filter(pk=pk).first()
    if cycle is None:
        raise Http404
    if not allows(user, Action.PROGRAMS_MANAGE, cycle.cohort):
        authorize(user, Action.SELECTION_DELIBERATIONS, cycle)  # 404 outside scope
        raise PermissionDenied  # the committee does not configure the form
    return cycle


def letter_templates(cycle: SelectionCycle) -> dict[str, LetterTemplate]:
    return {t.outcome: t for t in LetterTemplate.objects.filter(cycle=cycle)}


# The applicant's side --------------------------------------------------------------------


def open_cycles(user: Any) -> list[SelectionCycle]:
    """Cycles open today to the user's system (programs that serve it), with the user's own
    application, if any, as `mine`."""
    if not getattr(user, "person_id", None):
        return []
    today = timezone.localdate()
    cycles = list(
        _cycles()
        .filter(
            opens_on__lte=today,
            closes_on__gte=today,
            cohort__program__systems__people__pk=user.person_id,
        )
        .distinct()
        .order_by("closes_on", "pk")
    )
    mine = {
        a.cycle_id: a
        for a in Application.objects.filter(
            applicant_id=user.person_id, cycle__in=[c.pk for c in cycles]
        )
    }
    for cycle in cycles:
        cycle.mine = mine.get(cycle.pk)  # type: ignore[attr-defined]
    return cycles


def cycle_to_apply(user: Any, pk: int) -> SelectionCycle:
    """A cycle the signed-in member of staff may apply to (whether open or not: the page says
    when it opens or that its deadline has passed). 404 for a program that serves neither their
    system nor any place of their grants; 403 for an account with no staff record."""
    cycle = _cycles().filter(pk=pk).first()
    if cycle is None:
        raise Http404
    person_id = getattr(user, "person_id", None)
    if person_id is not None and cycle.cohort.program.systems.filter(people__pk=person_id).exists():
        return cycle
    if person_id is None and allows(user, Action.PROGRAMS_VIEW, cycle.cohort):
        raise PermissionDenied  # staff apply with an account linked to their staff record
    raise Http404


def principals_of_record(person_id: int, on: Any = None) -> list[Person]:
    """The applicant's principals of record on a day (today by default): people in a current
    principal position at a school where the applicant holds a current position, other than
    the applicant, active and with an e-mail address. Two queries."""
    day = on or timezone.localdate()
    schools = current_positions(day).filter(person_id=person_id, school__isnull=False)
    principals = (
        current_positions(day)
        .filter(kind=PositionKind.PRINCIPAL, school_id__in=schools.values("school_id"))
        .exclude(person_id=person_id)
        .values("person_id")
    )
    return list(
        Person.objects.filter(pk__in=principals, is_active=True)
        .exclude(email="")
        .order_by("family_name", "given_name", "pk")
    )


def own_application(user: Any, cycle: SelectionCycle) -> Application | None:
    if not getattr(user, "person_id", None):
        return None
    return Application.objects.filter(cycle=cycle, applicant_id=user.person_id).first()


def own_applications(user: Any) -> QuerySet[Application]:
    if not getattr(user, "person_id", None):
        return Application.objects.none()
    return (
        Application.objects.filter(applicant_id=user.person_id)
        .select_related("cycle__cohort__program", "decision")
        .order_by("-submitted_at")
    )


# One application -------------------------------------------------------------------------


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related(
        "applicant",
        "cycle__cohort__program__owner_system",
        "cycle__cohort__program__owner_partner",
        "cycle__version__framework",
    )


def sits_on_panel(user: Any, application: Application) -> bool:
    """Whether the user is on the panel of one of the application's interviews whose round is
    open or in consensus. The seat is the authority: an interviewer needs no person record
    (nor any relationship to the applicant's), only their account on the panel."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Interview.objects.filter(
        application=application,
        round__raters__rater=user,
        round__state__in=[RatingRound.State.OPEN, RatingRound.State.CONSENSUS],
    ).exists()


def application_get(user: Any, pk: int) -> tuple[Application, str]:
    """The application and how the viewer reads it: as the committee, as the applicant, or as
    one of its interviewers. Everyone else: 404 outside the program, 403 inside it."""
    application = _applications().filter(pk=pk).first()
    if application is None:
        raise Http404
    if user.person_id and user.person_id == application.applicant_id:
        return application, APPLICANT
    if application.is_draft:
        raise Http404  # a draft is the applicant's alone: the committee never sees it
    if allows(user, Action.SELECTION_DELIBERATIONS, application):
        return application, COMMITTEE
    if sits_on_panel(user, application):
        return application, INTERVIEWER
    authorize(user, Action.SELECTION_DELIBERATIONS, application)
    raise Http404  # in the relationship's reach, but not on this application's panel


def application_for_committee(user: Any, pk: int) -> Application:
    """The application for a committee step; the applicant and its interviewers, who may read
    it, get a 403."""
    application = _applications().filter(pk=pk).first()
    if application is None:
        raise Http404
    if application.is_draft:
        if user.person_id and user.person_id == application.applicant_id:
            raise PermissionDenied
        raise Http404
    if allows(user, Action.SELECTION_DELIBERATIONS, application):
        return application
    if (user.person_id and user.person_id == application.applicant_id) or sits_on_panel(
        user, application
    ):
        raise PermissionDenied
    authorize(user, Action.SELECTION_DELIBERATIONS, application)
    raise Http404  # pragma: no cover (authorize raised)


def application_file(application: Application, pk: int) -> ApplicationFile:
    found = ApplicationFile.objects.filter(application=application, pk=pk).first()
    if found is None:
        raise Http404
    return found


def files_of(application: Application) -> list[ApplicationFile]:
    return list(ApplicationFile.objects.filter(application=application))


def answers_of(application: Application) -> list[tuple[str, str]]:
    return [
        (question["text"], application.answers.get(str(index), ""))
        for index, question in enumerate(application.cycle.questions)
    ]


def recommendation_of(application: Application) -> Recommendation | None:
    return (
        Recommendation.objects.filter(application=application)
        .prefetch_related("scores__item", "scores__level")
        .first()
    )


def screening_notes(application: Application) -> list[ScreeningNote]:
    return list(ScreeningNote.objects.filter(application=application).select_related("author"))


def decision_of(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application).first()


def letter_of(decision: Decision) -> tuple[str, str] | None:
    """The decision letter as sent: kept with the decision since letters are kept; for a letter
    sent before that, its template filled in as it was sent."""
    if decision.letter_subject or decision.letter_body:
        return decision.letter_subject, decision.letter_body
    template = LetterTemplate.objects.filter(
        cycle_id=decision.application.cycle_id, outcome=decision.outcome
    ).first()
    if template is None:
        return None
    return render_letter(template, decision.application, decision.reason)


def interviews_of(application: Application) -> list[dict[str, Any]]:
    """Each interview with its round, the panel's submissions and (for the committee) the
    spread of submitted levels per competency with the consensus."""
    rows = []
    interviews = Interview.objects.filter(application=application).select_related(
        "round__version", "round__owner__person"
    )
    levels_of: dict[int, list[Any]] = {}
    for interview in interviews:
        version_id = interview.round.version_id
        if version_id not in levels_of:
            levels_of[version_id] = list(interview.round.version.levels.order_by("position"))
        round_ = interview.round
        subject = round_.subjects.first()
        raters = list(round_.raters.select_related("rater__person"))
        submitted = set(subject.submissions.values_list("rater_id", flat=True) if subject else [])
        rows.append(
            {
                "interview": interview,
                "round": round_,
                "subject": subject,
                "raters": [(r.rater, r.rater_id in submitted) for r in raters],
                "spread": round_spread(round_, subject) if subject else [],
                "levels": levels_of[version_id],
            }
        )
    return rows


def interview_of(application: Application, pk: int) -> Interview:
    found = Interview.objects.filter(application=application, pk=pk).select_related("round").first()
    if found is None:
        raise Http404
    return found


def panel_accounts(lines: list[tuple[int, str]]) -> tuple[list[Any], list[str]]:
    """The accounts named one a line by e-mail address, and a problem per line naming none."""
    from trellis.accounts.models import User

    wanted = {text.lower() for _n, text in lines}
    found = {u.email.lower(): u for u in User.objects.filter(email__in=wanted, is_active=True)}
    accounts: list[Any] = []
    problems: list[str] = []
    for number, text in lines:
        user = found.get(text.lower())
        if user is None:
            problems.append(f"Line {number}: no active account has the address “{text}”.")
        elif user not in accounts:
            accounts.append(user)
    return accounts, problems


def panel_round_subject(user: Any, application: Application) -> tuple[Any, Any] | None:
    """The interview round the user rates this applicant in (for their link to the form)."""
    interview = (
        Interview.objects.filter(application=application, round__raters__rater=user)
        .select_related("round")
        .first()
    )
    if interview is None:
        return None
    return interview.round, interview.round.subjects.first()


# The slate and agreement -----------------------------------------------------------------


@dataclass
class SlateRow:
    application: Application
    rank: int | None
    consensus: float | None
    mean: float | None
    raters: int
    interviews: int


def slate(cycle: SelectionCycle) -> list[SlateRow]:
    """Every application of the cycle, ranked by the interview consensus (the mean of the
    consensus levels), then by the mean of the panel's submitted levels; applications without
    interview scores and withdrawn ones come last, unranked. Three queries whatever the size."""
    applications = list(
        Application.objects.filter(cycle=cycle)
        .exclude(status=Application.Status.DRAFT)
        .select_related("applicant", "decision", "recommendation")
        .order_by("applicant__family_name", "applicant__given_name", "pk")
    )
    interviews = list(
        Interview.objects.filter(application__cycle=cycle).values_list("application_id", "round_id")
    )
    round_of: dict[int, list[int]] = {}
    for application_id, round_id in interviews:
        round_of.setdefault(application_id, []).append(round_id)
    scores: dict[tuple[int, bool], tuple[float, int]] = {}
    rounds = [round_id for _a, round_id in interviews]
    if rounds:
        from trellis.ratings.models import Rating

        for score in (
            Rating.objects.filter(round_id__in=rounds, is_draft=False)
            .values("round_id", "is_consensus")
            .annotate(avg=Avg("level__position"), raters=Count("rater", distinct=True))
        ):
            scores[(score["round_id"], score["is_consensus"])] = (
                float(score["avg"]),
                int(score["raters"]),
            )
    rows = []
    for application in applications:
        ids = round_of.get(application.pk, [])
        consensus = [scores[(r, True)][0] for r in ids if (r, True) in scores]
        submitted = [scores[(r, False)] for r in ids if (r, False) in scores]
        rows.append(
            SlateRow(
                application=application,
                rank=None,
                consensus=round(sum(consensus) / len(consensus), 2) if consensus else None,
                mean=round(sum(s[0] for s in submitted) / len(submitted), 2) if submitted else None,
                raters=sum(s[1] for s in submitted),
                interviews=len(ids),
            )
        )

    def key(row: SlateRow) -> tuple[int, float, float, str]:
        scored = not row.application.is_withdrawn and (
            row.consensus is not None or row.mean is not None
        )
        return (
            0 if scored else 1,
            -(row.consensus if row.consensus is not None else -1.0),
            -(row.mean if row.mean is not None else -1.0),
            row.application.applicant.full_name,
        )

    rows.sort(key=key)
    rank = 0
    for row in rows:
        if key(row)[0] == 0:
            rank += 1
            row.rank = rank
    return rows


def cycle_agreement(cycle: SelectionCycle) -> list[dict[str, Any]]:
    """Per competency of the cycle's rubric, agreement between the interview panels' raters
    (exact, within one level, linear weighted kappa) over every interview of the cycle."""
    rounds = RatingRound.objects.filter(
        pk__in=Interview.objects.filter(application__cycle=cycle).values("round_id")
    )
    by_item = round_agreement_by_item(rounds, cycle.version)
    _levels, rows = rubric_grid(cycle.version)
    out = []
    for row in rows:
        if not row["has_descriptors"]:
            continue
        item: FrameworkItem = row["item"]
        out.append({"item": item, "agreement": by_item.get(item.case_identifier)})
    return out


def committee_counts(cycle: SelectionCycle) -> dict[str, int]:
    counts = Application.objects.filter(cycle=cycle).aggregate(
        submitted=Count("pk", filter=Q(status=Application.Status.SUBMITTED)),
        withdrawn=Count("pk", filter=Q(status=Application.Status.WITHDRAWN)),
        decided=Count("decision"),
        unsent=Count(
            "decision",
            filter=Q(decision__letter_sent_at__isnull=True, status=Application.Status.SUBMITTED),
        ),
        to_enrol=Count(
            "decision",
            filter=Q(
                decision__outcome=Decision.Outcome.ADMIT,
                decision__letter_sent_at__isnull=False,
                decision__enrolled_at__isnull=True,
                status=Application.Status.SUBMITTED,
            ),
        ),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def committee_applications(user: Any, cycle_id: int) -> QuerySet[Application]:
    """The API's list: the cycle's applications, for its committee."""
    cycle = cycle_for_committee(user, cycle_id)
    return (
        Application.objects.filter(cycle=cycle)
        .exclude(status=Application.Status.DRAFT)
        .select_related("applicant", "decision", "recommendation", "cycle")
        .order_by("pk")
    )
