"""GeoJSON imports: county boundaries (matched by county name) and station
service areas (matched by station code). All-or-nothing, like every import:
each defect is named by the line of its feature, and nothing is written unless
the whole file is right."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.validation import explain_validity

from audit.models import Action
from audit.services import record
from stations.models import Company, County, CountyBoundary, ServiceArea, Station
from tabular.defects import Defect, FileRejected
from tabular.reading import file_sha256

#: Largest GeoJSON file accepted (bytes). A city's areas simplified are well under this.
MAX_GEOJSON_BYTES = 20 * 1024 * 1024
POLYGONAL = ("Polygon", "MultiPolygon")
_FEATURE_START = re.compile(r'"type"\s*:\s*"Feature"')


def too_large() -> Defect:
    limit = MAX_GEOJSON_BYTES // (1024 * 1024)
    return Defect("too_large", _("the file is larger than %(mb)d MB") % {"mb": limit})


@dataclass(frozen=True)
class GeoFeature:
    key: str
    geometry: dict
    line: int | None


def read_features(
    data: bytes, file_name: str, key_property: str, known: Callable[[str], str | None]
) -> list[GeoFeature]:
    """Parse and check a FeatureCollection; raise FileRejected listing every defect.

    ``known(key)`` returns None for a key that names a station/county of the
    company, else the message saying it does not.
    """
    if len(data) > MAX_GEOJSON_BYTES:
        raise FileRejected(file_name, [too_large()])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(file_name, [Defect("encoding", _("not UTF-8 text"))]) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        message = _("not valid JSON (the parser stopped here: %(error)s)") % {"error": error.msg}
        defect = Defect("json", message, line=error.lineno, column=str(error.colno))
        raise FileRejected(file_name, [defect]) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        message = _("a GeoJSON FeatureCollection is expected")
        raise FileRejected(file_name, [Defect("not_collection", message)])
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise FileRejected(file_name, [Defect("no_features", _("the collection has no features"))])

    lines = _feature_lines(text, len(features))
    defects: list[Defect] = []
    seen: dict[str, int | None] = {}
    result = []
    for number, (feature, line) in enumerate(zip(features, lines, strict=True), start=1):
        where = {"line": line} if line else {}
        prefix = "" if line else _("feature %(n)d: ") % {"n": number}
        properties = feature.get("properties") if isinstance(feature, dict) else None
        key = str((properties or {}).get(key_property, "") or "").strip()
        if not key:
            message = _("the feature has no “%(key)s” property") % {"key": key_property}
            defects.append(Defect("no_key", prefix + message, **where))
            continue
        if key in seen:
            message = _("“%(key)s” appears twice (first at line %(line)s)") % {
                "key": key,
                "line": seen[key] or "?",
            }
            defects.append(Defect("duplicate", prefix + message, **where))
            continue
        seen[key] = line
        unknown = known(key)
        if unknown:
            defects.append(Defect("unknown", prefix + unknown, **where))
        geometry = feature.get("geometry")
        problem = _geometry_problem(geometry)
        if problem:
            defects.append(Defect("geometry", f"{prefix}{key}: {problem}", **where))
        if not unknown and not problem:
            result.append(GeoFeature(key=key, geometry=geometry, line=line))
    if defects:
        raise FileRejected(file_name, defects)
    return result


def _feature_lines(text: str, count: int) -> list[int | None]:
    """The file line where each feature starts, when each starts on its own line;
    else None for all (defects are then named by feature number)."""
    lines: list[int | None] = []
    line, position = 1, 0
    for match in _FEATURE_START.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    if len(lines) != count or len(set(lines)) != count:
        return [None] * count
    return lines


def _geometry_problem(geometry: object) -> str | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONAL:
        return _("the geometry must be a Polygon or MultiPolygon")
    try:
        polygon = shape(geometry)
    except (GEOSException, ValueError, TypeError, IndexError, KeyError):
        return _("the coordinates cannot be read as a polygon")
    if polygon.is_empty:
        return _("the polygon is empty")
    west, south, east, north = polygon.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        return _("coordinates must be WGS84 longitude, latitude (in that order)")
    if not polygon.is_valid:
        return _invalid_reason(explain_validity(polygon))
    return None


_VALIDITY = re.compile(r"^(?P<reason>[A-Za-z -]+)\[(?P<x>[-\d.e]+) (?P<y>[-\d.e]+)\]$")


def _invalid_reason(explanation: str) -> str:
    """GEOS's English reason (e.g. "Self-intersection[121.42 29.3]") in the user's words."""
    match = _VALIDITY.match(explanation)
    if not match:
        return _("the polygon is not valid (%(why)s)") % {"why": explanation}
    point = f"{float(match['x']):.4f}, {float(match['y']):.4f}"
    reason = match["reason"].strip().lower()
    if "self-intersection" in reason:
        return _("the outline crosses itself near %(point)s") % {"point": point}
    if "hole" in reason:
        return _("a hole lies outside its polygon near %(point)s") % {"point": point}
    if "too few points" in reason:
        return _("a ring has too few points near %(point)s") % {"point": point}
    return _("the polygon is not valid near %(point)s (%(why)s)") % {
        "point": point,
        "why": match["reason"].strip(),
    }


def import_county_boundaries(company: Company, path: Path, *, source: str = "", user=None) -> int:
    """Replace the boundaries of the named counties. Returns how many were written."""
    counties = {county.name: county for county in County.objects.filter(company=company)}

    def known(name: str) -> str | None:
        if name in counties:
            return None
        return _("no county “%(name)s” in %(company)s") % {"name": name, "company": company}

    features = read_features(path.read_bytes(), path.name, "name", known)
    with transaction.atomic():
        created = sum(
            CountyBoundary.objects.update_or_create(
                county=counties[feature.key],
                defaults={
                    "geometry": _valid(feature.geometry),
                    "source": (source or path.name)[:200],
                },
            )[1]
            for feature in features
        )
        _record(Action.BOUNDARIES_IMPORTED, company, path, len(features), created, user)
    return len(features)


def import_service_areas(company: Company, path: Path, *, user=None) -> int:
    """Replace the uploaded service areas of the stations named by code."""
    stations = dict(Station.objects.filter(county__company=company).values_list("code", "pk"))

    def known(code: str) -> str | None:
        if code in stations:
            return None
        return _("no station with code “%(code)s” in %(company)s") % {
            "code": code,
            "company": company,
        }

    features = read_features(path.read_bytes(), path.name, "code", known)
    with transaction.atomic():
        created = sum(
            ServiceArea.objects.update_or_create(
                station_id=stations[feature.key],
                defaults={"geometry": _valid(feature.geometry), "source": path.name[:200]},
            )[1]
            for feature in features
        )
        _record(Action.SERVICE_AREAS_IMPORTED, company, path, len(features), created, user)
    return len(features)


def _record(action: str, company: Company, path: Path, count: int, created: int, user) -> None:
    """One audit entry per file, with its counts (not one per shape)."""
    after = {
        "file_name": path.name,
        "file_sha256": file_sha256(path),
        "shapes": count,
        "created": created,
        "replaced": count - created,
    }
    record(action, company, after=after, actor=user)


def _valid(geometry: dict) -> dict:
    """Stored as given once checked valid; normalised to plain lists."""
    return json.loads(shapely.to_geojson(shape(geometry)))
