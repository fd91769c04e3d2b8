"""Failed logins lock one user name from one address (django-axes), on both login pages.

Before django-axes, anyone could lock the admin out for 15 minutes with 5 wrong
passwords from anywhere; now only the pair (user name, address) that failed is locked.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.clientaddress import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # UserFactory's
WRONG = "not-the-password"
ADDRESS = "10.1.2.3"
ATTACKER = "10.6.6.6"
REFUSED_15 = "Too many failed logins for this account from this address. Try again in 15 minutes."
MISMATCH = "Your user name and password did not match. Please try again."


@pytest.fixture
def meilin(db):
    return UserFactory(username="meilin")


@pytest.fixture
def staff(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


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


def fail(client, username, times, address=ADDRESS, url=None) -> list[int]:
    return [log_in(client, username, WRONG, address, url).status_code for _ in range(times)]


def move_clock_back(minutes: float) -> None:
    """As if every recorded failure had happened ``minutes`` earlier."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_a_wrong_password_says_so(client, meilin):
    response = log_in(client, "meilin", WRONG)
    assert response.status_code == 200
    assert MISMATCH in response.content.decode()


def test_the_fifth_wrong_password_locks_and_then_the_right_one_is_refused(client, meilin):
    assert fail(client, "meilin", 5) == [200, 200, 200, 200, 429]

    response = log_in(client, "meilin", PASSWORD)

    assert response.status_code == 429
    assert REFUSED_15 in response.content.decode()
    assert MISMATCH not in response.content.decode()
    assert logged_in_as(client) is None


def test_four_wrong_passwords_still_allow_the_right_one(client, meilin):
    fail(client, "meilin", 4)
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == "meilin"


def test_an_attacker_elsewhere_cannot_lock_the_admin_out(client, staff):
    """The defect: 5 wrong passwords from anywhere used to lock the account for everyone."""
    assert fail(client, "chief", 8, address=ATTACKER)[-1] == 429

    response = log_in(client, "chief", PASSWORD, address=ADDRESS, url=reverse("admin:login"))

    assert response.status_code == 302
    assert logged_in_as(client) == "chief"


def test_the_attackers_own_address_stays_locked(client, staff):
    fail(client, "chief", 5, address=ATTACKER)
    response = log_in(client, "chief", PASSWORD, address=ATTACKER)
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_an_unknown_user_name_is_refused_alike(client, meilin):
    """The refusal is the same whether the account exists: it tells an attacker nothing."""
    fail(client, "meilin", 5)
    fail(client, "nobody", 5)
    known = log_in(client, "meilin", WRONG)
    unknown = log_in(client, "nobody", WRONG)
    assert (known.status_code, unknown.status_code) == (429, 429)
    assert REFUSED_15 in known.content.decode()
    assert REFUSED_15 in unknown.content.decode()


def test_another_user_from_the_same_address_is_not_locked(client, meilin):
    UserFactory(username="hong")
    fail(client, "meilin", 5)
    assert log_in(client, "hong", PASSWORD).status_code == 302


def test_refused_attempts_do_not_move_the_end_of_the_lock(client, meilin):
    fail(client, "meilin", 5)
    move_clock_back(10)
    for _ in range(3):
        assert log_in(client, "meilin", WRONG).status_code == 429
    response = log_in(client, "meilin", PASSWORD)
    assert "Try again in 5 minutes." in response.content.decode()


def test_a_success_clears_the_count(client, meilin):
    fail(client, "meilin", 4)
    assert log_in(client, "meilin", PASSWORD).status_code == 302
    client.logout()
    assert fail(client, "meilin", 4) == [200] * 4  # 8 without the clearing: locked
    assert log_in(client, "meilin", PASSWORD).status_code == 302


def test_the_cool_off_ends_the_lock(client, meilin):
    fail(client, "meilin", 5)
    move_clock_back(14)
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 1 minute." in response.content.decode()

    move_clock_back(1 + 1 / 60)
    response = log_in(client, "meilin", PASSWORD)
    assert response.status_code == 302
    assert logged_in_as(client) == "meilin"


def test_failures_older_than_the_cool_off_are_forgotten(client, meilin):
    fail(client, "meilin", 4)
    move_clock_back(settings.LOGIN_LOCKOUT_SECONDS / 60 + 1)
    fail(client, "meilin", 4)
    assert log_in(client, "meilin", PASSWORD).status_code == 302


def test_failures_are_kept_in_the_database(client, meilin):
    """Not in the cache: a hung Redis must not stall or unlock logins."""
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    fail(client, "meilin", 2)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "meilin",
        ADDRESS,
        2,
    )
    assert WRONG not in attempt.post_data
    assert attempt.attempt_time <= timezone.now()


def test_logins_without_a_request_still_work(client, meilin):
    """The test client's login() and the shell pass no request: nothing to count, no crash."""
    assert client.login(username="meilin", password=PASSWORD) is True
    assert client.login(username="meilin", password=WRONG) is False
    assert AccessAttempt.objects.count() == 0


# --- the admin login ----------------------------------------------------------------


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
    assert 'name="next" value="/admin/"' in response.content.decode()
    assert logged_in_as(client) is None


def test_the_two_login_pages_share_the_counts(client, staff):
    fail(client, "chief", 3)
    fail(client, "chief", 2, url=reverse("admin:login"))
    assert log_in(client, "chief", PASSWORD, url=reverse("admin:login")).status_code == 429
    assert log_in(client, "chief", PASSWORD).status_code == 429


def test_the_refusal_page_is_translated(client, meilin):
    fail(client, "meilin", 5)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.post(
        reverse("login"), {"username": "meilin", "password": PASSWORD}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


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
    assert client_address(request) == expected


def test_behind_a_trusted_proxy_each_client_has_its_own_lock(client, meilin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"
    for n in range(5):  # each claims another address, but the proxy names the real one
        log_in(client, "meilin", WRONG, proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 10.5.5.5")
    same = log_in(client, "meilin", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="10.5.5.5")
    other = log_in(client, "meilin", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="10.5.5.6")
    assert (same.status_code, other.status_code) == (429, 302)
