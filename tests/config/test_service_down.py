"""A database that does not answer: the friendly "try again" page (503), and a health
check that answers in bounded time."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse

from config import health
from tests.factories import CompanyFactory, user_with_role

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(monkeypatch):
    """Every query fails as during a PostgreSQL restart (connection refused)."""

    def refused(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "_cursor", refused)
        yield


@pytest.fixture
def viewer(client):
    client.raise_request_exception = False
    client.force_login(user_with_role("station_staff", company=CompanyFactory()))
    return client


@pytest.mark.parametrize(
    ("language", "title"),
    [("zh-hans", "请稍后再试"), ("en", "Please try again in a moment")],
)
def test_requests_while_the_database_restarts_get_the_try_again_page(
    viewer, monkeypatch, language, title
):
    """Before: a bare "Server Error (500)"."""
    viewer.cookies["django_language"] = language
    with database_down(monkeypatch):
        page = viewer.get(reverse("mapviews:ranking") + "?period=2026-10")
        posted = viewer.post(reverse("scoring:weight_new"), {"action": "save"})
    for response in (page, posted):
        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        html = response.content.decode()
        assert f"<h1>{title}</h1>" in html and "Server Error" not in html
    assert 'href="/ranking/?period=2026-10"' in page.content.decode()


def test_other_errors_stay_a_plain_500(viewer, monkeypatch):
    from mapviews.views import ranking

    def broken(*args, **kwargs):
        raise KeyError("grade")

    monkeypatch.setattr(ranking, "chosen_month", broken)
    response = viewer.get(reverse("mapviews:ranking"))
    assert response.status_code == 500


def test_health_says_when_the_database_is_down(client, monkeypatch):
    with database_down(monkeypatch):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_health_does_not_wait_on_a_hung_service(client, monkeypatch, settings):
    """A check that never returns (a stopped server) is reported, not waited for."""
    release = threading.Event()
    monkeypatch.setattr(health, "CHECK_SECONDS", 0.2)
    monkeypatch.setattr(health, "_redis", lambda: release.wait(30))
    settings.REDIS_URL = "redis://127.0.0.1:18209/0"
    try:
        response = client.get(reverse("health"))
    finally:
        release.set()
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "redis": "timeout"}
