"""Station service areas as plain shapely geometry (no Django, no ORM).

All coordinates are WGS84 longitude/latitude, the system of the station table
and of the committed county boundaries. Distances are only needed to split the
plane between stations; that happens in a local plane where one degree of
longitude is scaled by cos(latitude) so that it measures the same as a degree
of latitude, then the cells go back to longitude/latitude.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

#: Decimal places kept in GeoJSON sent to browsers: 4 ≈ 11 m, far finer than a pixel.
COORDINATE_DECIMALS = 4
#: Radius (degrees) of the stand-in area of a station whose point lies outside its county.
FALLBACK_RADIUS = 0.02
#: Margin (degrees) around the stations of counties that have no boundary.
HULL_MARGIN = 0.05


@dataclass(frozen=True)
class StationPoint:
    key: int
    county: int
    longitude: float
    latitude: float


def geometry_from_geojson(geometry: Mapping) -> BaseGeometry:
    return shape(geometry)


def geometry_to_geojson(geometry: BaseGeometry, decimals: int = COORDINATE_DECIMALS) -> dict:
    """GeoJSON mapping with coordinates rounded; rounding keeps the polygon valid."""
    snapped = shapely.set_precision(geometry, 10.0**-decimals)
    if snapped.is_empty:
        snapped = geometry
    data = mapping(snapped)
    return _round_coordinates(data, decimals)


def _round_coordinates(data: dict, decimals: int) -> dict:
    def walk(value):
        if isinstance(value, float):
            return round(value, decimals)
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        return value

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def _local_plane(latitude: float):
    scale = math.cos(math.radians(latitude))

    def forward(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([coords[:, 0] * scale, coords[:, 1]])

    def back(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([coords[:, 0] / scale, coords[:, 1]])

    return forward, back


def voronoi_cells(points: list[Point], region: BaseGeometry) -> list[BaseGeometry]:
    """One cell per point: the part of ``region`` nearer to it than to any other point.

    Worked in the local plane at the region's mean latitude. Two points at the
    same place share one cell (each gets it whole; both are drawn).
    """
    if not points:
        return []
    if len(points) == 1:
        return [region]
    forward, back = _local_plane(region.centroid.y)
    plane_region = shapely.transform(region, forward)
    plane_points = [shapely.transform(point, forward) for point in points]
    places = list(dict.fromkeys((point.x, point.y) for point in plane_points))
    if len(places) == 1:
        return [region] * len(points)
    cells = shapely.voronoi_polygons(
        MultiPoint(places), extend_to=plane_region.envelope.buffer(1.0), ordered=True
    ).geoms
    clipped = {
        place: shapely.transform(shapely.intersection(cell, plane_region), back)
        for place, cell in zip(places, cells, strict=True)
    }
    return [clipped[(point.x, point.y)] for point in plane_points]


def derive_service_areas(
    stations: Iterable[StationPoint],
    county_boundaries: Mapping[int, BaseGeometry],
    taken: BaseGeometry | None = None,
) -> dict[int, BaseGeometry]:
    """Voronoi cells of the station points, each clipped to its county.

    ``taken``: areas already given to other stations (uploaded); the cells
    share only what is left of each county.
    Stations of counties without a boundary are split among themselves over a
    region around all of them (their convex hull with a margin, less the
    counties that have a boundary; the whole of it if nothing is left).
    A station whose point lies outside what is left of its county would get an
    empty or far-away cell; it gets a small disc around its point instead.
    """
    stations = list(stations)
    by_county: dict[int, list[StationPoint]] = {}
    for station in stations:
        by_county.setdefault(station.county, []).append(station)

    unbounded = [s for s in stations if s.county not in county_boundaries]
    fallback_region = None
    if unbounded:
        hull = MultiPoint([(s.longitude, s.latitude) for s in unbounded]).convex_hull
        fallback_region = hull.buffer(HULL_MARGIN)
        known = [county_boundaries[c] for c in by_county if c in county_boundaries]
        if known:
            remainder = fallback_region.difference(shapely.union_all(known))
            fallback_region = remainder if remainder.area > 0 else fallback_region

    groups = [
        (members, county_boundaries[county])
        for county, members in by_county.items()
        if county in county_boundaries
    ]
    if unbounded:
        groups.append((unbounded, fallback_region))
    areas: dict[int, BaseGeometry] = {}
    for members, region in groups:
        if taken is not None and not taken.is_empty:
            region = region.difference(taken)
        points = [Point(s.longitude, s.latitude) for s in members]
        cells = [region] * len(points) if region.is_empty else voronoi_cells(points, region)
        for station, point, cell in zip(members, points, cells, strict=True):
            if cell.is_empty or not cell.buffer(1e-9).covers(point):
                cell = point.buffer(FALLBACK_RADIUS, quad_segs=8)
            areas[station.key] = _polygonal(cell)
    return areas


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Only the polygons of a clip result (a clip can leave stray lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [
        part
        for part in getattr(geometry, "geoms", [])
        if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(parts) if parts else geometry


def label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """A point inside the geometry (for a name label), as (longitude, latitude)."""
    point = geometry.representative_point()
    return round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)


def boundary_lines(geometries: Iterable[BaseGeometry]) -> tuple[list, list]:
    """The outlines of polygons as one longitude list and one latitude list, rings
    separated by None: the shape a single plotly line trace draws."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for geometry in geometries:
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            if polygon.geom_type != "Polygon":
                continue
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = np.round(np.asarray(ring.coords), COORDINATE_DECIMALS)
                lons.extend(coords[:, 0].tolist())
                lats.extend(coords[:, 1].tolist())
                lons.append(None)
                lats.append(None)
    return lons, lats
