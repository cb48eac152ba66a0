"""Small factories shared by the tests: a ministry, spokespersons, topics, entities, and
briefings with remarks built in one call."""

import datetime
import io
import itertools
import os
import pathlib
import shutil
import tempfile
import uuid

import pytest

from django.contrib.auth.models import Group, User
from django.core.management import call_command

from statements.models import (
    DATABASE,
    EVERY_MONTH,
    VERSION_ROW,
    Briefing,
    ContentVersion,
    Entity,
    Ministry,
    MonthVersion,
    Remark,
    Spokesperson,
    Topic,
)
from statements.budget import lift_database_limits, restore_priority
from statements.roles import setup_roles

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """One test client makes hundreds of requests from one address; tests of the limits
    (tests/test_budget.py) set them again. A slot such a test takes and never gives back
    leaves its thread at a lower CPU priority (statements/budget.py): put back afterwards."""
    settings.ANONYMOUS_RATE_LIMIT = settings.EXPORT_RATE_LIMIT = ""
    settings.EXPORTS_AT_ONCE = settings.EXPORTS_PER_CLIENT = 1000
    settings.SEARCHES_AT_ONCE = settings.SEARCHES_PER_CLIENT = 1000
    yield
    restore_priority()


@pytest.fixture(scope="session")
def engine_base(tmp_path_factory):
    """Memory rather than disk where the machine has it: every test starts the index afresh
    and each catch-up commits, and a commit's fsync costs 50 ms on disk, 10 in memory."""
    shared_memory = pathlib.Path("/dev/shm")
    if not (shared_memory.is_dir() and os.access(shared_memory, os.W_OK)):
        yield tmp_path_factory.getbasetemp()
        return
    base = pathlib.Path(tempfile.mkdtemp(prefix="statements-tests-", dir=shared_memory))
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(autouse=True)
def search_engine_directory(settings, engine_base):
    """The search engine on, as it runs by default (statements/search/engine.py): every page's
    counts come from it, and the tests that compare them with counting from scratch compare
    the two (a test database of more than SEARCH_ENGINE_SYNC_LIMIT remarks counts in the
    database). Tests of counting in the database set SEARCH_ENGINE_DIR to ""."""
    settings.SEARCH_ENGINE_DIR = str(engine_base / "search-engine")
    # A thread catching up would outlive its test and read the next one's database.
    settings.SEARCH_ENGINE_CATCH_UP_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def content_versions_as_migrated(request):
    """The version rows migrations 0017 and 0023 create (pages read them and never write
    them), with tokens of this test's own: counts another test cached, or an index another
    test built, are never read here. Afterwards the database limits of the test's last request,
    which stay on its connection for the next one (statements/budget.py), are lifted: the
    test's own teardown (a flush) must not run under them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        yield
        return
    transactional = (marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames
    request.getfixturevalue("transactional_db" if transactional else "db")
    ContentVersion.objects.update_or_create(pk=VERSION_ROW, defaults={"token": uuid.uuid4().hex})
    for row in (EVERY_MONTH, DATABASE):
        MonthVersion.objects.update_or_create(month=row, defaults={"token": uuid.uuid4().hex})
    yield
    lift_database_limits()


@pytest.fixture
def ministry(db):
    return Ministry.objects.create(
        name="Ministry of Foreign Affairs of the People's Republic of China",
        short_name="PRC MFA",
        slug="prc-mfa",
        country="China",
    )


@pytest.fixture
def other_ministry(db):
    return Ministry.objects.create(
        name="United States Department of State", short_name="US DoS", slug="us-dos", country="United States"
    )


@pytest.fixture
def wang(ministry):
    return Spokesperson.objects.create(
        ministry=ministry, name="Wang Wenbin", native_name="汪文斌", slug="wang-wenbin"
    )


@pytest.fixture
def hua(ministry):
    return Spokesperson.objects.create(
        ministry=ministry, name="Hua Chunying", native_name="华春莹", slug="hua-chunying"
    )


@pytest.fixture
def geng(ministry):
    return Spokesperson.objects.create(ministry=ministry, name="Geng Shuang", native_name="耿爽", slug="geng-shuang")


@pytest.fixture
def mfa_spokespersons(ministry, geng, hua):
    """The three hosts of the 2018 pages in ../shared/corpus/mfa and tests/data/mfa."""
    lu = Spokesperson.objects.create(ministry=ministry, name="Lu Kang", native_name="陆慷", slug="lu-kang")
    return [geng, lu, hua]


@pytest.fixture
def reference_data(db):
    """The countries, organisations, outlets and topics `make run` and deploys load: what
    tagging and the pairing of translations read."""
    call_command("load_reference_data", stdout=io.StringIO())


def staff_account(username, group):
    """A staff account in a role's group, as `create_editor` makes; browser tests log in with
    `user.raw_password`."""
    setup_roles()
    password = f"a long {username} passphrase"
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    user.raw_password = password
    return user


@pytest.fixture
def editor(db):
    return staff_account("editor", "Editors")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def publisher(db):
    """`create_editor --publisher`: also publishes, withdraws and merges."""
    return staff_account("publisher", "Publishers")


@pytest.fixture
def publisher_client(client, publisher):
    client.force_login(publisher)
    return client


@pytest.fixture
def topics(db):
    covid = Topic.objects.create(name="COVID-19 response", slug="covid-19-response")
    return {
        "covid": covid,
        "who": Topic.objects.create(name="WHO cooperation", slug="who-cooperation", parent=covid),
        "trade": Topic.objects.create(name="Trade", slug="trade", keywords="trade\n贸易"),
        "taiwan": Topic.objects.create(name="Taiwan", slug="taiwan"),
    }


@pytest.fixture
def entities(db):
    return {
        "us": Entity.objects.create(
            name="United States", slug="united-states", aliases="US\nU.S.\n美国"
        ),
        "who": Entity.objects.create(
            name="World Health Organization", slug="who", kind=Entity.Kind.ORGANISATION
        ),
    }


@pytest.fixture
def make_briefing(ministry):
    """make_briefing(remarks=[{...}, ...], **briefing_fields) -> Briefing (published by default)."""

    def make(remarks=(), **fields):
        n = next(_counter)
        fields.setdefault("ministry", ministry)
        fields.setdefault("date", datetime.date(2020, 12, 18))
        fields.setdefault("title", f"Regular Press Conference {n}")
        fields.setdefault("status", Briefing.Status.PUBLISHED)
        fields.setdefault("source_url", f"https://example.org/briefings/{n}.html")
        briefing = Briefing.objects.create(**fields)
        for position, spec in enumerate(remarks, start=1):
            spec = dict(spec)
            topics = spec.pop("topics", [])
            entities = spec.pop("entities", [])
            spec.setdefault("answer", f"Answer {n}.{position}")
            remark = Remark.objects.create(briefing=briefing, position=position, **spec)
            remark.topics.set(topics)
            remark.entities.set(entities)
        return briefing

    return make
