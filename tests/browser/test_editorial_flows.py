"""Every editorial flow as an Editor and a Publisher do it: through the admin pages as Chromium
renders them, each checked on the public site afterwards (tests/browser/conftest.py also checks
the derived data after each test)."""

import re

import pytest
from playwright.sync_api import expect

from statements.models import Briefing

from .layout import overflowing
from .test_editor import choose_autocomplete, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTED = """Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on March 2, 2021

Q: How does China view the vaccine cooperation with the WHO?

A: China will keep cooperating closely with the WHO.

Q: Any comment on the trade talks?

A: Trade talks should proceed on an equal footing.
"""
SOURCE = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/t1858000.shtml"


@pytest.fixture
def published(make_briefing, wang):
    return make_briefing(
        spokesperson=wang,
        title="Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on March 1, 2021",
        remarks=[
            {"question": "On the vaccines?", "answer": "China supports vaccine cooperation."},
            {"question": "On trade?", "answer": "Trade talks should proceed."},
            {"question": "On trade again?", "answer": "Trade talks should proceed."},
        ],
    )


def save(page):
    # Wait for the page the save leads to: the next goto would otherwise cancel the post.
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()


def test_editor_corrects_a_published_briefing_and_a_remark_inline(page, editor, published):
    first = published.remarks.get(position=1)
    log_in(page, editor)
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    expect(page.locator("#id_status")).to_have_count(0)  # editors do not publish
    page.locator("#id_title").fill(published.title + " (transcript)")
    page.locator("#id_remarks-0-answer").fill("China firmly supports vaccine cooperation.")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"/briefings/{published.pk}/")
    expect(page.locator("h1")).to_contain_text("(transcript)")
    page.goto(f"/remarks/{first.pk}/")
    expect(page.locator("blockquote")).to_contain_text("China firmly supports vaccine cooperation.")
    expect(page.locator(".correction")).to_contain_text("wording of the answer")
    expect(page.locator("#main")).to_contain_text("Accessed")  # the citation's access date


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_a_reader_sees_the_correction_on_the_permalink(page, editor, published, viewport):
    first = published.remarks.get(position=1)
    # Read before the correction: the page is kept whole (statements/pagecache.py), and the
    # correction must still show at once.
    page.set_viewport_size(viewport)
    page.goto(f"/remarks/{first.pk}/")
    expect(page.locator(".correction")).to_have_count(0)
    before = page.locator("blockquote").inner_text()
    log_in(page, editor)
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.locator("#id_remarks-0-answer").fill("China firmly supports vaccine cooperation.")
    save(page)
    page.context.clear_cookies()
    page.goto(f"/remarks/{first.pk}/")
    expect(page.locator(".correction")).to_be_visible()
    expect(page.locator("blockquote")).to_contain_text("China firmly supports vaccine cooperation.")
    assert "China firmly supports vaccine cooperation." not in before
    assert overflowing(page) == []


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_a_corrected_wording_is_found_by_its_phrase_at_once(page, editor, published, viewport):
    page.set_viewport_size(viewport)

    def search(phrase):
        page.goto("/remarks/")
        page.get_by_label("Search question and answer text").fill(phrase)
        page.get_by_role("button", name="Search").click()

    search('"china supports vaccine"')  # read before the correction: the search engine's index holds it
    expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
    log_in(page, editor)
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.locator("#id_remarks-0-answer").fill("China firmly supports vaccine cooperation, as of the start.")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.context.clear_cookies()

    search('"firmly supports vaccine"')
    expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
    expect(page.locator(".result mark")).to_have_text(re.compile("firmly supports vaccine", re.I))
    search('"as of the start"')
    expect(page.get_by_role("heading", name="1 remark")).to_be_visible()
    search('"china supports vaccine"')  # the old wording is gone
    expect(page.get_by_role("heading", name="0 remarks")).to_be_visible()
    assert overflowing(page) == []


def test_editor_cannot_publish_by_moving_a_draft_remark(page, editor, published, make_briefing):
    draft = make_briefing(status="draft", remarks=[{"answer": "Not for the public yet."}])
    remark = draft.remarks.get()
    log_in(page, editor)
    page.goto(f"/admin/statements/remark/{remark.pk}/change/")
    choose_autocomplete(page, "id_briefing", "March 1, 2021")
    page.locator("#id_position").fill("9")
    save(page)
    expect(page.locator(".errorlist")).to_contain_text("only publishers do")
    assert page.request.get(f"/remarks/{remark.pk}/").status == 404


def test_publisher_unpublishes_and_publishes_from_the_status_field(page, publisher, published):
    log_in(page, publisher)
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.locator("#id_status").select_option("draft")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert page.request.get(f"/briefings/{published.pk}/").status == 404

    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.locator("a.viewsitelink").click()  # the staff preview of the draft
    expect(page.locator(".preview-notice")).to_contain_text("draft")
    expect(page.locator("#main")).to_contain_text("China supports vaccine cooperation.")

    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.locator("#id_status").select_option("published")
    save(page)
    page.goto(f"/briefings/{published.pk}/")
    expect(page.locator("#main")).to_contain_text("China supports vaccine cooperation.")


def test_publisher_unpublishes_from_the_list(page, publisher, published):
    log_in(page, publisher)
    page.goto("/admin/statements/briefing/")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("unpublish")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Unpublished 1 briefing")
    assert page.request.get(f"/briefings/{published.pk}/").status == 404


def select_remarks(page, *remarks):
    page.goto("/admin/statements/remark/")
    for remark in remarks:
        page.locator(f"input[name=_selected_action][value='{remark.pk}']").check()


def test_publisher_withdraws_a_remark_and_its_permalink_says_why(page, publisher, published):
    remark = published.remarks.get(position=1)
    log_in(page, publisher)
    select_remarks(page, remark)
    page.locator("select[name=action]").select_option("withdraw")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Why").fill("Mistranscribed by the source.")
    page.get_by_role("button", name="Withdraw 1 remark").click()
    expect(page.locator(".messagelist")).to_contain_text("Withdrew 1 remark")
    response = page.goto(f"/remarks/{remark.pk}/")
    assert response.status == 410
    expect(page.locator("#main")).to_contain_text("Mistranscribed by the source.")


def test_publisher_merges_duplicates_and_the_duplicate_redirects(page, publisher, published):
    second, third = published.remarks.get(position=2), published.remarks.get(position=3)
    log_in(page, publisher)
    select_remarks(page, second, third)
    page.locator("select[name=action]").select_option("merge")
    page.get_by_role("button", name="Go").click()
    page.get_by_label(re.compile(f"Keep remark {second.pk}")).check()
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Merged 1 remark(s) into remark {second.pk}")
    page.goto(f"/remarks/{third.pk}/")
    assert page.url.endswith(f"/remarks/{second.pk}/")


def test_editor_restores_an_earlier_title_from_history(page, editor, published):
    original = published.title
    log_in(page, editor)
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.locator("#id_title").fill("A wrong title")
    save(page)
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#change-history")).to_contain_text("Changed in the admin")
    page.locator("#change-history tbody tr").last.locator("a").first.click()  # the oldest version
    page.get_by_role("button", name="Revert").click()
    expect(page.locator(".messagelist")).to_contain_text("successfully")
    page.goto(f"/briefings/{published.pk}/")
    expect(page.locator("h1")).to_have_text(original)
    assert Briefing.objects.get(pk=published.pk).status == Briefing.Status.PUBLISHED


def import_pasted(page, text):
    page.goto("/admin/")
    page.get_by_role("link", name="Import transcript").first.click()
    page.locator("textarea[name=text]").fill(text)
    page.locator("input[name=source_url]").fill(SOURCE)
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Save as draft").click()


def test_import_then_a_changed_reimport_of_the_published_briefing_is_refused(page, editor, publisher, wang):
    log_in(page, editor)
    import_pasted(page, PASTED)
    expect(page.locator(".messagelist")).to_contain_text("Saved as draft: created")
    briefing = Briefing.objects.get(source_url=SOURCE)
    assert page.request.get(f"/briefings/{briefing.pk}/").status == 404

    log_in(page, publisher)
    page.goto(f"/admin/statements/briefing/{briefing.pk}/change/")
    page.locator("#id_status").select_option("published")
    save(page)

    log_in(page, editor)
    import_pasted(page, PASTED.replace("equal footing", "equal and fair footing"))
    expect(page.locator(".messagelist")).to_contain_text("is published and this transcript differs")
    page.goto(f"/briefings/{briefing.pk}/")
    expect(page.locator("#main")).to_contain_text("on an equal footing.")
    expect(page.locator("#main")).not_to_contain_text("equal and fair footing")


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_a_briefing_search_finds_a_briefing_under_the_host_given_it(page, role, request, published, make_briefing, hua):
    """A /briefings/ search counts and lists a briefing under its host, not its remarks'
    speakers, and under the new host once an editor changes it."""
    # Wang Wenbin answers at Hua Chunying's briefing: counted under her.
    guest = {"answer": "Trade talks need patience.", "speaker": published.spokesperson}
    make_briefing(spokesperson=hua, date=published.date, remarks=[guest])

    def count(host):
        option = page.locator(".facet-option", has_text=host)
        return int(option.locator(".facet-count").inner_text()) if option.count() else 0

    page.goto("/briefings/?q=trade")
    assert (count("Hua Chunying"), count("Wang Wenbin")) == (1, 1)
    log_in(page, request.getfixturevalue(role))
    page.goto(f"/admin/statements/briefing/{published.pk}/change/")
    choose_autocomplete(page, "id_spokesperson", "Hua Chunying")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.context.clear_cookies()
    page.goto("/briefings/?q=trade")
    assert (count("Hua Chunying"), count("Wang Wenbin")) == (2, 0)
    page.locator(".facet-option", has_text="Hua Chunying").click()
    expect(page.locator(".results-head h2")).to_contain_text("2 briefings")
    expect(page.get_by_role("link", name=published.title)).to_be_visible()
