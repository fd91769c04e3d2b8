"""Users for the indicators page: with exactly the permission a view asks for, or none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.factories import UserFactory


def user_with(*codenames: str):
    """A user with these permissions of the indicators app, placed in the first company
    (or the next one made), as ``user_with_role`` places users."""
    from stations.models import Company, OrgMember
    from tests.factories import UNPLACED

    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="indicators", codename__in=codenames)
    )
    first = Company.objects.order_by("pk").first()
    if first is not None:
        OrgMember.objects.create(user=user, company=first)
    else:
        UNPLACED.append(user)
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
