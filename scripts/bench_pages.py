#!/usr/bin/env python3
"""Benchmark (`make bench-pages`): every page's server time and weight by company size.

Issue 16's measuring instrument. For each size in --sizes this script

1. creates a throwaway test database (``setup_databases``, as scripts/bench.py does) and
   builds one company in it: at 60 stations the demo itself (``load_demo``, 24 months),
   otherwise a generated one of --counties counties (default 10, as in issue 16's
   measurements: 3,000 stations each at 30,000), each a rectangle with its border stored
   (so the map has county outlines and every station a Voronoi cell clipped to its
   county, derived as for any company without uploaded areas), stations at random inside
   their county, --months months (default 12) of the ten indicators from
   scripts/bench_months.py's generator (normal(50, 15) clipped to each indicator's valid
   range, about 1 % missing, binary COPY on PostgreSQL), each month scored by a real run
   (``execute_run``);
2. logs in with the Django test client, DEBUG off, on the real cache backend when Redis
   answers (``--redis-url``, default TEST_REDIS_URL; keys under a prefix of this run,
   removed at the end), else the local-memory cache: the party committee (every page) and
   a station's staff (map, widget, their own station);
3. empties the cache, requests every page in turn once cold (so the map's first request
   builds the shapes, which later pages reuse) and --repeat times warm, and prints, per
   size, a Markdown table: the cold time, the warm median, the ratio of that median to
   the anonymous login page's median in the same run (the machine is shared and noisy,
   so ratios compare better than milliseconds), and the response's bytes raw and gzipped
   (compressed here at level 6, as Django's GZipMiddleware does; the server does not
   compress yet).

Usage: bench_pages.py [--sizes 60,3000,30000] [--repeat 5] [--months 12]
                      [--counties 10] [--quick] [--keepdb] [--only REGEX] [--companies N]
``--companies 300``: each size split among 300 companies under a province unit (issue
18: 30,000 stations in 300 units; half grade with another method), the unit page of the
province measured as its member sees it, the other pages on the first company.
``--quick``: sizes 60 and 3,000, 3 warm requests (a few minutes on a 2-core machine).
``--keepdb``: keep each size's database (``test_<database>_pages_<size>``) and measure the
company an earlier run built there again (a 30,000-station company takes ~2 minutes to
build); new migrations are applied to it. ``--only map``: the pages whose name matches.

Server time is measured around the test client's request (the full Django stack, no
network and no server process): throughput under load and the browser's paint time
are other measurements. Nothing is asserted; the tables are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import re
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_SIZE = 60
DEFAULT_SIZES = (60, 3_000, 30_000)
QUICK_SIZES = (60, 3_000)
#: As in issue 16's measurements: ten counties, so at 30,000 stations a station's county
#: has 3,000 peers (the station page lists them).
COUNTIES = 10
MONTHS = 12
#: The generated company's region (Zhejiang-ish), split into a grid of county rectangles.
WEST, EAST, SOUTH, NORTH = 118.0, 122.5, 27.0, 31.0
LAST_MONTH = date(2026, 9, 1)
LOGIN_URL = "/accounts/login/"
COMMITTEE = "committee"
STATION = "station staff"
ANONYMOUS = "anonymous"
ADMIN = "administrator"


@dataclass(frozen=True)
class BenchCompany:
    """What the measurement needs of a built company."""

    stations: int
    periods: list[str]  # YYYY-MM, oldest first
    committee: object  # a user of the party committee
    staff: object  # a station's staff member
    own_station: str  # the staff member's station code
    other_station: str  # another station's code (the committee's station page)
    province: str = ""  # the province unit's code (--companies): its page is measured
    province_viewer: object = None  # a member of that unit


@dataclass(frozen=True)
class Row:
    page: str
    viewer: str
    url: str
    status: int
    cold_ms: float
    median_ms: float
    raw_bytes: int
    gzip_bytes: int
    ratio: float = 0.0  # median / the login page's median


def pages(company: BenchCompany) -> list[tuple[str, str, str]]:
    """(page, viewer, url) for every page of issue 16's table, the login page first."""
    from stations.models import Station

    period = company.periods[-1]
    county = Station.objects.get(code=company.own_station).county_id
    province = []
    if company.province:
        unit = f"/org/{company.province}/"
        last = (
            Station.objects.filter(county__company__parent__code=company.province)
            .order_by("-id")
            .values_list("code", "county__company_id")[0]
        )
        province = [
            ("unit page (province)", PROVINCE_VIEWER, unit),
            ("unit page, a month before", PROVINCE_VIEWER, f"{unit}?period={company.periods[-2]}"),
            ("search list, whole province", PROVINCE_VIEWER, "/search/stations.json?q=Station+P00"),
            ("search page, whole province", PROVINCE_VIEWER, "/search/?q=Station+P00"),
            ("map of the last company", PROVINCE_VIEWER, f"/?company={last[1]}"),
            ("ranking of the last company", PROVINCE_VIEWER, f"/ranking/?company={last[1]}"),
            ("station of the last company", PROVINCE_VIEWER, f"/stations/{last[0]}/"),
        ]
    return [
        ("login", ANONYMOUS, LOGIN_URL),
        *province,
        ("map (HTML)", COMMITTEE, "/"),
        ("map (HTML)", STATION, "/"),
        ("month JSON (stepper)", COMMITTEE, f"/map/month.json?period={period}"),
        ("map, one county (HTML)", COMMITTEE, f"/?county={county}"),
        ("month JSON, one county", COMMITTEE, f"/map/month.json?period={period}&county={county}"),
        ("ranking (100 rows)", COMMITTEE, "/ranking/"),
        ("matrix (100 rows)", COMMITTEE, "/matrix/"),
        ("history", COMMITTEE, "/history/"),
        ("widget", COMMITTEE, "/widget/"),
        ("widget", STATION, "/widget/"),
        ("widget map JSON", COMMITTEE, "/widget/map.json"),
        ("widget map JSON", STATION, "/widget/map.json"),
        ("station", COMMITTEE, f"/stations/{company.other_station}/"),
        ("station (own)", STATION, f"/stations/{company.own_station}/"),
        ("review", COMMITTEE, "/improvement/review/"),
        ("bulletin", COMMITTEE, "/improvement/bulletin/"),
        ("pairing", COMMITTEE, "/improvement/pairing/"),
        ("department help", COMMITTEE, "/improvement/help/"),
        ("audit trail", ADMIN, "/manage/audit/"),
        ("submissions (arrivals)", ADMIN, f"/improvement/submissions/?period={str(period)[:7]}"),
    ]


# --- Building a company --------------------------------------------------------------


def month_list(count: int) -> list[date]:
    first = LAST_MONTH.year * 12 + LAST_MONTH.month - 1 - (count - 1)
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, first + count)]


def build_company(
    stations: int, months: int = MONTHS, counties: int = COUNTIES, seed: int = 1
) -> BenchCompany:
    """The demo at 60 stations, else a generated company (see the module's docstring)."""
    if stations == DEMO_SIZE:
        return _demo_company()
    return _generated_company(stations, months, counties, seed)


def prepare_shapes(company: BenchCompany) -> None:
    """What a station or border import asks for when it commits (``stations.tasks``):
    the shapes and their documents, built before anyone opens the map."""
    from stations.models import Station
    from stations.tasks import prepare_shapes as task

    station = Station.objects.select_related("county").get(code=company.own_station)
    task.run(station.county.company_id)


def shape_sizes(company: BenchCompany) -> str:
    """The shapes documents' sizes (sent once per shapes version, kept by the browser)."""
    from stations.areas import shapes_digest
    from stations.models import Station
    from stations.shapefiles import COUNTIES, STATIONS, county_part, shape_document

    station = Station.objects.select_related("county").get(code=company.own_station)
    company_id = station.county.company_id
    digest = shapes_digest(company_id)
    parts = [("counties", COUNTIES), ("one county", county_part(station.county_id))]
    parts.append(("all stations", STATIONS))
    sizes = []
    for name, part in parts:
        document = shape_document(company_id, digest, part)
        if document is not None:
            sizes.append(
                f"{name} {_size(len(document.raw))} ({_size(len(document.gzipped))} gzipped)"
            )
    return "Shapes documents (sent once per shapes version): " + "; ".join(sizes) + "."


def kept_database(database: str, stations: int, companies: int = 0) -> str:
    """The database ``--keepdb`` keeps for a size (scripts/benchsite.py serves it)."""
    province = f"_p{companies}" if companies else ""
    return f"test_{database}_pages_{stations}{province}"


def kept_province(stations: int) -> BenchCompany | None:
    """The province an earlier ``--keepdb --companies`` run built, if it is there."""
    from django.contrib.auth import get_user_model

    from indicators.periods import format_period
    from scoring.models import ScoreRun
    from stations.models import Company, OrgUnit, Station

    users = get_user_model().objects
    viewer = users.filter(username="bench-province").first()
    if not OrgUnit.objects.filter(code=PROVINCE_CODE).exists() or viewer is None:
        return None
    company = Company.objects.filter(parent__code=PROVINCE_CODE).order_by("pk").first()
    codes = list(
        Station.objects.filter(county__company=company)
        .order_by("id")
        .values_list("code", flat=True)[:2]
    )
    periods = ScoreRun.objects.filter(company=company, is_current=True).values_list("period")
    return BenchCompany(
        stations=Station.objects.filter(county__company__parent__code=PROVINCE_CODE).count(),
        periods=sorted({format_period(period) for (period,) in periods}),
        committee=users.get(username="bench-committee"),
        staff=users.get(username="bench-staff"),
        own_station=codes[0],
        other_station=codes[1],
        province=PROVINCE_CODE,
        province_viewer=viewer,
    )


def kept_company(stations: int) -> BenchCompany | None:
    """The company an earlier ``--keepdb`` run built at this size, if it is there."""
    from django.contrib.auth import get_user_model

    from demo.company import COMPANY_NAME
    from indicators.periods import format_period
    from scoring.models import ScoreRun
    from stations.models import Company, Station

    if stations == DEMO_SIZE:
        if not Company.objects.filter(name=COMPANY_NAME).exists():
            return None
        return _demo_company()
    company = Company.objects.filter(name=f"Bench pages {stations}").first()
    users = get_user_model().objects
    staff = users.filter(username="bench-staff").first()
    if company is None or staff is None:
        return None
    codes = list(
        Station.objects.filter(county__company=company)
        .order_by("id")
        .values_list("code", flat=True)[:2]
    )
    periods = ScoreRun.objects.filter(company=company, is_current=True).values_list("period")
    return BenchCompany(
        stations=stations,
        periods=sorted({format_period(period) for (period,) in periods}),
        committee=users.get(username="bench-committee"),
        staff=staff,
        own_station=codes[0],
        other_station=codes[1],
    )


def _demo_company() -> BenchCompany:
    from django.contrib.auth import get_user_model

    from demo.company import COMPANY_NAME, MEILIN, ensure_users, load_demo
    from indicators.periods import format_period
    from scoring.models import ScoreRun
    from stations.models import Station

    load_demo()
    ensure_users()
    users = get_user_model().objects
    stations = Station.objects.filter(county__company__name=COMPANY_NAME, active=True)
    own = stations.get(name=MEILIN).code
    periods = ScoreRun.objects.filter(is_current=True).order_by("period").values_list("period")
    return BenchCompany(
        stations=stations.count(),
        periods=sorted({format_period(period) for (period,) in periods}),
        committee=users.get(username="committee"),
        staff=users.get(username="meilin"),
        own_station=own,
        other_station=stations.exclude(code=own).order_by("code").first().code,
    )


def _generated_company(size: int, months: int, county_count: int, seed: int) -> BenchCompany:
    import numpy as np

    from indicators.periods import format_period
    from stations.models import Station
    from stations.services import create_company

    rng = np.random.default_rng(seed)
    company = create_company(f"Bench pages {size}")
    station_ids = _company_stations(rng, company, size, county_count, (WEST, EAST, SOUTH, NORTH))
    periods = month_list(months)
    _write_values(rng, company, station_ids, periods)
    _analyze()
    for period in periods:
        _score(company, period)
    _analyze()
    committee, staff = _users(station_ids)
    codes = dict(Station.objects.filter(pk__in=station_ids[:2].tolist()).values_list("pk", "code"))
    return BenchCompany(
        stations=size,
        periods=[format_period(period) for period in periods],
        committee=committee,
        staff=staff,
        own_station=codes[int(station_ids[0])],
        other_station=codes[int(station_ids[1])],
    )


def _company_stations(
    rng, company, size: int, county_count: int, region: tuple, prefix: str = "BP"
):
    """``size`` stations in ``county_count`` county rectangles (borders stored) tiling
    ``region`` (west, east, south, north); their ids, in order."""
    import numpy as np
    from shapely.geometry import box, mapping

    from stations.models import County, CountyBoundary, Station, name_keys

    west0, east0, south0, north0 = region
    count = max(1, min(county_count, size))
    columns = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    width, height = (east0 - west0) / columns, (north0 - south0) / rows
    counties = County.objects.bulk_create(
        County(company=company, name=f"County {n:03d}", **name_keys(f"County {n:03d}"))
        for n in range(count)
    )
    cells = [
        (west0 + (n % columns) * width, south0 + (n // columns) * height) for n in range(count)
    ]
    CountyBoundary.objects.bulk_create(
        CountyBoundary(
            county=county,
            geometry=mapping(box(west, south, west + width, south + height)),
            source="bench_pages",
        )
        for county, (west, south) in zip(counties, cells, strict=True)
    )
    # Inside its county's rectangle, off the border by 2 % of it.
    where = rng.uniform(0.02, 0.98, size=(size, 2))
    Station.objects.bulk_create(
        (
            Station(
                code=f"{prefix}{n:06d}",
                name=f"Station {prefix}{n}",
                **name_keys(f"Station {prefix}{n}"),  # a bulk write sets the pinyin keys itself
                county=counties[n % count],
                longitude=float(cells[n % count][0] + where[n, 0] * width),
                latitude=float(cells[n % count][1] + where[n, 1] * height),
                staff_count=int(rng.integers(5, 60)),
            )
            for n in range(size)
        ),
        batch_size=5000,
    )
    return np.array(
        Station.objects.filter(county__company=company).order_by("id").values_list("id", flat=True),
        dtype=np.int64,
    )


def _write_values(rng, company, station_ids, periods: list[date]) -> None:
    from indicators.models import ImportBatch, ImportSource, Indicator
    from indicators.periods import format_period

    indicators = list(Indicator.objects.filter(active=True).order_by("display_order", "code"))
    batch = ImportBatch.objects.create(
        company=company,
        file_name="bench_pages synthetic values",
        source=ImportSource.COMMAND_LINE,
        periods=[format_period(month) for month in periods],
    )
    for period in periods:
        _write_month(rng, station_ids, indicators, period, batch.pk)


# --- A province: many companies under one unit (issue 18) ----------------------------

PROVINCE_CODE = "BENCH-PROVINCE"
PROVINCE_VIEWER = "province viewer"


def build_province(
    stations: int, companies: int, months: int = MONTHS, counties: int = 1, seed: int = 1
) -> BenchCompany:
    """``stations`` split evenly among ``companies`` companies under one province unit
    (``PROVINCE_CODE``), each in its own cell of the region with ``counties`` county
    rectangles, every month scored by a real run; half of the companies grade with the
    league table (another method), so the unit page says it compares by shares. The
    company measured by the other pages is the first; the province's viewer is a member
    of the unit."""
    import numpy as np

    from indicators.periods import format_period
    from scoring.engine import LEAGUE_TABLE
    from scoring.models import MethodVersion
    from stations.models import OrgUnit, Station
    from stations.services import create_company

    rng = np.random.default_rng(seed)
    province = OrgUnit.objects.create(code=PROVINCE_CODE, name="Bench province")
    columns = int(np.ceil(np.sqrt(companies)))
    rows = int(np.ceil(companies / columns))
    width, height = (EAST - WEST) / columns, (NORTH - SOUTH) / rows
    periods = month_list(months)
    first_ids = None
    first = None
    for n in range(companies):
        company = create_company(f"Bench city {n:03d}")
        company.parent = province
        company.code = f"BC{n:03d}"
        company.save(update_fields=["parent", "code"])
        if n % 2:
            MethodVersion.objects.filter(company=company).update(params=LEAGUE_TABLE.as_record())
        size = stations // companies + (1 if n < stations % companies else 0)
        west, south = WEST + (n % columns) * width, SOUTH + (n // columns) * height
        region = (west, west + width * 0.96, south, south + height * 0.96)
        ids = _company_stations(rng, company, max(size, 2), counties, region, f"P{n:03d}-")
        _write_values(rng, company, ids, periods)
        if first is None:
            first, first_ids = company, ids
    _analyze()
    for company in OrgUnit.objects.get(pk=province.pk).companies.order_by("pk"):
        for period in periods:
            _score(company, period)
    _analyze()
    committee, staff = _users(first_ids)
    viewer = _province_viewer(province, first)
    codes = dict(Station.objects.filter(pk__in=first_ids[:2].tolist()).values_list("pk", "code"))
    return BenchCompany(
        stations=stations,
        periods=[format_period(period) for period in periods],
        committee=committee,
        staff=staff,
        own_station=codes[int(first_ids[0])],
        other_station=codes[int(first_ids[1])],
        province=PROVINCE_CODE,
        province_viewer=viewer,
    )


def _province_viewer(province, company) -> object:
    """A party committee member of the province (reads every company below it); the
    committee user is placed in the first company."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from stations.models import OrgMember
    from stations.roles import PARTY_COMMITTEE

    User = get_user_model()
    viewer = User.objects.create_user("bench-province", first_name="Province")
    viewer.groups.add(Group.objects.get(name=PARTY_COMMITTEE.group))
    OrgMember.objects.create(user=viewer, unit=province)
    committee = User.objects.get(username="bench-committee")
    OrgMember.objects.get_or_create(user=committee, defaults={"company": company})
    return viewer


def _analyze() -> None:
    """Table statistics, as autovacuum keeps them in production (without them the planner
    expects a few rows where there are 30,000 and picks nested loops)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _write_month(rng, station_ids, indicators, period: date, batch_id: int) -> None:
    """One month of values: bench_months' binary COPY on PostgreSQL, else the ORM."""
    from django.db import connection

    from indicators.models import IndicatorValue
    from scripts import bench_months

    if connection.vendor == "postgresql":
        data = bench_months.month_copy_data(rng, station_ids, indicators, period, batch_id)
        table = IndicatorValue._meta.db_table
        columns = ", ".join(bench_months.COPY_COLUMNS)
        statement = f'COPY "{table}" ({columns}) FROM STDIN (FORMAT BINARY)'
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.write(bench_months.COPY_HEADER)
            copy.write(data)
            copy.write(bench_months.COPY_TRAILER)
        return
    import numpy as np

    low = np.array([i.min_value for i in indicators])
    high = np.array([i.max_value for i in indicators])
    values = np.clip(rng.normal(50, 15, size=(len(station_ids), len(indicators))), low, high)
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                station_id=int(station),
                period=period,
                indicator_id=indicator.pk,
                value=float(values[row, column]),
                batch_id=batch_id,
            )
            for row, station in enumerate(station_ids)
            for column, indicator in enumerate(indicators)
        ),
        batch_size=5000,
    )


def _score(company, period: date) -> None:
    from scoring.models import RunStatus, RunTrigger, ScoreRun
    from scoring.services import execute_run

    run = ScoreRun.objects.create(company=company, period=period, trigger=RunTrigger.MANUAL)
    execute_run(run.pk)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        raise RuntimeError(f"the run of {period} ended {run.status}: {run.error}")


def _users(station_ids) -> tuple[object, object]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from stations.models import StationMember
    from stations.roles import PARTY_COMMITTEE, STATION_STAFF

    User = get_user_model()
    committee = User.objects.create_user("bench-committee", first_name="Committee")
    committee.groups.add(Group.objects.get(name=PARTY_COMMITTEE.group))
    staff = User.objects.create_user("bench-staff", first_name="Staff")
    staff.groups.add(Group.objects.get(name=STATION_STAFF.group))
    StationMember.objects.create(user=staff, station_id=int(station_ids[0]))
    return committee, staff


def _place(user, station_code: str) -> None:
    """The committee member sees the company of the staff's station (``stations.scope``:
    a user placed nowhere sees nothing); a database kept from before is placed too."""
    from stations.models import OrgMember, Station

    company_id = Station.objects.filter(code=station_code).values_list(
        "county__company_id", flat=True
    )[0]
    OrgMember.objects.get_or_create(user=user, defaults={"company_id": company_id})


# --- Measuring -------------------------------------------------------------------------


def _timed(client, url: str) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - started) * 1000, response


def measure(company: BenchCompany, repeat: int = 5, only: str = "") -> list[Row]:
    """Every page: one cold request, then ``repeat`` warm ones; the ratio to the login
    page's median. A page that does not answer 200 is reported with its status."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients = {ANONYMOUS: Client(), COMMITTEE: Client(), STATION: Client(), ADMIN: Client()}
    admin, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    clients[ADMIN].force_login(admin)
    _place(company.committee, company.own_station)
    clients[COMMITTEE].force_login(company.committee)
    clients[STATION].force_login(company.staff)
    if company.province_viewer is not None:
        clients[PROVINCE_VIEWER] = Client()
        clients[PROVINCE_VIEWER].force_login(company.province_viewer)
    rows = []
    for page, viewer, url in pages(company):
        if only and url != LOGIN_URL and not re.search(only, page):
            continue
        client = clients[viewer]
        cold, response = _timed(client, url)
        times = []
        for _ in range(max(1, repeat)):
            ms, response = _timed(client, url)
            times.append(ms)
        body = response.content
        rows.append(
            Row(
                page=page,
                viewer=viewer,
                url=url,
                status=response.status_code,
                cold_ms=cold,
                median_ms=statistics.median(times),
                raw_bytes=len(body),
                gzip_bytes=len(gzip.compress(body, compresslevel=6)),
            )
        )
    login = next(row.median_ms for row in rows if row.url == LOGIN_URL) or 1e-9
    return [replace(row, ratio=row.median_ms / login) for row in rows]


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 10 * 1024 else f"{count / 1024:.1f} KB"


def _ms(ms: float) -> str:
    return f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"


def _ratio(ratio: float) -> str:
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| page | viewer | cold ms | warm ms (median) | × login | raw | gzipped | status |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.page} | {row.viewer} | {_ms(row.cold_ms)} | {_ms(row.median_ms)} "
            f"| {_ratio(row.ratio)} | {_size(row.raw_bytes)} | {_size(row.gzip_bytes)} "
            f"| {row.status} |"
        )
    return "\n".join(lines)


def bench_size(
    stations: int,
    repeat: int,
    months: int,
    counties: int,
    seed: int = 1,
    *,
    keepdb: bool = False,
    only: str = "",
    companies: int = 0,
) -> tuple[str, dict]:
    """Build the company in a fresh test database, measure it, drop the database.
    With ``keepdb`` the database (one per size) is kept and a company an earlier run
    built is measured again. ``only``: a regular expression the page names must match.
    ``companies``: the stations split among that many companies under a province unit,
    whose page is measured too (``build_province``). Returns the table and the phases'
    seconds."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    seconds = {}
    started = time.perf_counter()
    if keepdb:
        database = settings.DATABASES["default"]
        database.setdefault("TEST", {})["NAME"] = kept_database(
            database["NAME"], stations, companies
        )
    # No serialised copy of the database (it is for TransactionTestCase; at 30,000
    # stations it would read 3.6 million rows first).
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=keepdb, serialized_aliases=set()
    )
    try:
        seconds["database"] = time.perf_counter() - started
        started = time.perf_counter()
        if companies:
            company = kept_province(stations) if keepdb else None
            if company is None:
                company = build_province(stations, companies, months, counties, seed)
        else:
            company = kept_company(stations) if keepdb else None
        if company is None:
            company = build_company(stations, months=months, counties=counties, seed=seed)
        seconds["build"] = time.perf_counter() - started
        clear_cache()
        started = time.perf_counter()
        prepare_shapes(company)
        seconds["shapes prepared"] = time.perf_counter() - started
        documents = shape_sizes(company)
        started = time.perf_counter()
        rows = measure(company, repeat=repeat, only=only)
        seconds["measure"] = time.perf_counter() - started
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=keepdb)
    where = f" in {companies} companies under a province" if companies else ""
    title = (
        f"{company.stations:,} stations{where}, {len(company.periods)} months "
        f"(last {company.periods[-1]}), warm: median of {repeat}"
    )
    return f"### {title}\n\n{table(rows)}\n\n{documents}", seconds


# --- Configuration ---------------------------------------------------------------------


def configure_environment() -> None:
    """DEBUG off as in production, over plain HTTP (the test client), before Django starts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SESSION_COOKIE_SECURE"] = "false"
    os.environ["CSRF_COOKIE_SECURE"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # No REDIS_URL: Celery stays in-process (eager); the cache is chosen below.
    os.environ.pop("REDIS_URL", None)


def configure_cache(redis_url: str | None) -> str:
    """The production cache backend on ``redis_url`` when it answers, else local memory.
    Returns what was chosen. The keys carry a prefix of this run."""
    from django.conf import settings
    from django.test.utils import override_settings

    prefix = f"bench-pages-{secrets.token_hex(4)}"
    backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    chosen = "local memory (Redis did not answer)"
    if redis_url:
        with contextlib.suppress(Exception):
            import redis

            redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
            backend = {
                "BACKEND": "config.cache.FaultTolerantRedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": prefix,
                "OPTIONS": {"socket_timeout": 5, "socket_connect_timeout": 2},
            }
            chosen = f"Redis {redis_url}, key prefix {prefix}"
    else:
        chosen = "local memory (no --redis-url)"
    # Static URLs without collectstatic's manifest (the pages' own cost is measured, not
    # the static files': plotly.js and the stylesheets are cached by the browser).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Through override_settings, so Django's cache and storage handlers are reset.
    override_settings(CACHES={"default": backend}, STORAGES=storages).enable()
    return chosen


def clear_cache() -> None:
    """Our prefix's keys only (the Redis database may be shared: no FLUSHDB)."""
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]
    if "LOCATION" not in backend:
        cache.clear()
        return
    import redis

    client = redis.Redis.from_url(backend["LOCATION"])
    keys = list(client.scan_iter(match=f"{backend['KEY_PREFIX']}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="stations per company, comma-separated (60 = the demo; default %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="warm requests (default 5)")
    parser.add_argument(
        "--months", type=int, default=MONTHS, help="months of a generated company (default 12)"
    )
    parser.add_argument(
        "--counties",
        type=int,
        default=COUNTIES,
        help="counties of a generated company (default 10)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep each size's database (test_<database>_pages_<size>) and reuse its company",
    )
    parser.add_argument("--only", default="", help="measure only pages matching this regex")
    parser.add_argument(
        "--companies",
        type=int,
        default=0,
        help="split each size among this many companies under a province unit and measure "
        "the unit page too (e.g. --sizes 30000 --companies 300 --counties 1; default: one "
        "company)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL"),
        help="the cache's Redis (default BENCH_REDIS_URL, else TEST_REDIS_URL)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="sizes 60 and 3000, 3 warm requests (unless --sizes/--repeat are given)",
    )
    args = parser.parse_args(argv)
    given = argv if argv is not None else sys.argv[1:]
    if args.quick:
        if not any(a.startswith("--sizes") for a in given):
            args.sizes = ",".join(str(size) for size in QUICK_SIZES)
        if not any(a.startswith("--repeat") for a in given):
            args.repeat = 3
    try:
        args.sizes = parse_sizes(args.sizes)
    except ValueError:
        parser.error(f"--sizes: whole numbers of at least 2, comma-separated, not {args.sizes!r}")
    if args.repeat < 1 or args.months < 2 or args.counties < 1 or args.companies < 0:
        parser.error(
            "--repeat at least 1, --months at least 2, --counties at least 1, --companies "
            "at least 0"
        )
    if args.companies and min(args.sizes) < 2 * args.companies:
        parser.error("--companies: every size needs at least 2 stations per company")
    return args


def parse_sizes(text: str) -> list[int]:
    """Stations per company from "60,3_000,30000"; ValueError for none, a non-number, or
    a company of fewer than 2 stations (bench_pages', bench_paint's --sizes)."""
    sizes = [int(size.replace("_", "")) for size in text.split(",") if size]
    if not sizes or min(sizes) < 2:
        raise ValueError(text)
    return sizes


def main() -> None:
    args = parse_args()
    configure_environment()
    import django

    django.setup()
    import logging
    import warnings

    from django.db import connection

    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per login otherwise
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic

    cache_note = configure_cache(args.redis_url)
    print(f"Pages by company size on {connection.vendor}; cache: {cache_note}; DEBUG off")
    print("Server time around the Django test client (no network); bytes without plotly.js.")
    try:
        for size in args.sizes:
            started = time.perf_counter()
            text, seconds = bench_size(
                size,
                args.repeat,
                args.months,
                args.counties,
                args.seed,
                keepdb=args.keepdb,
                only=args.only,
                companies=args.companies,
            )
            phases = ", ".join(f"{name} {value:.0f} s" for name, value in seconds.items())
            print()
            print(text)
            print()
            print(f"({time.perf_counter() - started:.0f} s in all: {phases})", flush=True)
    finally:
        clear_cache()


if __name__ == "__main__":
    main()
