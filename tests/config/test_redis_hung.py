"""Fault test: a hung Redis (the process stopped with SIGSTOP, its socket still open).

The cache is only an optimisation: with Redis hung the map, its month data, saving a
weight version and logging in all still work, from the database (before: the map and
month data answered 500 after 5 s, the save answered 500 and the version was lost, a
login waited 10 s). Starts its own redis-server on a port of 18200-18209.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.urls import reverse

from config import cache as cache_module
from scoring.models import WeightSet
from tests.factories import UserFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month

pytestmark = [pytest.mark.services, pytest.mark.django_db]

PORTS = range(18200, 18210)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 18200-18209 for a Redis of our own")


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def own_redis():
    """A redis-server of this test's own, to stop and resume."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not answers(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def hung_cache(own_redis, settings):
    """The project's cache settings on our own Redis, which is then stopped (SIGSTOP)."""
    process, url = own_redis
    settings.CACHES = {  # as config/settings.py sets it when REDIS_URL is set
        "default": {
            "BACKEND": "config.cache.FaultTolerantRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    cache_module._breakers.clear()
    from django.core.cache import cache

    cache.set("warm", 1)  # connected before it hangs, as a running site is
    assert cache.get("warm") == 1
    process.send_signal(signal.SIGSTOP)
    yield
    cache_module._breakers.clear()


@pytest.fixture
def months(three_stations):
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [30, 20, None])
    return three_stations[0].county.company


def test_pages_saves_and_logins_work_while_redis_is_hung(client, months, hung_cache):
    client.cookies["django_language"] = "en"
    client.force_login(user_with_role("admin"))

    home = client.get(reverse("mapviews:home"))
    month = client.get(reverse("mapviews:map_month"), {"period": "2026-09"})
    assert home.status_code == 200 and home.context["counts"]["orange"] == 1
    assert month.status_code == 200 and month.json()["counts"]["red"] == 1

    url = reverse("scoring:weight_new")
    current = WeightSet.objects.get(company=months)
    data = {f"weight_{w.indicator.code}": str(w.weight) for w in current.weights.all()}
    data.update(weight_safety="20", weight_team_performance="0")
    data.update(effective_from="2026-10", reason="安全优先")
    token = client.post(url, {**data, "action": "preview"}).context["previewed"]
    saved = client.post(url, {**data, "action": "save", "previewed": token})
    assert saved.status_code == 302
    assert sorted(WeightSet.objects.filter(company=months).values_list("version", flat=True)) == [
        1,
        2,
    ]

    client.logout()
    UserFactory(username="meilin")
    login = client.post(
        reverse("login"), {"username": "meilin", "password": "a-long-test-password"}
    )
    assert login.status_code == 302
