"""An editor adds a briefing with two remarks, a publisher publishes it, and it is on the site."""

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def choose_autocomplete(page, field_id, text):
    # Each step waits for the widget's request to be answered: one still on its way when the
    # form is saved would run beside the save on the test server's one SQLite connection, and
    # the two can wait on each other for ever (CI once hung there).
    def autocomplete(term):
        return lambda response: (
            "/admin/autocomplete/" in response.url and parse_qs(urlparse(response.url).query).get("term", [""]) == [term]
        )

    with page.expect_response(autocomplete("")):
        page.locator(f"#{field_id} + .select2 .select2-selection").click()
    with page.expect_response(autocomplete(text)):
        page.locator(".select2-search__field").last.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Log in").click()
    # Wait for the admin: a goto while the login is still posting would cancel it.
    expect(page.locator("#user-tools")).to_contain_text(user.get_short_name() or user.get_username())


def test_editor_adds_publisher_publishes_and_it_is_on_the_site(page, editor, publisher, ministry, wang, topics):
    log_in(page, editor)

    page.goto("/admin/statements/briefing/add/")
    page.locator("#id_ministry").select_option(label="PRC MFA")
    page.locator("#id_date").fill("2021-03-01")
    page.locator("#id_title").fill("Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on March 1, 2021")
    choose_autocomplete(page, "id_spokesperson", "Wang Wenbin")
    page.locator("#id_source_url").fill("https://www.fmprc.gov.cn/mfa_eng/t1857000.shtml")

    page.locator("#id_remarks-0-position").fill("1")
    page.locator("#id_remarks-0-question").fill("How does China view WHO cooperation?")
    page.locator("#id_remarks-0-answer").fill("China will keep cooperating closely with the WHO.")
    choose_autocomplete(page, "id_remarks-0-topics", "WHO cooperation")
    page.locator("#id_remarks-1-position").fill("2")
    page.locator("#id_remarks-1-question").fill("Any comment on trade talks?")
    page.locator("#id_remarks-1-answer").fill("Trade talks should proceed on an equal footing.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto("/admin/statements/briefing/")
    expect(page.locator("select[name=action] option[value=publish]")).to_have_count(0)

    log_in(page, publisher)
    page.goto("/admin/statements/briefing/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".publish-summary")).to_contain_text("1 briefing and their 2 remarks will be public at once")
    page.screenshot(path="/tmp/publish-confirmation.png")
    page.get_by_role("button", name="Publish 1 briefing").click()
    expect(page.locator(".messagelist")).to_contain_text("Published 1 briefing")

    page.goto("/briefings/")
    page.get_by_role("link", name="Wang Wenbin's Regular Press Conference on March 1, 2021").click()
    expect(page.locator("#main")).to_contain_text("China will keep cooperating closely with the WHO.")
    page.get_by_role("link", name="Permalink").first.click()
    expect(page.locator("blockquote")).to_contain_text("China will keep cooperating closely with the WHO.")
    expect(page.locator("#main")).to_contain_text("WHO cooperation")
