"""Reviewing automatic tags as an Editor and a Publisher do it, at a desktop's and a phone's
width: from a topic's count of tags to review, to the queue with the matching words marked, one
click or one key per tag, then the public topic page as a reader sees it. And a topic's rule,
previewed before it is saved."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from statements.models import AutoTag, Remark, Topic
from statements.tagging.apply import tag_remarks

from .test_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]
ROLES = ["editor", "publisher"]

WRONG = "The conference discussed fisheries and trade. A delegate mentioned the South China Sea in passing."
RIGHT = "The South China Sea issue should be settled by the countries directly concerned."


@pytest.fixture
def queue(ministry, make_briefing, wang):
    call_command("load_reference_data", stdout=io.StringIO())
    briefing = make_briefing(
        spokesperson=wang,
        remarks=[
            {"question": "Any comment on the South China Sea?", "answer": RIGHT},
            {"question": "What about the South China Sea conference?", "answer": WRONG},
        ],
    )
    tag_remarks(Remark.objects.filter(briefing=briefing))
    return briefing


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
@pytest.mark.parametrize("role", ROLES)
def test_tags_are_reviewed_from_the_topic_list_by_click_and_key(page, request, queue, role, viewport):
    page.set_viewport_size(viewport)
    log_in(page, request.getfixturevalue(role))
    page.goto("/admin/statements/topic/")
    row = page.locator("#result_list tr", has_text="South China Sea")
    row.get_by_role("link", name="2").click()

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list mark").first).to_have_text("South China Sea")
    wrong = rows.filter(has_text="A delegate mentioned")
    box = wrong.get_by_role("button", name="Reject").bounding_box()
    assert box["x"] + box["width"] <= viewport["width"], "the buttons are reached without scrolling sideways"
    with page.expect_navigation():
        wrong.get_by_role("button", name="Reject").click()
    expect(page.locator(".messagelist")).to_contain_text("Rejected South China Sea")
    expect(rows).to_have_count(1)

    page.keyboard.press("a")  # the one left is the current row
    page.wait_for_url("**/autotag/**")
    expect(page.locator(".messagelist")).to_contain_text("Accepted South China Sea")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    right, wrong_remark = queue.remarks.order_by("position")
    assert set(AutoTag.objects.filter(topic__slug="south-china-sea").values_list("remark", "decision")) == {
        (right.pk, AutoTag.Decision.ACCEPTED),
        (wrong_remark.pk, AutoTag.Decision.REJECTED),
    }

    page.context.clear_cookies()
    page.goto("/topics/south-china-sea/")
    expect(page.locator("#main")).to_contain_text("settled by the countries directly concerned")
    expect(page.locator("#main")).not_to_contain_text("A delegate mentioned")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
@pytest.mark.parametrize("role", ROLES)
def test_a_topics_rule_is_previewed_then_saved(page, request, queue, role, viewport):
    page.set_viewport_size(viewport)
    log_in(page, request.getfixturevalue(role))
    sea = Topic.objects.get(slug="south-china-sea")
    page.goto(f"/admin/statements/topic/{sea.pk}/change/")
    page.locator("#id_exclusions").fill("South China Sea conference")
    page.get_by_role("button", name="Preview the rule").click()
    expect(page.locator(".rule-summary")).to_contain_text("this rule would tag 1; 2 carry the topic now")
    expect(page.locator(".rule-summary")).to_contain_text("take it off 1")
    expect(page.locator(".rule-sample mark").first).to_have_text("South China Sea")
    assert Topic.objects.get(pk=sea.pk).exclusions == ""  # the preview saves nothing

    page.go_back()
    expect(page.locator("#id_exclusions")).to_have_value("South China Sea conference")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert Topic.objects.get(pk=sea.pk).exclusions == "South China Sea conference"
