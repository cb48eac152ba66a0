"""Full-text search over remarks, behind one small interface (see base.SearchBackend).

`search_backend()` picks the module for the database in use; each vendor module is imported
only inside its branch. Saving or deleting a remark updates the index in the same transaction,
so every edit (admin, import, fixtures) is searchable at once.
"""

from django.db import connection

from statements.countcache import cached_counts
from statements.listing import IdsFirst

from .base import SCOPES, parse_query

__all__ = ["SCOPES", "RelevanceResults", "parse_query", "search_backend", "connect_signals"]

_backends = {}


def search_backend():
    vendor = connection.vendor
    if vendor not in _backends:
        if vendor == "postgresql":
            from .postgres import PostgresSearch

            _backends[vendor] = PostgresSearch()
        elif vendor == "sqlite":
            from .sqlite import SQLiteSearch

            _backends[vendor] = SQLiteSearch()
        else:
            raise NotImplementedError(f"No search backend for {vendor}")
    return _backends[vendor]


class RelevanceResults(IdsFirst):
    """Search results in relevance order, countable and sliceable, for a Paginator.

    Only the requested page is ranked in the database and fetched, so a query matching half the
    corpus costs one ranked page, not a sort of every match in Python.
    """

    def __init__(self, queryset, query, scope="all", count=None, cache_state=None, months=None):
        super().__init__(queryset, count, months=months)
        self.parsed, self.scope = parse_query(query), scope
        self.exact = True
        # (content version, filter state): ranking a page of a common word costs a scan too.
        self.cache_state = cache_state

    def page_ids(self, offset, stop):
        if not self.parsed:
            return []

        def rank():
            return search_backend().ranked_ids(
                self.queryset, self.parsed, self.scope, offset, stop - offset, self.count(), self.months
            )

        if not self.cache_state:
            ids, self.exact = rank()
            return ids
        version, state = self.cache_state
        ids, self.exact = cached_counts("ranked", (state, offset, stop), rank, version=version)
        return ids


def _index_saved_remark(sender, instance, **kwargs):
    search_backend().index([instance])


def _unindex_deleted_remark(sender, instance, **kwargs):
    search_backend().unindex([instance.pk])


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    from statements.models import Remark

    post_save.connect(_index_saved_remark, sender=Remark, dispatch_uid="search-index-remark")
    post_delete.connect(_unindex_deleted_remark, sender=Remark, dispatch_uid="search-unindex-remark")
