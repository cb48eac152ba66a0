"""Search semantics, run unchanged on each database (CI runs SQLite and PostgreSQL)."""

import datetime
import json
import random
import re

import pytest
from snowballstemmer.english_stemmer import EnglishStemmer

from statements.models import Remark
from statements.listing import RelevanceResults
from statements.search import matching, search_backend
from statements.text.query import parse_query
from statements.text.analysis import _stemmer, analyze
from statements.text.highlight import _match_spans, highlight, passage


@pytest.fixture
def remarks(make_briefing, wang):
    def remark(question, answer):
        return {"question": question, "answer": answer}

    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 1), language="en", remarks=[
        remark("What about vaccines?", "China has provided vaccination support to 80 countries."),
        remark("On the trade war?", "A trade war has no winner."),
        remark("On trade?", "Wars over trade serve no one; trade wars hurt all."),
        remark("Taiwan?", "Taiwan is an inalienable part of China."),
        remark("Tibet?", "Tibet affairs are China's internal affairs."),
        remark("Is the WHO team welcome?", "We welcome the experts."),
        remark("", "The <script>alert('x')</script> tag & friends are text here."),
    ])
    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 1), language="zh", remarks=[
        remark("关于新冠疫苗？", "中方已向80个国家提供新冠疫苗援助。"),
        remark("世卫组织专家组何时访华？", "中方愿继续同世卫组织加强合作。"),
    ])


def answers(query, scope="all"):
    return sorted(r.answer for r in matching(Remark.objects.published(), query, scope))


def test_words_are_stemmed(remarks):
    assert answers("vaccines") == ["China has provided vaccination support to 80 countries."]
    assert answers("VACCINATING") == answers("vaccines")


def test_all_words_must_match(remarks):
    assert answers("china taiwan") == ["Taiwan is an inalienable part of China."]


def test_quoted_phrase_is_exact(remarks):
    assert answers('"trade war"') == ["A trade war has no winner."]
    # Same words, other order or other form: never loosened into separate words.
    assert answers('"war trade"') == []
    assert answers('"trade wars"') == ["Wars over trade serve no one; trade wars hurt all."]


def test_or_between_alternatives(remarks):
    assert answers("taiwan OR tibet") == [
        "Taiwan is an inalienable part of China.",
        "Tibet affairs are China's internal affairs.",
    ]
    assert answers("china tibet OR taiwan") == answers("taiwan OR tibet")


def test_a_phrase_among_alternatives_stays_exact(remarks):
    # The phrase must occur literally; its alternative needs only its own word.
    assert answers('"trade war" OR tibet') == [
        "A trade war has no winner.",
        "Tibet affairs are China's internal affairs.",
    ]
    assert answers('"war trade" OR tibet') == ["Tibet affairs are China's internal affairs."]
    assert answers('china "trade war" OR taiwan') == ["Taiwan is an inalienable part of China."]


def test_exclusion(remarks):
    assert answers("china -taiwan") == [
        "China has provided vaccination support to 80 countries.",
        "Tibet affairs are China's internal affairs.",
    ]
    assert answers('trade -"trade war"') == ["Wars over trade serve no one; trade wars hurt all."]


def test_an_excluded_phrase_leaves_out_the_phrase_alone(remarks):
    # The words of a phrase are apart: "80" is one word, not "8 0" (nor "8.0").
    assert "China has provided vaccination support to 80 countries." in answers('china -"8 0"')
    assert "China has provided vaccination support to 80 countries." not in answers('china -"80 countries"')


def test_digits_and_capitals_run_on_into_chinese(remarks):
    # Chinese has no spaces: a Latin word's end is bounded by anything but a Latin letter.
    assert answers("向80") == answers('"80个国家"') == ["中方已向80个国家提供新冠疫苗援助。"]
    assert answers('"80 countries"') == ["China has provided vaccination support to 80 countries."]


def test_any_stretch_of_chinese_is_found_whatever_words_it_was_cut_into(make_briefing, wang):
    # A segmenter (jieba) cuts this text's 中美关系 into one word and 中美 alone into two, 稳定
    # and 发展 into words that 关系稳 or 定发 cut across: a researcher copies what the page shows.
    text = "中美关系稳定发展，符合两国人民的根本利益。"
    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 2), language="zh", remarks=[{"question": "", "answer": text}])
    for query in ["中美", "中美关系", "美关", "关系稳", "定发", "两国人民的根本", "人民的根本利益", "发展，符合", '"发展 符合"', "中美 利益"]:
        assert answers(query) == [text], query
    for query in ["美中", "中美关系破裂", "发展符合两国政府", "-中美 利益"]:
        assert answers(query) == [], query


def test_only_exclusions_match_nothing(remarks):
    assert answers("-china") == []


def test_scope_answers_or_questions(remarks):
    assert answers("welcome", "all") == ["We welcome the experts."]
    assert answers("team", "answers") == []
    assert answers("team", "questions") == ["We welcome the experts."]
    assert answers("experts", "questions") == []


def test_chinese_is_found_by_its_characters(remarks):
    assert answers("疫苗") == ["中方已向80个国家提供新冠疫苗援助。"]
    assert answers("世卫组织") == ["中方愿继续同世卫组织加强合作。"]
    assert answers("合作 世卫") == ["中方愿继续同世卫组织加强合作。"]
    assert answers("疫苗", "answers") == ["中方已向80个国家提供新冠疫苗援助。"]
    assert answers("专家组", "answers") == []


def test_punctuation_and_markup_in_queries_are_harmless(remarks):
    for query in ['"', "-", "((", "OR", "a:b", "*", "NEAR(x y)", "'; DROP TABLE x; --", "<b>trade</b>", '"unclosed']:
        list(matching(Remark.objects.published(), query))  # must not raise
    assert answers("<b>taiwan</b>") == []  # the literal tokens b, taiwan, b: not in any remark


def test_relevance_prefers_more_matches(remarks):
    """Ranked as the results page ranks (listing.RelevanceResults)."""
    ranked = RelevanceResults(matching(Remark.objects.published(), "trade"), "trade")[0:10]
    assert ranked[0].answer == "Wars over trade serve no one; trade wars hurt all."


def test_edits_are_searchable_at_once(remarks):
    remark = Remark.objects.get(answer="We welcome the experts.")
    remark.answer = "We welcome the scientists."
    remark.save()
    assert answers("scientists") == ["We welcome the scientists."]
    assert answers("experts") == []
    remark.delete()
    assert answers("scientists") == []


def test_rebuild_restores_the_index(remarks):
    backend = search_backend()
    backend.clear()
    assert backend.rebuild() == Remark.objects.count()
    assert answers("taiwan") == ["Taiwan is an inalienable part of China."]


def test_parse_query_structure():
    parsed = parse_query('china "trade war" OR tariffs -taiwan')
    assert [[t.text for t in clause] for clause in parsed.clauses] == [["china"], ["trade war", "tariffs"]]
    assert [t.text for t in parsed.excluded] == ["taiwan"]
    # Chinese as characters, each after its pair with the one before (across punctuation).
    assert analyze("Ｃｈｉｎａ's vaccines, 新冠疫苗。美") == ["china", "s", "vaccin", "新", "新冠", "冠", "冠疫", "疫", "疫苗", "苗", "苗美", "美"]
    # A term asks for its pairs, a character only where it has none.
    assert [t.tokens for t in parse_query("新冠疫苗 WHO的 美").positive_terms] == [("新冠", "冠疫", "疫苗"), ("who", "的"), ("美",)]


def test_words_that_split_keep_their_tokens_together(make_briefing):
    make_briefing(remarks=[{"answer": "The U.S. side and COVID-19."}, {"answer": "Us, the side of 19 COVID cases."}])
    assert answers("U.S.") == ["The U.S. side and COVID-19."]
    assert answers("covid-19") == ["The U.S. side and COVID-19."]


def test_highlight_escapes_text_and_marks_matches():
    terms = parse_query("script friends").positive_terms
    html = highlight("The <script>alert('x')</script> tag & friends", terms)
    assert "<script>" not in html
    assert "&lt;<mark>script</mark>&gt;" in html
    assert "&amp; <mark>friends</mark>" in html


def test_highlight_marks_phrases_and_chinese():
    assert "<mark>trade war</mark>" in highlight("A trade war has no winner.", parse_query('"trade war"').positive_terms)
    assert "<mark>疫苗</mark>" in highlight("提供新冠疫苗援助", parse_query("疫苗").positive_terms)


def test_highlight_centres_on_a_late_match():
    text = "word " * 200 + "needle " + "word " * 50
    html = highlight(text, parse_query("needle").positive_terms)
    assert html.startswith("…") and "<mark>needle</mark>" in html


def test_a_passage_is_the_same_when_the_text_is_read_only_as_far_as_it_shows():
    """highlight() stops looking for matches past its passage: the same passages as marking
    every match, on the demo data's remarks (English and Chinese)."""
    with open("fixtures/demo.json") as f:
        texts = [row["fields"][field] for row in json.load(f) if row["model"] == "statements.remark"
                 for field in ("question", "answer") if row["fields"].get(field)]
    assert len(texts) > 200
    queries = ["china", "cooperat*", '"united states"', "WHO", "中国", "疫情 OR trade", "peace development", "the"]
    marked = 0
    for query in queries:
        terms = parse_query(query).positive_terms
        for text in texts:
            for length in (320, 240, 60):
                shown = highlight(text, terms, length)
                assert shown == passage(text, _match_spans(text, terms), length), (query, length, text[:80])
                marked += "<mark>" in shown
    assert marked > 500


def test_results_page_highlights_safely(client, remarks):
    response = client.get("/remarks/", {"q": "script"})
    assert "<script>alert" not in response.text
    assert "&lt;<mark>script</mark>&gt;alert" in response.text
    response = client.get("/remarks/", {"q": "<img src=x onerror=alert(1)>"})
    assert response.status_code == 200
    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_results_page_scope_and_relevance_sort(client, remarks):
    response = client.get("/remarks/", {"q": "team", "scope": "answers"})
    assert "0 remarks" in response.text
    response = client.get("/remarks/", {"q": "trade"})
    assert "<strong aria-current=\"true\">Relevance</strong>" in response.text
    assert response.text.index("Wars over") < response.text.index("A <mark>trade</mark> war")
    assert client.get("/remarks/", {"scope": "everywhere"}).status_code == 400


def test_relevance_beyond_the_rank_limit_is_labelled(client, remarks, monkeypatch, make_briefing, settings):
    """Ranked in the database (the search engine ranks every match: tests/test_engine.py)."""
    from django.db import connection

    settings.SEARCH_ENGINE_DIR = ""
    import statements.listing as listing
    import statements.views as views

    monkeypatch.setattr(listing, "RANK_LIMIT", 2)
    monkeypatch.setattr(views, "RANK_LIMIT", 2)
    response = client.get("/remarks/", {"q": "china"})
    assert "3 remarks" in response.text  # the count stays exact
    assert response.text.count('class="result"') == 3
    labelled = "Relevance order covers the 2 most recent of the 3 matches" in response.text
    # FTS5 ranks every match cheaply; PostgreSQL ranks the newest RANK_LIMIT and says so.
    assert labelled == (connection.vendor == "postgresql")


def test_each_thread_stems_with_its_own_stemmer():
    # Snowball stemmers keep state between calls: shared by gunicorn threads they garbled words.
    import threading

    from statements.text.analysis import _stemmer

    seen = []
    threads = [threading.Thread(target=lambda: seen.append(_stemmer())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(stemmer) for stemmer in seen}) == 3
    assert _stemmer() is _stemmer()
    assert seen[0].stemWord("vaccines") == "vaccin"


def test_among_looks_only_among_the_given_remarks(remarks):
    """search(among=ids), used for a page's worth of remarks, equals searching and then keeping
    those ids, whatever the query's shape."""
    ids = sorted(Remark.objects.values_list("pk", flat=True))
    for some in (ids[::2], ids[1::3], ids[:1]):
        for query in ["trade", '"trade war"', "trade -war", "tibet OR taiwan", "疫苗", 'wars OR "trade war"', "-tibet china"]:
            expected = set(matching(Remark.objects.published(), query).filter(pk__in=some).values_list("pk", flat=True))
            found = set(matching(Remark.objects.published(), query, among=some).values_list("pk", flat=True))
            assert found == expected, (query, some)
    assert not matching(Remark.objects.published(), "trade", among=[]).exists()


@pytest.fixture
def acronyms(make_briefing, wang):
    texts = [
        "The WHO team is welcome in Wuhan.",
        "Those who spread rumours will fail.",
        "Who said so? Ask the US side.",
        "Let us work together with the EU.",
        "WHO experts and the World Health Organization agree.",
        "我们支持WHO的工作。",
    ]
    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 2), language="en", remarks=[
        {"question": "", "answer": text} for text in texts
    ])
    return texts


def test_a_word_in_capitals_matches_only_in_capitals(acronyms):
    who_org = [acronyms[0], acronyms[4], acronyms[5]]
    assert answers("WHO") == sorted(who_org)
    assert answers("US") == [acronyms[2]]
    assert answers("EU") == [acronyms[3]]
    # Ordinary words stay case-insensitive, whatever the text's case.
    assert answers("who") == sorted([*who_org, acronyms[1], acronyms[2]])
    assert answers("Who") == answers("who")
    assert answers("us") == sorted([acronyms[2], acronyms[3]])
    # In phrases, OR and exclusions too.
    assert answers('"WHO experts"') == [acronyms[4]]
    assert answers('"who experts"') == [acronyms[4]]
    assert answers('"WHO team" OR "US side"') == sorted([acronyms[0], acronyms[2]])
    assert answers("who -WHO") == sorted([acronyms[1], acronyms[2]])
    assert answers("welcome who") == [acronyms[0]]


def test_capitals_in_the_scope_of_answers_and_questions(make_briefing, wang):
    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 3), language="en", remarks=[
        {"question": "What does the WHO say?", "answer": "Those who know will tell."},
    ])
    assert answers("WHO", "questions") == ["Those who know will tell."]
    assert answers("WHO", "answers") == []
    assert answers("who", "answers") == ["Those who know will tell."]


def test_a_trailing_star_matches_words_beginning_with_it(make_briefing, wang):
    texts = ["We cooperate closely.", "Cooperation is the only choice.", "A cooperative spirit.",
             "Mr Cooper arrived.", "Coordination matters."]
    make_briefing(spokesperson=wang, date=datetime.date(2021, 3, 4), language="en", remarks=[
        {"question": "", "answer": text} for text in texts
    ])
    # "Cooper" shares the stemmer's cut (cooperation → cooper): a known imprecision of prefixes.
    assert answers("cooperat*") == sorted(texts[:4])
    assert answers("coordin*") == [texts[4]]
    assert answers("cooperat* -mr") == sorted(texts[:3])
    # Too short to mean anything: the star is ignored and the word searched as usual.
    assert answers("co*") == []


def test_highlight_keeps_capitals_apart():
    terms = parse_query("WHO").positive_terms
    assert str(highlight("Those who know: the WHO.", terms)) == "Those who know: the <mark>WHO</mark>."
    terms = parse_query("cooperat*").positive_terms
    assert str(highlight("We cooperate; cooperation.", terms)) == "We <mark>cooperate</mark>; <mark>cooperation</mark>."


def test_the_migration_indexes_capitals_of_remarks_stored_before(acronyms):
    """PostgreSQL's stored vectors gain the capitals (migration 0014); SQLite needs nothing."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("statements.migrations.0014_index_words_in_capitals")
    if connection.vendor == "postgresql":
        from statements.text.analysis import index_text

        with connection.cursor() as cursor:  # the vectors as the previous analyzer wrote them
            for remark in Remark.objects.all():
                cursor.execute(
                    "UPDATE statements_remark SET search_vector = to_tsvector('simple', %s) WHERE id = %s",
                    [index_text(remark.answer), remark.pk],
                )
        assert answers("WHO") == []
    # The function reads only the editor's connection (SQLite's editor cannot open in a test).
    migration.index_words_in_capitals(apps, SimpleNamespace(connection=connection))
    assert answers("WHO") == sorted([acronyms[0], acronyms[4], acronyms[5]])


def test_the_migration_indexes_the_chinese_of_remarks_stored_before(make_briefing, wang):
    """Both indexes hold each Chinese remark's characters and pairs (migration 0018) and the
    content version moves, so nothing counted before is served; other remarks are not touched."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from statements.models import content_version

    text = "中美关系稳定发展。"
    make_briefing(spokesperson=wang, language="zh", remarks=[{"answer": text}, {"answer": "No Chinese here."}])
    backend = search_backend()  # stored before: without what this analysis makes of Chinese
    backend.write([(remark.pk, backend.payload(remark.question, "")) for remark in Remark.objects.all()])
    assert answers("关系稳") == []
    before = content_version()
    migration = importlib.import_module("statements.migrations.0018_index_chinese_characters")
    migration.index_chinese_characters(apps, SimpleNamespace(connection=connection))
    assert answers("关系稳") == [text]
    assert answers("chinese") == []  # not reindexed: no Chinese in it
    assert content_version() != before


def test_the_compiled_stemmer_stems_as_snowballs_reference_does():
    """The index and the highlighter stem with PyStemmer (snowballstemmer hands it over when it
    is installed, a hundred times faster); an index built by the pure-Python stemmer must find
    the same words, so both must agree word for word: on every word of the demo data, and on
    made-up words carrying the suffixes each step of the English algorithm removes."""
    compiled, reference = _stemmer(), EnglishStemmer()
    assert type(compiled).__module__ == "Stemmer"
    with open("fixtures/demo.json") as demo:
        text = json.dumps(json.load(demo), ensure_ascii=False)
    words = {word.lower() for word in re.findall(r"[^\W\d_]+", text) if word.isascii()}
    rng = random.Random(1)
    suffixes = ["s", "ies", "ied", "ing", "ed", "ly", "ational", "tional", "enci", "izer", "bli", "alli",
                "ousli", "ization", "aliti", "biliti", "logi", "fulness", "iveness", "icate", "alize",
                "ement", "ism", "iti", "ous", "ive", "able", "ance", "eed", "eedly", "ingly", "y", "'s"]
    for _ in range(20_000):
        stem = "".join(rng.choice("abcdefghijklmnopqrstuvwxyaeiouy") for _ in range(rng.randint(1, 8)))
        words.add(stem + rng.choice(suffixes))
    assert len(words) > 20_000
    differing = [word for word in sorted(words) if compiled.stemWord(word) != reference.stemWord(word)]
    assert differing == []
