"""The API within the caller's scope (``stations.scope``): a token reads only its
company's resources, whatever it asks; a signed-in user reads the company they look at,
within their scope (``?company=`` chooses; another city's id is not found)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from api.tokens import issue_token
from stations.models import OrgUnit, Station
from tests.api.conftest import MONTH, Caller
from tests.builders import score_month
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def two_cities(feed_company, other_company):
    """Both companies scored in October; the other company's import is its own."""
    mine = list(Station.objects.filter(county__company=feed_company).order_by("code"))
    score_month(mine, OCTOBER, [50 + 5 * n for n in range(6)])
    score_month([Station.objects.get(code="X1")], OCTOBER, [40])
    return feed_company, other_company


def _resources(other_company) -> list[str]:
    """Every reading URL of the other company's objects."""
    from indicators.models import ImportBatch

    batch = ImportBatch.objects.filter(company=other_company).values_list("pk", flat=True)[0]
    return ["/api/v1/stations/X1/", "/api/v1/stations/X1/history/", f"/api/v1/imports/{batch}/"]


def test_a_token_reads_none_of_another_companys_resources(two_cities, caller):
    _mine, other = two_cities
    for url in _resources(other):
        assert caller.get(url).status_code == 404, url
    # Asking for the other company changes nothing: the token's company is the answer.
    stations = caller.get("/api/v1/stations/", company=other.pk).json()["results"]
    assert "X1" not in [row["code"] for row in stations]
    scores = caller.get(f"/api/v1/months/{MONTH}/scores/", company=other.pk).json()["results"]
    assert scores and "X1" not in [row["station_code"] for row in scores]
    other_token = Caller(Client(), issue_token(name="x", company=other, indicators=[]).plaintext)
    assert other_token.get("/api/v1/stations/F1/").status_code == 404


def test_a_signed_in_user_reads_their_city_and_not_another(two_cities, client):
    mine, other = two_cities
    client.force_login(user_with_role("admin", company=mine))
    listed = client.get("/api/v1/stations/").json()["results"]
    assert [row["code"] for row in listed] == ["F1", "F2", "F3", "F4", "F5", "F6"]
    assert client.get("/api/v1/stations/", {"company": other.pk}).status_code == 404
    for url in _resources(other):
        assert client.get(url).status_code == 404, url


def test_a_province_viewer_reads_each_city_by_choosing_it(two_cities, client):
    mine, other = two_cities
    province = OrgUnit.objects.create(code="P", name="省公司")
    for company in (mine, other):
        company.parent = province
        company.save(update_fields=["parent"])
    client.force_login(user_with_role("party_committee", unit=province))
    listed = client.get("/api/v1/stations/", {"company": other.pk}).json()["results"]
    assert [row["code"] for row in listed] == ["X1"]
    listed = client.get("/api/v1/stations/", {"company": mine.pk}).json()["results"]
    assert [row["code"] for row in listed][:1] == ["F1"]
