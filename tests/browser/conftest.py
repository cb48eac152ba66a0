"""Playwright driving Debian's Chromium against pytest-django's live server.

Where no Chromium is installed they are skipped, or fail in CI (tests/chromium_setup.py).
"""

import os

import pytest
from chromium_setup import CHROMIUM, CHROMIUM_FLAGS, require_chromium

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data happen outside it, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    require_chromium()
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


@pytest.fixture(autouse=True)
def derived_data_still_right(request):
    """After whatever a browser test did through the pages, every copied column and cached count
    agrees with a fresh computation (manage.py check_derived_data)."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down after this check
    yield
    from io import StringIO

    from django.core.management import call_command

    call_command("check_derived_data", stdout=StringIO())
