"""A reader compares terms on the demo data: picks an example from the empty page, reads the
chart by its axes, counts in another language, on a desktop (1366 px) and a phone (390 px), with
and without JavaScript."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(transactional_db):
    call_command("loaddata", "fixtures/demo.json", verbosity=0)


def compare_an_example_then_count_every_language(page):
    page.goto("/compare/")
    assert overflowing(page) == []
    page.get_by_role("link", name="trade · tariffs").click()
    expect(page).to_have_url(re.compile(r"/compare/\?term=trade&term=tariffs$"))

    # The chart, read by its axes: values with their unit up the side, dates along the bottom.
    chart = page.get_by_role("img", name=re.compile("Remarks matching trade, tariffs, per 1,000 English remarks"))
    expect(chart).to_be_visible()
    expect(page.locator(".trend-unit")).to_have_text("per 1,000 English remarks")
    assert page.locator(".trend-y text").all_text_contents() == ["0", "100", "200", "300", "400"]
    assert page.locator(".trend-chart text.tick").all_text_contents()[0] == "May 2018"
    # A month drawn on its own (October 2018, between two thin months) is a visible marker.
    october = page.locator(".series-1 path.marker", has=page.locator("title", has_text="October 2018"))
    box = october.bounding_box()
    assert box and box["width"] >= 6 and box["height"] >= 6, box
    expect(page.locator("figcaption")).to_contain_text("Not drawn for too few remarks: November 2018")
    assert overflowing(page) == []

    language = page.get_by_label("Count remarks in")
    expect(language).to_have_value("")
    language.select_option(label="All languages")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"lang=all"))
    expect(page.locator(".trend-unit")).to_have_text("per 1,000 remarks")
    expect(page.get_by_label("Count remarks in")).to_have_value("all")

    page.get_by_text("The figures as a table").click()
    # May 2018 in English and Chinese: 29 remarks each.
    expect(page.locator(".trend-table tr", has_text="May 2018")).to_contain_text("58")
    assert overflowing(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_a_reader_compares_an_example_and_counts_another_language(page, demo, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    compare_an_example_then_count_every_language(page)
    # On a phone the picture still has most of the width.
    plot = page.locator(".trend-chart").bounding_box()
    assert plot["width"] >= min(0.75 * VIEWPORTS[viewport]["width"], 800), plot


def test_compare_works_without_javascript(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        compare_an_example_then_count_every_language(page)
    finally:
        context.close()
