#!/usr/bin/env python3
"""Benchmark (`make bench-import`): an indicator file imported against a raw COPY.

Issue 17's measuring instrument. In a throwaway test database (``--keepdb``: kept as
``test_<database>_import_<stations>`` and its company reused, as scripts/bench_pages.py
does) this script builds a company of --stations stations (default 30,000) and a
long-form CSV of one month of the ten indicators for each (300,000 values, two decimals,
inside each indicator's valid range), then --repeat times, each on an empty month:

- **raw COPY**: the same rows, already as ids, loaded by one binary COPY into the value
  table, its indexes kept and foreign keys checked, committed (the floor: no reading, no
  checking); also into a bare temporary table (no index, no key) for reference;
- **import**: ``import_indicator_file`` as the command line and the web job run it: read,
  checked, stored, the month's recompute requested (not run: the queued run is not sent);
- **re-import**: the same file again (every value replaced, the old ones kept as history);
- **rollback**: the re-import rolled back (``indicators.rollback``; skipped on a version
  without it);
- **import, XLSX (wide)**: the same values as a wide workbook (a column per indicator),
  imported into the emptied month (``--no-xlsx`` skips it).

It prints the medians and the ratio of import to raw COPY (issue 17's target: ≤ 5×), then
each of two imports run in a fresh process for its peak memory (``ru_maxrss``): the
benchmark file, and a file of about --memory-mb MB (default 50: three months, values
with up to 17 decimals). Nothing is asserted.

Usage: bench_import.py [--stations 30000] [--repeat 5] [--keepdb] [--memory-mb 50]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATIONS_PER_COUNTY = 3_000


@dataclass(frozen=True)
class BenchFile:
    path: Path
    periods: list[date]
    values: int
    rows: object  # a DataFrame of the same rows as ids: station_id, day, indicator_id, value


def configure_environment() -> None:
    """DEBUG off (no query log), Celery eager, before Django starts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-import-" + "x" * 50)
    os.environ["ALLOWED_HOSTS"] = "localhost"
    os.environ.pop("REDIS_URL", None)


def last_months(count: int) -> list[date]:
    today = date.today()
    index = today.year * 12 + today.month - 1
    return [date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count, 0, -1)]


def kept_database(database: str, stations: int) -> str:
    return f"test_{database}_import_{stations}"


def company_named(stations: int):
    """The bench company (built now unless an earlier --keepdb run left it)."""
    import numpy as np

    from stations.models import Company, County, Station
    from stations.services import create_company

    name = f"Bench import {stations}"
    company = Company.objects.filter(name=name).first()
    if company is not None:
        return company
    company = create_company(name)
    counties = County.objects.bulk_create(
        County(company=company, name=f"County {n:02d}")
        for n in range(max(1, round(stations / STATIONS_PER_COUNTY)))
    )
    rng = np.random.default_rng(7)
    Station.objects.bulk_create(
        (
            Station(
                code=f"BI{n:06d}",
                name=f"Station {n}",
                county=counties[n % len(counties)],
                latitude=float(rng.uniform(27.0, 31.0)),
                longitude=float(rng.uniform(118.0, 122.5)),
                staff_count=30,
            )
            for n in range(stations)
        ),
        batch_size=5000,
    )
    return company


def write_file(company, folder: Path, months: int, decimals: int, name: str) -> BenchFile:
    """A long-form CSV of ``months`` months × every station × the ten indicators."""
    import numpy as np
    import pandas as pd

    from indicators.models import Indicator
    from stations.models import Station

    stations = pd.DataFrame(
        Station.objects.filter(county__company=company).order_by("id").values_list("id", "code"),
        columns=["id", "code"],
    )
    indicators = list(Indicator.objects.filter(active=True).order_by("display_order", "code"))
    periods = last_months(months)
    rng = np.random.default_rng(1)
    pieces = []
    for period in periods:
        for indicator in indicators:
            values = rng.normal(50, 15, size=len(stations))
            values = np.clip(values, indicator.min_value, indicator.max_value).round(decimals)
            pieces.append(
                pd.DataFrame(
                    {
                        "station_id": stations["id"],
                        "station_code": stations["code"],
                        "period": f"{period:%Y-%m}",
                        "day": np.datetime64(period, "D"),
                        "indicator_id": indicator.pk,
                        "indicator_code": indicator.code,
                        "value": values,
                    }
                )
            )
    rows = pd.concat(pieces, ignore_index=True)
    path = folder / name
    rows[["station_code", "period", "indicator_code", "value"]].to_csv(
        path, index=False, float_format=f"%.{decimals}f"
    )
    ids = rows[["station_id", "day", "indicator_id", "value"]]
    return BenchFile(path, periods, len(rows), ids)


def write_workbook(bench: BenchFile, folder: Path) -> Path:
    """The same values as a wide XLSX workbook (a row per station and month, a column
    per indicator), the layout a person keeps in Excel."""
    import pandas as pd
    from openpyxl import Workbook

    rows = pd.read_csv(bench.path, dtype={"station_code": str, "period": str})
    wide = rows.pivot(
        index=["station_code", "period"], columns="indicator_code", values="value"
    ).reset_index()
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(wide.columns))
    for row in wide.itertuples(index=False):
        sheet.append(list(row))
    path = folder / "bench-import.xlsx"
    book.save(path)
    return path


def clear_months(company, periods: list[date]) -> None:
    """Empty the months (values, history, the bench's batches): every run starts alike."""
    from django.apps import apps
    from django.db import connection

    from indicators.models import ImportBatch, IndicatorValue

    IndicatorValue.objects.filter(station__county__company=company, period__in=periods).delete()
    try:
        history = apps.get_model("indicators", "ValueHistory")
    except LookupError:  # a version before the value history
        history = None
    if history is not None:
        history.objects.filter(batch__company=company).delete()
    ImportBatch.objects.filter(company=company).exclude(values__isnull=False).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE indicators_indicatorvalue")


def copy_data(bench: BenchFile, batch_id: int) -> bytes:
    """The rows as binary COPY data of (station_id, period, indicator_id, value, batch_id)
    (scripts/bench_months.py's row layout)."""
    import numpy as np

    from scripts.bench_months import COPY_COLUMNS, COPY_ROW, PG_EPOCH

    rows = bench.rows
    data = np.zeros(len(rows), dtype=np.dtype(COPY_ROW))
    data["fields"] = len(COPY_COLUMNS)
    for name, size in (("station", 8), ("period", 4), ("indicator", 8), ("value", 8)):
        data[f"{name}_len"] = size
    data["batch_len"] = 8
    data["station"] = rows["station_id"].to_numpy()
    epoch = np.datetime64(PG_EPOCH, "D")
    data["period"] = (rows["day"].to_numpy(dtype="datetime64[D]") - epoch).astype(np.int32)
    data["indicator"] = rows["indicator_id"].to_numpy()
    data["value"] = rows["value"].to_numpy()
    data["batch"] = batch_id
    return data.tobytes()


def raw_copy(company, bench: BenchFile, *, bare: bool = False) -> float:
    """Seconds to COPY the file's rows (as ids) into the value table and commit (its
    indexes kept, its foreign keys checked at the commit, as for an import). ``bare``: into
    a temporary table of the same columns without any index or key instead."""
    from django.db import connection, transaction

    from indicators.models import ImportBatch, ImportSource, IndicatorValue
    from scripts.bench_months import COPY_COLUMNS, COPY_HEADER, COPY_TRAILER

    batch = ImportBatch.objects.create(
        company=company, file_name="raw copy", source=ImportSource.COMMAND_LINE
    )
    data = copy_data(bench, batch.pk)
    table = IndicatorValue._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if bare:
            table = "bench_bare_values"
            columns = ", ".join(f"{name} {kind}" for name, kind in COPY_COLUMNS.items())
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns}) ON COMMIT DROP")
        statement = f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        started = time.perf_counter()
        with cursor.cursor.copy(statement) as copy:
            copy.write(COPY_HEADER)
            copy.write(data)
            copy.write(COPY_TRAILER)
    return time.perf_counter() - started


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def import_file(path: Path):
    from indicators.models import ImportSource
    from indicators.services import import_indicator_file

    return import_indicator_file(path, source=ImportSource.COMMAND_LINE)


def no_recompute_sent() -> None:
    """Requested recomputes stay queued: the benchmark measures the import alone."""
    from scoring.services import recompute

    recompute.enqueue_run = lambda run_id: None


def measure(
    company, bench: BenchFile, repeat: int, workbook: Path | None = None
) -> dict[str, list[float]]:
    try:
        from indicators.rollback import rollback_import
    except ImportError:  # a version before the rollback
        rollback_import = None
    seconds: dict[str, list[float]] = {
        "raw COPY, bare table": [],
        "raw COPY": [],
        "import": [],
        "re-import": [],
    }
    if rollback_import is not None:
        seconds["rollback"] = []
    if workbook is not None:
        seconds["import, XLSX (wide)"] = []
    for attempt in range(repeat):
        clear_months(company, bench.periods)
        seconds["raw COPY, bare table"].append(raw_copy(company, bench, bare=True))
        seconds["raw COPY"].append(raw_copy(company, bench))
        clear_months(company, bench.periods)
        seconds["import"].append(timed(lambda: import_file(bench.path)))
        started = time.perf_counter()
        again = import_file(bench.path)
        seconds["re-import"].append(time.perf_counter() - started)
        if rollback_import is not None:
            started = time.perf_counter()
            rollback_import(batch=again.batch)
            seconds["rollback"].append(time.perf_counter() - started)
        if workbook is not None:
            clear_months(company, bench.periods)
            seconds["import, XLSX (wide)"].append(timed(lambda: import_file(workbook)))
        print(
            f"  run {attempt + 1}: "
            + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in seconds.items()),
            flush=True,
        )
    clear_months(company, bench.periods)
    return seconds


def peak_memory(bench: BenchFile, database_url: str) -> tuple[float, float]:
    """(MB before the import, peak MB) of a fresh process that imports the file."""
    environment = {**os.environ, "DATABASE_URL": database_url}
    output = subprocess.run(
        [sys.executable, __file__, "--child-import", str(bench.path)],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return figures["before_mb"], figures["peak_mb"]


def child_import(path: str) -> None:
    configure_environment()
    import django

    django.setup()
    no_recompute_sent()
    before = high_water_mb()
    import_file(Path(path))
    print(json.dumps({"before_mb": before, "peak_mb": high_water_mb()}))


def high_water_mb() -> float:
    """The process's peak resident memory (Linux's VmHWM, which starts afresh at exec,
    unlike ru_maxrss; ru_maxrss elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_url(name: str) -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    user = database.get("USER") or "postgres"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=30_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keepdb", action="store_true")
    parser.add_argument("--memory-mb", type=int, default=50, help="0: skip the large file")
    parser.add_argument(
        "--no-xlsx", dest="xlsx", action="store_false", help="skip the XLSX workbook import"
    )
    parser.add_argument("--child-import", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.child_import:
        child_import(args.child_import)
        return
    configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        print("bench_import measures PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL.")
        return
    no_recompute_sent()
    database = settings.DATABASES["default"]
    if args.keepdb:
        database.setdefault("TEST", {})["NAME"] = kept_database(database["NAME"], args.stations)
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=args.keepdb, serialized_aliases=set()
    )
    try:
        url = database_url(connection.settings_dict["NAME"])
        company = company_named(args.stations)
        with tempfile.TemporaryDirectory() as folder:
            bench = write_file(company, Path(folder), 1, 2, "bench-import.csv")
            size_mb = bench.path.stat().st_size / 1e6
            print(
                f"Indicator import on PostgreSQL: {args.stations:,} stations, "
                f"{bench.values:,} values of {bench.periods[0]:%Y-%m} "
                f"(long-form CSV, {size_mb:.1f} MB), {args.repeat} runs"
            )
            workbook = write_workbook(bench, Path(folder)) if args.xlsx else None
            seconds = measure(company, bench, args.repeat, workbook)
            medians = {name: statistics.median(values) for name, values in seconds.items()}
            copy, bare = medians["raw COPY"], medians["raw COPY, bare table"]
            print()
            print("| step | median | × raw COPY (value table) | × raw COPY (bare table) |")
            print("|---|---:|---:|---:|")
            for name, value in medians.items():
                print(f"| {name} | {value:.2f} s | {value / copy:.2f}× | {value / bare:.0f}× |")
            print()
            before, peak = peak_memory(bench, url)
            clear_months(company, bench.periods)
            print(
                f"Peak memory of a fresh process importing it: {peak:.0f} MB "
                f"({before:.0f} MB after Django started, +{peak - before:.0f} MB)."
            )
            if args.memory_mb:
                # Three months (900,000 rows, under the default 1,000,000-row limit), with
                # as many decimals as bring the file near --memory-mb.
                per_row = args.memory_mb * 1e6 / (3 * bench.values)
                decimals = min(17, max(2, round(per_row - size_mb * 1e6 / bench.values + 2)))
                large = write_file(company, Path(folder), 3, decimals, "bench-import-large.csv")
                before, peak = peak_memory(large, url)
                clear_months(company, large.periods)
                print(
                    f"A {large.path.stat().st_size / 1e6:.0f} MB file ({large.values:,} values, "
                    f"3 months): peak {peak:.0f} MB (+{peak - before:.0f} MB)."
                )
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
