"""Unpublished briefings and their remarks are invisible on every public page."""

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
        "/topics/", "/topics/taiwan/", "/spokespersons/", "/spokespersons/wang-wenbin/",
        "/entities/", "/entities/who/",
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
    assert "0 published remarks" in client.get("/topics/taiwan/").text
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
