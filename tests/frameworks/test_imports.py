"""Framework imports (issue 7 items 2 to 5) through the one import pipeline (issue 8 part 4):
spreadsheets and CASE packages uploaded at Imports → Import a file (where the frameworks' Import
button leads), checked as a task, previewed, committed and reported; malformed CASE packages
refused by element, lossless text on a round trip, and re-importing a package."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import World
from tests.frameworks.packages import rubric_package
from trellis.core.models import AuditEvent
from trellis.frameworks.case import case_uuid
from trellis.frameworks.models import Framework, FrameworkItem, FrameworkVersion
from trellis.frameworks.selectors import build_package
from trellis.frameworks.services import framework_import_case
from trellis.imports.models import ImportRun
from trellis.orgs.services import system_create

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
OPENSALT = sorted((SHARED / "case-opensalt").rglob("*.json")) if SHARED.exists() else []
needs_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared (public sample data) is not present"
)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class Tables(HTMLParser):
    """Every table of a page as (caption, rows of cell texts)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append(("", []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self.tables[-1] = ("".join(self._caption).strip(), self.tables[-1][1])
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        for buffer in (self._cell, self._caption):
            if buffer is not None:
                buffer.append(data)

    def rows(self, caption: str) -> list[list[str]]:
        """The body rows of the table with this caption (its header row left out)."""
        return next(rows[1:] for name, rows in self.tables if name == caption)


class Listed(NamedTuple):
    file: str
    row: str
    column: str
    problem: str


def problems_on(page: str) -> list[Listed]:
    """The problems a run's page lists, as the user reads them (file, row, column, problem)."""
    return [Listed(*cells) for cells in Tables(page).rows("Problems by file, row and column")]


def upload(
    client: Client, world: World, name: str, content: bytes, **options: Any
) -> tuple[ImportRun, str]:
    """Upload a framework file at Imports → Import a file (the frameworks' Import button leads
    there); the check runs as a background task (at once in tests). The run and its page."""
    kind = "case" if name.endswith(".json") else "framework_csv"
    response = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": kind,
            f"{kind}-kind": "leadership",
            f"{kind}-subject_kind": "person",
            "file": SimpleUploadedFile(name, content),
            **{f"{kind}-{key}": value for key, value in options.items()},
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    run = ImportRun.objects.latest("pk")
    assert response["Location"] == f"/imports/{run.pk}/"
    assert run.kind == kind and run.source_name == name
    page = client.get(response["Location"])
    assert page.status_code == 200
    return run, html.unescape(page.content.decode())


def commit(client: Client, run: ImportRun) -> str:
    """Commit a checked run from its page (a task, at once in tests); the report page."""
    response = client.post(f"/imports/{run.pk}/commit/")
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/"
    run.refresh_from_db()
    return html.unescape(client.get(response["Location"]).content.decode())


def export(client: Client, framework_id: int, fmt: str) -> bytes:
    response = client.get(f"/frameworks/{framework_id}/?format={fmt}")
    if fmt == "csv":
        return b"".join(response.streaming_content)
    return bytes(response.content)


def tree(version: FrameworkVersion) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {
        (
            i.human_coding_scheme,
            i.parent.human_coding_scheme if i.parent else "",
            i.full_statement,
            tuple(sorted(d.text for d in i.descriptors.all())),
        )
        for i in version.items.select_related("parent")
    }


# -- item 2: spreadsheets -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_item2_a_frameworks_own_export_imports_through_the_pipeline(world: World, fmt: str) -> None:
    client = world.client("programs")
    content = export(client, world.framework_id, fmt)
    before = FrameworkVersion.objects.count()
    run, checked = upload(client, world, f"framework.{fmt}", content, title="Our copy")
    assert run.status == ImportRun.Status.READY, run.errors
    assert "A new framework “Our copy”, version 1, a draft to edit and publish." in checked
    assert "Nothing is written until you commit" in checked and "Commit these changes" in checked
    assert FrameworkVersion.objects.count() == before  # the check writes nothing
    report = commit(client, run)
    assert run.status == ImportRun.Status.DONE, run.errors
    copy = FrameworkVersion.objects.get(framework__title="Our copy")
    assert not copy.is_published
    original = FrameworkVersion.objects.get(framework_id=world.framework_id)
    assert tree(copy) == tree(original)
    assert [lv.name for lv in copy.levels.all()] == [lv.name for lv in original.levels.all()]
    # The report says what was done, links the new framework, and the history keeps it.
    assert "Imported as a new framework “Our copy”" in report
    assert f'href="/frameworks/{copy.framework_id}/?version=1"' in report
    assert AuditEvent.objects.filter(action="import.commit", object_id=str(run.pk)).exists()
    history = client.get("/imports/").context["object_list"]
    assert run.pk in [r.pk for r in history]


HEADER = b"code,parent_code,statement,type,Low,High\n"


@pytest.mark.parametrize(
    ("content", "row", "column", "words"),
    [
        (HEADER + b"1,,Domain,Domain,,\n1.1,1," + b"x" * 140_000 + b",C,a,b\n", "3", "", "longer"),
        (
            HEADER + b'1,,Domain,Domain,,\n1.1,1,"never closed,C,a,b\n1.2,1,More,C,a,b\n',
            "3",
            "",
            "a quoted value is not closed",
        ),
        (HEADER + b"1,,Domain,Domain,,\n1.1,1,,C,a,b\n", "3", "statement", "empty"),
        (HEADER + b"1,,Domain,Domain,,\n1.1,1,S,C,a,b,extra\n", "3", "G", "beyond the last"),
        (HEADER + b"1,,Domain,Domain,,\n1.1,1,S\x00,C,a,b\n", "3", "statement", "NUL"),
        (b"name,statement\n1,x\n", "1", "", "the first columns must be"),
        (b"code,parent_code,statement,type,Low,Low\n", "1", "F", "named twice"),
        (HEADER, "", "", "no rows after its header"),
        ("code,parent_code,statement,type\n".encode("utf-16"), "", "", "UTF-16"),
        (b"code,parent_code,statement,type\n1,,caf\xe9,x\n", "", "", "not UTF-8"),
    ],
    ids=[
        "huge-cell",
        "open-quote",
        "empty-statement",
        "extra-cell",
        "nul",
        "header",
        "level-twice",
        "no-rows",
        "utf16",
        "latin1",
    ],
)
def test_item2_every_bad_spreadsheet_gets_a_message_naming_the_row(
    world: World, content: bytes, row: str, column: str, words: str
) -> None:
    before = FrameworkVersion.objects.count()
    run, page = upload(world.client("programs"), world, "bad.csv", content, title="Bad")
    assert run.status == ImportRun.Status.REJECTED
    assert "nothing was written" in page and "Commit these changes" not in page
    # The problem is listed with its row and column (— when it has none) in one line.
    wanted = (row or "—", column or "—")
    listed = problems_on(page)
    assert any(
        (p.file, p.row, p.column) == ("bad.csv", *wanted) and words in p.problem for p in listed
    ), listed
    assert FrameworkVersion.objects.count() == before


def test_item2_an_empty_file_is_refused_by_the_upload_form(world: World) -> None:
    client = world.client("programs")
    response = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": "framework_csv",
            "file": SimpleUploadedFile("empty.csv", b""),
        },
    )
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert not ImportRun.objects.filter(kind="framework_csv").exists()


def test_item2_a_broken_workbook_is_refused_with_a_message(world: World) -> None:
    run, page = upload(world.client("programs"), world, "bad.xlsx", b"PK\x03\x04 not a zip")
    assert run.status == ImportRun.Status.REJECTED
    assert any("not a readable XLSX workbook" in p.problem for p in problems_on(page))


def test_item2_the_frameworks_import_button_leads_to_the_pipeline_with_the_kind_chosen(
    world: World,
) -> None:
    client = world.client("programs")
    listing = client.get("/frameworks/").content.decode()
    assert 'href="/imports/new/?kind=case">Import a framework</a>' in listing
    # The old address of the frameworks' own upload page leads there too.
    old = client.get("/frameworks/import/")
    assert old.status_code == 302 and old["Location"] == "/imports/new/?kind=case"
    sheet = client.get("/frameworks/import/?kind=framework_csv")
    assert sheet["Location"] == "/imports/new/?kind=framework_csv"
    page = client.get(old["Location"]).content.decode()
    assert '<option value="case" selected>CASE framework</option>' in page
    assert "CASE framework: .json." in page and "Framework spreadsheet: .csv, .xlsx." in page


# -- item 3: malformed CASE packages ------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], str | None]:
    """Set a member by a path such as CFRubrics.0.CFRubricCriteria.0.CFItemURI."""

    def mutate(package: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = package
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return mutate  # type: ignore[return-value]


def _raw(old: str, new: str) -> Callable[[dict[str, Any]], str]:
    """Edit the JSON text itself (for values json.dumps cannot write)."""

    def mutate(package: dict[str, Any]) -> str:
        text = json.dumps(package)
        assert old in text
        return text.replace(old, new, 1)

    return mutate


def _deep(package: dict[str, Any]) -> str:
    return json.dumps(package)[:-1] + ', "deep": ' + "[" * 5000 + "]" * 5000 + "}"


CRITERION = "CFRubrics.0.CFRubricCriteria.0"
BAD_PACKAGES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("items-number", _set("CFItems", 5), "CFItems: expected a list of objects"),
    ("rubrics-text", _set("CFRubrics", "x"), "CFRubrics: expected a list of objects"),
    ("rubrics-object", _set("CFRubrics", {}), "CFRubrics: expected a list of objects"),
    (
        "criterion-text",
        _set(CRITERION, "x"),
        "CFRubrics[0].CFRubricCriteria[0]: expected an object",
    ),
    (
        "item-uri-text",
        _set(f"{CRITERION}.CFItemURI", "str"),
        "CFRubrics[0].CFRubricCriteria[0].CFItemURI: expected an object with identifier, uri, "
        "title",
    ),
    (
        "score-text",
        _set(f"{CRITERION}.CFRubricCriterionLevels.0.score", "abc"),
        "CFRubricCriterionLevels[0].score: expected a number",
    ),
    (
        "sequence-1e999",
        _raw('"sequenceNumber": 1,', '"sequenceNumber": 1e999,'),
        "CFAssociations[0].sequenceNumber",
    ),
    (
        "sequence-10**29",
        _set("CFAssociations.0.sequenceNumber", 10**29),
        "CFAssociations[0].sequenceNumber: is out of range",
    ),
    ("nested-5000", _deep, "nested too deeply"),
    ("nan", _raw('"score": 1,', '"score": NaN,'), "not valid JSON"),
    ("definitions-list", _set("CFDefinitions", [1, 2]), "CFDefinitions: expected an object"),
    (
        "definitions-member",
        _set("CFDefinitions", {"CFSubjects": 5}),
        "CFDefinitions.CFSubjects: expected a list of objects",
    ),
    (
        "identifier-too-long",
        _set("CFItems.0.identifier", "x" * 501),
        "CFItems[0].identifier: is 501 characters long; at most 500 fit",
    ),
    (
        "code-too-long",
        _set("CFItems.1.humanCodingScheme", "c" * 201),
        "CFItems[1].humanCodingScheme: is 201 characters long",
    ),
    (
        "statement-number",
        _set("CFItems.2.fullStatement", 5),
        "CFItems[2].fullStatement: expected text, found a number",
    ),
    (
        "statement-nul",
        _set("CFItems.2.fullStatement", "a\x00b"),
        "CFItems[2].fullStatement: contains a NUL character",
    ),
    (
        "level-name-object",
        _set(f"{CRITERION}.CFRubricCriterionLevels.1.quality", {"a": 1}),
        "CFRubricCriterionLevels[1].quality: expected text",
    ),
    (
        "position-text",
        _set(f"{CRITERION}.CFRubricCriterionLevels.1.position", "second"),
        "CFRubricCriterionLevels[1].position: expected a whole number",
    ),
    (
        "duplicate-code",
        _set("CFItems.2.humanCodingScheme", "1.A"),
        "CFItems[2].humanCodingScheme: 1.A is already the code of CFItems[1]",
    ),
    ("document-text", _set("CFDocument", "x"), "CFDocument: is missing"),
    (
        "keywords-number",
        _set("CFItems.0.conceptKeywords", 5),
        "CFItems[0].conceptKeywords: expected text or a list of texts",
    ),
    (
        "subject-uri-text",
        _set("CFDocument.subjectURI", "x"),
        "CFDocument.subjectURI: expected a list of objects with identifier, uri, title",
    ),
    (
        "weight-text",
        _set(f"{CRITERION}.weight", "heavy"),
        "CFRubrics[0].CFRubricCriteria[0].weight: expected a number",
    ),
]


def _bad(mutate: Callable[[dict[str, Any]], Any]) -> bytes:
    package = rubric_package()
    package["CFDocument"]["identifier"] = "0c000000-0000-4000-8000-000000000001"
    package["CFDefinitions"] = {}
    result = mutate(package)
    return (result if isinstance(result, str) else json.dumps(package)).encode()


@pytest.mark.parametrize("via", ["page", "command"])
@pytest.mark.parametrize(
    ("content", "element"),
    [(_bad(mutate), element) for _, mutate, element in BAD_PACKAGES],
    ids=[name for name, _, _ in BAD_PACKAGES],
)
def test_item3_malformed_case_packages_are_refused_naming_the_element(
    world: World, tmp_path: Path, via: str, content: bytes, element: str
) -> None:
    before = (FrameworkVersion.objects.count(), FrameworkItem.objects.count())
    if via == "page":
        run, page = upload(world.client("programs"), world, "bad.json", content)
        assert run.status == ImportRun.Status.REJECTED
        assert "nothing was written" in page
        # The element and what is wrong with it are on one line of the problem list.
        listed = problems_on(page)
        assert any(element in f"{p.column}: {p.problem}" for p in listed), listed
    else:
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        with pytest.raises(CommandError) as error:
            call_command("import_case", str(path), "--system", world.system.code)
        assert element in str(error.value)
    assert (FrameworkVersion.objects.count(), FrameworkItem.objects.count()) == before


def test_item3_a_package_is_checked_whole_and_every_problem_listed() -> None:
    from trellis.frameworks.case_read import read_case
    from trellis.frameworks.problems import FrameworkImportError

    package = rubric_package()
    package["CFItems"][0]["fullStatement"] = 5
    package["CFAssociations"][0]["sequenceNumber"] = "soon"
    with pytest.raises(FrameworkImportError) as error:
        read_case(json.dumps(package).encode(), filename="x.json")
    elements = [p.element for p in error.value.problems]
    assert "CFItems[0].fullStatement" in elements
    assert "CFAssociations[0].sequenceNumber" in elements
    assert all(p.severity == "error" for p in error.value.problems)


@needs_shared
@pytest.mark.django_db
@pytest.mark.parametrize("path", OPENSALT, ids=lambda p: p.name)
def test_item3_every_accepted_package_downloads_as_case(path: Path) -> None:
    system = system_create(actor=None, code="dl", name="Download")
    version = framework_import_case(actor=None, system=system, raw=path.read_bytes())
    package = build_package(version, base_uri="https://trellis.test")
    json.dumps(package)  # the download cannot break for a package that was accepted


# -- item 4: lossless text ------------------------------------------------------------------

TEXT_FIELDS = {
    "CFDocument": (
        "title",
        "creator",
        "publisher",
        "description",
        "notes",
        "language",
        "version",
        "adoptionStatus",
        "frameworkType",
        "officialSourceURL",
        "subject",
    ),
    "CFItems": (
        "fullStatement",
        "abbreviatedStatement",
        "humanCodingScheme",
        "alternativeLabel",
        "listEnumeration",
        "CFItemType",
        "notes",
        "language",
        "conceptKeywords",
    ),
    "CFAssociations": ("notes",),
    "CFRubrics": ("title", "description"),
    "CFRubricCriteria": ("category", "description"),
    "CFRubricCriterionLevels": ("description", "quality", "feedback"),
}


def text_fields(package: dict[str, Any]) -> dict[str, Any]:
    """Every text field by a stable path (objects by their identifier as exported)."""
    out: dict[str, Any] = {}

    def take(kind: str, obj: dict[str, Any], key: str) -> None:
        for name in TEXT_FIELDS[kind]:
            value = obj.get(name)
            out[f"{key}.{name}"] = value if value not in (None, "", []) else None

    take("CFDocument", package["CFDocument"], "CFDocument")
    for kind in ("CFItems", "CFAssociations"):
        for obj in package.get(kind) or []:
            take(kind, obj, f"{kind}[{case_uuid(obj['identifier'])}]")
    for rubric in (package.get("CFRubrics") or [])[:1]:
        take("CFRubrics", rubric, "CFRubrics")
        for criterion in rubric.get("CFRubricCriteria") or []:
            key = f"criterion[{case_uuid(criterion['CFItemURI']['identifier'])}]"
            take("CFRubricCriteria", criterion, key)
            for level in criterion.get("CFRubricCriterionLevels") or []:
                take("CFRubricCriterionLevels", level, f"{key}.level[{level.get('position')}]")
    return out


@needs_shared
@pytest.mark.django_db
@pytest.mark.parametrize("path", OPENSALT, ids=lambda p: p.name)
def test_item4_text_fields_come_back_exactly_as_they_went_in(path: Path) -> None:
    source = json.loads(path.read_bytes())
    first = system_create(actor=None, code="first", name="First")
    second = system_create(actor=None, code="second", name="Second")
    out = build_package(
        framework_import_case(actor=None, system=first, raw=path.read_bytes()),
        base_uri="https://trellis.test",
    )
    expected, got = text_fields(source), text_fields(out)
    if isinstance(expected["CFDocument.subject"], str):  # CASE 1.0's one subject is a list in 1.1
        expected["CFDocument.subject"] = [expected["CFDocument.subject"]]
    # What came in comes back exactly (an export may add what CASE 1.1 requires, e.g. version).
    differences = {
        k: (v, got.get(k)) for k, v in expected.items() if v is not None and got.get(k) != v
    }
    assert not differences, list(differences.items())[:5]
    again = build_package(
        framework_import_case(actor=None, system=second, raw=json.dumps(out)),
        base_uri="https://trellis.test",
    )
    assert text_fields(again) == got


@needs_shared
@pytest.mark.django_db
def test_item4_full_statement_keeps_its_trailing_whitespace() -> None:
    path = SHARED / "case-opensalt" / "historical" / "test_framework_case.json"
    source = json.loads(path.read_bytes())
    spaced = [i for i in source["CFItems"] if i["fullStatement"] != i["fullStatement"].strip()]
    assert spaced
    system = system_create(actor=None, code="ws", name="Whitespace")
    version = framework_import_case(actor=None, system=system, raw=path.read_bytes())
    for item in spaced:
        stored = version.items.get(case_identifier=item["identifier"])
        assert stored.full_statement == item["fullStatement"]


# -- item 5: re-importing a package -------------------------------------------------------


def _new_edition() -> dict[str, Any]:
    """The world's package as a state re-publishes it: one statement and one level name
    changed, an item added under 1, item 1.B removed."""
    package = rubric_package()
    package["CFItems"][1]["fullStatement"] = "Competency 1.A, reworded"
    removed = package["CFItems"].pop(2)
    package["CFAssociations"] = [
        a
        for a in package["CFAssociations"]
        if a["originNodeURI"]["identifier"] != removed["identifier"]
    ]
    criteria = package["CFRubrics"][0]["CFRubricCriteria"]
    package["CFRubrics"][0]["CFRubricCriteria"] = [
        c for c in criteria if c["CFItemURI"]["identifier"] != removed["identifier"]
    ]
    for criterion in package["CFRubrics"][0]["CFRubricCriteria"]:
        criterion["CFRubricCriterionLevels"][3]["quality"] = "Distinguished"
    package["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"][1]["description"] = (
        "Developing, in other words"
    )
    added = dict(package["CFItems"][1])
    added.update(
        identifier="0a000000-0000-4000-8000-000000000109",
        uri="https://example.org/uri/9",
        fullStatement="Competency 1.C",
        humanCodingScheme="1.C",
    )
    package["CFItems"].append(added)
    placement = dict(package["CFAssociations"][1])
    placement.update(
        identifier="0a000000-0000-4000-8000-000000000209",
        sequenceNumber=3,
        originNodeURI={
            "title": "Competency 1.C",
            "identifier": added["identifier"],
            "uri": added["uri"],
        },
    )
    package["CFAssociations"].append(placement)
    return package


def test_item5_an_identical_package_changes_nothing_and_says_so(world: World) -> None:
    client = world.client("programs")
    before = FrameworkVersion.objects.count()
    run, page = upload(client, world, "same.json", json.dumps(rubric_package()).encode())
    assert run.status == ImportRun.Status.READY and run.total_changes == 0
    assert "Nothing changed" in page and "is identical to this file" in page
    assert f'href="/frameworks/{world.framework_id}/?version=1"' in page  # the version there
    assert "Commit these changes" not in page  # nothing to commit
    client.post(f"/imports/{run.pk}/commit/")  # and a commit asked for anyway is refused
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY
    assert FrameworkVersion.objects.count() == before


def test_item5_a_changed_package_previews_then_becomes_the_next_version(world: World) -> None:
    client = world.client("programs")
    old = FrameworkVersion.objects.get(framework_id=world.framework_id)
    old_item = old.items.get(human_coding_scheme="1.A")
    content = json.dumps(_new_edition()).encode()
    run, page = upload(client, world, "edition-2.json", content)
    assert run.status == ImportRun.Status.READY, run.errors
    # Compared with the framework already here, it becomes its version 2.
    assert run.outcome_url == f"/frameworks/{world.framework_id}/?version=1"
    assert "A new version 2 of “Leading Learning”: committing this file makes version 2" in page
    assert run.summary["items"] == {"added": 1, "changed": 1, "removed": 1}
    items = [c for c in run.changes if c["records"] == "items"]
    assert [c["label"] for c in items if c["change"] == "added"] == ["1.C Competency 1.C"]
    assert [c["label"] for c in items if c["change"] == "removed"] == ["1.B Competency 1.B"]
    changed = {c["label"]: c["fields"] for c in items if c["change"] == "changed"}
    assert changed["1.A Competency 1.A, reworded"] == ["statement", "descriptor at level 2"]
    levels = [c for c in run.changes if c["records"] == "levels"]
    assert [c["fields"] for c in levels if c["change"] == "changed"] == [["name"]]
    # The page lists each record that changes, with what changed in it.
    assert ["Changed", "1.A Competency 1.A, reworded", "statement, descriptor at level 2"] in (
        Tables(page).rows("Items")
    )
    assert ["Removed", "1.B Competency 1.B", ""] in Tables(page).rows("Items")
    assert "Commit these changes" in page
    assert FrameworkVersion.objects.filter(framework_id=world.framework_id).count() == 1

    report = commit(client, run)
    assert run.status == ImportRun.Status.DONE, run.errors
    assert "Imported as version 2 of “Leading Learning”" in report
    assert f'href="/frameworks/{world.framework_id}/?version=2"' in report
    framework = Framework.objects.get(pk=world.framework_id)
    new = framework.versions.get(number=2)
    assert new.is_published
    assert set(new.items.values_list("case_identifier", flat=True)) == {
        i["identifier"] for i in _new_edition()["CFItems"]
    }
    # item identifiers are kept, so ratings of 1.A line up with the new version's 1.A
    assert new.items.get(case_identifier=old_item.case_identifier).full_statement.endswith(
        "reworded"
    )
    # version 1 (and whatever was rated against it) stays as it was
    old_item.refresh_from_db()
    assert old.items.count() == 3 and old_item.full_statement == "Competency 1.A"
    # importing the same edition again changes nothing
    again, page = upload(client, world, "edition-2.json", content)
    assert again.total_changes == 0 and "Nothing changed" in page
    assert "This file was already imported on" in page and "Commit these changes" not in page


def test_item5_command_line_prints_the_changes_and_dry_runs(world: World, tmp_path: Path) -> None:
    path = tmp_path / "edition-2.json"
    path.write_text(json.dumps(_new_edition()))
    out = StringIO()
    call_command("import_case", str(path), "--system", world.system.code, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "A new version 2 of “Leading Learning”" in text
    assert re.search(r"^  items\s+1\s+1\s+1  edition-2.json$", text, re.MULTILINE), text
    assert "items changed: 1.A Competency 1.A, reworded (statement, descriptor at level 2)" in text
    assert "(dry run: nothing written)" in text
    assert FrameworkVersion.objects.filter(framework_id=world.framework_id).count() == 1
    out = StringIO()
    call_command("import_case", str(path), "--system", world.system.code, stdout=out)
    assert "Imported as version 2 of “Leading Learning”" in out.getvalue()
    assert FrameworkVersion.objects.filter(framework_id=world.framework_id).count() == 2
    # Through the pipeline: the run is in the history with its report and audit event.
    run = ImportRun.objects.get(kind="case", status=ImportRun.Status.DONE)
    assert run.created_by_label == "command line" and run.source_name == "edition-2.json"
    assert AuditEvent.objects.filter(action="import.commit", object_id=str(run.pk)).exists()
    out = StringIO()
    call_command("import_case", str(path), "--system", world.system.code, stdout=out)
    assert "Nothing changed" in out.getvalue()
    assert FrameworkVersion.objects.filter(framework_id=world.framework_id).count() == 2
    assert ImportRun.objects.latest("pk").status == ImportRun.Status.DISCARDED


def test_item5_crosswalk_links_follow_their_competency_into_the_new_version(
    world: World,
) -> None:
    from trellis.frameworks.services import crosswalk_link

    old = FrameworkVersion.objects.get(framework_id=world.framework_id)
    other = FrameworkVersion.objects.get(framework_id=world.draft_framework_id)
    crosswalk_link(
        actor=None,
        origin=old.items.get(human_coding_scheme="1.A"),
        destination=other.items.get(human_coding_scheme="1.B"),
        association_type="exactMatchOf",
    )
    # a crosswalk is an alignment, not content: the same package is still identical
    run, page = upload(
        world.client("programs"), world, "same.json", json.dumps(rubric_package()).encode()
    )
    assert run.total_changes == 0 and "Nothing changed" in page
    new = framework_import_case(actor=None, system=world.system, raw=json.dumps(_new_edition()))
    assert new.number == 2
    link = new.associations.get(association_type="exactMatchOf")
    assert link.origin_item is not None and link.origin_item.version_id == new.pk
    assert link.destination_item is not None and link.destination_item.version_id == other.pk


def test_item2_spreadsheet_problems_carry_their_row_and_column_for_the_pipeline() -> None:
    from trellis.frameworks.problems import FrameworkImportError
    from trellis.frameworks.spreadsheets import read_spreadsheet

    with pytest.raises(FrameworkImportError) as error:
        read_spreadsheet(HEADER + b"1,,,Domain,,\n", filename="f.csv")
    (problem,) = error.value.problems
    assert (problem.row, problem.column) == (2, "statement")
    assert problem.as_dict("f.csv") == {
        "file": "f.csv",
        "row": 2,
        "column": "statement",
        "reason": "the statement is empty.",
        "severity": "error",
    }


def test_item3_a_version_stored_with_malformed_definitions_downloads_again(world: World) -> None:
    """Packages accepted before the checks could store CFDefinitions as a list, which broke
    their CASE download for good; the download now leaves such definitions out."""
    version = FrameworkVersion.objects.get(framework_id=world.framework_id)
    for broken in ([1, 2], {"CFSubjects": 5, "CFConcepts": "x"}):
        FrameworkVersion.objects.filter(pk=version.pk).update(definitions=broken)
        response = world.client("teacher").get(f"/frameworks/{world.framework_id}/case.json")
        assert response.status_code == 200
        assert "CFDefinitions" not in json.loads(response.content)
