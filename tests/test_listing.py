"""Date-ordered pages taken within the months that hold them (listing.date_slice)."""

import datetime
import random

import pytest

from statements.facets import combine, tally_by_month
from statements.listing import date_slice, months_in_order
from statements.models import Remark
from statements.search import matching


def counted(remarks):
    return combine(tally_by_month(remarks), [])


@pytest.fixture
def spread(make_briefing, wang):
    rng = random.Random(5)
    for _ in range(25):
        day = datetime.date(rng.choice([2019, 2020, 2021]), rng.randint(1, 12), rng.randint(1, 28))
        make_briefing(spokesperson=wang, date=day, remarks=[{"answer": f"Answer {rng.random()}"}] * rng.randint(0, 5))


@pytest.mark.parametrize("newest", [True, False])
def test_a_slice_within_its_months_is_the_plain_slice(spread, newest):
    remarks = Remark.objects.published()
    ordered = (remarks.newest_first() if newest else remarks.oldest_first()).values_list("pk", flat=True)
    total = remarks.count()
    months = months_in_order(counted(remarks), newest=newest)
    assert months and sum(n for _, n in months) == total
    everything = list(ordered)
    for offset in range(0, total + 3):
        for size in (1, 3, 7, 20, total):
            assert list(date_slice(ordered, offset, offset + size, months)) == everything[offset : offset + size], (offset, size)


def test_month_counts_that_miss_matches_are_not_used(spread):
    remarks = Remark.objects.published()
    counts = counted(remarks)
    assert months_in_order({**counts, "total": counts["total"] + 1}, newest=True) is None
    assert months_in_order({"months": {}, "total": 0}, newest=True) is None


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_every_page_of_a_sorted_search_lists_each_match_once(client, spread, sort, monkeypatch):
    from statements import listing

    monkeypatch.setattr(listing, "RANK_LIMIT", 13)  # past the ranked head, pages run in date order
    seen = []
    for page in range(1, 10):
        response = client.get(f"/remarks/?q=answer&sort={sort}&page={page}")
        seen += [remark.pk for remark in response.context["page"]]
        if not response.context["page"].has_next():
            break
    expected = matching(Remark.objects.published(), "answer")
    assert sorted(seen) == sorted(expected.values_list("pk", flat=True))
    if sort != "relevance":
        ordered = expected.newest_first() if sort == "newest" else expected.oldest_first()
        assert seen == list(ordered.values_list("pk", flat=True))
