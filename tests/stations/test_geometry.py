"""Derived service areas: Voronoi cells of the stations, clipped to their county."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point, Polygon, box, shape

from stations.geometry import (
    FALLBACK_RADIUS,
    StationPoint,
    boundary_lines,
    derive_service_areas,
    geometry_to_geojson,
)

COUNTY_A = box(121.0, 29.0, 121.4, 29.4)
COUNTY_B = box(121.4, 29.0, 121.8, 29.4)


def point(key, county, lon, lat):
    return StationPoint(key=key, county=county, longitude=lon, latitude=lat)


def test_cells_partition_each_county_and_hold_their_station():
    stations = [
        point(1, "A", 121.1, 29.1),
        point(2, "A", 121.3, 29.3),
        point(3, "A", 121.1, 29.3),
        point(4, "B", 121.6, 29.2),
    ]
    areas = derive_service_areas(stations, {"A": COUNTY_A, "B": COUNTY_B})
    assert set(areas) == {1, 2, 3, 4}
    for station in stations:
        assert areas[station.key].covers(Point(station.longitude, station.latitude))
    in_a = [areas[k] for k in (1, 2, 3)]
    assert shapely.union_all(in_a).symmetric_difference(COUNTY_A).area == pytest.approx(0, abs=1e-9)
    assert sum(cell.area for cell in in_a) == pytest.approx(COUNTY_A.area)
    assert areas[4].equals(COUNTY_B)  # the only station of B gets all of B


def test_cells_are_split_at_equal_distance_on_the_ground_not_in_degrees():
    # At latitude 60°, one degree of longitude is half a degree of latitude on the ground.
    county = box(10.0, 59.0, 12.0, 61.0)
    areas = derive_service_areas(
        [point(1, "C", 10.5, 60.0), point(2, "C", 11.5, 60.0)], {"C": county}
    )
    # The border between two stations on a parallel is the meridian half way.
    assert areas[1].bounds[2] == pytest.approx(11.0, abs=1e-6)


def test_a_station_outside_its_county_gets_a_small_disc():
    stations = [point(1, "A", 121.2, 29.2), point(2, "A", 125.0, 29.2)]
    areas = derive_service_areas(stations, {"A": COUNTY_A})
    assert areas[2].covers(Point(125.0, 29.2))
    assert areas[2].area == pytest.approx(3.14159 * FALLBACK_RADIUS**2, rel=0.05)


def test_counties_without_a_boundary_share_a_region_without_overlaps():
    stations = [point(1, "X", 121.0, 29.0), point(2, "Y", 121.2, 29.1), point(3, "Y", 121.1, 29.3)]
    areas = derive_service_areas(stations, {})
    cells = list(areas.values())
    for i, first in enumerate(cells):
        for second in cells[i + 1 :]:
            assert first.intersection(second).area == pytest.approx(0, abs=1e-12)


def test_two_stations_at_the_same_place_both_get_an_area():
    stations = [point(1, "A", 121.2, 29.2), point(2, "A", 121.2, 29.2), point(3, "A", 121.3, 29.3)]
    areas = derive_service_areas(stations, {"A": COUNTY_A})
    assert areas[1].equals(areas[2])
    assert areas[1].covers(Point(121.2, 29.2))


def test_geojson_is_rounded_and_still_valid():
    polygon = Polygon([(121.123456, 29.0), (121.5, 29.000001), (121.3, 29.4)])
    data = geometry_to_geojson(polygon)
    assert data["type"] == "Polygon"
    assert data["coordinates"][0][0] in ([121.1235, 29.0], [121.5, 29.0], [121.3, 29.4])
    assert shape(data).is_valid


def test_boundary_lines_separate_rings_with_none():
    lons, lats = boundary_lines([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    assert lons.count(None) == 2 and lats.count(None) == 2
    assert len(lons) == 2 * (5 + 1)


def test_a_county_without_boundary_inside_known_counties_still_gets_areas():
    # Its stations sit inside county A's boundary: nothing of their hull is left over.
    stations = [point(1, "A", 121.2, 29.2), point(2, "X", 121.1, 29.1), point(3, "X", 121.3, 29.3)]
    areas = derive_service_areas(stations, {"A": COUNTY_A})
    assert set(areas) == {1, 2, 3}
    assert all(not area.is_empty for area in areas.values())


def test_derived_areas_leave_uploaded_areas_alone():
    uploaded = box(121.0, 29.0, 121.2, 29.4)
    stations = [point(2, "A", 121.25, 29.2), point(3, "A", 121.35, 29.2)]
    areas = derive_service_areas(stations, {"A": COUNTY_A}, taken=uploaded)
    for area in areas.values():
        assert area.intersection(uploaded).area == pytest.approx(0, abs=1e-12)
    assert sum(a.area for a in areas.values()) == pytest.approx(COUNTY_A.area - uploaded.area)
