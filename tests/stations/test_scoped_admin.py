"""The Django admin within the user's scope (``stations.scopeadmin.ScopedAdmin``): a
city's administrator lists, opens and saves only their city's rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stations.models import County
from tests.factories import CompanyFactory, CountyFactory, StationFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities():
    mine, other = CompanyFactory(name="宁波"), CompanyFactory(name="温州")
    StationFactory(code="NB1", name="宁波一所", county=CountyFactory(company=mine))
    StationFactory(code="WZ1", name="温州一所", county=CountyFactory(company=other))
    return mine, other


@pytest.fixture
def city_admin(client, cities):
    client.force_login(user_with_role("admin", company=cities[0], is_staff=True))
    client.cookies["django_language"] = "en"
    return client


def test_the_lists_hold_only_the_users_city(city_admin, cities):
    from stations.models import Station

    page = city_admin.get(reverse("admin:stations_station_changelist")).content.decode()
    assert "宁波一所" in page and "温州一所" not in page
    assert "温州" not in page  # nor in the filters by company and county
    scores = city_admin.get(reverse("admin:scoring_scorerun_changelist"))
    assert scores.status_code == 200
    assert {run.company_id for run in scores.context["cl"].result_list} <= {cities[0].pk}
    other = Station.objects.get(code="WZ1")
    # Another city's row is not found: the admin sends the user back to its index.
    answer = city_admin.get(reverse("admin:stations_station_change", args=[other.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("admin:index")


def test_a_row_cannot_be_saved_into_another_city(city_admin, cities):
    from stations.models import Station

    mine, other = (County.objects.get(company=city) for city in cities)
    add = reverse("admin:stations_station_add")
    form = city_admin.get(add).content.decode()
    assert mine.name in form and other.name not in form  # the county choices
    fields = {"code": "NEW1", "name": "新所", "latitude": 29.8, "longitude": 121.5}
    fields |= {"staff_count": 10, "active": "on", "peer_group": ""}
    answer = city_admin.post(add, {**fields, "county": other.pk})
    assert answer.status_code == 200  # the form again, with the error
    assert not Station.objects.filter(code="NEW1").exists()
    assert city_admin.post(add, {**fields, "county": mine.pk}).status_code == 302
    assert Station.objects.get(code="NEW1").county == mine


def test_a_company_is_added_by_superusers_only(city_admin):
    assert city_admin.get(reverse("admin:stations_company_add")).status_code == 403
