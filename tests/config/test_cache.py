"""The fault-tolerant Redis cache: errors are misses, and a failure skips Redis for a while."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config import cache as cache_module
from config.cache import FaultTolerantRedisCache
from tests.factories import UserFactory

#: Nothing listens here (our ports are 18200-18209): connecting is refused at once.
CLOSED = "redis://127.0.0.1:18209/0"


class FailingClient:
    """Stands in for Django's RedisCacheClient: every call fails, and is counted."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls: list[str] = []

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            self.calls.append(name)
            raise self.error

        return fail


@pytest.fixture(autouse=True)
def _closed_breakers():
    cache_module._breakers.clear()
    yield
    cache_module._breakers.clear()


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    return now


def failing_cache(location: str, error: Exception | None = None, breaker: float = 10):
    backend = FaultTolerantRedisCache(location, {"OPTIONS": {"BREAKER_SECONDS": breaker}})
    client = FailingClient(error or RedisTimeoutError("Timeout reading from socket"))
    backend.__dict__["_cache"] = client  # RedisCache._cache is a cached_property
    return backend, client


def test_every_operation_answers_like_a_miss(clock):
    backend, client = failing_cache("redis://test-every-operation", breaker=0)
    assert backend.get("k") is None
    assert backend.get("k", "fallback") == "fallback"
    assert backend.get_many(["a", "b"]) == {}
    assert backend.has_key("k") is False
    assert backend.add("k", 1) is False
    assert backend.set("k", 1) is None
    assert backend.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert backend.touch("k") is False
    assert backend.delete("k") is False
    assert backend.delete_many(["a"]) is None
    assert backend.clear() is False
    assert backend.get_or_set("k", 5) == 5
    with pytest.raises(ValueError, match="not found"):
        backend.incr("k")
    with pytest.raises(ValueError, match="not found"):
        backend.decr("k")
    assert "get" in client.calls and "incr" in client.calls


def test_a_failure_skips_the_cache_for_the_breaker_period(clock, caplog):
    backend, client = failing_cache("redis://test-breaker", breaker=10)
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        for _ in range(5):
            assert backend.get("k") is None
            backend.set("k", 1)
    # One socket wait, not ten: the first failure opens the breaker.
    assert client.calls == ["get"]
    assert [r.getMessage() for r in caplog.records] == [
        "Cache get failed (TimeoutError: Timeout reading from socket); "
        "the cache is skipped for 10 s"
    ]
    clock[0] += 10.5
    assert backend.get("k") is None
    assert client.calls == ["get", "get"]


def test_the_breaker_is_shared_by_every_thread_of_the_process(clock):
    """Django builds one cache object per thread; they all skip a failing server."""
    first, first_client = failing_cache("redis://test-shared")
    second, second_client = failing_cache("redis://test-shared")
    first.get("k")
    second.get("k")
    assert (first_client.calls, second_client.calls) == (["get"], [])


def test_a_refused_connection_is_a_miss(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FaultTolerantRedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    from django.core.cache import cache

    assert cache.get("anything", "miss") == "miss"
    assert cache.add("anything", 1) is False


@pytest.mark.django_db
def test_logging_in_asks_a_failing_cache_once(client, settings, clock, caplog):
    """Before: each login asked the hung Redis three times (10 s at a 5 s timeout);
    now failed logins are counted in the database (django-axes) and a login never
    waits on the cache."""
    UserFactory(username="meilin")  # before the cache fails: a new user is new page data
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FaultTolerantRedisCache", "LOCATION": CLOSED}
    }
    from django.core.cache import caches

    backend = caches["default"]
    failing = FailingClient(RedisConnectionError("Connection refused"))
    backend.__dict__["_cache"] = failing
    client.cookies["django_language"] = "en"
    wrong = client.post(reverse("login"), {"username": "meilin", "password": "wrong"})
    right = client.post(
        reverse("login"), {"username": "meilin", "password": "a-long-test-password"}
    )
    assert wrong.status_code == 200 and "did not match" in wrong.content.decode()
    assert right.status_code == 302
    assert failing.calls == []
