"""Two scored months of three stations, shared by the page tests."""

from __future__ import annotations

import pytest

from stations.models import StationMember
from tests.factories import UserFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month


@pytest.fixture
def scored(three_stations):
    # Six indicators are higher-is-better, four lower-is-better (weights equal):
    # September S1 40, S2 50, S3 60 → yellow, blue, red (N = 3: cut-offs 1,1,2,2,3).
    # October S1 60, S2 40, S3 no data → orange, green (N = 2: cut-offs 0,1,1,2,2).
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    score_month(three_stations, OCTOBER, [30, 20, None])
    return three_stations


@pytest.fixture
def member(scored):
    user = UserFactory()
    StationMember.objects.create(user=user, station=scored[0])
    return user


@pytest.fixture
def committee_viewer(client, scored):
    """A party committee member (sees every station's detail and the matrix), in English."""
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    return client
