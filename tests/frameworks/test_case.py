"""CASE in and out: every public OpenSALT package imports; exports validate against the official
CASE 1.1 package schema; import → export → import loses nothing."""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.frameworks.packages import rubric_package
from trellis.frameworks.models import FrameworkVersion
from trellis.frameworks.selectors import build_package
from trellis.frameworks.services import framework_import_case
from trellis.orgs.models import System
from trellis.orgs.services import system_create

pytestmark = pytest.mark.django_db
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
OPENSALT = sorted((SHARED / "case-opensalt").rglob("*.json")) if SHARED.exists() else []
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared (public sample data) is not present"
)


@pytest.fixture
def system() -> System:
    return system_create(actor=None, code="riverbend", name="Riverbend Public Schools")


def validator() -> Any:
    import jsonschema

    schema = json.loads((SHARED / "case-schema" / "case-v1p1-cfpackage.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def export(version: FrameworkVersion) -> dict[str, Any]:
    return build_package(version, base_uri="https://trellis.test")


def shape(package: dict[str, Any]) -> dict[str, Any]:
    """What a round trip must keep: identifiers, URIs, codes, order, associations, levels."""
    items = {
        i["identifier"]: (
            i["uri"],
            i.get("humanCodingScheme"),
            i["fullStatement"],
            i.get("CFItemType"),
        )
        for i in package["CFItems"]
    }
    tree = sorted(
        (
            a["identifier"],
            a["originNodeURI"]["identifier"],
            a["destinationNodeURI"]["identifier"],
            a.get("sequenceNumber"),
            a["associationType"],
        )
        for a in package["CFAssociations"]
    )
    levels = sorted(
        (
            c["CFItemURI"]["identifier"],
            lv["identifier"],
            lv.get("quality"),
            lv.get("score"),
            lv.get("position"),
            lv.get("description"),
        )
        for r in package.get("CFRubrics", [])
        for c in r["CFRubricCriteria"]
        for lv in c["CFRubricCriterionLevels"]
    )
    return {
        "doc": (
            package["CFDocument"]["identifier"],
            package["CFDocument"]["uri"],
            package["CFDocument"]["title"],
        ),
        "items": items,
        "tree": tree,
        "levels": levels,
    }


@needs_shared
@pytest.mark.parametrize("path", OPENSALT, ids=lambda p: p.name)
def test_every_opensalt_package_imports_and_exports_valid_case_1_1(
    system: System, path: Path
) -> None:
    raw = path.read_bytes()
    source = json.loads(raw)
    version = framework_import_case(actor=None, system=system, raw=raw)
    assert version.items.count() == len(source.get("CFItems") or [])
    package = export(version)
    errors = sorted(validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@needs_shared
def test_the_703_item_ccss_draft_imports_in_seconds(system: System) -> None:
    raw = (SHARED / "case-opensalt" / "historical" / "math_cfs_sample.json").read_bytes()
    started = time.monotonic()
    version = framework_import_case(actor=None, system=system, raw=raw)
    elapsed = time.monotonic() - started
    assert version.items.count() == 703
    assert version.items.filter(parent__isnull=False).count() > 600
    assert elapsed < 5, elapsed


@needs_shared
@pytest.mark.parametrize(
    "name",
    [
        "Ordering.json",
        "SmartLevelFramework.json",
        "SequenceNumberFramework.json",
        "MarkdownFramework.json",
        "Utf8TestFramework.json",
        "opensalt-framework-20c5134f-423d-4097-a971-3dd5152bf507.json",
    ],
)
def test_round_trip_is_lossless(name: str) -> None:
    path = next(p for p in OPENSALT if p.name == name)
    first_system = system_create(actor=None, code="first", name="First")
    second_system = system_create(actor=None, code="second", name="Second")
    first = export(framework_import_case(actor=None, system=first_system, raw=path.read_bytes()))
    second = export(framework_import_case(actor=None, system=second_system, raw=json.dumps(first)))
    assert shape(first) == shape(second)
    source = json.loads(path.read_bytes())
    # Identifiers, URIs and codes of the original survive the first trip.
    for item in source.get("CFItems") or []:
        uri, code, statement, _kind = shape(first)["items"][item["identifier"]]
        assert uri == item["uri"] and statement == item["fullStatement"]
        assert code == item.get("humanCodingScheme")


@needs_shared
def test_sequence_numbers_order_siblings(system: System) -> None:
    path = next(p for p in OPENSALT if p.name == "SequenceNumberFramework.json")
    source = json.loads(path.read_bytes())
    version = framework_import_case(actor=None, system=system, raw=path.read_bytes())
    by_seq = sorted(
        (int(a["sequenceNumber"]), a["originNodeURI"]["identifier"])
        for a in source["CFAssociations"]
        if a["associationType"] == "isChildOf"
    )
    assert [i.case_identifier for i in version.items.filter(parent__isnull=True)] == [
        identifier for _, identifier in by_seq
    ]


def test_rubrics_import_and_export(system: System) -> None:
    source = rubric_package()
    version = framework_import_case(actor=None, system=system, raw=json.dumps(source))
    assert [level.name for level in version.levels.all()] == [
        "Beginning",
        "Developing",
        "Proficient",
        "Exemplary",
    ]
    root = version.items.get(parent__isnull=True)
    assert [c.human_coding_scheme for c in root.children.all()] == ["1.B", "1.A"]
    package = export(version)
    assert shape(package) == shape(source)
    if SHARED.exists():
        assert not list(validator().iter_errors(package))


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda p: p.__setitem__("CFDocument", {}), r"CFDocument.identifier: is missing"),
        (lambda p: p["CFItems"].append(dict(p["CFItems"][0])), r"is already used by CFItems\[0\]"),
        (
            lambda p: p["CFAssociations"][1]["destinationNodeURI"].__setitem__(
                "identifier", "nowhere"
            ),
            "neither the document nor an item",
        ),
        (
            lambda p: p["CFAssociations"][0].__setitem__(
                "destinationNodeURI", dict(p["CFAssociations"][1]["originNodeURI"])
            ),
            "cycle",
        ),
        (
            lambda p: p["CFRubrics"][0]["CFRubricCriteria"][0]["CFItemURI"].__setitem__(
                "identifier", "ghost"
            ),
            "not an item",
        ),
    ],
)
def test_bad_packages_are_refused_naming_the_item_and_write_nothing(
    system: System, mutate: Any, words: str
) -> None:
    package = rubric_package()
    mutate(package)
    with pytest.raises(ValidationError, match=words):
        framework_import_case(actor=None, system=system, raw=json.dumps(package))
    assert not FrameworkVersion.objects.exists()


def test_malformed_json_is_refused(system: System) -> None:
    with pytest.raises(ValidationError, match="not valid JSON"):
        framework_import_case(actor=None, system=system, raw=b"{not json")


def test_command_line_import_and_export(system: System, tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text(json.dumps(rubric_package()))
    out = StringIO()
    call_command("import_case", str(path), "--system", "riverbend", stdout=out)
    assert "3 items, 4 levels" in out.getvalue()
    exported = StringIO()
    call_command("export_case", "0a000000-0000-4000-8000-000000000001", stdout=exported)
    package = json.loads(exported.getvalue())
    assert package["CFDocument"]["caseVersion"] == "1.1"
    assert len(package["CFRubrics"][0]["CFRubricCriteria"]) == 2
    # Item 5: the same package again changes nothing, and says so.
    again = StringIO()
    call_command("import_case", str(path), "--system", "riverbend", stdout=again)
    assert "Nothing changed" in again.getvalue()
    assert FrameworkVersion.objects.count() == 1
    with pytest.raises(CommandError, match="No framework"):
        call_command("export_case", "nope")


def test_framework_pages_show_the_rubric_search_and_export(system: System) -> None:
    from tests.conftest import make_user
    from trellis.authz.roles import Role

    version = framework_import_case(actor=None, system=system, raw=json.dumps(rubric_package()))
    leader = make_user(system, "leader@riverbend.test", Role.DISTRICT_LEADER, system=system)
    from django.test import Client

    client = Client()
    client.force_login(leader)
    page = client.get(f"/frameworks/{version.framework_id}/").content.decode()
    for text in ("Leading Learning", "Beginning", "Exemplary", "Proficient at 1", "1.A"):
        assert text in page
    found = client.get(f"/frameworks/{version.framework_id}/?q=exemplary at 2")
    assert [r["item"].human_coding_scheme for r in found.context["rows"]] == ["1.B"]
    csv_text = b"".join(
        client.get(f"/frameworks/{version.framework_id}/?format=csv").streaming_content
    ).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == (
        "code,parent_code,statement,type,Beginning,Developing,Proficient,Exemplary"
    )
    download = client.get(f"/frameworks/{version.framework_id}/case.json")
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["CFDocument"]["title"] == "Leading Learning"
    assert client.get(f"/frameworks/{version.framework_id}/?version=9").status_code == 404
    listing = client.get("/frameworks/").content.decode()
    assert "Leading Learning" in listing and "1 · published" in listing


def test_a_bad_upload_names_the_problem_and_saves_nothing(
    system: System, settings: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from tests.conftest import make_user
    from trellis.authz.roles import Role
    from trellis.imports.models import ImportRun

    settings.MEDIA_ROOT = tmp_path / "media"
    admin = make_user(system, "pm@riverbend.test", Role.PROGRAM_MANAGER, system=system)
    client = Client()
    client.force_login(admin)
    package = rubric_package()
    package["CFAssociations"][1]["destinationNodeURI"]["identifier"] = "nowhere"
    response = client.post(
        "/imports/new/",
        {
            "system": system.pk,
            "kind": "case",
            "case-kind": "leadership",
            "case-subject_kind": "person",
            "file": SimpleUploadedFile("bad.json", json.dumps(package).encode()),
        },
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    page = client.get(response["Location"]).content.decode()
    assert "neither the document nor an item" in page and "nothing was written" in page
    assert not FrameworkVersion.objects.exists()


def test_spreadsheet_out_and_back_in(system: System) -> None:
    from trellis.frameworks.services import framework_import_csv

    version = framework_import_case(actor=None, system=system, raw=json.dumps(rubric_package()))
    from django.test import Client

    from tests.conftest import make_user
    from trellis.authz.roles import Role

    client = Client()
    client.force_login(make_user(system, "pm@riverbend.test", Role.PROGRAM_MANAGER, system=system))
    exported = b"".join(
        client.get(f"/frameworks/{version.framework_id}/?format=csv").streaming_content
    )
    copy = framework_import_csv(actor=None, system=system, title="Copy", raw=exported)
    assert not copy.is_published
    original = {
        (
            i.human_coding_scheme,
            i.parent.human_coding_scheme if i.parent else "",
            i.full_statement,
            tuple(sorted(d.text for d in i.descriptors.all())),
        )
        for i in version.items.all()
    }
    again = {
        (
            i.human_coding_scheme,
            i.parent.human_coding_scheme if i.parent else "",
            i.full_statement,
            tuple(sorted(d.text for d in i.descriptors.all())),
        )
        for i in copy.items.all()
    }
    assert again == original
    assert [lv.name for lv in copy.levels.all()] == [lv.name for lv in version.levels.all()]


def test_a_spreadsheet_with_a_missing_parent_is_refused(system: System) -> None:
    from trellis.frameworks.services import framework_import_csv

    raw = (
        b"code,parent_code,statement,type,Low,High\n1,,Domain,Domain,,\n"
        b"1.1,9,Orphan,Competency,a,b\n1.1,1,Twice,Competency,a,b\n"
    )
    with pytest.raises(ValidationError) as error:
        framework_import_csv(actor=None, system=system, title="Bad", raw=raw)
    messages = " ".join(error.value.messages)
    assert "row 3, column parent_code: the parent 9 of 1.1 is not listed above it." in messages
    assert "row 4, column code: the code 1.1 is already used on row 3." in messages
    assert not FrameworkVersion.objects.exists()
