"""The demo district as built (seed 1, today 2026-10-01): each capability's demo data holds
together and the demo's roles have something real to do. One module, so that `make test`'s
workers (--dist loadfile) build the demo once for all of it (tests/demo/conftest.py)."""

from __future__ import annotations

import datetime
import io
import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q
from django.test import Client
from django.utils import timezone

from tests.rosters.test_history import run
from tests.test_school_counts import TODAY as NOON
from tests.test_school_counts import assert_rollups_match
from trellis.accounts.models import User
from trellis.assignments.models import Assignment
from trellis.assignments.selectors import active_q
from trellis.attendance import selectors as attendance_selectors
from trellis.attendance.models import (
    AttendanceEvent,
    CalendarDay,
    DailySchoolAttendance,
    FamilyContact,
)
from trellis.attendance.selectors import attendance_report
from trellis.coaching import selectors as coaching_selectors
from trellis.coaching.models import (
    ClassroomVisit,
    CoachingSession,
    NextStep,
    Protocol,
    SchoolNeedProfile,
    SupportTier,
)
from trellis.coaching.selectors import caseload_rows
from trellis.demo.generator import DEMO_PASSWORD, SIZES, DemoResult
from trellis.evaluations.models import Evaluation, EvaluationCycle
from trellis.learning.models import Community, Cycle, Meeting, PDSession, Registration
from trellis.orgs.models import School
from trellis.people.models import Person, Position, PositionKind
from trellis.people.selectors import current_positions
from trellis.programs.models import Cohort, Participant, Placement, Program
from trellis.ratings.models import Rating, RatingRound
from trellis.rosters.models import ImportRun
from trellis.selection.models import Application, Decision, Interview, SelectionCycle
from trellis.students.models import SchoolEnrolment, SchoolGradeCount, Student
from trellis.surveys.impact import impact_report
from trellis.surveys.models import Administration, Submission

TODAY = datetime.date(2026, 10, 1)


# -------------------- assignments -----------------------------------------------------------
# Issue 8: the demo's coach, supervisor and program manager see their assignees.


def signed_in(local: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"{local}@riverbend.example"))
    return client


def test_demo_roles_see_their_assignees_and_nothing_else(demo: DemoResult) -> None:
    coach = User.objects.get(email="coach@riverbend.example")
    supervisor = User.objects.get(email="supervisor@riverbend.example")
    principal = User.objects.get(email="principal@riverbend.example")
    # In force when the page is asked (the programs' coaching of this year's cohort included).
    coachees = set(
        Assignment.objects.filter(active_q(timezone.localdate()))
        .filter(supporter=coach.person, kind="coaching")
        .values_list("assignee_id", flat=True)
    )
    assert principal.person_id in coachees and len(coachees) >= 3
    people = len(signed_in("coach").get("/people/").context["object_list"])
    assert people == len(coachees) + 1  # and their own record
    page = signed_in("coach").get(f"/people/{principal.person_id}/ratings/")
    assert page.status_code == 200 and page.context["ratings"]

    caseloads = signed_in("supervisor").get("/assignments/caseloads/").context
    mine = [c for c in caseloads["caseloads"] if c.supporter.pk == supervisor.person_id]
    assert mine and principal.person_id in {a.assignee_id for a in mine[0].assignments}
    assert caseloads["unassigned"], "some principals of the network have no supervisor"
    assert signed_in("programs").get("/assignments/").status_code == 200
    # Someone the coach does not coach: 404.
    other = Assignment.objects.filter(kind="supervision").exclude(assignee_id__in=coachees).first()
    assert other is not None
    assert signed_in("coach").get(f"/people/{other.assignee_id}/").status_code == 404


# -------------------- attendance ------------------------------------------------------------
# The demo district's attendance: a year's calendar and realistic days up to today.


@pytest.mark.django_db
def test_demo_attendance_has_a_year_of_calendar_and_realistic_mornings(demo: DemoResult) -> None:
    result = demo
    counts = result.counts
    assert counts["transfers"] > 0 and counts["homerooms"] > 100
    per_school = (
        CalendarDay.objects.filter(school__system=result.system).values("school").distinct()
    )
    assert per_school.count() == 12
    # This school year's (the demo also loads the year before, for the impact report).
    days = CalendarDay.objects.filter(
        school=result.system.schools.first(), date__gte=datetime.date(2026, 7, 1)
    )
    assert 170 <= days.count() <= 185  # the whole school year, breaks left out
    assert not days.filter(date=datetime.date(2026, 9, 7)).exists()  # Labor Day
    report = attendance_report(result.system, TODAY)
    system = report["system"]
    assert system["enrolled"] > 5000
    assert 2 < system["absence_rate_pct"] < 20
    # Late teachers and a morning still in progress: not every class is on time.
    assert 50 < system["on_time_rate_week_pct"] < 100
    assert system["chronic_absent"] > 0 and 2 < system["chronic_absence_rate_pct"] < 25
    today = DailySchoolAttendance.objects.filter(date=TODAY)
    assert today.count() == 12
    assert sum(r.expected_submissions - r.submitted for r in today) > 0
    # Transfers: students with two windows, counted at each school for their days there.
    assert SchoolEnrolment.objects.filter(source="sis", exit_date__isnull=False).exists()
    # Mondays are worse than Wednesdays, and the flu week (three weeks back) worst of all.
    rates: dict[datetime.date, float] = {}
    this_year = DailySchoolAttendance.objects.filter(date__gte=datetime.date(2026, 7, 1))
    for day in sorted({r.date for r in this_year}):
        rows = DailySchoolAttendance.objects.filter(date=day)
        rates[day] = sum(r.absent for r in rows) / max(1, sum(r.enrolled for r in rows))
    flu = {datetime.date(2026, 9, 7) + datetime.timedelta(days=d) for d in range(5)}

    def mean(days: list[datetime.date]) -> float:
        return sum(rates[d] for d in days) / len(days)

    mondays = [d for d in rates if d.weekday() == 0 and d not in flu]
    wednesdays = [d for d in rates if d.weekday() == 2 and d not in flu]
    assert mean(mondays) > mean(wednesdays)
    assert mean([d for d in rates if d in flu]) > 1.5 * mean(wednesdays)
    assert AttendanceEvent.objects.filter(category="tardy").exists()
    out = io.StringIO()
    call_command(
        "attendance_report", system="riverbend", date=TODAY.isoformat(), format="json", stdout=out
    )
    assert json.loads(out.getvalue())["system"] == system


@pytest.mark.django_db
def test_demo_principals_have_alerts_of_the_day_before_on_their_home_page(demo: DemoResult) -> None:
    from django.test import Client

    from trellis.attendance.models import AttendanceAlert

    result = demo
    assert result.counts["attendance_alerts"] > 0
    late = AttendanceAlert.objects.filter(kind=AttendanceAlert.Kind.NOT_SUBMITTED)
    # The days before: their deadline passed; the last day's (08:45) is still to come.
    assert late.exists() and not late.filter(date=TODAY).exists()
    alert = late.select_related("recipient").first()
    assert alert is not None
    client = Client()
    client.force_login(alert.recipient)
    assert "Attendance alerts" in client.get("/").content.decode()


# -------------------- coaching --------------------------------------------------------------
# The demo's coaching: three school years of sessions on the caseloads, with next steps and
# protocols, and realistic gaps (someone not seen for weeks).


@pytest.mark.django_db
def test_demo_coaching_has_three_years_next_steps_protocols_and_gaps(demo: DemoResult) -> None:
    result = demo
    sessions = CoachingSession.objects.filter(system=result.system)
    span = sessions.aggregate(first=Min("held_on"), last=Max("held_on"))
    assert span["first"] <= datetime.date(2024, 9, 30) and span["last"] <= TODAY
    years = {d.year for d in sessions.values_list("held_on", flat=True)}
    assert {2024, 2025, 2026} <= years
    assert result.counts["coaching sessions"] == sessions.count() > 100
    assert NextStep.objects.filter(session__system=result.system, done_on__isnull=True).exists()
    assert NextStep.objects.filter(session__system=result.system, done_on__isnull=False).exists()
    assert Protocol.objects.filter(system=result.system).count() == 2
    assert sessions.filter(protocol__system__isnull=True).exists()
    assert sessions.filter(focus__isnull=False).exists()
    assert sessions.filter(mode="walkthrough", coach__account__email="supervisor@riverbend.example")
    # Every session was held on the coach's caseload that day.
    for session in sessions.select_related("assignment")[:200]:
        a = session.assignment
        assert a.supporter_id == session.coach_id and a.assignee_id == session.coachee_id
        assert a.starts_on <= session.held_on and (
            a.ends_on is None or session.held_on <= a.ends_on
        )
    coach = User.objects.get(email="coach@riverbend.example")
    with time_machine.travel(TODAY, tick=False):
        rows = caseload_rows(coach)
        assert rows and any(row.not_seen for row in rows)  # a gap: not seen for weeks
        assert any(not row.not_seen for row in rows)
        client = Client()
        client.force_login(coach)
        home = client.get("/").content.decode()
        assert 'id="caseload-coaching-h"' in home and "not seen" in home
        assert client.get("/coaching/").status_code == 200


@pytest.mark.django_db
def test_demo_has_linked_videos_of_practice_with_time_stamped_comments(demo: DemoResult) -> None:
    from trellis.coaching.models import PracticeVideo, VideoComment

    result = demo
    videos = PracticeVideo.objects.filter(system=result.system).select_related("session")
    assert 3 <= videos.count() == result.counts["videos of practice"]
    for video in videos:
        assert video.link.startswith("https://") and not video.file  # links, no files
        assert video.session is not None
        assert (video.coach_id, video.coachee_id) == (
            video.session.coach_id,
            video.session.coachee_id,
        )
    comments = VideoComment.objects.filter(video__system=result.system)
    assert comments.count() == result.counts["video comments"] >= 2 * videos.count()
    assert set(comments.values_list("author_id", flat=True)) >= set(
        videos.values_list("coachee_id", flat=True)
    )
    assert comments.filter(competencies__isnull=False).exists()
    # The demo coach watches theirs; the administrator reads none of them.
    coach = Client()
    coach.force_login(User.objects.get(email="coach@riverbend.example"))
    mine = videos.filter(coach__account__email="coach@riverbend.example").first()
    assert mine is not None
    page = coach.get(f"/coaching/videos/{mine.pk}/")
    assert page.status_code == 200 and mine.title in page.content.decode()
    admin = Client()
    admin.force_login(User.objects.get(email="admin@riverbend.example"))
    assert admin.get(f"/coaching/videos/{mine.pk}/").status_code == 403


# -------------------- contacts --------------------------------------------------------------
# The demo district's family contacts: most families called after their child's Nth absence,
# some not, some follow-ups due: today's worklist and contact rates are realistic.


def test_demo_family_contacts_make_a_realistic_worklist(demo: DemoResult) -> None:
    result = demo
    assert result.counts["family_contacts"] > 100
    contacts = FamilyContact.objects.filter(system=result.system)
    assert contacts.count() == result.counts["family_contacts"]
    assert {c for c in contacts.values_list("method", flat=True).distinct()} == set(
        FamilyContact.Method.values
    )
    assert contacts.filter(follow_up_on__isnull=False).exists()
    assert not contacts.filter(contacted_on__gt=TODAY).exists()
    principal = User.objects.get(email="principal@riverbend.example")
    (school_id,) = attendance_selectors.student_school_ids(principal)
    school = attendance_selectors.attendance_school_get(principal, school_id)
    entries = attendance_selectors.worklist(school, TODAY)
    assert 3 <= len(entries) <= 200
    assert any(e.state.needs_call for e in entries)
    _rows, total = attendance_selectors.contact_rates(principal, TODAY)
    assert total.rate is not None and 40 < total.rate < 95
    chronic = attendance_selectors.chronic(principal, TODAY)
    assert chronic.total.rate is not None and chronic.trend and chronic.grades


def test_each_demo_contact_is_logged_by_staff_who_may_log_the_schools_contacts(
    demo: DemoResult,
) -> None:
    """The demo's "Logged by" is never empty: the principal logs their own school's contacts;
    a school without its own staff among the demo's accounts has them logged by the district's
    account that may log contacts at every school (the administrator); nobody logs a contact
    at a school where they may not."""
    from django.db.models import Count

    from trellis.orgs.models import School

    result = demo
    contacts = FamilyContact.objects.filter(system=result.system)
    assert contacts.exists()
    assert not contacts.filter(logged_by__isnull=True).exists()
    principal = User.objects.get(email="principal@riverbend.example")
    admin = User.objects.get(email="admin@riverbend.example")
    (own,) = attendance_selectors.student_school_ids(principal)
    assert set(contacts.filter(school_id=own).values_list("logged_by", flat=True)) == {principal.pk}
    others = contacts.exclude(school_id=own)
    assert others.exists()
    assert set(others.values_list("logged_by", flat=True)) == {admin.pk}
    may = attendance_selectors.student_school_ids(admin)
    assert set(contacts.values_list("school_id", flat=True)) <= may
    assert School.objects.filter(system=result.system).count() == len(may)
    # The page, the export and the API show them by name (the principal's staff record).
    first = contacts.filter(school_id=own).select_related("logged_by__person").first()
    assert first is not None and first.logged_by_name == principal.person.full_name
    assert contacts.values("logged_by").annotate(n=Count("pk")).count() == 2


# -------------------- evaluations -----------------------------------------------------------
# The demo's evaluation cycles: a principal evaluation in each of three school years, the
# earlier ones complete and acknowledged, this year's in progress with one overdue.


@pytest.mark.django_db
def test_demo_evaluation_cycles(demo: DemoResult) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 12), tick=False):
        result = demo
        cycles = EvaluationCycle.objects.filter(system=result.system)
        assert sorted(cycles.values_list("school_year", flat=True)) == [
            "2024-25",
            "2025-26",
            "2026-27",
        ]
        evaluations = Evaluation.objects.filter(cycle__system=result.system)
        past = evaluations.exclude(cycle__school_year="2026-27")
        assert past.exists() and all(e.stage == "complete" for e in past)
        assert past.exclude(response="").exists()
        assert not RatingRound.objects.filter(evaluation__in=past).exclude(state="locked").exists()
        assert Rating.objects.filter(round__evaluation__in=past, purpose="evaluation").exists()
        current = evaluations.filter(cycle__school_year="2026-27")
        assert current.filter(stage="goals").exists()
        overdue = [e for e in current if e.due_on and e.due_on < TODAY]
        principal = User.objects.get(email="principal@riverbend.example")
        assert [e.evaluatee_id for e in overdue] == [principal.person_id]
        # The supervisor's home shows the overdue evaluation; the principal's asks for it.
        supervisor = Client()
        supervisor.force_login(User.objects.get(email="supervisor@riverbend.example"))
        home = supervisor.get("/").content.decode()
        assert "Evaluations you conduct" in home and "1 overdue" in home
        own = Client()
        own.force_login(principal)
        home = own.get("/").content.decode()
        assert "your self-assessment is asked" in home
        assert own.get(f"/evaluations/{overdue[0].pk}/").status_code == 200
        # An evaluatee without an account (no rater of their evaluation's round) has no
        # self-assessment: they could not have done it online. Their completed evaluations were
        # acknowledged on paper.
        from trellis.ratings.models import RoundRater

        online = RoundRater.objects.filter(round__evaluation__in=evaluations).values_list(
            "round__evaluation", "rater__person_id"
        )
        evaluatee_of = {e.pk: e.evaluatee_id for e in evaluations}
        takes_part = {
            pk
            for pk, person in online
            if person == evaluatee_of[pk]  # the evaluatee rates (the evaluator rates too)
        }
        offline = [e for e in evaluations if e.pk not in takes_part]
        assert offline, "the demo has evaluatees without an account"
        for e in offline:
            assert e.self_assessed_at is None, e
            assert not Rating.objects.filter(round=e.round, purpose="self_assessment").exists()
            if e.acknowledged_at is not None:
                assert e.acknowledged_on_paper, e
        assert any(e.acknowledged_on_paper for e in offline)
        assert not any(e.acknowledged_on_paper for e in evaluations if e.pk in takes_part)


# -------------------- learning --------------------------------------------------------------
# The demo's professional learning: three school years of sessions with registrations,
# waiting lists and attendance; PLCs with cycles and meetings; leadership teams' meetings.


@pytest.mark.django_db
def test_demo_learning_has_three_years_waitlists_attendance_and_communities(
    demo: DemoResult,
) -> None:
    result = demo
    sessions = PDSession.objects.filter(system=result.system)
    years = {s.year for s in sessions.values_list("starts_at", flat=True)}
    assert {2024, 2025, 2026} <= years
    assert result.counts["pd_sessions"] == sessions.count() > 100
    assert sessions.filter(school__isnull=False).exists()
    assert sessions.filter(program__isnull=False).exists()
    registrations = Registration.objects.filter(session__system=result.system)
    assert registrations.filter(status="waitlisted").exists()
    attended = registrations.filter(attended_at__isnull=False)
    assert attended.filter(checked_in_via="code").exists()
    assert attended.filter(checked_in_via="list").exists()
    # Never more seats than the room, nor attendance of a session still to come.
    for session in sessions[:60]:
        assert session.registrations.filter(status="confirmed").count() <= session.capacity
    assert not attended.filter(session__starts_at__date__gt=TODAY).exists()
    # Registered before today (the walk found sign-ups dated weeks ahead), in the order the
    # seats were given: everyone seated registered before everyone waiting.
    assert not registrations.filter(registered_at__date__gt=TODAY).exists()
    for session in sessions.filter(registrations__status="waitlisted").distinct()[:30]:
        seated = session.registrations.filter(status="confirmed").aggregate(Max("registered_at"))
        waiting = session.registrations.filter(status="waitlisted").aggregate(Min("registered_at"))
        assert seated["registered_at__max"] < waiting["registered_at__min"], session.title
    assert Cycle.objects.filter(community__system=result.system).exists()
    leadership = Meeting.objects.filter(
        community__system=result.system, community__kind=Community.Kind.LEADERSHIP
    )
    assert leadership.exclude(decisions="").exists()
    assert Meeting.objects.filter(community__kind="plc", attendees__isnull=False).exists()
    teacher = User.objects.get(email="teacher@riverbend.example")
    assert teacher.person_id is not None
    mine = registrations.filter(person_id=teacher.person_id)
    certificate = mine.filter(attended_at__isnull=False).order_by("-session__starts_at").first()
    assert certificate is not None
    with time_machine.travel(TODAY, tick=False):
        client = Client()
        client.force_login(teacher)
        page = client.get(f"/learning/certificates/{certificate.pk}/")
        assert page.status_code == 200 and "Certificate of attendance" in page.content.decode()
        assert client.get("/learning/?when=upcoming").status_code == 200
        assert "Professional learning" in client.get("/").content.decode()


def test_the_demo_communities_have_distinct_names(demo: DemoResult) -> None:
    """The walk of issue 11 found four communities of one name in the list."""
    from django.db.models import Count

    names = Community.objects.filter(system=demo.system).values("name")
    assert names.count() > 10
    assert not names.annotate(n=Count("pk")).filter(n__gt=1).exists()


# -------------------- oneroster_bundle ------------------------------------------------------
# Item 16 of the repairs issue: the bundle `demo --oneroster-out` writes describes the demo.


def test_item16_the_demo_bundle_describes_the_demo_and_changes_nothing(
    demo: DemoResult, tmp_path: Path
) -> None:
    """The bundle `demo --oneroster-out` wrote used to soft-delete every person and student of
    the demo it came from and rename its schools."""
    folder = tmp_path / "demo-bundle"
    call_command("demo", "--oneroster-out", str(folder), "--today", "2026-10-01", stdout=StringIO())
    system = demo.system
    people = Person.objects.filter(system=system, is_active=True).count()
    students = Student.objects.filter(system=system, is_active=True).count()
    result = run(system, folder)
    assert result.status == ImportRun.Status.DONE, result.errors
    assert result.total_changes == 0, result.summary
    assert result.summary["people"]["active_before"] == people
    assert result.summary["students"]["active_before"] == students
    assert Person.objects.filter(system=system, is_active=True).count() == people
    # Every ended position of the demo has a reason.
    assert not Position.objects.filter(system=system, ends_on__isnull=False, end_reason="").exists()


# -------------------- programs --------------------------------------------------------------
# The demo's programs: history for analytics, a cohort in selection now, and something real
# for the program manager to do.


@pytest.mark.django_db
def test_demo_programs_have_history_placements_and_a_cohort_in_selection(demo: DemoResult) -> None:
    programs = list(Program.objects.order_by("name"))
    assert len(programs) == 2
    assert {p.owner_partner is not None for p in programs} == {True, False}
    for program in programs:
        states = list(program.cohorts.order_by("school_year").values_list("state", flat=True))
        # Three completed cohorts, this school year's under way, next year's in selection.
        assert states == ["completed", "completed", "completed", "active", "selection"]
        selection = program.cohorts.get(state=Cohort.State.SELECTION)
        assert selection.starts_on > TODAY
        assert Participant.objects.filter(cohort__program=program).count() >= 15
    placements = Placement.objects.select_related("position", "participant__cohort")
    assert placements.exists()
    for placement in placements:
        # Each placement became a position of the person, named after its program and cohort.
        assert placement.position.person_id == placement.participant.person_id
        assert placement.position.starts_on == placement.starts_on
        assert placement.participant.cohort.name in placement.position.title
    # A principal placed at a school follows the one who retired the day before, and no
    # school receives two (the walk found a school with five principals).
    placed = placements.filter(role=PositionKind.PRINCIPAL)
    assert placed.exists()
    assert max(Counter(placed.values_list("school_id", flat=True)).values()) == 1
    for placement in placed:
        in_force = Position.objects.filter(
            kind=PositionKind.PRINCIPAL, school_id=placement.school_id
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=placement.starts_on))
        in_force = in_force.filter(starts_on__lte=placement.starts_on)
        assert list(in_force.values_list("pk", flat=True)) == [placement.position_id]

    manager = User.objects.get(email="programs@riverbend.example")
    assert set(manager.grants.exclude(program=None).values_list("program__name", flat=True)) == {
        p.name for p in programs
    }
    client = Client()
    client.force_login(manager)
    listing = client.get("/programs/").content.decode()
    assert all(p.name in listing for p in programs)
    # Cohorts of six: the completion rates are shown, as a table beside the chart. (In this
    # seed's demo every rate of one program is withheld by complementary suppression, so it
    # draws no chart; the other program's are shown.)
    figures = [client.get(f"/programs/{p.pk}/dashboard/").content.decode() for p in programs]
    assert all("Completion rate" in page for page in figures)
    assert any("%" in page and "data-vega-spec" in page for page in figures)


@pytest.mark.django_db
def test_demo_leader_and_analyst_reach_the_partners_fellowship(demo: DemoResult) -> None:
    """The browser walk found the partner's fellowship (/programs/2/) a 404 for the district's
    leader: it serves their system, so they see it; the analyst reads its figures."""
    fellowship = Program.objects.get(owner_partner__isnull=False)
    cohort = fellowship.cohorts.filter(state=Cohort.State.COMPLETED).first()
    assert cohort is not None
    leader = Client()
    leader.force_login(User.objects.get(email="leader@riverbend.example"))
    assert leader.get(f"/programs/{fellowship.pk}/").status_code == 200
    assert leader.get(f"/programs/cohorts/{cohort.pk}/").status_code == 200
    assert leader.get(f"/programs/{fellowship.pk}/edit/").status_code == 403
    analyst = Client()
    analyst.force_login(User.objects.get(email="analyst@riverbend.example"))
    assert analyst.get(f"/programs/{fellowship.pk}/dashboard/").status_code == 200
    assert analyst.get(f"/programs/cohorts/{cohort.pk}/dashboard/").status_code == 200


# -------------------- school_counts ---------------------------------------------------------
# Item 29 of the repairs issue: the roll-ups equal a direct count after the demo build.


def test_rollups_after_the_demo_build(demo: DemoResult) -> None:
    with time_machine.travel(NOON, tick=False):
        assert_rollups_match(demo.system.pk)
        assert sum(SchoolGradeCount.objects.values_list("students", flat=True)) == (
            Student.objects.filter(is_active=True).count()
        )


# -------------------- selection -------------------------------------------------------------
# The demo's selection history (trellis/demo/selection.py): every past cohort was chosen by a
# cycle whose admitted applicants are its participants, interviewed and decided, letters sent;
# the cohort in selection now takes applications, and the demo's roles have something to do.


def test_the_demo_has_a_selection_history_and_a_cycle_open_now(demo: DemoResult) -> None:
    result = demo
    assert result.counts["applications"] > 40 and result.counts["interviews"] > 20
    cohorts = list(Cohort.objects.select_related("selection_cycle"))
    assert cohorts and all(hasattr(c, "selection_cycle") for c in cohorts)
    for cohort in cohorts:
        cycle = cohort.selection_cycle
        decisions = Decision.objects.filter(application__cycle=cycle)
        if cohort.state == Cohort.State.SELECTION:
            assert cycle.opens_on < TODAY < cycle.closes_on
            assert not decisions.exists()
            assert Application.objects.filter(cycle=cycle).count() >= 8
            continue
        assert cycle.closes_on < cohort.starts_on
        admitted = set(
            decisions.filter(outcome="admit").values_list("application__applicant_id", flat=True)
        )
        assert admitted == set(
            Participant.objects.filter(cohort=cohort).values_list("person_id", flat=True)
        )
        assert decisions.exclude(outcome="admit").exists()
        assert not decisions.filter(letter_sent_at__isnull=True).exists()
        rounds = RatingRound.objects.filter(
            pk__in=Interview.objects.filter(application__cycle=cycle).values("round_id")
        )
        assert rounds.exists() and not rounds.exclude(state=RatingRound.State.LOCKED).exists()
    # The roles have something real to do: the chair reads a slate, the interviewer an
    # applicant, the teacher their own application.
    current = SelectionCycle.objects.filter(cohort__state=Cohort.State.SELECTION).first()
    assert current is not None

    def client(local: str) -> Client:
        c = Client()
        assert c.login(email=f"{local}@riverbend.example", password=DEMO_PASSWORD)
        return c

    slate = client("programs").get(f"/selection/{current.pk}/")
    assert slate.status_code == 200 and "Ranked slate" in slate.content.decode()
    interviewer = User.objects.get(email="interviewer@riverbend.example")
    panel = Interview.objects.filter(round__raters__rater=interviewer, round__state="open").first()
    assert panel is not None
    teacher = User.objects.get(email="teacher@riverbend.example")
    own = Application.objects.get(cycle=current, applicant_id=teacher.person_id)
    assert client("teacher").get(f"/selection/applications/{own.pk}/").status_code == 200


# -------------------- sizes -----------------------------------------------------------------
# The demo has the product's sizes and three years of history.


def test_demo_has_the_product_sizes_and_history(demo: DemoResult) -> None:
    size = SIZES["demo"]
    result = demo
    assert result.created
    assert School.objects.count() == size.schools
    staff = current_positions(TODAY).values("person_id").distinct().count()
    assert abs(staff - size.staff) / size.staff < 0.1
    assert abs(Student.objects.count() - size.students) / size.students < 0.1
    # Three years of history: people who left, and principals who were assistant principals.
    assert Person.objects.filter(is_active=False).exists()
    assert Position.objects.filter(ends_on__isnull=False, ends_on__lt=TODAY).count() > 50
    assert Position.objects.filter(starts_on__lt=datetime.date(2024, 8, 1)).exists()


# -------------------- support ---------------------------------------------------------------
# The demo's differentiated support and classroom visits: need profiles and tiers, visits this
# school year, and realistic gaps (a supervisor over the ratio of 5, a school under its dosage,
# principals below the instructional-leadership goal).


@pytest.mark.django_db
def test_demo_support_has_profiles_tiers_visits_and_gaps(demo: DemoResult) -> None:
    with time_machine.travel(datetime.datetime(2026, 10, 1, 18, 0), tick=False):
        result = demo
        system = result.system
        assert SupportTier.objects.filter(system=system).count() == 3
        profiles = SchoolNeedProfile.objects.filter(system=system)
        assert profiles.count() == 12
        assert profiles.filter(attendance_rate__isnull=False).exists()  # from the roll-ups
        visits = ClassroomVisit.objects.filter(system=system)
        assert visits.count() == result.counts["classroom visits"] > 100
        # Every visit is to someone at the visitor's school that day.
        for v in visits.select_related("teacher")[:100]:
            assert v.teacher.positions.filter(school=v.school).exists()
        active = Q(ends_on__isnull=True) | Q(ends_on__gte=TODAY)
        loads = (
            Assignment.objects.filter(
                active, system=system, kind="supervision", starts_on__lte=TODAY
            )
            .values("supporter_id")
            .annotate(n=Count("assignee_id", distinct=True))
        )
        assert max(row["n"] for row in loads) > 5  # a supervisor over the ratio
        leader = User.objects.get(email="leader@riverbend.example")
        rows = coaching_selectors.dosage_report(
            leader, start=datetime.date(2026, 9, 1), end=datetime.date(2026, 9, 30)
        )
        assert any(r.under for r in rows) and any(not r.under for r in rows)
        principal = User.objects.get(email="principal@riverbend.example")
        _, il_rows = coaching_selectors.leadership_rows(principal, end=TODAY)
        assert il_rows and il_rows[0].weeks_at_goal >= 1
        supervisor = User.objects.get(email="supervisor@riverbend.example")
        _, sup_rows = coaching_selectors.leadership_rows(supervisor, end=TODAY)
        assert any(r.weeks_at_goal < len(r.minutes) for r in sup_rows)
        # A framework of classroom practice is designated: the look-fors come from it (not the
        # teacher-leader competencies), on the form and in the visits logged.
        designated = coaching_selectors.classroom_framework(system.pk)
        assert designated is not None and designated.kind == "standards"
        teacher = visits.select_related("teacher").first().teacher  # type: ignore[union-attr]
        offered = coaching_selectors.look_fors(principal, teacher)
        assert offered.designated and offered.version is not None
        assert offered.version.framework_id == designated.pk and len(offered.items) >= 5
        used = ClassroomVisit.look_fors.through.objects.filter(classroomvisit__system=system)
        assert used.exists()
        assert not used.exclude(frameworkitem__version__framework=designated).exists()


# -------------------- surveys ---------------------------------------------------------------
# The demo's three years of surveys and assessments (trellis/demo/learning.py) give an impact
# report with realistic change, and the demo's leader and analyst open it.


def test_the_demo_has_three_years_of_surveys_with_realistic_change(demo: DemoResult) -> None:
    result = demo
    years = sorted(set(Administration.objects.values_list("school_year", flat=True)))
    # Three years surveyed, and this year's PD satisfaction form open for web answers.
    assert years == [2024, 2025, 2026, 2027]
    # Anonymous administrations name nobody; the knowledge assessment names its teachers.
    assert not Submission.objects.filter(
        administration__anonymous=True, person__isnull=False
    ).exists()
    report = impact_report(system=result.system, year=2026)
    conditions = report["conditions"]
    assert conditions["schools_rated_both"] == result.counts["schools"]
    assert conditions["improved_pct"] > 50
    assert conditions["at_target_eoy_pct"] >= conditions["at_target_boy_pct"]
    assert report["beliefs"]["pct_schools_decreased"] > 50
    for subject in ("ela", "math"):
        growth = report["knowledge"][subject]
        assert growth["n"] == 40
        assert 5 < growth["mean_change"] < 20
        assert growth["ci95_low"] < growth["mean_change"] < growth["ci95_high"]
    assert 50 < report["satisfaction"]["pct_favorable"] <= 100
    # Use of new practice: the participants' progress ratings of 2025-26, most rising.
    practice = report["practice"]
    assert practice["people_rated_twice"] >= 8
    assert practice["pct_improved"] > 50 and practice["mean_change"] > 0
    # ...and its schools are listed with their small ones withheld, none recoverable from the
    # report's total (imp4, S1: 11 people, one school of 6 and five "fewer than 5" gave each of
    # the five back as 1 when the 6 was shown; now it is "not shown" too).
    from tests.surveys.test_impact_imp4 import recoverable
    from trellis.surveys.impact import impact_schools

    _columns, rows = impact_schools(system=result.system, year=2026, program=None, level="practice")
    cells = [row.cells[0] for row in rows]
    assert rows and any(not c.isdigit() for c in cells)
    assert recoverable(practice["people_rated_twice"], cells, 5) == [], cells
    # Reach: the fellows lead teams of colleagues (teachers), whose homerooms hold students
    # (the class rosters of that year, since dropped by the SIS but dated).
    reach = report["reach"]
    assert reach["teacher_leaders"] >= 5
    assert reach["teachers"] >= 10
    assert reach["students"] >= 100
    this_year = impact_report(system=result.system, year=2027)["reach"]
    assert this_year["teachers"] >= 10 and this_year["students"] >= 100
    # Student outcomes: this school year (2026-27, under way) against the one before, whose
    # attendance the demo loads too; the year list reaches this school year (its cohort).
    from trellis.surveys.selectors import impact_years

    assert impact_years(result.system, today=TODAY) == [2027, 2026, 2025, 2024]
    # The demo holds the attendance of the two years before this one: the last year surveyed
    # (2025-26) and this year each compare two years, absence falling.
    for year in (2026, 2027):
        outcomes = impact_report(system=result.system, year=year)["outcomes"]
        for when in ("previous_year", "this_year"):
            assert 1 < outcomes[when]["absence_rate_pct"] < 15, (year, when)
            assert outcomes[when]["chronic_absence_pct"] is not None, (year, when)
        assert outcomes["absence_rate_change_pts"] < 0, year
    # The page opens on the last year surveyed; this year is one choice away.
    client = Client()
    assert client.login(email="leader@riverbend.example", password=DEMO_PASSWORD)
    page = client.get("/impact/?system=riverbend").content.decode()
    assert "Impact report: Riverbend Public Schools, 2025-26" in page
    assert '<option value="2027">2026-27</option>' in page
    for local in ("leader", "analyst"):
        client = Client()
        assert client.login(email=f"{local}@riverbend.example", password=DEMO_PASSWORD)
        page = client.get("/impact/?system=riverbend&year=2026")
        assert page.status_code == 200 and "School conditions" in page.content.decode()


def test_the_demo_report_has_session_satisfaction_and_consensus_ratings(
    demo: DemoResult,
) -> None:
    """Branch learn8: the demo gives the satisfaction survey to the attendees of six sessions of
    2025-26 (the smallest with fewer than 5 answers: withheld), three schools' leadership teams
    rate their conditions by consensus, and facilitators report the students of team members
    whose classes are on no roster; the report shows all three."""
    report = impact_report(system=demo.system, year=2026)
    sessions = report["satisfaction"]["by_session"]
    assert len(sessions) == 6
    withheld = [e for e in sessions if e["pct_favorable"] is None]
    assert len(withheld) == 1
    assert withheld[0]["pct_favorable_reason"] == "fewer than 5 respondents answered"
    assert all(40 < e["pct_favorable"] <= 100 for e in sessions if e not in withheld)
    conditions = report["conditions"]
    assert conditions["schools_by_consensus_boy"] == conditions["schools_by_consensus_eoy"] == 3
    assert sum("consensus" in e for e in conditions["by_school"]) == 3
    # Reach: team members whose classes no roster holds count with the students reported for
    # them, and the figure says so.
    reach = report["reach"]
    assert reach["students_includes_reported"] is True
    assert reach["students_label"] == "including reported counts where no roster exists"
    client = Client()
    assert client.login(email="leader@riverbend.example", password=DEMO_PASSWORD)
    page = client.get("/impact/?system=riverbend&year=2026").content.decode()
    assert f"Favourable answers, session “{sessions[0]['session']}”" in page
    assert "Students (including reported counts where no roster exists)" in page


def test_the_demo_shows_what_its_figures_do(demo: DemoResult) -> None:
    """Branch learn3: the satisfaction drill-down has schools with figures (5 or more
    respondents), knowledge changes are plausible (most improve, a few do not, no one swings
    from all right to all wrong), and a survey is open for the demo's teacher leader to answer
    on the web, without moving the year the report opens on."""
    import time_machine

    from trellis.accounts.models import User
    from trellis.surveys.impact import Scope, impact_schools, knowledge_changes
    from trellis.surveys.selectors import administrations_to_answer

    result = demo
    system = result.system
    for year in (2024, 2025, 2026):
        _columns, rows = impact_schools(
            system=system, year=year, program=None, level="satisfaction"
        )
        shown = [int(r.cells[0]) for r in rows if r.cells[0].isdigit()]
        assert shown and min(shown) >= 5, year
        assert any(r.cells[0] == "fewer than 5" for r in rows), year  # suppression kept
        for subject, entries in knowledge_changes(Scope(system, year, None)).items():
            changes = [change for _person, change, _school in entries]
            improved = sum(c > 0 for c in changes) / len(changes)
            fell = sum(c < 0 for c in changes) / len(changes)
            assert improved > 0.5, (year, subject, improved)
            assert fell <= 0.15 and improved < 1, (year, subject, fell)
            assert max(abs(c) for c in changes) <= 50, (year, subject)
    teacher = User.objects.get(email="teacher@riverbend.example")
    forms = administrations_to_answer(teacher, TODAY)
    assert [(a.instrument.measures, a.window, a.school_year, s) for a, s in forms] == [
        ("satisfaction", "moy", 2027, "not started")
    ]
    with time_machine.travel(datetime.datetime(2026, 10, 1, 16, tzinfo=datetime.UTC)):
        client = Client()
        assert client.login(email="teacher@riverbend.example", password=DEMO_PASSWORD)
        home = client.get("/").content.decode()
        url = f"/surveys/administrations/{forms[0][0].pk}/respond/"
        assert "Surveys to answer" in home and f'href="{url}"' in home
        assert client.get(url).status_code == 200
        leader = Client()
        assert leader.login(email="leader@riverbend.example", password=DEMO_PASSWORD)
        page = leader.get("/impact/?system=riverbend").content.decode()
        assert "Impact report: Riverbend Public Schools, 2025-26" in page


def test_the_readme_does_not_call_professional_learning_unbuilt() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "Not built yet: PD sessions and communities" not in readme
    assert "**Surveys to answer**" in readme
