"""Logins expire, and weak passwords are refused by the project's validators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    UserFactory(username="meilin")
    response = client.post(
        reverse("login"), {"username": "meilin", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    return client, response


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_login_lasts_eight_hours_on_the_server(logged_in):
    client, _response = logged_in
    left = session_row(client).expire_date - timezone.now()
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert timedelta(hours=8) - timedelta(minutes=1) < left <= timedelta(hours=8)


def test_the_session_cookie_ends_with_the_browser(logged_in):
    _client, response = logged_in
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] is True


def test_an_expired_session_is_logged_out(logged_in):
    client, _response = logged_in
    home = client.get(reverse("mapviews:ranking"))
    assert home.wsgi_request.user.username == "meilin"

    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("mapviews:ranking"))

    assert response.wsgi_request.user.is_authenticated is False
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def refusals(password: str, user=None) -> set[str]:
    """The codes of the validators that refuse ``password`` (empty: accepted)."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("12345678", {"password_too_common", "password_entirely_numeric"}),
        ("password", {"password_too_common"}),
        ("wuse26", {"password_too_short"}),
        ("73915046285", {"password_entirely_numeric"}),
        ("quiet-harbour-lantern-71", set()),
    ],
)
def test_weak_passwords_are_refused(password, codes):
    assert refusals(password) == codes


def test_a_password_like_the_user_name_is_refused():
    user = get_user_model()(username="zhangweiming", email="zwm@example.cn")
    assert refusals("zhangweiming1", user) == {"password_too_similar"}


def test_passwords_are_stored_with_djangos_default_hasher_outside_the_tests(settings):
    """The suite hashes with MD5 for speed (tests/settings.py); the site itself uses
    Django's defaults, PBKDF2 first, and a password survives the round trip."""
    from django.conf import global_settings

    import config.settings

    assert not hasattr(config.settings, "PASSWORD_HASHERS")
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    user = UserFactory(username="hashed", password="a-long-test-password")

    assert user.password.startswith("pbkdf2_sha256$")
    assert user.check_password("a-long-test-password")
    assert not user.check_password("another-password")
