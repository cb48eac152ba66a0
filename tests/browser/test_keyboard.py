"""A reader with a keyboard: straight to the results, facets chosen without losing one's place,
and one version per exchange a link away."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from statements.models import Remark

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def remarks(make_briefing, wang, topics, entities, ministry):
    ministry.language = "zh"
    ministry.save()
    day = datetime.date(2020, 12, 18)
    english = make_briefing(spokesperson=wang, date=day, language="en", remarks=[
        {"question": "On the blacklist?", "answer": "China firmly opposes the US blacklist.", "topics": [topics["trade"]], "entities": [entities["us"]]},
        {"question": "On WHO?", "answer": "China will keep working with the WHO.", "topics": [topics["who"]]},
    ])
    chinese = make_briefing(spokesperson=wang, date=day, language="zh", translation=english, remarks=[
        {"question": "关于黑名单？", "answer": "中方坚决反对美方黑名单。", "topics": [topics["trade"]]},
    ])
    first_en, first_zh = english.remarks.get(position=1), chinese.remarks.get(position=1)
    Remark.objects.filter(pk=first_en.pk).update(translation=first_zh.pk)
    Remark.objects.filter(pk=first_zh.pk).update(translation=first_en.pk)


def test_the_first_tab_skips_to_the_results(page, remarks):
    page.goto("/remarks/?topic=trade")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to results")
    page.keyboard.press("Enter")
    # The next press is on the first result, whatever the facets and tools above it hold.
    page.keyboard.press("Tab")
    first_result = page.locator("article.result").first
    assert page.evaluate("document.activeElement.closest('article.result') !== null")
    assert first_result.evaluate("article => article.contains(document.activeElement)")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_facet_chosen_with_the_keyboard_keeps_the_focus(page, remarks, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/remarks/")
    if width == 390:
        page.locator(".filters-disclosure > summary").click()
    page.locator(".facet-option", has_text="Trade").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"topic=trade"))
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-current", "true")
    expect(focused).to_contain_text("Trade")
    # The next choice goes on from there.
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"topic=trade"))


def test_one_version_per_exchange_is_a_link_away(page, remarks):
    page.goto("/remarks/")
    expect(page.get_by_role("heading", name="3 remarks")).to_contain_text("each language version counted")
    page.get_by_role("link", name="the original").click()
    expect(page.get_by_role("heading", name="2 remarks")).to_contain_text("one version per exchange, the original")
    expect(page.locator("main")).to_contain_text("中方坚决反对美方黑名单。")
    expect(page.locator("main")).not_to_contain_text("China firmly opposes the US blacklist.")
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.locator("main")).to_contain_text("China firmly opposes the US blacklist.")
    expect(page.locator("main")).not_to_contain_text("中方坚决反对美方黑名单。")
