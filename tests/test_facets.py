"""Disjunctive facet counts: each facet counted with every *other* active filter applied."""

import datetime
import itertools
import random

import pytest
from django.http import QueryDict

from statements.facets import build_facets, combine, counts_by_month
from statements.filters import RemarkFilter, filter_without
from statements.models import Briefing, Remark
from statements.catalogue import REMARK_FACETS


def one_query_per_facet(filterset, specs):
    """The plain way, as a reference: each facet's own GROUP BY over the matches without its filter."""
    return {spec.param: spec.counts(filter_without(filterset, excluded=spec.param)) for spec in specs}


def facet_counts(params, with_totals=False):
    """The counts the page shows (one pass over the matches), checked against one query per facet."""
    filterset = RemarkFilter(QueryDict(params), queryset=Remark.objects.published())
    assert filterset.is_valid(), filterset.errors
    counted = combine(counts_by_month(filterset, REMARK_FACETS), REMARK_FACETS)
    facets = build_facets(filterset, REMARK_FACETS, QueryDict(params), counted["facets"])
    one_query_each = build_facets(filterset, REMARK_FACETS, QueryDict(params), one_query_per_facet(filterset, REMARK_FACETS))
    assert [(f.param, f.options) for f in facets] == [(f.param, f.options) for f in one_query_each]
    counts = {f.param: {o.value: o.count for o in f.options} for f in facets}
    return (counts, counted["total"], counted["months"]) if with_totals else counts


@pytest.fixture
def tagged(make_briefing, wang, hua, topics, entities):
    t, e = topics, entities
    make_briefing(spokesperson=wang, date=datetime.date(2020, 1, 5), remarks=[
        {"topics": [t["trade"]], "entities": [e["us"]]},
        {"topics": [t["trade"], t["taiwan"]], "entities": [e["us"]]},
        {"topics": [t["who"]], "entities": [e["who"]]},
    ])
    make_briefing(spokesperson=hua, date=datetime.date(2019, 3, 1), language="zh", remarks=[
        {"topics": [t["taiwan"]]},
        {"kind": "announcement", "topics": [t["trade"]]},
    ])
    # A draft must never count.
    make_briefing(spokesperson=hua, status=Briefing.Status.DRAFT, remarks=[{"topics": [t["trade"]]}] * 4)


def test_counts_without_filters(tagged):
    counts = facet_counts("")
    assert counts["topic"] == {"trade": 3, "taiwan": 2, "who-cooperation": 1}
    assert counts["spokesperson"] == {"wang-wenbin": 3, "hua-chunying": 2}
    assert counts["year"] == {"2020": 3, "2019": 2}
    assert counts["lang"] == {"en": 3, "zh": 2}
    assert counts["kind"] == {"qa": 4, "announcement": 1}
    assert counts["mentions"] == {"united-states": 2, "who": 1}


def test_selected_value_does_not_shrink_its_own_facet(tagged):
    counts = facet_counts("topic=trade")
    # The topic facet ignores the topic filter: a second topic would widen (OR) the results.
    assert counts["topic"] == {"trade": 3, "taiwan": 2, "who-cooperation": 1}
    # Other facets are counted within trade remarks only.
    assert counts["spokesperson"] == {"wang-wenbin": 2, "hua-chunying": 1}
    assert counts["year"] == {"2020": 2, "2019": 1}


def test_two_values_of_one_facet_combine_with_or(client, tagged):
    response = client.get("/remarks/?topic=trade&topic=who-cooperation")
    assert "4 remarks" in response.text


def test_facets_combine_with_and(client, tagged):
    response = client.get("/remarks/?topic=trade&spokesperson=hua-chunying")
    assert "1 remark" in response.text
    counts = facet_counts("topic=trade&spokesperson=hua-chunying")
    assert counts["topic"] == {"trade": 1, "taiwan": 1}  # within Hua's remarks
    assert counts["spokesperson"] == {"wang-wenbin": 2, "hua-chunying": 1}  # within trade


def test_selected_value_with_no_results_stays_visible(tagged):
    counts = facet_counts("topic=who-cooperation&spokesperson=hua-chunying")
    assert counts["spokesperson"] == {"wang-wenbin": 1, "hua-chunying": 0}
    assert counts["topic"] == {"taiwan": 1, "trade": 1, "who-cooperation": 0}


def test_facet_links_toggle_a_value_and_drop_page(tagged):
    filterset = RemarkFilter(QueryDict("topic=trade&page=3"), queryset=Remark.objects.published())
    assert filterset.is_valid()
    counts = combine(counts_by_month(filterset, REMARK_FACETS), REMARK_FACETS)["facets"]
    facets = {f.param: f for f in build_facets(filterset, REMARK_FACETS, QueryDict("topic=trade&page=3"), counts)}
    options = {o.value: o for o in facets["topic"].options}
    assert options["trade"].selected and options["trade"].url == "?"
    assert options["taiwan"].url == "?topic=trade&topic=taiwan"


def test_counts_match_brute_force_on_random_data(make_briefing, wang, hua, topics, entities):
    """Compare every facet count with a count done in Python, for many filter combinations."""
    rng = random.Random(7)
    speakers, topic_list, entity_list = [wang, hua], list(topics.values()), list(entities.values())
    for _ in range(12):
        make_briefing(
            spokesperson=rng.choice(speakers),
            date=datetime.date(rng.choice([2018, 2019, 2020]), rng.randint(1, 12), 1),
            language=rng.choice(["en", "zh"]),
            status=rng.choice([Briefing.Status.PUBLISHED] * 3 + [Briefing.Status.DRAFT]),
            remarks=[
                {
                    "kind": rng.choice(["qa", "qa", "announcement"]),
                    "topics": rng.sample(topic_list, rng.randint(0, 2)),
                    "entities": rng.sample(entity_list, rng.randint(0, 2)),
                }
                for _ in range(rng.randint(1, 5))
            ],
        )
    rows = [
        {
            "topic": {t.slug for t in r.topics.all()},
            "mentions": {e.slug for e in r.entities.all()},
            "spokesperson": {r.speaker.slug},
            "ministry": {r.briefing.ministry.slug},
            "kind": {r.kind},
            "lang": {r.briefing.language},
            "year": {str(r.briefing.date.year)},
            "month": r.briefing.date.replace(day=1),
        }
        for r in Remark.objects.published().select_related("speaker", "briefing__ministry")
    ]
    choices = {
        "topic": [None, ["trade"], ["trade", "taiwan"]],
        "spokesperson": [None, ["hua-chunying"]],
        "lang": [None, ["zh"]],
        "year": [None, ["2019", "2020"]],
    }
    for combo in itertools.product(*choices.values()):
        active = {name: set(values) for name, values in zip(choices, combo) if values}
        params = "&".join(f"{name}={v}" for name, values in active.items() for v in sorted(values))
        counts, total, months = facet_counts(params, with_totals=True)
        everything = [r for r in rows if all(r[n] & v for n, v in active.items())]
        assert total == len(everything), params
        expected_months = {}
        for row in everything:
            expected_months[row["month"]] = expected_months.get(row["month"], 0) + 1
        assert months == expected_months, params
        for facet in ["topic", "spokesperson", "lang", "year", "kind", "mentions"]:
            others = {n: v for n, v in active.items() if n != facet}
            matching = [r for r in rows if all(r[n] & v for n, v in others.items())]
            expected = {}
            for row in matching:
                for value in row[facet]:
                    expected[value] = expected.get(value, 0) + 1
            for value in active.get(facet, ()):
                expected.setdefault(value, 0)
            assert counts[facet] == expected, (params, facet)
