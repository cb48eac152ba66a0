"""`manage.py sync_transcripts` against a mirror of the ministry's site on 127.0.0.1: the shared
corpus (../shared/corpus/mfa) served at the listings' and transcripts' own paths, as
`index.tsv` and `manifest.tsv` give them; every other page the listings link answers 404, as a
real site sometimes does. The server answers conditional GETs (ETag / Last-Modified) with 304
and logs every request, so the tests see what the sync fetched.

What is expected is counted from index.tsv and manifest.tsv, never from the sync's output.
"""

import csv
import datetime
import email.utils
import hashlib
import io
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from statements.importers import fetch
from statements.importers.listing import Entry, date_entries
from statements.models import Briefing, Remark, Source, SourcePage, Spokesperson

CANDIDATES = [os.environ.get("MFA_CORPUS", ""), Path(__file__).resolve().parents[2] / "shared/corpus/mfa"]
CORPUS = next((Path(c) for c in CANDIDATES if c and (Path(c) / "index.tsv").is_file()), None)

if CORPUS is None:
    if os.environ.get("REQUIRE_CORPUS"):
        raise RuntimeError("REQUIRE_CORPUS is set but no corpus with index.tsv was found (set MFA_CORPUS).")
    pytest.skip("The shared MFA corpus is not on this machine (set MFA_CORPUS).", allow_module_level=True)

INDEX = list(csv.DictReader((CORPUS / "index.tsv").open(encoding="utf-8"), delimiter="\t"))
MANIFEST = list(csv.DictReader((CORPUS / "manifest.tsv").open(encoding="utf-8"), delimiter="\t"))
EN_LISTING = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/default.shtml"
ZH_LISTING = next(r["source_url"] for r in INDEX if r["language"] == "zh" and r["path"].endswith("/default.shtml"))
LAST_MODIFIED = email.utils.formatdate(datetime.datetime(2020, 7, 4, tzinfo=datetime.timezone.utc).timestamp(), usegmt=True)


class Mirror:
    """The corpus at the ministry's paths, on 127.0.0.1; `pages` may be changed by a test."""

    def __init__(self):
        self.pages = {}  # path → bytes
        for row in INDEX + MANIFEST:
            self.pages[urlsplit(row["source_url"]).path] = (CORPUS / row["path"]).read_bytes()
        self.robots = b"User-agent: *\nDisallow: /private/\n"
        self.busy = {}  # path → how many more times to answer 503 Service Unavailable
        self.validators = {}  # "ETag"/"Last-Modified" → the value to send instead of the usual one
        self.log = []  # (path, status, user agent)
        self.lock = threading.Lock()
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = urlsplit(self.path).path
                body = mirror.robots if path == "/robots.txt" else mirror.pages.get(path)
                status = 200 if body is not None else 404
                etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"' if body is not None else ""
                if body is not None and path != "/robots.txt":
                    # A changed page has a new ETag; Last-Modified stays, so only a client that sends
                    # If-None-Match learns of the change (the ETag decides, as RFC 9110 says).
                    match = self.headers.get("If-None-Match")
                    if match is not None:
                        status = 304 if match == etag else 200
                    elif self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                        status = 304
                with mirror.lock:
                    if mirror.busy.get(path):
                        mirror.busy[path] -= 1
                        status, body = 503, None
                    mirror.log.append((path, status, self.headers.get("User-Agent", "")))
                self.send_response(status)
                if status == 503:
                    self.send_header("Retry-After", "7")
                if body is not None:
                    self.send_header("ETag", mirror.validators.get("ETag", etag))
                    self.send_header("Last-Modified", mirror.validators.get("Last-Modified", LAST_MODIFIED))
                if status == 200:
                    self.send_header("Content-Type", "text/html; charset=utf-8" if path != "/robots.txt" else "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def requests(self, status=None):
        with self.lock:
            return [path for path, answered, _ in self.log if status is None or answered == status]

    def forget(self):
        with self.lock:
            self.log.clear()


def manifest_rows(language=None, since=None, until=None, kind=None):
    """Rows of manifest.tsv (the sample's transcript pages), filtered by what the manifest says."""
    rows = []
    for row in MANIFEST:
        if language and row["language"] != language or kind and row["kind"] != kind:
            continue
        day = row["date_from_title"]
        if since and (not day or day < since) or until and (not day or day > until):
            continue
        rows.append(row)
    return rows


def listing_paths(language):
    return {urlsplit(r["source_url"]).path for r in INDEX if r["language"] == language}


@pytest.fixture
def mirror():
    with Mirror() as server:
        yield server


@pytest.fixture
def sources(db):
    """The two sources the project ships (migration 0012), made again: browser tests flush the
    test database, and with it the rows that migrations made."""
    from importlib import import_module

    from django.apps import apps

    Source.objects.all().delete()
    import_module("statements.migrations.0012_sync_sources_and_date_source").add_shipped_sources(apps, None)
    return {source.language: source for source in Source.objects.all()}


def sync(mirror, *args):
    """Run the command against the mirror; (output, CommandError or None)."""
    out = io.StringIO()
    try:
        call_command("sync_transcripts", "--base-url", mirror.url, "--delay", "0", *map(str, args), stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def snapshot():
    """Everything a run may write, to compare before and after."""
    return (
        list(Briefing.objects.order_by("pk").values_list("pk", "version", "updated_at", "date_source")),
        list(Remark.objects.order_by("pk").values_list("pk", "version", "updated_at")),
        Briefing.history.count(), Remark.history.count(), Spokesperson.history.count(),
        list(SourcePage.objects.order_by("pk").values()),
    )


# --- The shipped sources -------------------------------------------------------------------------------


def test_the_project_ships_the_two_listings_of_the_sample(sources):
    first_pages = {r["language"]: r["source_url"] for r in INDEX if r["path"].endswith("/default.shtml")}
    assert {lang: s.listing_url for lang, s in sources.items()} == first_pages
    assert first_pages["en"] == EN_LISTING
    assert all(s.enabled and s.format == "mfa" for s in sources.values())
    # Idempotent: made again, nothing doubles, and an admin's change is kept.
    from importlib import import_module

    from django.apps import apps

    sources["en"].name = "Renamed by an admin"
    sources["en"].save()
    import_module("statements.migrations.0012_sync_sources_and_date_source").add_shipped_sources(apps, None)
    assert Source.objects.count() == 2 and Source.objects.get(language="en").name == "Renamed by an admin"


# --- A first run, a second run ---------------------------------------------------------------------------

SINCE = "2020-06-01"


def test_first_run_imports_the_sample_with_dates_source_urls_and_spokespersons(mirror, sources, reference_data):
    out, error = sync(mirror, "--since", SINCE, "--create-spokespersons")
    expected = manifest_rows(since=SINCE)
    assert len(expected) == 12  # six days of June and July 2020 in each language (manifest.tsv)
    imported = {b.source_url: b for b in Briefing.objects.select_related("spokesperson")}
    assert set(imported) == {row["source_url"] for row in expected}
    for row in expected:
        briefing = imported[row["source_url"]]
        assert (briefing.date.isoformat(), briefing.language, briefing.title) == (row["date_from_title"], row["language"], row["title"])
        assert briefing.date_source == "title" and briefing.status == Briefing.Status.DRAFT
    # The English and Chinese transcripts of a day name one person: one spokesperson, both names.
    hosts = set(Spokesperson.objects.values_list("name", "native_name"))
    assert hosts == {("Zhao Lijian", "赵立坚"), ("Hua Chunying", "华春莹")}
    assert not Remark.objects.filter(speaker=None).exists()
    assert all(b.translation_id for b in imported.values())
    # Every page the listings link in the range was asked for once; those not in the sample are 404s.
    transcript_requests = [p for p in mirror.requests() if p not in listing_paths("en") | listing_paths("zh") | {"/robots.txt"}]
    assert len(transcript_requests) == len(set(transcript_requests))
    assert set(mirror.requests(200)) - listing_paths("en") - listing_paths("zh") - {"/robots.txt"} == {
        urlsplit(row["source_url"]).path for row in expected
    }
    failed = SourcePage.objects.filter(state=SourcePage.State.FAILED)
    # Each names the address fetched, the mirror's, beside the ministry's the page is filed under.
    assert failed.exists() and all(
        page.message == f"HTTP 404 Not Found (fetched from {mirror.url}{urlsplit(page.url).path})" for page in failed
    )
    assert error is not None and error.returncode == 1  # the 404s are failures, reported
    assert f"{failed.count()} failed" in out and "12 created" in out
    assert mirror.requests()[0] == "/robots.txt"
    assert all(agent.startswith("DiplomaticStatementsBot/") for _, _, agent in mirror.log)
    # The listings are read back to June 2020 only: the English one's first page reaches May.
    assert set(mirror.requests()) & listing_paths("en") == {urlsplit(EN_LISTING).path}
    assert 1 < len(set(mirror.requests()) & listing_paths("zh")) < len(listing_paths("zh")) / 4


def test_a_second_run_fetches_nothing_new_and_writes_nothing(mirror, sources):
    sync(mirror, "--since", SINCE, "--create-spokespersons")
    before = snapshot()
    mirror.forget()
    out, error = sync(mirror, "--since", SINCE, "--create-spokespersons")
    assert error is None, out
    # Listings and held transcripts are asked again conditionally and answered 304; failed pages wait.
    assert mirror.requests(200) == ["/robots.txt"]
    listings = [p for p in mirror.requests(304) if p in listing_paths("en") | listing_paths("zh")]
    transcripts = set(mirror.requests(304)) - set(listings)
    assert transcripts == {urlsplit(r["source_url"]).path for r in manifest_rows(since=SINCE)}
    assert urlsplit(EN_LISTING).path in listings and len(listings) == len(set(listings)) > 2
    assert snapshot() == before
    assert "0 created, 0 updated, 0 unchanged, 12 not modified, 0 failed" in out


def test_a_daily_run_reads_only_the_listing_pages_it_needs(mirror, sources, monkeypatch):
    """Once a listing has been read to its end, a run without --since stops at the first listing
    page that holds nothing new, and re-checks only recent transcripts (none, in a 2020 sample)."""
    sources["zh"].delete()
    sync(mirror, "--since", "2020-07-01")
    assert not sources["en"].walked_to_end
    sync(mirror)  # reads the whole listing once (404s of pages not in the sample included)
    en = Source.objects.get()
    assert en.walked_to_end
    assert set(Briefing.objects.values_list("source_url", flat=True)) == {r["source_url"] for r in manifest_rows("en") if r["date_from_title"]}
    mirror.forget()
    out, error = sync(mirror)
    assert error is None, out
    assert mirror.requests() == ["/robots.txt", urlsplit(EN_LISTING).path]


def test_an_interrupted_run_goes_on_where_it_stopped(mirror, sources, monkeypatch):
    original = fetch.Fetcher.get
    transcripts = []

    def get(self, url, **kwargs):
        path = urlsplit(url).path
        if path not in listing_paths("en") | listing_paths("zh") | {"/robots.txt"}:
            transcripts.append(path)
            if len(transcripts) == 6:
                raise KeyboardInterrupt  # an operator's Ctrl-C, or the machine going down
        return original(self, url, **kwargs)

    monkeypatch.setattr(fetch.Fetcher, "get", get)
    out, error = sync(mirror, "--since", SINCE)
    assert error is not None and error.returncode == 130 and "Interrupted" in out
    done = set(Briefing.objects.values_list("source_url", flat=True))
    assert 0 < len(done) < 12
    assert "Interrupted" in Source.objects.get(language="en").last_error
    monkeypatch.setattr(fetch.Fetcher, "get", original)

    mirror.forget()
    sync(mirror, "--since", SINCE)
    assert set(Briefing.objects.values_list("source_url", flat=True)) == {r["source_url"] for r in manifest_rows(since=SINCE)}
    refetched = set(mirror.requests(200)) & {urlsplit(url).path for url in done}
    assert not refetched  # what was done is asked only conditionally (304), never fetched again
    assert Briefing.objects.count() == 12


# --- Changes upstream -------------------------------------------------------------------------------------


def test_a_changed_draft_is_updated_and_a_changed_published_briefing_needs_review(mirror, sources, client):
    sync(mirror, "prc-mfa-en", "--since", "2020-06-29", "--create-spokespersons")
    draft_row, published_row = manifest_rows("en", since="2020-06-29")
    draft = Briefing.objects.get(source_url=draft_row["source_url"])
    published = Briefing.objects.get(source_url=published_row["source_url"])
    published.publish()
    published.save()
    ids = {b.pk: sorted(b.remarks.values_list("pk", flat=True)) for b in (draft, published)}
    published_text = sorted(published.remarks.values_list("answer", flat=True))

    for row in (draft_row, published_row):
        path = urlsplit(row["source_url"]).path
        mirror.pages[path] = mirror.pages[path].replace(b"Zhao Lijian: ", b"Zhao Lijian: Corrected upstream. ", 1)
    out, error = sync(mirror, "prc-mfa-en", "--since", "2020-06-29")
    assert error is None, out

    draft.refresh_from_db()
    changed = draft.remarks.filter(answer__startswith="Corrected upstream.")
    assert changed.count() == 1 and sorted(draft.remarks.values_list("pk", flat=True)) == ids[draft.pk]
    # The published briefing is not written: reported, counted, shown to editors.
    assert sorted(published.remarks.values_list("answer", flat=True)) == published_text
    page = SourcePage.objects.get(url=published_row["source_url"])
    assert page.state == SourcePage.State.NEEDS_REVIEW and "is published" in page.message
    assert "1 changed upstream (need review)" in out and "changed upstream, needs review" in out
    en = Source.objects.get(language="en")
    assert en.last_counts["needs_review"] == 1 and en.last_counts["updated"] == 1

    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("admin", password="x"))
    listing = client.get("/admin/statements/source/")
    assert "Changed upstream, needs review" in listing.text
    detail = client.get(f"/admin/statements/source/{en.pk}/change/")
    assert published_row["source_url"] in detail.text and f"briefing #{published.pk}" in detail.text

    # Reported again on every run until resolved; a publisher's run with --publish applies it.
    out, _ = sync(mirror, "prc-mfa-en", "--since", "2020-06-29")
    assert "1 changed upstream (need review)" in out
    out, error = sync(mirror, "prc-mfa-en", "--since", "2020-06-29", "--publish")
    assert error is None, out
    assert published.remarks.filter(answer__startswith="Corrected upstream.").count() == 1
    assert sorted(published.remarks.values_list("pk", flat=True)) == ids[published.pk]
    assert SourcePage.objects.get(url=published_row["source_url"]).state == SourcePage.State.IMPORTED


def test_a_page_with_an_answer_left_unlabelled_is_imported_counted_and_listed(mirror, sources):
    """Issue 28: the sync imports it, with the remark flagged, and says so in its summary and
    on the page's line."""
    (row,) = manifest_rows("en", since="2020-06-29", until="2020-06-29")
    path = urlsplit(row["source_url"]).path
    label = b'arial">Zhao Lijian: </SPAN><SPAN style="FONT-SIZE: 14px; FONT-FAMILY: arial">This is certainly'
    assert label in mirror.pages[path]  # the answer to Reuters, its label left out below
    mirror.pages[path] = mirror.pages[path].replace(label, label.replace(b"Zhao Lijian: ", b""))
    out, _ = sync(mirror, "prc-mfa-en", "--since", "2020-06-29", "--create-spokespersons")  # (the sample's 404s)
    assert "remarks to check: 1" in out and "1 to check)" in out
    briefing = Briefing.objects.get(source_url=row["source_url"])
    assert briefing.remarks.exclude(review_note="").count() == 1
    assert Source.objects.get(language="en").last_counts["to_check"] == 1


def test_a_mirror_under_a_path_is_synced_and_a_failure_names_what_was_fetched(mirror, sources):
    from statements.sync import mirror as on_mirror

    assert on_mirror("https://www.fmprc.gov.cn/mfa_eng/a/t1.shtml", "http://127.0.0.1:8000/copy/") == (
        "http://127.0.0.1:8000/copy/mfa_eng/a/t1.shtml"
    )
    mirror.pages = {f"/copy{path}": body for path, body in mirror.pages.items()}
    row = manifest_rows("en", since="2020-06-29")[0]
    del mirror.pages["/copy" + urlsplit(row["source_url"]).path]
    out = io.StringIO()
    with pytest.raises(CommandError):  # one page failed
        call_command("sync_transcripts", "prc-mfa-en", "--base-url", mirror.url + "/copy", "--delay", "0",
                     "--since", "2020-06-29", "--create-spokespersons", stdout=out)
    out = out.getvalue()
    assert Briefing.objects.count() == len(manifest_rows("en", since="2020-06-29")) - 1
    assert f"(fetched from {mirror.url}/copy{urlsplit(row['source_url']).path})" in out


# --- Dates from the listing ---------------------------------------------------------------------------------


def test_dates_come_from_the_listing_where_the_title_lacks_them(mirror, sources):
    # The sample has no page whose title lacks the year; the listing links fourteen. One is served
    # here, made from the page of 2018-09-05 with the listing's title (no year) and day.
    yearless = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1593756.shtml"
    page = (CORPUS / "en/2018-09-05-briefing-t1592240.html").read_bytes()
    mirror.pages[urlsplit(yearless).path] = page.replace(
        b"Regular Press Conference on September 5, 2018", b"Regular Press Conference on September 10"
    )
    out, _ = sync(mirror, "prc-mfa-en", "--since", "2018-09-10", "--until", "2018-09-10")
    briefing = Briefing.objects.get()
    assert (briefing.source_url, briefing.date, briefing.date_source) == (yearless, datetime.date(2018, 9, 10), "listing")

    # A title without a date, between two days in the listing: refused, with where it stands.
    out, error = sync(mirror, "prc-mfa-en", "--since", "2019-08-05", "--until", "2019-08-07")
    remarks = manifest_rows("en", since="2019-08-05", until="2019-08-07")
    assert set(Briefing.objects.filter(kind="remarks").values_list("source_url", flat=True)) == {r["source_url"] for r in remarks}
    undated = next(r for r in MANIFEST if r["path"] == "en/undated-remarks-t1686638.html")
    refused = SourcePage.objects.get(url=undated["source_url"])
    assert refused.state == SourcePage.State.FAILED
    assert "between 2019-08-06 and 2019-08-07, which does not settle the day" in refused.message
    assert not Briefing.objects.filter(source_url=undated["source_url"]).exists()


def test_chinese_pages_take_the_date_the_listing_prints(mirror, sources):
    undated = [r for r in MANIFEST if r["language"] == "zh" and not r["date_from_title"]]
    # One page loses the date it prints itself: the listing's date is then the only one.
    stripped = urlsplit(undated[0]["source_url"]).path
    mirror.pages[stripped] = mirror.pages[stripped].replace(b'id="News_Body_Time">2016-', b'id="News_Body_Time">x-')
    out, _ = sync(mirror, "prc-mfa-zh", "--since", "2016-11-01", "--until", "2016-12-31")
    listed = {}
    for row in INDEX:  # the dates printed in the listing, read here with a regular expression
        if row["language"] == "zh":
            text = (CORPUS / row["path"]).read_text(encoding="utf-8")
            for link, day in re_findall(r'<a href="\./(t\d+\.shtml)"[^>]*>[^<]*</a>\((\d{4}-\d\d-\d\d)\)', text):
                listed[link] = day
    briefings = Briefing.objects.filter(language="zh")
    assert briefings.count() == len(undated) == 6
    for briefing in briefings:
        assert briefing.date.isoformat() == listed[briefing.source_url.rsplit("/", 1)[1]]
        expected_source = "listing" if urlsplit(briefing.source_url).path == stripped else "page"
        assert briefing.date_source == expected_source


def re_findall(pattern, text):
    import re

    return re.findall(pattern, text)


def test_listing_dates_are_never_guessed():
    def entries(*titles):
        return [Entry(f"https://example.org/t{n}.shtml", title) for n, title in enumerate(titles)]

    today = datetime.date(2020, 1, 20)
    dated = date_entries(entries(
        "Press Conference on January 3",  # between 2019-12-30 and today: 2020 only
        "Press Conference on December 30, 2019",
        "Remarks on a visit",  # between two days: which one is not known
        "Press Conference on December 27, 2019",
        "Remarks on a treaty",  # both neighbours of one day: that day
        "Press Conference on December 27, 2019",
        "Press Conference on February 30",  # no such day between them
        "Press Conference on February 20, 2019",
        "Press Conference on June 1",  # nothing older read yet
    ), today=today)
    assert [d.date for d in dated] == [
        datetime.date(2020, 1, 3), datetime.date(2019, 12, 30), None, datetime.date(2019, 12, 27),
        datetime.date(2019, 12, 27), datetime.date(2019, 12, 27), None, datetime.date(2019, 2, 20), None,
    ]
    assert "does not settle the day" in dated[2].note and "not read far enough" in dated[8].note


# --- Politeness and limits ------------------------------------------------------------------------------------


def test_robots_txt_is_honoured(mirror, sources):
    row = manifest_rows("en", since="2020-07-03")[0]
    mirror.robots = f"User-agent: *\nDisallow: {urlsplit(row['source_url']).path}\n".encode()
    out, _ = sync(mirror, "prc-mfa-en", "--since", "2020-07-03")
    assert urlsplit(row["source_url"]).path not in mirror.requests()
    assert "robots.txt disallows it" in SourcePage.objects.get(url=row["source_url"]).message


def test_a_busy_server_is_asked_again_after_a_pause(mirror):
    path = urlsplit(manifest_rows("en")[1]["source_url"]).path
    waits = []
    fetcher = fetch.Fetcher(allow_private=True, sleep=waits.append)
    mirror.busy[path] = 2
    assert fetcher.get(mirror.url + path).status == 200
    assert waits == [7, 7]  # as the server's Retry-After said
    mirror.busy[path] = 5
    with pytest.raises(fetch.FetchError, match="503"):
        fetcher.get(mirror.url + path)
    assert mirror.requests().count(path) == 3 + 4  # three retries after the first attempt
    waits.clear()
    with pytest.raises(fetch.FetchError, match="404"):
        fetcher.get(mirror.url + "/no/such/page.shtml")
    assert waits == []  # a 404 is an answer, not worth asking again


def test_a_server_that_does_not_answer_is_retried_with_growing_pauses():
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections, never answers
    waits = []
    fetcher = fetch.Fetcher(allow_private=True, timeout=0.2, retries=2, backoff=1.5, sleep=waits.append)
    try:
        with pytest.raises(fetch.FetchError, match="no answer"):
            fetcher.get(f"http://127.0.0.1:{listener.getsockname()[1]}/slow.shtml")
    finally:
        listener.close()
    assert waits == [1.5, 3.0]


def test_a_page_is_fetched_only_from_a_public_web_address(mirror, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(fetch.FetchError, match="private, local or reserved"):
        fetch.Fetcher().get(mirror.url + "/robots.txt")
    for address in ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1/"]:
        with pytest.raises(fetch.FetchError, match="Only http and https"):
            fetch.Fetcher().get(address)
    assert not fetch.is_public("10.1.2.3") and not fetch.is_public("169.254.169.254")
    assert not fetch.is_public("::ffff:127.0.0.1") and fetch.is_public("8.8.8.8")


def test_a_page_over_the_size_limit_is_refused(mirror):
    path = urlsplit(manifest_rows("en")[1]["source_url"]).path
    with pytest.raises(fetch.FetchError, match="larger than"):
        fetch.Fetcher(allow_private=True, max_bytes=1024).get(mirror.url + path)


def test_requests_are_spaced_by_the_delay_or_the_crawl_delay(mirror):
    mirror.robots = b"User-agent: *\nCrawl-delay: 2\n"
    waits = []
    fetcher = fetch.Fetcher(allow_private=True, robots=True, delay=0.5, sleep=waits.append)
    for row in manifest_rows("en")[1:3]:
        fetcher.get(mirror.url + urlsplit(row["source_url"]).path)
    # robots.txt first, then each page after the longer of the two delays.
    assert mirror.requests()[0] == "/robots.txt" and len(waits) == 2
    assert all(1.9 < wait <= 2 for wait in waits)


def test_a_dry_run_fetches_and_parses_but_writes_nothing(mirror, sources):
    out, error = sync(mirror, "prc-mfa-en", "--since", "2020-07-03", "--dry-run", "--create-spokespersons")
    assert error is None, out
    assert "1 created" in out and "dry run: nothing written" in out
    assert not Briefing.objects.exists() and not Spokesperson.objects.exists() and not SourcePage.objects.exists()
    assert Source.objects.get(language="en").last_run_at is None


def test_an_unknown_source_is_refused_with_the_known_ones(mirror, sources):
    with pytest.raises(CommandError, match="No source called nowhere .sources: prc-mfa-en, prc-mfa-zh"):
        call_command("sync_transcripts", "nowhere", stdout=io.StringIO())


def test_a_listing_is_its_links_into_its_own_folder_with_their_printed_dates():
    import re

    from statements.importers import mfa

    for row in INDEX:
        text = (CORPUS / row["path"]).read_text(encoding="utf-8")
        listing = next(r["source_url"] for r in INDEX if r["language"] == row["language"] and r["path"].endswith("/default.shtml"))
        entries, pages = mfa.read_listing(text, row["source_url"], listing)
        # Counted here with a regular expression: each list item whose link is "./t<digits>.shtml".
        links = re.findall(r'<li><a href="\./(t\d+\.shtml)"[^>]*>([^<]+)</a>(?:\((\d{4}-\d\d-\d\d)\))?', text)
        assert [(e.url.rsplit("/", 1)[1], e.title) for e in entries] == [(name, title.strip()) for name, title, _ in links]
        assert [e.printed_date.isoformat() if e.printed_date else "" for e in entries] == [day for _, _, day in links]
        assert pages == len([r for r in INDEX if r["language"] == row["language"]])


def test_a_listing_that_cannot_be_read_is_reported_and_recorded(mirror, sources):
    sources["en"].listing_url = "https://www.fmprc.gov.cn/mfa_eng/moved/default.shtml"
    sources["en"].save()
    out, error = sync(mirror, "prc-mfa-en")
    assert error is not None and "listing(s) not read" in str(error)
    en = Source.objects.get(language="en")
    assert "could not be read: HTTP 404" in en.last_error and en.last_run_at and en.last_success_at is None


def test_a_page_dripping_in_is_given_up_after_the_time_out():
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def drip():
        connection, _ = listener.accept()
        connection.recv(4096)
        connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n")
        try:
            for _ in range(40):  # a byte every 0.05 s: each wait is short, the whole is not
                connection.sendall(b"<")
                time.sleep(0.05)
        except OSError:
            pass
        connection.close()

    threading.Thread(target=drip, daemon=True).start()
    fetcher = fetch.Fetcher(allow_private=True, timeout=0.5, retries=0)
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match="longer than 0.5 s"):
        fetcher.get(f"http://127.0.0.1:{listener.getsockname()[1]}/drip.shtml")
    assert time.monotonic() - started < 1.5
    listener.close()


def test_a_source_names_a_format_that_reads_listings(sources):
    from django.core.exceptions import ValidationError

    source = sources["en"]
    for name, message in [("plaintext", "not listing pages"), ("nowhere", "No transcript format")]:
        source.format = name
        with pytest.raises(ValidationError, match=message):
            source.full_clean()


@pytest.mark.parametrize("address", [
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::a9fe:a9fe",  # IPv4-compatible 169.254.169.254
    "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "::ffff:a9fe:a9fe",  # mapped
])
def test_ipv6_forms_of_a_private_address_are_refused(address):
    assert not fetch.is_public(address)


def test_ipv6_forms_of_a_public_address_are_allowed():
    assert fetch.is_public("2002:808:808::1") and fetch.is_public("64:ff9b::808:808")
    assert fetch.is_public("2606:4700:4700::1111")


# --- A hostile or broken source ---------------------------------------------------------------------


def test_over_long_validators_and_links_are_not_stored_and_the_run_goes_on(mirror, sources):
    mirror.validators = {"ETag": '"' + "e" * 1000 + '"', "Last-Modified": "Tue, " + "9" * 150}
    listing = urlsplit(EN_LISTING).path
    folder = listing.rsplit("/", 1)[0]
    long_link = f'<a href="{folder}/t{"1" * 600}.shtml">An over-long link</a>'.encode()
    mirror.pages[listing] = mirror.pages[listing].replace(b"</body>", long_link + b"</body>")
    out, error = sync(mirror, "--since", SINCE, "--create-spokespersons")
    # The pages the sample lacks are 404s, as in every run on it; nothing else fails.
    assert "crashed" not in out
    assert all(page.message.startswith("HTTP 404 Not Found (fetched from") for page in SourcePage.objects.filter(state=SourcePage.State.FAILED))
    assert Briefing.objects.count() == len(manifest_rows(since=SINCE))
    # Validators too long to keep are not kept (the next run fetches the page whole); the link
    # too long to be an address of the ministry's is not an entry.
    assert not SourcePage.objects.exclude(etag="").exists() and not SourcePage.objects.exclude(last_modified="").exists()
    assert not SourcePage.objects.filter(url__contains="1" * 600).exists()
    for source in Source.objects.all():
        assert source.last_success_at is not None and "crashed" not in source.last_error


def test_a_source_that_crashes_is_recorded_as_failed_and_the_others_still_run(mirror, sources, monkeypatch):
    from django.db import DataError

    from statements import sync as sync_module

    real_record = sync_module.SourceSync.record

    def record(self, entries, complete):
        if self.source.language == "en":
            raise DataError("value too long for type character varying(300)")
        return real_record(self, entries, complete)

    monkeypatch.setattr(sync_module.SourceSync, "record", record)
    out, error = sync(mirror, "--since", SINCE, "--create-spokespersons")
    assert error is not None and "crashed" in out
    english, chinese = Source.objects.get(language="en"), Source.objects.get(language="zh")
    assert english.last_success_at is None and "crashed" in english.last_error and "DataError" in english.last_error
    assert chinese.last_success_at is not None and "crashed" not in chinese.last_error
    assert Briefing.objects.filter(language="zh").count() == len(manifest_rows(language="zh", since=SINCE))


def test_a_listing_page_of_a_hundred_thousand_links_gives_a_bounded_number_of_entries():
    from statements.importers.listing import MAX_ENTRIES_PER_PAGE, read_links

    folder = EN_LISTING.rsplit("/", 1)[0]
    page = "<html><body>" + "".join(f'<a href="{folder}/t{n}.shtml">Remarks {n}</a>' for n in range(100_000)) + "</body></html>"
    entries = read_links(page, EN_LISTING)
    assert len(entries) == MAX_ENTRIES_PER_PAGE
    assert entries[0].url == f"{folder}/t0.shtml"


@pytest.fixture
def trickle():
    """A server that sends its status line and headers one byte every 0.2 s, for ever."""
    import socket
    import time

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue

            def drip(conn=conn):
                try:
                    conn.recv(4096)
                    for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000:
                        if stop.is_set():
                            break
                        conn.send(bytes([byte]))
                        time.sleep(0.2)
                except OSError:
                    pass
                finally:
                    conn.close()

            threading.Thread(target=drip, daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/page.html"
    stop.set()
    thread.join()
    server.close()


def test_a_server_dripping_its_headers_is_cut_off_at_the_requests_deadline(trickle):
    import time

    fetcher = fetch.Fetcher(timeout=1.5, retries=0, allow_private=True)
    started = time.monotonic()
    with pytest.raises(fetch.FetchError, match="longer than 1.5 s"):
        fetcher.get(trickle)
    assert time.monotonic() - started < 4


def test_a_huge_crawl_delay_is_capped():
    fetcher = fetch.Fetcher(robots=True, allow_private=True)
    import urllib.robotparser

    parser = urllib.robotparser.RobotFileParser()
    parser.parse(["User-agent: *", "Crawl-delay: 100000"])
    fetcher._robots["http://example.org"] = parser
    assert fetcher._crawl_delay("http://example.org") == fetch.MAX_CRAWL_DELAY
