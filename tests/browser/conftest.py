"""Playwright driving Debian's Chromium against pytest-django's live server.

Where no Chromium is installed the browser tests are skipped with a message, unless
REQUIRE_BROWSER=1 (set by .ci/run), which turns the missing browser into a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data happen outside it, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_available():
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        message = f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; REQUIRE_BROWSER=1 forbids skipping them")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    # Keep a picture of the last screen of a failed test for whoever reads the CI log.
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        os.makedirs("test-artifacts", exist_ok=True)
        page.screenshot(path=f"test-artifacts/{request.node.name}.png", full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
