"""Performance bands come in through the one import pipeline (coach-visits): a preview that
writes nothing, errors by row, one commit, and the same file again changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import World
from trellis.coaching import selectors
from trellis.coaching.models import SchoolNeedProfile
from trellis.core.models import AuditEvent
from trellis.imports.models import ImportRun


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    return module_world


def upload(world: World, content: bytes) -> ImportRun:
    client = world.client("admin")
    response = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": "need_profiles",
            "file": SimpleUploadedFile("bands.csv", content),
        },
        follow=True,
    )
    assert response.status_code == 200
    return ImportRun.objects.filter(kind="need_profiles").order_by("-pk").first()  # type: ignore[return-value]


def test_bands_import_previews_commits_and_says_when_nothing_changes(world: World) -> None:
    assert "School performance bands" in world.client("admin").get("/imports/new/").content.decode()
    bad = upload(world, b"school,performance_band\nNowhere High,2\nPine Ridge Middle,7\n")
    assert bad.status != "ready"
    reasons = " ".join(str(p.get("reason")) for p in bad.errors)
    assert bad.error_count == 2
    assert "Nowhere High" in reasons and "'7' is not a band" in reasons
    assert {p.get("row") for p in bad.errors} == {2, 3}
    assert not SchoolNeedProfile.objects.filter(school=world.other_school).exists()

    content = b"school,performance_band\nOak Hill Elementary,2\nPine Ridge Middle,1\n"
    run = upload(world, content)
    assert run.status == "ready"
    assert run.summary["need profiles"] == {"added": 1, "changed": 1, "unchanged": 0}
    assert not SchoolNeedProfile.objects.filter(school=world.other_school).exists()  # preview
    world.client("admin").post(f"/imports/{run.pk}/commit/", follow=True)
    run.refresh_from_db()
    assert run.status == "done"
    bands = dict(
        SchoolNeedProfile.objects.filter(system=world.system).values_list(
            "school_id", "performance_band"
        )
    )
    assert bands == {world.school.pk: 2, world.other_school.pk: 1}
    assert AuditEvent.objects.filter(action="coaching.performance_bands_import").count() == 1
    # Pine Ridge is now on band 1: Intensive by the world's rule; Oak Hill falls to Universal.
    supports = selectors.school_supports([world.school, world.other_school])
    assert supports[world.other_school.pk].tier.name == "Intensive"
    assert supports[world.school.pk].tier.name == "Universal"

    again = upload(world, content)
    assert again.summary["need profiles"] == {"added": 0, "changed": 0, "unchanged": 2}
    assert AuditEvent.objects.filter(action="coaching.performance_bands_import").count() == 1
