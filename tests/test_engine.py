"""The search engine (statements/search/engine.py): it counts what the database counts, for
every feature of the query language and every filter; it holds published remarks only and
follows every change by itself; several servers (or processes) keep their own index right."""

import datetime
import fcntl
import io
import os
import re
import threading
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connections
from django.http import QueryDict

from statements import catalogue, facets
from statements.catalogue import BRIEFING_FACETS, REMARK_FACETS, briefing_filterset, remark_filterset
from statements.facets import combine, counts_by_month, engine_briefing_counts, engine_counts, tally_by_month
from statements.filters import engine_constraints
from statements.models import Briefing, Remark
from statements.synthetic import jieba_module
from statements.search.engine import BriefingList, SearchEngine, _rows, briefing_key, document_texts, search_engine

pytestmark = pytest.mark.django_db

# Every feature of the query language (statements/text/query.py) and every filter of /remarks/.
STATES = [
    "",
    "q=china",
    "q=WHO",
    "q=who",
    "q=Who+cooperation",
    'q="two sides"',
    'q="WHO experts"',
    'q="of the"',
    'q="china and the"',
    'q="认为中美"',
    'q="认为，中美"',
    "q=中国",
    "q=中美关系",
    "q=中美",
    "q=美关+OR+WHO的",
    "q=美",
    "q=疫情+防控",
    "q=cooperat*",
    "q=china+-trade",
    'q=china+-"two sides"',
    "q=china+-中国",
    "q=china+OR+russia+trade",
    "q=U.S.",
    "q=COVID-19",
    "q=-",
    "q=china&scope=questions",
    "q=china&scope=answers",
    'q="the United States"&scope=answers',
    "lang=en&q=trade",
    "lang=en&lang=zh",
    "topic=trade&q=china",
    "topic=trade&topic=who-cooperation",
    "mentions=united-states&q=trade",
    "spokesperson=hua-chunying&kind=qa",
    "kind=announcement",
    "ministry=prc-mfa",
    "year=2019&year=2020",
    "year=2020&q=taiwan",
    "date_from=2019-01-01&date_to=2020-06-30",
    "date_from=2020-12-18",
    "version=original",
    "version=en&q=china",
    "version=zh&lang=zh",
]


@pytest.fixture
def demo():
    call_command("loaddata", "fixtures/demo.json", verbosity=0)


@pytest.fixture
def few(make_briefing, wang, hua, topics):
    """A few public remarks about China, and a draft."""
    for day, spokesperson, status in ((3, wang, "published"), (4, hua, "published"), (5, hua, "draft")):
        make_briefing(spokesperson=spokesperson, date=datetime.date(2020, 6, day), status=status, remarks=[
            {"answer": "China and trade.", "topics": [topics["trade"]]},
            {"answer": "China's friends.", "question": "And China?"},
        ])


def state(params):
    _, filterset = remark_filterset(QueryDict(params))
    assert filterset.is_valid(), filterset.errors
    return filterset


def normalised(counts):
    return (counts["total"], counts["months"], {param: sorted(rows) for param, rows in counts["facets"].items()})


def by_engine(params):
    counted = engine_counts(state(params), REMARK_FACETS)
    assert counted is not None
    return normalised(counted)


def by_database(params):
    return normalised(combine(counts_by_month(state(params), REMARK_FACETS), REMARK_FACETS))


def searched(word):
    """How many public remarks the engine finds for `word`."""
    total, _ = search_engine().count(engine_constraints(state(f"q={word}")), [])
    return total


def test_the_engine_counts_what_the_database_counts_in_every_state(demo):
    found = 0
    for params in STATES:
        engine = by_engine(params)
        assert engine == by_database(params), params
        found += engine[0] > 0
    # The states find something, or the comparison would prove little.
    assert found >= len(STATES) - 4


def phrases_from(texts, per_text=3):
    """Quoted phrases cut from the texts themselves: runs of two to four Latin words as written
    (capitals, punctuation and all), of one to three Chinese words as jieba cuts them, and of
    two to six Chinese characters wherever they fall (a selection cuts across words)."""
    phrases = []
    for number, text in enumerate(texts):
        words = list(re.finditer(r"[A-Za-z0-9]+", text))
        chinese = list(re.finditer(r"[\u4e00-\u9fff]{4,}", text))
        for k in range(per_text):
            length = 2 + (number + k) % 3
            if len(words) > length:
                first = (number * 7 + k * 13) % (len(words) - length)
                phrase = text[words[first].start() : words[first + length - 1].end()]
                phrases.append(phrase.replace('"', " "))  # a quote would end the phrase
            if chinese:
                cut = [word for word in jieba_module().cut(chinese[(number + k) % len(chinese)].group()) if word.strip()]
                start = (number + k) % len(cut)
                phrases.append("".join(cut[start : start + 1 + (number + k) % 3]))
                run = chinese[(number + k + 1) % len(chinese)].group()
                length = min(len(run), 2 + (number + k) % 5)
                start = (number * 5 + k * 3) % (len(run) - length + 1)
                phrases.append(run[start : start + length])
    return sorted(set(phrases))


def test_phrases_cut_from_the_remarks_match_as_in_the_database(demo):
    """A phrase is looked up by pairs of its literal words, without the index's stems where
    the literal words imply them (engine._term): the matches stay the database's, for the
    phrases of the texts themselves, in every case they are written in."""
    texts = [t for q, a in Remark.objects.published().order_by("pk").values_list("question", "answer") for t in (q, a) if t]
    phrases = phrases_from(texts[::5])
    assert len(phrases) > 100 and any(re.search(r"[\u4e00-\u9fff]", p) for p in phrases)
    unfound = []
    for phrase in phrases:
        for query, scope in ((f'"{phrase}"', "all"), (f'"{phrase.lower()}"', "all"), (f'china -"{phrase}"', "answers")):
            params = urlencode({"q": query, "scope": scope})
            engine = search_engine().count(engine_constraints(state(params)), [])[0]
            assert engine == state(params).qs.count(), params
        if not state(urlencode({"q": f'"{phrase}"'})).qs.exists():
            unfound.append(phrase)
    # Each is found where it was cut from, Chinese too, whatever words jieba cut it into there.
    assert unfound == []


def test_the_remark_list_counts_through_the_engine(few, client, monkeypatch):
    def no_database_counts(*args, **kwargs):
        raise AssertionError("counted in the database")

    monkeypatch.setattr(catalogue, "counts_by_month", no_database_counts)
    response = client.get("/remarks/?q=china&topic=trade")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == by_database("q=china&topic=trade")[0] > 0


# /briefings/ searches: the engine lists the briefings of the matching remarks.
BRIEFING_STATES = [
    "q=china",
    "q=WHO",
    'q="two sides"',
    "q=中国",
    "q=cooperat*",
    "q=china+-trade",
    "q=china&scope=questions",
    "q=china&spokesperson=hua-chunying",
    "q=china&spokesperson=hua-chunying&spokesperson=geng-shuang&year=2018",
    "q=china&kind=press_conference",
    "q=china&kind=interview",
    "q=trade&lang=en&lang=zh",
    "q=中国+OR+china&lang=zh&year=2018&year=2020",
    "q=中国&date_from=2018-06-01&date_to=2018-12-31",
    "q=china&ministry=prc-mfa",
    "q=-",
]


def briefing_state(params):
    _, filterset = briefing_filterset(QueryDict(params))
    assert filterset.is_valid(), filterset.errors
    return filterset


def test_the_engine_lists_and_counts_the_briefings_the_database_does(demo):
    found = 0
    for params in BRIEFING_STATES:
        filterset = briefing_state(params)
        counts, ids = engine_briefing_counts(filterset, BRIEFING_FACETS)
        fresh = combine(counts_by_month(filterset, BRIEFING_FACETS), BRIEFING_FACETS)
        assert normalised(counts) == normalised(fresh), params
        assert ids[:] == list(filterset.qs.order_by("-date", "-id").values_list("pk", flat=True)), params
        found += len(ids[:]) > 1
    assert found >= len(BRIEFING_STATES) - 4
    # Without a search the database lists them: a briefing with no remark yet is listed too.
    assert engine_briefing_counts(briefing_state("lang=en"), BRIEFING_FACETS) is None


def test_briefing_keys_sort_newest_first_and_read_back():
    older = {"date": 20191231, "id": 12, "spokesperson": 0, "ministry": 3, "kind": "interview", "language": "en"}
    newer = {**older, "date": 20200101, "id": 9, "spokesperson": 41, "kind": "press_conference", "language": "zh"}
    same_day = {**newer, "id": 10}
    keys = sorted(map(briefing_key, [older, newer, same_day]), reverse=True)
    listed = BriefingList(keys)
    assert listed[:] == [10, 9, 12] and listed[1:2] == [9]
    assert listed.tally("spokesperson") == {41: 2, 0: 1} and listed.tally("kind") == {"press_conference": 2, "interview": 1}
    assert listed.tally("year_month") == {202001: 2, 201912: 1}
    assert list(listed.rows())[2] == tuple(older.values())
    with pytest.raises(ValueError, match="wider"):
        briefing_key({**older, "kind": "k" * 21})


def test_a_briefing_is_found_under_its_own_host_and_kind(make_briefing, wang, hua, client, monkeypatch):
    """The host and kind are the briefing's own, not its remarks' (a remark keeps the speaker
    it was given): a change to them reaches the engine."""
    def no_database_counts(*args, **kwargs):
        raise AssertionError("counted in the database")

    monkeypatch.setattr(catalogue, "counts_by_month", no_database_counts)
    briefing = make_briefing(spokesperson=wang, remarks=[{"answer": "Marmalade diplomacy.", "speaker": hua}])
    # Wang stays on the public site once he no longer hosts it (a name no public remark refers to
    # is answered like an unknown one: test_unlisted.py).
    make_briefing(spokesperson=wang, remarks=[{"answer": "Other words."}])

    def listed(params):
        response = client.get(f"/briefings/?q=marmalade&{params}")
        assert response.status_code == 200
        counts = {f.param: {o.value: o.count for o in f.options} for f in response.context["facets"]}
        return [b.pk for b in response.context["page"]], counts["spokesperson"], counts["kind"]

    assert listed("spokesperson=wang-wenbin") == ([briefing.pk], {"wang-wenbin": 1}, {"press_conference": 1})
    assert listed("spokesperson=hua-chunying")[0] == []
    briefing.spokesperson, briefing.kind = hua, Briefing.Kind.INTERVIEW
    briefing.save()
    assert listed("spokesperson=hua-chunying&kind=interview") == ([briefing.pk], {"hua-chunying": 1}, {"interview": 1})
    assert listed("spokesperson=wang-wenbin")[0] == []
    briefing.spokesperson = None
    briefing.save()
    assert listed("")[:2] == ([briefing.pk], {})


def test_drafts_never_reach_the_engine_and_every_change_does(make_briefing, wang):
    draft = make_briefing(
        spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "Zanzibarian marmalade."}]
    )
    assert searched("zanzibarian") == 0
    draft.publish()
    draft.save()
    assert searched("zanzibarian") == 1
    remark = draft.remarks.get()
    remark.answer = "Plain toast."
    remark.save()
    assert searched("zanzibarian") == 0 and searched("toast") == 1
    remark.withdraw("Checked.")
    assert searched("toast") == 0
    remark.restore()
    assert searched("toast") == 1
    Briefing.objects.filter(pk=draft.pk).update(status=Briefing.Status.DRAFT)
    assert searched("toast") == 0
    draft.refresh_from_db()
    draft.publish()
    draft.save()
    draft.date = datetime.date(2019, 3, 4)
    draft.save()
    assert search_engine().count(engine_constraints(state("q=toast&year=2019")), [])[0] == 1
    assert search_engine().count(engine_constraints(state("q=toast&year=2020")), [])[0] == 0
    remark.delete()
    assert searched("toast") == 0


def test_two_servers_each_keep_their_own_index(make_briefing, wang, tmp_path):
    one, other = SearchEngine(tmp_path / "one"), SearchEngine(tmp_path / "other")
    query = engine_constraints(state("q=marmalade"))
    assert one.count(query, [])[0] == other.count(query, [])[0] == 0
    make_briefing(spokesperson=wang, remarks=[{"answer": "Marmalade on toast."}])
    assert one.count(query, [])[0] == other.count(query, [])[0] == 1


def test_processes_sharing_a_directory_find_the_work_done(make_briefing, wang, tmp_path, monkeypatch):
    first, second = SearchEngine(tmp_path), SearchEngine(tmp_path)
    query = engine_constraints(state("q=marmalade"))
    first.count(query, [])
    make_briefing(spokesperson=wang, date=datetime.date(2020, 5, 5), remarks=[{"answer": "Marmalade."}])
    assert first.count(query, [])[0] == 1
    # The second process reads the index the first brought up to date: it writes nothing.
    monkeypatch.setattr(SearchEngine, "_write", lambda *args: pytest.fail("indexed twice"))
    assert second.count(query, [])[0] == 1


@pytest.fixture
def database_counts(monkeypatch):
    """The months each count in the database was asked for (None: every month)."""
    months = []

    def recorded(filterset, specs, within=None):
        months.append(within)
        return counts_by_month(filterset, specs, within)

    monkeypatch.setattr(facets, "counts_by_month", recorded)
    monkeypatch.setattr(catalogue, "counts_by_month", recorded)
    return months


@pytest.mark.django_db(transaction=True)
def test_a_change_too_large_for_a_request_is_counted_in_the_database_meanwhile(few, client, settings, database_counts):
    client.get("/remarks/")  # the engine is up to date
    settings.SEARCH_ENGINE_SYNC_LIMIT = 0
    settings.SEARCH_ENGINE_CATCH_UP_IN_BACKGROUND = True
    briefing = Briefing.objects.published().first()
    Remark.objects.create(briefing=briefing, position=99, answer="Marmalade is no answer.")
    response = client.get("/remarks/?q=marmalade")
    assert response.context["page"].paginator.count == 1
    # Only the month that moved, not the archive.
    assert database_counts == [{202006}]
    # Meanwhile a thread catches up; once it is done, the engine counts again.
    search_engine().background.join(timeout=60)
    database_counts.clear()
    assert client.get("/remarks/?q=marmalade&lang=en").context["page"].paginator.count == 1
    assert not database_counts


def test_while_the_engine_catches_up_every_count_is_exact(demo, settings, database_counts):
    """The moved months counted in the database, every other month by the engine: each state
    of /remarks/ and /briefings/ and a subject page's tally as counting from scratch gives them."""
    search_engine().view()
    settings.SEARCH_ENGINE_SYNC_LIMIT = 0  # and no thread catching up (tests/conftest.py)
    remarks = Remark.objects.published().exclude(date=None).order_by("date")
    changed = [remarks.first(), remarks.last()]
    for remark in changed:
        remark.answer = "China and the WHO: trade, 中美关系 and two sides. " + remark.answer
        remark.save()
    Remark.objects.create(briefing=changed[1].briefing, position=999, answer="China trades with the WHO.")
    moved = {remark.date.year * 100 + remark.date.month for remark in changed}
    assert search_engine().view().stale == moved
    for params in STATES:
        assert by_engine(params) == by_database(params), params
    for params in BRIEFING_STATES:
        filterset = briefing_state(params)
        counts, ids = engine_briefing_counts(filterset, BRIEFING_FACETS)
        assert ids is None  # listed by the database meanwhile
        assert normalised(counts) == normalised(combine(counts_by_month(filterset, BRIEFING_FACETS), BRIEFING_FACETS))
    filterset = state("topic=trade")
    tally = engine_counts(filterset, REMARK_FACETS, disjunctive=False)
    fresh = combine(tally_by_month(filterset.qs, REMARK_FACETS), REMARK_FACETS)
    assert normalised(tally) == normalised(fresh)
    assert None not in database_counts and set().union(*database_counts) <= moved


def test_while_the_engine_catches_up_relevance_lists_every_match_once(demo, client, settings):
    search_engine().view()
    settings.SEARCH_ENGINE_SYNC_LIMIT = 0
    newest = Remark.objects.published().exclude(date=None).order_by("-date").first()
    newest.answer = "China, China and China again."
    newest.save()
    paginator = client.get("/remarks/", {"q": "china"}).context["page"].paginator
    total = paginator.count
    assert total == state("q=china").qs.count() > 20 and paginator.num_pages > 1
    listed = []
    for number in paginator.page_range:
        listed += [r.pk for r in client.get("/remarks/", {"q": "china", "page": number}).context["page"]]
    assert sorted(listed) == sorted(state("q=china").qs.values_list("pk", flat=True))
    # The moved month's matches first, then the engine's ranking of the others.
    in_month = set(state("q=china").qs.filter(year_month=newest.year_month).values_list("pk", flat=True))
    assert set(listed[: len(in_month)]) == in_month
    others = [pk for pk in listed if pk not in in_month]
    assert others == search_engine().ranked(engine_constraints(state("q=china")), 0, total, search_engine().view())


@pytest.mark.django_db(transaction=True)
def test_a_request_never_waits_for_another_process_writing_the_index(few, client, settings, database_counts):
    client.get("/remarks/")
    briefing = Briefing.objects.published().first()
    Remark.objects.create(briefing=briefing, position=99, answer="Marmalade is no answer.")
    answered = []
    with open(os.path.join(settings.SEARCH_ENGINE_DIR, ".lock"), "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)  # another process writing
        def ask():
            try:
                answered.append(client.get("/remarks/?q=marmalade"))
            finally:
                connections.close_all()  # this thread's

        request = threading.Thread(target=ask)
        request.start()
        request.join(timeout=30)
        assert answered, "the request waited for the writer"
    assert answered[0].context["page"].paginator.count == 1 and database_counts == [{202006}]
    # Once the writer is gone the request catches up by itself.
    database_counts.clear()
    assert client.get("/remarks/?q=marmalade&lang=en").context["page"].paginator.count == 1
    assert not database_counts


def test_while_one_thread_catches_up_the_others_answer_at_once(few, client, database_counts):
    client.get("/remarks/")
    Remark.objects.create(briefing=Briefing.objects.published().first(), position=99, answer="Marmalade is no answer.")
    with search_engine().catching:  # another thread of this process is catching up
        assert client.get("/remarks/?q=marmalade").context["page"].paginator.count == 1
    assert database_counts == [{202006}]
    database_counts.clear()
    assert client.get("/remarks/?q=marmalade&lang=en").context["page"].paginator.count == 1
    assert not database_counts


def test_another_process_catching_up_is_seen(few, client, settings, database_counts):
    client.get("/remarks/")
    settings.SEARCH_ENGINE_SYNC_LIMIT = 0  # and no thread catching up (tests/conftest.py)
    briefing = Briefing.objects.published().first()
    Remark.objects.create(briefing=briefing, position=99, answer="Marmalade is no answer.")
    assert client.get("/remarks/?q=marmalade").context["page"].paginator.count == 1 and database_counts
    # The command, in another process, catches up: this one then counts with the engine again.
    SearchEngine(settings.SEARCH_ENGINE_DIR).sync()
    database_counts.clear()
    assert client.get("/remarks/?q=marmalade&lang=en").context["page"].paginator.count == 1
    assert not database_counts


def test_an_index_of_another_schema_is_rebuilt(few, tmp_path, monkeypatch):
    engine = SearchEngine(tmp_path)
    query = engine_constraints(state("q=china"))
    expected = engine.count(query, [])[0]
    monkeypatch.setattr("statements.search.engine.SCHEMA_VERSION", 999)
    assert SearchEngine(tmp_path).count(query, [])[0] == expected > 0


def test_check_derived_data_sees_an_index_that_missed_a_change(few, settings):
    out = io.StringIO()
    call_command("check_derived_data", stdout=out)
    engine = search_engine()
    # A remark written into the index behind the tokens' back: the index now holds a draft.
    draft = Remark.objects.filter(is_public=False).values("pk").first() or {"pk": 10**9}
    writer = engine.index.writer(heap_size=15_000_000, num_threads=1)
    row = next(_rows(Remark.objects.filter(pk=Remark.objects.published().first().pk)))
    row["id"] = draft["pk"]
    writer.add_document(engine._document(row, document_texts(row)))
    writer.commit()
    writer.wait_merging_threads()
    del writer
    engine.index.reload()
    with pytest.raises(Exception, match="difference"):
        call_command("check_derived_data", stdout=out)



# Which database the index belongs to (issue 27, item 12) -----------------------------------------


def _index_a_foreign_remark(engine, month):
    """A document in the index for `month`, as an index built from another database holds it."""
    row = next(_rows(Remark.objects.filter(pk=Remark.objects.published().first().pk)))
    row.update(id=10**9, year_month=month)
    writer = engine.index.writer(heap_size=15_000_000, num_threads=1)
    writer.add_document(engine._document(row, document_texts(row)))
    writer.commit()
    writer.wait_merging_threads()
    del writer
    engine.index.reload()


def _total_by_engine():
    counted = engine_counts(state(""), REMARK_FACETS)
    assert counted is not None
    return counted["total"]


def test_an_index_of_another_database_is_rebuilt_whole(few, monkeypatch):
    """A database that is not the one the index was built from (a copy that went its own way,
    a restored backup of another server) has another identity, written by a migration: the
    index is built again whole, whatever tokens the two databases share."""
    from statements.models import DATABASE, MonthVersion

    engine = search_engine()
    engine.sync()
    _index_a_foreign_remark(engine, 202006)
    assert _total_by_engine() == Remark.objects.published().count() + 1
    MonthVersion.objects.filter(month=DATABASE).update(token="another-database")
    written = []
    monkeypatch.setattr(SearchEngine, "_write", lambda self, index, remarks, months, *rest: written.append(months) or 0)
    engine.sync()
    assert written == [None]  # every month, from scratch


def test_a_month_the_database_does_not_hold_is_dropped(few, make_briefing, wang):
    """The index holds a month the database has no public remark in (restored from an older
    backup, or built from another database): check_derived_data names it, and the next
    catch-up drops it."""
    engine = search_engine()
    engine.sync()
    _index_a_foreign_remark(engine, 199901)
    out = io.StringIO()
    with pytest.raises(Exception, match="difference"):
        call_command("check_derived_data", stdout=out)
    assert "months the database does not hold: 1999-01" in out.getvalue()
    make_briefing(spokesperson=wang, date=datetime.date(2020, 6, 9), remarks=[{"answer": "Jam."}])
    assert _total_by_engine() == Remark.objects.published().count()
    call_command("check_derived_data", stdout=io.StringIO())


def test_a_migrated_database_has_an_identity_that_no_change_moves(few, make_briefing, wang):
    from statements.models import DATABASE, MonthVersion, bump_content_version

    identity = MonthVersion.objects.get(month=DATABASE).token
    make_briefing(spokesperson=wang, remarks=[{"answer": "Jam."}])
    bump_content_version()
    assert MonthVersion.objects.get(month=DATABASE).token == identity


def test_a_whole_rebuild_is_written_aside_and_swapped_in_when_whole(few, monkeypatch):
    """The index as it was stays on disk, named by the state, until the new one is whole; a
    build that fails leaves it so; the one that succeeds replaces it and clears the rest away."""
    from statements.models import bump_content_version

    engine = search_engine()
    engine.sync()
    before = engine._read_state()
    old_directory = engine._directory(before["generation"])
    bump_content_version()  # a bulk change: every month moved, a whole rebuild
    written = SearchEngine._write

    def failing(self, index, remarks, months, *rest):
        written(self, index, remarks.filter(pk__lt=0), months, *rest)  # something on disk
        raise RuntimeError("the machine went down mid-build")

    monkeypatch.setattr(SearchEngine, "_write", failing)
    with pytest.raises(RuntimeError):
        engine.sync()
    assert engine._read_state() == before
    import tantivy

    old = tantivy.Index(engine.schema, path=old_directory, reuse=True)
    assert old.searcher().num_docs == Remark.objects.published().count()
    monkeypatch.undo()
    assert engine.sync() == Remark.objects.published().count()
    after = engine._read_state()
    assert after["generation"] != before["generation"]
    assert [name for name in os.listdir(engine.path) if name.startswith("index")] == [f"index-{after['generation']}"]
    assert searched("china") == Remark.objects.published().filter(answer__icontains="china").count()


def test_the_command_brings_the_index_up_to_date(few):
    out = io.StringIO()
    call_command("sync_search_engine", stdout=out)
    assert "up to date" in out.getvalue()
    out = io.StringIO()
    call_command("sync_search_engine", stdout=out)
    assert out.getvalue().startswith("0 remarks indexed")


def test_the_engine_ranks_every_match_best_first(make_briefing, wang, client):
    make_briefing(spokesperson=wang, remarks=[
        {"answer": "Trade matters to us all."},
        {"answer": "Trade, trade and trade."},
        {"answer": "Nothing to do with it."},
        {"answer": "Trade is one of many things."},
    ])
    constraints = engine_constraints(state("q=trade"))
    ranked = search_engine().ranked(constraints, 0, 10)
    matches = set(Remark.objects.published().filter(answer__icontains="trade").values_list("pk", flat=True))
    assert set(ranked) == matches and len(ranked) == 3
    assert Remark.objects.get(pk=ranked[0]).answer == "Trade, trade and trade."
    # Pages of the ranking add up to it, each match once.
    assert search_engine().ranked(constraints, 0, 2) + search_engine().ranked(constraints, 2, 2) == ranked
    page = client.get("/remarks/?q=trade").context["page"]
    assert [remark.pk for remark in page] == ranked


def test_relevance_covers_every_match_whatever_their_number(make_briefing, wang, client, monkeypatch):
    import statements.listing as listing
    import statements.views as views

    make_briefing(spokesperson=wang, remarks=[{"answer": f"Trade {n}."} for n in range(3)])
    monkeypatch.setattr(listing, "RANK_LIMIT", 1)
    monkeypatch.setattr(views, "RANK_LIMIT", 1)
    response = client.get("/remarks/", {"q": "trade"})
    assert response.text.count('class="result"') == 3
    assert "Relevance order covers" not in response.text


def test_the_stored_vector_gives_back_the_analysis(demo):
    """On PostgreSQL the engine reads each remark's tokens back from its stored vector instead of
    analysing the text again: they must be the analysis's, position for position."""
    from statements.search import search_backend
    from statements.text.analysis import analyze_cased

    backend = search_backend()
    if backend.stored_tokens() is None:
        pytest.skip("this database's index stores no vector to read back (SQLite analyses again)")
    rows = list(_rows(Remark.objects.order_by("pk")))
    assert rows and all(row["stored_tokens"] for row in rows)
    for row in rows:
        expected = (analyze_cased(row["answer"] or ""), analyze_cased(row["question"] or ""))
        assert backend.tokens_from_stored(row["stored_tokens"]) == expected, row["id"]


# A damaged, full or read-only index ------------------------------------------------------------------


@pytest.fixture
def fresh_engine():
    """A process's engine of its own: a fault one test leaves is not the next test's."""
    from statements.search import engine as engine_module

    engine_module._engines.clear()
    yield
    engine_module._engines.clear()


def test_a_damaged_index_is_counted_around_then_rebuilt_and_nothing_fails(few, client, settings, monkeypatch, fresh_engine):
    """Index files damaged under a new worker: it boots, every page answers from the database
    (exact), /healthz says "degraded", and the index is rebuilt whole and used again."""
    from statements import views
    from statements.search import engine as engine_module

    expected = by_database("q=china&topic=trade")[0]
    assert client.get("/remarks/?q=china&topic=trade").status_code == 200  # the index built
    index_dir = search_engine()._directory(search_engine().generation)
    engine_module._engines.clear()  # a new worker, as after a restart
    for name in os.listdir(index_dir):
        path = os.path.join(index_dir, name)
        if os.path.isfile(path) and not name.startswith("."):
            os.remove(path)  # a new file, not the old one rewritten: nothing still maps it
            with open(path, "wb") as damaged:
                damaged.write(b"damaged")
    views.warm_up()  # a worker starting: no exception
    for path in ["/", "/remarks/", "/remarks/?q=china&topic=trade", "/briefings/?q=china", "/topics/trade/"]:
        response = client.get(path)
        assert response.status_code == 200, path
    # (A state not asked before: a page asked before is kept whole, and served as it was.)
    assert client.get("/remarks/?q=china&topic=trade&sort=newest").context["page"].paginator.count == expected
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["search_engine"].startswith("error:")

    # Once the back-off is over, the next request rebuilds it, and the engine counts again.
    monkeypatch.setattr(engine_module, "FAULT_BACKOFF_SECONDS", 0)
    search_engine().fault_until = 0
    client.get("/remarks/?q=china&sort=oldest")
    monkeypatch.setattr(catalogue, "counts_by_month", lambda *a, **k: (_ for _ in ()).throw(AssertionError("counted in the database")))
    assert client.get("/remarks/?q=china&topic=trade&sort=oldest").context["page"].paginator.count == expected
    assert client.get("/healthz").json()["search_engine"] == "ok"


def test_a_full_or_read_only_index_directory_is_waited_out_not_a_500(few, client, make_briefing, topics, monkeypatch, fresh_engine):
    from statements.search import engine as engine_module

    assert client.get("/remarks/?q=china").status_code == 200  # the index built

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine_module.SearchEngine, "_write", no_space)
    make_briefing(remarks=[{"answer": "China and trade again.", "topics": [topics["trade"]]}])  # a publication
    response = client.get("/remarks/?q=china&topic=trade")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == by_database("q=china&topic=trade")[0]
    assert "No space left" in client.get("/healthz").json()["search_engine"]
    # The index as it was is kept for when the disk has room again (only its reader was closed).
    assert search_engine()._read_state() is not None
