"""Result lists fetched in two steps: one page's ids, then those rows with everything a list shows.

The ids come from the remark table alone, in the order its index (or the search ranking) gives;
asked for rows and joins at once, SQLite plans the joins first and sorts every match (0.6 s for
page 500 at 100,000 remarks). Both kinds know their total, so a Paginator asks no COUNT.
"""


class IdsFirst:
    """An ordered queryset of remarks, countable and sliceable for a Paginator."""

    def __init__(self, queryset, count=None, rows=None):
        self.queryset, self._count = queryset, count  # the count is known when it comes from countcache
        # What the page's rows are fetched with: by default everything a result list shows.
        self.rows = rows if rows is not None else queryset.model.objects.for_listing()

    def count(self):
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self):
        return self.count()

    def page_ids(self, offset, stop):
        return list(self.queryset.values_list("pk", flat=True)[offset:stop])

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        offset, stop = item.start or 0, item.stop if item.stop is not None else self.count()
        if offset >= self.count():
            return []
        ids = self.page_ids(offset, stop)
        rows = self.rows.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]
