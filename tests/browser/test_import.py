"""An editor imports a published transcript page through the admin, reads the preview, corrects
the host, saves a draft and lands on it."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from statements.models import Briefing

from .test_editor import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = Path(__file__).parents[1] / "data/mfa/en/2018-08-03-briefing-t1583054.html"


def test_editor_imports_a_transcript_page(page, editor, geng, hua):
    log_in(page, editor)

    page.goto("/admin/statements/briefing/")
    page.get_by_role("link", name="Import transcript").click()
    page.locator("input[type=file]").set_input_files(str(PAGE))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("Regular Press Conference on August 3, 2018").first).to_be_visible()
    expect(page.get_by_text("11 (9 questions)")).to_be_visible()
    expect(page.get_by_text("2018-08-03 (from the title)")).to_be_visible()
    expect(page.locator("#id_review-0-spokesperson")).to_have_value(str(geng.pk))
    assert not Briefing.objects.exists()

    page.locator("#id_review-0-spokesperson").select_option(label="Hua Chunying")
    page.get_by_role("button", name="Save as draft").click()

    expect(page.locator(".messagelist")).to_contain_text("Saved as draft: created")
    briefing = Briefing.objects.get()
    assert page.url.endswith(f"/admin/statements/briefing/{briefing.pk}/change/")
    assert briefing.status == Briefing.Status.DRAFT and briefing.spokesperson == hua
    assert briefing.remarks.count() == 11


@pytest.fixture
def transcript_site():
    """tests/data/mfa served on 127.0.0.1, standing in for the ministry's site."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(PAGE.parents[1])))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_editor_imports_from_an_address_and_adds_the_new_host(page, editor, transcript_site, settings):
    # Only tests may fetch from loopback: production refuses private addresses (docs/importing.md).
    settings.IMPORT_FETCH_ALLOW_PRIVATE = True
    address = f"{transcript_site}/en/{PAGE.name}"
    log_in(page, editor)

    page.goto("/admin/statements/briefing/")
    page.get_by_role("link", name="Import transcript").click()
    page.get_by_label("Transcript's address").fill(address)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("Regular Press Conference on August 3, 2018").first).to_be_visible()
    expect(page.locator(".import-facts")).to_contain_text(address)
    # Nobody called Geng Shuang yet: the preview offers to add him in the same save.
    expect(page.locator(".import-facts")).to_contain_text("not in the database")
    expect(page.get_by_label("Add the host as a new spokesperson")).to_be_checked()
    expect(page.get_by_label("Name in Latin script")).to_have_value("Geng Shuang")
    page.get_by_label("Native name").fill("耿爽")
    assert not Briefing.objects.exists()
    page.get_by_role("button", name="Save as draft").click()

    expect(page.locator(".messagelist")).to_contain_text("Saved as draft: created")
    briefing = Briefing.objects.select_related("spokesperson").get()
    assert page.url.endswith(f"/admin/statements/briefing/{briefing.pk}/change/")
    expect(page.locator("#id_source_url")).to_have_value(address)
    assert briefing.source_url == address and briefing.status == Briefing.Status.DRAFT
    assert (briefing.spokesperson.name, briefing.spokesperson.native_name) == ("Geng Shuang", "耿爽")
    assert not briefing.remarks.filter(speaker=None).exists()


SEEDS = Path(__file__).parents[1] / "data/seeds"
# Each seed: its file, the outlet, the date's evidence, the remarks' count, a question and an
# answer's opening words that readers must see.
SEED_CASES = [
    (
        "2020-12-18-ccb-news-who-traceability-and-us-blacklist.txt", "CCB News",
        "2020-12-18 (from the report's dateline “CCB News, Beijing, December 18” and “on the afternoon of the 18th”)",
        3, 'A reporter asked, the United States may add another 80 Chinese companies to the "blacklist."',
        "In response, Wang Wenbin replied", "December 18, 2020, as reported by CCB News",
    ),
    (
        "2023-01-09-xinhua-safe-smooth-flows-of-personnel.txt", "Xinhua",
        "2023-01-09 (from the report's dateline “BEIJING, Jan. 9 (Xinhua)” and “on Monday”)",
        1, "", "Since COVID began, China has always put the people", "January 9, 2023, as reported by Xinhua",
    ),
]


@pytest.mark.parametrize("name, outlet, evidence, count, question, answer, cited", SEED_CASES)
def test_an_editor_pastes_a_news_report_and_readers_see_it_as_reported(
    page, editor, publisher, ministry, name, outlet, evidence, count, question, answer, cited
):
    """A seed report pasted as an editor would: the preview says where the date came from and
    whose report it is, offers the spokesperson as new; once published, readers on a desktop and
    a phone read its exchanges, said to be as reported by the outlet, and cite it so."""
    from .test_editorial_flows import save

    log_in(page, editor)
    page.goto("/admin/statements/briefing/")
    page.get_by_role("link", name="Import transcript").click()
    page.locator("textarea[name=text]").fill((SEEDS / name).read_text())
    page.get_by_role("button", name="Preview").click()

    facts = page.locator(".import-facts")
    expect(facts).to_contain_text("news report")
    expect(facts).to_contain_text(f"{outlet}: a news report of the briefing, a secondary source")
    expect(facts).to_contain_text(evidence)
    expect(facts).to_contain_text(f"{count} ({count} questions)")
    expect(page.get_by_label("Add the host as a new spokesperson")).to_be_checked()
    expect(page.get_by_label("Name in Latin script")).to_have_value("Wang Wenbin")
    page.get_by_label("Native name").fill("汪文斌")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved as draft: created")
    briefing = Briefing.objects.get()
    expect(page.locator("#id_news_report")).to_be_checked()

    log_in(page, publisher)
    page.goto(f"/admin/statements/briefing/{briefing.pk}/change/")
    page.locator("#id_status").select_option("published")
    save(page)

    page.context.clear_cookies()
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/briefings/{briefing.pk}/")
        expect(page.locator(".transcript-head")).to_contain_text(f"As reported by {outlet}")
        exchanges = page.locator(".exchange")
        expect(exchanges).to_have_count(count)
        exchange = exchanges.nth(1 if count > 1 else 0)
        if question:
            expect(exchange).to_contain_text(question)
        exchange.get_by_role("link", name="Permalink").click()
        expect(page.locator(".reported-by")).to_be_visible()
        expect(page.locator(".answer")).to_contain_text(answer)
        expect(page.locator(".cite")).to_contain_text(cited)
        page.screenshot(path=f"/tmp/news-report-{outlet}-{width}.png", full_page=False)


IRREGULAR = """Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on March 2, 2021

Q: Reports say talks will be held next week. Can you confirm?

Wang Wenbin said China welcomes the talks.

Q: Any comment on the trade talks?

A: Trade talks should proceed on an equal footing.
"""


@pytest.mark.parametrize("role", ["editor", "publisher"])
@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_an_exchange_the_page_left_irregular_is_imported_flagged_and_checked(page, request, role, width, height, wang):
    """Issue 28: a transcript whose answer lacks its label comes in, not refused; the preview
    marks the remark to check, the "needs review" filter finds it, and emptying its note once
    checked takes it off the list."""
    from .test_editorial_flows import save

    page.set_viewport_size({"width": width, "height": height})
    log_in(page, request.getfixturevalue(role))
    page.goto("/admin/statements/briefing/")
    page.get_by_role("link", name="Import transcript").click()
    page.locator("textarea[name=text]").fill(IRREGULAR)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".import-facts")).to_contain_text("2 (2 questions), 1 to check")
    flagged_row = page.locator(".import-remarks tr.to-check")
    expect(flagged_row).to_have_count(1)
    expect(flagged_row).to_contain_text("Wang Wenbin said China welcomes the talks.")
    expect(flagged_row.locator(".review")).to_contain_text("has no speaker's label")
    flagged_row.screenshot(path=f"/tmp/to-check-preview-{role}-{width}.png")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Saved as draft: created")

    page.goto("/admin/statements/remark/")
    if width < 768:  # the admin's filters sit below the list on a phone
        page.locator("#changelist-filter").scroll_into_view_if_needed()
    page.locator("#changelist-filter").get_by_role("link", name="To check", exact=True).click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("has no speaker")
    page.screenshot(path=f"/tmp/to-check-list-{role}-{width}.png", full_page=True)
    rows.first.locator("th a, td a").first.click()
    expect(page.locator("#id_answer")).to_have_value("Wang Wenbin said China welcomes the talks.")
    note = page.get_by_label("Check:")
    expect(note).to_have_value(re.compile("has no speaker's label"))
    note.fill("")
    save(page)
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto("/admin/statements/remark/?check=yes")
    expect(page.locator("#result_list")).to_have_count(0)
    page.screenshot(path=f"/tmp/to-check-{role}-{width}.png", full_page=False)
