"""Users for the indicators page: with exactly the permission a view asks for, or none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


def user_with(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="indicators", codename__in=codenames)
    )
    return user


@pytest.fixture
def editor(db):
    """May change indicators (edit, retire) but not add them."""
    return user_with("change_indicator")


@pytest.fixture
def indicator_admin(db):
    return user_with("change_indicator", "add_indicator")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client
