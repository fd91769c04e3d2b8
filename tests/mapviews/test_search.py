"""The header's station search: by name, pinyin ("meilin"), initials ("ml") or code, only
among the stations the viewer may see; suggestions as JSON, a plain page without script."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stations.models import OrgMember
from tests.factories import CompanyFactory, CountyFactory, StationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(company):
    county = CountyFactory(company=company, name="海曙")
    return {
        "meilin": StationFactory(code="NB001", name="梅林供电所", county=county),
        "mali": StationFactory(code="NB002", name="马林供电所", county=county),
        "dongwu": StationFactory(code="NB010", name="东吴供电所", county=county),
        "lin": StationFactory(code="MLX01", name="林场供电所", county=county),
    }


@pytest.fixture
def other_company_station():
    county = CountyFactory(company=CompanyFactory(name="温州供电公司"), name="鹿城")
    return StationFactory(code="WZ001", name="梅林头供电所", county=county)


def found(client, query: str) -> list[str]:
    answer = client.get(reverse("mapviews:search_suggestions"), {"q": query})
    assert answer.status_code == 200
    return [station["name"] for station in answer.json()["stations"]]


@pytest.fixture
def viewer(client, stations, other_company_station):
    """Station staff of 梅林 (the first company's)."""
    user = UserFactory()
    from stations.models import StationMember

    StationMember.objects.create(user=user, station=stations["meilin"])
    client.force_login(user)
    return client


def test_a_station_is_found_by_pinyin_initials_code_and_name(viewer):
    assert found(viewer, "meilin") == ["梅林供电所"]
    assert found(viewer, "MeiLin") == ["梅林供电所"]
    # Initials "ml": 梅林 (mlgds) and 马林 (mlgds) by pinyin, and the code MLX01 first.
    assert found(viewer, "ml") == ["林场供电所", "马林供电所", "梅林供电所"]
    assert found(viewer, "nb01") == ["东吴供电所"]  # a code, whatever its case
    assert found(viewer, "林") == ["林场供电所", "马林供电所", "梅林供电所"]
    assert found(viewer, "NB002") == ["马林供电所"]
    assert found(viewer, "  ") == []


def test_only_the_viewers_companies_stations_are_found(client, viewer, other_company_station):
    assert "梅林头供电所" not in found(viewer, "meilin")
    member = UserFactory()
    OrgMember.objects.create(user=member, company=other_company_station.county.company)
    client.force_login(member)
    assert found(client, "meilin") == ["梅林头供电所"]
    client.force_login(UserFactory(is_superuser=True))
    assert sorted(found(client, "meilin")) == ["梅林供电所", "梅林头供电所"]


def test_at_most_ten_are_listed(viewer, stations):
    county = stations["meilin"].county
    for n in range(12):
        StationFactory(code=f"ZZ{n:02d}", name=f"长街{n:02d}", county=county)
    answer = viewer.get(reverse("mapviews:search_suggestions"), {"q": "zz"}).json()
    assert len(answer["stations"]) == 10 and answer["more"] is True
    assert answer["stations"][0] == {
        "code": "ZZ00",
        "name": "长街00",
        "county": "海曙",
        "active": True,
        "url": "/stations/ZZ00/",
    }


def test_the_page_without_script_lists_the_stations_and_opens_the_only_one(viewer):
    page = viewer.get(reverse("mapviews:search"), {"q": "ml"})
    html = page.content.decode().split("<main")[1]  # the header names the viewer's station
    assert page.status_code == 200
    assert html.index("林场供电所") < html.index("马林供电所") < html.index("梅林供电所")
    assert 'href="/stations/NB001/"' in html
    only = viewer.get(reverse("mapviews:search"), {"q": "meilin"})
    assert (only.status_code, only["Location"]) == (302, "/stations/NB001/")
    none = viewer.get(reverse("mapviews:search"), {"q": "xyz"}).content.decode()
    assert "xyz" in none and "/stations/" not in none.split("<main")[1]


def test_every_page_has_the_search_box_labelled(viewer):
    html = viewer.get(reverse("mapviews:ranking")).content.decode()
    header = html.split("</header>")[0]
    assert 'role="search"' in header and 'action="/search/"' in header
    assert '<label for="station-search-input"' in header
    assert 'id="station-search-input"' in header and 'role="combobox"' in header
