"""A researcher cites a remark, links to a passage of it, and downloads a filtered search."""

import csv
import datetime
import io
import re

import pytest
from playwright.sync_api import expect

from statements.models import Remark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def remarks(make_briefing, wang, hua, topics):
    make_briefing(spokesperson=wang, date=datetime.date(2020, 12, 18), remarks=[
        {"question": "On vaccines?", "answer": "China will share vaccines.\nWe oppose vaccine nationalism.", "topics": [topics["covid"]]},
        {"question": "On tariffs?", "answer": "Trade wars have no winners. 贸易战没有赢家。", "topics": [topics["trade"]]},
    ])
    make_briefing(spokesperson=hua, date=datetime.date(2018, 6, 4), remarks=[
        {"question": "On tariffs again?", "answer": "We will respond to tariffs firmly.", "topics": [topics["trade"]]},
    ])


def test_copy_a_citation(page, remarks):
    remark = Remark.objects.get(answer__startswith="Trade wars")
    page.goto(remark.get_absolute_url())
    citation = page.locator("#cite-apa")
    expect(citation).to_contain_text("Wang, W. (2020, December 18).")
    page.get_by_role("button", name="Copy APA citation").click()
    expect(page.locator(".cite [role=status]")).to_have_text("APA citation copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == citation.text_content().strip()
    assert copied.endswith(f"/remarks/{remark.pk}/")


def test_copy_a_passage_link_and_open_it(page, remarks):
    remark = Remark.objects.get(answer__startswith="China will share")
    page.goto(remark.get_absolute_url())
    expect(page.get_by_role("button", name="Copy link to this passage")).to_be_hidden()
    # Select "share vaccines. We oppose" across the line break, as a reader would with the mouse.
    page.evaluate("""() => {
        const quote = document.getElementById("quote");
        const walker = document.createTreeWalker(quote, NodeFilter.SHOW_TEXT);
        const texts = [];
        while (walker.nextNode()) texts.push(walker.currentNode);
        const first = texts.find(t => t.data.includes("share vaccines"));
        const second = texts.find(t => t.data.includes("We oppose"));
        const range = document.createRange();
        range.setStart(first, first.data.indexOf("share vaccines"));
        range.setEnd(second, second.data.indexOf("We oppose") + "We oppose".length);
        const selection = document.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
    }""")
    button = page.get_by_role("button", name="Copy link to this passage")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".passage-tool [role=status]")).to_have_text("Link to the passage copied.")
    link = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(rf"http://[^/]+/remarks/{remark.pk}/\?passage=share\+vaccines\.\+We\+oppose#passage", link)

    page.goto(link)
    # One paragraph with a line break inside: one mark around both lines.
    expect(page.locator("#quote mark")).to_have_count(1)
    expect(page.locator("mark#passage")).to_have_text(re.compile(r"^share vaccines\.\s*We oppose$"))
    assert page.evaluate("document.getElementById('passage').getBoundingClientRect().top < window.innerHeight")


def test_download_a_csv_of_a_filtered_search(page, remarks):
    page.goto("/remarks/")
    page.locator(".facet-option", has_text="Trade").click()
    expect(page.get_by_role("heading", name="2 remarks")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "remarks-trade.csv"  # named for what it holds
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["answer"] for row in rows) == ["Trade wars have no winners. 贸易战没有赢家。", "We will respond to tariffs firmly."]
    assert all(row["topics"] == "Trade" for row in rows)
