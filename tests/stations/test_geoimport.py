"""GeoJSON imports: all or nothing, each defect named by its line."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from stations.areas import company_shapes
from stations.geoimport import import_service_areas
from stations.models import CountyBoundary, ServiceArea
from tabular.defects import FileRejected


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


SQUARE = {"type": "Polygon", "coordinates": [[[121, 29], [121.5, 29], [121.5, 29.5], [121, 29]]]}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[121, 29], [121.5, 29.5], [121.5, 29], [121, 29.5], [121, 29]]],
}


def collection(*features) -> str:
    """One feature per line, as the committed files are written."""
    lines = [json.dumps({"type": "Feature", "properties": p, "geometry": g}) for p, g in features]
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"


def test_service_areas_load_and_replace_the_derived_ones(write_file, three_stations):
    company = three_stations[0].county.company
    before = company_shapes(company.pk)
    assert before.area_sources[three_stations[0].pk] == "derived"
    path = write_file("areas.geojson", collection(({"code": "S1"}, SQUARE)))
    assert import_service_areas(company, path) == 1
    after = company_shapes(company.pk)
    assert after.area_sources[three_stations[0].pk] == "uploaded"
    assert after.areas[three_stations[0].pk]["type"] == "Polygon"


def test_every_defect_is_listed_with_its_line_and_nothing_is_written(write_file, three_stations):
    company = three_stations[0].county.company
    text = collection(
        ({"code": "S1"}, SQUARE),
        ({"code": "NOPE"}, SQUARE),
        ({"code": "S2"}, BOWTIE),
        ({"code": "S1"}, SQUARE),
        ({}, SQUARE),
        ({"code": "S3"}, {"type": "Point", "coordinates": [121, 29]}),
        (
            {"code": "S2x"},
            {"type": "Polygon", "coordinates": [[[29, 121], [29.5, 121], [29, 122]]]},
        ),
    )
    path = write_file("areas.geojson", text)
    with pytest.raises(FileRejected) as rejected:
        import_service_areas(company, path)
    report = rejected.value.report()
    assert "line 3: no station with code “NOPE”" in report  # listed with the other defects
    assert "line 4: S2: the outline crosses itself near 121.2500, 29.2500" in report
    assert "line 5: “S1” appears twice (first at line 2)" in report
    assert "line 6: the feature has no “code” property" in report
    assert "line 7: S3: the geometry must be a Polygon or MultiPolygon" in report
    assert "line 8: S2x: coordinates must be WGS84 longitude, latitude" in report
    assert ServiceArea.objects.count() == 0


def test_unknown_station_codes_reject_the_file(write_file, three_stations):
    company = three_stations[0].county.company
    path = write_file(
        "areas.geojson", collection(({"code": "S1"}, SQUARE), ({"code": "ZZ"}, SQUARE))
    )
    with pytest.raises(FileRejected, match="line 3: no station with code “ZZ”"):
        import_service_areas(company, path)
    assert ServiceArea.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "FeatureCollection",\n "features": [}', "line 2, column 15: not valid JSON"),
        ('{"type": "Feature"}', "a GeoJSON FeatureCollection is expected"),
        ('{"type": "FeatureCollection", "features": []}', "the collection has no features"),
        (b"\xff\xfe\x00junk", "not UTF-8 text"),
    ],
)
def test_unreadable_files_are_refused(write_file, three_stations, content, expected):
    company = three_stations[0].county.company
    path = write_file("bad.geojson", content)
    with pytest.raises(FileRejected, match=expected):
        import_service_areas(company, path)


def test_county_boundaries_by_name_through_the_command(write_file, three_stations):
    path = write_file("counties.geojson", collection(({"name": "海曙"}, SQUARE)))
    call_command("import_areas", str(path), "--counties")
    boundary = CountyBoundary.objects.get()
    assert boundary.county.name == "海曙" and boundary.source == "counties.geojson"
    bad = write_file("other.geojson", collection(({"name": "江北"}, SQUARE)))
    with pytest.raises(CommandError, match="line 2: no county “江北”"):
        call_command("import_areas", str(bad), "--counties")


def test_the_demo_boundaries_hold_every_demo_station(db):
    from shapely.geometry import Point, shape

    from demo.company import COUNTIES, COUNTY_BOUNDARIES

    features = json.loads(COUNTY_BOUNDARIES.read_text("utf-8"))["features"]
    shapes = {f["properties"]["name"]: shape(f["geometry"]) for f in features}
    assert sorted(shapes) == sorted(name for name, _code, _towns in COUNTIES)
    outside = [
        town
        for county, _code, towns in COUNTIES
        for town, lat, lon in towns
        if not shapes[county].contains(Point(lon, lat))
    ]
    assert outside == []
