"""The browser fixtures, one Playwright for the whole session (a second sync Playwright in the
same thread fails): every browser test module under tests/browser uses these."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM is still used
# synchronously by the test itself (building the world), which Django must be told is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, ConsoleMessage, Page, Response, sync_playwright

from tests.conftest import World, build_world

CHROMIUM = "/usr/bin/chromium"
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


# Reports every Content-Security-Policy violation of every document the page loads. Init
# scripts are injected by the browser's debugging protocol, which the policy does not govern.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} on ${document.location.pathname}`);
});
"""


def watch_csp(page: Page, violations: list[str]) -> None:
    """Collects CSP violations and documents served without a strict policy into violations."""

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and ("CSP violation" in text or "Content Security" in text):
            violations.append(text)

    def on_response(response: Response) -> None:
        if response.request.resource_type != "document":
            return
        policy = response.headers.get("content-security-policy", "")
        strict = "script-src 'self'" in policy and "style-src 'self'" in policy
        if not strict or "unsafe-inline" in policy or "unsafe-eval" in policy:
            violations.append(f"{response.url} answered with the policy {policy!r}")

    page.on("console", on_console)
    page.on("response", on_response)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # Item 10: every document of every browser test carries a Content-Security-Policy without
    # 'unsafe-inline' or 'unsafe-eval', and nothing on any page visited violates it.
    context = browser.new_context(accept_downloads=True)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    violations: list[str] = []
    watch_csp(page, violations)
    yield page
    context.close()
    assert not violations, "Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def site(live_server: Any) -> tuple[str, World]:
    return live_server.url, build_world()
