"""The demo's selection cycles (issue 9, the selection half), apart from the rest of the
generator: for each program's past cohorts, the applications that led to them (the cohort's
participants admitted, other staff waitlisted or declined), with recommendations, screening,
interviews scored by two raters with a consensus, decisions and letters; and, for the cohort in
selection now, applications in progress (some recommended, some screened, two interviews, one
half-scored).

Everything is written through the selection and ratings services as the command line, on
today's dates (the services check windows against today), then dated back to when it happened
with plain updates, as the rest of the generator dates its history. No e-mail is sent."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone

from trellis.accounts.models import User
from trellis.authz.roles import Role
from trellis.authz.services import grant_create
from trellis.frameworks.models import Framework, FrameworkVersion
from trellis.orgs.models import System
from trellis.people.models import Person, Position, PositionKind
from trellis.programs.models import Cohort, Participant, Program
from trellis.programs.services import program_update
from trellis.ratings.models import Rating, RatingRound, RoundSubject, RoundSubmission
from trellis.ratings.services import round_ratings_save
from trellis.selection.models import (
    Application,
    Decision,
    Interview,
    Recommendation,
    ScreeningNote,
    SelectionCycle,
)
from trellis.selection.selectors import principals_of_record
from trellis.selection.services import (
    application_submit,
    cycle_create,
    decision_record,
    interview_advance,
    interview_consensus_record,
    interview_schedule,
    letters_send,
    recommendation_submit,
    screening_record,
)

QUESTIONS = [
    {"text": "Why do you want to lead a school, and why now?", "required": True},
    {"text": "Describe a time you led adults through a hard change.", "required": True},
    {"text": "Anything else the committee should know?", "required": False},
]
UPLOADS = [{"label": "Résumé", "kind": "document", "required": True}]
PDF = b"%PDF-1.4\n% demo resume\n"
REASONS: dict[str, str] = {
    Decision.Outcome.ADMIT: "Strong track record and interview; ready for the year of practice.",
    Decision.Outcome.WAITLIST: "A strong candidate; the cohort is full this year.",
    Decision.Outcome.DECLINE: "Needs another year of teacher leadership first.",
}
# Track records: (text, whether the figure should fall). {a} is where it started, {b} where it
# ended; the change is at least 6 points, in the direction that is an improvement.
OUTCOMES = [
    ("Proficiency in my classes rose from {a}% to {b}% over two years (state assessment).", False),
    ("Chronic absence in my grade fell from {a}% to {b}% after our attendance team started.", True),
    ("{b}% of my students met their growth targets in math, up from {a}%.", False),
]


def track_record(rng: random.Random) -> str:
    text, falls = rng.choice(OUTCOMES)
    low = rng.randint(12, 60)
    high = low + rng.randint(6, 22)
    a, b = (high, low) if falls else (low, high)
    return text.format(a=a, b=b)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def selection_history(
    system: System, *, seed: int, today: datetime.date, users: dict[str, User]
) -> dict[str, int]:
    """The selection records of every program of the system (see the module's docstring).
    `users["programs"]` chairs each committee (program manager and committee member); the demo
    interviewer and the supervisor sit on the panels."""
    rng = random.Random(f"{seed}-selection")
    chair, interviewer, supervisor = (
        users.get("programs"),
        users.get("interviewer"),
        users.get("supervisor"),
    )
    framework = Framework.objects.filter(system=system, kind=Framework.Kind.LEADERSHIP).first()
    if chair is None or interviewer is None or supervisor is None or framework is None:
        return {}
    version = (
        FrameworkVersion.objects.filter(
            framework=framework, status=FrameworkVersion.Status.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    assert version is not None
    items = list(
        version.items.filter(descriptors__isnull=False)
        .distinct()
        .order_by("parent__position", "position")
    )
    levels = list(version.levels.order_by("position"))
    programs = list(
        Program.objects.filter(Q(owner_system=system) | Q(owner_partner__home_system=system))
        .distinct()
        .order_by("pk")
    )
    staff = list(
        Person.objects.filter(
            pk__in=Position.objects.filter(
                system=system,
                ends_on__isnull=True,
                kind__in=[
                    PositionKind.TEACHER,
                    PositionKind.TEACHER_LEADER,
                    PositionKind.ASSISTANT_PRINCIPAL,
                ],
            ).values("person_id"),
            is_active=True,
        ).order_by("pk")
    )
    counts = {"applications": 0, "interviews": 0, "decisions": 0}
    real_today = timezone.localdate()
    # Whom an applicant without a principal of record names (flagged to the committee).
    fallback = supervisor.person
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for program in programs:
            if program.framework_id is None:
                program = program_update(actor=None, program=program, framework=framework)
            grant_create(
                actor=None,
                user=chair,
                role=Role.SELECTION_COMMITTEE,
                program=program,
                starts_on=today - datetime.timedelta(days=4 * 365),
                note="Chairs the selection committee (demo).",
            )
            for cohort in Cohort.objects.filter(program=program).order_by("school_year"):
                cycle = cycle_create(
                    actor=None,
                    cohort=cohort,
                    title=f"{program.name}: selection for {cohort.name}",
                    opens_on=real_today,
                    closes_on=real_today,
                    questions=QUESTIONS,
                    uploads=UPLOADS,
                    recommendation_items=items[:3],
                    instructions="Apply with your résumé; your principal is asked for a "
                    "recommendation when you submit.",
                )
                past = cohort.state != Cohort.State.SELECTION
                admitted = [
                    p.person
                    for p in Participant.objects.filter(cohort=cohort).select_related("person")
                ]
                taken = {p.pk for p in admitted} | set(
                    Application.objects.filter(cycle__cohort__program=program).values_list(
                        "applicant_id", flat=True
                    )
                )
                others = [p for p in staff if p.pk not in taken]
                rng.shuffle(others)
                pool: list[tuple[Person, str]]
                if past:
                    pool = [(p, str(Decision.Outcome.ADMIT)) for p in admitted] + [
                        (p, str(rng.choice([Decision.Outcome.WAITLIST, Decision.Outcome.DECLINE])))
                        for p in others[: max(2, len(admitted) // 2)]
                    ]
                else:
                    pool = [(p, "") for p in others[:8]]
                    demo_teacher = users.get("teacher")
                    teacher_id = demo_teacher.person_id if demo_teacher is not None else None
                    if teacher_id is not None and teacher_id not in taken:
                        person = Person.objects.get(pk=teacher_id)
                        pool.insert(0, (person, ""))
                window = _window(cohort, today=today, past=past)
                for n, (person, outcome) in enumerate(pool):
                    counts["applications"] += 1
                    principals = principals_of_record(person.pk, on=window["submitted"])
                    _application(
                        cycle,
                        person,
                        outcome,
                        n,
                        rng=rng,
                        items=items,
                        levels=levels,
                        chair=chair,
                        panel=[interviewer, supervisor],
                        counts=counts,
                        past=past,
                        recommender=principals[0] if principals else None,
                        fallback=fallback,
                    )
                if past:
                    letters_send(actor=None, cycle=cycle)
                    Decision.objects.filter(
                        application__cycle=cycle, outcome=Decision.Outcome.ADMIT
                    ).update(enrolled_at=_at(cohort.starts_on - datetime.timedelta(days=30)))
                _date(cycle, window, today=today, past=past, chair=chair)
    return counts


def _window(cohort: Cohort, *, today: datetime.date, past: bool) -> dict[str, Any]:
    """When a cycle's steps happened: a past cohort's selection ran in the spring before it
    started; the cohort in selection now opened three weeks ago, its applications came in
    over the first week, were screened a week later, one interview was held three days ago
    (and half scored) and another is scheduled for next week."""
    if past:
        year = cohort.starts_on.year
        opens = datetime.date(year, 2, 1)
        return {
            "opens": opens,
            "closes": datetime.date(year, 3, 15),
            "submitted": opens + datetime.timedelta(days=10),
            "screened": datetime.date(year, 3, 18),
            "interviews": [datetime.date(year, 4, 10)],
            "decided": datetime.date(year, 5, 1),
        }
    opens = today - datetime.timedelta(days=21)
    return {
        "opens": opens,
        "closes": today + datetime.timedelta(days=14),
        "submitted": opens + datetime.timedelta(days=5),
        "screened": opens + datetime.timedelta(days=12),
        "interviews": [today - datetime.timedelta(days=3), today + datetime.timedelta(days=6)],
        "decided": None,
    }


def _application(
    cycle: SelectionCycle,
    person: Person,
    outcome: str,
    n: int,
    *,
    rng: random.Random,
    items: list[Any],
    levels: list[Any],
    chair: User,
    panel: list[User],
    counts: dict[str, int],
    past: bool,
    recommender: Person | None,
    fallback: Person | None,
) -> None:
    # The applicant's principal of record when they applied; without one, they named the
    # network's supervisor (the committee sees that recommendation flagged).
    named = fallback if recommender is None else None
    application = application_submit(
        actor=None,
        applicant=person,
        cycle=cycle,
        answers={
            "0": "I have led my team's data meetings for three years; I want to do it for a "
            "whole school.",
            "1": "We moved our grade to a new reading curriculum; I ran the weekly planning.",
        },
        track_record=track_record(rng),
        principal_name=named.full_name if named else "",
        principal_email=named.email if named else "",
        recommender=recommender,
        files={0: SimpleUploadedFile("resume.pdf", PDF, content_type="application/pdf")},
        link_base="https://trellis.example.org/",
    )
    recommended = past or n % 2 == 0
    if recommended:
        recommendation = Recommendation.objects.get(application=application)
        recommendation_submit(
            token="",
            recommendation=recommendation,
            text=f"{person.full_name} is ready to lead; our staff follow them.",
            scores=[
                (item, levels[min(len(levels) - 1, 2 + rng.randint(0, 1))])
                for item in cycle.recommendation_items.all()
            ],
        )
    if not past and n >= 5:
        return  # not screened yet
    screen = "pass" if (past and outcome != Decision.Outcome.DECLINE) or n < 3 else "hold"
    if past and outcome == Decision.Outcome.DECLINE and rng.random() < 0.5:
        screen = "decline"
    screening_record(
        actor=None,
        application=application,
        outcome=screen,
        note={"pass": "Meets the bar; interview.", "hold": "Waiting for the recommendation."}.get(
            screen, "Not yet: more years leading adults."
        ),
    )
    ScreeningNote.objects.filter(application=application).update(
        author=chair, author_label=str(chair)
    )
    if screen != "pass" or (not past and n >= 2):
        if past and outcome:
            decision_record(
                actor=None,
                application=application,
                outcome=outcome,
                reason=REASONS[outcome],
                seen_version=0,
            )
            counts["decisions"] += 1
        return
    # Recorded as the command line (interviews on past days; a committee member schedules
    # from today on), run by the chair.
    interview = interview_schedule(
        actor=None,
        application=application,
        raters=panel,
        held_on=timezone.localdate(),
    )
    RatingRound.objects.filter(pk=interview.round_id).update(owner=chair, owner_label=str(chair))
    counts["interviews"] += 1
    round_ = RatingRound.objects.get(pk=interview.round_id)
    subject = RoundSubject.objects.get(round=round_)
    base = {"admit": 2, "waitlist": 1}.get(outcome, 1)
    # Now: the interview already held (n == 0) is half scored; the next one (n == 1) is ahead.
    raters = panel if past else panel[: 1 if n == 0 else 0]
    for rater in raters:
        round_ratings_save(
            actor=rater,
            round_=round_,
            subject=subject,
            entries=[
                (
                    item,
                    levels[max(0, min(len(levels) - 1, base + rng.choice([-1, 0, 0, 1])))],
                    "Seen in the interview's case study.",
                )
                for item in items
            ],
            submit=True,
        )
    if not past:
        return
    interview = interview_advance(actor=None, interview=interview, seen_state="open")
    spread: dict[int, list[int]] = {}
    for rating in Rating.objects.filter(round=round_, is_draft=False):
        spread.setdefault(rating.item_id, []).append(rating.level.position)
    by_position = {level.position: level for level in levels}
    interview = interview_consensus_record(
        actor=None,
        interview=interview,
        entries=[
            (item, by_position[round(sum(spread[item.pk]) / len(spread[item.pk]))], "")
            for item in items
            if item.pk in spread
        ],
        seen_version=0,
    )
    interview_advance(actor=None, interview=interview, seen_state="consensus")
    # The chair recorded the consensus (the command line wrote it).
    Interview.objects.filter(pk=interview.pk).update(consensus_by_label=str(chair))
    Rating.objects.filter(round=round_, is_consensus=True).update(
        rater=chair, rater_label=str(chair)
    )
    decision_record(
        actor=None,
        application=application,
        outcome=outcome,
        reason=REASONS[outcome],
        seen_version=0,
    )
    counts["decisions"] += 1


def _date(
    cycle: SelectionCycle,
    window: dict[str, Any],
    *,
    today: datetime.date,
    past: bool,
    chair: User,
) -> None:
    """Move the cycle's records to when they happened (`_window`), never after `today` but for
    what is scheduled: the deadline, the next interview and the windows that are still open."""
    opens, closes, submitted_on = window["opens"], window["closes"], window["submitted"]
    SelectionCycle.objects.filter(pk=cycle.pk).update(opens_on=opens, closes_on=closes)
    submitted = _at(submitted_on)
    applications = Application.objects.filter(cycle=cycle)
    applications.update(submitted_at=submitted)
    recommendations = Recommendation.objects.filter(application__cycle=cycle)
    recommendations.update(
        requested_at=submitted, expires_at=submitted + datetime.timedelta(days=14)
    )
    recommendations.filter(used_at__isnull=False).update(
        used_at=submitted + datetime.timedelta(days=5)
    )
    if not past:
        # Those not written yet were asked again three days ago: their link is still fresh.
        again = _at(today - datetime.timedelta(days=3))
        recommendations.filter(used_at__isnull=True).update(
            requested_at=again, expires_at=again + datetime.timedelta(days=14)
        )
    ScreeningNote.objects.filter(application__cycle=cycle).update(
        created_at=_at(window["screened"]), updated_at=_at(window["screened"])
    )
    interviews = list(Interview.objects.filter(application__cycle=cycle).order_by("pk"))
    days = window["interviews"]
    for index, interview in enumerate(interviews):
        held = days[min(index, len(days) - 1)]
        Interview.objects.filter(pk=interview.pk).update(held_on=held)
        rounds = RatingRound.objects.filter(pk=interview.round_id)
        rounds.update(
            opens_on=min(held, today),
            closes_on=held + datetime.timedelta(days=14),
        )
        # Scored on the day of the interview (never before it).
        Rating.objects.filter(round_id=interview.round_id).update(rated_on=held)
        RoundSubmission.objects.filter(subject__round_id=interview.round_id).update(
            submitted_at=_at(held, 16)
        )
        if past:
            rounds.update(locked_at=_at(held + datetime.timedelta(days=7)))
            Interview.objects.filter(pk=interview.pk).update(
                consensus_at=_at(held + datetime.timedelta(days=5))
            )
    decided = window["decided"]
    if decided is not None:
        Decision.objects.filter(application__cycle=cycle).update(
            decided_at=_at(decided), letter_sent_at=_at(decided + datetime.timedelta(days=3))
        )
