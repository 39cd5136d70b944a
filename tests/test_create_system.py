"""Item 25: an operator adds a district or charter network from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from trellis.core.models import AuditEvent
from trellis.orgs.models import System

pytestmark = pytest.mark.django_db


def test_item25_create_system_adds_a_charter_network_audited_as_the_command_line() -> None:
    out = StringIO()
    call_command(
        "create_system", "brightpath", "--name", "BrightPath Charters",
        "--kind", "charter_network", stdout=out,
    )  # fmt: skip
    system = System.objects.get(code="brightpath")
    assert system.name == "BrightPath Charters"
    assert system.kind == System.Kind.CHARTER_NETWORK
    assert "Created charter network BrightPath Charters (brightpath)" in out.getvalue()
    event = AuditEvent.objects.get(action="system.create", system_id=system.pk)
    assert event.actor is None


def test_item25_create_system_is_a_district_by_default() -> None:
    call_command("create_system", "lakeside", "--name", "Lakeside Schools", stdout=StringIO())
    assert System.objects.get(code="lakeside").kind == System.Kind.DISTRICT


def test_item25_create_system_refuses_a_taken_code_and_writes_nothing() -> None:
    call_command(
        "create_system", "riverbend", "--name", "Riverbend Public Schools", stdout=StringIO()
    )
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="'riverbend' is already taken by Riverbend Public"):
        call_command("create_system", "riverbend", "--name", "Another", stdout=StringIO())
    assert System.objects.filter(code="riverbend").count() == 1
    assert AuditEvent.objects.count() == events


def test_item25_create_system_refuses_a_bad_code_with_the_field_named() -> None:
    with pytest.raises(CommandError, match="code:"):
        call_command("create_system", "not a slug!", "--name", "X", stdout=StringIO())
    assert not System.objects.exists()
