"""Failed-login limits per user name and per client address, kept in Django's cache.

A user name or an address that has collected its limit of failed logins is refused
(its password is not even checked) until a whole window has passed since the failure
that reached the limit. Counting starts at the first failure and lasts one window;
user names that do not exist are counted like real ones, so a refusal never tells
whether an account exists. A successful login clears its user name's count.

The counters live in the default cache (Redis when REDIS_URL is set, so all web
processes share them). If the cache cannot be reached the limit is not applied and
the error is logged: an outage of Redis must not lock everyone out.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)


@dataclass(frozen=True)
class Refusal:
    """Why and for how long further logins are refused."""

    limits: tuple[str, ...]  # "user name" and/or "address", for the log only
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))


def client_address(request: HttpRequest) -> str:
    """The address of the client, read through TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it was contacted from to
    X-Forwarded-For, so with n proxies the client is the n-th entry from the right;
    anything further left was written by the client and may be invented. Without
    trusted proxies (or when the header is shorter or unreadable) the header is
    ignored and REMOTE_ADDR counts.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-proxies]))
    except ValueError:
        return remote


def _subjects(username: str, address: str) -> list[tuple[str, str, int]]:
    """(limit name, cache key prefix, limit) for each limit that is switched on."""
    subjects = [
        ("user name", _prefix("user", username.casefold()), settings.LOGIN_FAILURE_LIMIT_PER_USER),
        ("address", _prefix("address", address), settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
    ]
    return [subject for subject in subjects if subject[2] > 0]


def _prefix(kind: str, value: str) -> str:
    # Hashed: a user name may hold any character and be long; cache keys may not.
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()
    return f"loginguard:{kind}:{digest}"


def check_attempt(username: str, address: str) -> Refusal | None:
    """A Refusal (logged) when the user name or the address has reached its limit."""
    subjects = _subjects(username, address)
    keys = [key for _name, prefix, _limit in subjects for key in (f"{prefix}:n", f"{prefix}:end")]
    try:
        stored = cache.get_many(keys)
    except CACHE_ERRORS:
        logger.exception("Login limits not checked: the cache is unreachable")
        return None
    now = time.time()
    window = settings.LOGIN_FAILURE_WINDOW
    reached, seconds_left = [], 0
    for name, prefix, limit in subjects:
        if stored.get(f"{prefix}:n", 0) >= limit:
            reached.append(name)
            end = stored.get(f"{prefix}:end", now + window)
            seconds_left = max(seconds_left, math.ceil(end - now))
    if not reached:
        return None
    refused = Refusal(limits=tuple(reached), seconds_left=max(1, seconds_left))
    _log_refusal(username, address, refused)
    return refused


def record_failure(username: str, address: str) -> None:
    """Count one failed login against the user name and the address."""
    try:
        for _name, prefix, limit in _subjects(username, address):
            _count(prefix, limit)
    except CACHE_ERRORS:
        logger.exception("Failed login not counted: the cache is unreachable")


def _count(prefix: str, limit: int) -> None:
    window = settings.LOGIN_FAILURE_WINDOW
    now = time.time()
    count_key, end_key = f"{prefix}:n", f"{prefix}:end"
    cache.add(end_key, now + window, window)
    cache.add(count_key, 0, window)
    try:
        count = cache.incr(count_key)
    except ValueError:  # the window ended between add and incr
        cache.set_many({count_key: 1, end_key: now + window}, window)
        count = 1
    if count == limit:
        # Reaching the limit locks for a whole window from now, however old the count.
        cache.touch(count_key, window)
        cache.set(end_key, now + window, window)


def clear_failures(username: str) -> None:
    """Forget a user name's failures: after a successful login, or to unlock it by hand.

    The address keeps its count, or one valid account would reset it for guesses at others.
    """
    try:
        prefix = _prefix("user", username.casefold())
        cache.delete_many([f"{prefix}:n", f"{prefix}:end"])
    except CACHE_ERRORS:
        logger.exception("Login count not cleared: the cache is unreachable")


def _log_refusal(username: str, address: str, refused: Refusal) -> None:
    """One warning per refused login: who, from where, which limit. Never the password."""
    logger.warning(
        "Login refused for user name %r from address %s: too many failures for the %s (%d s left)",
        username,
        address,
        " and the ".join(refused.limits),
        refused.seconds_left,
    )
