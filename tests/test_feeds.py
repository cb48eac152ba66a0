"""Atom feeds for any search state and for each topic, spokesperson and entity."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.http import QueryDict

from statements.catalogue import FEED_LENGTH
from statements.filters import RemarkFilter
from statements.models import Briefing, Remark

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response):
    """The feed's entries, after checking what RFC 4287 requires of a feed and its entries."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"

    def one(element, name):
        found = element.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{element.tag} needs exactly one {name}"
        return found[0]

    def is_date(text):
        return datetime.datetime.fromisoformat(text).tzinfo is not None

    for name in ("id", "title"):
        assert one(feed, name).text
    assert is_date(one(feed, "updated").text)
    assert any(link.get("rel") == "self" for link in feed.findall(f"{ATOM}link"))
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        assert one(entry, "id").text.startswith("http://testserver/remarks/")
        assert one(entry, "title").text
        assert is_date(one(entry, "updated").text)
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == one(entry, "id").text
        assert feed_has_author or entry.find(f"{ATOM}author/{ATOM}name") is not None
    return feed, entries


def entry_ids(entries):
    return [int(entry.find(f"{ATOM}id").text.rstrip("/").rsplit("/", 1)[1]) for entry in entries]


@pytest.fixture
def corpus(make_briefing, wang, hua, topics, entities):
    for day in range(1, 4):
        make_briefing(
            spokesperson=wang if day % 2 else hua,
            date=datetime.date(2021, 3, day),
            remarks=[
                {"question": f"Trade question {day}?", "answer": f"Trade answer {day}.", "topics": [topics["trade"]]},
                {"answer": f"Taiwan answer {day}.", "topics": [topics["taiwan"]], "entities": [entities["us"]]},
            ],
        )
    make_briefing(
        spokesperson=wang,
        status=Briefing.Status.DRAFT,
        date=datetime.date(2021, 4, 1),
        remarks=[{"answer": "DRAFTMARKER trade", "topics": [topics["trade"]], "entities": [entities["us"]]}],
    )


@pytest.mark.parametrize("state", ["", "topic=trade", "q=answer&spokesperson=wang-wenbin", "lang=zh", "mentions=united-states&year=2021"])
def test_search_feed_lists_the_newest_matches_of_the_state(client, corpus, state):
    feed, entries = parse_atom(client.get(f"/remarks/feed/?{state}"))
    filterset = RemarkFilter(QueryDict(state), queryset=Remark.objects.published())
    assert filterset.is_valid()
    expected = filterset.qs.order_by("-briefing__published_at", "-briefing_id", "position")
    assert entry_ids(entries) == list(expected.values_list("pk", flat=True)[:FEED_LENGTH])
    alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == f"http://testserver/remarks/?{state}".rstrip("?")
    assert "DRAFTMARKER" not in client.get(f"/remarks/feed/?{state}").text


def test_feed_title_says_what_was_searched(client, corpus):
    feed, _ = parse_atom(client.get("/remarks/feed/?q=answer&topic=trade&lang=en&sort=oldest&page=3"))
    assert feed.find(f"{ATOM}title").text == "Remarks: search “answer” · Topic: Trade · Language: English"
    # sort and page mean nothing to a feed and are left out of its links.
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/remarks/feed/?q=answer&topic=trade&lang=en"


def test_feed_is_capped_at_the_newest_entries(client, make_briefing, wang):
    make_briefing(spokesperson=wang, remarks=[{"answer": f"Remark {n}"} for n in range(FEED_LENGTH + 5)])
    _, entries = parse_atom(client.get("/remarks/feed/"))
    assert len(entries) == FEED_LENGTH


@pytest.mark.parametrize(
    "path, title, count",
    [
        ("/topics/trade/feed/", "Remarks on Trade", 3),
        ("/spokespersons/hua-chunying/feed/", "Remarks by Hua Chunying", 2),
        ("/entities/united-states/feed/", "Remarks mentioning United States", 3),
    ],
)
def test_topic_spokesperson_and_entity_feeds(client, corpus, path, title, count):
    response = client.get(path)
    feed, entries = parse_atom(response)
    assert feed.find(f"{ATOM}title").text == title
    assert len(entries) == count
    assert "DRAFTMARKER" not in response.text
    page = client.get(path.removesuffix("feed/"))
    assert f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)" href="{path}">' in page.text


def test_entry_carries_question_answer_author_and_topics(client, corpus):
    _, entries = parse_atom(client.get("/remarks/feed/?q=%22trade+answer+3%22"))
    (entry,) = entries
    assert entry.find(f"{ATOM}title").text == "Wang Wenbin, 3 March 2021: Trade question 3?"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Wang Wenbin"
    assert "Trade answer 3." in entry.find(f"{ATOM}summary").text
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Trade"]
    # When it was published on the site (its date, 3 March 2021, is in the title).
    remark = Remark.objects.get(answer="Trade answer 3.")
    assert entry.find(f"{ATOM}published").text == remark.briefing.published_at.isoformat()


def test_markup_in_a_remark_reaches_feed_readers_as_text(client, make_briefing, wang):
    make_briefing(spokesperson=wang, remarks=[{"answer": "<script>alert(1)</script> <b>bold</b>"}])
    _, (entry,) = parse_atom(client.get("/remarks/feed/"))
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;" in summary.text
    assert "<script>" not in summary.text


def test_results_page_links_its_feed(client, corpus):
    response = client.get("/remarks/?topic=trade&sort=oldest&page=1")
    assert 'href="/remarks/feed/?topic=trade"' in response.text
    assert '<link rel="alternate" type="application/atom+xml"' in response.text


def test_bad_parameters_and_unknown_slugs(client, corpus):
    assert client.get("/remarks/feed/?date_from=soon").status_code == 400
    assert client.get("/remarks/feed/?topic=no-such-topic").status_code == 400
    assert client.get("/topics/no-such-topic/feed/").status_code == 404
    assert client.get("/spokespersons/nobody/feed/").status_code == 404
    assert client.get("/entities/nowhere/feed/").status_code == 404


def test_a_back_filled_briefing_published_today_leads_the_feeds(client, corpus, make_briefing, wang, topics, monkeypatch):
    from statements import feeds

    back_filled = make_briefing(
        spokesperson=wang, date=datetime.date(2018, 5, 11), status=Briefing.Status.DRAFT,
        remarks=[{"answer": "Said in 2018, published today.", "topics": [topics["trade"]]}],
    )
    back_filled.publish()
    back_filled.save()
    remark = back_filled.remarks.get()
    for path in ("/remarks/feed/", "/topics/trade/feed/", "/spokespersons/wang-wenbin/feed/"):
        _, entries = parse_atom(client.get(path))
        assert entry_ids(entries)[0] == remark.pk, path
    # The same when the newest publications are searched in small windows.
    monkeypatch.setattr(feeds, "PUBLICATION_WINDOWS", (1, 2, None))
    _, entries = parse_atom(client.get("/remarks/feed/?lang=zh"))
    assert entry_ids(entries) == list(
        Remark.objects.published().filter(language="zh").order_by("-briefing__published_at", "-briefing_id", "position")
        .values_list("pk", flat=True)[:FEED_LENGTH]
    )
