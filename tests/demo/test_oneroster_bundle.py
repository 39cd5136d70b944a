"""Item 16 of the repairs issue: the bundle `demo --oneroster-out` writes describes the demo."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from tests.rosters.test_history import run
from trellis.demo.generator import DemoResult
from trellis.people.models import Person, Position
from trellis.rosters.models import ImportRun
from trellis.students.models import Student


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
