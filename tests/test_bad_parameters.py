"""Malformed parameters get a clear 400 or are ignored; never a 500."""

import pytest


@pytest.fixture
def some_data(make_briefing, wang, topics):
    make_briefing(spokesperson=wang, remarks=[{"answer": "Words.", "topics": [topics["trade"]]}])


@pytest.mark.parametrize(
    "query, message",
    [
        ("kind=speech", "speech"),
        ("lang=fr", "fr"),
        ("year=twenty", "is not a year"),
        ("year=99999", "outside"),
        ("date_from=2020-13-45", "valid date"),
        ("date_to=yesterday", "valid date"),
        ("q=" + "x" * 600, "at most 500"),
        ("q=%00", "Null characters"),
        ("date_from=2021-01-01&date_to=2020-01-01", "ends (2020-01-01) before it starts"),
        ("page=99999", "Pages go up to 1000"),
    ],
)
def test_bad_filter_value_is_a_clear_400(client, some_data, query, message):
    response = client.get(f"/remarks/?{query}")
    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize(
    "query, message",
    [
        ("topic=no-such-topic", "There is no topic “no-such-topic”"),
        ("spokesperson=nobody", "There is no spokesperson “nobody”"),
        ("mentions=atlantis", "There is no country or organisation “atlantis”"),
        ("ministry=ministry-of-magic", "There is no ministry “ministry-of-magic”"),
        # Not a slug at all: never sent to the database (a NUL byte is an error on PostgreSQL).
        ("topic=%00", "A topic that is not a valid name was left out"),
        ("mentions=a%20b%0a", "A country or organisation that is not a valid name was left out"),
    ],
)
def test_an_unknown_slug_is_left_out_of_the_page_with_a_notice(client, some_data, query, message):
    response = client.get(f"/remarks/?{query}")
    assert response.status_code == 200
    assert message in response.text
    # Feeds and exports refuse it instead: left out, it would widen what they send.
    assert client.get(f"/remarks/export.csv?{query}").status_code == 400


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=-1", "page=1e9", "sort=nonsense", "unknown=1", "q=", "q=%22", "q=-",
     "topic=", "q=%ff%fe", "year=", "date_from="],
)
def test_harmless_oddities_are_ignored(client, some_data, query):
    response = client.get(f"/remarks/?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/briefings/?q=-", "/briefings/?q=%22%22", "/compare/?term=-", "/compare/?term=china&term=-"])
def test_a_search_for_nothing_is_an_empty_answer(client, some_data, path):
    """A query with nothing to look for matches nothing: no SQL to cache it under, no 500."""
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("query", ["lang=xx", "year=abc", "kind=zzz", "date_from=2020-02-30"])
def test_briefing_list_bad_values_are_400(client, some_data, query):
    assert client.get(f"/briefings/?{query}").status_code == 400


@pytest.mark.parametrize("path", ["/remarks/abc/", "/remarks/99999999999999999999999/", "/briefings/-1/", "/topics/%ff/"])
def test_odd_paths_are_404(client, some_data, path):
    assert client.get(path).status_code == 404
