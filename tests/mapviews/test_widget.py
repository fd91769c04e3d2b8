"""The homepage widget: a small page per request (with its CSP nonce) and its map as
JSON that a repeat view gets as a 304."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mapviews import selectors
from scoring.models import ScoreRun, SensitivityRun
from tests.factories import StationFactory, user_with_role
from tests.mapviews.months import OCTOBER, SEPTEMBER, score_month
from tests.mapviews.test_map_pages import map_traces, outlines

pytestmark = pytest.mark.django_db

MAP = reverse("mapviews:widget_map")


@pytest.fixture
def viewer(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


def test_the_page_loads_its_map_and_keeps_its_nonce(viewer):
    response = viewer.get(reverse("mapviews:widget"))
    page = response.content.decode()
    assert f'data-map-url="{MAP}?period=2026-10"' in page
    assert "station-map-figure" not in page  # the figure is not in the page
    nonce = re.search(r'<style id="plotly.js-style-global" nonce="([^"]+)"></style>', page)
    assert f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    again = viewer.get(reverse("mapviews:widget"))  # the kept page, with a new nonce
    renewed = re.search(r'nonce="([^"]+)"', again.content.decode())
    assert renewed.group(1) != nonce.group(1)
    assert f"'nonce-{renewed.group(1)}'" in again["Content-Security-Policy"]
    assert _without_nonce(again.content) == _without_nonce(response.content)
    assert "Cache-Control" not in response or "no-cache" not in response["Cache-Control"]


def test_a_page_kept_by_another_process_gets_this_answers_nonce(viewer, monkeypatch):
    from mapviews.views import widget

    viewer.get(reverse("mapviews:widget"))  # kept by "this" process
    monkeypatch.setattr(widget, "NONCE_SLOT", "another-process-slot")
    response = viewer.get(reverse("mapviews:widget"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def _without_nonce(page: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]+"', b"", page)


def test_the_kept_page_changes_with_what_it_shows(viewer, client, scored):
    page = viewer.get(reverse("mapviews:widget")).content.decode()
    assert "2026-10" in page and 'class="widget-own"' in page
    assert (
        "2026-09" in viewer.get(reverse("mapviews:widget"), {"period": "2026-09"}).content.decode()
    )
    viewer.cookies["django_language"] = "zh-hans"
    assert viewer.get(reverse("mapviews:widget")).content.decode() != page
    viewer.cookies["django_language"] = "en"
    other = client.__class__()
    other.force_login(user_with_role("station_staff"))  # no station: no "My station" line
    other.cookies["django_language"] = "en"
    assert 'class="widget-own"' not in other.get(reverse("mapviews:widget")).content.decode()
    # A new published run for the month: the legend counts it at once.
    score_month([StationFactory(county=scored[0].county)], OCTOBER, [25])
    legend = dict(viewer.get(reverse("mapviews:widget")).context["legend"])
    assert sum(legend.values()) == 4
    bad = viewer.get(reverse("mapviews:widget"), {"county": "99999"})
    assert bad.status_code == 400


def test_the_legend_counts_what_the_map_shows(viewer, company, scored):
    StationFactory(code="S9", county=scored[0].county)  # added since: counted as not scored
    for period in (SEPTEMBER, OCTOBER):
        rows = selectors.ranking_rows(company.pk, period)
        assert selectors.month_grade_counts(company.pk, period) == selectors.grade_counts(rows)
    county = scored[0].county_id
    assert selectors.month_grade_counts(company.pk, OCTOBER, county) == selectors.grade_counts(
        selectors.ranking_rows(company.pk, OCTOBER, county)
    )
    legend = dict(viewer.get(reverse("mapviews:widget")).context["legend"])
    assert {grade.code: count for grade, count in legend.items() if count} == {
        "orange": 1,
        "green": 1,
        "ungraded": 2,
    }


def test_the_map_is_the_shared_figure_and_the_viewers_outline(viewer, client):
    data = viewer.get(MAP, {"period": "2026-10"}).json()
    assert len(map_traces(data["figure"])) == 3 and outlines(data["figure"]) == []
    assert outlines({"data": [data["own"]]}) == [data["own"]]
    other = client.__class__()
    other.force_login(user_with_role("station_staff"))  # no station: same figure, no outline
    other.cookies["django_language"] = "en"
    theirs = other.get(MAP, {"period": "2026-10"}).json()
    assert theirs == {"figure": data["figure"], "own": None}


def test_a_repeat_view_is_a_304_until_something_shown_changes(viewer, scored, member):
    first = viewer.get(MAP, {"period": "2026-10"})
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "private, no-cache"
    repeat = viewer.get(MAP, {"period": "2026-10"}, headers={"if-none-match": etag})
    assert repeat.status_code == 304 and repeat.content == b""
    since = viewer.get(MAP, {"period": "2026-10"}, headers={"if-modified-since": modified})
    assert since.status_code == 304

    def etag_now(client=viewer, **query):
        return client.get(MAP, {"period": "2026-10", **query})["ETag"]

    assert etag_now() == etag
    assert etag_now(county=scored[0].county_id) != etag  # another county
    viewer.cookies["django_language"] = "zh-hans"
    assert etag_now() != etag  # the hover texts' language
    viewer.cookies["django_language"] = "en"
    colleague = viewer.__class__()
    colleague.force_login(user_with_role("station_staff", station=scored[1]))
    colleague.cookies["django_language"] = "en"
    assert etag_now(colleague) != etag  # another outline
    october = ScoreRun.objects.get(period=OCTOBER, is_current=True)
    SensitivityRun.objects.create(
        run=october, params={}, uncertain_count=0, compute_ms=1, results={}
    )
    marked = etag_now()
    assert marked != etag  # new sensitivity marks
    score_month([StationFactory(county=scored[0].county)], OCTOBER, [25])
    assert etag_now() not in (etag, marked)  # a new published run (new data or a re-grade)


def test_the_map_query_counts(viewer, django_assert_num_queries):
    first = viewer.get(MAP, {"period": "2026-10"})
    # session and user: the viewer's company, station and a stamp of its runs are kept
    # per state of the data (pagecache.kept_viewer)
    with django_assert_num_queries(2):
        repeat = viewer.get(MAP, {"period": "2026-10"}, headers={"if-none-match": first["ETag"]})
    assert repeat.status_code == 304
    with django_assert_num_queries(2):
        again = viewer.get(MAP, {"period": "2026-10"})
    assert again.content == first.content


def test_the_viewer_stamp_picks_the_company_the_pages_pick(member, scored):
    from scoring.selectors import viewer_stamp
    from stations.viewer import company_for_user
    from tests.factories import CompanyFactory

    other_company = CompanyFactory()
    elsewhere = StationFactory(county=other_company.counties.create(name="鄞州"))
    away = user_with_role("station_staff", station=elsewhere)
    for user in (member, away, user_with_role("station_staff")):
        stamp = viewer_stamp(user, company_for_user(user).pk)
        assert stamp.company_id == company_for_user(user).pk
        membership = getattr(user, "station_membership", None)
        assert stamp.own_station_id == (membership.station_id if membership else None)
        own = membership.station if membership else None
        assert (stamp.own_station_code, stamp.own_station_name) == (
            (own.code, own.name) if own else ("", "")
        )
    # Station staff see their station's company, whatever company comes first.
    assert company_for_user(away) == other_company
    mine = scored[0].county.company_id
    before = viewer_stamp(member, mine).published
    score_month([StationFactory(county=scored[0].county)], OCTOBER, [25])
    assert viewer_stamp(member, mine).published != before
    # Runs, their ids, when last published, marks; months closed, months under review.
    assert viewer_stamp(away, other_company.pk).published == (
        "0",
        "None",
        "None",
        "None",
        "0",
        "0",
    )
    assert viewer_stamp(away, None).company_id is None
