"""Result lists fetched in two steps: one page's ids, then those rows with everything a list shows.

The ids come from the remark table alone, in the order its index (or the search ranking) gives;
asked for rows and joins at once, SQLite plans the joins first and sorts every match (docs/benchmarks.md,
"Measured reasons"). Both kinds know their total, so a Paginator asks no COUNT.
"""

from django.db.models import QuerySet

from .countcache import cached_counts, computation
from .models import NO_MONTH, month_filter
from .search import search_backend
from .search.engine import search_engine
from .text.query import parse_query

# Ranking reads every matching remark's vector; above this many matches a backend that cannot
# rank every match cheaply (PostgreSQL) ranks the newest ones only, and the page says so.
RANK_LIMIT = 5000


def months_in_order(counts: dict, newest: bool) -> list[tuple[int, int]] | None:
    """[(YYYYMM, matches)] in the order a date-sorted list runs, from the counts the page has
    cached (facets.combine: "months" {first day of month: n} and "total"); None unless the
    months account for every match."""
    months = counts["months"]
    if not months or sum(months.values()) != counts["total"]:
        return None
    return sorted(((day.year * 100 + day.month, n) for day, n in months.items()), reverse=newest)


def date_slice(queryset: QuerySet, offset: int, stop: int, months: list[tuple[int, int]] | None = None) -> QuerySet:
    """queryset[offset:stop] of a queryset in date order (see months_in_order for `months`).

    Knowing how many matches each month holds, the slice is taken within the months that hold
    those positions: an index walk over a few months instead of every match. PostgreSQL
    misjudges how many remarks a phrase matches and would otherwise fetch and sort all of them
    (docs/benchmarks.md, "Measured reasons"). Exact: dates order the list
    first, so the months' own order is the list's.
    """
    if not months:
        return queryset[offset:stop]
    seen, first, last, skipped = 0, None, None, 0
    for month, n in months:
        if first is None and seen + n > offset:
            first, skipped = month, seen
        if first is not None:
            last = month
        seen += n
        if seen >= stop:
            break
    if first is None:
        return queryset.none()
    window = queryset.filter(year_month__gte=min(first, last), year_month__lte=max(first, last))
    return window[offset - skipped : stop - skipped]


class IdsFirst:
    """An ordered queryset of remarks (or briefings), countable and sliceable for a Paginator."""

    def __init__(self, queryset, count=None, rows=None, months=None, cache_version=None, ids=None):
        self.queryset, self._count = queryset, count  # the count is known when it comes from countcache
        # What the page's rows are fetched with: by default everything a result list shows.
        self.rows = rows if rows is not None else queryset.model.objects.for_listing()
        self.months = months  # matches per month in the list's order, when known (months_in_order)
        # The content version a page's ids are cached under, when finding them costs a scan
        # (briefings with a matching remark: every match of the search); None: not cached.
        self.cache_version = cache_version
        self.ids = ids  # the list's ids in order, sliceable, when the search engine found them

    def count(self):
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self):
        return self.count()

    def page_ids(self, offset, stop):
        if self.ids is not None:
            return self.ids[offset:stop]

        def find():
            return list(date_slice(self.queryset.values_list("pk", flat=True), offset, stop, self.months))

        if not self.cache_version:
            return find()
        return cached_counts(computation(("ids", offset, stop), self.queryset), find, self.cache_version)

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        offset, stop = item.start or 0, item.stop if item.stop is not None else self.count()
        if offset >= self.count():
            return []
        ids = self.page_ids(offset, stop)
        rows = self.rows.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


class RelevanceResults(IdsFirst):
    """Search results in relevance order, countable and sliceable, for a Paginator.

    Only the requested page is ranked in the database and fetched, so a query matching half the
    corpus costs one ranked page, not a sort of every match in Python. Beyond RANK_LIMIT
    matches (where the backend cannot rank them all cheaply) the newest RANK_LIMIT are ranked
    and the older ones follow newest first, so every match is still listed once; `exact` then
    says False.
    """

    def __init__(self, queryset, query, scope="all", count=None, cache_version=None, months=None, engine_constraints=None):
        # Ranking a page of a common word costs a scan too: cached like the ids of IdsFirst.
        super().__init__(queryset, count, months=months, cache_version=cache_version)
        self.query, self.parsed, self.scope = query, parse_query(query), scope
        # The same state for the search engine (filters.engine_constraints), which ranks every
        # match (BM25) in milliseconds; None: rank in the database.
        self.engine_constraints = engine_constraints
        self.exact = True

    def page_ids(self, offset, stop):
        if not self.parsed:
            return []
        # The engine ranks a page in milliseconds: less than naming its cache entry would cost.
        engine = search_engine() if self.engine_constraints is not None else None
        view = engine.view() if engine is not None else None
        if view is not None:
            if view.stale:
                ids = self.partly_in_database(engine, view, offset, stop)
            else:
                ids = engine.ranked(self.engine_constraints, offset, stop - offset, view)
            if ids is not None:  # None: the index failed meanwhile, ranked in the database
                return ids
        if not self.cache_version:
            ids, self.exact = self.rank(offset, stop)
            return ids
        what = computation(("ranked", self.parsed, self.scope, offset, stop), self.queryset)
        ids, self.exact = cached_counts(what, lambda: self.rank(offset, stop), self.cache_version)
        return ids

    def partly_in_database(self, engine, view, offset, stop):
        """While the engine catches up on some months (a publication): their matches first,
        ranked among themselves in the database (few: a month or two, and the newest), then
        every other match as the engine ranks it."""
        known = self.months is not None and NO_MONTH not in view.stale  # their matches, from the page's counts
        fresh = RelevanceResults(
            self.queryset.filter(month_filter(view.stale)), self.query, self.scope,
            count=sum(n for month, n in self.months if month in view.stale) if known else None,
        )
        ids = []
        if offset < fresh.count():
            page, fresh_exact = fresh.rank(offset, min(stop, fresh.count()))
            ids += page
            self.exact = self.exact and fresh_exact
        if stop > fresh.count():
            start = max(offset, fresh.count())
            rest = engine.ranked(self.engine_constraints, start - fresh.count(), stop - start, view)
            if rest is None:
                return None
            ids += rest
        return ids

    def rank(self, offset, stop):
        """(ids of the page ranked in the database, whether their order is relevance throughout)."""
        backend, limit = search_backend(), stop - offset
        if backend.ranks_every_match or self.count() <= RANK_LIMIT:
            return backend.ranked_page(self.queryset, self.parsed, self.scope, offset, limit), True
        newest = self.queryset.newest_first().values_list("pk", flat=True)
        ids = []
        if offset < RANK_LIMIT:
            candidates = self.queryset.model.objects.filter(pk__in=date_slice(newest, 0, RANK_LIMIT, self.months))
            ids += backend.ranked_page(candidates, self.parsed, self.scope, offset, min(stop, RANK_LIMIT) - offset)
        if stop > RANK_LIMIT:
            ids += date_slice(newest, max(offset, RANK_LIMIT), stop, self.months)
        return ids, False
