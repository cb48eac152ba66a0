"""Django's RedisCache, except that Redis being down costs speed, never a page.

Everything the site caches (statements/countcache.py, the {% cache %} fragments of
/remarks/) can be computed again, so a Redis error is treated as a miss: reads return the
default, writes are dropped, and a warning is logged; rate-limit counters and a client's
request slots (statements/budget.Slots) go on in the process's memory, so a limit holds per
process instead of failing open. After an error the cache is left alone
for a few seconds by every thread of the process, so an unreachable or paused Redis costs one
time-out per process every few seconds rather than one per cache call or per thread.
"""

import functools
import logging
import time

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a thread leaves Redis alone after an error.
BACKOFF_SECONDS = 5.0


# Rate-limit counters (django-ratelimit's keys, RATELIMIT_CACHE_PREFIX) and request slots go on
# in this process's memory while Redis is away: each limit then holds per process rather than
# not at all.
PER_PROCESS_PREFIXES = ("rl:", "slots:")
_process_counters = LocMemCache("statements-limits-without-redis", {"MAX_ENTRIES": 20_000})


def shared():
    """Whether the shared cache is taken to answer now (not within a back-off after an error)."""
    return time.monotonic() >= RedisCache._down_until


def _tolerant(fallback):
    def decorate(method):
        def without_redis(*args, **kwargs):
            key = args[0] if args else kwargs.get("key")
            if isinstance(key, str) and key.startswith(PER_PROCESS_PREFIXES):
                return getattr(_process_counters, method.__name__)(*args, **kwargs)
            return fallback(*args, **kwargs)

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return without_redis(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                # For the whole process (every thread's cache object): one thread's time-out is
                # enough to learn that Redis is away.
                RedisCache._down_until = time.monotonic() + BACKOFF_SECONDS
                logger.warning(
                    "Redis cache unavailable (%s: %s); serving without it for %ss",
                    type(error).__name__, error, BACKOFF_SECONDS,
                )
                return without_redis(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _absent(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found: the cache is unavailable")


class RedisCache(django_redis.RedisCache):
    _down_until = 0.0

    get = _tolerant(_default)(django_redis.RedisCache.get)
    get_many = _tolerant(lambda keys, version=None: {})(django_redis.RedisCache.get_many)
    has_key = _tolerant(lambda key, version=None: False)(django_redis.RedisCache.has_key)
    add = _tolerant(lambda *args, **kwargs: None)(django_redis.RedisCache.add)
    set = _tolerant(lambda *args, **kwargs: None)(django_redis.RedisCache.set)
    set_many = _tolerant(lambda data, *args, **kwargs: list(data))(django_redis.RedisCache.set_many)
    touch = _tolerant(lambda *args, **kwargs: False)(django_redis.RedisCache.touch)
    delete = _tolerant(lambda *args, **kwargs: False)(django_redis.RedisCache.delete)
    delete_many = _tolerant(lambda *args, **kwargs: None)(django_redis.RedisCache.delete_many)
    clear = _tolerant(lambda: None)(django_redis.RedisCache.clear)
    # What Django's caches raise for a key they do not hold: callers (django-ratelimit, which
    # then fails open: RATELIMIT_FAIL_OPEN) already handle it.
    incr = _tolerant(_absent)(django_redis.RedisCache.incr)
    decr = _tolerant(_absent)(django_redis.RedisCache.decr)

    def ping(self):
        """For /healthz: whether Redis answers now, bypassing the back-off. Raises RedisError."""
        return self._cache.get_client(write=True).ping()
