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
from django.db.models import BigIntegerField, Count, F, Max, Sum
from django.db.models.functions import Cast, Coalesce, Mod, Round

from stations import geometry as geo
from stations.models import County, CountyBoundary, ServiceArea, Station

CACHE_SECONDS = 24 * 3600
#: Part of the cache key: bump it when the way shapes are derived or simplified changes.
SHAPES_VERSION = 4
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
    #: County id → its active stations' ids.
    county_stations: dict[int, list[int]] = field(default_factory=dict)


def company_shapes(company_id: int, digest: str | None = None) -> CompanyShapes:
    """Shapes for the company's map, built once per fingerprint (``digest``: the
    company's ``shapes_digest`` when the caller has it). Building them at 30,000
    stations takes seconds, so a change prepares them at once (``stations.tasks``)."""
    digest = digest or shapes_digest(company_id)
    key = f"company-shapes:v{SHAPES_VERSION}:{company_id}:{digest}"
    shapes = cache.get(key)
    if shapes is None:
        stations, counties, uploaded_ids = _shape_inputs(company_id)
        shapes = _build(stations, counties, uploaded_ids, digest)
        cache.set(key, shapes, CACHE_SECONDS)
    return shapes


def county_shapes(company_id: int, digest: str | None = None) -> list[CountyShape]:
    """The company's county borders alone (its stations' areas are not built or read):
    what a map drawn county by county needs."""
    digest = digest or shapes_digest(company_id)
    key = f"county-shapes:v{SHAPES_VERSION}:{company_id}:{digest}"
    shapes = cache.get(key)
    if shapes is None:
        counties = list(
            County.objects.filter(company_id=company_id).order_by("name").values_list("id", "name")
        )
        shapes = _county_shapes(counties, _boundaries([pk for pk, _name in counties]))
        cache.set(key, shapes, CACHE_SECONDS)
    return shapes


#: How long the fingerprint is kept: a change through the ORM or an import forgets it at
#: once (``stations.shapechanges``); one made otherwise (raw SQL) shows within this time.
DIGEST_SECONDS = 60


def shapes_digest(company_id: int) -> str:
    """The fingerprint of everything the company's shapes depend on (kept for
    ``DIGEST_SECONDS``, forgotten when they change: ``forget_digest``)."""
    key = _digest_key(company_id)
    digest = cache.get(key)
    if digest is None:
        digest = _fresh_digest(company_id)
        cache.set(key, digest, DIGEST_SECONDS)
    return digest


def forget_digest(company_id: int) -> None:
    cache.delete(_digest_key(company_id))


def _digest_key(company_id: int) -> str:
    return f"shapes-digest:v{SHAPES_VERSION}:{company_id}"


def _fresh_digest(company_id: int) -> str:
    """The active stations' codes (they name the documents' features), positions and
    counties, the counties, their borders and the uploaded areas (with their edit
    times). The positions are summed by the database (exact integer sums; a position
    counts to a micro-degree, weighted by its station so two stations swapping places
    change it); the codes are read, as no SQL hash is portable: tens of milliseconds at
    30,000 stations, hence kept."""

    def micro(field: str) -> Sum:
        degrees = Cast(Round(F(field) * 1_000_000), BigIntegerField())
        return Coalesce(Sum(degrees * (Mod("id", 997) + 1), output_field=BigIntegerField()), 0)

    stations = Station.objects.filter(county__company_id=company_id, active=True).aggregate(
        count=Count("id"),
        ids=Coalesce(Sum("id"), 0),
        counties=Coalesce(Sum(F("id") * F("county_id")), 0),
        lons=micro("longitude"),
        lats=micro("latitude"),
    )
    counties = list(
        County.objects.filter(company_id=company_id).order_by("id").values_list("id", "name")
    )
    stamps = [
        model.objects.filter(**{lookup: company_id}).aggregate(
            count=Count("id"),
            ids=Coalesce(Sum(owner), 0),
            newest=Max("updated_at"),
        )
        for model, lookup, owner in (
            (CountyBoundary, "county__company_id", "county_id"),
            (ServiceArea, "station__county__company_id", "station_id"),
        )
    ]
    # The codes name the documents' features: read, not summed (no portable SQL hash).
    codes = hashlib.sha256(
        "\n".join(
            Station.objects.filter(county__company_id=company_id, active=True)
            .order_by("id")
            .values_list("code", flat=True)
        ).encode()
    ).hexdigest()
    parts = (sorted(stations.items()), codes, counties, [sorted(s.items()) for s in stamps])
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _shape_inputs(company_id: int) -> tuple[list[tuple], list[tuple], list[int]]:
    """The active stations' positions, the counties (by name) and the stations with an
    uploaded area."""
    stations = list(
        Station.objects.filter(county__company_id=company_id, active=True)
        .order_by("id")
        .values_list("id", "county_id", "longitude", "latitude")
    )
    counties = list(
        County.objects.filter(company_id=company_id).order_by("name").values_list("id", "name")
    )
    uploaded = list(
        ServiceArea.objects.filter(station__county__company_id=company_id, station__active=True)
        .order_by("station_id")
        .values_list("station_id", flat=True)
    )
    return stations, counties, uploaded


def _build(stations: list, counties: list, uploaded_ids: list[int], digest: str) -> CompanyShapes:
    boundaries = _boundaries([county_id for county_id, _name in counties])
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
    county_outlines = _county_shapes(counties, boundaries)
    members: dict[int, list[int]] = {}
    for pk, county_id, _lon, _lat in stations:
        members.setdefault(county_id, []).append(pk)
    return CompanyShapes(
        areas=areas,
        area_sources=sources,
        labels=labels,
        counties=county_outlines,
        digest=digest,
        county_stations=members,
    )


def _boundaries(county_ids: list[int]) -> dict:
    return {
        row.county_id: geo.geometry_from_geojson(row.geometry)
        for row in CountyBoundary.objects.filter(county_id__in=county_ids)
    }


def _county_shapes(counties: list[tuple[int, str]], boundaries: dict) -> list[CountyShape]:
    shapes = []
    for county_id, name in counties:
        boundary = boundaries.get(county_id)
        if boundary is None:
            shapes.append(CountyShape(county_id, name, None, None))
            continue
        simple = boundary.simplify(BORDER_TOLERANCE, preserve_topology=True)
        lons, lats = geo.boundary_lines([simple])
        shapes.append(
            CountyShape(
                county_id,
                name,
                geo.geometry_to_geojson(simple),
                geo.label_point(boundary),
                lons,
                lats,
            )
        )
    return shapes
