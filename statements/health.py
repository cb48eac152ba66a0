"""/healthz for load balancers and monitoring: 200 when this app server can serve pages.

The database is required (no page works without it); the cache is reported but never fails the
check, since the site serves without Redis, only slower (statements/cache.py).
"""

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
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


@never_cache
def healthz(request):
    status = {"database": database_status(), "cache": cache_status()}
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)
