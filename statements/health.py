"""/healthz for load balancers and monitoring: can this app server serve pages now?

It reads a row of every table a public page reads, under a short budget (statements/budget.py),
so a database that is down, too slow or holding a lock on any of them is seen as such (503), not
as a `SELECT 1` that answers while every page hangs. The cache is reported but never fails the check:
the site serves without Redis, only slower (statements/cache.py); that state is "degraded".
"""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import budget
from .search.engine import search_engine
from .models import (
    Briefing, ContentVersion, Entity, Ministry, MonthVersion, Outlet, Remark, Spokesperson, Topic,
)

# The tables public pages read: remarks and briefings, the content versions every cached page and
# count is keyed on, and the reference data pages name (remarks' topics and mentions through
# their link tables).
PAGE_TABLES = [
    Remark, Briefing, ContentVersion, MonthVersion, Ministry, Spokesperson, Topic, Entity, Outlet,
    Remark.topics.through, Remark.entities.through,
]


def database_status():
    try:
        # The lock is given up first, so a held lock reads "locked", not "slow".
        budget.limit_database_time(settings.HEALTH_TIMEOUT, settings.HEALTH_TIMEOUT / 2)
        for model in PAGE_TABLES:
            model.objects.values_list("pk", flat=True).first()
    except DatabaseError as error:
        cause = getattr(error.__cause__, "sqlstate", None)
        if cause == budget.LOCK_NOT_AVAILABLE or "locked" in str(error):
            return "locked"
        if budget.over_budget(error):
            return "slow"
        return f"error: {type(error).__name__}"
    return "ok"


def cache_status():
    ping = getattr(cache, "ping", None)
    if ping is None:
        return "local"  # a per-process cache: nothing to reach
    try:
        ping()
    except Exception as error:  # any failure to reach Redis is a status to report, not a 500
        return f"error: {type(error).__name__}"
    return "ok"


def search_engine_status():
    """The search engine's state in this process: "ok", "none" (no engine), or the fault that
    makes pages count in the database (search/engine.py: a damaged, full or read-only index)."""
    engine = search_engine()
    if engine is None:
        return "none"
    return f"error: {engine.fault}" if engine.fault else "ok"


@never_cache
def healthz(request):
    checks = {"database": database_status(), "cache": cache_status(), "search_engine": search_engine_status()}
    if checks["database"] != "ok":
        overall, status = "down", 503
    elif checks["cache"] not in ("ok", "local") or checks["search_engine"] not in ("ok", "none"):
        overall, status = "degraded", 200
    else:
        overall, status = "ok", 200
    return JsonResponse({"status": overall, **checks}, status=status)
