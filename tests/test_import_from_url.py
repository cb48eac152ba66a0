"""The admin's import from a transcript's address, and where a source URL comes from: the
address fetched, a manifest.tsv beside a file (command) or uploaded with it (admin), or nowhere —
said in the preview and in the command's output.

Pages are served by a local http.server on 127.0.0.1 (no other network); loopback is allowed
only where a test says so (settings.IMPORT_FETCH_ALLOW_PRIVATE, False by default).
"""

import functools
import io
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from statements.models import Briefing

DATA = Path(__file__).parent / "data" / "mfa"
URL = reverse("admin:statements_briefing_import")
PAGE = "en/2018-08-03-briefing-t1583054.html"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def pages():
    """tests/data/mfa served at http://127.0.0.1:<port>/."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(DATA)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def review_data(response):
    from rendered_forms import RenderedForm

    return RenderedForm.from_response(None, URL, response)


def test_a_transcript_is_imported_from_its_address_and_keeps_it(editor_client, geng, pages, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = True
    address = f"{pages}/{PAGE}"
    preview = editor_client.post(URL, {"step": "preview", "url": address})
    assert preview.status_code == 200
    assert "Regular Press Conference on August 3, 2018" in preview.text and address in preview.text
    review = review_data(preview)
    saved = editor_client.post(URL, {k: review.data.getlist(k) for k in review.data})
    briefing = Briefing.objects.get()
    assert saved["Location"] == reverse("admin:statements_briefing_change", args=[briefing.pk])
    assert (briefing.source_url, briefing.status, briefing.date_source) == (address, Briefing.Status.DRAFT, "title")
    assert briefing.remarks.filter(kind="qa").count() == 9


def test_the_server_does_not_fetch_its_own_network_for_an_editor(editor_client, pages, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = False
    response = editor_client.post(URL, {"step": "preview", "url": f"{pages}/{PAGE}"})
    assert "private, local or reserved address" in response.text
    assert not Briefing.objects.exists()


@pytest.mark.parametrize("address", ["file:///etc/passwd", "ftp://example.org/t1.shtml", "gopher://127.0.0.1:70/"])
def test_only_web_addresses_are_fetched(editor_client, address):
    response = editor_client.post(URL, {"step": "preview", "url": address})
    assert "Enter a web address (http or https)." in response.text


def test_a_page_that_is_not_there_is_a_clear_error(editor_client, pages, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = True
    response = editor_client.post(URL, {"step": "preview", "url": f"{pages}/en/missing.html"})
    assert f"Could not fetch {pages}/en/missing.html: HTTP 404" in response.text


def test_a_page_over_the_size_limit_is_refused(editor_client, pages, settings, monkeypatch):
    from statements import admin_import

    settings.IMPORT_FETCH_ALLOW_PRIVATE = True
    monkeypatch.setattr(admin_import, "MAX_UPLOAD_BYTES", 1024)
    response = editor_client.post(URL, {"step": "preview", "url": f"{pages}/{PAGE}"})
    assert "larger than" in response.text


def test_an_address_and_an_upload_at_once_are_refused(editor_client, pages, settings):
    settings.IMPORT_FETCH_ALLOW_PRIVATE = True
    upload = SimpleUploadedFile("page.html", (DATA / PAGE).read_bytes(), content_type="text/html")
    response = editor_client.post(URL, {"step": "preview", "url": f"{pages}/{PAGE}", "files": [upload]})
    assert "one way at a time" in response.text


# --- Source URLs from a manifest, or none --------------------------------------------------------------------


def manifest_url(path):
    import csv

    rows = csv.DictReader((DATA / "manifest.tsv").open(encoding="utf-8"), delimiter="\t")
    return next(row["source_url"] for row in rows if row["path"] == path)


def test_an_upload_with_its_manifest_takes_its_source_url_from_it(editor_client, geng):
    files = [
        SimpleUploadedFile(Path(PAGE).name, (DATA / PAGE).read_bytes(), content_type="text/html"),
        SimpleUploadedFile("manifest.tsv", (DATA / "manifest.tsv").read_bytes(), content_type="text/tab-separated-values"),
    ]
    preview = editor_client.post(URL, {"step": "preview", "files": files})
    assert manifest_url(PAGE) in preview.text
    review = review_data(preview)
    editor_client.post(URL, {k: review.data.getlist(k) for k in review.data})
    assert Briefing.objects.get().source_url == manifest_url(PAGE)


def test_an_upload_without_a_source_url_says_so(editor_client, geng):
    upload = SimpleUploadedFile(Path(PAGE).name, (DATA / PAGE).read_bytes(), content_type="text/html")
    preview = editor_client.post(URL, {"step": "preview", "files": [upload]})
    assert "will be saved without a source URL" in preview.text
    review = review_data(preview)
    saved = editor_client.post(URL, {k: review.data.getlist(k) for k in review.data}, follow=True)
    assert "saved without a source URL" in saved.text


def test_a_single_file_takes_its_source_url_from_the_manifest_above_it(mfa_spokespersons):
    out = io.StringIO()
    call_command("import_transcripts", str(DATA / PAGE), stdout=out)
    assert Briefing.objects.get().source_url == manifest_url(PAGE)
    assert "no source URL" not in out.getvalue()


def test_an_editor_date_is_recorded_as_the_editor_s(editor_client, geng):
    undated = SimpleUploadedFile("undated.html", (DATA / "en/undated-remarks-t1686638.html").read_bytes(), content_type="text/html")
    preview = editor_client.post(URL, {"step": "preview", "files": [undated], "date": "2019-08-07"})
    review = review_data(preview)
    editor_client.post(URL, {k: review.data.getlist(k) for k in review.data})
    assert Briefing.objects.get().date_source == "editor"
