"""The station page lists the county peers around the station, a bounded window whatever
the county's size, with a link to the whole county in the ranking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mapviews.selectors import county_peers
from tests.builders import run_month, write_values
from tests.factories import CompanyFactory, CountyFactory, StationFactory, user_with_role
from tests.mapviews.months import OCTOBER


@pytest.fixture
def county_of_twenty(db):
    """Twenty stations of one county scored in October: P00 best (rank 1) … P19 worst;
    P19 has no data (unranked)."""
    county = CountyFactory(company=CompanyFactory())
    stations = [StationFactory(code=f"P{n:02d}", county=county) for n in range(20)]
    values = [None if n == 19 else 100 - 4 * n for n in range(20)]
    # Lower-is-better indicators invert, so give every indicator a value that ranks in
    # the same order for both directions: equal values except one higher-is-better one.
    write_values(
        OCTOBER,
        {s: (None if v is None else {"safety": v}) for s, v in zip(stations, values, strict=True)},
        default=50,
    )
    run_month(county.company, OCTOBER)
    return stations


def codes(peers) -> list[str]:
    return [peer.station.code for peer in peers]


def test_the_window_is_centred_on_the_station(county_of_twenty):
    peers = county_peers(county_of_twenty[10], OCTOBER, window=2)
    assert codes(peers) == ["P08", "P09", "P10", "P11", "P12"]
    assert (peers.first, peers.last, peers.total, peers.partial) == (9, 13, 20, True)


def test_at_the_top_and_the_bottom_the_window_stays_full(county_of_twenty):
    assert codes(county_peers(county_of_twenty[0], OCTOBER, window=2)) == [
        "P00", "P01", "P02", "P03", "P04",
    ]  # fmt: skip
    bottom = county_peers(county_of_twenty[19], OCTOBER, window=2)  # unranked: last
    assert codes(bottom) == ["P15", "P16", "P17", "P18", "P19"]
    assert bottom.rows[-1].rank is None and bottom.first == 16


def test_a_small_county_is_listed_whole(county_of_twenty):
    peers = county_peers(county_of_twenty[3], OCTOBER, window=20)
    assert len(codes(peers)) == 20 and not peers.partial


def test_the_page_names_the_window_and_links_the_whole_county(client, county_of_twenty):
    client.force_login(user_with_role("party_committee"))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("mapviews:station", args=["P10"])).content.decode()
    assert "Places 6–16 of the county's 20 stations, around this one." in page
    county = county_of_twenty[0].county_id
    company = county_of_twenty[0].county.company_id
    assert f"/ranking/?company={company}&amp;period=2026-10&amp;county={county}" in page
    assert page.count('<tr class="own-station">') == 1
