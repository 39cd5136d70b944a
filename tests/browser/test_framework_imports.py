"""In the browser (with axe): importing a spreadsheet through the import pipeline (the
frameworks' Import button, only the chosen kind's options, check, preview, commit, report), a bad
file's problem list, and the confirmation pages for deleting an item and publishing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.test_browser import assert_accessible, sign_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = (
    "code,parent_code,statement,type,Emerging,Solid\n"
    "1,,Leads learning,Domain,,\n"
    "1.1,1,Builds a data team,Competency,Not yet,Every week\n"
    "1.2,1,Observes classrooms,Competency,Rarely,Daily\n"
)


def test_a_spreadsheet_is_checked_previewed_and_imported_then_edited(
    page: Page, site: tuple[str, World]
) -> None:
    base, _world = site
    sign_in(page, base, "programs@riverbend.test")
    page.goto(f"{base}/frameworks/")
    page.get_by_role("link", name="Import a framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a file")
    # The kind the button chose is selected, and only its options show.
    kind = page.get_by_label("What kind of file")
    expect(kind).to_have_value("case")
    expect(page.get_by_role("group", name="CASE framework: options")).to_be_visible()
    expect(page.get_by_role("group", name="Framework spreadsheet: options")).to_be_hidden()
    expect(page.get_by_role("group", name="People CSV: options")).to_be_hidden()
    expect(page.get_by_label("…or a bundle folder on the server")).to_be_hidden()
    assert_accessible(page)
    kind.select_option("framework_csv")
    expect(page.get_by_role("group", name="CASE framework: options")).to_be_hidden()
    sheet = page.get_by_role("group", name="Framework spreadsheet: options")
    expect(sheet).to_be_visible()
    assert_accessible(page)

    bad = SHEET.replace("1.2,1,", "1.2,9,")
    page.get_by_label("File", exact=True).set_input_files(
        files=FilePayload(name="bad.csv", mimeType="text/csv", buffer=bad.encode())
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("bad.csv")
    problems = page.get_by_role("table", name="Problems by file, row and column")
    # File, row, column, problem: the row and column of the parent that is not there.
    cells = problems.get_by_role("row").nth(1).get_by_role("cell")
    expect(cells).to_have_text(["bad.csv", "4", "parent_code", re.compile(r"\S")])
    assert_accessible(page)

    page.goto(f"{base}/imports/new/?kind=framework_csv")
    page.get_by_label("File", exact=True).set_input_files(
        files=FilePayload(name="coaching.csv", mimeType="text/csv", buffer=SHEET.encode())
    )
    sheet.get_by_label("Title").fill("Coaching Practice")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("coaching.csv")
    expect(page.get_by_text("Nothing is written until you commit")).to_be_visible()
    expect(page.get_by_text("A new framework “Coaching Practice”")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Commit these changes").click()
    expect(page.get_by_text("Imported as a new framework “Coaching Practice”")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Coaching Practice, version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching Practice")

    page.get_by_role("link", name="Delete 1.2 Observes classrooms and what is under it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delete")
    assert_accessible(page)
    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("Deleted “1.2 Observes classrooms”.")).to_be_visible()

    page.get_by_role("link", name="Publish version 1…").click()
    expect(page.get_by_text("Publishing cannot be undone")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("is published and now read-only")).to_be_visible()
