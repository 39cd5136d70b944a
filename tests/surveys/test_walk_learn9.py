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
