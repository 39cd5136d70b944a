"""Property: after any earlier valid bundle, a new valid bundle imports, and importing it again
changes nothing (soft-deletes, reactivations and ended positions settle in one run)."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rosters.bundles import rows_12, write
from trellis.demo.oneroster_bundle import write_bundle
from trellis.orgs.models import System
from trellis.rosters.models import Enrollment, ImportRun
from trellis.rosters.services import import_run_create, import_run_execute
from trellis.students.models import Student


def run(system: System, path: Path) -> ImportRun:
    created = import_run_create(
        actor=None,
        system=system,
        kind="oneroster",
        path=path,
        source_name=path.name,
        actor_label="property test",
        # These tests remove records on purpose (issue 7 item 16 guards the pages/command).
        allow_mass_removal=True,
    )
    return import_run_execute(run_id=created.pk, commit=True, progress=lambda s, label: None)


shapes = st.fixed_dictionaries(
    {
        "schools": st.integers(min_value=1, max_value=3),
        "teachers": st.integers(min_value=0, max_value=3),
        "students": st.integers(min_value=1, max_value=4),
        "dropped": st.sets(st.integers(min_value=0, max_value=3), max_size=3),
        "seed": st.integers(min_value=0, max_value=10_000),
    }
)


def write_shape(folder: Path, version: str, shape: dict) -> int:  # type: ignore[type-arg]
    """Write a valid bundle; returns how many students it holds."""
    schools, students = shape["schools"], shape["students"]
    if version == "1.1":
        write_bundle(
            folder,
            version="1.1",
            seed=shape["seed"],
            schools=schools,
            staff=schools * (3 + shape["teachers"]),
            students=schools * students,
        )
        return schools * students
    files = rows_12(schools=schools, teachers=shape["teachers"], students=students)
    gone = {f"p1-{i}" for i in shape["dropped"] if i < students - 1}
    for name in ("users", "roles", "enrollments"):
        files[name] = [
            r for r in files[name] if not ({r.get("sourcedId"), r.get("userSourcedId")} & gone)
        ]
    write(folder, files)
    return schools * students - len(gone)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(version=st.sampled_from(["1.1", "1.2"]), before=shapes, after=shapes)
def test_import_then_reimport_is_stable(version: str, before: dict, after: dict) -> None:  # type: ignore[type-arg]
    system = System.objects.create(code=f"prop-{uuid.uuid4().hex[:10]}", name="Property")
    with tempfile.TemporaryDirectory() as tmp:
        yesterday, today = Path(tmp) / "yesterday", Path(tmp) / "today"
        write_shape(yesterday, version, before)
        expected = write_shape(today, version, after)
        assert run(system, yesterday).status == ImportRun.Status.DONE
        first = run(system, today)
        assert first.status == ImportRun.Status.DONE, first.errors
        assert Student.objects.filter(system=system, is_active=True).count() == expected
        active = Enrollment.objects.filter(system=system, is_active=True).count()
        second = run(system, today)
        assert second.status == ImportRun.Status.DONE
        assert second.total_changes == 0, second.summary
        assert Enrollment.objects.filter(system=system, is_active=True).count() == active
