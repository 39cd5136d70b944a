"""The impact report's page, its drill-down to the schools behind a figure (suppression kept),
the API's JSON (the same as the command's) and the surveys pages, through the test client."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command

from tests.conftest import World
from tests.surveys.world import TITLE, pine_surveyed, surveyed


def test_a_leader_goes_from_a_figure_to_the_schools_behind_it(world: World) -> None:
    surveyed(world)
    pine_surveyed(world)
    client = world.client("leader")
    home = client.get("/").content.decode()
    assert 'href="/impact/"' in home  # the navigation offers the report
    page = client.get("/impact/?system=riverbend&year=2018").content.decode()
    assert "Impact report: Riverbend Public Schools, 2017-18" in page
    # Two schools rated: every share over schools is withheld, with its reason.
    assert "fewer than 5 schools rated at the beginning of the year" in page
    assert "Definitions" in page and "School conditions score" in page
    link = "/impact/schools/?system=riverbend&amp;year=2018&amp;level=conditions"
    assert f'href="{link}"' in page
    drill = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Oak Hill Elementary" in drill and "3.20" in drill  # (2+3+3+4+4)/5
    assert "Pine Ridge Middle" in drill and "fewer than 5 respondents" in drill
    assert "1.50" not in drill  # Pine Ridge's two answers are not shown
    streamed = client.get(link.replace("&amp;", "&") + "&format=csv").streaming_content
    export = b"".join(streamed).decode()
    assert "Oak Hill Elementary,3.20" in export and "1.50" not in export


def test_the_api_answers_the_same_json_as_the_command(world: World) -> None:
    surveyed(world)
    out = StringIO()
    call_command("impact_report", system="riverbend", year=2018, format="json", stdout=out)
    from trellis.accounts.services import api_token_create

    _token, secret = api_token_create(actor=world.users["leader"], name="report")
    response = world.client(None).get(
        "/api/v1/impact?system=riverbend&year=2018", headers={"authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200, response.content
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["conditions"]["schools_rated_boy"] == 1


def test_another_systems_reports_are_not_found(world: World) -> None:
    surveyed(world)
    for url in (
        "/impact/?system=riverbend&year=2018",
        "/impact/schools/?system=riverbend&year=2018&level=beliefs",
    ):
        assert world.client("leader_b").get(url).status_code == 404
    assert (
        world.client("leader")
        .get("/impact/schools/?system=riverbend&year=2018&level=zz")
        .status_code
        == 400
    )


def test_the_surveys_pages_list_instruments_and_administrations(world: World) -> None:
    surveyed(world)
    client: Any = world.client("admin")
    listing = client.get("/surveys/").content.decode()
    assert TITLE in listing and "Import an instrument" in listing
    assert "Import an instrument" not in world.client("leader").get("/surveys/").content.decode()
    administrations = client.get("/surveys/administrations/").content.decode()
    assert TITLE in administrations and "2017-18" in administrations


def test_a_program_viewer_opening_the_report_lands_on_their_programs_report(
    world: World,
) -> None:
    """Someone who may read only a program's report (a program manager with a grant on the
    program) follows the navigation's Impact link to that report, not to a page they cannot
    open; naming the system alone opens the same."""
    surveyed(world)
    from trellis.programs.models import Program

    name = Program.objects.get(pk=world.program_id).name
    client = world.client("pm")
    assert 'href="/impact/"' in client.get("/").content.decode()
    for url in ("/impact/", "/impact/?system=riverbend&year=2018"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"Impact report: {name}" in response.content.decode() or name in (
            response.content.decode()
        ), url
    # The partner's staff, whose programs serve no surveyed system here, still get a page.
    assert world.client("partner").get("/impact/").status_code == 200
