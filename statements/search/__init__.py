"""Full-text search over remarks, behind one small interface.

`search_backend()` returns the backend for the default connection. Today one portable backend
serves both databases (substring matching); vendor modules (PostgreSQL full-text search, SQLite
FTS5) slot in here, chosen by `connection.vendor`, without the callers changing.
"""

from .base import ContainsSearch


def search_backend():
    return ContainsSearch()
