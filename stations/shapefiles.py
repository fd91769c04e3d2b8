"""The map's shapes as GeoJSON documents for browsers, prepared once per shapes version.

A month's map refers to its shapes by URL (``/map/shapes/<digest>/<part>.json``) rather
than carrying them: the browser fetches a document once and keeps it (the URL names the
shapes' fingerprint, so the document under it never changes), and each month sends only
its grades. Documents are kept as bytes, plain and gzipped, so serving one neither
serialises nor compresses anything.

Parts:

- ``counties``: one feature per county with a border, ``id`` the county's id;
- ``stations``: one feature per active station with an area, ``id`` its code, its label
  point (where its grade is written) in ``properties.label``;
- ``county-<id>``: the stations of one county (a large company's map shows one county's
  stations at a time).

``prepare_documents`` builds them all when the shapes change (``stations.tasks``), so no
page view pays for it; a document asked for before that is built on the spot.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass

from django.core.cache import cache

from stations.areas import CACHE_SECONDS, SHAPES_VERSION, CompanyShapes, company_shapes
from stations.models import Station

COUNTIES = "counties"
STATIONS = "stations"
_COUNTY_PART = re.compile(r"county-([1-9][0-9]{0,17})")


@dataclass(frozen=True)
class ShapeDocument:
    raw: bytes
    gzipped: bytes


def is_part(part: str) -> bool:
    """Whether ``part`` names a document (``counties``, ``stations`` or ``county-<id>``)."""
    return part in (COUNTIES, STATIONS) or _COUNTY_PART.fullmatch(part) is not None


def county_part(county_id: int) -> str:
    return f"county-{county_id}"


def shape_document(company_id: int, digest: str, part: str) -> ShapeDocument | None:
    """The document ``part`` of the company's shapes under ``digest`` (its current
    fingerprint); None for a part that names no county of the company."""
    key = _key(company_id, digest, part)
    document = cache.get(key)
    if document is None:
        shapes = company_shapes(company_id, digest)
        document = _document(shapes, _codes(company_id), part)
        if document is not None:
            cache.set(key, document, CACHE_SECONDS)
    return document


def document_features(company_id: int, digest: str, part: str) -> dict[str, dict]:
    """The features of a stations document by station code (``{}`` for no document):
    its areas and their label points, without building or unpickling the company's
    shapes."""
    document = shape_document(company_id, digest, part)
    if document is None:
        return {}
    return {feature["id"]: feature for feature in json.loads(document.raw)["features"]}


def prepare_documents(company_id: int, digest: str) -> list[str]:
    """Build and keep every document of the company's shapes; the parts built (none when
    they were already prepared)."""
    if cache.get(_key(company_id, digest, COUNTIES)) is not None:
        return []
    shapes = company_shapes(company_id, digest)
    codes = _codes(company_id)
    # Counties last: they mark the whole set as prepared.
    parts = [STATIONS, *(county_part(c.county_id) for c in shapes.counties), COUNTIES]
    for part in parts:
        document = _document(shapes, codes, part)
        if document is not None:
            cache.set(_key(company_id, digest, part), document, CACHE_SECONDS)
    return parts


def _key(company_id: int, digest: str, part: str) -> str:
    return f"shape-doc:v{SHAPES_VERSION}:{company_id}:{digest}:{part}"


def _codes(company_id: int) -> dict[int, str]:
    return dict(
        Station.objects.filter(county__company_id=company_id, active=True).values_list("id", "code")
    )


def _document(shapes: CompanyShapes, codes: dict[int, str], part: str) -> ShapeDocument | None:
    if part == COUNTIES:
        features = [
            {"type": "Feature", "id": str(c.county_id), "geometry": c.geometry}
            for c in shapes.counties
            if c.geometry
        ]
    else:
        wanted = None
        if part != STATIONS:
            match = _COUNTY_PART.fullmatch(part)
            county_id = int(match.group(1)) if match else None
            if county_id not in {c.county_id for c in shapes.counties}:
                return None
            wanted = set(shapes.county_stations.get(county_id, ()))
        features = [
            {
                "type": "Feature",
                "id": codes[key],
                "properties": {"label": shapes.labels[key]},
                "geometry": geometry,
            }
            for key, geometry in shapes.areas.items()
            if key in codes and (wanted is None or key in wanted)
        ]
    raw = json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":")
    ).encode()
    return ShapeDocument(raw=raw, gzipped=gzip.compress(raw, compresslevel=6))
