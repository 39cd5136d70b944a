"""A page's query count does not grow with the data behind it (no N+1).

Every page the role matrix opens (each GET Case, the form page of each POST Case, each export)
is measured for its right role, with the demo district's size of data added to the World and
again with a district's added on top: the counts must be equal, page by page. The data comes
from the demo generator (schools, staff with their history, students) plus ratings, frameworks,
accounts and import runs in proportion."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.coaching.video_world import grow_videos
from tests.coaching.world import grow_coaching
from tests.coaching.world_support import grow_support
from tests.conftest import World, make_user
from tests.evaluations.world import grow_evaluations
from tests.learning.world import grow_learning
from tests.matrix import CASES, _ratings
from tests.selection.world import grow_selection
from trellis.authz.roles import Role
from trellis.demo.generator import SIZES, Builder
from trellis.frameworks.models import FrameworkVersion
from trellis.frameworks.services import framework_start_from, item_save
from trellis.orgs.models import School
from trellis.orgs.services import network_create, schools_bulk_create
from trellis.people.models import Person
from trellis.people.services import people_bulk_create
from trellis.rosters.models import ImportRun
from trellis.students.services import students_bulk_create

Page = tuple[str, Callable[[World], str]]

# Pages as other roles see them, or with filters, beyond the matrix's own URLs.
EXTRA_PAGES: list[Page] = [
    ("principal", lambda w: "/"),
    ("principal", lambda w: "/people/"),
    ("supervisor", lambda w: "/people/?kind=teacher"),
    ("analyst", lambda w: "/"),
    ("admin", lambda w: "/"),
    ("leader", lambda w: "/people/?q=smith&kind=teacher"),
    ("leader", lambda w: "/schools/?q=elementary"),
    ("leader", lambda w: "/api/v1/people?limit=100"),
    ("leader", lambda w: "/api/v1/schools?limit=100"),
    ("coach", lambda w: f"/people/{w.colleague.pk}/ratings/"),
    ("programs", lambda w: f"/frameworks/{w.framework_id}/agreement/?purpose=progress"),
    # Coaching (issue 10): the caseload panels, and the lists as an administrator sees them.
    ("coach", lambda w: "/"),
    ("supervisor", lambda w: "/"),
    ("admin", lambda w: "/coaching/"),
    ("admin", lambda w: "/coaching/?format=csv"),
    ("supervisor", lambda w: "/api/v1/coaching/sessions"),
    ("coach", lambda w: "/api/v1/coaching/next-steps?status=all"),
    # Evaluation cycles (issue 10): the home panels, and the lists as the chain above sees them.
    ("evaluator", lambda w: "/"),
    ("evaluator", lambda w: "/evaluations/?overdue=1&stage=self_assessment"),
    ("supervisor", lambda w: "/evaluations/?q=prince"),
    ("admin", lambda w: "/evaluations/?format=csv"),
    ("admin", lambda w: "/api/v1/evaluations?limit=100"),
    # Professional learning (issue 11): the home panel, the lists as managers see them.
    ("teacher", lambda w: "/"),
    ("admin", lambda w: "/learning/?when=upcoming"),
    ("leader", lambda w: "/learning/communities/?format=csv"),
    ("principal", lambda w: f"/learning/sessions/{w.learning['oak']}/"),
    ("admin", lambda w: "/api/v1/learning/sessions?limit=100"),
    # Attendance (issue 12): the system's morning sorted and filtered by a figure, in SQL.
    ("leader", lambda w: "/attendance/?date=2026-09-30&sort=absence_rate&jumped=1"),
    ("analyst", lambda w: "/attendance/?date=2026-09-30&sort=on_time&page=2"),
]


def _with_format(url: Callable[[World], str], fmt: str) -> Callable[[World], str]:
    def build(world: World) -> str:
        base = url(world)
        return base + ("&" if "?" in base else "?") + f"format={fmt}"

    return build


def pages() -> list[Page]:
    """Every page (and export) a role-matrix Case opens for its right role."""
    found: list[Page] = []
    for case in CASES:
        if case.method == "GET" and case.right_status == 200:
            found.append((case.right, case.url))
        if case.method == "POST" and case.get_status not in (405, 302):
            found.append((case.right, case.url))
        found += [(case.right, _with_format(case.url, fmt)) for fmt in case.exports]
    return found + EXTRA_PAGES


def counts(world: World, measured: list[Page]) -> list[tuple[int, int]]:
    """(queries, exported rows) per page; rows is 0 for a page that is not an export."""
    result = []
    clients: dict[str, Any] = {}
    for key, url in measured:
        if key not in clients:
            clients[key] = world.client(key)
        # A Case's URL may write what it names (e.g. end a position to edit its end reason):
        # each page is measured in a savepoint rolled back after it, as the role matrix does.
        with transaction.atomic():
            address = url(world)  # its queries are not the page's
            with CaptureQueriesContext(connection) as queries:
                response = clients[key].get(address)
                content = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
            transaction.set_rollback(True)
        # 405: the GET of a POST-only action (the role matrix holds every other page to 200).
        assert response.status_code in (200, 405), (address, response.status_code)
        result.append((len(queries), exported_rows(response, content)))
    return result


def exported_rows(response: Any, content: bytes) -> int:
    kind = response.get("Content-Type", "")
    if kind.startswith("text/csv"):
        return content.count(b"\n")
    if kind.startswith("application/vnd.openxmlformats"):
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        return sum(1 for _row in sheet.iter_rows(values_only=True))
    return 0


# Exports stream their rows in chunks (core/listing.py), and each chunk repeats its prefetch
# queries: an export may grow by a few queries per extra chunk of rows, never by one per row.
CHUNK = 2000
QUERIES_PER_CHUNK = 3


def grows(small: tuple[int, int], large: tuple[int, int]) -> bool:
    (queries_small, rows_small), (queries_large, rows_large) = small, large
    extra_chunks = -(-rows_large // CHUNK) - -(-rows_small // CHUNK)
    return queries_large - queries_small > QUERIES_PER_CHUNK * max(extra_chunks, 0)


def grow(world: World, size_name: str) -> None:
    """Add a demo-generator district of this size to the World's system, around its schools,
    with ratings, frameworks, accounts and import runs in proportion."""
    size = SIZES[size_name]
    builder = Builder(size, seed=7, today=datetime.date(2026, 10, 1))
    builder.serial = {"demo": 100_000, "district": 200_000}[size_name]
    networks = [
        network_create(
            actor=None, system=world.system, name=f"{size_name} network {i}", code=f"{size_name}{i}"
        )
        for i in range(size.networks)
    ]
    schools = schools_bulk_create(
        actor=None,
        system=world.system,
        schools=[
            School(
                name=f"{size_name.title()} School {i}",
                level=School.Level.HIGH,
                network=networks[i % len(networks)],
            )
            for i in range(size.schools)
        ],
    )
    # The World's own schools get staff too, so that school- and network-scoped pages grow.
    builder.staff([world.network, *networks], [world.school, world.other_school, *schools])
    for position in builder.positions:
        position.sourced_id = f"{size_name}-{position.sourced_id}"
    people_bulk_create(
        actor=None,
        system=world.system,
        people=builder.people,
        positions=builder.positions,
        education=builder.education,
        certifications=builder.certifications,
    )
    for batch in builder.students([world.school, *schools]):
        for student in batch:
            student.sourced_id = f"{size_name}-{student.sourced_id}"
        students_bulk_create(actor=None, system=world.system, students=batch)

    scale = size.schools // 4  # 3 at demo size, 25 at district size
    rate(world, scale)
    grow_programs(world, builder, size_name, scale)
    grow_selection(world, scale, size_name)
    grow_coaching(world, [p for p in builder.people if p.is_active], scale, size_name)
    grow_evaluations(world, [p for p in builder.people if p.is_active], scale, size_name)
    grow_videos(world, scale, size_name)
    grow_support(world, scale, size_name)
    grow_learning(world, [p for p in builder.people if p.is_active], scale, size_name)
    draft = FrameworkVersion.objects.get(framework_id=world.draft_framework_id)
    for i in range(scale):
        item_save(
            actor=None,
            version=draft,
            item=None,
            parent=None,
            full_statement=f"Added competency {size_name} {i}",
            human_coding_scheme=f"{size_name}-{i}",
            item_type="Competency",
            descriptors={},
        )
    template = FrameworkVersion.objects.get(framework_id=world.template_id)
    for i in range(scale):
        framework_start_from(
            actor=None, source=template, system=world.system, title=f"{size_name} framework {i}"
        )
    for i in range(scale):
        make_user(world.system, f"{size_name}{i}@riverbend.test", Role.COACH, system=world.system)
        ImportRun.objects.create(
            system=world.system,
            kind=ImportRun.Kind.ONEROSTER,
            source_name=f"{size_name}-night-{i}.zip",
            source_path="/nowhere",
            status=ImportRun.Status.DONE,
            created_by_label="cron",
            summary={"students": {"added": i}},
        )


def grow_programs(world: World, builder: Builder, size_name: str, scale: int) -> None:
    """The World's cohort gains `scale` members still in the program (records, projects), and
    its program a finished past cohort of `scale` more (completions, placements)."""
    import random

    from trellis.demo.generator import cohort_history
    from trellis.programs.models import Cohort
    from trellis.programs.services import cohort_create

    rng = random.Random(size_name)
    # Each member is written through the services (a dozen writes each): 12 at district size
    # is four times the demo's 3, enough to show a count that grows, at a bearable cost.
    scale = min(scale, 12)
    cohort = Cohort.objects.select_related("program").get(pk=world.cohort_id)
    people = [p for p in builder.people if p.is_active]
    schools = list(School.objects.filter(system=world.system, is_active=True).order_by("pk"))
    cohort_history(
        cohort,
        people[:scale],
        rng=rng,
        coaches=builder.coaches,
        schools=schools,
        placed_as="assistant_principal",
        finish=False,
    )
    past = cohort_create(
        actor=None,
        program=cohort.program,
        name=f"Cohort {size_name}",
        school_year=2023,
        starts_on=datetime.date(2023, 7, 1),
        ends_on=datetime.date(2024, 6, 30),
        state="completed",
    )
    cohort_history(
        past,
        people[scale : 2 * scale],
        rng=rng,
        coaches=builder.coaches,
        schools=schools,
        placed_as="principal",
    )


def rate(world: World, scale: int) -> None:
    """Ratings in proportion: the coach and the principal each rate `scale` teachers at the
    World's school (agreement pairs), the colleague `scale` more times (history), the school's
    conditions and the system's self-assessment `scale` times each."""
    rating_model, ratings_record = _ratings()

    def record(subject: Any, framework_id: int, purpose: str, rater: str, day: int) -> None:
        version = FrameworkVersion.objects.get(
            framework_id=framework_id, status=FrameworkVersion.Status.PUBLISHED
        )
        items = list(version.items.filter(descriptors__isnull=False).distinct().order_by("pk"))
        levels = list(version.levels.order_by("position"))
        made = ratings_record(
            actor=None,
            subject=subject,
            version=version,
            purpose=purpose,
            rated_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=day),
            entries=[(item, levels[(i + day) % len(levels)], "") for i, item in enumerate(items)],
        )
        user = world.users[rater]
        rating_model.objects.filter(pk__in=[r.pk for r in made]).update(
            rater=user, rater_label=user.email
        )

    teachers = Person.objects.filter(
        positions__school=world.school, positions__ends_on__isnull=True
    ).exclude(pk=world.principal_person.pk)
    for day, person in enumerate(teachers.order_by("-pk")[:scale]):
        for rater in ("coach", "principal"):
            record(person, world.framework_id, "progress", rater, day)
            record(person, world.template_id, "progress", rater, day)
    for day in range(scale):
        record(world.colleague, world.framework_id, "progress", "coach", 100 + day)
        record(world.school, world.conditions_id, "conditions", "principal", day)
        record(world.system, world.success_id, "self_assessment", "leader", day)


def test_page_query_counts_are_flat_from_demo_to_district_size(world: World) -> None:
    measured = pages()
    for setup in {case.setup for case in CASES if case.setup is not None}:
        setup(world)
    grow(world, "demo")
    # The pages have the data in question: rater pairs for agreement, a rating history.
    agreement = world.client("admin").get(f"/frameworks/{world.framework_id}/agreement/")
    assert world.principal_person.full_name in agreement.content.decode()
    demo = counts(world, measured)
    grow(world, "district")
    district = counts(world, measured)
    grew = [
        f"{key} {url(world)}: {small[0]} -> {large[0]} queries ({small[1]} -> {large[1]} rows)"
        for (key, url), small, large in zip(measured, demo, district, strict=True)
        if grows(small, large)
    ]
    assert not grew, "pages whose query count grows with the data:\n" + "\n".join(grew)


def test_every_page_of_the_matrix_is_measured() -> None:
    measured = {url for _key, url in pages()}
    for case in CASES:
        if case.method == "GET" and case.right_status == 200:
            assert case.url in measured, case.id
