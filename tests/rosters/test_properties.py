"""Property: after any earlier valid bundle, a new valid bundle imports, and importing it again
changes nothing (soft-deletes, reactivations and ended positions settle in one run)."""

from __future__ import annotations

import datetime
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rosters.bundles import rows_12, write
from trellis.demo.oneroster_bundle import write_bundle
from trellis.orgs.models import System
from trellis.people.models import EndReason, Position
from trellis.rosters.models import Enrollment, ImportRun, RosterState
from trellis.rosters.services import import_run_create, import_run_execute
from trellis.students.models import SchoolEnrolment, Student


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


# -- Issue 8 part 3: position spells and enrolment windows over successive bundles ------------

SCHOOLS = ["s1", "s2", "s3"]
STAFF_STATES = st.one_of(
    st.none(), st.tuples(st.sampled_from(["teacher", "principal"]), st.sampled_from(SCHOOLS))
)
STUDENT_STATES = st.one_of(st.none(), st.sampled_from(SCHOOLS))


def history_bundle(
    folder: Path,
    staff: dict[str, tuple[str, str] | None],
    students: dict[str, str | None],
    *,
    key_per_school: bool,
) -> None:
    files = rows_12(schools=3, teachers=0, students=0)
    for name in ("courses", "classes", "enrollments"):
        files.pop(name)
    # rows_12 holds one principal per school: keep pr1 as an anchor present in every bundle.
    files["users"] = [u for u in files["users"] if u["sourcedId"] == "pr1"]
    files["roles"] = [r for r in files["roles"] if r["userSourcedId"] == "pr1"]
    members: list[tuple[str, str, str]] = [
        (sid, state[0], state[1]) for sid, state in staff.items() if state is not None
    ]
    members += [(sid, "student", school) for sid, school in students.items() if school]
    for sid, role, school in members:
        files["users"].append(
            {
                "sourcedId": sid,
                "enabledUser": "true",
                "username": sid,
                "givenName": "Given",
                "familyName": sid,
                "primaryOrgSourcedId": school,
            }
        )
        files["roles"].append(
            {
                "sourcedId": f"r-{sid}-{school}" if key_per_school else f"r-{sid}",
                "userSourcedId": sid,
                "roleType": "primary",
                "role": role,
                "orgSourcedId": school,
            }
        )
    write(folder, files)


def expected_runs(
    states: list[Any], days: list[datetime.date]
) -> list[tuple[Any, datetime.date, datetime.date | None, Any]]:
    """Maximal runs of one unchanged, present state: (state, first day, last day, next state)."""
    runs = []
    i = 0
    while i < len(states):
        if states[i] is None:
            i += 1
            continue
        j = i
        while j + 1 < len(states) and states[j + 1] == states[i]:
            j += 1
        last = days[j + 1] - datetime.timedelta(days=1) if j + 1 < len(states) else None
        runs.append((states[i], days[i], last, states[j + 1] if j + 1 < len(states) else None))
        i = j + 1
    return runs


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    staff=st.lists(STAFF_STATES, min_size=2, max_size=4),
    staff2=st.lists(STAFF_STATES, min_size=2, max_size=4),
    pupil=st.lists(STUDENT_STATES, min_size=2, max_size=4),
    key_per_school=st.booleans(),
)
def test_item8_successive_bundles_make_the_expected_spells(
    staff: list[Any], staff2: list[Any], pupil: list[Any], key_per_school: bool
) -> None:
    """A promotion at the same school, a transfer, a leave and a return, in any order, give one
    spell per unchanged stretch, each ended the day before the next bundle and with the reason
    the next bundle shows; students get one window per stay at a school."""
    steps = min(len(staff), len(staff2), len(pupil))
    days = [datetime.date(2025, 1, 6) + datetime.timedelta(days=30 * i) for i in range(steps)]
    system = System.objects.create(code=f"spells-{uuid.uuid4().hex[:10]}", name="Spells")
    with tempfile.TemporaryDirectory() as tmp:
        for i, day in enumerate(days):
            folder = Path(tmp) / f"step{i}"
            history_bundle(
                folder,
                {"a": staff[i], "b": staff2[i]},
                {"k": pupil[i]},
                key_per_school=key_per_school,
            )
            result = import_run_execute(
                run_id=import_run_create(
                    actor=None,
                    system=system,
                    kind="oneroster",
                    path=folder,
                    source_name=folder.name,
                    actor_label="property test",
                    allow_mass_removal=True,
                    options={"as_of": day.isoformat()},
                ).pk,
                commit=True,
                progress=lambda s, label: None,
            )
            assert result.status == ImportRun.Status.DONE, result.errors
            again = import_run_execute(
                run_id=import_run_create(
                    actor=None,
                    system=system,
                    kind="oneroster",
                    path=folder,
                    source_name=folder.name,
                    actor_label="property test",
                    allow_mass_removal=True,
                    options={"as_of": day.isoformat()},
                ).pk,
                commit=True,
                progress=lambda s, label: None,
            )
            assert again.total_changes == 0, again.summary
    assert RosterState.objects.get(system=system).observed_through == days[-1]
    for sid, states in (("a", staff[:steps]), ("b", staff2[:steps])):
        got = [
            (p.kind, p.school.sourced_id, p.starts_on, p.ends_on, p.end_reason)
            for p in Position.objects.filter(system=system, person__sourced_id=sid)
            .select_related("school")
            .order_by("starts_on")
        ]
        want = []
        for (kind, school), first, last, following in expected_runs(states, days):
            if last is None:
                reason = ""
            elif following is None:
                reason = EndReason.LEFT_SYSTEM
            elif following[1] != school:
                reason = EndReason.MOVED_SCHOOL
            else:
                reason = EndReason.CHANGED_ROLE
            want.append((kind, school, first, last, reason))
        assert got == want, (sid, states)
    windows = [
        (w.school.sourced_id, w.entry_date, w.exit_date)
        for w in SchoolEnrolment.objects.filter(system=system).select_related("school")
    ]
    assert windows == [
        (school, first, last) for school, first, last, _next in expected_runs(pupil[:steps], days)
    ]
