"""Publishing at scale (issue 28): every draft of a selection in one transaction, one UPDATE and
one history row each in bulk, by the admin's action or `manage.py publish`."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from statements import editorial
from statements.models import Briefing, Remark

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafts(make_briefing, wang):
    return [
        make_briefing(spokesperson=wang, date=datetime.date(2020, 6, day), status=Briefing.Status.DRAFT,
                      remarks=[{"question": f"Q{day}?", "answer": f"Answer of June {day}."}])
        for day in (1, 2, 3)
    ]


def test_publishing_many_is_one_bulk_change_with_its_history_and_first_publication_kept(drafts, publisher, client):
    earlier = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    Briefing.objects.filter(pk=drafts[0].pk).update(published_at=earlier)  # published once, then unpublished
    assert editorial.publish(publisher, Briefing.objects.all()) == 3
    for briefing in Briefing.objects.all():
        assert briefing.status == Briefing.Status.PUBLISHED and briefing.published_at is not None
        latest = briefing.history.latest()
        assert (latest.history_change_reason, latest.history_user, latest.status) == ("Published", publisher, "published")
    assert Briefing.objects.get(pk=drafts[0].pk).published_at == earlier
    assert Remark.objects.published().count() == 3
    assert "3 remarks" in client.get("/remarks/?q=june").content.decode()  # readers see them
    assert editorial.publish(publisher, Briefing.objects.all()) == 0  # nothing left to publish


def test_an_editor_may_not_publish_many_either(drafts, editor):
    with pytest.raises(editorial.PermissionDenied):
        editorial.publish(editor, Briefing.objects.all())
    assert not Briefing.objects.published().exists()


def publish(*args):
    out = io.StringIO()
    call_command("publish", *args, stdout=out)
    return out.getvalue()


def test_the_command_publishes_a_date_range_and_says_what_a_dry_run_would(drafts):
    said = publish("--since", "2020-06-02", "--dry-run")
    assert "Would publish 2 briefings (2 remarks), 2020-06-02 to 2020-06-03" in said
    assert not Briefing.objects.published().exists()
    said = publish("--since", "2020-06-02", "--until", "2020-06-02")
    assert "Published 1 briefing (1 remark), 2020-06-02 to 2020-06-02" in said
    assert list(Briefing.objects.published()) == [drafts[1]]


def test_the_command_publishes_by_id_or_by_source_and_refuses_to_guess(drafts, make_briefing):
    from statements.models import Source, SourcePage

    publish("--ids", f"{drafts[0].pk},{drafts[2].pk}")
    assert set(Briefing.objects.published()) == {drafts[0], drafts[2]}
    source = Source.objects.create(name="Mirror", slug="mirror", listing_url="https://example.org/", language="en")
    SourcePage.objects.create(source=source, url="https://example.org/t1.shtml", briefing=drafts[1])
    publish("--source", "mirror")
    assert Briefing.objects.published().count() == 3
    with pytest.raises(CommandError, match="Say which"):
        publish()
    with pytest.raises(CommandError, match="No source"):
        publish("--source", "nowhere")
