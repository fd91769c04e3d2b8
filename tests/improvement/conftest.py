"""Scored months of three stations (see tests/mapviews/conftest.py) and users by role."""

from __future__ import annotations

import pytest

from tests.factories import user_with_role
from tests.mapviews.conftest import scored  # noqa: F401  (a fixture used by these tests)


@pytest.fixture
def people(scored):  # noqa: F811
    """S1's staff and secretary, S2's secretary, a committee member (all in English)."""
    s1, s2, _s3 = scored
    return {
        "staff": user_with_role("station_staff", station=s1),
        "secretary": user_with_role("station_secretary", station=s1),
        "other_secretary": user_with_role("station_secretary", station=s2),
        "committee": user_with_role("party_committee"),
    }


@pytest.fixture
def login(client):
    """Log the test client in as a user, in English."""

    def as_user(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return as_user


@pytest.fixture
def stations(company):
    """The seven scored stations of tests/improvement/pairing_month.py (the pairing and help
    pages' month)."""
    from tests.improvement.pairing_month import make_stations, score_pairing_month

    found = make_stations(company)
    score_pairing_month(found)
    return found


@pytest.fixture
def committee(client, stations):
    """A party committee member on the pairing and help pages, in English."""
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client
