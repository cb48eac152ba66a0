"""When the database is unreachable, a quick 503 page instead of a 500 or a hung worker.

PostgreSQL restarting, failing over or refusing connections is an outage, not a bug: readers get
"try again in a moment" with Retry-After, and the app recovers by itself, since Django checks its
persistent connection at the start of each request (CONN_HEALTH_CHECKS) and reconnects.

A database error on a connection that still works (an FTS5 syntax error, a statement timeout) is
a bug or an overload, and stays a 500 so that it is seen and fixed rather than passed off as an
outage.
"""

import ipaddress
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def database_unavailable(exception):
    if isinstance(exception, InterfaceError):
        return True
    if isinstance(exception, OperationalError):
        # A lost or refused connection leaves Django without a usable one; PostgreSQL's
        # is_usable() is a SELECT 1 on the open connection, immediate when it is closed.
        return not connection.is_usable()
    return False


def unavailable_response():
    # Rendered without the request: no context processor may touch the session or the user,
    # both of which live in the database that is gone.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never store an outage in a cache between us and the reader.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Database outage during a view (or its template) → 503.

    Django turns an exception into a response at every layer of the middleware stack, so a
    try/except around get_response would only ever see responses: views are covered here by
    process_exception, the other middleware (sessions, authentication, axes) by server_error,
    the handler500 installed in config/urls.py.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            logger.warning("Database unavailable, 503 for %s: %s", request.path, exception)
            return unavailable_response()
        return None


def server_error(request):
    """handler500: the 503 page when the error is a lost database, Django's 500 page otherwise."""
    exception = sys.exc_info()[1]
    if exception is not None and database_unavailable(exception):
        return unavailable_response()
    return HttpResponseServerError(loader.render_to_string("500.html"))


# Login attempts (django-axes) ---------------------------------------------------------------


def client_ip(request):
    """The address a login attempt came from (AXES_CLIENT_IP_CALLABLE).

    Behind NUM_PROXIES reverse proxies, each appending the address it saw to X-Forwarded-For,
    the client is the entry the outermost of our proxies added; anything left of it was sent by
    the client and can be forged. Whatever is not an address falls back to REMOTE_ADDR, since
    axes stores it in an address column.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.NUM_PROXIES:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.NUM_PROXIES:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-settings.NUM_PROXIES]))
    except ValueError:
        return remote


def login_username(request, credentials):
    """The username a login attempt was for (AXES_USERNAME_CALLABLE), cut to axes' 255-character
    column: the login form does not limit its length, and no username is that long anyway."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username")
    return username[:255] if username else username
