"""A Redis cache that fails soft: an unreachable or hung Redis is a cache miss.

The cache only saves work (map data, derived service areas): every
page can be built from the database and no write depends on it. So an error of
Redis must not become a 500, and a hung Redis must not hold each request for its
socket timeout. Every call that fails is logged and answered like a miss or a
no-op; after a failure the cache is not asked at all for ``BREAKER_SECONDS``
(shared by every thread of the process), so a hung Redis costs one request one
socket timeout per period instead of every request every time.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

#: What a failing Redis raises: its own errors (connection, timeout, response) and
#: the socket's.
CACHE_ERRORS = (RedisError, OSError)
DEFAULT_BREAKER_SECONDS = 10.0


class _Breaker:
    """Until when the cache of one location is skipped (monotonic seconds)."""

    def __init__(self) -> None:
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class FaultTolerantRedisCache(RedisCache):
    """Django's RedisCache; errors are misses, and a failure skips Redis for a while.

    OPTIONS may hold ``BREAKER_SECONDS`` (default 10); the rest go to redis-py as
    for RedisCache. Connections never retry on their own: a retry would double the
    wait on a hung server.
    """

    def __init__(self, server: str, params: dict) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.breaker_seconds = float(options.pop("BREAKER_SECONDS", DEFAULT_BREAKER_SECONDS))
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(str(server))

    def _call(self, operation: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if self.breaker.is_open():
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except CACHE_ERRORS as exc:
            self.breaker.open_until = time.monotonic() + self.breaker_seconds
            logger.warning(
                "Cache %s failed (%s: %s); the cache is skipped for %g s",
                operation,
                type(exc).__name__,
                exc,
                self.breaker_seconds,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # Only an optimisation may use add() here: False also means "not stored".
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call("incr", missing, key, delta, version)
        if value is missing:  # as for a key that is not there
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return value

    def clear(self):
        return self._call("clear", False)
