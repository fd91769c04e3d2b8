"""The map's shapes for a company: county borders and one area per active station.

A station's area is the one an admin uploaded, else derived (its Voronoi cell
clipped to its county, see ``stations.geometry``). The result is cached under a
fingerprint of everything it depends on, so an edit to a station's position, a
county border or an uploaded area is seen on the next page load, and nothing
is recomputed otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import shapely
from django.core.cache import cache

from stations import geometry as geo
from stations.models import County, CountyBoundary, ServiceArea, Station

CACHE_SECONDS = 24 * 3600
#: Part of the cache key: bump it when the way shapes are derived or simplified changes.
SHAPES_VERSION = 2
#: Simplification (degrees) of shapes sent to browsers: ~50 m for areas, ~100 m for borders.
AREA_TOLERANCE = 0.0005
BORDER_TOLERANCE = 0.001
DERIVED = "derived"
UPLOADED = "uploaded"


@dataclass(frozen=True)
class CountyShape:
    county_id: int
    name: str
    geometry: dict | None
    label: tuple[float, float] | None
    #: The outline as one longitude and one latitude list, rings split by None.
    lons: list = field(default_factory=list)
    lats: list = field(default_factory=list)


@dataclass(frozen=True)
class CompanyShapes:
    areas: dict[int, dict]
    area_sources: dict[int, str]
    labels: dict[int, tuple[float, float]]
    counties: list[CountyShape]
    #: Fingerprint of everything the shapes depend on (part of other cache keys).
    digest: str = ""


def company_shapes(company_id: int) -> CompanyShapes:
    """Shapes for the company's map (4 small queries when cached)."""
    stations, counties, uploaded_ids, digest = _shape_inputs(company_id)
    key = f"company-shapes:v{SHAPES_VERSION}:{company_id}:{digest}"
    shapes = cache.get(key)
    if shapes is None:
        shapes = _build(stations, counties, uploaded_ids, digest)
        cache.set(key, shapes, CACHE_SECONDS)
    return shapes


def shapes_digest(company_id: int) -> str:
    """The fingerprint ``company_shapes`` is cached under, without loading the shapes
    (4 small queries): for pages that only need to know whether the shapes changed."""
    return _shape_inputs(company_id)[3]


def _shape_inputs(company_id: int) -> tuple[list[tuple], list[tuple], list[int], str]:
    """The active stations' positions, the counties, the stations with an uploaded area,
    and the fingerprint of all of it (border and area edits included)."""
    stations = list(
        Station.objects.filter(county__company_id=company_id, active=True)
        .order_by("id")
        .values_list("id", "county_id", "longitude", "latitude")
    )
    # Positions only: names are not part of the shapes (they come with each month's rows).
    counties = list(
        County.objects.filter(company_id=company_id).order_by("name").values_list("id", "name")
    )
    boundary_stamps = list(
        CountyBoundary.objects.filter(county__company_id=company_id)
        .order_by("county_id")
        .values_list("county_id", "updated_at")
    )
    area_stamps = list(
        ServiceArea.objects.filter(station__county__company_id=company_id, station__active=True)
        .order_by("station_id")
        .values_list("station_id", "updated_at")
    )
    digest = hashlib.sha256(
        repr((stations, counties, boundary_stamps, area_stamps)).encode()
    ).hexdigest()
    return stations, counties, [stamp[0] for stamp in area_stamps], digest


def _build(stations: list, counties: list, uploaded_ids: list[int], digest: str) -> CompanyShapes:
    county_ids = [county_id for county_id, _name in counties]
    boundaries = {
        row.county_id: geo.geometry_from_geojson(row.geometry)
        for row in CountyBoundary.objects.filter(county_id__in=county_ids)
    }
    uploaded = {
        row.station_id: geo.geometry_from_geojson(row.geometry)
        for row in ServiceArea.objects.filter(station_id__in=uploaded_ids)
    }
    points = [
        geo.StationPoint(key=pk, county=county_id, longitude=lon, latitude=lat)
        for pk, county_id, lon, lat in stations
        if pk not in uploaded
    ]
    taken = shapely.union_all(list(uploaded.values())) if uploaded else None
    derived = geo.derive_service_areas(points, boundaries, taken)
    areas: dict[int, dict] = {}
    sources: dict[int, str] = {}
    labels: dict[int, tuple[float, float]] = {}
    for pk, shape in [*uploaded.items(), *derived.items()]:
        simple = shape.simplify(AREA_TOLERANCE, preserve_topology=True)
        areas[pk] = geo.geometry_to_geojson(simple)
        sources[pk] = UPLOADED if pk in uploaded else DERIVED
        labels[pk] = geo.label_point(shape)
    county_shapes = []
    for county_id, name in counties:
        boundary = boundaries.get(county_id)
        if boundary is None:
            county_shapes.append(CountyShape(county_id, name, None, None))
            continue
        simple = boundary.simplify(BORDER_TOLERANCE, preserve_topology=True)
        lons, lats = geo.boundary_lines([simple])
        county_shapes.append(
            CountyShape(
                county_id,
                name,
                geo.geometry_to_geojson(simple),
                geo.label_point(boundary),
                lons,
                lats,
            )
        )
    return CompanyShapes(
        areas=areas, area_sources=sources, labels=labels, counties=county_shapes, digest=digest
    )
