"""Instrument files after the fourth walk: a district cannot take a built-in instrument's code
(the command and the upload page refuse it, nothing written), and the preview of an updated
file says what changed of each changed item (old → new)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError

from tests.conftest import World
from tests.surveys.test_files import ITEMS, counts, instrument
from trellis.imports.models import ImportRun
from trellis.surveys.models import Instrument


@pytest.fixture(autouse=True)
def builtins(db: None) -> None:
    """The built-in instruments, as migration 0002 installs them: ensured here, since a test
    elsewhere on the same worker may leave a database without them (seen once in CI)."""
    from trellis.surveys.services import instruments_install

    instruments_install()


TAKEN = (
    "'school-conditions' is the code of the built-in instrument “School Conditions Survey”: "
    "give your instrument another code."
)


def test_a_builtin_code_is_refused_by_the_command(world: World, tmp_path: Path) -> None:
    before = counts()
    with pytest.raises(CommandError) as error:
        instrument(tmp_path, code="school-conditions", measures="conditions")
    assert "nothing was written" in str(error.value) and TAKEN in str(error.value)
    assert counts() == before
    assert Instrument.objects.filter(code="school-conditions").count() == 1


def test_a_builtin_code_is_refused_on_the_upload_page(world: World) -> None:
    client = world.client("programs")
    response = client.post(
        "/imports/new/",
        {
            "system": world.system.pk,
            "kind": "instrument_csv",
            "instrument_csv-code": "school-conditions",
            "instrument_csv-title": "Our conditions",
            "instrument_csv-measures": "conditions",
            "file": SimpleUploadedFile("web.csv", "\n".join(ITEMS).encode()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = html.unescape(client.get(response["Location"]).content.decode())
    assert TAKEN in page and "A new instrument" not in page
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.REJECTED
    client.post(f"/imports/{run.pk}/commit/")  # a rejected run has nothing to commit
    assert Instrument.objects.filter(code="school-conditions").count() == 1


def test_the_preview_says_what_changed_of_an_item(world: World, tmp_path: Path) -> None:
    instrument(tmp_path)
    changed = [
        line.replace("We plan together.", "We plan lessons together.").replace(
            "A2,Time is cancelled.,agree4,Time,1", "A2,Time is cancelled.,agree4,Schedule,0"
        )
        for line in ITEMS
    ]
    out = instrument(tmp_path, changed, dry_run=True)
    assert "items changed: A1 (text: “We plan together.” → “We plan lessons together.”)" in out
    assert "items changed: A2 (subscale: “Time” → “Schedule”, reverse: 1 → 0)" in out
