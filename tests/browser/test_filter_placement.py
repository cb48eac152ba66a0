"""Issue 29: after a reader chooses a filter, on a phone (390 × 844) the results come first — the
count, the active filters as chips and the first result above the fold, the filters folded one
tap away — and on a desktop the reader keeps their place, the chosen option keeping the focus.
On the demo data, for /remarks/ and /briefings/."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("loaddata", "fixtures/demo.json", verbosity=0)


def in_view(page, locator):
    """Whether the element's top is on the screen as it stands, without scrolling."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


@pytest.mark.parametrize("path, results", [("/remarks/?q=china", "article.result"), ("/briefings/", ".briefing-item")])
def test_on_a_phone_the_first_result_is_in_view_after_a_filter_is_chosen(page, demo, path, results):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path)
    page.get_by_text("Filters", exact=True).click()  # folded on a phone: one tap opens them
    option = page.locator("#facet-year").locator("xpath=ancestor::section").locator("a.facet-option").first
    option.scroll_into_view_if_needed()
    chosen = option.inner_text().split()[0]
    option.click()
    expect(page).to_have_url(re.compile(rf"year={chosen}"))
    expect(page.locator(".active-filters")).to_contain_text(f"Year: {chosen}")
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)  # the placing after the browser's own jump to the #fragment
    for locator in (page.locator(".active-filters"), page.locator("#results-heading"), page.locator(results).first):
        assert in_view(page, locator), locator
    summary = page.get_by_text("Filters", exact=True)
    assert in_view(page, summary)
    expect(page.locator(".filters-disclosure")).not_to_have_attribute("open", "")
    page.screenshot(path=f"/tmp/filter-phone-{path.strip('/').split('/')[0]}.png")
    summary.click()  # one tap away
    expect(page.locator("#facet-year")).to_be_visible()


def test_on_a_desktop_the_reader_keeps_their_place_and_the_option_its_focus(page, demo):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/remarks/")
    # The reader has scrolled down to the filters and chooses the second language.
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(100)
    option = page.locator("#facet-lang").locator("xpath=ancestor::section").locator("a.facet-option").nth(1)
    assert page.evaluate("window.scrollY") > 0 and 0 < option.bounding_box()["y"] < 900
    before = option.bounding_box()["y"]
    option_id = option.get_attribute("id")
    option.click()
    expect(page.locator(".active-filters")).to_contain_text("Language:")
    page.wait_for_load_state("load")
    page.wait_for_timeout(100)
    # The option chosen is where it was on the screen, and has the focus.
    after = page.locator(f"#{option_id}").bounding_box()["y"]
    assert abs(after - before) <= 2, (before, after)
    assert page.evaluate("document.activeElement.id") == option_id
    page.screenshot(path="/tmp/filter-desktop.png")
