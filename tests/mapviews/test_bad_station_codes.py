"""A station whose code cannot be an ordinary path segment ("X/12", stored before the import
refused such codes) still links, and no page goes down for anyone (issue 13, defect 1)."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from tests.factories import CompanyFactory, StationFactory, user_with_role
from tests.mapviews.months import SEPTEMBER, score_month

PAGES = [
    ("mapviews:home", []),
    ("mapviews:ranking", []),
    ("mapviews:matrix", []),
    ("mapviews:map_month", []),
    ("mapviews:widget_map", []),  # the widget page shows only its own station
    ("scoring:month_review", ["2026-09"]),
    ("improvement:review", []),
    ("improvement:bulletin", []),
    ("improvement:all_red", []),
]


@pytest.fixture
def odd_station(three_stations):
    """ "X/12" written straight into the table (the model's validator is not run on save),
    scored in the newest month as the weakest station."""
    station = StationFactory(code="X/12", name="斜杠所", county=three_stations[0].county)
    score_month([station, *three_stations], SEPTEMBER, [10, 20, 30, 30])
    return station


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_every_page_shows_and_links_a_station_whose_code_has_a_slash(
    client, odd_station, name, args
):
    client.force_login(user_with_role("admin", is_staff=True))
    response = client.get(reverse(name, args=args), {"period": "2026-09"})
    assert response.status_code == 200
    link = reverse("mapviews:station", args=["X/12"])
    assert link == "/stations/X/12/"
    assert link in response.content.decode().replace("\\/", "/")  # the JSON escapes "/"


@pytest.mark.django_db
def test_the_link_of_a_code_with_a_slash_opens_its_station(client, odd_station):
    client.force_login(user_with_role("admin", is_staff=True))
    assert resolve("/stations/X/12/").kwargs == {"code": "X/12"}
    response = client.get("/stations/X/12/")
    assert response.status_code == 200
    assert response.context["station"] == odd_station
    work = client.get(reverse("improvement:measure_new", args=["X/12"]))
    assert work.status_code == 200 and work.context["station"] == odd_station


@pytest.mark.django_db
def test_odd_characters_in_a_stored_code_link_and_come_back(client, three_stations):
    codes = ["a b?c#d", "..", "%41", "名字"]
    for code in codes:
        StationFactory(code=code, county=three_stations[0].county)
    client.force_login(user_with_role("admin", is_staff=True))
    for code in codes:
        url = reverse("mapviews:station", args=[code])
        response = client.get(url)
        assert (response.status_code, response.context["station"].code) == (200, code)


@pytest.mark.django_db
def test_an_indicator_code_stored_with_a_slash_links_too(client):
    """Indicator codes carry the same kind of URL (the form allows fewer characters)."""
    from indicators.models import Indicator

    Indicator.objects.filter(code="safety").update(code="safe/ty")
    client.force_login(user_with_role("admin", is_staff=True, company=CompanyFactory()))
    listing = client.get(reverse("indicators:list"))
    edit = reverse("indicators:edit", args=["safe/ty"])
    assert listing.status_code == 200 and edit in listing.content.decode()
    assert client.get(edit).status_code == 200
