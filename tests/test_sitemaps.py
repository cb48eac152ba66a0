"""Sitemaps list published content only; robots.txt points to them."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements.models import Briefing

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response):
    assert response.status_code == 200
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


@pytest.fixture
def content(make_briefing, wang, topics, entities):
    public = make_briefing(spokesperson=wang, remarks=[{"answer": "Public."}, {"answer": "Also public."}])
    draft = make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "Draft."}])
    return public, draft


def test_index_lists_every_section(client, content):
    sections = locations(client.get("/sitemap.xml"))
    assert sections == [
        f"http://testserver/sitemap-{name}.xml"
        for name in ("pages", "remarks", "briefings", "topics", "spokespersons", "entities")
    ]


def test_remarks_and_briefings_sitemaps_hold_published_content_only(client, content):
    public, draft = content
    assert locations(client.get("/sitemap-remarks.xml")) == [
        f"http://testserver/remarks/{remark.pk}/" for remark in public.remarks.order_by("pk")
    ]
    assert locations(client.get("/sitemap-briefings.xml")) == [f"http://testserver/briefings/{public.pk}/"]


def test_every_listed_page_answers(client, content):
    for section in ("pages", "remarks", "briefings", "topics", "spokespersons", "entities"):
        for url in locations(client.get(f"/sitemap-{section}.xml")):
            assert client.get(url.removeprefix("http://testserver")).status_code == 200, url


def test_the_index_aggregates_instead_of_loading_every_remark(client, content):
    # Django's default reads every item to find the latest change: a million rows at scale.
    with CaptureQueriesContext(connection) as queries:
        client.get("/sitemap.xml")
    for query in queries:
        if 'FROM "statements_remark"' in query["sql"]:
            assert "MAX(" in query["sql"] or "COUNT(" in query["sql"], query["sql"]


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert "Disallow: /admin/" in lines
    assert "Disallow: /alerts/" in lines  # one person's confirmation and management pages
    assert "Sitemap: http://testserver/sitemap.xml" in lines
