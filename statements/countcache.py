"""Counts that cost a scan at scale — facet counts, the month histogram, result totals — cached
per state of the page and per version of the content.

Exact invalidation without coordinating caches: the content version is one database row whose
token changes in the same transaction as any change to the content (statements/signals.py), so
every app process reads the same token, and a count cached under a token was counted from the
content as it stood under that token. A process never serves a figure older than what it reads.

Counts that add up month by month (how many remarks, per facet value, per month) are also kept
per month of remark dates (`cached_by_month`). A change to public remarks moves the token of
their months only (MonthVersion), so after today's briefing is published the next visitor waits
for today's month to be recounted, not for twenty years of remarks (docs/benchmarks.md). A change that cannot say which months it touched (renamed reference
data, bulk rebuilds) moves the token of EVERY_MONTH, and everything is counted again.
"""

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django_filters import FilterSet

from .models import EVERY_MONTH, NO_MONTH, content_version, month_tokens, moved_months

# Old tokens' entries are never read again; they only wait to be evicted.
TIMEOUT = 24 * 60 * 60
# Counts kept per month stay useful until their months change.
MONTHS_TIMEOUT = 7 * 24 * 60 * 60


@dataclass(frozen=True)
class Computation:
    """What a cached value is the result of, and so its key: what is counted (facet specs, or
    what a list holds), over which rows (a queryset as its SQL, or a filter state with the
    queryset it filters), and finished how (the function that shapes the result). Callers share
    an entry only when they agree on all three; build one with `computation()`."""

    counted: str
    over: str
    finish: str

    def key(self, kind: str, token: str | None = None) -> str:
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:40]
        return f"{kind}:{token}:{digest}" if token else f"{kind}:{digest}"


def computation(counted, over, finish=None) -> Computation:
    return Computation(_described(counted), _described(over), _described(finish))


def _described(value) -> str:
    """A stable text for what takes part in a computation."""
    if isinstance(value, QuerySet):
        try:
            sql, params = value.query.sql_with_params()
        except EmptyResultSet:  # e.g. a search with nothing to search for: no rows at all
            return f"{value.model._meta.label}:nothing"
        return f"{value.model._meta.label}:{sql}:{params!r}"
    if isinstance(value, FilterSet):
        # A state of a page: the filters as the form cleaned them (values sorted, objects by
        # key), over the queryset the filterset narrows.
        return f"{type(value).__qualname__}:{canonical_state(value.form.cleaned_data)!r}:{_described(value.queryset)}"
    if callable(value) and hasattr(value, "__code__"):
        return f"{value.__module__}.{value.__qualname__}:{value.__code__.co_firstlineno}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_described(item) for item in value) + ")"
    if hasattr(value, "__dict__"):  # a facet spec: its class and settings
        return f"{type(value).__qualname__}{sorted(vars(value).items())!r}"
    return repr(value)


def canonical_state(cleaned) -> list:
    """A filter state as plain sorted text: the same search and filters, the same cache entry."""
    def plain(value):
        if isinstance(value, (list, tuple, set)) or hasattr(value, "model"):
            return sorted(plain(v) for v in value)
        return str(getattr(value, "pk", value))

    return sorted((name, plain(value)) for name, value in cleaned.items() if value not in (None, "", []))


def cached_counts(what: Computation, compute, version: str | None = None):
    """compute() once per computation and content version."""
    key = what.key("counts", version or content_version())
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def cached_by_month(what: Computation, count_months, finish, version: str | None = None):
    """finish(per_month) once per computation and content version, per_month being
    {month: Counter} as count_months(months) returns it for those months (None: all of them).

    Kept per month too: when the content version moved, only the months whose token moved since
    they were counted are counted again. Counts must add up across months (no top-N cut before
    finish). Tokens are read before counting, so a month is never labelled newer than its count.
    """
    def compute():
        tokens = month_tokens()
        months_key = what.key("months")  # valid whatever the version: tokens inside
        kept = cache.get(months_key)
        stale = moved_months(kept and kept["tokens"], tokens)
        if stale is None:
            per_month = _normalised(count_months(None))
        else:
            per_month = {m: counts for m, counts in kept["per_month"].items() if m not in stale}
            if stale:
                per_month.update(_normalised(count_months(stale)))
        if kept is None or kept["tokens"] != tokens:
            cache.set(months_key, {"tokens": tokens, "per_month": per_month}, MONTHS_TIMEOUT)
        return finish(per_month)

    return cached_counts(what, compute, version)


def _normalised(per_month):
    """Month keys as MonthVersion stores them; strings interned so the pickle stays small (the
    same facet names and labels recur in every month)."""
    return {
        month or NO_MONTH: Counter({
            tuple(sys.intern(part) if isinstance(part, str) else part for part in key): n
            for key, n in counts.items()
        })
        for month, counts in per_month.items()
    }
