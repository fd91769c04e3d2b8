"""The shapes of a unit's page: one area per child (a unit or a company), the union of
the county borders of every company below it, or a point where it has no border.

A province's map draws its cities, not their 30,000 stations: each child is one
simplified outline (its counties merged), so the figure stays small whatever the size
of the companies below. A child whose counties have no stored border is drawn as a
marker at the middle of its active stations. Built once per state of the borders and
kept (``CACHE_SECONDS``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from django.core.cache import cache
from django.db.models import Avg, Count, Max, Sum
from django.db.models.functions import Coalesce

from stations import geometry as geo
from stations.models import CountyBoundary, Station

CACHE_SECONDS = 24 * 3600
#: Simplification (degrees, ~500 m) of a child's outline: a province's map is small.
UNIT_TOLERANCE = 0.005
#: Gaps narrower than this (degrees) between neighbouring counties are closed.
GAP = 0.002


@dataclass(frozen=True)
class ChildShape:
    """One child's area (GeoJSON, WGS84) and where its name goes, or only a point."""

    key: str
    geometry: dict | None
    label: tuple[float, float] | None


def child_shapes(children: Sequence[tuple[str, Sequence[int]]]) -> dict[str, ChildShape]:
    """``children``: (key, the ids of every company below it). One small query for the
    borders' fingerprint; the shapes themselves are built on a miss only."""
    company_ids = sorted({pk for _key, ids in children for pk in ids})
    stamp = CountyBoundary.objects.filter(county__company_id__in=company_ids).aggregate(
        count=Count("id"), ids=Coalesce(Sum("county_id"), 0), newest=Max("updated_at")
    )
    parts = (sorted((key, sorted(ids)) for key, ids in children), sorted(stamp.items()))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"unit-shapes:v1:{digest}"
    shapes = cache.get(key)
    if shapes is None:
        shapes = _build(children, company_ids)
        cache.set(key, shapes, CACHE_SECONDS)
    return shapes


def _build(
    children: Sequence[tuple[str, Sequence[int]]], company_ids: list[int]
) -> dict[str, ChildShape]:
    borders: dict[int, list] = {}
    for company_id, geometry in CountyBoundary.objects.filter(
        county__company_id__in=company_ids
    ).values_list("county__company_id", "geometry"):
        borders.setdefault(company_id, []).append(geo.geometry_from_geojson(geometry))
    middles = {
        row["county__company_id"]: row
        for row in Station.objects.filter(county__company_id__in=company_ids, active=True)
        .values("county__company_id")
        .annotate(lon=Avg("longitude"), lat=Avg("latitude"), n=Count("id"))
        .order_by()
    }
    shapes = {}
    for key, ids in children:
        parts = [shape for pk in ids for shape in borders.get(pk, ())]
        if parts:
            grown = [part.buffer(GAP, join_style="mitre") for part in parts]
            merged = shapely.union_all(grown).buffer(-GAP, join_style="mitre")
            simple = merged.simplify(UNIT_TOLERANCE, preserve_topology=True)
            shapes[key] = ChildShape(key, geo.geometry_to_geojson(simple), geo.label_point(merged))
            continue
        rows = [middles[pk] for pk in ids if pk in middles]
        total = sum(row["n"] for row in rows)
        point = None
        if total:
            point = (
                round(sum(row["lon"] * row["n"] for row in rows) / total, 4),
                round(sum(row["lat"] * row["n"] for row in rows) / total, 4),
            )
        shapes[key] = ChildShape(key, None, point)
    return shapes
