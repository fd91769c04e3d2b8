"""The map's shapes as files the browser keeps, prepared when they change, and a large
company drawn county by county."""

from __future__ import annotations

import gzip

import pytest
from django.urls import reverse
from shapely.geometry import box, mapping

from mapviews.views import home
from scoring.engine.grades import average_grade
from stations.models import CountyBoundary
from tests.factories import StationFactory
from tests.mapviews.months import OCTOBER, score_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client, member):
    client.force_login(member)
    client.cookies["django_language"] = "en"
    return client


def shape_urls(figure: dict) -> set[str]:
    return {t["geojson"] for t in figure["data"] if t["type"] == "choropleth"}


def test_the_month_names_its_shapes_and_the_browser_keeps_them(viewer):
    figure = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()["figure"]
    (url,) = shape_urls(figure)
    assert "coordinates" not in str(figure["data"][0])  # the month carries no area
    plain = viewer.get(url)
    assert plain.status_code == 200 and plain["Content-Type"] == "application/json"
    ids = sorted(feature["id"] for feature in plain.json()["features"])
    assert ids == ["S1", "S2", "S3"]
    kept = plain["Cache-Control"]
    assert "immutable" in kept and "max-age=31536000" in kept and "private" in kept
    zipped = viewer.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content


def test_moved_shapes_get_a_new_address_and_the_old_one_leads_there(viewer, scored):
    before = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()["figure"]
    (old,) = shape_urls(before)
    station = scored[1]
    station.longitude += 0.01
    station.save()
    after = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()["figure"]
    (new,) = shape_urls(after)
    assert new != old
    moved = viewer.get(old)
    assert moved.status_code == 302 and moved["Location"] == new
    assert "no-store" in moved["Cache-Control"]


def test_shape_files_refuse_what_is_not_theirs(client, viewer):
    figure = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()["figure"]
    (url,) = shape_urls(figure)
    assert viewer.get(url.replace("stations.json", "county-999999.json")).status_code == 404
    assert viewer.get(url.replace("stations.json", "everything.json")).status_code == 404
    assert viewer.get("/map/shapes/" + "0" * 64 + "/../stations.json").status_code == 404
    client.logout()
    refused = client.get(url)
    assert refused.status_code == 403 and "error" in refused.json()


def test_shapes_are_prepared_when_they_change_not_on_a_page_view(
    viewer, scored, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        StationFactory(county=scored[0].county)
    assert callbacks  # the change asked for its shapes
    from stations import areas

    def not_on_a_page_view(*args, **kwargs):
        raise AssertionError("shapes built during a page view")

    monkeypatch.setattr(areas, "_build", not_on_a_page_view)
    response = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"})
    assert response.status_code == 200
    (url,) = shape_urls(response.json()["figure"])
    assert len(viewer.get(url).json()["features"]) == 4


@pytest.fixture
def two_counties(scored):
    """海曙 (S1–S3) and 江北 (S4), each with a border; October scored again for all four."""
    haishu = scored[0].county
    jiangbei = haishu.company.counties.create(name="江北")
    for county, west in ((haishu, 121.0), (jiangbei, 122.0)):
        CountyBoundary.objects.create(county=county, geometry=mapping(box(west, 29, west + 1, 30)))
    for station, lon in zip(scored, (121.2, 121.5, 121.8), strict=True):
        station.longitude, station.latitude = lon, 29.5
        station.save()
    fourth = StationFactory(code="S4", county=jiangbei, longitude=122.5, latitude=29.5)
    score_month([fourth], OCTOBER, [40])
    return haishu, jiangbei


def test_a_company_too_large_to_draw_station_by_station_is_drawn_by_county(
    viewer, two_counties, monkeypatch
):
    haishu, jiangbei = two_counties
    monkeypatch.setattr(home, "STATION_DRAW_LIMIT", 3)
    data = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    areas = [t for t in data["figure"]["data"] if t["type"] == "choropleth"]
    assert sorted(loc for t in areas for loc in t["locations"]) == sorted(
        [str(haishu.pk), str(jiangbei.pk)]
    )
    assert all(t["name"].startswith("Average grade: ") for t in areas)
    assert "click a county to see its stations" in data["mode_note"]
    clicks = {row[0]: row[6] for t in areas for row in t["customdata"]}
    assert clicks["江北"] == f"?county={jiangbei.pk}"
    assert sum(data["counts"].values()) == 4  # the legend still counts every station
    (url,) = shape_urls(data["figure"])
    assert sorted(f["id"] for f in viewer.get(url).json()["features"]) == sorted(
        [str(haishu.pk), str(jiangbei.pk)]
    )
    # One county is few enough to draw station by station, from its own document.
    county = viewer.get(
        reverse("mapviews:map_month"), {"period": "2026-10", "county": haishu.pk}
    ).json()
    (url,) = shape_urls(county["figure"])
    assert url.endswith(f"/county-{haishu.pk}.json") and county["mode_note"] == ""
    assert sorted(f["id"] for f in viewer.get(url).json()["features"]) == ["S1", "S2", "S3"]


def test_the_map_page_says_it_shows_counties(viewer, two_counties, monkeypatch):
    monkeypatch.setattr(home, "STATION_DRAW_LIMIT", 3)
    page = viewer.get(reverse("mapviews:home"), {"period": "2026-10"}).content.decode()
    assert "Each area is a county" in page


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"red": 3}, "red"),
        ({"red": 1, "yellow": 1}, "blue"),  # the middle of red and yellow
        ({"red": 1, "orange": 1}, "red"),  # halves go to the better grade
        ({"orange": 1, "blue": 2}, "blue"),
        ({"green": 2, "ungraded": 9}, "green"),  # ungraded stations do not count
        ({"ungraded": 4}, None),
        ({}, None),
    ],
)
def test_a_countys_average_grade(counts, expected):
    assert average_grade(counts) == expected


def test_a_new_station_code_is_a_new_shapes_address(viewer, scored):
    """The documents name their areas by station code: a code changed in the admin must
    not leave the browser with a document that lacks it."""
    before = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()["figure"]
    station = scored[2]
    station.code = "S9"
    station.save()
    data = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    (url,) = shape_urls(data["figure"])
    assert url not in shape_urls(before)
    assert sorted(f["id"] for f in viewer.get(url).json()["features"]) == ["S1", "S2", "S9"]
    drawn = [
        loc for t in data["figure"]["data"] if t["type"] == "choropleth" for loc in t["locations"]
    ]
    assert "S9" in drawn


def test_unknown_parameters_do_not_make_new_kept_pages(member):
    from django.test import RequestFactory

    from mapviews.pagecache import body_key

    factory = RequestFactory()
    first = factory.get("/", {"period": "2026-10", "x": "1"})
    second = factory.get("/", {"period": "2026-10", "x": "2"})
    other = factory.get("/", {"period": "2026-09"})
    for request in (first, second, other):
        request.user = member
    assert body_key(first, "map") == body_key(second, "map") != body_key(other, "map")


def test_the_county_map_has_no_note_on_question_marks_it_does_not_draw(
    viewer, two_counties, monkeypatch
):
    from scoring.models import SensitivityRun, StationScore

    monkeypatch.setattr(home, "STATION_DRAW_LIMIT", 3)
    run = StationScore.objects.filter(station__code="S4").latest("id").run
    SensitivityRun.objects.create(
        run=run, params={"spread": 0.2, "draws": 10}, uncertain_count=2, compute_ms=1, results={}
    )
    data = viewer.get(reverse("mapviews:map_month"), {"period": "2026-10"}).json()
    assert data["uncertain_note"] == ""
    assert not any("?" in text for t in data["figure"]["data"] for text in t.get("text", []))
