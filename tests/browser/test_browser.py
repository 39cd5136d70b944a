"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser),
with axe-core (vendored) checking every page visited for serious or critical violations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used
# synchronously by the test itself (building the world), which Django must be told is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "a-long-test-password"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site(live_server: Any) -> tuple[str, World]:
    return live_server.url, build_world()


def assert_accessible(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                             'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"axe found on {page.url}:\n" + "\n".join(serious)


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def nav_labels(page: Page) -> list[str]:
    return page.locator("nav[aria-label=Main] ul.me-auto a").all_inner_texts()


@pytest.mark.parametrize(
    ("email", "expected_nav", "refused"),
    [
        (
            "leader@riverbend.test",
            ["Home", "Schools", "People", "Frameworks", "Partners"],
            "/audit/",
        ),
        ("principal@riverbend.test", ["Home", "Schools", "People", "Frameworks"], "/access/"),
        ("teacher@riverbend.test", ["Home", "Schools", "Frameworks"], "/audit/"),
    ],
)
def test_each_role_sees_its_navigation_and_is_refused_another_roles_page(
    page: Page, site: tuple[str, World], email: str, expected_nav: list[str], refused: str
) -> None:
    base, _ = site
    sign_in(page, base, email)
    assert_accessible(page)
    assert [label.strip() for label in nav_labels(page)] == expected_nav
    response = page.goto(f"{base}{refused}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do this"
    )
    assert_accessible(page)


def test_open_a_school_page_and_export_schools_as_csv(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    sign_in(page, base, "leader@riverbend.test")
    page.get_by_role("link", name="Schools", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")
    assert_accessible(page)
    page.get_by_role("link", name="Oak Hill Elementary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oak Hill Elementary")
    expect(page.get_by_role("link", name="Paula Prince")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename == "schools.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("School,System,Network")
    assert "Oak Hill Elementary" in text and world.foreign_school.name not in text


def test_people_search_person_page_and_keyboard_skip_link(
    page: Page, site: tuple[str, World]
) -> None:
    base, _ = site
    sign_in(page, base, "leader@riverbend.test")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.goto(f"{base}/people/")
    page.get_by_label("Search").fill("colleague")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_contain_text("1 person")
    assert_accessible(page)
    page.get_by_role("link", name="Colleague, Cora").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cora Colleague")
    assert_accessible(page)


def totp_now(secret: str) -> str:
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def test_administrator_imports_a_roster_bundle(
    page: Page, site: tuple[str, World], tmp_path: Path
) -> None:
    from tests.rosters.bundles import rows_12, write, zip_folder

    base, _ = site
    bundle = zip_folder(write(tmp_path / "b", rows_12()), tmp_path / "nightly.zip")
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("admin@riverbend.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_now("JBSWY3DPEHPK3PXP"))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.get_by_role("link", name="Imports").click()
    assert_accessible(page)
    page.get_by_role("link", name="Import a file").click()
    assert_accessible(page)
    page.get_by_label("File", exact=True).set_input_files(str(bundle))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("nightly.zip")
    expect(page.get_by_text("What committing would change")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Commit these changes").click()
    expect(page.get_by_text("What changed")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Committed")
    page.get_by_role("link", name="Imports").first.click()
    page.get_by_role("link", name="Role mapping").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Role mapping")
    assert_accessible(page)


def test_a_teacher_reads_the_rubric_grid(page: Page, site: tuple[str, World]) -> None:
    base, _ = site
    sign_in(page, base, "teacher@riverbend.test")
    page.get_by_role("link", name="Frameworks").click()
    assert_accessible(page)
    page.get_by_role("link", name="Leading Learning").click()
    expect(page.get_by_role("columnheader", name="Proficient (3)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search statements, codes and descriptors").fill("1.B")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text("1 item matching")


def test_a_coach_rates_a_principal_on_the_leadership_framework(
    page: Page, site: tuple[str, World]
) -> None:
    from trellis.frameworks.services import (
        framework_start_from,
        framework_templates_install,
        version_publish,
    )

    base, world = site
    template = framework_templates_install()[0]
    own = framework_start_from(
        actor=None, source=template, system=world.system, title="Riverbend Leadership Framework"
    )
    version_publish(actor=None, version=own)
    sign_in(page, base, "coach@riverbend.test")
    page.goto(f"{base}/people/{world.principal_person.pk}/ratings/")
    assert_accessible(page)
    page.get_by_role("link", name="Rate on Riverbend Leadership Framework").click()
    assert_accessible(page)
    first = page.get_by_role("group").nth(0)
    first.get_by_role("radio").nth(2).check()
    first.get_by_role("textbox").fill("Ran the data meeting with the team.")
    page.get_by_role("group").nth(1).get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Save ratings").click()
    expect(page.get_by_text("2 ratings recorded")).to_be_visible()
    expect(page.locator("[data-vega-spec] svg")).to_have_count(1)
    expect(page.locator("[data-vega-spec] svg")).to_be_visible()
    expect(page.get_by_role("cell", name="Proficient")).to_be_visible()
    assert_accessible(page)


def test_a_supervisor_sees_their_caseload_and_assigns_a_mentor(
    page: Page, site: tuple[str, World]
) -> None:
    """Issue 8: assignments and caseloads in the browser."""
    base, world = site
    sign_in(page, base, "supervisor@riverbend.test")
    page.get_by_role("link", name="Assignments", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assignments")
    assert_accessible(page)
    page.get_by_role("link", name="Caseloads").click()
    expect(page.get_by_role("link", name="Paula Prince")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/assignments/new/")
    page.get_by_label("Kind of support").select_option("mentoring")
    page.get_by_label("Supporter (coach, supervisor, evaluator or mentor)").fill(
        "sam.supervisor@example.org"
    )
    page.get_by_label("Person supported").fill(world.teacher_person.email)
    assert_accessible(page)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned: Mentor Sam Supervisor → Tomas Teller.")).to_be_visible()
    assert_accessible(page)
