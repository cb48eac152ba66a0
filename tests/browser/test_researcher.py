"""A researcher narrows the remarks with facets, opens one and copies its permalink."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def remarks(make_briefing, wang, hua, topics, entities):
    make_briefing(spokesperson=wang, date=datetime.date(2020, 12, 18), remarks=[
        {"question": "On the blacklist?", "answer": "China firmly opposes the US blacklist.", "topics": [topics["trade"]], "entities": [entities["us"]]},
        {"question": "On WHO?", "answer": "China will keep working with the WHO.", "topics": [topics["who"]]},
    ])
    make_briefing(spokesperson=hua, date=datetime.date(2018, 6, 4), remarks=[
        {"question": "On tariffs?", "answer": "Trade wars have no winners.", "topics": [topics["trade"]]},
    ])


def test_pick_topic_narrow_by_spokesperson_open_remark_copy_permalink(page, remarks):
    page.goto("/remarks/")
    expect(page.get_by_role("heading", name="3 remarks")).to_be_visible()

    page.locator(".facet-option", has_text="Trade").click()
    expect(page.get_by_role("heading", name="2 remarks")).to_be_visible()
    expect(page).to_have_url(re.compile(r"topic=trade"))

    page.locator(".facet-option", has_text="Hua Chunying").click()
    expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
    expect(page).to_have_url(re.compile(r"topic=trade.*spokesperson=hua-chunying"))
    expect(page.get_by_role("link", name="Remove filter Topic: Trade")).to_be_visible()

    page.get_by_role("link", name="Trade wars have no winners.").click()
    expect(page.locator("blockquote")).to_contain_text("Trade wars have no winners.")
    permalink = page.locator("#permalink").input_value()
    assert re.fullmatch(r"http://[^/]+/remarks/\d+/", permalink)
    assert page.url == permalink

    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == permalink


def test_facets_fold_into_a_filters_disclosure_on_a_phone(page, remarks):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/remarks/")
    summary = page.locator(".filters-disclosure > summary")
    expect(summary).to_be_visible()
    expect(page.locator(".facet-option", has_text="Trade")).to_be_hidden()
    summary.click()
    expect(page.locator(".facet-option", has_text="Trade")).to_be_visible()


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_who_asked_narrows_the_remarks_whatever_the_transcript_called_the_outlet(page, make_briefing, wang, viewport):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_reference_data", stdout=StringIO())
    make_briefing(spokesperson=wang, date=datetime.date(2020, 4, 1), remarks=[
        {"question": "On the talks?", "outlet": "Reuters", "answer": "The talks went well."},
        {"question": "关于会谈？", "outlet": "路透社记者", "answer": "会谈进展顺利。"},
        {"question": "On trade?", "outlet": "总台央视", "answer": "Trade is good."},
    ])
    page.set_viewport_size(viewport)
    page.goto("/remarks/")
    if viewport["width"] < 700:
        page.locator(".filters-disclosure > summary").click()
    option = page.locator(".facet", has_text="Asked by").locator(".facet-option", has_text="Reuters")
    expect(option).to_contain_text("2")
    option.click()
    expect(page.get_by_role("heading", name="2 remarks")).to_be_visible()
    expect(page).to_have_url(re.compile(r"asked_by=reuters"))
    expect(page.locator("#main")).to_contain_text("会谈进展顺利")
    expect(page.locator("#main")).not_to_contain_text("Trade is good.")
