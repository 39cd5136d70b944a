"""Minor defects of the walk of issue 11 (branch learn9), on the test world."""

from __future__ import annotations

from typing import Any


def test_a_program_manager_finds_the_alumni_page_from_the_administrations(world: Any) -> None:
    """The link was offered on `user.system`, which no account has: nobody saw it. It follows
    the permission: whoever manages a system's surveys, and no one else."""
    c = world.client("programs")
    listing = c.get("/surveys/administrations/").content.decode()
    assert '<a href="/surveys/alumni/?system=riverbend">' in listing
    assert c.get("/surveys/alumni/?system=riverbend").status_code == 200
    for name in ("leader", "pm"):  # reads the report only; manages one program's people
        c = world.client(name)
        assert "/surveys/alumni/" not in c.get("/surveys/administrations/").content.decode()
        assert c.get("/surveys/alumni/?system=riverbend").status_code in (403, 404)


def test_the_consensus_link_sits_beside_its_heading_before_the_meetings(world: Any) -> None:
    """It sat at the page's foot, under every meeting the team ever held."""
    page = (
        world.client("principal")
        .get(f"/learning/communities/{world.learning['leadership']}/")
        .content.decode()
    )
    heading = page.index('id="consensus-h"')
    link = page.index("Record a consensus rating")
    assert heading < link < page.index("</div>", heading) < page.index('id="meetings-h"')


def test_a_past_session_not_attended_says_so(world: Any) -> None:
    """Paula registered for "feedback loops" (ten days ago) and did not come: the page told her
    "You are registered", as for a session to come."""
    page = (
        world.client("principal")
        .get(f"/learning/sessions/{world.learning['past']}/")
        .content.decode()
    )
    assert "You were registered and were <strong>not marked present</strong>." in page
    assert "You are <strong>registered" not in page
    upcoming = world.client("principal").get(f"/learning/sessions/{world.learning['oak']}/")
    assert "You are <strong>registered</strong>" in upcoming.content.decode()
