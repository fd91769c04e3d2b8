"""Kept page bodies (mapviews/pagecache.py): a second view reads the kept body, and every
change of what a page shows shows at once."""

from __future__ import annotations

import gzip
import re

import pytest
from django.urls import reverse

from indicators.models import Indicator
from stations.models import Station
from tests.factories import MeasureFactory, StationFactory, user_with_role
from tests.mapviews.months import OCTOBER, score_month

pytestmark = pytest.mark.django_db

PAGES = [
    ("mapviews:ranking", ()),
    ("mapviews:matrix", ()),
    ("mapviews:history", ()),
    ("mapviews:station", ("S2",)),
]


def page(client, name: str, args=(), **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_a_kept_page_shows_a_renamed_station_at_once(committee_viewer, scored, name, args):
    assert "S2 renamed" not in page(committee_viewer, name, args)
    assert "S2 renamed" not in page(committee_viewer, name, args)  # kept
    station = Station.objects.get(code="S2")
    station.name = "S2 renamed"
    station.save()
    # (history lists S2 among the stations that moved down)
    assert "S2 renamed" in page(committee_viewer, name, args)


def test_the_second_view_reads_the_kept_body(committee_viewer, django_assert_max_num_queries):
    first = page(committee_viewer, "mapviews:ranking")
    # session, user, the body's key; the header: roles, permissions (2), own station,
    # unread notices
    with django_assert_max_num_queries(8):
        second = page(committee_viewer, "mapviews:ranking")
    body = first.split('<main class="content">')[1].split("</main>")[0]
    assert body in second


def test_a_new_station_and_its_first_score_show_at_once(committee_viewer, scored):
    assert "Newcomer" not in page(committee_viewer, "mapviews:ranking", period="2026-10")
    newcomer = StationFactory(county=scored[0].county, name="Newcomer")
    # Added after October's run: listed as not scored yet.
    html = page(committee_viewer, "mapviews:ranking", period="2026-10")
    assert "Newcomer" in html and "not scored yet" in html
    score_month([newcomer], OCTOBER, [50])  # a new run scores it
    html = page(committee_viewer, "mapviews:ranking", period="2026-10")
    assert "Newcomer" in html and "not scored yet" not in html


def test_a_new_run_changes_the_kept_history(viewer_en, scored):
    before = page(viewer_en, "mapviews:history")
    assert "Moved down a grade: 1 station<" in before  # S2
    newcomer = StationFactory(county=scored[0].county)
    score_month([newcomer], OCTOBER, [5])  # new data: a new run of October
    after = page(viewer_en, "mapviews:history")
    assert "Moved down a grade: 1 station<" not in after


def test_an_indicator_renamed_shows_in_the_matrix(committee_viewer):
    page(committee_viewer, "mapviews:matrix")
    Indicator.objects.filter(code="safety").update(name_en="Safety renamed")
    indicator = Indicator.objects.get(code="safety")
    indicator.save()  # the admin's save
    assert "Safety renamed" in page(committee_viewer, "mapviews:matrix")


def test_a_measure_added_shows_on_the_station_page(committee_viewer, scored):
    assert "Fix the pumps" not in page(committee_viewer, "mapviews:station", ("S2",))
    MeasureFactory(station=scored[1], title="Fix the pumps")
    assert "Fix the pumps" in page(committee_viewer, "mapviews:station", ("S2",))


def test_each_viewer_sees_only_their_own_scope(client, scored):
    """The committee's view of a station is kept apart from a stranger's: the indicator
    detail is never served to someone without the right."""
    client.cookies["django_language"] = "en"
    client.force_login(user_with_role("party_committee"))
    assert "private-detail" not in page(client, "mapviews:station", ("S2",))
    client.force_login(user_with_role("station_staff"))  # no station, no right
    assert "private-detail" in page(client, "mapviews:station", ("S2",))


def test_own_station_is_marked_for_its_member_only(client, member):
    client.cookies["django_language"] = "en"
    client.force_login(member)
    assert "own-station" in page(client, "mapviews:ranking")
    client.force_login(user_with_role("station_staff"))
    assert 'class="own-station"' not in page(client, "mapviews:ranking")


def test_each_language_has_its_own_body(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    assert "Station ranking" in page(client, "mapviews:ranking")
    client.cookies["django_language"] = "zh-hans"
    assert "Station ranking" not in page(client, "mapviews:ranking")


def test_pages_render_without_the_cache(committee_viewer, unreachable_cache):
    for name, args in PAGES:
        assert "S2" in page(committee_viewer, name, args)


@pytest.fixture
def viewer_en(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_a_gzip_client_gets_the_same_page_compressed(committee_viewer, scored, name, args):
    plain = page(committee_viewer, name, args)
    for _ in range(2):  # rendered, then kept
        response = committee_viewer.get(reverse(name, args=args), HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        html = gzip.decompress(response.content).decode()
        # The same page but for the request's own CSRF tokens and CSP nonce.
        assert _without_tokens(html) == _without_tokens(plain)
        assert "<!--body-" not in html


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)
