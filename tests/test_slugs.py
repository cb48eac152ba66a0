"""Saved searches, bookmarks and feeds outlive renames; an unknown facet value is left out of a
page with a notice, never a bare 400 (statements/slugs.py)."""

import pytest

from statements.models import Remark


@pytest.fixture
def trade(make_briefing, topics, wang):
    make_briefing(spokesperson=wang, remarks=[
        {"answer": "Tariffs hurt both sides.", "topics": [topics["trade"]]},
        {"answer": "Taiwan is part of China.", "topics": [topics["taiwan"]]},
    ])
    return topics["trade"]


def test_an_unknown_facet_value_is_left_out_of_the_page_with_a_notice(client, trade):
    response = client.get("/remarks/?topic=nonexistent&topic=trade")
    assert response.status_code == 200
    assert "There is no topic “nonexistent”; it was left out of this search." in response.text
    assert response.context["page"].paginator.count == 1
    response = client.get("/briefings/?spokesperson=nobody")
    assert response.status_code == 200 and "There is no spokesperson “nobody”" in response.text


def test_a_renamed_slug_redirects_everywhere_it_was_saved(client, trade):
    trade.slug, trade.name = "trade-and-tariffs", "Trade and tariffs"
    trade.save()
    response = client.get("/remarks/?topic=trade&lang=en")
    assert response.status_code == 301 and response["Location"] == "/remarks/?topic=trade-and-tariffs&lang=en"
    assert client.get("/topics/trade/")["Location"] == "/topics/trade-and-tariffs/"
    assert client.get("/topics/trade/feed/")["Location"] == "/topics/trade-and-tariffs/feed/"
    assert client.get("/topics/trade/positions/").status_code in (301, 404)
    feed = client.get("/remarks/feed/?topic=trade")  # a subscriber's reader gets the same remarks
    assert feed.status_code == 200 and "Tariffs hurt both sides." in feed.text
    export = client.get("/remarks/export.json?topic=trade")
    assert export.status_code == 301 and export["Location"] == "/remarks/export.json?topic=trade-and-tariffs"


def test_a_feed_or_an_export_of_an_unknown_slug_is_refused_rather_than_widened(client, trade):
    assert client.get("/remarks/feed/?topic=no-such-topic").status_code == 400
    assert client.get("/remarks/export.csv?topic=no-such-topic").status_code == 400
    assert Remark.objects.count() == 2
