"""Failed logins are limited per user name and per address, on the login page and the admin."""

from __future__ import annotations

import logging
import time

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from config import loginguard
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # UserFactory's
WRONG = "not-the-password"
ADDRESS = "10.1.2.3"
REFUSED_15 = (
    "Too many failed logins for this account or from this address. Try again in 15 minutes."
)
MISMATCH = "Your user name and password did not match. Please try again."


@pytest.fixture
def client(client):
    """The test client, in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def meilin(db):
    return UserFactory(username="meilin")


@pytest.fixture
def clock(monkeypatch, settings):
    """A clock the test moves, over an in-process cache that follows it."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clock"}
    }
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    class Clock:
        @staticmethod
        def advance(seconds: float) -> None:
            now[0] += seconds

    return Clock


def log_in(client, username, password, address=ADDRESS, url=None, **headers):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # client.logout() clears cookies
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    if user_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user_id).username


def fail(client, username, times, address=ADDRESS, url=None):
    for _ in range(times):
        response = log_in(client, username, WRONG, address, url)
        assert response.status_code == 200


def test_a_wrong_password_says_so(client, meilin):
    response = log_in(client, "meilin", WRONG)
    assert response.status_code == 200
    assert MISMATCH in response.content.decode()


def test_five_wrong_passwords_then_the_right_one_is_refused(client, meilin, monkeypatch):
    fail(client, "meilin", 5)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.forms.authenticate", lambda *args, **kw: checked.append(kw)
    )

    response = log_in(client, "meilin", PASSWORD)

    assert response.status_code == 429
    assert REFUSED_15 in response.content.decode()
    assert MISMATCH not in response.content.decode()
    assert checked == []  # the password was not even checked
    assert logged_in_as(client) is None


def test_four_wrong_passwords_still_allow_the_right_one(client, meilin):
    fail(client, "meilin", 4)
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == "meilin"


def test_an_unknown_user_name_is_refused_alike(client, meilin):
    """The refusal is the same whether the account exists: it tells an attacker nothing."""
    fail(client, "meilin", 5)
    fail(client, "nobody", 5)
    known = log_in(client, "meilin", WRONG)
    unknown = log_in(client, "nobody", WRONG)
    assert (known.status_code, unknown.status_code) == (429, 429)
    assert REFUSED_15 in known.content.decode()
    assert REFUSED_15 in unknown.content.decode()


def test_the_user_name_limit_ignores_case(client, meilin):
    fail(client, "MeiLin", 5)
    assert log_in(client, "meilin", PASSWORD).status_code == 429


def test_the_user_name_limit_holds_from_every_address(client, meilin):
    for n in range(5):
        fail(client, "meilin", 1, address=f"10.9.0.{n}")
    assert log_in(client, "meilin", PASSWORD, address="10.9.9.9").status_code == 429


def test_another_user_from_the_same_address_is_allowed_until_the_address_limit(client, meilin):
    UserFactory(username="hong")
    fail(client, "meilin", 5)  # meilin is now refused, the address has 5 failures
    assert log_in(client, "meilin", PASSWORD).status_code == 429

    assert log_in(client, "hong", PASSWORD).status_code == 302
    client.logout()
    for n in range(14):  # 19 failures from the address
        fail(client, f"guess{n}", 1)
    assert log_in(client, "hong", PASSWORD).status_code == 302
    client.logout()
    fail(client, "guess-last", 1)  # 20: a success from the address did not reset it

    response = log_in(client, "hong", PASSWORD)
    assert response.status_code == 429
    assert REFUSED_15 in response.content.decode()
    assert log_in(client, "hong", PASSWORD, address="10.1.2.4").status_code == 302


def test_refused_attempts_do_not_count(client, meilin):
    """A refused try checks no password, so it is no failure: the address keeps its count."""
    fail(client, "meilin", 5)
    for _ in range(30):
        assert log_in(client, "meilin", WRONG).status_code == 429
    UserFactory(username="hong")
    assert log_in(client, "hong", PASSWORD).status_code == 302


def test_a_success_clears_the_user_name_count(client, meilin):
    fail(client, "meilin", 4)
    assert log_in(client, "meilin", PASSWORD).status_code == 302
    client.logout()
    fail(client, "meilin", 4)  # 8 without the clearing: refused
    assert log_in(client, "meilin", PASSWORD).status_code == 302


def test_the_window_passing_allows_again(client, meilin, clock):
    fail(client, "meilin", 5)
    clock.advance(10 * 60 + 30)
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 5 minutes." in response.content.decode()
    clock.advance(5 * 60 - 31)
    assert "Try again in 1 minute." in log_in(client, "meilin", PASSWORD).content.decode()

    clock.advance(2)
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 302


def test_failures_older_than_the_window_are_forgotten(client, meilin, clock):
    fail(client, "meilin", 4)
    clock.advance(settings.LOGIN_FAILURE_WINDOW + 1)
    fail(client, "meilin", 4)
    assert log_in(client, "meilin", PASSWORD).status_code == 302


def test_reaching_the_limit_refuses_for_a_whole_window(client, meilin, clock):
    """The count starts at the first failure, but the lock lasts a window from the last one."""
    fail(client, "meilin", 1)
    clock.advance(14 * 60)
    fail(client, "meilin", 4)
    clock.advance(2 * 60)  # the count's own window is over
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 13 minutes." in response.content.decode()
    clock.advance(13 * 60 + 1)
    assert log_in(client, "meilin", PASSWORD).status_code == 302


def test_a_limit_of_zero_switches_the_user_name_limit_off(client, meilin, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_USER = 0
    fail(client, "meilin", 8)
    assert log_in(client, "meilin", PASSWORD).status_code == 302


# --- the admin login ----------------------------------------------------------------


@pytest.fixture
def staff(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


def test_the_admin_login_page_still_opens_and_logs_in(client, staff):
    assert client.get(reverse("admin:login")).status_code == 200
    response = log_in(client, "chief", PASSWORD, url=reverse("admin:login"))
    assert response.status_code == 302
    assert logged_in_as(client) == "chief"


def test_the_admin_login_is_guarded_too(client, staff):
    admin_login = reverse("admin:login")
    fail(client, "chief", 5, url=admin_login)

    response = log_in(client, "chief", PASSWORD, url=admin_login)

    assert response.status_code == 429
    assert REFUSED_15 in response.content.decode()
    assert logged_in_as(client) is None


def test_the_two_login_pages_share_the_counts(client, staff):
    fail(client, "chief", 3)
    fail(client, "chief", 2, url=reverse("admin:login"))
    assert log_in(client, "chief", PASSWORD, url=reverse("admin:login")).status_code == 429
    assert log_in(client, "chief", PASSWORD).status_code == 429


def test_a_right_password_without_admin_rights_is_no_failure(client, meilin):
    for _ in range(6):
        log_in(client, "meilin", PASSWORD, url=reverse("admin:login"))
    assert log_in(client, "meilin", PASSWORD).status_code == 302


# --- the client address -------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left one is the client's word
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # shorter than the proxy chain: not trusted
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert loginguard.client_address(request) == expected


def test_behind_a_trusted_proxy_each_client_has_its_own_count(client, meilin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"
    for n in range(20):  # each claims a new address, but the proxy names the real one
        log_in(client, f"guess{n}", WRONG, proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 10.5.5.5")
    same = log_in(client, "meilin", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="10.5.5.5")
    other = log_in(client, "meilin", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="10.5.5.6")
    assert (same.status_code, other.status_code) == (429, 302)


# --- logging and a missing cache ---------------------------------------------------------


def test_a_refusal_is_logged_without_the_password(client, meilin, caplog):
    fail(client, "meilin", 5)
    with caplog.at_level(logging.WARNING, logger="config.loginguard"):
        log_in(client, "meilin", "the-secret-tried-6th")
    [record] = [r for r in caplog.records if r.name == "config.loginguard"]
    message = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "'meilin'" in message and ADDRESS in message and "user name" in message
    assert "the-secret-tried-6th" not in message and WRONG not in message


class UnreachableCache:
    def __getattr__(self, name):
        def unreachable(*args, **kwargs):
            raise RedisConnectionError("Connection refused")

        return unreachable


def test_without_its_cache_the_login_still_works(client, meilin, monkeypatch, caplog):
    monkeypatch.setattr(loginguard, "cache", UnreachableCache())
    with caplog.at_level(logging.ERROR, logger="config.loginguard"):
        fail(client, "meilin", 6)
        response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 302
    messages = {r.getMessage() for r in caplog.records if r.name == "config.loginguard"}
    assert messages == {
        "Login limits not checked: the cache is unreachable",
        "Failed login not counted: the cache is unreachable",
        "Login count not cleared: the cache is unreachable",
    }
