"""What one request may cost, enforced by the database and the cache, not by hope.

Every request belongs to a class with a budget of database time (docs/operations.md, "Budgets"):
pages and the API get a few seconds per statement, exports longer, the admin longest. The
database stops a statement over budget (PostgreSQL's statement_timeout; on SQLite a progress
handler) and a lock that is not granted in time (lock_timeout); the reader then gets a 503 with
Retry-After instead of a worker held hostage. Anonymous clients are rate-limited per address
(django-ratelimit), and exports are limited in number at once, per client and overall. Staff
are limited by none of this but the database budget.
"""

import fcntl
import functools
import logging
import os
import random
import sys
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db.backends.signals import connection_created
from django.db import DatabaseError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django_ratelimit.core import is_ratelimited

from . import cache as shared_cache
from .middleware import client_ip
from .responses import bad_request

logger = logging.getLogger(__name__)

# URL names whose requests are exports (long, streamed), and searches (they count facets, which
# a new state does from scratch): both hold a slot while they run (Slots).
EXPORT_VIEWS = {"remark_export"}
SEARCH_VIEWS = {"remark_list", "briefing_list", "compare_terms", "remark_feed", "remark-list", "briefing-list"}
# PostgreSQL's SQLSTATEs for a statement cancelled by statement_timeout and a lock not granted.
QUERY_CANCELED, LOCK_NOT_AVAILABLE = "57014", "55P03"


def request_class(request, url_name):
    if request.path.startswith("/admin/"):
        return "admin"
    if url_name in EXPORT_VIEWS:
        return "export"
    if url_name in SEARCH_VIEWS:
        return "search"
    return "page"


def statement_budget(kind):
    """Seconds a single statement of this class of request may run."""
    return {
        "page": settings.PAGE_STATEMENT_TIMEOUT,
        "search": settings.PAGE_STATEMENT_TIMEOUT,
        "export": settings.EXPORT_STATEMENT_TIMEOUT,
        "admin": settings.ADMIN_STATEMENT_TIMEOUT,
    }[kind]


# Database time ---------------------------------------------------------------------------------


# SQLite: each connection gets one progress handler when it opens, called every 1,000 virtual
# machine instructions (a few per cent of a long query's time); it stops the statement once the
# running thread's deadline has passed. The deadline is per thread, not per connection: the test
# server shares one in-memory connection between threads, and swapping a connection's handler
# while another thread queries deadlocks on SQLite's mutex.
_sqlite_deadline = threading.local()


def _past_deadline():
    deadline = getattr(_sqlite_deadline, "at", None)
    return deadline is not None and time.monotonic() > deadline


def limit_database_time(seconds, lock_seconds):
    """From now until the request ends (after the last byte of a streamed response). A request
    that has not touched the database yet (a redirect, a 404) is not made to connect for it: the
    limits are applied when it does."""
    if connection.vendor == "sqlite":
        _sqlite_deadline.at = time.monotonic() + seconds
        if connection.connection is not None and getattr(connection, "budget_handler_on", None) is not connection.connection:
            _install_progress_handler(connection)  # a connection opened before this module was loaded
    elif connection.connection is None:
        connection.budget_pending = (seconds, lock_seconds)
    else:
        _set_postgresql_limits(connection, seconds, lock_seconds)


def _set_postgresql_limits(db, seconds, lock_seconds):
    """The limits, unless the connection has them already: a connection kept between requests
    (CONN_MAX_AGE) keeps its limits, so a page after a page costs no round trip for them."""
    if db.vendor == "postgresql" and getattr(db, "budget_set", None) != (db.connection, seconds, lock_seconds):
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)",
                [f"{int(seconds * 1000)}ms", f"{int(lock_seconds * 1000)}ms"],
            )
        # Set in a transaction, they go if it is rolled back: set again next time.
        db.budget_set = None if db.in_atomic_block else (db.connection, seconds, lock_seconds)


def _install_progress_handler(db):
    db.connection.set_progress_handler(_past_deadline, 1000)
    db.budget_handler_on = db.connection


@receiver(connection_created, dispatch_uid="budget-on-connect")
def _on_connect(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        _install_progress_handler(connection)
    elif pending := getattr(connection, "budget_pending", None):
        connection.budget_pending = None
        _set_postgresql_limits(connection, *pending)


@receiver(request_finished, dispatch_uid="budget-end-request")
def _end_request_deadline(**kwargs):
    """The SQLite deadline ends with its request. PostgreSQL's limits stay on the connection for
    its next request (_set_postgresql_limits), and for code using it outside a request after
    one: a test lifts them (lift_database_limits)."""
    _sqlite_deadline.at = None
    connection.budget_pending = None


def lift_database_limits():
    """Back to the connection's defaults, for what uses it next outside a request (a test's
    teardown)."""
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout; RESET lock_timeout")
    connection.budget_set = None


def over_budget(exception):
    """Whether a database error is the budget at work: a statement stopped or a lock refused."""
    if not isinstance(exception, OperationalError):
        return False
    cause = exception.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in (QUERY_CANCELED, LOCK_NOT_AVAILABLE):
        return True
    # SQLite: our progress handler stopped it, or another connection's write held the lock.
    return connection.vendor == "sqlite" and ("interrupted" in str(exception) or "locked" in str(exception))


def busy_response(status=503, retry_after=None, message=None):
    retry_after = retry_after or settings.BUSY_RETRY_AFTER
    response = HttpResponse(
        loader.render_to_string("busy.html", {"status": status, "message": message, "retry_after": retry_after}),
        status=status,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


# Anonymous clients ----------------------------------------------------------------------------


def _client_key(group, request):
    return client_ip(request)


def rate_limited(request, kind):
    """Whether an anonymous client went over its rate (per address, docs/operations.md)."""
    if request.user.is_authenticated and request.user.is_staff:
        return False
    rate = settings.EXPORT_RATE_LIMIT if kind == "export" else settings.ANONYMOUS_RATE_LIMIT
    if not rate:
        return False
    return is_ratelimited(request, group=f"budget-{kind}", key=_client_key, rate=rate, increment=True)


# CPU priority ----------------------------------------------------------------------------------


@functools.cache
def priority_restorable():
    """Whether this process may lower a thread's priority and raise it back afterwards (root,
    CAP_SYS_NICE, or an RLIMIT_NICE that allows it: docs/operations.md, "Budgets"). Tried once,
    on a thread of its own: a thread left at a lower priority would slow every page it serves."""
    if sys.platform != "linux":
        return False  # elsewhere setpriority would lower the whole process
    outcome = []

    def attempt():
        thread = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, thread)
        try:
            os.setpriority(os.PRIO_PROCESS, thread, min(19, before + 1))
            os.setpriority(os.PRIO_PROCESS, thread, before)
            outcome.append(True)
        except OSError:
            outcome.append(False)

    probe = threading.Thread(target=attempt)
    probe.start()
    probe.join()
    if not outcome[0]:
        logger.info("Searches and exports run at the priority of pages: this process may not raise a thread's priority back")
    return outcome[0]


_lowered = threading.local()  # .before: the running thread's priority before it was lowered


def lower_priority():
    """The running thread at HEAVY_REQUEST_NICE more than before, while it holds a slot: the
    operating system then gives a core to a page whenever one is waiting. Restored when the
    slot is given back, or at the latest when the request ends."""
    if getattr(_lowered, "before", None) is not None or not settings.HEAVY_REQUEST_NICE or not priority_restorable():
        return
    thread = threading.get_native_id()
    try:
        before = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, before + settings.HEAVY_REQUEST_NICE))
    except OSError:
        return
    _lowered.before = before


@receiver(request_finished, dispatch_uid="budget-restore-priority")
def restore_priority(**kwargs):
    before = getattr(_lowered, "before", None)
    if before is None:
        return
    _lowered.before = None
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), before)
    except OSError:
        logger.warning("Could not restore a thread's priority", exc_info=True)


class Slots:
    """Requests of one class running at once: at most so many per address and so many in all,
    held in the shared cache as numbered keys, each taken with `add` (atomic: one holder) and
    expiring by itself, so that a killed worker's slot comes back within SLOT_SECONDS.
    Exports and searches hold one, so that a few clients cannot occupy every worker and a
    permalink always finds one free. A search that finds the site's slots taken waits in line
    (SEARCH_QUEUE places, SEARCH_QUEUE_SECONDS at most) rather than fail while the server
    has capacity; one whose client has its share running is refused at once.

    While Redis is away, the site's slots and the line are this server's, as locks of numbered
    files (SLOTS_DIR): the processes of a server share them, and a killed worker's lock goes
    with it. A client's slots are then counted in each process's memory (statements/cache.py),
    its share of the limit (at least one) in each."""

    POLL = 0.02  # seconds between looks for a free slot, in line

    def __init__(self, request, kind):
        per_client, at_once = {
            "export": (settings.EXPORTS_PER_CLIENT, settings.EXPORTS_AT_ONCE),
            "search": (settings.SEARCHES_PER_CLIENT, settings.SEARCHES_AT_ONCE),
        }[kind]
        self.client = (f"slots:{kind}:{client_ip(request)}", per_client)
        self.site = (f"slots:{kind}:all", at_once)
        self.line = (f"slots:{kind}:line", settings.SEARCH_QUEUE if kind == "search" else 0)
        self.token = uuid.uuid4().hex  # which holder a key names, so a release frees only its own
        self.taken = []
        self.files = {}  # while Redis is away: key -> the descriptor holding its lock
        self.on_this_server = False

    def take(self):
        """None when the slots are taken, else the status to answer: 429 when this client has
        its share running, 503 when the site has and the line is full or too slow."""
        if not shared_cache.shared():
            self.on_this_server = True
            prefix, limit = self.client
            self.client = (prefix, max(1, limit // settings.APP_PROCESSES))
        if not self._take_one(*self.client):
            return 429
        if self._take_one(*self.site) or self._wait_in_line():
            lower_priority()
            return None
        self.release()
        return 503

    def _wait_in_line(self):
        held = len(self.taken)
        if not self._take_one(*self.line):
            return False
        place = self.taken[held:]  # none when the cache failed open
        del self.taken[held:]
        deadline = time.monotonic() + settings.SEARCH_QUEUE_SECONDS
        try:
            while time.monotonic() < deadline:
                time.sleep(self.POLL)
                if self._take_one(*self.site):
                    return True
            return False
        finally:
            for key in place:
                self._give_back(key)

    def _take_one(self, prefix, limit):
        """Whether one of the `limit` keys under `prefix` was free and is now this holder's."""
        start = random.randrange(limit) if limit > 0 else 0
        for n in range(limit):
            key = f"{prefix}:{(start + n) % limit}"
            if self.on_this_server and prefix != self.client[0]:
                if self._lock(key):
                    return True
                continue
            try:
                added = cache.add(key, self.token, settings.SLOT_SECONDS)
            except Exception:
                added = None
            if added is None:  # no shared cache (statements/cache.py): fail open, the database budget still holds
                logger.warning("Request slots unavailable; request let through")
                return True
            if added:
                self.taken.append(key)
                return True
        return False

    def _lock(self, key):
        """Whether the lock of `key`'s file on this server was free and is now this holder's
        (or cannot be known: a directory that cannot be written lets the request through, as
        the slots did before, the database budget still holding)."""
        try:
            os.makedirs(settings.SLOTS_DIR, exist_ok=True)
            descriptor = os.open(os.path.join(settings.SLOTS_DIR, key.replace(":", "-")), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            logger.warning("Request slots unavailable (%s cannot be written); request let through", settings.SLOTS_DIR)
            return True
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self.files[key] = descriptor
        self.taken.append(key)
        return True

    def keep(self):
        """Hold the slots SLOT_SECONDS more: a stream still being sent."""
        for key in self.taken:
            if key in self.files:
                continue  # a lock is held as long as its holder lives
            try:
                cache.touch(key, settings.SLOT_SECONDS)
            except Exception:
                logger.debug("Could not keep slot %s", key, exc_info=True)

    def release(self):
        for key in self.taken:
            self._give_back(key)
        self.taken = []
        restore_priority()

    def _give_back(self, key):
        if key in self.files:
            os.close(self.files.pop(key))  # and its lock with it
            return
        try:
            if cache.get(key) == self.token:  # not a slot that expired and is another's now
                cache.delete(key)
        except Exception:
            logger.debug("Could not release slot %s", key, exc_info=True)


def held_while_streaming(content, slots):
    """The export's content, keeping its slots while it is sent and releasing them when the
    stream ends or is closed."""
    kept = time.monotonic()
    try:
        for chunk in content:
            if time.monotonic() - kept > settings.SLOT_SECONDS / 3:
                slots.keep()
                kept = time.monotonic()
            yield chunk
    finally:
        slots.release()


# Parameters ------------------------------------------------------------------------------------


def parameter_errors(params):
    """What multiplies one request's work beyond its share: a parameter repeated past
    MAX_VALUES_PER_PARAMETER (each topic, year or term is one more join or range to match), or a
    page past MAX_PAGE. Caps documented in docs/operations.md, "Budgets"."""
    errors = {}
    for name, values in params.lists():
        if len(values) > settings.MAX_VALUES_PER_PARAMETER:
            errors[name] = [f"At most {settings.MAX_VALUES_PER_PARAMETER} values of “{name}” at once; {len(values)} were given."]
    page = params.get("page", "")
    if page.isdigit() and (len(page) > 9 or int(page) > settings.MAX_PAGE):  # never int() of 5,000 digits
        errors["page"] = [f"Pages go up to {settings.MAX_PAGE}; narrow the search or export the results instead."]
    return errors


def bad_parameters_response(request, errors):
    if request.path.startswith("/api/"):
        return JsonResponse({name: messages for name, messages in errors.items()}, status=400)
    return bad_request(request, errors)


SLOTS_TAKEN = {
    429: "Your other searches are still running.",
    503: "Many searches are running just now.",
}


def in_turn(request):
    """None once the request holds the search slot it needs (Slots: a search waits in line for
    it), else the busy answer to give."""
    slots = getattr(request, "search_slots", None)
    if slots is None or slots.taken:
        return None
    if refusal := slots.take():
        return busy_response(refusal, message=SLOTS_TAKEN[refusal])
    return None


class RequestBudgetMiddleware:
    """Sets each request's database budget and refuses what is over a client's share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if slots := getattr(request, "search_slots", None):
            slots.release()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        url_name = request.resolver_match.url_name if request.resolver_match else None
        kind = request_class(request, url_name)
        request.budget_class = kind
        if kind != "admin" and (errors := parameter_errors(request.GET)):
            return bad_parameters_response(request, errors)
        if kind != "admin" and not (request.user.is_authenticated and request.user.is_staff):
            if rate_limited(request, kind):
                return busy_response(429, settings.RATE_LIMIT_RETRY_AFTER, "You have made many requests in a short time.")
            if kind == "search":
                request.search_slots = Slots(request, "search")
                # A page that may be kept whole takes its slot only if it is not (pagecache).
                if not getattr(view_func, "takes_its_turn", False) and (refusal := in_turn(request)):
                    return refusal
        try:
            limit_database_time(statement_budget(kind), settings.LOCK_TIMEOUT)
        except DatabaseError:
            # An unreachable database: the view meets it too, and answers 503 (middleware.py).
            logger.warning("Could not set the database budget for %s", request.path, exc_info=True)
        return None

    def process_exception(self, request, exception):
        if over_budget(exception):
            logger.warning("Over budget, 503 for %s: %s", request.path, exception)
            return busy_response()
        return None
