"""Every logged-in user changes their own password at /accounts/password/."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import CompanyFactory, user_with_role

pytestmark = pytest.mark.django_db

OLD = "a-long-test-password"  # UserFactory's
NEW = "violet-harbour-lantern-42"


@pytest.fixture
def meilin(client):
    user = user_with_role("station_staff", company=CompanyFactory(), username="meilin")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def change(client, old=OLD, new1=NEW, new2=NEW):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )


def test_the_page_opens_from_the_header(client, meilin):
    home = client.get(reverse("mapviews:ranking"))
    assert f'href="{reverse("password_change")}"' in home.content.decode()
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()


def test_a_change_keeps_the_session_and_the_new_password_works(client, meilin):
    response = change(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    done = client.get(response["Location"])
    assert done.status_code == 200 and "Your password has been changed" in done.content.decode()
    assert client.get(reverse("mapviews:ranking")).status_code == 200  # still logged in
    user = get_user_model().objects.get(pk=meilin.pk)
    assert user.check_password(NEW) and not user.check_password(OLD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "This password is too short."),
        ("12345678901", "This password is entirely numeric."),
        ("password123", "This password is too common."),
        ("meilin2026", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused(client, meilin, new, message):
    response = change(client, new1=new, new2=new)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert get_user_model().objects.get(pk=meilin.pk).check_password(OLD)


def test_a_wrong_current_password_is_refused(client, meilin):
    response = change(client, old="not-it")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert get_user_model().objects.get(pk=meilin.pk).check_password(OLD)


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
