"""Issue 28: a publisher publishes a month of imported transcripts in one step through the admin
(select all drafts, Publish, the confirmation page) and readers at once find them on every
public page, browsable by topic and country, with translations counted once; an editor is not
offered the action."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from statements.import_store import store_briefing
from statements.importers import Hints, parse_transcript
from statements.models import Briefing, Entity, Remark, Topic
from tests.test_import_corpus import CORPUS, MANIFEST

from .test_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def number(count):
    return f"{count:,}"


@pytest.fixture
def imported_drafts(ministry):
    """The corpus's 2020 transcripts, English and Chinese, imported as the sync does: drafts,
    tagged, translations paired."""
    call_command("load_reference_data", stdout=io.StringIO())
    ministry.language = "zh"  # its own language: the original of each paired exchange
    ministry.save()
    for row in MANIFEST:
        if row["date_from_title"].startswith("2020"):
            parsed = parse_transcript((CORPUS / row["path"]).read_bytes(), Hints(source_url=row["source_url"]))
            store_briefing(parsed, create_spokespersons=True)
    drafts = Briefing.objects.filter(status=Briefing.Status.DRAFT)
    assert drafts.count() == 32 and not Remark.objects.published().exists()
    return drafts


def test_an_editor_is_not_offered_publishing(page, editor, imported_drafts):
    log_in(page, editor)
    page.goto("/admin/statements/briefing/")
    expect(page.locator("#result_list tbody tr")).to_have_count(32)
    options = page.locator("select[name=action] option").all_text_contents()  # none at all for an editor
    assert not any("Publish" in option for option in options)


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_publisher_publishes_a_month_and_readers_browse_it_at_once(page, browser, live_server, publisher, imported_drafts, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, publisher)
    page.goto("/admin/statements/briefing/")
    page.locator("#changelist-filter").get_by_role("link", name="Draft", exact=True).click()
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="Publish selected briefings")
    page.get_by_role("button", name="Go").click()
    remark_count = Remark.objects.count()
    expect(page.locator(".publish-summary")).to_contain_text(f"32 briefings and their {remark_count} remarks will be public at once")
    page.screenshot(path=f"/tmp/bulk-publish-confirm-{width}.png", full_page=False)
    page.get_by_role("button", name="Publish 32 briefings").click()
    expect(page.locator(".messagelist")).to_contain_text("32")

    # A reader, at once, on the same viewport.
    reader = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height}).new_page()
    reader.goto("/remarks/")
    expect(reader.locator("#results-heading")).to_contain_text(number(remark_count) + " remarks (each language version counted)")
    # One version per exchange: each English remark paired with its Chinese original counts once.
    exchanges = Remark.objects.published().one_version_per_exchange().count()
    assert exchanges < remark_count
    reader.locator("nav.versions").get_by_role("link", name="the original").click()
    expect(reader.locator("#results-heading")).to_contain_text(number(exchanges) + " remarks (one version per exchange")
    reader.goto("/remarks/?q=pandemic")
    expect(reader.locator("#results-heading")).to_contain_text("remarks")
    expect(reader.locator("article.result").first).to_be_visible()

    reader.goto("/entities/")
    united_states = Entity.objects.get(iso_code="US")
    us_count = Remark.objects.published().filter(entities=united_states).count()
    assert us_count > 0
    us_item = reader.locator(".count-list li", has=reader.get_by_role("link", name=united_states.name, exact=True))
    expect(us_item.locator(".count")).to_have_text(number(us_count))
    us_item.get_by_role("link", name=united_states.name, exact=True).click()
    expect(reader.locator("main")).to_contain_text(united_states.name)
    expect(reader.locator("article.result").first).to_be_visible()
    reader.screenshot(path=f"/tmp/bulk-publish-entity-{width}.png", full_page=False)

    reader.goto("/topics/")
    public_topics = list(Topic.objects.public())
    assert public_topics
    expect(reader.locator("main")).to_contain_text(public_topics[0].name)
    reader.get_by_role("link", name=public_topics[0].name, exact=True).first.click()
    expect(reader.locator("article.result").first).to_be_visible()
    reader.screenshot(path=f"/tmp/bulk-publish-topic-{width}.png", full_page=False)

    english = Briefing.objects.published().filter(language="en").order_by("date").first()
    reader.goto(f"/briefings/{english.pk}/")
    expect(reader.get_by_role("link", name=re.compile("中文"))).to_have_attribute("href", re.compile(rf"/briefings/{english.translation_id}/"))
    reader.context.close()
