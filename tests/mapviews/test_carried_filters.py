"""The month and county chosen on one month page stay chosen on the others (map, ranking,
matrix, history) for the session; a page's own URL still wins."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, CountyFactory, StationFactory, user_with_role
from tests.pages import month_stepper

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties(scored):
    """The scored stations' county 海曙 and a second one, 江北."""
    home = scored[0].county
    other = CountyFactory(company=home.company, name="江北")
    StationFactory(county=other)
    return {"海曙": home.pk, "江北": other.pk}


def shown(client, name: str, **query) -> dict:
    """The month and county a page shows (its pickers), as a user reads them."""
    response = client.get(reverse(name), query)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    if name == "mapviews:history":
        month = re.search(r'id="to-select".*?<option value="([^"]+)" selected>', html, re.S)[1]
    else:
        month = month_stepper(response)["month"]
    select = html[html.index('id="county-select"') :]
    select = select[: select.index("</select>")]
    county = re.search(r'<option value="(\d*)" selected>', select)
    return {"month": month, "county": int(county[1]) if county else None}


def test_the_month_and_county_chosen_on_the_map_stay_chosen(committee_viewer, counties):
    assert shown(committee_viewer, "mapviews:ranking")["month"] == "2026-10"  # the newest
    chosen = {"month": "2026-09", "county": counties["海曙"]}
    assert shown(committee_viewer, "mapviews:map", period="2026-09", county=counties["海曙"]) == (
        chosen
    )
    for page in ("mapviews:ranking", "mapviews:matrix", "mapviews:history", "mapviews:home"):
        assert shown(committee_viewer, page) == chosen, page


def test_the_url_wins_and_is_remembered_in_turn(committee_viewer, counties):
    shown(committee_viewer, "mapviews:map", period="2026-09", county=counties["海曙"])
    assert shown(committee_viewer, "mapviews:ranking", period="2026-10") == {
        "month": "2026-10",
        "county": counties["海曙"],
    }
    # "All counties" (an empty county) forgets the county.
    assert shown(committee_viewer, "mapviews:history", to="2026-09", county="") == {
        "month": "2026-09",
        "county": None,
    }
    assert shown(committee_viewer, "mapviews:matrix") == {"month": "2026-09", "county": None}


def test_the_month_players_month_is_remembered(committee_viewer, counties):
    answer = committee_viewer.get(reverse("mapviews:map_month"), {"period": "2026-09"})
    assert answer.status_code == 200
    assert shown(committee_viewer, "mapviews:ranking")["month"] == "2026-09"


def test_a_kept_page_is_not_shown_for_other_filters(committee_viewer, counties):
    """The kept body's key holds the remembered values (mapviews/pagecache.py)."""
    assert shown(committee_viewer, "mapviews:ranking")["month"] == "2026-10"  # kept now
    shown(committee_viewer, "mapviews:map", period="2026-09")
    assert shown(committee_viewer, "mapviews:ranking")["month"] == "2026-09"


def test_a_county_of_another_company_is_refused_and_not_remembered(committee_viewer, counties):
    elsewhere = CountyFactory(company=CompanyFactory(), name="鹿城")
    answer = committee_viewer.get(reverse("mapviews:ranking"), {"county": elsewhere.pk})
    assert answer.status_code == 400
    assert shown(committee_viewer, "mapviews:ranking")["county"] is None


def test_a_new_login_starts_afresh(committee_viewer, counties):
    shown(committee_viewer, "mapviews:map", period="2026-09", county=counties["江北"])
    committee_viewer.logout()
    committee_viewer.force_login(user_with_role("party_committee"))
    assert shown(committee_viewer, "mapviews:ranking") == {"month": "2026-10", "county": None}
