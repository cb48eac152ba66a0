"""Markup and script in anything an editor or a URL can fill appear as text, on every page."""

import pytest

from statements.models import Briefing, Entity, Ministry, Remark, Spokesperson, Topic

PAYLOAD = """<script>alert("xss")</script><img src=x onerror=alert(1)>"'><svg onload=alert(2)>"""
# What must never reach a page unescaped: each is harmless only as text.
RAW = ["<script>alert", "<img src=x", "<svg onload", "\"'><"]


@pytest.fixture
def hostile(db):
    # short_name holds 60 characters: the payload's first two parts.
    ministry = Ministry.objects.create(name=f"Ministry {PAYLOAD}", short_name=PAYLOAD[:58], slug="hostile-ministry", country=PAYLOAD)
    speaker = Spokesperson.objects.create(ministry=ministry, name=f"Speaker {PAYLOAD}", native_name=PAYLOAD, slug="hostile-speaker")
    topic = Topic.objects.create(name=f"Topic {PAYLOAD}", slug="hostile-topic", description=PAYLOAD, keywords=PAYLOAD)
    entity = Entity.objects.create(name=f"Entity {PAYLOAD}", slug="hostile-entity", aliases=PAYLOAD)
    briefing = Briefing.objects.create(
        ministry=ministry, date="2021-01-04", title=f"Title {PAYLOAD}", spokesperson=speaker,
        source_name=f"Source {PAYLOAD}", source_url="javascript:alert(3)", status=Briefing.Status.PUBLISHED,
    )
    other = Briefing.objects.create(
        ministry=ministry, date="2021-01-04", title=f"标题 {PAYLOAD}", spokesperson=speaker, language="zh",
        source_url="https://example.org/zh", status=Briefing.Status.PUBLISHED, translation=briefing,
    )
    remark = Remark.objects.create(
        briefing=briefing, position=1, question=f"Question {PAYLOAD} alert", outlet=f"Outlet {PAYLOAD}",
        answer=f"Answer {PAYLOAD} alert", speaker=speaker,
    )
    remark.topics.add(topic)
    remark.entities.add(entity)
    translated = Remark.objects.create(briefing=other, position=1, answer=f"答 {PAYLOAD}", speaker=speaker)
    remark.translation = translated
    remark.save()
    withdrawn = Remark.objects.create(briefing=briefing, position=2, answer="gone", speaker=speaker)
    withdrawn.withdraw(f"Note {PAYLOAD}")
    return {"remark": remark, "briefing": briefing, "withdrawn": withdrawn}


def public_pages(hostile):
    remark, briefing = hostile["remark"], hostile["briefing"]
    query = "alert%20%3Cscript%3Ealert(1)%3C/script%3E"
    return [
        "/", "/remarks/", f"/remarks/?q={query}", "/remarks/?topic=hostile-topic", f"/remarks/{remark.pk}/",
        f"/remarks/{remark.pk}/?passage={query}", f"/remarks/{remark.pk}/?passage=%3Cscript%3Ealert",
        f"/remarks/{hostile['withdrawn'].pk}/",
        f"/briefings/{briefing.pk}/", "/briefings/", "/topics/", "/topics/hostile-topic/", "/topics/hostile-topic/positions/",
        "/spokespersons/", "/spokespersons/hostile-speaker/", "/entities/", "/entities/hostile-entity/",
        f"/compare/?term={query}&term=answer", f"/remarks/?date_from={query}", f"/remarks/?topic={query}",
        f"/compare/?term=a&term=b&term=c&term={query}", "/remarks/feed/", "/topics/hostile-topic/feed/",
        f"/remarks/feed/?q={query}", "/sitemap-topics.xml", "/api/remarks/", f"/api/remarks/?q={query}",
        f"/api/remarks/?year={query}", "/api/topics/?format=api", "/api/remarks/?format=api",
    ]


def test_hostile_text_appears_as_text_on_every_public_page(client, hostile):
    for path in public_pages(hostile):
        response = client.get(path)
        assert response.status_code in (200, 400, 410), path
        if response["Content-Type"].startswith("application/json"):
            continue  # data, not a page: JSON carries the text as it is, and no browser runs it
        text = response.content.decode()
        for raw in RAW:
            assert raw not in text, f"{raw!r} unescaped on {path}"
        assert 'href="javascript:' not in text.lower(), path


def test_hostile_text_is_escaped_in_the_admin(editor_client, hostile):
    remark, briefing = hostile["remark"], hostile["briefing"]
    for path in [
        "/admin/statements/briefing/", f"/admin/statements/briefing/{briefing.pk}/change/",
        "/admin/statements/remark/", f"/admin/statements/remark/{remark.pk}/change/",
        f"/admin/statements/remark/{remark.pk}/history/", "/admin/statements/topic/", "/admin/statements/entity/",
        "/admin/statements/spokesperson/",
    ]:
        response = editor_client.get(path)
        assert response.status_code == 200, path
        for raw in RAW:
            assert raw not in response.content.decode(), f"{raw!r} unescaped on {path}"


def test_the_payload_is_shown_as_readable_text(client, hostile):
    text = client.get(hostile["remark"].get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in text
