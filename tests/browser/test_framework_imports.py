"""In the browser (with axe): importing a spreadsheet through check, preview and confirmation,
a bad file's problem list, and the confirmation pages for deleting an item and publishing."""

from __future__ import annotations

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
FILE_LABEL = "CASE package (.json) or spreadsheet (.csv, .xlsx)"


def test_a_spreadsheet_is_checked_previewed_and_imported_then_edited(
    page: Page, site: tuple[str, World]
) -> None:
    base, _world = site
    sign_in(page, base, "programs@riverbend.test")
    page.goto(f"{base}/frameworks/import/")
    assert_accessible(page)
    bad = SHEET.replace("1.2,1,", "1.2,9,")
    page.get_by_label(FILE_LABEL).set_input_files(
        files=FilePayload(name="bad.csv", mimeType="text/csv", buffer=bad.encode())
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("table")).to_contain_text("row 4, column parent_code")
    assert_accessible(page)

    page.get_by_label(FILE_LABEL).set_input_files(
        files=FilePayload(name="coaching.csv", mimeType="text/csv", buffer=SHEET.encode())
    )
    page.get_by_label("Title (spreadsheets only)").fill("Coaching Practice")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check coaching.csv")
    expect(page.get_by_text("Nothing is saved until you confirm")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching Practice")
    expect(page.get_by_text("A new framework")).to_be_visible()
    assert_accessible(page)

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
