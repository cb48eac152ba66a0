"""A researcher searches a phrase, sees it highlighted, and narrows by clicking a histogram bar."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .layout import overflowing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def remarks(make_briefing, wang):
    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 1), remarks=[
        {"question": "Trade?", "answer": "A trade war has no winner."},
        {"question": "Tariffs?", "answer": "War and trade do not mix."},
    ])
    make_briefing(spokesperson=wang, date=datetime.date(2021, 6, 1), remarks=[
        {"question": "Again?", "answer": "We repeat: a trade war helps no one."},
    ])


def test_phrase_search_highlights_and_histogram_narrows(page, remarks):
    page.goto("/remarks/")
    page.get_by_label("Search question and answer text").fill('"trade war"')
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 remarks")).to_be_visible()
    marks = page.locator(".result mark")
    expect(marks).to_have_count(2)
    expect(marks.first).to_have_text(re.compile("trade war", re.I))

    # A mouse clicks the bar (its tooltip names the month)…
    bar = page.locator(".histogram svg a").filter(has=page.locator("title", has_text="March 2021: 1 remark"))
    bar.click()
    expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
    expect(page).to_have_url(re.compile(r"date_from=2021-03-01&date_to=2021-03-31"))
    expect(page.locator(".result")).to_contain_text("A trade war has no winner.")

    # …a keyboard or a screen reader takes the same link from the table under the chart.
    page.go_back()
    page.get_by_text("Remarks per month as a table").click()
    page.get_by_role("link", name="March 2021").click()
    expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
    expect(page).to_have_url(re.compile(r"date_from=2021-03-01&date_to=2021-03-31"))


def test_briefings_found_by_a_phrase_open_at_their_first_match(page, remarks):
    page.goto("/briefings/")
    page.get_by_label("Find briefings by what was asked and answered").fill('"trade war"')
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 briefings")).to_be_visible()
    expect(page.locator(".briefing-item mark")).to_have_count(2)
    page.get_by_role("link", name="1 matching remark, the first in the transcript").first.click()
    expect(page).to_have_url(re.compile(r"/briefings/\d+/#remark-\d+$"))
    target = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{target}")).to_contain_text("trade war")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_a_stretch_of_chinese_copied_from_a_remark_finds_it(page, make_briefing, wang, viewport):
    briefing = make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 1), language="zh", remarks=[
        {"question": "中美关系？", "answer": "中美关系稳定发展，符合两国人民的根本利益。"},
        {"question": "还有吗？", "answer": "美方应停止干涉中国内政。"},
    ])
    page.set_viewport_size(viewport)
    page.goto(briefing.remarks.get(position=1).get_absolute_url())
    shown = page.locator("#quote").inner_text().strip()
    for stretch in (shown[:2], shown[2:7]):  # 中美, and 关系稳定发 across the words jieba cuts
        page.goto("/remarks/")
        page.get_by_label("Search question and answer text").fill(stretch)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
        expect(page.locator(".result mark").first).to_have_text(stretch)
        expect(page.locator(".result")).to_contain_text(shown)
    assert overflowing(page) == []
