"""Guard rails on editing a framework (issue 7 item 19)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.conftest import World
from trellis.frameworks.models import FrameworkItem, FrameworkVersion, PerformanceLevel
from trellis.frameworks.services import item_save, levels_save


def draft(world: World) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework_id=world.draft_framework_id)


def published(world: World) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework_id=world.framework_id)


def test_item19_level_scores_must_be_distinct_and_rise_with_the_level(world: World) -> None:
    version = draft(world)
    levels = list(version.levels.all())
    data: dict[str, object] = {f"name_{lv.pk}": lv.name for lv in levels}
    data |= {f"score_{lv.pk}": s for lv, s in zip(levels, [1, 2, 1, -5], strict=True)}
    url = f"/frameworks/{world.draft_framework_id}/v1/levels/"
    response = world.client("programs").post(url, data)
    assert response.status_code == 200
    assert "must be higher than the score of the level below" in response.content.decode()
    assert [lv.score for lv in version.levels.all()] == [1.0, 2.0, 3.0, 4.0]
    # the service holds the same rule
    with pytest.raises(ValidationError, match="higher than"):
        levels_save(
            actor=world.users["programs"],
            version=version,
            names={lv.pk: (lv.name, 2.0) for lv in levels},
        )
    with pytest.raises(ValidationError, match="every level a score, or none"):
        levels_save(
            actor=world.users["programs"],
            version=version,
            names={levels[0].pk: (levels[0].name, None)},
        )
    # rising scores save, and a level added on top scores above the highest
    data |= {f"score_{lv.pk}": s for lv, s in zip(levels, [0, 10, 20, 30], strict=True)}
    data["new_level"] = "Distinguished"
    saved = world.client("programs").post(url, data, follow=True)
    assert "The performance levels are saved." in saved.content.decode()
    assert [lv.score for lv in version.levels.all()] == [0.0, 10.0, 20.0, 30.0, 31.0]


def test_item19_duplicate_codes_are_refused_in_the_form_and_the_database(world: World) -> None:
    version = draft(world)
    client = world.client("programs")
    before = version.items.count()
    response = client.post(
        f"/frameworks/{world.draft_framework_id}/v1/items/new/",
        {"full_statement": "Another", "human_coding_scheme": "1.A"},
    )
    assert response.status_code == 200
    assert "The code 1.A is already used by" in response.content.decode()
    assert version.items.count() == before
    other = version.items.get(human_coding_scheme="1.B")
    edit = client.post(
        f"/frameworks/{world.draft_framework_id}/v1/items/{other.pk}/edit/",
        {"full_statement": other.full_statement, "human_coding_scheme": "1.A"},
    )
    assert "The code 1.A is already used by" in edit.content.decode()
    # saving an item under its own code is fine
    kept = item_save(
        actor=None,
        version=version,
        item=other,
        parent=other.parent,
        full_statement="Reworded",
        human_coding_scheme="1.B",
        item_type="",
        descriptors={},
    )
    assert kept.full_statement == "Reworded"
    # the database holds the rule too; empty codes may repeat
    with pytest.raises(IntegrityError), transaction.atomic():
        FrameworkItem.objects.create(
            version=version, case_identifier="dup", full_statement="x", human_coding_scheme="1.A"
        )
    for n in (1, 2):
        FrameworkItem.objects.create(version=version, case_identifier=f"e{n}", full_statement="x")


@pytest.mark.parametrize(
    "tail",
    ["items/new/", "items/{item}/edit/", "items/{item}/delete/", "levels/", "publish/"],
)
def test_item19_forms_of_a_published_version_answer_403_on_get(world: World, tail: str) -> None:
    version = published(world)
    item = version.items.first()
    assert item is not None
    url = f"/frameworks/{world.framework_id}/v1/{tail.format(item=item.pk)}"
    client = world.client("programs")
    assert client.get(url).status_code == 403
    assert client.post(url, {"full_statement": "x"}).status_code == 403
    assert version.items.filter(full_statement="x").count() == 0


def test_item19_deleting_an_item_asks_for_confirmation_first(world: World) -> None:
    version = draft(world)
    domain = version.items.get(human_coding_scheme="1")
    url = f"/frameworks/{world.draft_framework_id}/v1/items/{domain.pk}/delete/"
    client = world.client("programs")
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "The 2 items under it are deleted too." in text
    assert 'method="post"' in text and "Delete it and the 2 under it" in text
    assert version.items.count() == 3  # asking deleted nothing
    detail = client.get(f"/frameworks/{world.draft_framework_id}/?version=1").content.decode()
    assert f'href="{url}"' in detail  # the grid links to the confirmation, not a bare POST
    done = client.post(url, follow=True)
    assert "Deleted “1 Competency 1”." in done.content.decode()
    assert version.items.count() == 0


def test_item19_publishing_asks_for_confirmation_first(world: World) -> None:
    version = draft(world)
    url = f"/frameworks/{world.draft_framework_id}/v1/publish/"
    client = world.client("programs")
    page = client.get(url)
    assert page.status_code == 200
    assert "Publishing cannot be undone" in page.content.decode()
    version.refresh_from_db()
    assert not version.is_published
    done = client.post(url, follow=True)
    assert "is published and now read-only" in done.content.decode()
    version.refresh_from_db()
    assert version.is_published


def test_item19_saving_an_item_says_so(world: World) -> None:
    version = draft(world)
    item = version.items.get(human_coding_scheme="1.A")
    response = world.client("programs").post(
        f"/frameworks/{world.draft_framework_id}/v1/items/{item.pk}/edit/",
        {"full_statement": "Leads learning", "human_coding_scheme": "1.A"},
        follow=True,
    )
    assert "Saved “1.A Leads learning”." in response.content.decode()


def test_item19_templates_and_the_world_hold_unique_codes(world: World) -> None:
    """The new database rule fits every built-in template (and so the demo)."""
    from django.db.models import Count

    assert not (
        FrameworkItem.objects.exclude(human_coding_scheme="")
        .values("version", "human_coding_scheme")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    assert PerformanceLevel.objects.exists()
