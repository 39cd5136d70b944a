"""The demo's programs: history for analytics, a cohort in selection now, and something real
for the program manager to do."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from trellis.accounts.models import User
from trellis.demo.generator import DemoResult
from trellis.programs.models import Cohort, Participant, Placement, Program

TODAY = datetime.date(2026, 10, 1)


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
