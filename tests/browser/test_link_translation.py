"""Issue 28: an import leaves a translation it is not sure of for an editor ("link it in the
admin"); the editor (or a publisher) links it on the briefing's page, and readers at once see
each remark beside its translation and count each exchange once; unlinking undoes both."""

import datetime

import pytest
from playwright.sync_api import expect

from statements.models import Briefing

from .test_editor import choose_autocomplete, log_in
from .test_editorial_flows import save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_versions(make_briefing, ministry, hua):
    ministry.language = "zh"
    ministry.save()
    day = datetime.date(2020, 2, 4)
    english = make_briefing(spokesperson=hua, date=day, title="Foreign Ministry Spokesperson Hua Chunying's Daily Briefing Online on February 4, 2020", remarks=[
        {"question": "Will China send more medical teams?", "answer": "China will send two more teams.", "speaker": hua},
        {"question": "Any comment on the flights?", "answer": "We hope airlines keep flying.", "speaker": hua},
    ])
    chinese = make_briefing(spokesperson=hua, date=day, language=Briefing.Language.CHINESE, title="2020年2月4日外交部发言人华春莹主持网上例行记者会", remarks=[
        {"question": "中方会派更多医疗队吗？", "answer": "中方将再派两支医疗队。", "speaker": hua},
        {"question": "对航班有何评论？", "answer": "我们希望航空公司继续飞行。", "speaker": hua},
    ])
    return english, chinese


@pytest.mark.parametrize("role", ["editor", "publisher"])
@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_translation_linked_in_the_admin_pairs_the_remarks_for_readers(page, request, two_versions, role, width, height):
    english, chinese = two_versions
    page.set_viewport_size({"width": width, "height": height})
    first = english.remarks.get(position=1)
    page.goto(first.get_absolute_url())
    expect(page.locator(".translation")).to_have_count(0)
    page.goto("/remarks/?version=original")
    expect(page.locator("#results-heading")).to_contain_text("4 remarks")

    log_in(page, request.getfixturevalue(role))
    page.goto(f"/admin/statements/briefing/{english.pk}/change/")
    choose_autocomplete(page, "id_translation", "2020年2月4日")
    expect(page.locator("#id_translation")).to_have_value(str(chinese.pk))
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(first.get_absolute_url())
    expect(page.locator(".translation")).to_contain_text("中方将再派两支医疗队。")
    page.screenshot(path=f"/tmp/linked-translation-{role}-{width}.png", full_page=False)
    page.goto(f"/briefings/{english.pk}/")
    expect(page.get_by_role("link", name="中文原文")).to_have_attribute("href", f"/briefings/{chinese.pk}/")
    page.goto("/remarks/?version=original")
    expect(page.locator("#results-heading")).to_contain_text("2 remarks")

    # Unlinked: each remark alone again, each counted.
    page.goto(f"/admin/statements/briefing/{english.pk}/change/")
    page.locator("#id_translation + .select2 .select2-selection__clear").click()
    page.keyboard.press("Escape")  # clearing opens the widget's list: closed, as a person would
    expect(page.locator("#id_translation")).to_have_value("")
    save(page)
    page.goto(first.get_absolute_url())
    expect(page.locator(".translation")).to_have_count(0)
    page.goto("/remarks/?version=original")
    expect(page.locator("#results-heading")).to_contain_text("4 remarks")
