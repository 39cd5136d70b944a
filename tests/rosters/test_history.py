"""Issue 8 part 3: position history that retention and forecasts can trust (spells, end reasons,
observed-through date, backfill with --as-of, school enrolment windows); issue 7 item 18 (a
UTF-16 manifest)."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import World
from tests.rosters.bundles import rows_12, write
from trellis.core.models import AuditEvent
from trellis.orgs.models import System
from trellis.orgs.services import system_create
from trellis.people.models import EndReason, Position
from trellis.rosters.models import ImportRun, RosterState
from trellis.rosters.services import import_run_create, import_run_execute
from trellis.students.models import SchoolEnrolment

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = datetime.date(2026, 1, 5), datetime.date(2026, 2, 2), datetime.date(2026, 3, 2)


@pytest.fixture
def system() -> System:
    return system_create(actor=None, code="riverbend", name="Riverbend Public Schools")


def run(system: System, path: Path, as_of: datetime.date | None = None) -> ImportRun:
    created = import_run_create(
        actor=None,
        system=system,
        kind="oneroster",
        path=path,
        source_name=path.name,
        actor_label="test",
        # These bundles leave and return on purpose: the mass-removal guard is not under test.
        allow_mass_removal=True,
        options={"as_of": as_of.isoformat() if as_of else ""},
    )
    return import_run_execute(run_id=created.pk, commit=True, progress=lambda s, label: None)


def spells(sourced_id: str) -> list[tuple[str, str, datetime.date, datetime.date | None, str]]:
    return [
        (p.kind, p.school.sourced_id, p.starts_on, p.ends_on, p.end_reason)
        for p in Position.objects.filter(person__sourced_id=sourced_id)
        .select_related("school")
        .order_by("starts_on")
    ]


def without(files: dict, sid: str) -> dict:  # type: ignore[type-arg]
    for name in ("users", "roles", "enrollments"):
        files[name] = [
            r for r in files[name] if sid not in (r.get("sourcedId"), r.get("userSourcedId"))
        ]
    return files


def test_item8_promotion_ends_the_teacher_spell_and_starts_a_principal_one(
    system: System, tmp_path: Path
) -> None:
    """Old code updated the position in place: the teaching years vanished."""
    files = rows_12()
    for role in files["roles"]:
        role["beginDate"] = "2025-08-01"
    run(system, write(tmp_path / "jan", files), as_of=JAN)
    role = next(r for r in files["roles"] if r["sourcedId"] == "r-t1-0")
    role["role"] = "principal"  # same role sourcedId, same school, a new kind
    promoted = files
    result = run(system, write(tmp_path / "feb", promoted), as_of=FEB)
    assert result.summary["positions"]["changed"] == 1
    assert result.summary["positions"]["added"] == 1
    begun = datetime.date(2025, 8, 1)
    assert spells("t1-0") == [
        ("teacher", "s1", begun, FEB - datetime.timedelta(days=1), "changed_role"),
        ("principal", "s1", FEB, None, ""),
    ]
    # The same bundle again changes nothing: the new spell keeps its own start.
    assert run(system, write(tmp_path / "feb2", promoted), as_of=FEB).total_changes == 0


def test_item8_a_return_starts_a_new_spell_and_reopens_nothing(
    system: System, tmp_path: Path
) -> None:
    """Old code reopened the ended position with its old start date."""
    files = rows_12()
    for role in files["roles"]:
        role["beginDate"] = ""
    run(system, write(tmp_path / "jan", files), as_of=JAN)
    run(system, write(tmp_path / "feb", without(rows_12(), "t1-0")), as_of=FEB)
    assert spells("t1-0") == [
        ("teacher", "s1", JAN, FEB - datetime.timedelta(days=1), "left_system")
    ]
    run(system, write(tmp_path / "mar", files), as_of=MAR)
    assert spells("t1-0") == [
        ("teacher", "s1", JAN, FEB - datetime.timedelta(days=1), "left_system"),
        ("teacher", "s1", MAR, None, ""),
    ]


def test_item8_a_first_import_gives_a_role_that_already_ended_its_reason(
    system: System, tmp_path: Path
) -> None:
    """The first import inserts without comparing (nothing is stored yet); it skipped the
    inference of end reasons too, and a role the bundle shows as ended kept no reason."""
    files = rows_12()
    role = next(r for r in files["roles"] if r["sourcedId"] == "r-t1-0")
    role["beginDate"], role["endDate"] = "2025-08-01", "2025-12-19"
    run(system, write(tmp_path / "jan", files), as_of=JAN)
    [(kind, school, starts_on, ends_on, reason)] = spells("t1-0")
    assert (kind, school, starts_on) == ("teacher", "s1", datetime.date(2025, 8, 1))
    assert ends_on is not None and ends_on < JAN
    assert reason == "left_system"


def test_item8_a_transfer_is_inferred_as_moved_school(system: System, tmp_path: Path) -> None:
    files = rows_12()
    for role in files["roles"]:
        role["beginDate"] = ""
    run(system, write(tmp_path / "jan", files), as_of=JAN)
    moved = rows_12()
    for role in moved["roles"]:
        role["beginDate"] = ""
    # A new role at school 2 (a new sourcedId, as SIS exports do) replaces the one at school 1.
    role = next(r for r in moved["roles"] if r["sourcedId"] == "r-p1-0")
    role.update(sourcedId="r-p1-0-s2", orgSourcedId="s2")
    staff = next(r for r in moved["roles"] if r["sourcedId"] == "r-t1-0")
    staff.update(sourcedId="r-t1-0-s2", orgSourcedId="s2")
    run(system, write(tmp_path / "feb", moved), as_of=FEB)
    assert spells("t1-0") == [
        ("teacher", "s1", JAN, FEB - datetime.timedelta(days=1), "moved_school"),
        ("teacher", "s2", FEB, None, ""),
    ]
    # The student who transferred counts at each school only for the days enrolled there.
    windows = SchoolEnrolment.objects.filter(student__sourced_id="p1-0").order_by("entry_date")
    assert [(w.school.sourced_id, w.entry_date, w.exit_date) for w in windows] == [
        ("s1", JAN, FEB - datetime.timedelta(days=1)),
        ("s2", FEB, None),
    ]


def test_item8_as_of_backfill_and_an_older_export_is_refused(
    system: System, tmp_path: Path
) -> None:
    folder = write(tmp_path / "feb", rows_12())
    out = StringIO()
    call_command(
        "import_oneroster",
        str(folder),
        "--system",
        "riverbend",
        "--as-of",
        "2026-02-02",
        stdout=out,
    )
    assert RosterState.objects.get(system=system).observed_through == FEB
    older = write(tmp_path / "jan", rows_12())
    with pytest.raises(CommandError):
        call_command(
            "import_oneroster",
            str(older),
            "--system",
            "riverbend",
            "--as-of",
            "2026-01-05",
            stdout=(out := StringIO()),
        )
    text = out.getvalue()
    assert "2026-01-05" in text and "2026-02-02" in text and "oldest first" in text
    assert RosterState.objects.get(system=system).observed_through == FEB


def test_item8_a_delta_does_not_move_the_observed_through_date(
    system: System, tmp_path: Path
) -> None:
    run(system, write(tmp_path / "jan", rows_12()), as_of=JAN)
    delta = rows_12(status="active", modified="2026-02-01T00:00:00Z")
    delta = {"users": delta["users"][:1], "roles": delta["roles"][:1]}
    assert run(system, write(tmp_path / "d", delta), as_of=FEB).status == ImportRun.Status.DONE
    assert RosterState.objects.get(system=system).observed_through == JAN


def test_item8_end_reason_is_editable_by_administrators_and_audited(world: World) -> None:
    position = world.colleague.positions.first()
    assert position is not None
    position.ends_on = position.starts_on
    position.end_reason = EndReason.UNKNOWN
    position.save()
    url = f"/people/{world.colleague.pk}/positions/{position.pk}/end-reason/"
    assert world.client("leader").post(url, {"end_reason": "retired"}).status_code == 403
    response = world.client("admin").post(url, {"end_reason": "retired"})
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.end_reason == "retired"
    event = AuditEvent.objects.get(action="position.end_reason")
    assert event.before == {"end_reason": "unknown"} and event.after == {"end_reason": "retired"}
    page = world.client("admin").get(f"/people/{world.colleague.pk}/")
    assert "Retired" in page.content.decode()
    # An open position has no end reason to set: a clear refusal, nothing written.
    open_position = world.colleague.positions.filter(ends_on__isnull=True).first()
    if open_position is not None:
        refused = world.client("admin").post(
            f"/people/{world.colleague.pk}/positions/{open_position.pk}/end-reason/",
            {"end_reason": "retired"},
        )
        assert refused.status_code == 400


def test_item18_a_utf16_manifest_is_refused_with_a_clear_message(
    system: System, tmp_path: Path
) -> None:
    folder = write(tmp_path / "b", rows_12())
    manifest = folder / "manifest.csv"
    manifest.write_bytes(manifest.read_text(encoding="utf-8").encode("utf-16"))
    result = run(system, folder)
    assert result.status == ImportRun.Status.REJECTED
    assert result.errors[0]["file"] == "manifest.csv"
    assert "UTF-16" in result.errors[0]["reason"] and "CSV UTF-8" in result.errors[0]["reason"]
    users = write(tmp_path / "u", rows_12()) / "users.csv"
    users.write_bytes(users.read_text(encoding="utf-8").encode("utf-16"))
    same = run(system, users.parent)
    assert "UTF-16" in same.errors[0]["reason"]


def test_item8_migration_gives_existing_ended_positions_a_reason(world: World) -> None:
    """The data migration: a following position tells the reason; otherwise "unknown"."""
    import importlib

    from django.apps import apps

    from trellis.people.models import PositionKind

    migration = importlib.import_module("trellis.people.migrations.0003_position_spells_end_reason")
    person = world.colleague
    Position.objects.filter(person=person).delete()
    first = Position.objects.create(
        person=person,
        system=person.system,
        kind=PositionKind.TEACHER,
        school=world.school,
        starts_on=datetime.date(2020, 8, 1),
        ends_on=datetime.date(2022, 6, 30),
    )
    second = Position.objects.create(
        person=person,
        system=person.system,
        kind=PositionKind.ASSISTANT_PRINCIPAL,
        school=world.school,
        starts_on=datetime.date(2022, 7, 1),
        ends_on=datetime.date(2024, 6, 30),
    )
    last = Position.objects.create(
        person=person,
        system=person.system,
        kind=PositionKind.PRINCIPAL,
        school=world.other_school,
        starts_on=datetime.date(2024, 7, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    migration.infer_end_reasons(apps, None)
    reasons = {p.pk: p.end_reason for p in Position.objects.filter(person=person)}
    assert reasons == {first.pk: "changed_role", second.pk: "moved_school", last.pk: "unknown"}


def test_item8_migration_gives_existing_students_a_window(world: World) -> None:
    import importlib

    from django.apps import apps

    from trellis.students.models import Student

    migration = importlib.import_module("trellis.students.migrations.0002_school_enrolment_windows")
    student = Student.objects.create(
        system=world.system,
        school=world.school,
        sourced_id="stu-m",
        enrolled_on=datetime.date(2025, 8, 1),
    )
    SchoolEnrolment.objects.all().delete()
    migration.windows_from_students(apps, None)
    window = SchoolEnrolment.objects.get(student=student)
    assert (window.school_id, window.entry_date, window.exit_date) == (
        world.school.pk,
        datetime.date(2025, 8, 1),
        None,
    )
