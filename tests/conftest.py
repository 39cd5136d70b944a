"""Shared fixtures: a small world of two systems, and one account per role."""

from __future__ import annotations

import datetime
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.test import Client

from tests.frameworks.packages import rubric_package
from tests.rosters.bundles import rows_12, write
from trellis.accounts.models import User
from trellis.accounts.services import account_create, api_token_create
from trellis.assignments.services import assignment_create
from trellis.authz.roles import Relationship, Role
from trellis.authz.services import grant_create
from trellis.frameworks.services import (
    framework_import_case,
    framework_start_from,
    framework_templates_install,
)
from trellis.orgs.models import Network, Partner, School, System
from trellis.orgs.services import network_create, partner_create, school_create, system_create
from trellis.people.models import Person, PositionKind
from trellis.people.services import person_create, position_add
from trellis.rosters.models import ImportRun

START = datetime.date(2020, 8, 1)


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Password hashing at production strength would dominate the run time of the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run at once, inside the request, so tests see their result.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Uploads (applications' files) go to a folder of the run's own, never var/media.
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="trellis-test-media-"))


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    # A browser test left unmarked would run in `make test`, outside the browser run's setup.
    unmarked = [
        item.nodeid
        for item in items
        if item.nodeid.startswith("tests/browser/") and item.get_closest_marker("browser") is None
    ]
    if unmarked:
        raise pytest.UsageError(f"tests under tests/browser without the browser mark: {unmarked}")


@dataclass
class World:
    system: System
    other_system: System
    network: Network
    other_network: Network
    school: School
    other_school: School
    foreign_school: School
    partner: Partner
    principal_person: Person
    teacher_person: Person
    colleague: Person
    far_person: Person
    foreign_person: Person
    users: dict[str, User] = field(default_factory=dict)
    token_id: int = 0
    import_run_id: int = 0
    framework_id: int = 0
    draft_framework_id: int = 0
    conditions_id: int = 0
    success_id: int = 0
    # The built-in school leadership template (shared by every system).
    template_id: int = 0
    round_id: int = 0
    round_subject_id: int = 0
    round_submitted_subject_id: int = 0
    rating_id: int = 0
    # Programs (tests/programs/world.py).
    program_id: int = 0
    cohort_id: int = 0
    experience_id: int = 0
    participant_id: int = 0
    uncoached_participant_id: int = 0
    milestone_id: int = 0
    portfolio_token: str = ""
    other_program_id: int = 0
    other_cohort_id: int = 0
    # The selection cycle every world holds (tests/selection/world.py): ids and a token by name.
    selection: dict[str, Any] = field(default_factory=dict)
    # Coaching sessions, next steps and protocols (tests/coaching/world.py), by name.
    coaching: dict[str, Any] = field(default_factory=dict)
    # PD sessions, registrations and communities (tests/learning/world.py), by name.
    learning: dict[str, Any] = field(default_factory=dict)

    def client(self, key: str | None) -> Client:
        client = Client()
        if key is not None:
            client.force_login(self.users[key])
        return client


def make_user(
    home: System, email: str, role: str | None, *, person: Person | None = None, **node: Any
) -> User:
    user = account_create(
        actor=None, system=home, email=email, person=person, password="a-long-test-password"
    )
    if role is not None:
        grant_create(actor=None, user=user, role=role, starts_on=START, **node)
    if role == Role.SYSTEM_ADMIN:
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    return user


def build_world() -> World:
    a = system_create(actor=None, code="riverbend", name="Riverbend Public Schools")
    b = system_create(
        actor=None,
        code="lakeside",
        name="Lakeside Charter Network",
        kind=System.Kind.CHARTER_NETWORK,
    )
    north = network_create(actor=None, system=a, name="North Cluster", code="north")
    south = network_create(actor=None, system=a, name="South Cluster", code="south")
    b_net = network_create(actor=None, system=b, name="Lakeside Network", code="lakes")
    oak = school_create(
        actor=None,
        system=a,
        name="Oak Hill Elementary",
        network=north,
        level=School.Level.ELEMENTARY,
        identifier="1300001",
    )
    pine = school_create(
        actor=None,
        system=a,
        name="Pine Ridge Middle",
        network=south,
        level=School.Level.MIDDLE,
        identifier="1300002",
    )
    harbor = school_create(
        actor=None, system=b, name="Harbor Prep", network=b_net, level=School.Level.HIGH
    )
    partner = partner_create(
        actor=None,
        name="Northstar Leadership Partners",
        kind=Partner.Kind.PD_PROVIDER,
        home_system=a,
    )

    def staff(system: System, given: str, family: str, kind: str, school: School) -> Person:
        person = person_create(
            actor=None,
            system=system,
            given_name=given,
            family_name=family,
            email=f"{given}.{family}@example.org".lower(),
        )
        position_add(actor=None, person=person, kind=kind, school=school, starts_on=START)
        return person

    principal = staff(a, "Paula", "Prince", PositionKind.PRINCIPAL, oak)
    teacher = staff(a, "Tomas", "Teller", PositionKind.TEACHER_LEADER, oak)
    colleague = staff(a, "Cora", "Colleague", PositionKind.TEACHER, oak)
    far = staff(a, "Farid", "Faraway", PositionKind.TEACHER, pine)
    foreign = staff(b, "Olga", "Otherside", PositionKind.TEACHER, harbor)

    world = World(
        system=a,
        other_system=b,
        network=north,
        other_network=south,
        school=oak,
        other_school=pine,
        foreign_school=harbor,
        partner=partner,
        principal_person=principal,
        teacher_person=teacher,
        colleague=colleague,
        far_person=far,
        foreign_person=foreign,
    )
    u = world.users
    # The coach and the supervisor have person records: relationships (assignments) reach people
    # from them. Neither holds a position, so no place-based scope changes.
    coach = person_create(
        actor=None, system=a, given_name="Cami", family_name="Coach", email="cami.coach@example.org"
    )
    supervisor = person_create(
        actor=None,
        system=a,
        given_name="Sam",
        family_name="Supervisor",
        email="sam.supervisor@example.org",
    )
    u["admin"] = make_user(a, "admin@riverbend.test", Role.SYSTEM_ADMIN, system=a)
    u["leader"] = make_user(a, "leader@riverbend.test", Role.DISTRICT_LEADER, system=a)
    u["programs"] = make_user(a, "programs@riverbend.test", Role.PROGRAM_MANAGER, system=a)
    u["supervisor"] = make_user(
        a, "supervisor@riverbend.test", Role.SUPERVISOR, person=supervisor, network=north
    )
    u["supervisor_far"] = make_user(
        a, "far.supervisor@riverbend.test", Role.SUPERVISOR, network=south
    )
    u["coach"] = make_user(a, "coach@riverbend.test", Role.COACH, person=coach, system=a)
    u["principal"] = make_user(
        a, "principal@riverbend.test", Role.PRINCIPAL, person=principal, school=oak
    )
    u["teacher"] = make_user(
        a, "teacher@riverbend.test", Role.TEACHER_LEADER, person=teacher, school=oak
    )
    u["interviewer"] = make_user(a, "interviewer@riverbend.test", Role.INTERVIEWER, system=a)
    u["partner"] = make_user(a, "partner@riverbend.test", Role.PARTNER_STAFF, partner=partner)
    u["analyst"] = make_user(a, "analyst@riverbend.test", Role.ANALYST, system=a)
    u["nobody"] = make_user(a, "nobody@riverbend.test", None)
    u["admin_b"] = make_user(b, "admin@lakeside.test", Role.SYSTEM_ADMIN, system=b)
    u["leader_b"] = make_user(b, "leader@lakeside.test", Role.DISTRICT_LEADER, system=b)
    # Paula and Cora are Cami's coachees; Paula is on Sam's caseload (issue 8: relationship
    # scopes). Tomas and Farid have no supporter.
    for coachee in (principal, colleague):
        assignment_create(
            actor=None,
            kind=Relationship.COACHING,
            supporter=coach,
            assignee=coachee,
            starts_on=START,
        )
    assignment_create(
        actor=None,
        kind=Relationship.SUPERVISION,
        supporter=supervisor,
        assignee=principal,
        starts_on=START,
    )
    world.token_id = api_token_create(actor=u["teacher"], name="laptop")[0].pk
    # Riverbend's own competency framework, imported from CASE as "other" (an import's default
    # kind is external standards, which are no competency framework for coaching or evaluation).
    published = framework_import_case(
        actor=None, system=a, raw=json.dumps(rubric_package()), kind="other"
    )
    world.framework_id = published.framework_id
    templates = framework_templates_install()
    world.template_id = templates[0].framework_id
    world.conditions_id = templates[1].framework_id
    world.success_id = templates[2].framework_id
    world.draft_framework_id = framework_start_from(
        actor=None, source=published, system=a, title="Draft Framework"
    ).framework_id
    from tests.ratings.world import add_round

    add_round(world)
    from tests.programs.world import add_programs

    add_programs(world)
    from tests.selection.world import add_selection

    add_selection(world)
    from tests.coaching.world import add_coaching

    add_coaching(world)
    from tests.evaluations.world import add_evaluations

    add_evaluations(world)
    from tests.coaching.video_world import add_videos

    add_videos(world)
    from tests.coaching.world import add_coaching_support

    add_coaching_support(world)
    from tests.learning.world import add_learning

    add_learning(world)
    # A checked OneRoster run waiting for its commit, over a tiny bundle on disk.
    folder = Path(tempfile.mkdtemp(prefix="trellis-world-"))
    write(folder, rows_12(schools=1, teachers=1, students=1))
    world.import_run_id = ImportRun.objects.create(
        system=a,
        kind=ImportRun.Kind.ONEROSTER,
        source_name="riverbend-nightly",
        source_path=str(folder),
        status=ImportRun.Status.READY,
        created_by_label="admin@riverbend.test",
    ).pk
    return world


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Sign-in throttling counts live in the cache; each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@contextmanager
def rolled_back_after(django_db_blocker: Any) -> Iterator[None]:
    """A transaction held open for a fixture wider than a test (a module, a package) and rolled
    back when it ends: what the fixture builds inside is shared by its tests, and each test still
    runs in its own savepoint, rolled back after it, so tests stay independent."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One World for a whole test module: a module of hundreds of requests (the role matrix)
    saves building the World each time. Use it as `world` in a module with
    `@pytest.fixture def world(module_world, db): return module_world`.
    """
    with rolled_back_after(django_db_blocker):
        with django_db_blocker.unblock():
            world = build_world()
        yield world
