"""The demo's dates hold together (issue 9's browser walk): nothing is dated after today except
what is scheduled, events come in their order, and the programs have a cohort in the current
school year. Built for the walk's day, 2026-11-29, with the clock there too."""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F, Q

from tests.conftest import rolled_back_after
from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.attendance import selectors as attendance_selectors
from trellis.demo.generator import build
from trellis.programs.models import Cohort, ExperienceRecord, Milestone, Participant, Placement
from trellis.ratings.models import Rating, RatingRound, RoundSubmission
from trellis.selection.models import (
    Application,
    Decision,
    Interview,
    Recommendation,
    ScreeningNote,
    SelectionCycle,
)

TODAY = datetime.date(2026, 11, 29)
# The walk's days: a Friday's morning and chronic figures, and the Wednesday before.
DAYS = (datetime.date(2026, 11, 25), datetime.date(2026, 11, 27))


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo, built once for the module inside a transaction rolled back after it
    (`rolled_back_after`), with the clock on the walk's day."""
    with (
        time_machine.travel(
            datetime.datetime(2026, 11, 29, 15, 0, tzinfo=datetime.UTC), tick=False
        ),
        rolled_back_after(django_db_blocker),
    ):
        with django_db_blocker.unblock():
            build(size_name="demo", seed=1, today=TODAY)
        yield


@pytest.fixture
def demo(built: None, db: Any) -> None:
    return None


def day_of(value: datetime.datetime | None) -> datetime.date:
    assert value is not None
    return value.date()


def test_nothing_in_the_demo_is_dated_after_today_but_what_is_scheduled(demo: None) -> None:
    late = []
    for model, field in (
        (Application, "submitted_at"),
        (Recommendation, "used_at"),
        (Recommendation, "requested_at"),
        (ScreeningNote, "created_at"),
        (Decision, "decided_at"),
        (Decision, "letter_sent_at"),
        (Decision, "enrolled_at"),
        (RoundSubmission, "submitted_at"),
        (RatingRound, "locked_at"),
        (Interview, "consensus_at"),
    ):
        late += [
            f"{model.__name__}.{field} {v}"
            for v in model.objects.filter(**{f"{field}__date__gt": TODAY}).values_list(
                field, flat=True
            )
        ]
    for model, field in (
        (Rating, "rated_on"),
        (ExperienceRecord, "submitted_on"),
        (ExperienceRecord, "signed_off_on"),
        (Milestone, "done_on"),
        (Participant, "completed_on"),
        (SelectionCycle, "opens_on"),
        (RatingRound, "opens_on"),
    ):
        late += [
            f"{model.__name__}.{field} {v}"
            for v in model.objects.filter(**{f"{field}__gt": TODAY}).values_list(field, flat=True)
        ]
    assert not late, late
    # What may lie ahead is what is scheduled: a deadline, an interview not yet held (nobody
    # has scored it), a coaching assignment or cohort running to its end, a milestone not done.
    for interview in Interview.objects.filter(held_on__gt=TODAY):
        assert not Rating.objects.filter(round_id=interview.round_id).exists()
    assert not Milestone.objects.filter(due_on__gt=TODAY, status="done").exists()


def test_demo_events_come_in_their_order(demo: None) -> None:
    # Selection: applied within the window, recommended after the request, screened after
    # applying, interviewed after screening, scored on or after the interview, decided after
    # the interviews, letters after the decision, enrolled after the letter and before the
    # cohort starts.
    for a in Application.objects.exclude(status="draft").select_related("cycle__cohort"):
        cycle = a.cycle
        submitted_at = a.submitted_at
        assert submitted_at is not None
        assert cycle.opens_on <= day_of(submitted_at) <= cycle.closes_on, a
        assert cycle.closes_on < cycle.cohort.starts_on or cycle.cohort.state == "selection"
        for note in ScreeningNote.objects.filter(application=a):
            assert note.created_at >= submitted_at, (a, note)
            for interview in Interview.objects.filter(application=a):
                assert interview.held_on >= day_of(note.created_at), (a, interview)
        for interview in Interview.objects.filter(application=a):
            assert not Rating.objects.filter(
                round_id=interview.round_id, rated_on__lt=interview.held_on
            ).exists(), f"{interview} scored before its day"
            assert not RoundSubmission.objects.filter(
                subject__round_id=interview.round_id, submitted_at__date__lt=interview.held_on
            ).exists()
        decision = Decision.objects.filter(application=a).first()
        if decision is not None:
            for interview in Interview.objects.filter(application=a):
                assert day_of(decision.decided_at) > interview.held_on
            if decision.letter_sent_at:
                assert decision.letter_sent_at >= decision.decided_at
            if decision.enrolled_at:
                assert decision.letter_sent_at and decision.enrolled_at >= decision.letter_sent_at
                assert day_of(decision.enrolled_at) < cycle.cohort.starts_on
    for r in Recommendation.objects.filter(used_at__isnull=False).select_related("application"):
        assert r.used_at and r.application.submitted_at and r.used_at >= r.application.submitted_at
    # Open links are still open.
    assert not Recommendation.objects.filter(
        used_at__isnull=True, expires_at__date__lt=TODAY, application__cycle__closes_on__gte=TODAY
    ).exists()
    # Programs: a participant who left has nothing recorded after leaving, and not every
    # experience signed off; coaching runs within the cohort's dates.
    withdrawn = Participant.objects.filter(status="withdrawn").select_related("cohort")
    assert withdrawn.exists()
    for p in withdrawn:
        records = ExperienceRecord.objects.filter(participant=p)
        assert not records.filter(
            Q(submitted_on__gt=p.completed_on) | Q(signed_off_on__gt=p.completed_on)
        ).exists()
        checklist = p.cohort.program.experiences.count()
        assert records.filter(signed_off_on__isnull=False).count() < checklist, p
    for p in Participant.objects.select_related("cohort"):
        signed = ExperienceRecord.objects.filter(participant=p, signed_off_on__isnull=False)
        assert not signed.filter(
            Q(signed_off_on__lt=p.cohort.starts_on) | Q(signed_off_on__lt=F("submitted_on"))
        ).exists()
        for record in signed:
            # Signed off by a coach assigned to them on that day.
            assert Assignment.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=record.signed_off_on),
                supporter_id=record.signed_off_by_id,
                assignee_id=p.person_id,
                kind="coaching",
                starts_on__lte=record.signed_off_on,
            ).exists(), record
    programs_coaching = Assignment.objects.filter(
        kind="coaching", assignee__program_participations__isnull=False
    )
    for cohort in Cohort.objects.exclude(state="selection"):
        coached = programs_coaching.filter(
            assignee__program_participations__cohort=cohort, starts_on=cohort.starts_on
        )
        assert coached.exists() and not coached.filter(ends_on__gt=cohort.ends_on).exists()
    for placement in Placement.objects.select_related("participant__cohort"):
        assert placement.starts_on > placement.participant.cohort.ends_on


def test_the_demo_has_a_cohort_in_this_school_year_and_readable_records(demo: None) -> None:
    # School years run July to June: 2026-11-29 is in 2026-27.
    for program_id in Cohort.objects.values_list("program_id", flat=True).distinct():
        current = Cohort.objects.get(program_id=program_id, school_year=2026)
        assert current.state == Cohort.State.ACTIVE
        assert current.starts_on <= TODAY <= current.ends_on
        assert Participant.objects.filter(cohort=current, status="active").exists()
        assert Cohort.objects.filter(program_id=program_id, state="selection").exists()
    # Recommendations are asked of a person with a name (the principal of record, or whom the
    # applicant named), never a placeholder.
    assert not Recommendation.objects.filter(recommender_name__icontains="their principal")
    assert Recommendation.objects.filter(recommender_person__isnull=False).exists()
    # Track records move by at least six points, the right way.
    for text in Application.objects.values_list("track_record", flat=True):
        a, b = (int(n) for n in re.findall(r"(\d+)%", text)[:2])
        if "up from" in text:
            b, a = a, b  # "{b}% ... up from {a}%"
        assert abs(b - a) >= 6, text
        assert (b < a) == ("fell" in text), text


@pytest.mark.django_db
def test_make_demo_prints_the_port_it_serves() -> None:
    out = StringIO()
    call_command(
        "demo",
        "--size",
        "demo",
        "--seed",
        "1",
        "--today",
        "2026-10-01",
        "--port",
        "8001",
        stdout=out,
    )
    assert "http://127.0.0.1:8001/" in out.getvalue() and ":8000" not in out.getvalue()


def test_nobody_in_the_demo_has_two_assignments_of_a_kind_at_once(demo: None) -> None:
    """A participant already coached got a second coaching assignment for their cohort (Jul 1
    beside Aug 1), with the same coach or another: a program's coaching fills only the days
    their coaching does not cover, with the same coach."""
    overlaps = []
    rows = Assignment.objects.order_by("assignee_id", "kind", "starts_on").values_list(
        "assignee_id", "kind", "starts_on", "ends_on", "supporter_id"
    )
    # The latest end so far of each person's assignments of a kind (None: open-ended).
    reach: dict[tuple[int, str], tuple[datetime.date | None, tuple[Any, ...]]] = {}
    for row in rows:
        key = (row[0], row[1])
        if key in reach:
            ends, earlier = reach[key]
            if ends is None or ends >= row[2]:
                overlaps.append((earlier, row))
            if ends is not None and (row[3] is None or row[3] > ends):
                reach[key] = (row[3], row)
        else:
            reach[key] = (row[3], row)
    assert not overlaps, overlaps[:5]
    # One coach through a participant's cohort.
    for p in Participant.objects.select_related("cohort"):
        coaches = set(
            Assignment.objects.filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=p.cohort.starts_on),
                kind="coaching",
                assignee_id=p.person_id,
                starts_on__lte=p.cohort.ends_on,
            ).values_list("supporter_id", flat=True)
        )
        assert len(coaches) <= 1, p


def test_the_demo_cycles_ask_their_programs_questions_once(demo: None) -> None:
    for cycle in SelectionCycle.objects.select_related("cohort__program"):
        texts = " ".join(q["text"] for q in cycle.questions)
        if cycle.cohort.program.name == "Teacher Leadership Fellowship":
            assert "lead a school" not in texts, texts
        else:
            assert "lead a school" in texts
        # The apply page says already that the principal is asked when they submit.
        assert "when you submit" not in cycle.instructions


@pytest.mark.django_db
def test_every_demo_viewers_attendance_figures_together_pin_no_small_count(
    demo: None,
) -> None:
    """Issue 12's walk (on this demo, late November) put two viewers' pages together (the
    analyst's and a supervisor's caseload, the analyst's and a principal's own school) and
    pinned "fewer than 5" cells.
    Every demo account that reaches attendance: each figure any of them is shown, every
    relation any of their pages shows, and still no small withheld count has one value (by
    the linear programmes of `pinned`, over what all of them are shown together)."""
    from tests.attendance.viewers import chronic_figures, morning_figures, together
    from trellis.core.suppression import pinned

    viewers = [
        user
        for user in User.objects.filter(email__endswith="@riverbend.example").order_by("email")
        if attendance_selectors.attendance_reach(user).school_ids
    ]
    assert len(viewers) >= 5
    checks: list[tuple[str, Any]] = [
        ("chronic_counted", chronic_figures),
        ("chronic_absent", chronic_figures),
        ("enrolled", morning_figures),
        ("absent", morning_figures),
    ]
    for (measure, read), day in itertools.product(checks, DAYS):
        values, hidden, relations = together(read, viewers, day, measure)
        assert not pinned(values, relations, hidden), (measure, day)
