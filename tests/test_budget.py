"""No request can hold the site hostage: database budgets, anonymous rate limits, export slots."""

import contextlib
import threading

import pytest
from django.db import connection

from statements.models import Remark


@pytest.fixture
def remarks(make_briefing, topics):
    return make_briefing(remarks=[{"answer": f"Trade talks {n}.", "topics": [topics["trade"]]} for n in range(30)])


@pytest.mark.django_db(transaction=True)  # a statement cancelled inside a test's transaction would abort it
def test_a_page_over_its_database_budget_is_a_503_and_the_next_one_is_served(client, remarks, settings):
    settings.SEARCH_ENGINE_DIR = ""  # counted by the database, whose statements the budget stops
    path = "/remarks/?q=trade&sort=relevance"
    if connection.vendor == "postgresql":
        client.get("/remarks/")  # the connection opened and its limits set before the slow search
        settings.PAGE_STATEMENT_TIMEOUT = 0.001
        # Counting 30 remarks can take under 1 ms (CI once saw a 200): each statement on the
        # remarks first waits 5 ms in the server, as a statement at a million remarks would.
        def slow_statement(execute, sql, params, many, context):
            if "statements_remark" in sql:
                context["cursor"].execute("SELECT pg_sleep(0.005)")
            return execute(sql, params, many, context)

        slowed = connection.execute_wrapper(slow_statement)
    else:
        settings.PAGE_STATEMENT_TIMEOUT = 0.0  # SQLite's progress handler stops it at once
        slowed = contextlib.nullcontext()
    with slowed:
        response = client.get(path)
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == str(settings.BUSY_RETRY_AFTER)
    # Styled like the site, with its navigation, and saying when to come back.
    assert "statements/site" in response.text and 'class="site-header"' in response.text
    assert f"try again in {settings.BUSY_RETRY_AFTER} seconds" in response.text
    settings.PAGE_STATEMENT_TIMEOUT = 5.0
    assert client.get(path).status_code == 200
    # The limit ended with the request: the test's own queries are not cut short.
    assert Remark.objects.count() == 30


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a table lock held by another connection: PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", ["statements_remark", "statements_briefing", "statements_contentversion", "statements_topic"])
def test_a_locked_table_gives_503s_within_the_budget_healthz_says_so_and_the_site_recovers(client, remarks, settings, table):
    """Any table a page reads, not only the remarks': /healthz must not say "ok" while every page
    answers 503."""
    import time

    settings.LOCK_TIMEOUT = 0.5
    permalink = f"/remarks/{remarks.remarks.first().pk}/"
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None,
                             user=db["USER"] or None, password=db["PASSWORD"] or None) as other:
            other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # in a transaction
            locked.set()
            release.wait(30)
            other.rollback()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        response = client.get(permalink)
        assert response.status_code == 503 and time.monotonic() - started < 3
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "locked"
    finally:
        release.set()
        holder.join()
    assert client.get(permalink).status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"


def test_anonymous_clients_are_rate_limited_per_address_and_staff_are_not(client, editor_client, remarks, settings, editor, monkeypatch):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    # django-ratelimit counts in fixed windows: the clock stands still, so the four requests
    # below cannot straddle the end of one (CI once saw four 200s).
    import time

    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time.time", lambda: now)
    settings.ANONYMOUS_RATE_LIMIT = "3/m"
    anonymous = Client()
    statuses = [anonymous.get("/remarks/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = anonymous.get("/briefings/")
    assert response.status_code == 429 and response["Retry-After"] == str(settings.RATE_LIMIT_RETRY_AFTER)
    assert Client(REMOTE_ADDR="192.0.2.7").get("/remarks/").status_code == 200  # another address
    staff = Client()
    staff.force_login(editor)
    assert all(staff.get("/remarks/").status_code == 200 for _ in range(5))


@pytest.mark.django_db(transaction=True)
def test_exports_at_once_are_bounded_per_client(remarks, settings):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    settings.EXPORTS_PER_CLIENT, settings.EXPORTS_AT_ONCE = 1, 2
    reader, other = Client(), Client(REMOTE_ADDR="192.0.2.8")
    first = reader.get("/remarks/export.csv")
    assert first.status_code == 200  # streaming: the slot is held until the file is sent
    second = reader.get("/remarks/export.json")
    assert second.status_code == 429 and "Other exports are running" in second.text
    third = other.get("/remarks/export.csv")
    assert third.status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.9").get("/remarks/export.csv").status_code == 503  # two in all: the site is busy
    b"".join(first.streaming_content)
    first.close()
    assert reader.get("/remarks/export.jsonl").status_code == 200


@pytest.mark.parametrize("path", ["/remarks/", "/briefings/", "/remarks/export.csv", "/remarks/feed/", "/compare/"])
def test_a_parameter_repeated_past_its_cap_is_a_400_that_names_it(client, remarks, path):
    years = "&".join(f"year={year}" for year in range(1990, 2030))
    response = client.get(f"{path}?{years}")
    assert response.status_code == 400
    assert "At most 20 values of “year”" in response.content.decode()


def test_the_api_says_it_in_json_and_a_deep_page_is_refused(client, remarks):
    response = client.get("/api/remarks/?" + "&".join(["topic=trade"] * 21))
    assert response.status_code == 400 and "topic" in response.json()
    response = client.get("/remarks/?page=1001")
    assert response.status_code == 400 and "Pages go up to 1000" in response.text
    assert client.get("/remarks/?page=1000").status_code == 200  # the last page there is


def test_searches_at_once_are_bounded_so_permalinks_find_a_worker(remarks, settings, rf):
    from django.core.cache import cache
    from django.test import Client

    from statements.budget import Slots

    cache.clear()
    settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE, settings.SEARCH_QUEUE = 1, 2, 0
    # Two searches of other clients are running (their slots held, as during their requests).
    running = [Slots(rf.get("/", REMOTE_ADDR=f"192.0.2.{n}"), "search") for n in (20, 21)]
    assert [slots.take() for slots in running] == [None, None]
    response = Client().get("/remarks/?q=trade")
    assert response.status_code == 503 and response["Retry-After"]
    assert Client().get(f"/remarks/{remarks.remarks.first().pk}/").status_code == 200  # no slot needed
    running[0].release()
    assert Client().get("/remarks/?q=trade").status_code == 200
    assert Client().get("/remarks/?q=toast").status_code == 200  # the slot was given back
    # One client's share: its own running search keeps it waiting, not the others.
    mine = Slots(rf.get("/", REMOTE_ADDR="127.0.0.1"), "search")
    assert mine.take() is None
    assert Client().get("/remarks/?q=lighthouse").status_code == 429


def test_searches_and_exports_yield_the_cpu_to_pages_while_they_run(remarks, settings):
    """A request holding a search's or an export's slot runs at a lower CPU priority than pages,
    and its thread is back at its own once it ends: a permalink waiting for a core gets it first
    however many searches run (scripts/hostage_test.py measures what that buys)."""
    import os

    from django.core.cache import cache
    from django.test import Client

    from statements.budget import priority_restorable

    if not priority_restorable():
        message = "this process may not raise a thread's priority back"
        if os.environ.get("REQUIRE_PRIORITY") == "1":
            pytest.fail(message + "; REQUIRE_PRIORITY=1 (CI, as root) forbids skipping it")
        pytest.skip(message)
    cache.clear()
    settings.HEAVY_REQUEST_NICE = 7
    settings.SEARCHES_AT_ONCE = settings.SEARCHES_PER_CLIENT = settings.EXPORTS_AT_ONCE = settings.EXPORTS_PER_CLIENT = 2

    def priority():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def priorities_while(path):
        seen = []

        def note(execute, sql, params, many, context):
            seen.append(priority())
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            response = Client().get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200 and seen
        return max(seen)  # what a request reads before it takes its slot runs at the usual priority

    before = priority()
    assert priorities_while("/remarks/?q=trade") == min(19, before + 7)
    assert priority() == before
    assert priorities_while("/remarks/export.csv?q=trade") == min(19, before + 7)
    assert priority() == before
    assert priorities_while(f"/remarks/{remarks.remarks.first().pk}/") == before
    settings.HEAVY_REQUEST_NICE = 0
    assert priorities_while("/remarks/?q=talks") == before


def test_where_a_thread_could_not_be_raised_back_nothing_is_lowered(remarks, settings, monkeypatch):
    """A service run without the right to raise a thread's priority (docs/operations.md): the
    probe finds it out, searches run at the priority of pages, and are served as before."""
    import os

    from django.test import Client

    from statements import budget

    def no_raising(which, who, priority):
        if priority < os.getpriority(which, who):
            raise PermissionError("raising a priority needs CAP_SYS_NICE")
        real_setpriority(which, who, priority)

    real_setpriority = os.setpriority
    monkeypatch.setattr(os, "setpriority", no_raising)
    budget.priority_restorable.cache_clear()
    try:
        settings.SEARCHES_AT_ONCE = settings.SEARCHES_PER_CLIENT = 2
        before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        seen = []

        def note(execute, sql, params, many, context):
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            assert Client().get("/remarks/?q=trade").status_code == 200
        assert not budget.priority_restorable() and set(seen) == {before}
    finally:
        budget.priority_restorable.cache_clear()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout (CI runs it)")
@pytest.mark.django_db(transaction=True)  # as on a server: requests in autocommit, the connection kept
def test_a_connection_keeps_its_limits_from_page_to_page_and_changes_them_for_an_export(client, remarks, settings):
    from django.test.utils import CaptureQueriesContext

    def limits_set_by(path):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return sum("set_config('statement_timeout'" in q["sql"] for q in captured.captured_queries)

    def statement_timeout():
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    page = f"/remarks/{remarks.remarks.first().pk}/"
    assert limits_set_by(page) == 1
    assert limits_set_by(page) == 0 and statement_timeout() == "5s"  # kept, and in force
    assert limits_set_by("/remarks/export.csv?q=trade") == 1 and statement_timeout() == "1min"
    assert limits_set_by(page) == 1 and statement_timeout() == "5s"


def test_a_kept_page_never_waits_for_a_search_slot(remarks, settings, rf):
    from django.core.cache import cache
    from django.test import Client

    from statements.budget import Slots

    cache.clear()
    settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE, settings.SEARCH_QUEUE = 1, 1, 0
    assert Client().get("/remarks/?q=trade").status_code == 200  # computed, and kept
    other = Slots(rf.get("/", REMOTE_ADDR="192.0.2.20"), "search")
    assert other.take() is None  # the site's one slot is taken
    assert Client().get("/remarks/?q=trade").status_code == 200  # the kept page, no slot needed
    assert Client().get("/remarks/?q=lighthouse").status_code == 503  # a page to compute needs one
    other.release()


@pytest.mark.django_db(transaction=True)
def test_a_search_waits_in_line_for_a_slot_rather_than_fail(remarks, settings, rf):
    import threading
    import time

    from django.core.cache import cache
    from django.db import connections
    from django.test import Client

    from statements.budget import Slots

    cache.clear()
    settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE, settings.SEARCH_QUEUE = 1, 1, 1
    settings.SEARCH_QUEUE_SECONDS = 10
    other = Slots(rf.get("/", REMOTE_ADDR="192.0.2.20"), "search")
    assert other.take() is None
    threading.Timer(0.5, other.release).start()  # its search ends half a second later
    started = time.monotonic()
    assert Client().get("/remarks/?q=trade").status_code == 200
    assert 0.4 < time.monotonic() - started < 5
    # The line has one place: while one waits, another is refused at once.
    assert other.take() is None
    def wait_in_line():
        try:
            Client(REMOTE_ADDR="192.0.2.30").get("/remarks/?q=lighthouse")
        finally:
            connections.close_all()  # this thread's

    waiting = threading.Thread(target=wait_in_line)
    waiting.start()
    time.sleep(0.3)
    assert Client(REMOTE_ADDR="192.0.2.31").get("/remarks/?q=marmalade").status_code == 503
    other.release()
    waiting.join(timeout=10)
    settings.SEARCH_QUEUE_SECONDS = 0.2  # and a line that does not move gives up
    assert other.take() is None
    assert Client().get("/remarks/?q=toast").status_code == 503
    other.release()


def test_a_cache_that_fails_while_a_search_waits_in_line_lets_it_through(settings, rf, monkeypatch):
    from django.core.cache import cache

    from statements.budget import Slots

    settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE, settings.SEARCH_QUEUE = 2, 1, 1
    # Its own slot taken, the site's all taken; then the cache goes (statements/cache.py: None).
    answers = iter([True, False, None, None])
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: next(answers))
    slots = Slots(rf.get("/", REMOTE_ADDR="192.0.2.40"), "search")
    assert slots.take() is None  # let through, as everything is without a shared cache


def test_a_slot_never_given_back_is_free_again_after_a_while(remarks, settings, rf):
    import time

    from django.core.cache import cache

    from statements.budget import Slots

    cache.clear()
    settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE, settings.SEARCH_QUEUE = 1, 1, 0
    settings.SLOT_SECONDS = 1
    killed = Slots(rf.get("/", REMOTE_ADDR="192.0.2.20"), "search")
    assert killed.take() is None  # and its worker dies: never released
    assert Slots(rf.get("/", REMOTE_ADDR="192.0.2.21"), "search").take() == 503
    time.sleep(1.2)
    late = Slots(rf.get("/", REMOTE_ADDR="192.0.2.21"), "search")
    assert late.take() is None
    # The first holder's release, however late, frees nothing of the second's.
    killed.release()
    assert Slots(rf.get("/", REMOTE_ADDR="192.0.2.22"), "search").take() == 503
    late.release()


def test_an_export_keeps_its_slot_while_it_is_read_and_loses_it_soon_after_its_client_stalls(settings, rf):
    """Issue 27, item 6: a slot is a lease renewed while the stream moves; a client that stops
    reading (or a worker killed) holds it SLOT_SECONDS at most, seconds rather than minutes."""
    import time

    from django.core.cache import cache

    from statements.budget import Slots, held_while_streaming

    cache.clear()
    settings.EXPORTS_PER_CLIENT, settings.EXPORTS_AT_ONCE = 1, 1
    settings.SLOT_SECONDS = 1

    def another():
        return Slots(rf.get("/", REMOTE_ADDR="192.0.2.31"), "export")

    slots = Slots(rf.get("/", REMOTE_ADDR="192.0.2.30"), "export")
    assert slots.take() is None
    stream = held_while_streaming(iter(range(1000)), slots)
    started = time.monotonic()
    while time.monotonic() - started < 2.5:  # read steadily, past the lease's second
        next(stream)
        time.sleep(0.05)
    assert another().take() == 503
    time.sleep(1.3)  # the client stops reading: the generator no longer runs
    late = another()
    assert late.take() is None
    late.release()
    stream.close()


@pytest.mark.parametrize("stored", ["2999-12-31", "0001-01-01"])
def test_a_stored_implausible_date_leaves_the_histogram_and_year_facet_bounded(client, make_briefing, stored):
    import datetime

    make_briefing(remarks=[{"answer": "Real."}])
    make_briefing(date=datetime.date.fromisoformat(stored), remarks=[{"answer": "Mistyped."}])
    response = client.get("/remarks/")
    assert response.status_code == 200
    histogram = response.context["histogram"]()  # built when its fragment is rendered
    assert len(histogram["bars"]) == 1  # December 2020 only, not a thousand years of empty months
    years = [option.value for facet in response.context["facets"] if facet.param == "year" for option in facet.options]
    assert years == ["2020"]
    assert client.get(f"/remarks/?year={stored[:4]}").status_code == 400  # as the facet offers no such link
