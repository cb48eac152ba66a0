"""Whole public pages kept under the content version (statements/pagecache.py): asked again,
a page costs one query; any public change, a new day or another host gives a new page."""

import datetime

import pytest

from statements.models import Briefing

from test_pages import BUDGET_QUERIES, corpus  # noqa: F401 (a fixture)


@pytest.fixture
def permalink(corpus):  # noqa: F811
    remark = corpus["english"].remarks.get(position=2)
    return remark, f"/remarks/{remark.pk}/"


def test_a_page_asked_again_is_the_kept_page(client, permalink, django_assert_num_queries):
    _, url = permalink
    first = client.get(url)
    with django_assert_num_queries(1 + BUDGET_QUERIES):  # the content version
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_a_correction_is_read_at_once(client, permalink):
    remark, url = permalink
    assert "strengthen cooperation" in client.get(url).text
    remark.answer = "China will keep working with the WHO."
    remark.save()
    text = client.get(url).text
    assert "China will keep working with the WHO." in text and "strengthen cooperation" not in text
    assert "China will keep <mark>" in client.get("/remarks/?q=working").text


def test_a_withdrawal_is_read_at_once(client, permalink):
    remark, url = permalink
    assert client.get(url).status_code == 200
    remark.withdraw("A duplicate.")
    assert client.get(url).status_code == 410
    assert client.get(url).status_code == 410  # answers other than 200 are never kept


def test_work_on_drafts_keeps_the_kept_pages(client, permalink, make_briefing, django_assert_num_queries):
    _, url = permalink
    client.get(url)
    make_briefing(status=Briefing.Status.DRAFT, remarks=[{"answer": "Not yet public."}])
    with django_assert_num_queries(1 + BUDGET_QUERIES):
        client.get(url)


def test_the_access_date_of_a_citation_is_the_day_it_is_read(client, permalink, monkeypatch):
    _, url = permalink
    for day in (3, 4):
        monkeypatch.setattr("statements.citations.today", lambda: datetime.date(2031, 7, day))
        assert f"Accessed July {day}, 2031" in client.get(url).text


def test_each_host_gets_its_own_links(client, permalink, settings):
    _, url = permalink
    settings.ALLOWED_HOSTS = ["testserver", "statements.example"]
    assert "http://testserver/remarks/" in client.get(url).text
    other = client.get(url, HTTP_HOST="statements.example").text
    assert "http://statements.example/remarks/" in other and "http://testserver/" not in other


def test_every_parameter_is_part_of_the_page(client, corpus):  # noqa: F811
    assert "China firmly <mark>" in client.get("/remarks/?q=opposes").text
    assert "China firmly" not in client.get("/remarks/?q=opposes&lang=zh").text


def test_nothing_is_kept_when_switched_off(client, permalink, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    _, url = permalink
    client.get(url)
    with django_assert_num_queries(4 + BUDGET_QUERIES):
        client.get(url)
