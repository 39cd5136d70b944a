"""Fixes from the second browser walk of issue 9 (programs, cohorts and selection), each
through the pages a user would use."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.conftest import World
from tests.selection.test_selection_walk_fixes import oak_teacher
from trellis.selection.models import LetterTemplate


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world  # one World for the module, each test rolled back (see conftest)


def test_an_interviewer_finds_the_applicants_they_interview_from_home_and_selection(
    world: World,
) -> None:
    cora = world.selection["other_application"]
    tomas = world.selection["application"]
    client = world.client("panel_other")
    home = client.get("/").content.decode()
    # The home page used to say "Nothing has been assigned to you yet" whatever they sat on.
    assert "Nothing has been assigned to you yet" not in home
    assert f'href="/selection/applications/{cora}/"' in home
    assert f'href="/selection/applications/{tomas}/"' not in home
    # The application's breadcrumb leads to Selection, which lists the same interviews.
    page = client.get("/selection/").content.decode()
    assert "Interviews you sit on" in page
    assert f'href="/selection/applications/{cora}/"' in page
    assert f'href="/selection/applications/{tomas}/"' not in page


def test_an_interviewer_without_a_seat_is_told_nothing_is_assigned_yet(world: World) -> None:
    home = world.client("interviewer").get("/").content.decode()
    assert "Nothing has been assigned to you yet" in home
    page = world.client("interviewer").get("/selection/").content.decode()
    assert "Interviews you sit on" not in page
    # No person record: it cannot apply, and is told why rather than "no program is open".
    assert "not linked to a staff record" in page


def test_the_roles_on_the_home_page_wrap_on_a_phone(world: World) -> None:
    # A role named with its program ("Selection committee member at Leadership Residency")
    # is wider than a 390px screen: the badge must wrap, not widen the page.
    home = world.client("chair").get("/").content.decode()
    badges = [line for line in home.splitlines() if "list-inline-item badge" in line]
    assert badges and all("text-wrap" in line for line in badges)


def test_the_essential_experiences_table_breaks_no_word_on_a_phone(world: World) -> None:
    # `text-break` on the whole table let every column shrink to one letter at 390px
    # ("Expe / rienc / e"); the table scrolls sideways in its `table-responsive` box instead.
    page = world.client("pm").get(f"/programs/participants/{world.participant_id}/")
    text = page.content.decode()
    table = text[text.index('id="exp-h"') :]
    table = table[table.index("<table") : table.index(">", table.index("<table"))]
    assert "text-break" not in table


def test_the_fields_a_selection_form_adds_for_its_cycle_are_styled_and_checked(
    world: World,
) -> None:
    # The application's questions, the letters and the recommendation's text are added in
    # the forms' own __init__, after the styling: they rendered as bare boxes beside their
    # labels and took control characters (which break exports).
    cycle = world.selection["cycle"]
    client = world.client(None)
    client.force_login(oak_teacher(world))
    text = client.get(f"/selection/{cycle}/apply/").content.decode()
    box = text[text.index('name="track_record"') :]
    assert "form-control" in box[: box.index(">")]
    chair = world.client("chair")
    letters = chair.get(f"/selection/{cycle}/letters/").content.decode()
    box = letters[letters.index('name="admit_body"') :]
    assert "form-control" in box[: box.index(">")]
    form = {
        f"{outcome}_{part}": "Dear {name},"
        for outcome in ("admit", "waitlist", "decline")
        for part in ("subject", "body")
    }
    form["admit_body"] = "Dear {name},\x07 welcome."
    refused = chair.post(f"/selection/{cycle}/letters/", form)
    assert refused.status_code == 200  # shown again with the error, nothing saved
    assert "welcome" not in LetterTemplate.objects.get(cycle_id=cycle, outcome="admit").body


def test_the_recommendation_e_mail_and_the_applicants_page_give_the_same_expiry_day(
    world: World,
) -> None:
    # The e-mail formatted the expiry in UTC: sent late in the evening (New York), it named
    # the next day, while the applicant's page (local time) named the day before.
    evening = datetime.datetime.combine(
        timezone.localdate(), datetime.time(23, 30), tzinfo=timezone.get_current_timezone()
    )
    tomas = world.selection["application"]
    with time_machine.travel(evening, tick=False):
        mail.outbox.clear()
        client = world.client("teacher")
        client.post(f"/selection/applications/{tomas}/recommendation/")
        assert len(mail.outbox) == 1
        sent = re.search(r"expires on (\w+ \d+, \d{4})", str(mail.outbox[0].body))
        assert sent
        page = client.get(f"/selection/applications/{tomas}/").content.decode()
        shown = re.search(r"their link expires (\w+ \d+, \d{4})", page)
        assert shown and shown.group(1) == sent.group(1)


def test_the_recommenders_radio_buttons_sit_beside_their_levels(world: World) -> None:
    from tests.selection.world import TOKEN

    page = world.client(None).get(f"/recommend/{TOKEN}/").content.decode()
    radios = re.findall(r"<input type=\"radio\"[^>]*>", page)
    assert radios and all("form-check-input" in radio for radio in radios)


def test_the_programs_form_pages_say_what_they_saved(world: World) -> None:
    # The simple form pages (sign-off, goals, status, project, milestones, cohorts, checklist)
    # went back to the record with no word that anything was saved.
    paula = f"/programs/participants/{world.participant_id}/"
    signed = world.client("coach").post(
        f"{paula}experiences/{world.experience_id}/sign-off/",
        {"signed_off_on": "2024-09-01"},
        follow=True,
    )
    assert "is signed off." in signed.content.decode()
    goals = world.client("principal").post(
        f"{paula}goals/", {"career_goal": "Principal", "goals": "Lead learning."}, follow=True
    )
    assert "The goals are saved." in goals.content.decode()


def test_the_applicants_page_names_the_program_with_the_cohort(world: World) -> None:
    tomas = world.selection["application"]
    page = world.client("teacher").get(f"/selection/applications/{tomas}/").content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert heading and "Leadership Residency — " in heading.group(1)


def test_the_home_list_of_rating_rounds_names_the_program_with_the_cohort(world: World) -> None:
    """An interviewer's "Rating rounds in progress" said "(Cohort 2027)" alone."""
    home = world.client("panel_other").get("/").content.decode()
    section = home.split("Rating rounds in progress", 1)[1].split("</section>", 1)[0]
    assert re.search(r"Interview: [^<]+ \(Leadership Residency — Cohort \d{4}\)", section)


def test_the_send_letters_page_names_the_cycle_once_in_its_heading(world: World) -> None:
    """The breadcrumb and the heading both said "… of Leadership Residency selection 2027"."""
    from trellis.selection.models import SelectionCycle

    cycle = SelectionCycle.objects.get(pk=world.selection["cycle"])
    page = world.client("committee").get(f"/selection/{cycle.pk}/send-letters/").content.decode()
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert heading and heading.group(1).strip() == "Send the decision letters?"
    # The cycle is named once, by the breadcrumb.
    crumbs = page.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert crumbs.count(cycle.title) == 1
