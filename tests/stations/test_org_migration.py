"""The migration that brings the organisation tree places the users of a one-company
installation in that company, so they keep seeing it once pages keep to a user's place."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from stations.models import OrgMember, OrgUnit
from stations.scope import visible_company_ids
from tests.factories import CompanyFactory, StationFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

place = importlib.import_module(
    "stations.migrations.0007_org_codes"
).place_users_in_the_only_company


def places() -> dict[str, str]:
    members = OrgMember.objects.select_related("user", "company", "unit")
    return {m.user.username: str(m.company or m.unit) for m in members}


def test_every_user_who_is_not_station_staff_is_placed_in_the_only_company():
    station = StationFactory(county__company=CompanyFactory(name="宁波供电公司"))
    committee = user_with_role("party_committee", username="committee")
    user_with_role("admin", username="admin")
    UserFactory(username="reader")  # no role: read the map of the one company before
    user_with_role("station_secretary", station=station, username="secretary")
    province = OrgUnit.objects.create(code="ZJ", name="浙江")
    OrgMember.objects.create(user=UserFactory(username="zhejiang"), unit=province)

    place(apps, None)
    assert places() == {
        "committee": "宁波供电公司",
        "admin": "宁波供电公司",
        "reader": "宁波供电公司",
        "zhejiang": "浙江",  # already placed: left alone
    }
    assert visible_company_ids(committee) == {station.county.company_id}
    place(apps, None)  # again: nothing more
    assert OrgMember.objects.count() == 4


@pytest.mark.parametrize("companies", [0, 2])
def test_without_exactly_one_company_nobody_is_placed(companies):
    for _ in range(companies):
        CompanyFactory()
    user_with_role("party_committee", username="committee", placed=False)
    place(apps, None)
    assert not OrgMember.objects.exists()
