"""Running the site: /healthz, a lost database is a quick 503, Redis shares the cached counts
(and its absence costs only speed), and several app servers behind one PostgreSQL and one Redis
show an edit published through one of them at once through the others.

The Redis tests use the real server at 127.0.0.1:6379, database 15 (TEST_REDIS_URL to change);
without it they are skipped, except under REQUIRE_REDIS=1 (set by .ci/run).
"""

import datetime
import http.cookiejar
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.test import Client
from django.urls import path

import config.urls
from statements.models import Briefing

BASE_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


# A URLconf for the 503 tests: the site's own URLs and error handler, plus two views that meet a
# lost database the two ways it shows: in the view, and later in the middleware.
def view_losing_the_database(request):
    raise OperationalError("server closed the connection unexpectedly")


def view_writing_the_session(request):
    request.session["seen"] = True  # saved by SessionMiddleware after the view returns
    return HttpResponse("ok")


urlpatterns = [
    path("lost-in-view/", view_losing_the_database),
    path("writes-session/", view_writing_the_session),
    *config.urls.urlpatterns,
]
handler500 = config.urls.handler500


@pytest.fixture
def corpus(make_briefing, wang, topics):
    return make_briefing(
        spokesperson=wang,
        remarks=[
            {"question": "On the lighthouse?", "answer": "The lighthouse project serves all ships.", "topics": [topics["trade"]]},
            {"answer": "China opposes unilateral tariffs.", "topics": [topics["trade"]]},
        ],
    )


# /healthz -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_the_database_the_cache_and_the_search_engine(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "local", "search_engine": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client):
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"


# A lost database is a 503 ------------------------------------------------------------------------


def connection_lost():
    """Django's view of a connection that the database closed or refused."""
    return mock.patch.object(connections["default"], "is_usable", return_value=False)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_lost_database_in_a_view_is_a_503_with_retry_after(client):
    with connection_lost():
        response = client.get("/lost-in-view/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Temporarily unavailable" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()  # styled like the site, without the database
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_lost_database_in_the_middleware_is_a_503_too():
    client = Client(raise_request_exception=False)
    with connection_lost(), mock.patch.object(SessionStore, "save", side_effect=OperationalError("terminating connection due to administrator command")):
        response = client.get("/writes-session/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert response["Retry-After"]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_database_error_on_a_working_connection_stays_a_500():
    # A bad query (an FTS5 syntax error, say) is a bug to see and fix, not an outage.
    client = Client(raise_request_exception=False)
    response = client.get("/lost-in-view/")
    assert response.status_code == 500
    assert "Temporarily unavailable" not in response.content.decode()


@pytest.mark.django_db
def test_a_lost_database_on_a_real_page_is_a_503(client, corpus):
    remark = corpus.remarks.first()
    with connection_lost(), mock.patch("statements.views.published_remark", side_effect=OperationalError("the connection is closed")):
        response = client.get(remark.get_absolute_url())
    assert response.status_code == 503


# The Redis cache -------------------------------------------------------------------------------


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError as error:
        message = f"Redis not reachable at {REDIS_URL} ({error}): Redis tests skipped"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(message + "; REQUIRE_REDIS=1 forbids skipping them")
        pytest.skip(message)
    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture(autouse=True)
def redis_back_in_every_test():
    """Redis being away is remembered for the whole process for a few seconds (statements/cache.py):
    one test's unreachable Redis (or the limits counted meanwhile) must not be the next test's."""
    from statements.cache import RedisCache, _process_counters

    RedisCache._down_until = 0.0
    _process_counters.clear()
    yield
    RedisCache._down_until = 0.0
    _process_counters.clear()


def redis_cache_settings(url):
    return {
        "default": {
            "BACKEND": "statements.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "statements-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def redis_db(settings):
    server = redis_or_skip()
    server.flushdb()
    settings.CACHES = redis_cache_settings(REDIS_URL)
    yield server
    server.flushdb()


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_counts_are_cached_in_redis_and_follow_every_published_change(client, redis_db, corpus, make_briefing, topics):
    response = client.get("/remarks/?topic=trade")
    assert "2 remarks" in response.content.decode()
    assert redis_db.keys("statements-test:*counts:*"), "the counts should have been stored in Redis"
    assert client.get("/healthz").json()["cache"] == "ok"

    make_briefing(remarks=[{"answer": "Trade talks resume.", "topics": [topics["trade"]]}])
    response = client.get("/remarks/?topic=trade")
    assert "3 remarks" in response.content.decode()
    assert "Trade talks resume." in response.content.decode()


@pytest.mark.django_db
def test_pages_render_while_redis_is_down(client, settings, corpus, caplog):
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port()}/0")
    # The limits as production has them: the rate limiter and the slots live in Redis too.
    settings.ANONYMOUS_RATE_LIMIT, settings.EXPORT_RATE_LIMIT = "300/m", "30/h"
    settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE, settings.SEARCH_QUEUE = 2, 4, 8
    settings.EXPORTS_PER_CLIENT = settings.EXPORTS_AT_ONCE = 1
    remark = corpus.remarks.first()
    with caplog.at_level(logging.WARNING, logger="statements.cache"):
        for url, expected in [
            ("/", "Trade"),
            ("/remarks/?q=lighthouse", "1 remark"),
            ("/remarks/?topic=trade", "2 remarks"),
            ("/topics/trade/", "2 published remarks"),
            (remark.get_absolute_url(), "lighthouse"),
            ("/remarks/export.csv?q=lighthouse", ""),
            ("/api/remarks/?q=lighthouse", "lighthouse"),
        ]:
            started = time.monotonic()
            response = client.get(url)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert expected in body.decode(), url
            assert time.monotonic() - started < 3, url
    assert "Redis cache unavailable" in caplog.text
    health = client.get("/healthz")
    assert health.status_code == 200  # the site works without its cache
    assert health.json()["cache"].startswith("error") and health.json()["status"] == "degraded"


@pytest.mark.django_db
def test_while_redis_is_down_the_slots_hold_for_the_server_and_a_dead_holders_come_back_at_once(settings, rf, tmp_path):
    """The site's slots fall back to locks of files the server's processes share, a client's
    to each process's memory: a crowd of exports cannot take every core because Redis went
    away, and a killed worker's slot is free the moment it dies."""
    from statements.budget import Slots

    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port()}/0")
    settings.SLOTS_DIR = str(tmp_path / "slots")
    settings.EXPORTS_PER_CLIENT, settings.EXPORTS_AT_ONCE, settings.APP_PROCESSES = 2, 1, 2
    assert caches["default"].get("anything") is None  # and the process knows Redis is away
    first = Slots(rf.get("/", REMOTE_ADDR="192.0.2.40"), "export")
    assert first.take() is None
    assert Slots(rf.get("/", REMOTE_ADDR="192.0.2.40"), "export").take() == 429  # 2 over 2 processes
    assert Slots(rf.get("/", REMOTE_ADDR="192.0.2.41"), "export").take() == 503  # the server's one
    first.release()
    # Another process of the server takes the slot, and is killed holding it.
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(tmp_path / 'slots' / 'slots-export-all-0')!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    assert Slots(rf.get("/", REMOTE_ADDR="192.0.2.41"), "export").take() == 503
    holder.kill()
    holder.wait()
    late = Slots(rf.get("/", REMOTE_ADDR="192.0.2.41"), "export")
    assert late.take() is None
    late.release()


@pytest.mark.django_db
def test_while_redis_is_down_a_slots_directory_that_cannot_be_written_lets_requests_through(settings, rf, tmp_path):
    from statements.budget import Slots

    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port()}/0")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.SLOTS_DIR = str(blocker / "slots")  # under a file: cannot be made
    assert caches["default"].get("anything") is None
    assert [Slots(rf.get("/", REMOTE_ADDR=f"192.0.2.{60 + n}"), "export").take() for n in range(3)] == [None] * 3


def test_after_a_redis_error_the_cache_is_left_alone_for_a_while(settings):
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port()}/0")
    cache = caches["default"]
    assert cache.get("key", "default") == "default"
    with mock.patch.object(cache._cache, "get_client", side_effect=AssertionError("Redis tried again at once")):
        assert cache.get("key", "fallback") == "fallback"
        assert cache.set("key", "value") is None
        assert cache.get_many(["a", "b"]) == {}


# Several app servers, one PostgreSQL, one Redis -----------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    settings = connection.settings_dict  # inside a test: the test database
    auth = urllib.parse.quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        auth += ":" + urllib.parse.quote(settings["PASSWORD"])
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


class AppServer:
    """gunicorn with config/gunicorn.conf.py on a free port, logging to a file."""

    def __init__(self, name, log_dir, **env):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_dir) / f"{name}.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL", "SECURE_"))}
        environment.update(
            DJANGO_SETTINGS_MODULE="config.settings", ALLOWED_HOSTS="127.0.0.1", DEBUG="false",
            GUNICORN_BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY="2",
            # Each server its own search engine index, as deployed (docs/operations.md).
            SEARCH_ENGINE_DIR=str(Path(log_dir) / f"search-engine-{name}"), **env,
        )
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
                cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
            )
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.process.returncode}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{self.name} did not answer /healthz within {timeout}s")

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.url + url, body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, url):
        return self.request(url)

    def csrf_token(self, url):
        status, page = self.get(url)
        assert status == 200, (url, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def log_in(self, username, password):
        token = self.csrf_token("/admin/login/")
        status, page = self.request("/admin/login/?next=/admin/", {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/admin/"})
        assert status == 200 and "Log out" in page, f"login through {self.name} failed ({status})"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        return f"--- {self.name} ({self.url}) ---\n{self.log_path.read_text()}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several app servers share one PostgreSQL (run with DATABASE_URL=postgres://…; CI does)")
@pytest.mark.django_db(transaction=True)
def test_an_edit_published_through_one_app_server_shows_at_once_through_another(make_briefing, wang, topics, django_user_model):
    redis_server = redis_or_skip()
    redis_server.flushdb()
    make_briefing(spokesperson=wang, remarks=[{"answer": "The lighthouse guides every ship.", "topics": [topics["taiwan"]]}])
    draft = make_briefing(
        spokesperson=wang, status=Briefing.Status.DRAFT,
        remarks=[{"answer": "A second lighthouse opens next year.", "topics": [topics["taiwan"]]}],
    )
    new_remark = draft.remarks.get()
    django_user_model.objects.create_superuser("chief", "chief@example.org", "a long chief passphrase")

    with tempfile.TemporaryDirectory() as log_dir:
        servers = [AppServer(name, log_dir, DATABASE_URL=database_url(), REDIS_URL=REDIS_URL) for name in ("A", "B")]
        a, b = servers
        try:
            for server in servers:
                server.wait_until_ready()
            # Both servers have counted and cached the search and the topic page.
            for server in servers:
                status, page = server.get("/remarks/?q=lighthouse")
                assert status == 200 and "1 remark" in page, server.name
                status, page = server.get("/topics/taiwan/")
                assert status == 200 and "1 published remark" in page, server.name
                assert server.get(new_remark.get_absolute_url())[0] == 404
            assert redis_server.keys("*counts:*"), "the servers should share their counts through Redis"

            # An editor publishes the draft through A's admin (the changelist action) ...
            a.log_in("chief", "a long chief passphrase")
            token = a.csrf_token("/admin/statements/briefing/")
            status, page = a.request("/admin/statements/briefing/", {
                "csrfmiddlewaretoken": token, "action": "publish", "_selected_action": [draft.pk],
                "index": "0", "select_across": "0",
            })
            assert status == 200 and 'value="Publish 1 briefing"' in page, page[:2000]  # the confirmation
            status, page = a.request("/admin/statements/briefing/", {
                "csrfmiddlewaretoken": token, "action": "publish", "_selected_action": [draft.pk],
                "apply": "Publish 1 briefing",
            })
            assert status == 200 and "Published 1 briefing" in page, page[:2000]
            draft.refresh_from_db()
            assert draft.status == Briefing.Status.PUBLISHED

            # ... and a reader on B sees it at once: no stale count, no stale 404.
            status, page = b.get("/remarks/?q=lighthouse")
            assert "2 remarks" in page and "A second" in page, page
            status, page = b.get("/topics/taiwan/")
            assert "2 published remarks" in page
            assert b.get(new_remark.get_absolute_url())[0] == 200
        except BaseException:
            for server in servers:
                server.stop()
            print("\n".join(server.log() for server in servers))
            raise
        finally:
            for server in servers:
                server.stop()
            redis_server.flushdb()


@pytest.mark.django_db
def test_without_redis_rate_limits_hold_per_process_rather_than_fail_open(client, settings, corpus):
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{closed_port()}/0")
    settings.ANONYMOUS_RATE_LIMIT = "5/m"
    from statements import cache as statements_cache

    statements_cache._process_counters.clear()
    answers = [client.get("/remarks/?q=lighthouse").status_code for _ in range(8)]
    assert answers[:5] == [200] * 5 and 429 in answers[5:]
