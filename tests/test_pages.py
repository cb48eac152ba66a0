"""Every public page renders what a researcher expects, in a fixed number of queries."""

import datetime
import io

import pytest

from django.core.management import call_command

from statements.models import Briefing, Remark
from statements.search.engine import search_engine
from querycount import budget_queries


@pytest.fixture
def corpus(make_briefing, wang, hua, topics, entities):
    english = make_briefing(
        spokesperson=wang,
        date=datetime.date(2020, 12, 18),
        title="Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on December 18, 2020",
        source_name="Ministry of Foreign Affairs of the PRC",
        language="en",
        remarks=[
            {"kind": "announcement", "answer": "State Councilor Wang Yi will visit France."},
            {
                "question": "Will the WHO expert team visit China?",
                "outlet": "Reuters",
                "answer": "China will continue to strengthen cooperation with the WHO.",
                "topics": [topics["who"], topics["covid"]],
                "entities": [entities["who"]],
            },
            {
                "question": "The US may add 80 Chinese companies to its blacklist.",
                "answer": "China firmly opposes this.",
                "topics": [topics["trade"]],
                "entities": [entities["us"]],
            },
        ],
    )
    chinese = make_briefing(
        spokesperson=wang,
        date=datetime.date(2020, 12, 18),
        title="2020年12月18日外交部发言人汪文斌主持例行记者会",
        language="zh",
        translation=english,
        remarks=[{"question": "世卫组织专家组何时访华？", "answer": "中方愿继续同世卫组织加强合作。", "topics": [topics["who"]]}],
    )
    make_briefing(
        spokesperson=hua,
        date=datetime.date(2018, 5, 30),
        remarks=[{"question": "On Taiwan?", "answer": "There is only one China.", "topics": [topics["taiwan"]]}],
    )
    english.refresh_from_db()
    return {"english": english, "chinese": chinese}


def test_home_shows_search_topics_and_latest_briefings(client, corpus):
    response = client.get("/")
    assert response.status_code == 200
    assert b'role="search"' in response.content
    assert "COVID-19 response" in response.text
    assert corpus["english"].title in response.text.replace("&#x27;", "'")


def test_remark_list_shows_results_and_count(client, corpus):
    response = client.get("/remarks/")
    assert response.status_code == 200
    assert "5 remarks" in response.text
    assert "China firmly opposes this." in response.text


BUDGET_QUERIES = budget_queries()


def test_remark_list_query_count_does_not_grow_with_results(client, corpus, make_briefing, topics, django_assert_max_num_queries):
    # Cold: 1 content version, the base and month tokens of the counts kept by month, 1 pass
    # counting everything but the active topic facet, 1 for it, 3 facet labels, the page's ids,
    # its rows, 2 prefetches, 1 slug validation.
    # The search engine's catch-up after a change (statements/search/engine.py) is its own work,
    # done before: counted or not, a page's queries stay the same.
    engine = search_engine()
    engine.view()
    with django_assert_max_num_queries(13 + BUDGET_QUERIES):
        client.get("/remarks/?topic=trade")
    for _ in range(5):
        make_briefing(remarks=[{"answer": "more trade", "topics": [topics["trade"]]}] * 3)
    engine.view()
    with django_assert_max_num_queries(13 + BUDGET_QUERIES):
        response = client.get("/remarks/?topic=trade")
    assert "16 remarks" in response.text


def test_remark_list_counts_are_cached_until_the_content_changes(client, corpus, topics, django_assert_num_queries):
    client.get("/remarks/?topic=trade&lang=en")
    # Cached: 1 content version, the page's ids, its rows, their topics, 1 slug validation;
    # no counting.
    with django_assert_num_queries(5 + BUDGET_QUERIES):
        response = client.get("/remarks/?lang=en&topic=trade&page=1")
    before = response.context["page"].paginator.count
    remark = corpus["english"].remarks.exclude(topics=topics["trade"]).first()
    remark.topics.add(topics["trade"])  # a tag added, through no save() at all
    response = client.get("/remarks/?topic=trade&lang=en")
    assert response.context["page"].paginator.count == before + 1


def test_remark_permalink_shows_quote_question_outlet_and_source(client, corpus):
    remark = corpus["english"].remarks.get(position=2)
    response = client.get(f"/remarks/{remark.pk}/")
    assert response.status_code == 200
    text = response.text
    assert "China will continue to strengthen cooperation with the WHO." in text
    assert "Will the WHO expert team visit China?" in text
    assert "Reuters asked" in text
    assert "Wang Wenbin" in text and "汪文斌" in text
    assert "Friday 18 December 2020" in text
    assert "remark 2 of 3" in text
    assert f'href="/briefings/{corpus["english"].pk}/#remark-{remark.pk}"' in text
    assert 'rel="prev"' in text and 'rel="next"' in text
    assert f'<meta property="og:url" content="http://testserver/remarks/{remark.pk}/">' in text
    assert '<meta name="twitter:card" content="summary_large_image">' in text
    assert 'property="og:description" content="“China will continue' in text
    assert 'id="permalink"' in text and "Copy link" in text


def reads_provenance(captured):
    return [q["sql"] for q in captured.captured_queries if "original_text" in q["sql"] or "imported_values" in q["sql"]]


def test_remark_permalink_query_count(client, corpus, django_assert_num_queries):
    remark = corpus["english"].remarks.get(position=2)
    # The content version (the page is kept under it); remark with briefing, ministry and
    # speakers; topics; entities; the briefing's order.
    with django_assert_num_queries(5 + BUDGET_QUERIES) as captured:
        first = client.get(f"/remarks/{remark.pk}/")
    assert not reads_provenance(captured), "a public page reads no transcript kept for provenance"
    # Asked again: the content version only, the page as it was kept.
    with django_assert_num_queries(1 + BUDGET_QUERIES):
        again = client.get(f"/remarks/{remark.pk}/")
    assert again.content == first.content


def test_first_remark_has_no_previous_link(client, corpus):
    remark = corpus["english"].remarks.get(position=1)
    response = client.get(f"/remarks/{remark.pk}/")
    assert 'rel="prev"' not in response.text and 'rel="next"' in response.text


def test_unknown_remark_is_404(client, corpus):
    assert client.get("/remarks/999999/").status_code == 404


def test_briefing_transcript_anchors_every_remark_and_links_translation(client, corpus, django_assert_num_queries):
    briefing = corpus["english"]
    # The content version; the briefing with its ministry, spokesperson and translation; its
    # remarks; their topics; their entities.
    with django_assert_num_queries(5 + BUDGET_QUERIES) as captured:
        response = client.get(f"/briefings/{briefing.pk}/")
    assert not reads_provenance(captured)
    assert response.status_code == 200
    for remark in briefing.remarks.all():
        assert f'id="remark-{remark.pk}"' in response.text
    assert f'href="/briefings/{corpus["chinese"].pk}/"' in response.text
    assert "中文原文" in response.text
    assert "Reuters:" in response.text


def test_translation_link_hidden_when_translation_is_a_draft(client, corpus):
    Briefing.objects.filter(pk=corpus["chinese"].pk).update(status=Briefing.Status.DRAFT)
    response = client.get(f"/briefings/{corpus['english'].pk}/")
    assert f'/briefings/{corpus["chinese"].pk}/' not in response.text


def test_briefing_list_with_facets(client, corpus, django_assert_max_num_queries):
    # Counted once: the content version, month tokens (and the first one written), the
    # active language facet, one pass for the rest, 2 facet labels, the page's ids, its rows.
    with django_assert_max_num_queries(9 + BUDGET_QUERIES):
        response = client.get("/briefings/?lang=en")
    assert response.status_code == 200
    # Then from the cache: the version, the page's ids, its rows.
    with django_assert_max_num_queries(3 + BUDGET_QUERIES):
        assert client.get("/briefings/?lang=en").text == response.text
    assert "2 briefings" in response.text
    assert "2020年12月18日" not in response.text


def test_topic_pages(client, corpus, topics):
    response = client.get("/topics/")
    assert response.status_code == 200
    assert "WHO cooperation" in response.text
    response = client.get("/topics/who-cooperation/")
    assert response.status_code == 200
    assert "2 published remarks" in response.text
    assert "COVID-19 response" in response.text  # parent in the breadcrumb
    assert "中方愿继续同世卫组织加强合作。" in response.text


def test_spokesperson_pages(client, corpus):
    response = client.get("/spokespersons/")
    assert response.status_code == 200
    assert "Hua Chunying" in response.text and "华春莹" in response.text
    response = client.get("/spokespersons/wang-wenbin/")
    assert response.status_code == 200
    assert "4 published remarks" in response.text
    assert "Trade" in response.text  # among the top topics


def test_entity_pages(client, corpus):
    assert client.get("/entities/").status_code == 200
    response = client.get("/entities/united-states/")
    assert response.status_code == 200
    assert "1 published remark" in response.text
    assert "美国" in response.text


@pytest.mark.parametrize("path", ["/topics/nope/", "/spokespersons/nope/", "/entities/nope/", "/briefings/424242/"])
def test_unknown_slugs_and_ids_are_404(client, corpus, path):
    assert client.get(path).status_code == 404


def test_pages_declare_language_and_landmarks(client, corpus):
    response = client.get(f"/briefings/{corpus['chinese'].pk}/")
    assert '<html lang="en">' in response.text
    assert 'lang="zh"' in response.text
    for landmark in ("<header", "<main", "<nav", "<footer"):
        assert landmark in response.text


# Counted with the caches cold (the writes below change the content version); each page reads
# the content version once, and the search engine counts after one look at the month tokens,
# then the names of the values it counted are read in one query (facets.engine_counts).
@pytest.mark.parametrize(
    "path, limit",
    [
        # + the topics, + the latest briefings.
        ("/", 5),
        ("/topics/", 4),
        # Subject pages: + the subject, its filter's slug, the latest remarks with their topics.
        ("/topics/who-cooperation/", 8),
        ("/topics/who-cooperation/positions/", 6),
        ("/spokespersons/", 4),
        # + the briefings held (count, first and last) of the profile.
        ("/spokespersons/wang-wenbin/", 9),
        ("/entities/", 4),
        ("/entities/who/", 7),
        # The search engine counts each term's months and the base's, the month tokens read once.
        ("/compare/?term=more&term=china", 2),
    ],
)
def test_query_counts_stay_fixed_as_data_grows(client, corpus, make_briefing, wang, topics, entities, path, limit, django_assert_num_queries):
    for _ in range(4):
        make_briefing(spokesperson=wang, remarks=[{"answer": "more", "topics": [topics["who"]], "entities": [entities["who"]]}] * 3)
    search_engine().view()  # its catch-up after the writes is its own work
    with django_assert_num_queries(limit + BUDGET_QUERIES):
        assert client.get(path).status_code == 200


def test_home_lists_newest_briefings_first(client, corpus):
    text = client.get("/").text
    assert text.index('datetime="2020-12-18"') < text.index('datetime="2018-05-30"')


def test_search_form_keeps_the_active_filters(client, corpus):
    response = client.get("/remarks/?topic=trade&lang=en&page=2")
    assert '<input type="hidden" name="topic" value="trade">' in response.text
    assert '<input type="hidden" name="lang" value="en">' in response.text
    assert '<input type="hidden" name="page"' not in response.text


def test_sort_oldest_first(client, corpus):
    text = client.get("/remarks/?sort=oldest").text
    assert text.index("There is only one China.") < text.index("China firmly opposes this.")
    text = client.get("/remarks/").text
    assert text.index("China firmly opposes this.") < text.index("There is only one China.")


def test_search_finds_words_in_questions_and_answers(client, corpus):
    assert "1 remark" in client.get("/remarks/?q=blacklist").text
    assert "3 remarks" in client.get("/remarks/?q=china").text  # case-insensitive
    assert "2 remarks" in client.get("/remarks/?q=China+-WHO").text
    assert "1 remark" in client.get('/remarks/?q="firmly+opposes"').text


def test_year_and_date_range_filters(client, corpus):
    assert "1 remark" in client.get("/remarks/?year=2018").text
    assert "5 remarks" in client.get("/remarks/?year=2018&year=2020").text
    assert "4 remarks" in client.get("/remarks/?date_from=2020-12-18&date_to=2020-12-18").text
    assert "1 remark" in client.get("/remarks/?date_to=2019-01-01").text
    response = client.get("/remarks/?date_from=2020-01-01")
    assert "Remove filter From: 2020-01-01" in response.text


def test_pagination_keeps_filters(client, corpus, make_briefing, topics):
    make_briefing(remarks=[{"answer": f"Trade remark {i}", "topics": [topics["trade"]]} for i in range(25)])
    response = client.get("/remarks/?topic=trade")
    assert "Page 1 of 2" in response.text
    assert 'href="?topic=trade&amp;page=2" rel="next"' in response.text
    response = client.get("/remarks/?topic=trade&page=2")
    assert "Page 2 of 2" in response.text


@pytest.mark.parametrize("cold", [True, False], ids=["empty cache", "warm cache"])
def test_page_views_never_write_to_the_database(client, corpus, cold):
    """A read replica can serve every public page: reading counts or versions writes nothing."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cold:
        cache.clear()
    paths = ["/", "/remarks/", "/remarks/?q=china&topic=trade", "/briefings/", "/topics/", "/topics/trade/",
             "/spokespersons/wang-wenbin/", "/entities/", "/compare/?term=china", "/remarks/feed/", "/sitemap.xml"]
    with CaptureQueriesContext(connection) as queries:
        for path in paths:
            assert client.get(path).status_code == 200, path
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


@pytest.mark.django_db(transaction=True)  # seed_synthetic commits batch by batch, as on a real database
def test_counts_are_read_with_thousands_separators(client):
    """Issue 29: "1,100 remarks", not "1100 remarks", wherever a count is shown."""
    call_command("seed_synthetic", remarks=1100, seed=3, workers=1, stdout=io.StringIO())
    published = Remark.objects.published()
    total, exchanges = published.count(), published.filter(kind="qa").count()
    assert total >= exchanges >= 1000
    assert f"{total:,} remarks from spokespersons" in client.get("/").text
    listing = client.get("/remarks/").text
    assert f"{total:,} remarks" in listing and f"Download all {total:,}" in listing
    assert f'<span class="facet-count">{exchanges:,}</span>' in listing  # the Kind facet
