"""Fetching transcript and listing pages over HTTP: politely, within limits, and never from an
address the server should not reach on an editor's behalf.

One client for the admin's *Import from a URL* and for the daily sync (statements/sync.py), built
on the standard library (urllib.request, urllib.robotparser):

- only http and https, at every redirect too (redirects are followed here, at most five, each
  checked like the first address);
- a time-out per request, for the whole of it (headers and body: a server dripping a byte at a
  time is cut off), and a size limit (MAX_TRANSCRIPT_BYTES, the admin's upload limit);
- unless `allow_private`, only public addresses: the address actually connected to is checked
  (after the name is resolved, so a name that resolves to 127.0.0.1 or 10.x is refused too, and
  a second lookup cannot change the answer); no proxy from the environment is used, since a
  proxy would hide the address;
- for the sync: one request at a time with a delay between them, robots.txt honoured (with its
  Crawl-delay, capped at MAX_CRAWL_DELAY), retries with backoff on time-outs, connection errors, 429 and 5xx, and
  conditional GET (If-None-Match / If-Modified-Since), a 304 answering "unchanged".
"""

import functools
import http.client
import ipaddress
import socket
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from . import MAX_TRANSCRIPT_BYTES
from .base import TranscriptError

DEFAULT_USER_AGENT = (
    "DiplomaticStatementsBot/1.0 (+an archive of foreign-ministry spokesperson statements; "
    "one request at a time, robots.txt honoured)"
)
MAX_REDIRECTS = 5
# Answers worth asking again after a pause: the server is busy or briefly broken.
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_WAIT = 60.0
# The longest pause between two requests a robots.txt may ask for: "Crawl-delay: 100000" would
# hold the daily sync for 28 hours, and every later day's run would be skipped meanwhile.
MAX_CRAWL_DELAY = 60.0
DEADLINE_GRACE = 0.5


def user_agent():
    """settings.IMPORT_FETCH_USER_AGENT, so that an operator can name a contact address."""
    return getattr(settings, "IMPORT_FETCH_USER_AGENT", "") or DEFAULT_USER_AGENT


def allow_private_default():
    """settings.IMPORT_FETCH_ALLOW_PRIVATE: False in production, so an editor's URL cannot make
    the server fetch its own or its network's internal pages; tests serve pages on 127.0.0.1."""
    return bool(getattr(settings, "IMPORT_FETCH_ALLOW_PRIVATE", False))


class FetchError(TranscriptError):
    """A page that could not be fetched; the message says why. `status` is the HTTP status
    when the server answered, `retry` whether asking again later may help."""

    def __init__(self, message, status=None, retry=False, wait=None):
        super().__init__(message)
        self.status, self.retry, self.wait = status, retry, wait


# The longest validators kept (SourcePage.etag, .last_modified): a longer one is no validator a
# real server sends, and is dropped rather than stored (the next request then fetches whole).
MAX_ETAG = 300
MAX_LAST_MODIFIED = 100


def _validator(value, limit):
    value = (value or "").strip()
    return value if len(value) <= limit else ""


@dataclass
class Response:
    url: str  # the address finally answered, after redirects
    status: int  # 200, or 304 for "not modified"
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""

    @property
    def not_modified(self):
        return self.status == 304


def check_web_address(url):
    """Only http and https: an editor's file:, ftp: or gopher: address is refused here."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Only http and https addresses can be fetched, not {url[:200]!r}.")


# IPv6 prefixes that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052), and the
# deprecated IPv4-compatible form (::a.b.c.d). Local-use NAT64 (RFC 8215) reaches anything.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _carried_ipv4(ip):
    """The IPv4 addresses an IPv6 address leads to: mapped, compatible, NAT64, 6to4, Teredo."""
    carried = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in carried if address is not None]


def is_public(address):
    """Whether a connection to `address` reaches the public internet only: a global address,
    not multicast, and for IPv6 every IPv4 address it carries public too (::ffff:127.0.0.1,
    ::7f00:1, 64:ff9b::a9fe:a9fe and 2002:7f00:1:: all reach a private one)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6:
        if ip in LOCAL_NAT64:
            return False
        carried = _carried_ipv4(ip)
        if ip.ipv4_mapped:
            return is_public(str(ip.ipv4_mapped))
        if carried and not all(is_public(str(v4)) for v4 in carried):
            return False
    return ip.is_global and not ip.is_multicast


def _public_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, *args):
    """socket.create_connection, connecting only to public addresses of the host."""
    host, port = address
    refused, error = None, None
    for family, kind, proto, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if not is_public(sockaddr[0]):
            refused = sockaddr[0]
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    if error is not None:
        raise error
    raise FetchError(
        f"{host} is a private, local or reserved address ({refused}): only public web addresses "
        "are fetched (the setting IMPORT_FETCH_ALLOW_PRIVATE allows others, for a mirror on the "
        "operator's own network; never in production)."
    )


class _Deadline:
    """Shuts a request's socket once the whole request has run out of time. A socket time-out
    bounds each wait only: a server sending its headers a byte a second renews it for ever."""

    def __init__(self, seconds):
        self.expired = False
        self._sockets = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock):
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self):
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self):
        self._timer.cancel()


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _connection_class(base, public):
    """An HTTP(S) connection that connects only to public addresses (when `public`) and hands
    its socket to the request's deadline."""

    class Connection(base):
        def __init__(self, *args, deadline=None, **kwargs):
            super().__init__(*args, **kwargs)
            create = _public_connection if public else socket.create_connection

            def create_watched(*create_args, **create_kwargs):
                sock = create(*create_args, **create_kwargs)
                if deadline is not None:
                    deadline.watch(sock)
                return sock

            self._create_connection = create_watched

    return Connection


class _HTTPHandler(urllib.request.HTTPHandler):
    public = True

    def http_open(self, req):
        connection = _connection_class(http.client.HTTPConnection, self.public)
        return self.do_open(functools.partial(connection, deadline=getattr(req, "deadline", None)), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    public = True

    def https_open(self, req):
        connection = _connection_class(http.client.HTTPSConnection, self.public)
        return self.do_open(functools.partial(connection, deadline=getattr(req, "deadline", None)), req, context=self._context)


def _opener(allow_private):
    """HTTP and HTTPS only: no file:, ftp: or data: handler, no proxy, and no redirect handler
    (redirects are followed by Fetcher, which checks each address)."""
    opener = urllib.request.OpenerDirector()
    handlers = [_HTTPHandler(), _HTTPSHandler()]
    for handler in handlers:
        handler.public = not allow_private
    for handler in [*handlers, urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()]:
        opener.add_handler(handler)
    return opener


class Fetcher:
    """One request at a time, `delay` seconds apart, each with a time-out and a size limit."""

    def __init__(
        self, *, delay=0.0, timeout=30.0, retries=3, backoff=2.0, max_bytes=MAX_TRANSCRIPT_BYTES,
        allow_private=None, robots=False, agent=None, sleep=time.sleep,
    ):
        self.delay, self.timeout, self.retries, self.backoff = delay, timeout, retries, backoff
        self.max_bytes = max_bytes
        self.allow_private = allow_private_default() if allow_private is None else allow_private
        self.agent = agent or user_agent()
        self.robots = robots
        self.sleep = sleep
        self._opener = _opener(self.allow_private)
        self._robots = {}  # origin → RobotFileParser
        self._last_request = None
        self.requests = 0

    # --- politeness ------------------------------------------------------------------------------

    def _wait_turn(self, origin):
        delay = max(self.delay, self._crawl_delay(origin))
        if self._last_request is not None and delay:
            remaining = self._last_request + delay - time.monotonic()
            if remaining > 0:
                self.sleep(remaining)
        self._last_request = time.monotonic()

    def _crawl_delay(self, origin):
        parser = self._robots.get(origin)
        delay = parser.crawl_delay(self.agent) if parser else None
        return min(float(delay or 0), MAX_CRAWL_DELAY)

    def allowed(self, url):
        """Whether robots.txt lets this client fetch `url` (always, for the admin's one page)."""
        if not self.robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        return self._robots[origin].can_fetch(self.agent, url)

    def _read_robots(self, origin):
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            response = self.get(origin + "/robots.txt", check_robots=False)
        except FetchError as error:
            if error.status in (401, 403):
                parser.disallow_all = True  # as urllib.robotparser reads a refusal
            elif error.status is not None and 400 <= error.status < 500:
                parser.allow_all = True  # no robots.txt: nothing is disallowed
            else:
                # Unreachable or broken (5xx): RFC 9309 says to assume everything is disallowed.
                raise FetchError(f"robots.txt of {origin} could not be read ({error}); nothing fetched.") from None
            return parser
        parser.parse(response.body.decode("utf-8", "replace").splitlines())
        return parser

    # --- requests ---------------------------------------------------------------------------------

    def get(self, url, *, etag="", last_modified="", check_robots=True):
        """The page at `url` (a Response, 304 when the validators still hold), or FetchError."""
        attempt = 0
        while True:
            try:
                return self._follow(url, etag, last_modified, check_robots)
            except FetchError as error:
                attempt += 1
                if not error.retry or attempt > self.retries:
                    raise
                wait = error.wait if error.wait is not None else self.backoff * 2 ** (attempt - 1)
                self.sleep(min(wait, MAX_RETRY_WAIT))

    def _follow(self, url, etag, last_modified, check_robots):
        for _ in range(MAX_REDIRECTS + 1):
            check_web_address(url)
            if check_robots and not self.allowed(url):
                raise FetchError("robots.txt disallows it; not fetched.")
            parts = urlsplit(url)
            self._wait_turn(f"{parts.scheme}://{parts.netloc}")
            headers = {"User-Agent": self.agent, "Accept": "text/html, text/plain;q=0.9, */*;q=0.1"}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            self.requests += 1
            request = urllib.request.Request(url, headers=headers)
            # A moment after the time-out: a server that says nothing is caught by the socket's own
            # time-out first ("no answer"); the deadline catches one that keeps talking too slowly.
            request.deadline = deadline = _Deadline(self.timeout + DEADLINE_GRACE)
            try:
                with self._opener.open(request, timeout=self.timeout) as answer:
                    return self._read(url, answer, deadline)
            except urllib.error.HTTPError as error:
                with error:
                    if error.code == 304:
                        return Response(
                            url, 304, etag=_validator(error.headers.get("ETag", etag), MAX_ETAG),
                            last_modified=_validator(error.headers.get("Last-Modified", last_modified), MAX_LAST_MODIFIED),
                        )
                    location = error.headers.get("Location") if 300 <= error.code < 400 else None
                    if location:
                        url = urljoin(url, location)
                        continue
                    raise FetchError(
                        f"HTTP {error.code} {error.reason}", status=error.code,
                        retry=error.code in RETRY_STATUSES, wait=_retry_after(error.headers),
                    ) from None
            except FetchError:
                raise
            except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                reason = getattr(error, "reason", error)
                if deadline.expired and not isinstance(reason, TimeoutError):
                    # Cut off by the deadline, not silent: the server was answering too slowly.
                    raise FetchError(f"the page took longer than {self.timeout:g} s to arrive.", retry=True) from None
                if isinstance(reason, FetchError):
                    raise reason from None
                raise FetchError(f"no answer ({reason})", retry=True) from None
            finally:
                deadline.cancel()
        raise FetchError(f"more than {MAX_REDIRECTS} redirects.")

    def _read(self, url, answer, deadline):
        content_type = answer.headers.get("Content-Type", "")
        kind = content_type.split(";")[0].strip().lower()
        if kind and not (kind.startswith("text/") or kind in ("application/xhtml+xml", "application/xml")):
            raise FetchError(f"the address gives {kind}, not a web page or text.")
        length = answer.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise FetchError(f"the page is larger than {self.max_bytes // 1024 // 1024} MB; not fetched.")
        # The request's deadline shuts the socket when the whole request has taken too long; a
        # body cut short by it is no page.
        chunks, size = [], 0
        while size <= self.max_bytes:
            chunk = answer.read1(min(64 * 1024, self.max_bytes + 1 - size))
            if deadline.expired:
                raise FetchError(f"the page took longer than {self.timeout:g} s to arrive.", retry=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        if len(body) > self.max_bytes:
            raise FetchError(f"the page is larger than {self.max_bytes // 1024 // 1024} MB; not fetched.")
        return Response(
            url, 200, body, etag=_validator(answer.headers.get("ETag"), MAX_ETAG),
            last_modified=_validator(answer.headers.get("Last-Modified"), MAX_LAST_MODIFIED), content_type=content_type,
        )


def _retry_after(headers):
    value = (headers.get("Retry-After") or "").strip()
    return float(value) if value.isdigit() else None
