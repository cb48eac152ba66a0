"""Unpublished briefings and their remarks are invisible on every public page."""

import datetime
import re

import pytest

from statements.models import Briefing

MARKER = "DRAFTMARKER-7f3a"


@pytest.fixture
def draft(make_briefing, wang, topics, entities):
    make_briefing(spokesperson=wang, remarks=[{"answer": "Public words.", "topics": [topics["trade"]]}])
    return make_briefing(
        spokesperson=wang,
        status=Briefing.Status.DRAFT,
        title=f"Draft briefing {MARKER}",
        remarks=[{"question": f"Q {MARKER}", "answer": f"Secret {MARKER}", "topics": [topics["taiwan"]], "entities": [entities["who"]]}],
    )


def test_draft_remark_is_404(client, draft):
    assert client.get(f"/remarks/{draft.remarks.get().pk}/").status_code == 404


def test_draft_briefing_is_404(client, draft):
    assert client.get(f"/briefings/{draft.pk}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/", "/remarks/", "/remarks/?topic=taiwan", "/briefings/",
        "/topics/", "/spokespersons/", "/spokespersons/wang-wenbin/", "/entities/",
    ],
)
def test_draft_is_absent_from_lists_and_counts(client, draft, path):
    response = client.get(path)
    assert response.status_code == 200
    assert MARKER not in response.text


def test_searching_for_draft_text_finds_nothing(client, draft):
    response = client.get(f"/remarks/?q={MARKER}")
    assert "0 remarks" in response.text
    assert f"Secret {MARKER}" not in response.text


def test_draft_does_not_count_anywhere(client, draft):
    assert "1 remark" in client.get("/remarks/").text
    assert "1 briefing" in client.get("/briefings/").text
    assert "1 published remark" in client.get("/spokespersons/wang-wenbin/").text


def test_unpublishing_hides_a_briefing_again(client, draft):
    Briefing.objects.filter(pk=draft.pk).update(status=Briefing.Status.PUBLISHED)
    assert client.get(f"/briefings/{draft.pk}/").status_code == 200
    Briefing.objects.filter(pk=draft.pk).update(status=Briefing.Status.DRAFT)
    assert client.get(f"/briefings/{draft.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/topics/", "/topics/taiwan/", "/entities/who/", "/remarks/?topic=taiwan"])
def test_cached_counts_follow_publishing_and_unpublishing(client, draft, path):
    client.get(path)
    before = client.get(path).text  # served from the counts cache
    draft.publish()
    draft.save()
    assert client.get(path).text != before  # the draft's remark now counts
    Briefing.objects.filter(pk=draft.pk).update(status=Briefing.Status.DRAFT)  # the admin's unpublish
    assert client.get(path).text == before


# --- One walk over every public surface ------------------------------------------------------

SURFACES = [
    # Pages, facet counts, search, histogram and the subject timelines
    "/", "/remarks/", "/remarks/?topic=taiwan", "/remarks/?mentions=who&lang=zh",
    "/remarks/?q=secret", "/remarks/?sort=oldest", "/briefings/",
    "/topics/", "/topics/trade/positions/",
    "/spokespersons/", "/spokespersons/wang-wenbin/", "/entities/", "/entities/who/",
    "/compare/?term=secret&term=public", "/data/",
    # Exports
    "/remarks/export.csv", "/remarks/export.json", "/remarks/export.jsonl", "/remarks/export.csv?q=secret",
    # API
    "/api/remarks/", "/api/remarks/?topic=taiwan", "/api/remarks/?q=secret", "/api/briefings/",
    "/api/topics/", "/api/spokespersons/", "/api/entities/", "/api/schema/",
    # Feeds
    "/remarks/feed/", "/remarks/feed/?q=secret", "/spokespersons/wang-wenbin/feed/",
    "/entities/who/feed/",
    # Sitemaps and robots
    "/sitemap.xml", "/sitemap-remarks.xml", "/sitemap-briefings.xml", "/sitemap-pages.xml", "/robots.txt",
]


@pytest.fixture
def leaky_draft(make_briefing, wang, topics, entities):
    """A published remark whose translation and neighbour are in a draft dated 1987, which
    carries the marker in every field a surface could show."""
    public = make_briefing(
        spokesperson=wang,
        remarks=[{"answer": "Public words.", "topics": [topics["trade"]], "entities": [entities["who"]]}],
    )
    draft = make_briefing(
        spokesperson=wang,
        status=Briefing.Status.DRAFT,
        date=datetime.date(1987, 7, 15),
        title=f"Draft briefing {MARKER}",
        source_name=f"Source {MARKER}",
        source_url=f"https://example.org/{MARKER}.html",
        language=Briefing.Language.CHINESE,
        remarks=[{
            "question": f"Q {MARKER}", "outlet": f"Outlet {MARKER}", "answer": f"Secret {MARKER}",
            "topics": [topics["taiwan"]], "entities": [entities["who"]],
        }],
    )
    public.translation = draft
    public.save()
    remark = public.remarks.get()
    remark.translation = draft.remarks.get()
    remark.save()
    return public, draft


def test_a_draft_leaks_through_no_public_surface(client, leaky_draft):
    public, _ = leaky_draft
    surfaces = SURFACES + [f"/remarks/{public.remarks.get().pk}/", f"/briefings/{public.pk}/"]
    surfaces += [f"/remarks/{public.remarks.get().pk}/cite.{extension}" for extension in ("bib", "ris", "json")]
    surfaces += [f"/api/remarks/{public.remarks.get().pk}/", f"/api/briefings/{public.pk}/"]
    # Taiwan is a topic only the draft uses: its pages are not public at all.
    for path in ("/topics/taiwan/", "/topics/taiwan/positions/", "/topics/taiwan/feed/"):
        assert client.get(path).status_code == 404, path
    for path in surfaces:
        response = client.get(path)
        # Naming the draft's topic is answered as naming a topic that does not exist: a page
        # leaves it out with a notice, a feed, an export or the API refuses it (test_unlisted.py).
        expected = client.get(path.replace("taiwan", "no-such-topic")).status_code if "taiwan" in path else 200
        assert response.status_code == expected, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert MARKER not in text, path
        # As a number of its own: a timestamp's microseconds may hold the digits (…:47.331987).
        assert not re.search(r"(?<!\d)1987(?!\d)", text), f"{path} counts the draft's year"


def test_searching_or_filtering_for_a_draft_finds_nothing_on_any_surface(client, leaky_draft):
    # These surfaces repeat the query itself, so they are checked by what they find.
    assert client.get(f"/remarks/?q={MARKER}").context["page"].paginator.count == 0
    assert client.get("/remarks/?year=1987").context["page"].paginator.count == 0
    assert b"".join(client.get(f"/remarks/export.csv?q={MARKER}").streaming_content).count(b"\r\n") == 1
    assert client.get(f"/api/remarks/?q={MARKER}").json()["results"] == []
    assert client.get("/api/briefings/?year=1987").json()["results"] == []
    assert "<entry>" not in client.get(f"/remarks/feed/?q={MARKER}").text
    (series,) = client.get(f"/compare/?term={MARKER}").context["series"]
    assert series.total == 0


# --- Cached counts change exactly when public content does ----------------------------------


def test_work_on_drafts_keeps_cached_counts_and_public_changes_drop_them(make_briefing, wang, topics):
    from statements.models import content_version

    published = make_briefing(spokesperson=wang, remarks=[{"answer": "Public."}])
    draft = make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "Draft."}])
    remark = draft.remarks.get()

    def changes(action):
        before = content_version()
        action()
        return content_version() != before

    # Editing, tagging, adding to and deleting from a draft: nothing public changed.
    assert not changes(lambda: setattr(remark, "answer", "Draft, corrected.") or remark.save())
    assert not changes(lambda: remark.topics.add(topics["trade"]))
    assert not changes(lambda: topics["taiwan"].remarks.add(remark))
    assert not changes(lambda: draft.save())
    assert not changes(lambda: Briefing.objects.filter(pk=draft.pk).update(title="Draft, renamed"))
    extra = draft.remarks.create(position=2, answer="Another draft remark.")
    assert not changes(extra.delete)
    # Anything the public sees: each one changes the version.
    public_remark = published.remarks.get()
    assert changes(lambda: setattr(public_remark, "answer", "Public, corrected.") or public_remark.save())
    assert changes(lambda: public_remark.topics.add(topics["trade"]))
    assert changes(lambda: topics["taiwan"].remarks.add(public_remark))
    assert changes(lambda: Briefing.objects.filter(pk=published.pk).update(title="Renamed"))
    assert changes(lambda: topics["trade"].save())
    assert changes(lambda: (draft.publish(), draft.save()))
    assert changes(lambda: Briefing.objects.filter(pk=draft.pk).update(status=Briefing.Status.DRAFT))
    empty = make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT)
    assert changes(lambda: Briefing.objects.filter(pk=empty.pk).update(status=Briefing.Status.PUBLISHED))
    assert changes(lambda: Briefing.objects.filter(pk=empty.pk).update(status=Briefing.Status.DRAFT))
    assert changes(public_remark.delete)


@pytest.mark.parametrize("path", ["/topics/taiwan/", "/entities/who/", "/topics/taiwan/feed/", "/api/topics/taiwan/"])
def test_what_only_a_draft_uses_is_not_public(client, draft, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/topics/", "/entities/", "/sitemap-topics.xml", "/sitemap-entities.xml", "/api/topics/", "/api/entities/"])
def test_what_only_a_draft_uses_is_in_no_list(client, draft, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "taiwan" not in response.text.lower() and "world health organization" not in response.text.lower()
    assert "trade" in response.text.lower() or "entities" in path  # what a public remark uses is there


def test_it_is_public_once_published_or_listed(client, draft, topics, entities):
    topics["taiwan"].listed = True
    topics["taiwan"].save()
    assert "0 published remarks" in client.get("/topics/taiwan/").text
    assert client.get("/entities/who/").status_code == 404
    draft.publish()
    draft.save()
    assert client.get("/entities/who/").status_code == 200
