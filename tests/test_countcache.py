"""Counts cached month by month (statements/countcache.py): a public change recounts only the
months it touched, and what is served stays equal to counting from scratch through any
sequence of editorial changes."""

import datetime
import io
import random

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.http import QueryDict
from django.test import override_settings

from statements import catalogue, slugs
from statements.catalogue import (
    BRIEFING_FACETS,
    ENTITY_COUNTS,
    REMARK_FACETS,
    SPEAKER_COUNTS,
    TOPIC_COUNTS,
    remark_counts,
)
from statements.facets import RelatedFacet, combine, counts_by_month
from statements.filters import RemarkFilter
from statements.models import Briefing, Entity, Remark, bump_content_version, content_version
from statements.signals import COUNTED_FIELDS

WORDS = ["trade", "tariffs", "cooperation", "vaccine", "friendship", "sovereignty", "dialogue"]

STATES = [
    "",
    "q=tariffs",
    "q=cooperation -vaccine",
    "topic=trade",
    "topic=trade&topic=taiwan&lang=zh",
    "spokesperson=hua-chunying&q=dialogue",
    "year=2019&mentions=who",
    "date_from=2019-06-01&date_to=2020-03-31",
    'q="trade tariffs" OR dialog*&scope=answers',
    "version=original&kind=qa&q=-vaccine friendship",
]


def filterset_of(params):
    # As a page reads its state: a topic or speaker no public remark refers to any more (the
    # random changes unpublish) is left out, as an unknown one is (statements/slugs.py).
    filterset = RemarkFilter(slugs.resolve(QueryDict(params)).params, queryset=Remark.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset


def served(params):
    """The counts the page is given: through the cache, month by month."""
    filterset = filterset_of(params)
    return normalised(remark_counts(filterset, content_version()))


def from_scratch(params):
    return normalised(combine(counts_by_month(filterset_of(params), REMARK_FACETS), REMARK_FACETS))  # uncached


def normalised(counts):
    return {
        "total": counts["total"],
        "months": counts["months"],
        "facets": {param: sorted(rows) for param, rows in counts["facets"].items()},
    }


def sentence(rng):
    return " ".join(rng.sample(WORDS, rng.randint(2, 4))) + "."


@pytest.fixture
def corpus(make_briefing, wang, hua, topics, entities):
    rng = random.Random(11)
    topic_list, entity_list = list(topics.values()), list(entities.values())
    for _ in range(14):
        make_briefing(
            spokesperson=rng.choice([wang, hua]),
            date=datetime.date(rng.choice([2019, 2020]), rng.randint(1, 12), rng.randint(1, 28)),
            language=rng.choice(["en", "zh"]),
            status=rng.choice([Briefing.Status.PUBLISHED] * 3 + [Briefing.Status.DRAFT]),
            remarks=[
                {
                    "question": sentence(rng),
                    "answer": sentence(rng),
                    "kind": rng.choice(["qa", "qa", "announcement"]),
                    "topics": rng.sample(topic_list, rng.randint(0, 2)),
                    "entities": rng.sample(entity_list, rng.randint(0, 2)),
                }
                for _ in range(rng.randint(1, 4))
            ],
        )
    return rng


@pytest.fixture
def recounted(monkeypatch, settings):
    """The `months` argument of every count the page asks for (None: every month), counted in
    the database: the search engine off."""
    settings.SEARCH_ENGINE_DIR = ""
    calls = []

    def spy(filterset, specs, months=None):
        calls.append(None if months is None else set(months))
        return counts_by_month(filterset, specs, months)

    # /remarks/ and /briefings/ count through the catalogue.
    monkeypatch.setattr(catalogue, "counts_by_month", spy)
    return calls


def test_counting_some_months_gives_those_months_of_counting_all(corpus):
    for params in STATES:
        filterset = filterset_of(params)
        everything = counts_by_month(filterset, REMARK_FACETS)
        for month in [201903, 202011, 201707]:
            assert counts_by_month(filterset, REMARK_FACETS, {month}) == (
                {month: everything[month]} if month in everything else {}
            ), (params, month)


def month_of(briefing):
    return briefing.date.year * 100 + briefing.date.month


def test_a_public_change_recounts_only_the_months_it_touched(corpus, recounted, topics):
    for params in STATES:
        served(params)
    assert recounted == [None] * len(STATES)  # first time: everything

    def after(change):
        recounted.clear()
        change()
        results = {params: served(params) for params in STATES}
        assert results == {params: from_scratch(params) for params in STATES}
        return recounted

    draft = Briefing.objects.filter(status=Briefing.Status.DRAFT, remarks__isnull=False).first()
    draft.publish()
    assert after(draft.save) == [{month_of(draft)}] * len(STATES)

    public = Briefing.objects.published().exclude(pk=draft.pk).filter(date__year=2019).first()
    old_month = month_of(public)
    public.date = datetime.date(2021, 7, 4)
    assert after(public.save) == [{old_month, 202107}] * len(STATES)

    remark = Remark.objects.published().filter(year_month=202107).first()
    remark.answer = "Tariffs and dialogue, again."
    assert after(remark.save) == [{202107}] * len(STATES)
    assert after(lambda: remark.topics.add(topics["who"])) == [{202107}] * len(STATES)
    assert after(lambda: remark.withdraw("Duplicate.")) == [{202107}] * len(STATES)

    # Work on a draft moves nothing: the cached sums are still valid, nothing is recounted.
    other_draft = Briefing.objects.filter(status=Briefing.Status.DRAFT).first()
    other_draft.title = "Corrected"
    assert after(other_draft.save) == []
    # A published briefing's own columns: /briefings/ counts it in its month, so that month
    # is recounted (its remarks' figures come out the same).
    version = content_version()
    assert after(lambda: Briefing.objects.filter(pk=public.pk).update(title="Renamed")) == [{202107}] * len(STATES)
    assert content_version() != version
    # New reference data is in no count yet; fields no count reads move none: nothing recounted.
    assert after(lambda: Entity.objects.create(name="ASEAN", slug="asean")) == []
    topics["trade"].description = "Tariffs, quotas and trade talks."
    assert after(topics["trade"].save) == []
    # The name a facet shows is kept with the counts in every month: everything is counted again.
    topics["trade"].name = "Trade and tariffs"
    assert after(topics["trade"].save) == [None] * len(STATES)


def test_counted_fields_cover_every_facet_label():
    """A rename must recount: the fields the signals watch include every label a facet keeps."""
    specs = [*REMARK_FACETS, *BRIEFING_FACETS, TOPIC_COUNTS, ENTITY_COUNTS, SPEAKER_COUNTS]
    for spec in specs:
        if isinstance(spec, RelatedFacet):
            for model in (Remark, Briefing):
                try:
                    target = model._meta.get_field(spec.path).related_model
                except FieldDoesNotExist:
                    continue
                assert {"slug", spec.label_field} <= COUNTED_FIELDS[target], (spec.param, model)


# Every page whose figures are kept month by month, as a visitor gets it.
PAGES = [
    "/",
    "/topics/",
    "/topics/trade/",
    "/topics/trade/positions/",
    "/entities/who/",
    "/spokespersons/hua-chunying/",
    "/spokespersons/",
    "/compare/?term=tariffs&term=dialogue",
    "/remarks/?q=cooperation&sort=newest&page=2",
    "/remarks/?topic=trade&sort=oldest",
    "/briefings/",
    "/briefings/?q=tariffs&lang=en",
    "/briefings/?q=dialogue&scope=questions&spokesperson=hua-chunying",
    "/briefings/?q=tariffs+OR+dialogue&kind=interview&year=2020",
    "/briefings/?q=trade+OR+dialogue+OR+tariffs&spokesperson=wang-wenbin&lang=zh",
]


def page(client, path):
    """Status and body: a topic page is a 404 once no public remark uses the topic (and it is not
    listed), and must be one with or without the cache."""
    response = client.get(path)
    assert response.status_code in (200, 404), path
    return f"{response.status_code}\n{response.content.decode()}"


FROM_SCRATCH = {"CACHES": {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}, "SEARCH_ENGINE_DIR": ""}


def page_from_scratch(client, path):
    """The page with nothing cached and the search engine off: every figure counted now, in
    the database."""
    with override_settings(**FROM_SCRATCH):
        return page(client, path)


@pytest.mark.parametrize("counting", ["engine", "database"])
def test_cached_counts_equal_counting_from_scratch_through_random_changes(
    client, corpus, make_briefing, topics, entities, wang, hua, settings, counting
):
    """Served by the search engine (which keeps itself in step) or by the database's cache kept
    month by month, the counts stay those of counting from scratch."""
    if counting == "database":
        settings.SEARCH_ENGINE_DIR = ""
    rng = corpus
    topic_list, entity_list = list(topics.values()), list(entities.values())

    # Every choice comes from the seeded generator, so a failure replays the same way.
    def some(queryset, n=1):
        rows = list(queryset.order_by("pk").distinct())
        return rng.sample(rows, min(n, len(rows)))

    def a_remark(**filters):
        return next(iter(some(Remark.objects.filter(**filters))), None)

    def a_briefing():
        return some(Briefing.objects.all())[0]

    def edit_text():
        remark = a_remark()
        remark.answer = sentence(rng)
        remark.save()

    def tag():
        a_remark().topics.add(rng.choice(topic_list))

    def untag():
        remark = a_remark(entities__isnull=False)
        if remark:
            remark.entities.remove(*remark.entities.all()[:1])

    def tag_from_the_topic_side():
        rng.choice(topic_list).remarks.add(*some(Remark.objects.all(), 3))

    def clear_a_topic():
        rng.choice(topic_list).remarks.clear()

    def toggle_publication():
        briefing = a_briefing()
        if briefing.is_published:
            briefing.status = Briefing.Status.DRAFT
        else:
            briefing.publish()
        briefing.save()

    def unpublish_in_bulk():
        Briefing.objects.filter(pk__in=[b.pk for b in some(Briefing.objects.published(), 2)]).update(
            status=Briefing.Status.DRAFT
        )

    def move_a_briefing():
        briefing = a_briefing()
        briefing.date = datetime.date(rng.choice([2018, 2019, 2020, 2021]), rng.randint(1, 12), 1)
        briefing.save()

    def change_host_or_kind():
        # The briefing's own values, which /briefings/ counts and its remarks do not copy.
        briefing = a_briefing()
        briefing.spokesperson = rng.choice([wang, hua, None])
        briefing.kind = rng.choice([Briefing.Kind.PRESS_CONFERENCE, Briefing.Kind.INTERVIEW])
        briefing.save()

    def delete_a_remark():
        # A remark others were merged into is protected (their permalinks redirect to it).
        remark = a_remark(merged_remarks__isnull=True)
        if remark:
            remark.delete()

    def withdraw_or_restore():
        remark = a_remark()
        remark.restore() if remark.withdrawn_at else remark.withdraw("Checked.")

    def merge():
        one, other = a_remark(is_public=True), a_remark(is_public=True)
        if one and other and one.pk != other.pk:
            one.merge_into(other)

    def new_briefing():
        make_briefing(spokesperson=wang, date=datetime.date(2021, rng.randint(1, 12), 2), remarks=[
            {"answer": sentence(rng), "topics": rng.sample(topic_list, 1), "entities": rng.sample(entity_list, 1)}
        ])

    def rename_an_entity():
        entity = rng.choice(entity_list)
        entity.name = f"{entity.name}."
        entity.save()

    def add_an_entity():
        entity_list.append(Entity.objects.create(name=f"Entity {len(entity_list)}", slug=f"entity-{len(entity_list)}"))

    def edit_aliases():
        entity = rng.choice(entity_list)
        entity.aliases = f"{entity.aliases} x".strip()
        entity.save()

    changes = [
        edit_text, tag, untag, tag_from_the_topic_side, clear_a_topic, toggle_publication,
        unpublish_in_bulk, move_a_briefing, change_host_or_kind, delete_a_remark, withdraw_or_restore, merge,
        new_briefing, rename_an_entity, add_an_entity, edit_aliases,
    ]
    for params in STATES:
        served(params)
    for path in PAGES:
        assert page(client, path).startswith("200"), path
    # Each kind of change three times, in an order drawn from the seed.
    sequence = changes * 3
    rng.shuffle(sequence)
    for step, change in enumerate(sequence):
        change()
        for params in STATES:
            assert served(params) == from_scratch(params), (step, change.__name__, params)
        for path in PAGES:
            assert page(client, path) == page_from_scratch(client, path), (step, change.__name__, path)


def test_the_page_shows_the_recounted_figures(client, corpus):
    before = client.get("/remarks/?q=tariffs").context["page"].paginator.count
    briefing = Briefing.objects.published().first()
    Remark.objects.create(briefing=briefing, position=99, answer="Tariffs are no answer.")
    assert client.get("/remarks/?q=tariffs").context["page"].paginator.count == before + 1


def test_warm_counts_leaves_nothing_to_count_on_the_main_pages(client, corpus, recounted, monkeypatch):
    from django.core.management import call_command

    from statements import facets

    tallied = []
    tally = facets.tally_by_month
    monkeypatch.setattr(facets, "tally_by_month", lambda *args: tallied.append(args) or tally(*args))
    paths = ["/", "/remarks/", "/topics/", "/topics/trade/", "/spokespersons/hua-chunying/", "/entities/who/"]
    # The spies see counting where there is some: these pages, cold, count.
    for path in paths:
        assert client.get(path).status_code == 200
    assert recounted and tallied

    bump_content_version()  # every month again
    call_command("warm_counts", stdout=io.StringIO())
    recounted.clear()
    tallied.clear()
    for path in paths:
        assert client.get(path).status_code == 200
    assert recounted == [] and tallied == []


def test_briefings_without_remarks_are_counted_through_every_kind_of_change(client, corpus, make_briefing, wang):
    """/briefings/ counts briefings, some of which have no remark yet: their own changes must
    move their month, since no remark's does."""
    def total():
        served_page = page(client, "/briefings/?year=2022")
        with override_settings(**FROM_SCRATCH):
            from_scratch = client.get("/briefings/?year=2022")
        assert served_page == f"{from_scratch.status_code}\n{from_scratch.content.decode()}"
        return from_scratch.context["page"].paginator.count

    assert total() == 0
    empty = make_briefing(date=datetime.date(2022, 3, 1), spokesperson=wang)
    assert total() == 1
    Briefing.objects.filter(pk=empty.pk).update(status=Briefing.Status.DRAFT)
    assert total() == 0
    empty.refresh_from_db()
    empty.publish()
    empty.save()
    assert total() == 1
    Briefing.objects.filter(pk=empty.pk).update(date=datetime.date(2021, 3, 1))
    assert total() == 0
    Briefing.objects.filter(pk=empty.pk).update(date=datetime.date(2022, 5, 1))
    assert total() == 1
    empty.delete()  # an instance loaded before the last two changes
    assert total() == 0


def total_of(counts):
    return counts["total"]


def months_of(counts):
    return counts["months"]


def test_a_cached_value_belongs_to_one_computation(corpus):
    """The key is what is counted, over which rows, finished how: callers that differ in any of
    the three never read each other's value."""
    from statements.facets import cached_tally

    public = Remark.objects.published()
    chinese = public.filter(language="zh")
    assert cached_tally(public, [], total_of) == public.count()
    assert cached_tally(chinese, [], total_of) == chinese.count() != public.count()
    assert isinstance(cached_tally(public, [], months_of), dict)
    by_topic = cached_tally(public, [TOPIC_COUNTS], lambda counts: counts["facets"])
    by_entity = cached_tally(public, [ENTITY_COUNTS], lambda counts: counts["facets"])
    assert set(by_topic) == {"topic"} and set(by_entity) == {"mentions"}
