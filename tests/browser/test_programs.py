"""In the browser (with axe): a participant records evidence, their coach signs it off, the
program manager checks the cohort dashboard and records a placement, and the placement shows
on the person's page as a position."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page) -> None:
    nav = page.locator("nav[aria-label=Main]")
    nav.get_by_role("button", name=re.compile("^Your account")).click()
    nav.get_by_role("button", name="Sign out").click()


def test_evidence_sign_off_dashboard_and_placement(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    record = f"{base}/programs/participants/{world.participant_id}/"

    # Paula finds her record from the home page and records evidence for the schedule.
    sign_in(page, base, "principal@riverbend.test")
    page.get_by_role("link", name="Aspiring Principals — Cohort 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paula Prince")
    assert_accessible(page)
    page.get_by_role("link", name="Add evidence for Build the master schedule").click()
    assert_accessible(page)
    page.get_by_label("Evidence").fill("Built the 6th-grade block schedule with the principal.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Evidence saved for Build the master schedule.")).to_be_visible()
    sign_out(page)

    # Her coach signs it off.
    sign_in(page, base, "coach@riverbend.test")
    page.goto(record)
    page.get_by_role("link", name="Sign off Build the master schedule").click()
    assert_accessible(page)
    page.get_by_label("Date of sign-off").fill("2025-02-01")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off by Cami Coach on Feb 1, 2025")).to_be_visible()
    sign_out(page)

    # The program manager sees the cohort's progress, then records Paula's placement.
    sign_in(page, base, "pm@riverbend.test")
    page.get_by_role("link", name="Programs", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Aspiring Principals").click()
    page.get_by_role("link", name="Cohort 1", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Who is behind")).to_be_visible()
    assert_accessible(page)
    page.goto(record)
    page.get_by_role("link", name="Record a placement").click()
    page.get_by_label("Role").select_option("principal")
    page.get_by_label("School").select_option(label="Pine Ridge Middle (Riverbend Public Schools)")
    page.get_by_label("Start date").fill("2025-07-01")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Placement saved: Principal, Pine Ridge Middle, from Jul 1, 2025.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Edit placement at Pine Ridge Middle")).to_be_visible()
    sign_out(page)

    # The coach (who may open Paula's page) sees the placement as a position.
    sign_in(page, base, "coach@riverbend.test")
    page.goto(f"{base}/people/{world.principal_person.pk}/")
    expect(page.get_by_text("Placed from Aspiring Principals (Cohort 1)")).to_be_visible()


def test_program_pages_fit_a_phone(page: Page, site: tuple[str, World]) -> None:
    """At 390 pixels wide nothing of the cohort, participant or figures pages is drawn past the
    screen's edge: tables scroll inside their own box, buttons wrap."""
    base, world = site
    six = _cohort_of_six(world)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "programs@riverbend.test")  # the system's program manager
    for url in (
        f"/programs/cohorts/{world.cohort_id}/",
        f"/programs/participants/{world.participant_id}/",
        f"/programs/{world.program_id}/",
        f"/programs/{world.program_id}/dashboard/",
        f"/programs/cohorts/{world.cohort_id}/dashboard/",
        f"/programs/{six}/dashboard/",
    ):
        page.goto(f"{base}{url}")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (url, overflow)
        if url == f"/programs/{six}/dashboard/":
            # The chart is drawn, as wide as the screen allows.
            chart = page.locator("[data-vega-spec] svg").first
            expect(chart).to_be_visible()
            drawn = chart.bounding_box()
            assert drawn is not None and drawn["x"] + drawn["width"] <= 390


def _cohort_of_six(world: World) -> int:
    """A program whose one past cohort of six completed, so that its rates (and the chart)
    are shown; returns the program's id."""
    import datetime

    from trellis.people.models import Person
    from trellis.programs.models import Program
    from trellis.programs.services import (
        add_participant,
        cohort_create,
        participant_status_set,
        program_create,
    )

    program = program_create(
        actor=None,
        name="Future Principals of Riverbend, a program with a long name",
        kind=Program.Kind.ASPIRING_PRINCIPAL,
        owner_system=world.system,
        systems=[world.system],
    )
    cohort = cohort_create(
        actor=None,
        program=program,
        name="Cohort 0 with a rather long name",
        school_year=2023,
        starts_on=datetime.date(2023, 7, 1),
        ends_on=datetime.date(2024, 6, 30),
        state="completed",
    )
    for person in Person.objects.filter(system=world.system).order_by("pk")[:6]:
        participant = add_participant(actor=None, cohort=cohort, person=person)
        participant_status_set(
            actor=None, participant=participant, status="completed", on=cohort.ends_on
        )
    return int(program.pk)
