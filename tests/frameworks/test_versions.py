"""Templates, drafts and published versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import World
from trellis.frameworks.models import Descriptor, FrameworkItem
from trellis.frameworks.services import (
    framework_start_from,
    framework_templates_install,
    item_save,
    version_new_draft,
    version_publish,
)


def test_built_in_templates_are_complete_and_installed_once(world: World) -> None:
    first = framework_templates_install()
    again = framework_templates_install()
    assert [v.pk for v in first] == [v.pk for v in again]
    leadership, conditions, success, teacher = first
    competencies = leadership.items.filter(parent__isnull=False)
    assert leadership.items.filter(parent__isnull=True).count() == 5
    assert 20 <= competencies.count() <= 30
    assert [lv.name for lv in leadership.levels.all()] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Exemplary",
    ]
    # every competency has a descriptor at every level
    assert Descriptor.objects.filter(item__in=competencies).count() == competencies.count() * 4
    assert conditions.items.filter(parent__isnull=False).count() == 4
    assert [lv.score for lv in conditions.levels.all()] == [1.0, 2.0, 3.0, 4.0]
    assert success.levels.count() == 3
    assert teacher.items.filter(parent__isnull=False).count() == 12


def test_a_district_starts_from_a_template_edits_the_draft_and_publishes(world: World) -> None:
    template = framework_templates_install()[0]
    pm = world.users["programs"]
    draft = framework_start_from(
        actor=pm, source=template, system=world.system, title="Riverbend Leadership"
    )
    assert not draft.is_published
    assert draft.items.count() == template.items.count()
    domain = draft.items.filter(parent__isnull=True).first()
    levels = list(draft.levels.all())
    added = item_save(
        actor=pm,
        version=draft,
        item=None,
        parent=domain,
        full_statement="Leads the school's data team",
        human_coding_scheme="1.9",
        item_type="Competency",
        descriptors={levels[0].pk: "Not yet."},
    )
    assert added.position == domain.children.count()
    version_publish(actor=pm, version=draft)
    with pytest.raises(ValidationError, match="read-only"):
        item_save(
            actor=pm,
            version=draft,
            item=added,
            parent=domain,
            full_statement="x",
            human_coding_scheme="",
            item_type="",
            descriptors={},
        )
    nxt = version_new_draft(actor=pm, framework=draft.framework)
    assert nxt.number == 2 and not nxt.is_published
    # competencies keep their identifiers across versions, so ratings line up over time
    assert set(nxt.items.values_list("case_identifier", flat=True)) == set(
        draft.items.values_list("case_identifier", flat=True)
    )
    with pytest.raises(ValidationError, match="already has a draft"):
        version_new_draft(actor=pm, framework=draft.framework)


def test_leaders_cannot_edit_frameworks(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    template = framework_templates_install()[0]
    with pytest.raises(PermissionDenied):
        framework_start_from(actor=world.users["leader"], source=template, system=world.system)
    assert not FrameworkItem.objects.filter(
        version__framework__system=world.system, version__framework__title__contains="Trellis"
    ).exists()


def test_crosswalk_links_show_side_by_side_and_export_as_case(world: World) -> None:
    import json
    from pathlib import Path

    from trellis.frameworks.models import FrameworkVersion
    from trellis.frameworks.selectors import build_package

    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    other = FrameworkVersion.objects.get(framework_id=world.draft_framework_id)
    origin = version.items.get(human_coding_scheme="1.A")
    destination = other.items.get(human_coding_scheme="1.B")
    client = world.client("programs")
    url = f"/frameworks/{world.framework_id}/crosswalk/"
    client.post(
        url,
        {
            "with": world.draft_framework_id,
            "origin": origin.pk,
            "destination": destination.pk,
            "association_type": "exactMatchOf",
        },
    )
    again = client.post(
        url,
        {
            "with": world.draft_framework_id,
            "origin": origin.pk,
            "destination": destination.pk,
            "association_type": "exactMatchOf",
        },
        follow=True,
    )
    assert "already linked" in again.content.decode()
    page = client.get(f"{url}?with={world.draft_framework_id}")
    linked = {
        row["item"].human_coding_scheme: [str(link.destination_item) for link in row["links"]]
        for row in page.context["rows"]
    }
    assert linked["1.A"] == [str(destination)] and linked["1.B"] == []
    package = build_package(version, base_uri="https://trellis.test")
    match = [a for a in package["CFAssociations"] if a["associationType"] == "exactMatchOf"]
    assert match[0]["destinationNodeURI"]["identifier"] == destination.case_identifier
    schema = (
        Path(__file__).resolve().parents[3]
        / "shared"
        / "data"
        / "external"
        / "case-schema"
        / "case-v1p1-cfpackage.json"
    )
    if schema.exists():
        import jsonschema

        spec = json.loads(schema.read_text())
        validator = jsonschema.validators.validator_for(spec)
        assert not list(
            validator(spec, format_checker=validator.FORMAT_CHECKER).iter_errors(package)
        )


def test_a_new_framework_is_built_from_nothing_and_reordered(world: World) -> None:
    client = world.client("programs")
    bad = client.post(
        "/frameworks/new/",
        {
            "system": world.system.pk,
            "title": "Coaching",
            "kind": "leadership",
            "subject_kind": "person",
            "levels": "Only",
        },
    )
    assert "Name at least two performance levels." in bad.content.decode()
    client.post(
        "/frameworks/new/",
        {
            "system": world.system.pk,
            "title": "Coaching",
            "kind": "leadership",
            "subject_kind": "person",
            "levels": "Emerging, Solid, Strong",
        },
    )
    from trellis.frameworks.models import Framework

    framework = Framework.objects.get(title="Coaching")
    version = framework.versions.get()
    assert [lv.name for lv in version.levels.all()] == ["Emerging", "Solid", "Strong"]
    base = f"/frameworks/{framework.pk}/v1/items"
    for code in ("A", "B", "C"):
        client.post(f"{base}/new/", {"full_statement": f"Item {code}", "human_coding_scheme": code})
    c = version.items.get(human_coding_scheme="C")
    client.post(f"{base}/{c.pk}/move/", {"direction": "up"})
    client.post(f"{base}/{c.pk}/move/", {"direction": "up"})
    assert [i.human_coding_scheme for i in version.items.order_by("position")] == ["C", "A", "B"]
    client.post(f"/frameworks/{framework.pk}/v1/publish/")
    version.refresh_from_db()
    assert version.is_published


def test_levels_of_a_draft_are_renamed_and_extended(world: World) -> None:
    from trellis.frameworks.models import FrameworkVersion

    version = FrameworkVersion.objects.get(framework_id=world.draft_framework_id)
    levels = list(version.levels.all())
    data: dict[str, object] = {f"name_{lv.pk}": lv.name for lv in levels}
    data |= {f"score_{lv.pk}": lv.score for lv in levels}
    data[f"name_{levels[0].pk}"] = "Not yet"
    data["new_level"] = "Distinguished"
    url = f"/frameworks/{world.draft_framework_id}/v1/levels/"
    assert world.client("programs").post(url, data).status_code == 302
    assert [lv.name for lv in version.levels.all()] == [
        "Not yet",
        "Developing",
        "Proficient",
        "Exemplary",
        "Distinguished",
    ]
    data = {f"name_{lv.pk}": lv.name for lv in version.levels.all()}
    data[f"name_{levels[1].pk}"] = "Not yet"
    response = world.client("programs").post(url, data)
    assert "Each level needs its own name." in response.content.decode()
