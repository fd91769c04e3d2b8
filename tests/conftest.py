"""Shared fixtures. Under CI=true the real services are required (see scripts/test_services.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.factories import CompanyFactory, StationFactory


def pytest_sessionstart(session):
    if os.environ.get("CI", "").lower() != "true":
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.exit("CI=true: the suite must run on PostgreSQL (set DATABASE_URL)", returncode=1)
    if not os.environ.get("TEST_REDIS_URL"):
        pytest.exit("CI=true: the worker test needs Redis (set TEST_REDIS_URL)", returncode=1)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
        return path

    return write


@pytest.fixture(autouse=True)
def _no_waiting_users():
    """Users placed by the next company a factory makes are this test's only."""
    from tests.factories import UNPLACED

    UNPLACED.clear()
    yield
    UNPLACED.clear()


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def three_stations(company):
    """S1, S2, S3 in one county of ``company``."""
    county = company.counties.create(name="海曙")
    return [StationFactory(code=f"S{n}", county=county) for n in (1, 2, 3)]


TODAY = date(2026, 11, 21)


@pytest.fixture
def on_today(monkeypatch):
    """The clock says TODAY, 10:00 in the site's time zone, to every caller."""
    from datetime import datetime, time

    from django.utils import timezone

    moment = timezone.make_aware(datetime.combine(TODAY, time(10)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are reused after a rolled-back test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test stores uploads in its own folder: a job left queued by one test (its
    commit callbacks never run) leaves its file out of the next test's sight."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English (the language
    middleware activates it) must not leak into the next test's strings."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def reset_connections() -> None:
    """Drop pooled broker connections so the next publish uses the current broker_url.
    kombu's own registry of producer pools goes too: it keys them by broker URL, so a
    second test on the same Redis would otherwise get the pool closed by the first."""
    from kombu import pools

    from config.celery import app

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def redis_app():
    """The project's Celery app switched from eager mode to the test Redis."""
    from config.celery import app

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (Redis not reachable)")
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    reset_connections()
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset_connections()


@pytest.fixture
def unreachable_cache(settings):
    """The project's Redis cache pointed where nothing listens (our ports 18200-18209)."""
    from config import cache as cache_module

    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FaultTolerantRedisCache",
            "LOCATION": "redis://127.0.0.1:18209/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    cache_module._breakers.clear()
    yield
    cache_module._breakers.clear()
