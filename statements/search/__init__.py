"""Full-text search over remarks, behind one small interface (see base.SearchBackend).

`search_backend()` picks the module for the database in use; each vendor module is imported
only inside its branch. Saving or deleting a remark updates the index in the same transaction,
so every edit (admin, import, fixtures) is searchable at once.
"""

from django.db import connection
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from statements.models import Remark
from statements.text.query import parse_query

from .base import SearchBackend

__all__ = ["matching", "search_backend", "connect_signals"]

_backends = {}


def search_backend() -> SearchBackend:
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


def matching(remarks: QuerySet, query: str, scope: str = "all", among: list[int] | None = None) -> QuerySet:
    """The remarks of `remarks` matching a query in the search language (statements/text/query.py);
    `among`: only these remark ids (a page's worth), which the index can check alone."""
    return search_backend().filter(remarks, parse_query(query), scope, among)


def _index_saved_remark(sender, instance, **kwargs):
    search_backend().index([instance])


def _unindex_deleted_remark(sender, instance, **kwargs):
    search_backend().unindex([instance.pk])


def connect_signals():
    post_save.connect(_index_saved_remark, sender=Remark, dispatch_uid="search-index-remark")
    post_delete.connect(_unindex_deleted_remark, sender=Remark, dispatch_uid="search-unindex-remark")
