"""Reference data nobody listed and no public remark refers to (a topic made while tagging a
draft, a spokesperson not yet on the site) is not public: its name appears nowhere, and its slug
is answered exactly like a slug that does not exist, on every surface that takes one."""

import pytest

from statements.models import Entity, Outlet, Spokesperson, Topic


@pytest.fixture
def unlisted(db, ministry, make_briefing, topics, wang):
    make_briefing(spokesperson=wang, remarks=[{"answer": "Trade talks go on.", "topics": [topics["trade"]]}])
    # On a draft only: not public.
    secret_topic = Topic.objects.create(name="Secret Project Aurora", slug="secret-project-aurora")
    secret_person = Spokesperson.objects.create(ministry=ministry, name="Mao Ning", slug="mao-ning")
    secret_entity = Entity.objects.create(name="Atlantis Federation", slug="atlantis-federation")
    secret_outlet = Outlet.objects.create(name="Hidden Wire", slug="hidden-wire")
    make_briefing(
        status="draft", spokesperson=secret_person,
        remarks=[{"answer": "Not yet public.", "topics": [secret_topic], "entities": [secret_entity], "speaker": secret_person}],
    )
    return {
        "topic": ("secret-project-aurora", "Secret Project Aurora"),
        "spokesperson": ("mao-ning", "Mao Ning"),
        "mentions": ("atlantis-federation", "Atlantis Federation"),
        "asked_by": ("hidden-wire", "Hidden Wire"),
    }


SURFACES = [
    "/remarks/?{p}={slug}", "/remarks/feed/?{p}={slug}", "/alerts/new/?{p}={slug}", "/api/remarks/?{p}={slug}",
    "/remarks/export.csv?{p}={slug}", "/remarks/export.json?{p}={slug}", "/compare/?q=trade&q=talks&{p}={slug}",
    "/briefings/?{p}={slug}",
]


@pytest.mark.parametrize("parameter", ["topic", "spokesperson", "mentions", "asked_by"])
@pytest.mark.parametrize("surface", SURFACES)
def test_an_unlisted_slug_is_answered_like_an_unknown_one(client, unlisted, parameter, surface):
    slug, name = unlisted[parameter]
    real = client.get(surface.format(p=parameter, slug=slug))
    made_up = client.get(surface.format(p=parameter, slug="no-such-slug"))
    assert real.status_code == made_up.status_code, (surface, parameter)
    body = b"".join(real.streaming_content) if real.streaming else real.content
    assert name.encode() not in body, (surface, parameter)
