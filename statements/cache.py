"""Django's RedisCache, except that Redis being down costs speed, never a page.

Everything the site caches (statements/countcache.py, the {% cache %} fragments of
/remarks/) can be computed again, so a Redis error is treated as a miss: reads return the
default, writes are dropped, and a warning is logged. After an error the cache is left alone
for a few seconds, so an unreachable Redis costs one connection timeout per worker thread (each
has its own cache object) every few seconds rather than one per cache call.
"""

import functools
import logging
import time

from django.core.cache.backends import redis as django_redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a thread leaves Redis alone after an error.
BACKOFF_SECONDS = 5.0


def _tolerant(fallback):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except RedisError as error:
                self._down_until = time.monotonic() + BACKOFF_SECONDS
                logger.warning(
                    "Redis cache unavailable (%s: %s); serving without it for %ss",
                    type(error).__name__, error, BACKOFF_SECONDS,
                )
                return fallback(*args, **kwargs)

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
    # None, not False: a slot (statements/budget.Slots) is unknown then, not taken.
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
