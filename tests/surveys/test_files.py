"""Instruments and response files through the one import pipeline: the commands, the upload
page, the preview and the commit; every bad input a row error with nothing written; anonymous
administrations never store who answered."""

from __future__ import annotations

import datetime
import html
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from tests.conftest import World
from tests.surveys.data import write
from trellis.imports.models import ImportRun
from trellis.surveys.models import Administration, Instrument, Item, Response, Submission

ITEMS = [
    "code,text,scale,subscale,reverse",
    "K1,Knows the standard.,correct01,ELA,0",
    "K2,Reads the task.,correct01,ELA,0",
    "A1,We plan together.,agree4,Time,0",
    "A2,Time is cancelled.,agree4,Time,1",
    "N1,Minutes of practice.,number,,0",
    "T1,Comments.,text,,0",
]


def counts() -> tuple[int, int, int, int, int]:
    return (
        Instrument.objects.count(),
        Item.objects.count(),
        Administration.objects.count(),
        Submission.objects.count(),
        Response.objects.count(),
    )


def run(command: str, path: Path, **options: Any) -> str:
    out = StringIO()
    call_command(command, str(path), stdout=out, **options)
    return out.getvalue()


def instrument(tmp_path: Path, lines: list[str] = ITEMS, **extra: Any) -> str:
    options = {
        "system": "riverbend",
        "code": "pd-check",
        "title": "PD check",
        "measures": "knowledge",
    }
    return run("import_instrument", write(tmp_path, "items.csv", lines), **{**options, **extra})


def test_the_builtin_instruments_are_shared_read_only(world: World) -> None:
    builtin = {i.code: i for i in Instrument.objects.filter(system__isnull=True)}
    assert set(builtin) == {
        "school-conditions",
        "pd-satisfaction",
        "problematic-beliefs",
        "knowledge-template",
    }
    dimensions = set(builtin["school-conditions"].items.values_list("subscale", flat=True))
    assert len(dimensions) == 4
    assert builtin["school-conditions"].items.filter(reverse=True).exists()
    # Every system sees them; another system's own instrument is not listed.
    for key in ("admin", "admin_b", "leader", "analyst"):
        page = world.client(key).get("/surveys/").content.decode()
        assert "School Conditions Survey" in page and "Built in (read-only)" in page


def test_an_instrument_file_loads_and_the_same_file_again_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    out = instrument(tmp_path)
    assert "Committed" in out
    made = Instrument.objects.get(system=world.system, code="pd-check")
    assert made.measures == "knowledge" and made.items.count() == 6
    assert made.items.get(code="A2").reverse and made.items.get(code="K1").subscale == "ELA"
    before = counts()
    again = instrument(tmp_path)
    assert "already imported" in again and "nothing would change" in again
    assert counts() == before
    assert ImportRun.objects.filter(kind="instrument_csv").count() == 2
    # The instrument's page lists its items; another system's administrator gets a 404.
    assert (
        "Minutes of practice."
        in world.client("admin").get(f"/surveys/instruments/{made.pk}/").content.decode()
    )
    assert world.client("admin_b").get(f"/surveys/instruments/{made.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("K1,Again.,correct01,ELA,0", "row 3 column code: The code 'K1' is already used on row 2"),
        ("K9,Odd.,likert7,,0", "row 3 column scale: 'likert7' is not a scale"),
        ("K9,Odd.,likert4,,2", "row 3 column reverse: '2' is not 0 or 1"),
    ],
)
def test_an_instrument_file_with_a_bad_row_is_refused_by_row(
    world: World, tmp_path: Path, row: str, words: str
) -> None:
    before = counts()
    with pytest.raises(CommandError) as error:
        instrument(tmp_path, [ITEMS[0], ITEMS[1], row])
    assert "nothing was written" in str(error.value)
    assert words in str(error.value)
    assert counts() == before


def test_an_instrument_through_the_upload_page(world: World) -> None:
    client = world.client("programs")
    form = client.get("/imports/new/?kind=instrument_csv").content.decode()
    assert "Survey or assessment instrument" in form
    response = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": "instrument_csv",
            "instrument_csv-code": "web-check",
            "instrument_csv-title": "Web check",
            "instrument_csv-measures": "satisfaction",
            "file": SimpleUploadedFile("web.csv", "\n".join(ITEMS).encode()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run_ = ImportRun.objects.latest("pk")
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "A new instrument “Web check” (web-check) with 6 items." in page
    assert not Instrument.objects.filter(code="web-check").exists()  # only previewed
    client.post(f"/imports/{run_.pk}/commit/")
    run_.refresh_from_db()
    assert run_.status == ImportRun.Status.DONE
    assert Instrument.objects.get(code="web-check").items.count() == 6


# --- Response files --------------------------------------------------------------------------


@pytest.fixture
def fellowship(world: World, tmp_path: Path) -> dict[str, Any]:
    """Riverbend's staff Paula (oak, sourcedId p-paula) and Tomas (t-tomas); schools oak and pine
    with sourcedIds; a program of 2017-18 whose only participant is Tomas."""
    from trellis.people.services import person_update
    from trellis.programs.models import Program
    from trellis.programs.services import add_participant, cohort_create, program_create

    world.school.sourced_id = "oak"
    world.school.save()
    world.other_school.sourced_id = "pine"
    world.other_school.save()
    world.foreign_school.sourced_id = "harbor"
    world.foreign_school.save()
    person_update(actor=None, person=world.principal_person, sourced_id="p-paula")
    person_update(actor=None, person=world.teacher_person, sourced_id="t-tomas")
    program = program_create(
        actor=None,
        name="Knowledge Fellows",
        kind=Program.Kind.TEACHER_LEADER_FELLOWSHIP,
        owner_system=world.system,
        systems=[world.system],
    )
    cohort = cohort_create(
        actor=None,
        program=program,
        name="2017",
        school_year=2017,
        starts_on=datetime.date(2017, 8, 1),
        ends_on=datetime.date(2018, 6, 1),
    )
    add_participant(actor=None, cohort=cohort, person=world.teacher_person)
    instrument(tmp_path)
    return {"program": program}


def responses(tmp_path: Path, lines: list[str], **extra: Any) -> str:
    options = {"system": "riverbend", "instrument": "pd-check", "window": "boy", "year": 2018}
    path = write(tmp_path, "answers.csv", ["respondent,school,item,value", *lines])
    return run("import_responses", path, **{**options, **extra})


GOOD = ["t-tomas,oak,K1,1", "t-tomas,oak,K2,0", "t-tomas,oak,A2,4", "t-tomas,oak,T1,Fine."]


def test_a_response_file_creates_its_administration_and_the_same_file_changes_nothing(
    world: World, fellowship: dict[str, Any], tmp_path: Path
) -> None:
    out = responses(tmp_path, GOOD, program="Knowledge Fellows")
    assert "Committed" in out
    administration = Administration.objects.get()
    assert administration.school_year == 2018 and administration.year_label == "2017-18"
    assert administration.program == fellowship["program"] and not administration.anonymous
    assert Submission.objects.get().person == world.teacher_person
    assert Response.objects.count() == 4
    before = counts()
    again = responses(tmp_path, GOOD, program="Knowledge Fellows")
    assert "nothing would change" in again
    assert counts() == before
    # A changed answer overwrites the respondent's earlier one: still one submission.
    responses(tmp_path, ["t-tomas,oak,K1,0", *GOOD[1:]], program="Knowledge Fellows")
    assert Submission.objects.count() == 1
    assert Response.objects.get(item__code="K1").value == 0


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("t-tomas,oak,ZZ,1", "row 6 column item: The instrument 'pd-check' has no item 'ZZ'"),
        ("t-tomas,oak,A1,5", "row 6 column value: '5' is off the item's scale (agree4: 1 to 4)"),
        ("t-tomas,oak,N1,lots", "row 6 column value: 'lots' is not a number"),
        (
            "p-paula,oak,K1,1",
            "row 6 column respondent: 'p-paula' is not in this administration's population",
        ),
        ("nobody,oak,K1,1", "row 6 column respondent: 'nobody' is not a person of riverbend"),
        ("t-tomas,harbor,A1,2", "row 6 column school: 'harbor' is not a school of riverbend"),
        (
            "t-tomas,oak,K2,1",
            "row 6 column item: The respondent answered the item 'K2' twice (also on row 3)",
        ),
    ],
)
def test_every_bad_row_is_an_error_with_its_row_and_nothing_is_written(
    world: World, fellowship: dict[str, Any], tmp_path: Path, bad: str, words: str
) -> None:
    before = counts()
    with pytest.raises(CommandError) as error:
        responses(tmp_path, [*GOOD, bad], program="Knowledge Fellows")
    assert "nothing was written" in str(error.value)
    assert words in str(error.value), str(error.value)
    assert counts() == before
    assert (
        ImportRun.objects.filter(kind="responses_csv").latest("pk").status
        == ImportRun.Status.REJECTED
    )


def test_anonymous_administrations_never_store_who_answered(
    world: World, fellowship: dict[str, Any], tmp_path: Path
) -> None:
    tokens = ["zz-secret-token-one", "p-paula", "t-tomas"]
    lines = [f"{t},oak,A1,{n + 1}" for n, t in enumerate(tokens)]
    responses(tmp_path, lines, window="eoy", anonymous=True)
    administration = Administration.objects.get(window="eoy")
    assert administration.anonymous
    assert Submission.objects.filter(administration=administration).count() == 3
    assert not Submission.objects.filter(person__isnull=False).exists()
    # Read every table: no text or JSON column of any row holds a respondent's token.
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields or not model._meta.managed:
            continue
        for row in model.objects.values_list(*fields):
            text = " ".join(str(v) for v in row)
            assert "zz-secret-token-one" not in text, model._meta.label
    # The same anonymous file again changes nothing; a different one replaces the answers.
    before = counts()
    assert "nothing would change" in responses(tmp_path, lines, window="eoy", anonymous=True)
    assert counts() == before
    responses(tmp_path, lines[:2], window="eoy", anonymous=True)
    assert Submission.objects.filter(administration=administration).count() == 2
