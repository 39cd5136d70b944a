"""The role-matrix harness. Every page and API operation has a Case: the right role gets through,
a wrong role (in scope, not allowed) gets 403, an outsider (another system or place) gets 404 or
sees none of this system's records, an anonymous visitor is sent to sign in; on denial nothing is
written. Later capabilities add their Cases to CASES."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

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
    # For list pages an outsider gets 200 but must not see this text.
    hidden_from_outsider: Callable[[World], str] | None = None
    api: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def interrupted_run_url(w: World) -> str:
    """The world's checked run, as if its worker had died (no row is added: counts compare)."""
    from trellis.imports.models import ImportRun

    ImportRun.objects.filter(pk=w.import_run_id).update(status=ImportRun.Status.INTERRUPTED)
    return f"/imports/{w.import_run_id}/rerun/"


def row_counts() -> dict[str, int]:
    """How many rows each Trellis model (and the MFA authenticators) holds: compared before and
    after a denied request to prove nothing was written."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.app_label
        if label in {
            "core",
            "orgs",
            "people",
            "students",
            "accounts",
            "authz",
            "mfa",
            "rosters",
            "frameworks",
            "ratings",
            "assignments",
        }:
            counts[model._meta.label] = model.objects.count()
    return counts


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
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.frameworks.packages import rubric_package

    # The world already holds this package; a copy under another document identifier.
    text = json.dumps(rubric_package()).replace(
        "0a000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000001"
    )
    return {
        "system": world.system.pk,
        "kind": "leadership",
        "subject_kind": "person",
        "file": SimpleUploadedFile("case.json", text.encode()),
    }


def staged_case(world: World) -> dict[str, Any]:
    """A previewed CASE upload waiting for its confirmation (the token the preview page holds)."""
    from trellis.frameworks.uploads import stage

    content = case_upload(world)["file"].read()
    token = stage(
        content,
        filename="case.json",
        system_id=world.system.pk,
        kind="leadership",
        subject_kind="person",
    )
    return {"token": token}


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
        "round_advance",
        lambda w: f"/rounds/{w.round_id}/advance/",
        right="supervisor",
        wrong="coach",  # a rater does not run the round
        outsider="leader_b",
        method="POST",
        right_status=302,
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
    ),
    Case(
        "school_ratings",
        lambda w: f"/schools/{w.school.pk}/ratings/",
        right="principal",
        wrong="interviewer",
        outsider="leader_b",
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
    ),
    Case(
        "framework_agreement",
        lambda w: f"/frameworks/{w.framework_id}/agreement/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
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
    ),
    Case(
        "framework_detail",
        lambda w: f"/frameworks/{w.framework_id}/",
        right="teacher",
        wrong="interviewer",
        outsider="leader_b",
    ),
    Case(
        "framework_case",
        lambda w: f"/frameworks/{w.framework_id}/case.json",
        right="teacher",
        wrong="interviewer",
        outsider="leader_b",
    ),
    Case(
        "framework_import",
        lambda w: "/frameworks/import/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
    ),
    # The upload itself only previews (nothing written); the confirmation writes.
    Case(
        "framework_import_confirm",
        lambda w: "/frameworks/import/confirm/",
        right="programs",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        data=lambda w: staged_case(w),
        right_status=302,
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
    ),
    Case(
        "person_detail",
        lambda w: f"/people/{w.colleague.pk}/",
        right="principal",
        wrong="analyst",
        outsider="supervisor_far",
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
    ),
    Case(
        "audit_log",
        lambda w: "/audit/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: "Oak Hill Elementary",
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
        "api_token_revoke",
        lambda w: f"/account/tokens/{w.token_id}/revoke/",  # type: ignore[attr-defined]
        right="teacher",
        wrong="principal",
        outsider="leader_b",
        method="POST",
        right_status=302,
        wrong_status=404,
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
    ),
    Case(
        "import_discard",
        lambda w: f"/imports/{w.import_run_id}/discard/",
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
    ),
    Case(
        "import_rerun",
        lambda w: interrupted_run_url(w),
        right="admin",
        wrong="leader",
        outsider="admin_b",
        method="POST",
        right_status=302,
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
        "assignment_end",
        lambda w: f"/assignments/{assignment_of(w, w.colleague)}/end/",
        right="supervisor",
        wrong="leader",
        outsider="supervisor_far",
        method="POST",
        right_status=302,
    ),
    Case(
        "caseloads",
        lambda w: "/assignments/caseloads/",
        right="supervisor",
        wrong="coach",
        outsider="admin_b",
        outsider_status=200,
        hidden_from_outsider=lambda w: w.principal_person.full_name,
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
]

CASES += ROUND_CASES
