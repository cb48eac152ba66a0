"""Search on /briefings/: the briefings with at least one public remark that matches, with the
same query language and scope as /remarks/, exact facet counts and a highlighted first match."""

import datetime
import random
from collections import Counter

import pytest

from statements.models import Briefing


def remark(question, answer, **fields):
    return {"question": question, "answer": answer, **fields}


@pytest.fixture
def briefings(make_briefing, wang, hua):
    return {
        "tariffs": make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 1), remarks=[
            remark("On the weather?", "It is sunny."),
            remark("What about the new duties?", "China firmly opposes unilateral tariffs."),
            remark("And the talks?", "Tariffs solve nothing; dialogue does."),
        ]),
        "vaccines": make_briefing(spokesperson=hua, date=datetime.date(2021, 4, 2), remarks=[
            remark("Will China share vaccines?", "We have always said so."),
        ]),
        "draft": make_briefing(status=Briefing.Status.DRAFT, remarks=[remark("", "Tariffs in a draft.")]),
        "withdrawn": make_briefing(spokesperson=hua, remarks=[remark("", "Tariffs, withdrawn.")]),
        "script": make_briefing(spokesperson=hua, date=datetime.date(2021, 5, 3), remarks=[
            remark("", "<script>alert('x')</script> tariffs & <b>friends</b>"),
        ]),
        "chinese": make_briefing(spokesperson=hua, language="zh", date=datetime.date(2021, 4, 2), remarks=[
            remark("关于新冠疫苗？", "中方已向80个国家提供新冠疫苗援助。"),
        ]),
    }


def titles(client, query):
    response = client.get(f"/briefings/{query}")
    assert response.status_code == 200
    return sorted(b.title for b in response.context["page"])


def test_search_finds_briefings_through_their_public_remarks(client, briefings):
    briefings["withdrawn"].remarks.get().withdraw("Misattributed.")
    found = lambda query: titles(client, query)  # noqa: E731
    name = {key: b.title for key, b in briefings.items()}
    assert found("?q=tariff") == sorted([name["tariffs"], name["script"]])  # stemmed; no draft, no withdrawn
    assert found('?q="opposes unilateral tariffs"') == [name["tariffs"]]
    assert found('?q="unilateral opposes"') == []
    assert found("?q=tariffs -dialogue") == sorted([name["tariffs"], name["script"]])  # another remark matches
    assert found("?q=vaccines") == [name["vaccines"]]
    assert found("?q=vaccines&scope=answers") == []
    assert found("?q=duties&scope=questions") == [name["tariffs"]]
    assert found("?q=疫苗") == [name["chinese"]]
    assert found("?q=tariffs OR vaccines&spokesperson=hua-chunying") == sorted([name["script"], name["vaccines"]])


def test_each_briefing_shows_its_first_match_highlighted_and_linked(client, briefings):
    response = client.get("/briefings/?q=tariffs")
    tariffs = briefings["tariffs"]
    first = tariffs.remarks.get(position=2)
    assert f'href="{tariffs.get_absolute_url()}#remark-{first.pk}"' in response.text
    assert "2 matching remarks, the first in the transcript" in response.text
    assert "China firmly opposes unilateral <mark>tariffs</mark>." in response.text
    # Remark text is text, never markup.
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; <mark>tariffs</mark> &amp; &lt;b&gt;friends&lt;/b&gt;" in response.text
    # The question is shown when only the question matches.
    response = client.get("/briefings/?q=duties")
    assert "What about the new <mark>duties</mark>?" in response.text
    # The same search over remarks is one click away.
    assert 'href="/remarks/?q=duties&amp;scope=all"' in response.text


def test_facet_counts_equal_counting_briefings_in_python(client, make_briefing, wang, hua):
    rng = random.Random(5)
    words = ["tariffs", "dialogue", "vaccine", "sovereignty", "climate"]
    for _ in range(30):
        make_briefing(
            spokesperson=rng.choice([wang, hua]),
            language=rng.choice(["en", "zh"]),
            kind=rng.choice(["press_conference", "remarks"]),
            date=datetime.date(rng.choice([2019, 2020, 2021]), rng.randint(1, 12), 1),
            status=rng.choice([Briefing.Status.PUBLISHED] * 4 + [Briefing.Status.DRAFT]),
            remarks=[remark("", " ".join(rng.sample(words, 2)) + ".") for _ in range(rng.randint(0, 3))],
        )
    published = list(Briefing.objects.published().select_related("spokesperson", "ministry"))

    def facets_of(briefing):
        return {
            "spokesperson": briefing.spokesperson.slug, "ministry": briefing.ministry.slug, "lang": briefing.language,
            "kind": briefing.kind, "year": str(briefing.date.year),
        }

    for word in words:
        for active in [{}, {"lang": "en"}, {"lang": "zh", "year": "2020"}]:
            query = f"?q={word}" + "".join(f"&{k}={v}" for k, v in active.items())
            context = client.get(f"/briefings/{query}").context
            matching = [b for b in published if any(word in r.answer for r in b.remarks.filter(is_public=True))]
            expected_total = [b for b in matching if all(facets_of(b)[k] == v for k, v in active.items())]
            assert context["page"].paginator.count == len(expected_total), query
            for facet in context["facets"]:
                # Disjunctive: every other active filter applies, not the facet's own.
                others = {k: v for k, v in active.items() if k != facet.param}
                expected = Counter(
                    facets_of(b)[facet.param] for b in matching if all(facets_of(b)[k] == v for k, v in others.items())
                )
                shown = {option.value: option.count for option in facet.options if option.count}
                assert shown == dict(expected), (query, facet.param)


def test_bad_search_parameters_get_a_clear_error(client, briefings):
    response = client.get("/briefings/?q=" + "x" * 501)
    assert response.status_code == 400
    assert "at most 500 characters" in response.text
    assert client.get("/briefings/?q=tariffs&scope=everything").status_code == 400
    for query in ['"', "-", "OR", '""', "-tariffs", "()"]:
        assert client.get("/briefings/", {"q": query}).status_code == 200, query


def test_the_api_searches_briefings_too(client, briefings):
    response = client.get("/api/briefings/?q=vaccines&scope=questions")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [briefings["vaccines"].pk]


@pytest.mark.parametrize("path", ["/remarks/", "/remarks/feed/", "/briefings/", "/api/briefings/"])
def test_control_characters_in_a_search_are_a_clear_error(client, briefings, path):
    # Found by tests/test_fuzz.py: "q=%08" made the feed's title unserialisable (a 500).
    response = client.get(path, {"q": "tari\x08ffs"})
    assert response.status_code == 400
    assert "Control characters are not allowed (U+" in response.content.decode()
    assert client.get(path, {"q": "tariffs\tand\ndialogue"}).status_code == 200  # whitespace is fine
