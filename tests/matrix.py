"""The role-matrix harness. Every page and API operation has a Case: the right role gets through,
a wrong role (in scope, not allowed) gets 403, an outsider (another system or place) gets 404 or
sees none of this system's records, an anonymous visitor is sent to sign in; on denial nothing is
written and nothing is sent. Later capabilities add their Cases to CASES.

From each Case the runner (tests/test_role_matrix.py) derives several probes, each asked as the
right role, the wrong role, the outsider and an anonymous visitor:
- the Case itself (its method, URL and data);
- for a POST Case, the GET of the same URL (the form page, or for a POST-only action a redirect
  to the page it belongs to; it must write nothing either way);
- for each format in `exports`, the GET of the URL with `?format=csv` / `?format=xlsx` (an
  outsider's export must not contain `hidden_from_outsider`);
- with `unrelated_url` and/or `unrelated`: the right role reaching an object it has no
  relationship with (a coach and a teacher who is not their coachee): `unrelated_status` (404).
`setup` runs before the probes, for data a Case needs that the shared World does not hold.
The URL walker (tests/test_url_walker.py) fills each route's parameters from its Case's URL, and
the query-count test (tests/test_query_counts.py) measures every page a Case opens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection

from tests.conftest import World


@dataclass(frozen=True)
class Case:
    route: str
    url: Callable[[World], str]
    right: str
    wrong: str
    outsider: str
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] | None = None
    right_status: int = 200
    wrong_status: int = 403
    outsider_status: int = 404
    # For list pages an outsider gets 200 but must not see this text (and the right role must).
    hidden_from_outsider: Callable[[World], str] | None = None
    api: bool = False
    # -- optional, added for issue 8 part 6 (every field below has a default that changes nothing
    # for a Case that does not set it) -------------------------------------------------------
    # The right role's GET of a POST Case's URL: 200 shows the form; 302 for a POST-only action
    # whose GET goes to its object's page (trellis.core.postonly, so that reloading a refusal
    # shown at that URL is no 405; tests/test_url_walker.py checks where it leads); 405 only
    # for one that must still refuse a GET, said here. None (the default) means 200 for the
    # right role, and lets the others' GET answer 405 as well.
    get_status: int | None = None
    # ...and the wrong role's and the outsider's GET of it, when not as for the POST (a page that
    # shows a read-only view to the wrong role, a form an outsider sees for their own system).
    wrong_get_status: int | None = None
    outsider_get_status: int | None = None
    # Export formats the page offers (`?format=`): ("csv", "xlsx") on every list that has them.
    exports: tuple[str, ...] = ()
    # Relationship cases: the right role (or the user `unrelated`, who holds the right role) asks
    # for an object it has no relationship with (`unrelated_url`, default the Case's own URL) and
    # gets `unrelated_status`, with nothing written.
    unrelated: str | None = None
    unrelated_url: Callable[[World], str] | None = None
    unrelated_status: int = 404
    # Data this Case needs beyond the World, created before any probe is asked.
    setup: Callable[[World], Any] | None = None
    # Whether the right role's POST writes (False for a POST that only previews, like an upload
    # checked before its confirmation): then it must write nothing, like every other probe.
    writes: bool = True
    # Something every signed-in user does to their own records (an API token): the wrong role
    # and the outsider succeed too, on their own, and must still not see the right role's.
    own_record: bool = False
    # Tells two Cases of the same route and method apart in test ids (else they are numbered).
    label: str = ""
    # Known defects, as ("<probe kind> <who>", reason) pairs, e.g. ("main outsider", "..."):
    # that probe is marked xfail(strict=True), so fixing the defect makes the test say so.
    xfail: tuple[tuple[str, str], ...] = ()
    # A read of student records, audited (issue 12): an allowed read (status 200) writes one
    # audit event and nothing else; a refused one writes nothing, like every other probe.
    audited_read: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.label}]" if self.label else "")

    @property
    def has_relationship_probe(self) -> bool:
        return self.unrelated is not None or self.unrelated_url is not None


# Apps whose tables a request may never write on denial: every Trellis app (the ones added later
# included), django-allauth's accounts and MFA, and Django's own users and groups. Sessions are
# left out: signing in and the idle timer keep them up to date on every request.
UNWATCHED_TABLES = {"django_session"}


def interrupted_run_url(w: World) -> str:
    """The world's checked run, as if its worker had died (no row is added: counts compare)."""
    from trellis.imports.models import ImportRun

    ImportRun.objects.filter(pk=w.import_run_id).update(status=ImportRun.Status.INTERRUPTED)
    return f"/imports/{w.import_run_id}/rerun/"


def row_counts() -> dict[str, int]:
    """How many rows each model holds (sessions aside): compared before and after a denied
    request to prove nothing was written."""
    counts = {}
    for model in apps.get_models():
        if model._meta.db_table in UNWATCHED_TABLES or not model._meta.managed:
            continue
        counts[model._meta.label] = model.objects.count()
    return counts


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|COPY|TRUNCATE)\b", re.IGNORECASE)


@contextmanager
def sql_writes() -> Iterator[list[str]]:
    """Every statement that writes a row (sessions aside) executed inside the block: row counts
    miss an UPDATE, this does not."""
    writes: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if _WRITE.match(sql) and not any(table in sql for table in UNWATCHED_TABLES):
            writes.append(sql[:200])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield writes


def position_of(person: Any) -> int:
    return int(person.positions.first().pk)


def ended_position_of(person: Any) -> int:
    """A position of the person that has ended (ended here if needed), for end-reason edits."""
    import datetime

    position = person.positions.first()
    if position.ends_on is None:
        position.ends_on = max(position.starts_on, datetime.date(2026, 6, 1))
        position.save(update_fields=["ends_on"])
    return int(position.pk)


def assignment_of(world: World, assignee: Any) -> int:
    from trellis.assignments.models import Assignment

    return int(Assignment.objects.filter(assignee=assignee).order_by("pk").first().pk)


def grant_of(world: World, key: str) -> int:
    return int(world.users[key].grants.first().pk)


today = "2026-06-30"


def upload_data(world: World) -> dict[str, Any]:
    """A people CSV upload into the world's system (a new file object on every call)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"person_id,given_name,family_name\nhr-9,Ida,Import\n"
    return {
        "system": world.system.pk,
        "kind": "people_csv",
        "mode": "delta",
        "file": SimpleUploadedFile("people.csv", content),
    }


def case_upload(world: World) -> dict[str, Any]:
    """A CASE package uploaded at Imports → Import a file (where the frameworks' Import button
    leads); the pipeline checks it and shows the preview, nothing is written to frameworks."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.frameworks.packages import rubric_package

    # The world already holds this package; a copy under another document identifier.
    text = json.dumps(rubric_package()).replace(
        "0a000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000001"
    )
    return {
        "system": world.system.pk,
        "kind": "case",
        "case-kind": "leadership",
        "case-subject_kind": "person",
        "file": SimpleUploadedFile("case.json", text.encode()),
    }


def rating_data(world: World) -> dict[str, Any]:
    from trellis.frameworks.models import FrameworkItem, PerformanceLevel

    item = FrameworkItem.objects.filter(
        version__framework_id=world.framework_id, descriptors__isnull=False
    ).first()
    level = PerformanceLevel.objects.get(version__framework_id=world.framework_id, position=3)
    return {
        "purpose": "progress",
        "rated_on": "2026-01-15",
        f"level_{item.pk}": level.pk,
        f"evidence_{item.pk}": "Led the data meeting.",
    }


def draft_item(world: World) -> int:
    from trellis.frameworks.models import FrameworkItem

    return int(
        FrameworkItem.objects.filter(version__framework_id=world.draft_framework_id)
        .order_by("pk")
        .last()
        .pk
    )


def last_child(world: World) -> int:
    from trellis.frameworks.models import FrameworkItem

    return int(
        FrameworkItem.objects.filter(
            version__framework_id=world.draft_framework_id, parent__isnull=False
        )
        .order_by("-position", "-pk")
        .first()
        .pk
    )


def levels_data(world: World) -> dict[str, Any]:
    from trellis.frameworks.models import PerformanceLevel

    levels = PerformanceLevel.objects.filter(version__framework_id=world.draft_framework_id)
    return {**{f"name_{lv.pk}": lv.name for lv in levels}, "new_level": "Distinguished"}


def draft_url(world: World, tail: str) -> str:
    return f"/frameworks/{world.draft_framework_id}/v1/{tail}"


def crosswalk_data(world: World) -> dict[str, Any]:
    from trellis.frameworks.models import FrameworkItem

    origin = FrameworkItem.objects.filter(version__framework_id=world.framework_id).first()
    destination = FrameworkItem.objects.filter(
        version__framework_id=world.draft_framework_id
    ).first()
    return {
        "with": world.draft_framework_id,
        "origin": origin.pk,
        "destination": destination.pk,
        "association_type": "exactMatchOf",
    }


def template_rating(world: World, framework_id: int, purpose: str) -> dict[str, Any]:
    from trellis.frameworks.models import FrameworkItem, PerformanceLevel

    item = FrameworkItem.objects.filter(
        version__framework_id=framework_id, descriptors__isnull=False
    ).first()
    level = PerformanceLevel.objects.get(version__framework_id=framework_id, position=2)
    return {"purpose": purpose, "rated_on": "2026-01-15", f"level_{item.pk}": level.pk}


def _ratings() -> tuple[Any, Any]:
    """The Rating model and its recording service, wherever the ratings app keeps them."""
    try:
        from trellis.ratings import models, services  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from trellis.frameworks import models, services  # type: ignore[no-redef,unused-ignore]
    return models.Rating, services.ratings_record


def rate_template_in_system_a(world: World) -> None:
    """Setup: the coach and the principal of system A rate the same teacher on the built-in
    leadership template (shared by every system), so its agreement page has A's pairs."""
    import datetime

    from trellis.frameworks.models import FrameworkVersion

    rating_model, ratings_record = _ratings()
    version = FrameworkVersion.objects.get(framework_id=world.template_id, number=1)
    items = list(version.items.filter(descriptors__isnull=False).distinct().order_by("pk")[:6])
    levels = list(version.levels.order_by("position"))
    for key, shift in (("coach", 0), ("principal", 1)):
        user = world.users[key]
        ratings = ratings_record(
            actor=None,
            subject=world.colleague,
            version=version,
            purpose="progress",
            rated_on=datetime.date(2026, 1, 15),
            entries=[
                (item, levels[min(len(levels) - 1, (i + shift) % len(levels))], "")
                for i, item in enumerate(items)
            ],
        )
        rating_model.objects.filter(pk__in=[r.pk for r in ratings]).update(
            rater=user, rater_label=user.email
        )


def round_rating_data(world: World) -> dict[str, Any]:
    """A rater's draft in the world's rating round (tests/ratings/world.py)."""
    from trellis.frameworks.models import FrameworkItem, PerformanceLevel

    item = FrameworkItem.objects.filter(
        version__framework_id=world.framework_id, descriptors__isnull=False
    ).first()
    level = PerformanceLevel.objects.get(version__framework_id=world.framework_id, position=2)
    return {"draft": "1", f"level_{item.pk}": level.pk}


def round_new_data(world: World) -> dict[str, Any]:
    return {
        "title": "Spring evaluations",
        "purpose": "evaluation",
        "subject_kind": "person",
        "framework": world.framework_id,
        "subjects": "paula.prince@example.org",
        "raters": "coach@riverbend.test",
        "opens_on": "2026-01-01",
        "closes_on": "2026-12-31",
    }


def correct_data(world: World) -> dict[str, Any]:
    from trellis.frameworks.models import PerformanceLevel

    level = PerformanceLevel.objects.get(version__framework_id=world.framework_id, position=4)
    return {"level": level.pk, "rated_on": "2026-01-20", "evidence": "Corrected."}


ROUND_CASES: list[Case] = [
    Case(
        "round_list",
        lambda w: "/rounds/",
        right="supervisor",
        wrong="analyst",
        wrong_status=200,  # everyone has a list of the rounds they run or rate in
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Mid-year evaluation round",
    ),
    Case(
        "round_new",
        lambda w: "/rounds/new/",
        right="supervisor",
        wrong="teacher",
        outsider="leader_b",
        outsider_status=200,  # leads their own system's rounds; nobody here matches
        method="POST",
        data=round_new_data,
        right_status=302,
    ),
    Case("round_detail", lambda w: f"/rounds/{w.round_id}/", "supervisor", "analyst", "leader_b"),
    Case(
        # A system administrator sees every round of their system (found by the browser walk).
        "round_detail",
        lambda w: f"/rounds/{w.round_id}/",
        right="admin",
        wrong="analyst",
        outsider="admin_b",
        label="administrator",
    ),
    Case(
        "round_advance",
        lambda w: f"/rounds/{w.round_id}/advance/",
        right="supervisor",
        wrong="coach",  # a rater does not run the round
        outsider="leader_b",
        method="POST",
        right_status=302,
        data=lambda w: {"from": "open"},
        # The GET is the confirmation page (found by the browser walk: one click closed it).
        get_status=200,
    ),
    Case(
        "round_rate",
        lambda w: f"/rounds/{w.round_id}/subjects/{w.round_subject_id}/rate/",
        right="coach",
        wrong="analyst",
        outsider="leader_b",
        method="POST",
        data=round_rating_data,
        right_status=302,
    ),
    Case(
        "round_spread",
        lambda w: f"/rounds/{w.round_id}/subjects/{w.round_submitted_subject_id}/",
        right="supervisor",
        wrong="coach",
        outsider="leader_b",
    ),
    Case(
        "rating_correct",
        lambda w: f"/ratings/{w.rating_id}/correct/",
        right="coach",
        wrong="supervisor",
        wrong_status=404,  # somebody else's rating is not found, never revealed
        outsider="leader_b",
        method="POST",
        data=correct_data,
        right_status=302,
    ),
    Case(
        "rating_withdraw",
        lambda w: f"/ratings/{w.rating_id}/withdraw/",
        right="coach",
        wrong="supervisor",
        wrong_status=404,
        outsider="leader_b",
        method="POST",
        right_status=302,
        # A GET goes to the rating's round, once it is found among the rater's own.
        get_status=302,
        wrong_get_status=404,
        outsider_get_status=404,
    ),
]


CASES: list[Case] = [
    Case(
        "levels_edit",
        lambda w: draft_url(w, "levels/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: levels_data(w),
        right_status=302,
    ),
    Case(
        "framework_new",
        lambda w: "/frameworks/new/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "system": w.system.pk,
            "title": "New",
            "kind": "leadership",
            "subject_kind": "person",
            "levels": "Low, High",
        },
        right_status=302,
        outsider_status=200,
    ),
    Case(
        "item_move",
        lambda w: draft_url(w, f"items/{last_child(w)}/move/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"direction": "up"},
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "school_ratings",
        lambda w: f"/schools/{w.school.pk}/ratings/",
        right="principal",
        wrong="interviewer",
        outsider="leader_b",
        exports=("csv", "xlsx"),
    ),
    Case(
        "school_rating_new",
        lambda w: f"/schools/{w.school.pk}/ratings/new/?framework={w.conditions_id}",
        right="principal",
        wrong="teacher",
        outsider="supervisor_far",
        method="POST",
        data=lambda w: template_rating(w, w.conditions_id, "conditions"),
        right_status=302,
    ),
    Case(
        "system_ratings",
        lambda w: f"/systems/{w.system.pk}/ratings/",
        right="leader",
        wrong="analyst",
        outsider="leader_b",
        exports=("csv", "xlsx"),
    ),
    Case(
        "system_rating_new",
        lambda w: f"/systems/{w.system.pk}/ratings/new/?framework={w.success_id}",
        right="leader",
        wrong="analyst",
        outsider="leader_b",
        method="POST",
        data=lambda w: template_rating(w, w.success_id, "self_assessment"),
        right_status=302,
    ),
    Case(
        "framework_crosswalk",
        lambda w: f"/frameworks/{w.framework_id}/crosswalk/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: crosswalk_data(w),
        right_status=302,
        wrong_get_status=200,  # the crosswalk is readable; linking is managed
    ),
    Case(
        "framework_agreement",
        lambda w: f"/frameworks/{w.framework_id}/agreement/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        exports=("csv", "xlsx"),
    ),
    # Built-in templates are shared by every system: a user of system B opening a template's
    # pages must not see what system A did with it.
    Case(
        "framework_agreement",
        lambda w: f"/frameworks/{w.template_id}/agreement/",
        right="admin",  # manages frameworks and reads the progress ratings behind the pairs
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        setup=rate_template_in_system_a,
        # A rater of the pair, by name (the principal rated as Paula Prince).
        hidden_from_outsider=lambda w: w.principal_person.full_name,
        label="built-in template",
        exports=("csv", "xlsx"),
    ),
    Case(
        "framework_crosswalk",
        lambda w: f"/frameworks/{w.template_id}/crosswalk/",
        right="programs",
        wrong="interviewer",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Leading Learning",
        label="built-in template",
    ),
    Case(
        "framework_start",
        lambda w: f"/frameworks/{w.framework_id}/start/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system": w.system.pk, "title": "Our Framework"},
        right_status=302,
    ),
    Case(
        "version_new_draft",
        lambda w: f"/frameworks/{w.framework_id}/new-draft/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "version_publish",
        lambda w: draft_url(w, "publish/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
    ),
    Case(
        "item_add",
        lambda w: draft_url(w, "items/new/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"full_statement": "Leads with data", "human_coding_scheme": "3"},
        right_status=302,
    ),
    Case(
        "item_edit",
        lambda w: draft_url(w, f"items/{draft_item(w)}/edit/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"full_statement": "Changed", "human_coding_scheme": "9"},
        right_status=302,
    ),
    Case(
        "item_delete",
        lambda w: draft_url(w, f"items/{draft_item(w)}/delete/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
    ),
    Case(
        "person_ratings",
        lambda w: f"/people/{w.colleague.pk}/ratings/",
        right="principal",
        wrong="leader",
        outsider="supervisor_far",
        exports=("csv", "xlsx"),
        unrelated_url=lambda w: f"/people/{w.far_person.pk}/ratings/",
    ),
    Case(
        "person_rating_new",
        lambda w: f"/people/{w.colleague.pk}/ratings/new/?framework={w.framework_id}",
        right="coach",
        wrong="leader",
        outsider="supervisor_far",
        method="POST",
        data=lambda w: rating_data(w),
        right_status=302,
    ),
    Case(
        "framework_list",
        lambda w: "/frameworks/",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Leading Learning",
        exports=("csv", "xlsx"),
    ),
    Case(
        "framework_detail",
        lambda w: f"/frameworks/{w.framework_id}/",
        right="teacher",
        wrong="interviewer",
        outsider="leader_b",
        exports=("csv", "xlsx"),
    ),
    Case(
        "framework_case",
        lambda w: f"/frameworks/{w.framework_id}/case.json",
        right="teacher",
        wrong="interviewer",
        outsider="leader_b",
    ),
    # The frameworks' old upload address leads into the import pipeline.
    Case(
        "framework_import",
        lambda w: "/frameworks/import/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        right_status=302,
        outsider_status=302,
    ),
    # A framework file through the pipeline: the upload records a run and checks it.
    Case(
        "import_new",
        lambda w: "/imports/new/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: case_upload(w),
        right_status=302,
        outsider_status=200,
        label="CASE",
    ),
    # Deleting an item and publishing a version ask for confirmation on a page of their own.
    Case(
        "item_delete",
        lambda w: draft_url(w, f"items/{draft_item(w)}/delete/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
    ),
    Case(
        "version_publish",
        lambda w: draft_url(w, "publish/"),
        right="programs",
        wrong="leader",
        outsider="admin_b",
    ),
    Case(
        "network_list",
        lambda w: "/networks/",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.network.name,
        exports=("csv", "xlsx"),
    ),
    Case(
        "network_create",
        lambda w: "/networks/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system_id": w.system.pk, "name": "East Cluster", "code": "east"},
        right_status=302,
        outsider_get_status=200,  # the form, for their own system
        hidden_from_outsider=lambda w: w.system.name,
    ),
    Case(
        "network_edit",
        lambda w: f"/networks/{w.network.pk}/edit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"name": "North Cluster Renamed", "code": "north"},
        right_status=302,
    ),
    Case(
        "partner_list",
        lambda w: "/partners/",
        right="leader",
        wrong="coach",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.partner.name,
        exports=("csv", "xlsx"),
    ),
    Case(
        "partner_create",
        lambda w: "/partners/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system_id": w.system.pk, "name": "Talent Co", "kind": "talent_firm"},
        right_status=302,
        outsider_get_status=200,  # the form, for their own system
        hidden_from_outsider=lambda w: w.system.name,
    ),
    Case(
        "partner_edit",
        lambda w: f"/partners/{w.partner.pk}/edit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"name": "Northstar Renamed", "kind": "pd_provider"},
        right_status=302,
    ),
    Case(
        "home",
        lambda w: "/",
        right="teacher",
        wrong="nobody",
        outsider="leader_b",
        wrong_status=200,
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
    ),
    Case(
        "school_list",
        lambda w: "/schools/",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        exports=("csv", "xlsx"),
    ),
    Case(
        "school_detail",
        lambda w: f"/schools/{w.school.pk}/",
        right="principal",
        wrong="interviewer",
        outsider="leader_b",
    ),
    Case(
        "school_create",
        lambda w: "/schools/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system_id": w.system.pk, "name": "New School", "level": "high"},
        right_status=302,
        outsider_get_status=200,  # the form, for their own system
        hidden_from_outsider=lambda w: w.system.name,
    ),
    Case(
        "school_edit",
        lambda w: f"/schools/{w.school.pk}/edit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"name": "Oak Hill Renamed", "level": "elementary"},
        right_status=302,
    ),
    Case(
        "people_list",
        lambda w: "/people/",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.colleague.family_name,
        exports=("csv", "xlsx"),
    ),
    Case(
        "person_detail",
        lambda w: f"/people/{w.colleague.pk}/",
        right="principal",
        wrong="analyst",
        outsider="supervisor_far",
        unrelated_url=lambda w: f"/people/{w.far_person.pk}/",  # not at their school
    ),
    Case(
        "person_create",
        lambda w: "/people/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system_id": w.system.pk, "given_name": "Nia", "family_name": "New"},
        right_status=302,
        outsider_get_status=200,  # the form, for their own system
        hidden_from_outsider=lambda w: w.system.name,
    ),
    Case(
        "person_edit",
        lambda w: f"/people/{w.colleague.pk}/edit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"given_name": "Cora", "family_name": "Changed"},
        right_status=302,
    ),
    Case(
        "position_add",
        lambda w: f"/people/{w.colleague.pk}/positions/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"kind": "teacher_leader", "school": w.school.pk, "starts_on": "2025-08-01"},
        right_status=302,
    ),
    Case(
        "position_end",
        lambda w: f"/people/{w.colleague.pk}/positions/{position_of(w.colleague)}/end/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"ends_on": today},
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "position_end_reason",
        lambda w: (
            f"/people/{w.colleague.pk}/positions/{ended_position_of(w.colleague)}/end-reason/"
        ),
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"end_reason": "retired"},
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "education_add",
        lambda w: f"/people/{w.colleague.pk}/education/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "institution": "Lakeshore University",
            "degree": "master",
            "completed_year": 2015,
        },
        right_status=302,
    ),
    Case(
        "certification_add",
        lambda w: f"/people/{w.colleague.pk}/certifications/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"name": "Teaching certificate"},
        right_status=302,
    ),
    Case(
        "grant_list",
        lambda w: "/access/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "leader@riverbend.test",
        exports=("csv", "xlsx"),
    ),
    Case(
        "grant_create",
        lambda w: "/access/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "email": "new.person@riverbend.test",
            "role": "coach",
            "system": w.system.pk,
        },
        right_status=302,
        outsider_status=200,
    ),
    Case(
        "grant_end",
        lambda w: f"/access/{grant_of(w, 'coach')}/end/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=302,  # to the grants, once the grant is found
        wrong_get_status=403,
        outsider_get_status=404,
    ),
    Case(
        "audit_log",
        lambda w: "/audit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        # The latest events are the world's last writes (its selection cycle), by riverbend's
        # accounts; the other system's administrator sees only lakeside's.
        hidden_from_outsider=lambda w: "@riverbend.test",
        exports=("csv", "xlsx"),
    ),
    # Your own account page: every signed-in user has one; nothing of another's shows.
    Case(
        "account_settings",
        lambda w: "/account/",
        right="teacher",
        wrong="nobody",
        outsider="leader_b",
        wrong_status=200,
        outsider_status=200,
        hidden_from_outsider=lambda w: "laptop",
    ),
    Case(
        "account_settings",
        lambda w: "/account/",
        right="teacher",
        wrong="nobody",
        outsider="leader_b",
        method="POST",
        data=lambda w: {"name": "warehouse sync"},
        wrong_status=200,
        outsider_status=200,
        own_record=True,
        hidden_from_outsider=lambda w: "laptop",
    ),
    Case(
        "api_token_revoke",
        lambda w: f"/account/tokens/{w.token_id}/revoke/",  # type: ignore[attr-defined]
        right="teacher",
        wrong="principal",
        outsider="leader_b",
        method="POST",
        right_status=302,
        wrong_status=404,
        get_status=302,  # to the account page, for one's own token
        wrong_get_status=404,
        outsider_get_status=404,
    ),
    # Imports (system administrators only).
    Case(
        "import_list",
        lambda w: "/imports/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "riverbend-nightly",
        exports=("csv", "xlsx"),
    ),
    Case(
        "import_new",
        lambda w: "/imports/new/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: upload_data(w),
        right_status=302,
        outsider_status=200,
    ),
    Case(
        "import_detail",
        lambda w: f"/imports/{w.import_run_id}/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        exports=("csv",),
    ),
    Case(
        "import_progress",
        lambda w: f"/imports/{w.import_run_id}/progress/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
    ),
    Case(
        "import_commit",
        lambda w: f"/imports/{w.import_run_id}/commit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "import_discard",
        lambda w: f"/imports/{w.import_run_id}/discard/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "import_rerun",
        lambda w: interrupted_run_url(w),
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
        get_status=302,
        wrong_get_status=403,  # the role holds no such action
    ),
    Case(
        "import_settings",
        lambda w: "/imports/settings/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system_id": w.system.pk, "mass_removal_percent": "15"},
        right_status=302,
        # Another system's administrator opens the page for their own systems only.
        outsider_get_status=200,
        hidden_from_outsider=lambda w: w.system.name,
    ),
    Case(
        "role_mapping",
        lambda w: "/imports/role-mapping/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "system_id": w.system.pk,
            "oneroster_role": "aide",
            "position_kind": "teacher",
        },
        right_status=302,
        outsider_get_status=200,  # the form, for their own system
        hidden_from_outsider=lambda w: w.system.name,
    ),
    # The API: the same rules, as JSON.
    Case(
        "api:me",
        lambda w: "/api/v1/me",
        right="teacher",
        wrong="nobody",
        outsider="leader_b",
        wrong_status=200,
        outsider_status=200,
        api=True,
    ),
    Case(
        "api:list_schools",
        lambda w: "/api/v1/schools",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.school.name,
        api=True,
    ),
    Case(
        "api:get_school",
        lambda w: f"/api/v1/schools/{w.school.pk}",
        right="principal",
        wrong="interviewer",
        outsider="leader_b",
        api=True,
    ),
    Case(
        "api:list_people",
        lambda w: "/api/v1/people",
        right="leader",
        wrong="partner",
        outsider="leader_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.colleague.family_name,
        api=True,
    ),
    Case(
        "api:get_person",
        lambda w: f"/api/v1/people/{w.colleague.pk}",
        right="principal",
        wrong="analyst",
        outsider="supervisor_far",
        api=True,
        unrelated_url=lambda w: f"/api/v1/people/{w.far_person.pk}",
    ),
    # Issue 8: assignments and relationship scopes. "outsider" in the relationship cases is the
    # right role with the wrong relationship (a coach on someone else's coachee): 404.
    Case(
        "assignment_list",
        lambda w: "/assignments/",
        right="supervisor",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.colleague.full_name,
        exports=("csv", "xlsx"),
    ),
    Case(
        "assignment_create",
        lambda w: "/assignments/new/",
        right="supervisor",
        wrong="coach",
        outsider="admin_b",
        method="POST",
        data=lambda w: {
            "kind": "mentoring",
            "supporter": "sam.supervisor@example.org",
            "assignee": w.teacher_person.email,
        },
        right_status=302,
        outsider_status=200,
    ),
    Case(
        # The assignment form's search box (found by the browser walk: no search by name).
        "assignment_people",
        lambda w: "/assignments/people/?field=assignee&assignee=teller",
        right="supervisor",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.teacher_person.full_name,
    ),
    Case(
        "assignment_end",
        lambda w: f"/assignments/{assignment_of(w, w.colleague)}/end/",
        right="supervisor",
        wrong="leader",
        outsider="supervisor_far",
        method="POST",
        right_status=302,
        # The GET is the confirmation page (found by the browser walk: one click ended it).
        get_status=200,
    ),
    Case(
        "caseloads",
        lambda w: "/assignments/caseloads/",
        right="supervisor",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.principal_person.full_name,
        exports=("csv", "xlsx"),
    ),
    Case(
        "caseload_target",
        lambda w: "/assignments/targets/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: {"system": w.system.pk, "kind": "supervision", "target": 6},
        right_status=302,
        # Another system's administrator cannot choose this system: the form refuses it.
        outsider_status=302,
        get_status=302,  # to the caseloads (no object: the same for all)
        wrong_get_status=403,
    ),
    Case(
        "person_detail",
        lambda w: f"/people/{w.colleague.pk}/",
        right="coach",  # Cora is the coach's coachee
        wrong="analyst",
        outsider="supervisor_far",
    ),
    Case(
        "person_detail",
        lambda w: f"/people/{w.teacher_person.pk}/",
        right="principal",
        wrong="analyst",
        outsider="coach",  # not the coach's coachee
    ),
    Case(
        "person_ratings",
        lambda w: f"/people/{w.teacher_person.pk}/ratings/",
        right="principal",
        wrong="leader",
        outsider="coach",  # not the coach's coachee
        exports=("csv", "xlsx"),
    ),
    Case(
        "person_rating_new",
        lambda w: f"/people/{w.teacher_person.pk}/ratings/new/?framework={w.framework_id}",
        right="principal",
        wrong="leader",
        outsider="coach",  # not the coach's coachee
        method="POST",
        data=lambda w: rating_data(w),
        right_status=302,
    ),
    Case(
        "person_rating_new",
        lambda w: f"/people/{w.principal_person.pk}/ratings/new/?framework={w.framework_id}",
        right="supervisor",  # Paula is on the supervisor's caseload
        wrong="leader",
        outsider="supervisor_far",
        method="POST",
        data=lambda w: rating_data(w),
        right_status=302,
    ),
    Case(
        # Without ?framework=: a page to choose one (found by the browser walk: a bare 404).
        "person_rating_new",
        lambda w: f"/people/{w.teacher_person.pk}/ratings/new/",
        right="principal",
        wrong="leader",
        outsider="coach",  # not the coach's coachee
        label="choose a framework",
    ),
]

CASES += ROUND_CASES

# Issue 9: programs, cohorts and participant records (tests/programs/cases.py).
from tests.programs.cases import PROGRAM_CASES  # noqa: E402

CASES += PROGRAM_CASES
from tests.selection.matrix_cases import SELECTION_CASES  # noqa: E402

CASES += SELECTION_CASES
# Issue 12: daily attendance (tests/attendance/cases.py).
from tests.attendance.cases import ATTENDANCE_CASES  # noqa: E402

CASES += ATTENDANCE_CASES

# Issue 10: coaching sessions, next steps, protocols (tests/coaching/cases.py).
from tests.coaching.cases import COACHING_CASES  # noqa: E402

CASES += COACHING_CASES

# Issue 11: surveys, assessments and the impact report (tests/surveys/cases.py).
from tests.surveys.cases import SURVEY_CASES  # noqa: E402

CASES += SURVEY_CASES

# Issue 10: supervision and evaluation cycles (tests/evaluations/cases.py).
from tests.evaluations.cases import EVALUATION_CASES  # noqa: E402

CASES += EVALUATION_CASES
# Issue 10: videos of practice and their time-stamped comments (tests/coaching/video_cases.py).
from tests.coaching.video_cases import VIDEO_CASES  # noqa: E402

CASES += VIDEO_CASES

# Issue 10: classroom visits, leadership time, dosage and its set-up (tests/coaching/cases.py).
from tests.coaching.cases import SUPPORT_CASES  # noqa: E402

CASES += SUPPORT_CASES
# Issue 11: professional learning, PD sessions and communities (tests/learning/cases.py).
from tests.learning.cases import LEARNING_CASES  # noqa: E402

CASES += LEARNING_CASES
