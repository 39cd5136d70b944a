"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser),
with axe-core (vendored) checking every page visited for serious or critical violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import CSP_LISTENER, watch_csp
from tests.conftest import World
from trellis.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "a-long-test-password"


def assert_accessible(page: Page) -> None:
    # Evaluated through the debugging protocol: a <script> tag would be inline script, which
    # the Content-Security-Policy refuses.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
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
            [
                "Home",
                "Schools",
                "People",
                "Frameworks",
                "Attendance",
                "Programs",
                "Surveys",
                "Impact",
                "Partners",
            ],
            "/audit/",
        ),
        (
            "principal@riverbend.test",
            ["Home", "Schools", "People", "Frameworks", "Attendance"],
            "/access/",
        ),
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


def test_item10_the_csp_watch_sees_an_inline_style_refused(
    browser: Browser, site: tuple[str, World]
) -> None:
    # The harness itself: an inline style attribute added to a Trellis page is refused by the
    # policy and reported, so the other tests' "no violation" means something.
    base, _ = site
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    violations: list[str] = []
    watch_csp(page, violations)
    page.goto(f"{base}/accounts/login/")
    page.evaluate("""() => document.body.insertAdjacentHTML(
        "beforeend", '<p id="inline" style="color: red">x</p>')""")
    expect(page.locator("#inline")).to_have_count(1)
    page.wait_for_timeout(200)
    context.close()
    assert any("style-src" in v for v in violations), violations


def test_item10_api_docs_render_offline_from_trellis_files(
    page: Page, site: tuple[str, World]
) -> None:
    base, _ = site
    elsewhere: list[str] = []

    def offline(route: Route) -> None:
        # The internet is not there: any request off Trellis's origin fails (and is noted).
        if route.request.url.startswith(base):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    response = page.goto(f"{base}/api/v1/docs")
    assert response is not None and response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Trellis API")
    expect(page.get_by_text("/api/v1/schools", exact=True).first).to_be_visible()
    assert not elsewhere, elsewhere
    # Swagger UI's own colours (its method badges, its grey text) meet AA contrast too.
    assert_accessible(page)


def test_item10_pages_of_every_kind_keep_to_the_csp(page: Page, site: tuple[str, World]) -> None:
    base, world = site
    sign_in(page, base, "leader@riverbend.test")
    for path in (
        "/",
        "/schools/",
        f"/schools/{world.school.pk}/",
        "/people/",
        f"/people/{world.principal_person.pk}/",
        "/frameworks/",
        f"/frameworks/{world.framework_id}/",
        "/partners/",
        "/account/",
        "/no-such-page/",
        "/schools/?page=abc",
    ):
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The navigation menu (Bootstrap's script) still opens on a narrow screen.
    page.set_viewport_size({"width": 480, "height": 800})
    page.get_by_role("button", name="Show navigation").click()
    expect(page.get_by_role("link", name="People", exact=True)).to_be_visible()


def test_item10_framework_editing_and_sign_in_pages_keep_to_the_csp(
    page: Page, site: tuple[str, World]
) -> None:
    base, world = site
    for path in ("/accounts/password/reset/", "/accounts/signup/", "/api/v1/docs"):
        page.goto(f"{base}{path}")
    sign_in(page, base, "programs@riverbend.test")
    for path in (
        f"/frameworks/{world.framework_id}/agreement/",
        f"/frameworks/{world.framework_id}/crosswalk/",
        f"/frameworks/{world.draft_framework_id}/",
        "/imports/new/?kind=case",
        "/frameworks/new/",
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Rows of the rubric grid are still indented by depth, now through classes.
    page.goto(f"{base}/frameworks/{world.framework_id}/")
    indents = page.locator("th[scope=row]").evaluate_all(
        "rows => rows.map(r => parseFloat(getComputedStyle(r).paddingLeft))"
    )
    assert len(set(indents)) > 1, indents


def test_item10_totp_set_up_page_shows_its_qr_code_under_the_csp(
    page: Page, site: tuple[str, World]
) -> None:
    from allauth.mfa.models import Authenticator

    from tests.conftest import make_user
    from trellis.authz.roles import Role

    base, world = site
    admin = make_user(
        world.system, "new.admin@riverbend.test", Role.SYSTEM_ADMIN, system=world.system
    )
    Authenticator.objects.filter(user=admin).delete()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("new.admin@riverbend.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{base}/schools/")
    if "reauthenticate" in page.url:
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.locator("img[src^='data:']").first).to_be_visible()
    assert page.locator("img[src^='data:']").first.evaluate("img => img.naturalWidth > 0")


def box(on: Page, selector: str) -> Any:
    """Where an element is drawn (item 26's layout checks)."""
    found = on.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


@pytest.mark.parametrize("width", [1000, 1300])
def test_item26_long_email_and_labels_stay_in_the_details(
    page: Page,
    site: tuple[str, World],
    width: int,
) -> None:
    base, world = site
    Person.objects.filter(pk=world.colleague.pk).update(
        email="cora.colleague-with-a-very-long-address@oakhill-elementary.riverbend.example.org",
        identifier="EMP-000123456",
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "leader@riverbend.test")
    page.goto(f"{base}/people/{world.colleague.pk}/")
    # The e-mail wraps inside its cell: nothing of it is drawn outside (into the positions).
    overflow = page.locator("section[aria-labelledby=details-h] dl dd >> nth=2").evaluate(
        "el => el.scrollWidth - el.clientWidth"
    )
    assert overflow <= 0
    # A label that wraps ("Employee number") keeps a gap from the next label ("Now").
    employee = box(page, "section[aria-labelledby=details-h] dl dt >> nth=3")
    now = box(page, "section[aria-labelledby=details-h] dl dt >> nth=4")
    assert now["y"] - (employee["y"] + employee["height"]) >= 4, (employee, now)


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


def sign_in_admin(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("admin@riverbend.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(totp_now("JBSWY3DPEHPK3PXP"))
    page.get_by_role("button", name="Sign In").click()
    try:
        expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    except AssertionError:
        # allauth takes each code once: an earlier sign-in in the same 30 seconds used it (or
        # the window turned). The next window's code, as a person would wait for it.
        import time

        from allauth.mfa import app_settings

        period = app_settings.TOTP_PERIOD
        time.sleep(period - time.time() % period + 1)
        page.get_by_label("Code").fill(totp_now("JBSWY3DPEHPK3PXP"))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


@pytest.mark.parametrize("width", [1280, 1024])
def test_walk_defect11_admin_navigation_stays_inside_the_window(
    page: Page, site: tuple[str, World], width: int
) -> None:
    """The browser walk: the administrator's navigation (then ten items, the e-mail, sign out)
    wrapped onto a second line at 1280px."""
    base, _ = site
    page.set_viewport_size({"width": width, "height": 800})
    sign_in_admin(page, base)
    page.goto(f"{base}/audit/")
    nav = page.locator("nav[aria-label=Main]")
    toggler = nav.locator(".navbar-toggler")
    if toggler.is_visible():
        # Narrower screens fold the menu behind its button, which opens it.
        toggler.click()
        # Checked once the menu has finished opening (mid-animation it has no background yet).
        expect(nav.locator("#main-nav")).to_have_class("navbar-collapse collapse show")
        expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    else:
        tops = nav.locator(".navbar-nav > li").evaluate_all(
            "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
        )
        # Fifteen items (Programs and Selection joined with issue 9, Attendance with issue 12,
        # Surveys and Impact with issue 11), and the account's menu. At 1280px they did not fit
        # on one line and ran off the side of the screen (the walk of issue 10): they now wrap
        # onto a second line, and none is drawn outside the window (tests/browser/
        # test_walk_coach2.py).
        assert len(tops) >= 16, tops
        main = nav.locator(".navbar-nav.me-auto > li").evaluate_all(
            "items => items.map(li => Math.round(li.getBoundingClientRect().top))"
        )
        assert len(set(main)) <= 2, f"the navigation takes more than two lines: tops {main}"
        rights = nav.locator(".navbar-nav > li").evaluate_all(
            "items => items.map(li => li.getBoundingClientRect().right)"
        )
        assert max(rights) <= width, rights
        bar = nav.bounding_box()
        assert bar is not None
        assert bar["height"] < 120, bar
    expect(nav.get_by_role("link", name="Audit log")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    # The account's menu opens from the keyboard and signs out.
    account = nav.get_by_role("button", name="Your account, signed in as admin@riverbend.test")
    account.focus()
    page.keyboard.press("Enter")
    expect(account).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_text("Signed in as admin@riverbend.test", exact=True)).to_be_visible()
    assert_accessible(page)
    nav.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
