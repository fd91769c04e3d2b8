#!/usr/bin/env python3
"""Benchmark (`make bench-months`): every month of a large company recomputed by real workers.

Issue 4's requirement: all 120 months of a 30,000-station company recomputed in under
2 minutes with two workers. This script

1. creates its own PostgreSQL database, ``bench_months_station_map`` (dropped at the end,
   also on failure or Ctrl-C), and migrates it;
2. generates a company: STATIONS active stations in counties of about 300, the initial
   weight version, and MONTHS months of the ten indicators (normal(50, 15) clipped to each
   indicator's valid range, about 1 % missing), loaded with a binary COPY (timed and
   reported, not part of the measured figure);
3. starts WORKERS real Celery worker processes (``celery -A config worker --concurrency
   CONCURRENCY``) on a dedicated Redis database (default redis://127.0.0.1:6379/7);
4. requests the recompute of every month as ``manage.py recompute --all`` does (one
   transaction, one run per month, enqueued on commit) and waits until every run is done;
5. prints the wall-clock time from the first enqueue to the last finished run, runs per
   second, each run's compute_ms/total_ms (median, max), what the workers' database
   sessions waited on, and the workers' peak memory (VmHWM).

Usage: bench_months.py [--stations 30000] [--months 120] [--workers 2] [--concurrency 1]
Quick try: bench_months.py --stations 3000 --months 12

With ``--units N`` (issue 18) the stations are split among N companies under one
province unit, and what is measured is a change of the province's common method: the
province publishes a weight version, which re-grades every month of every company as one
Celery group of one task per company (``scoring.services.publish_unit_weights``). The
first publication grades the months (not timed); then a second version is re-graded by
all the workers and a third by one worker alone, and the script prints both times and
their ratio. E.g. ``--stations 30000 --units 300 --months 12``; quick try
``--stations 3000 --units 30 --months 3``.

The PostgreSQL server comes from --pg-url, else BENCH_PG_URL, else DATABASE_URL when that
is PostgreSQL (make bench-months sets it through test_services.py), else
postgres://postgres@127.0.0.1:5432; only the server is used, never that database. The
Redis database must be empty or left over from this script (it is flushed at the end).
The workers and this script run with DEBUG off, as in production. Nothing is asserted:
the figures are printed. Exit status 1 when a run failed. Killed with SIGKILL, the script
leaves the database and the Redis keys to the next run, which removes them first.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import secrets
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "bench_months_station_map"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/7"
#: Set in the benchmark's Redis database so a later run knows it may flush leftovers.
REDIS_MARKER = "bench_months:owner"
LAST_MONTH = date(2026, 9, 1)
STATIONS_PER_COUNTY = 300
TARGET_SECONDS = 120
PG_EPOCH = date(2000, 1, 1)
TASK_TIME = re.compile(r"recompute_period\[[^]]*\] succeeded in ([0-9.]+)s")


# --- Configuration (before Django is set up) -------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=30_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--concurrency", type=int, default=1, help="prefork processes per worker (default 1)"
    )
    parser.add_argument("--pg-url", help="PostgreSQL server (its database name is ignored)")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
        help=f"broker, a Redis database of its own (default {DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds to wait for the runs (default 1800)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database",
        default=DB_NAME,
        help=f"the throwaway database's name, dropped at the end (default {DB_NAME})",
    )
    parser.add_argument(
        "--units",
        type=int,
        default=0,
        help="split the stations among this many companies under one province and time "
        "a change of the province's common method (default 0: one company, every month)",
    )
    args = parser.parse_args()
    if args.units < 0 or args.units > args.stations:
        parser.error("--units must be between 0 and --stations")
    if args.stations < 1 or args.months < 1 or args.workers < 1 or args.concurrency < 1:
        parser.error("--stations, --months, --workers and --concurrency must be at least 1")
    return args


def server_url(args: argparse.Namespace) -> str:
    """The PostgreSQL server's URL pointing at its maintenance database ``postgres``."""
    candidates = [args.pg_url, os.environ.get("BENCH_PG_URL"), os.environ.get("DATABASE_URL")]
    url = next((c for c in candidates if c and c.startswith(("postgres:", "postgresql:"))), None)
    if args.pg_url and url != args.pg_url:
        sys.exit(f"bench_months: --pg-url must be a postgres:// URL, not {args.pg_url!r}")
    parts = urlsplit(url or DEFAULT_SERVER)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def configure_environment(bench_db_url: str, redis_url: str) -> dict[str, str]:
    """Settings for this process and the workers: the bench database and broker, DEBUG off
    as in production (a throwaway key), one log line per task in the workers."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = bench_db_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ.pop("TEST_REDIS_URL", None)
    workers = dict(os.environ)
    workers["CELERY_TRACE_LOG_LEVEL"] = "INFO"
    workers["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return workers


# --- The throwaway database and the Redis database ------------------------------


def create_database(server: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        # Left over from a run that was killed: this name belongs to this script.
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database(server: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def claim_redis(url: str):
    """The broker's Redis database, emptied: refused when it holds keys of someone else."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    client.ping()
    if client.dbsize() and not client.exists(REDIS_MARKER):
        sys.exit(
            f"bench_months: Redis database {url} is not empty and not this benchmark's; "
            "choose a free one with --redis-url redis://HOST:PORT/N"
        )
    client.flushdb()
    client.set(REDIS_MARKER, "scripts/bench_months.py")
    return client


# --- Synthetic company ---------------------------------------------------------------


def month_list(count: int) -> list[date]:
    first = LAST_MONTH.year * 12 + LAST_MONTH.month - 1 - (count - 1)
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, first + count)]


#: One row of a binary COPY of (station_id, period, indicator_id, value, batch_id):
#: the field count, then each field's length and big-endian value.
COPY_ROW = [
    ("fields", ">i2"),
    ("station_len", ">i4"), ("station", ">i8"),
    ("period_len", ">i4"), ("period", ">i4"),
    ("indicator_len", ">i4"), ("indicator", ">i8"),
    ("value_len", ">i4"), ("value", ">f8"),
    ("batch_len", ">i4"), ("batch", ">i8"),
]  # fmt: skip
COPY_COLUMNS = {
    "station_id": "bigint",
    "period": "date",
    "indicator_id": "bigint",
    "value": "double precision",
    "batch_id": "bigint",
}
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = struct.pack("!h", -1)


def month_copy_data(rng, station_ids, indicators, period: date, batch_id: int) -> bytes:
    """A month of values as binary COPY data, built by numpy (no per-row Python)."""
    import numpy as np

    low = np.array([i.min_value for i in indicators])
    high = np.array([i.max_value for i in indicators])
    values = np.clip(rng.normal(50, 15, size=(len(station_ids), len(indicators))), low, high)
    present = rng.random(values.shape) >= 0.01
    rows = np.zeros(int(present.sum()), dtype=np.dtype(COPY_ROW))
    rows["fields"] = len(COPY_COLUMNS)
    for name, size in (("station", 8), ("period", 4), ("indicator", 8), ("value", 8)):
        rows[f"{name}_len"] = size
    rows["batch_len"] = 8
    rows["station"] = np.broadcast_to(station_ids[:, None], values.shape)[present]
    rows["period"] = (period - PG_EPOCH).days
    indicator_ids = np.array([i.pk for i in indicators], dtype=np.int64)
    rows["indicator"] = np.broadcast_to(indicator_ids[None, :], values.shape)[present]
    rows["value"] = values[present]
    rows["batch"] = batch_id
    return rows.tobytes()


def generate_company(args: argparse.Namespace, bench_db_url: str) -> tuple[object, dict]:
    """The company, its stations and every month's values; returns the load timings."""
    import numpy as np
    import psycopg
    from django.db import connection

    from indicators.models import ImportBatch, ImportSource, Indicator, IndicatorValue
    from indicators.periods import format_period
    from stations.models import County, Station

    timings = {}
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    companies = make_companies(args.units)  # each with its initial weight version
    company = companies[0]
    per_company = max(1, round(args.stations / len(companies) / STATIONS_PER_COUNTY))
    counties = County.objects.bulk_create(
        County(company=owner, name=f"County {n:03d}")
        for owner in companies
        for n in range(per_company)
    )
    latitude = rng.uniform(27.0, 31.0, args.stations)
    longitude = rng.uniform(118.0, 122.5, args.stations)
    Station.objects.bulk_create(
        (
            Station(
                code=f"BM{n:06d}",
                name=f"Station {n}",
                county=counties[n % len(counties)],
                latitude=float(latitude[n]),
                longitude=float(longitude[n]),
                staff_count=int(rng.integers(5, 60)),
            )
            for n in range(args.stations)
        ),
        batch_size=5000,
    )
    station_ids = np.array(
        Station.objects.filter(county__company__in=companies)
        .order_by("id")
        .values_list("id", flat=True),
        dtype=np.int64,
    )
    indicators = list(Indicator.objects.filter(active=True).order_by("display_order", "code"))
    months = month_list(args.months)
    batch = ImportBatch.objects.create(
        company=company,
        file_name="bench_months synthetic values",
        source=ImportSource.COMMAND_LINE,
        periods=[format_period(month) for month in months],
    )
    timings["company, counties, stations"] = time.perf_counter() - started

    table = IndicatorValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        types = dict(cursor.fetchall())
    if any(types.get(column) != kind for column, kind in COPY_COLUMNS.items()):
        raise RuntimeError(f"{table} columns changed, the binary COPY needs updating: {types}")

    started = time.perf_counter()
    written = 0
    statement = f'COPY "{table}" ({", ".join(COPY_COLUMNS)}) FROM STDIN (FORMAT BINARY)'
    with psycopg.connect(bench_db_url) as load:
        # The generated rows satisfy the foreign keys by construction: skip the per-row
        # foreign-key triggers (superuser only), three lookups per value.
        load.execute("SET session_replication_role = replica")
        load.execute("SET synchronous_commit = off")
        before = index_definitions(load, table)
        rebuild = drop_secondary_indexes(load, table)
        for index, month in enumerate(months, start=1):
            data = month_copy_data(rng, station_ids, indicators, month, batch.pk)
            with load.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(COPY_HEADER)
                copy.write(data)
                copy.write(COPY_TRAILER)
            load.commit()
            written += len(data) // np.dtype(COPY_ROW).itemsize
            if index % 12 == 0 or index == len(months):
                elapsed = time.perf_counter() - started
                print(f"  {index:>4}/{len(months)} months, {written:,} values, {elapsed:.0f} s")
        timings["indicator values (COPY)"] = time.perf_counter() - started
        started = time.perf_counter()
        load.execute("SET maintenance_work_mem = '512MB'")
        for sql in rebuild:
            load.execute(sql)
            load.commit()
        if index_definitions(load, table) != before:
            raise RuntimeError(f"{table}: indexes not rebuilt as they were: {before}")
        timings[f"{len(rebuild)} indexes rebuilt"] = time.perf_counter() - started
    ImportBatch.objects.filter(pk=batch.pk).update(row_count=written, value_count=written)

    started = time.perf_counter()
    with psycopg.connect(bench_db_url, autocommit=True) as maintenance:
        maintenance.execute("VACUUM (ANALYZE)")
    timings["VACUUM ANALYZE"] = time.perf_counter() - started
    return company, {
        "companies": companies,
        "timings": timings,
        "values": written,
        "months": months,
        "size": database_size(),
    }


def make_companies(units: int) -> list:
    """One company, or ``units`` companies under one province unit."""
    from stations.models import Company, OrgUnit
    from stations.services import create_company

    if not units:
        return [create_company("Bench months")]
    province = OrgUnit.objects.create(code="BENCH", name="Bench province")
    companies = []
    for n in range(units):
        company = create_company(f"Bench city {n:03d}")
        Company.objects.filter(pk=company.pk).update(parent=province)
        companies.append(company)
    return companies


def database_size() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def index_definitions(load, table: str) -> list[tuple[str, str]]:
    return load.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = %s::regclass ORDER BY 1",
        [table],
    ).fetchall()


def drop_secondary_indexes(load, table: str) -> list[str]:
    """Drop the table's indexes and unique constraints except the primary key; return the
    statements that recreate them as they were. One sorted build each after the COPY is
    about twice as fast as updating them row by row (3.6 million values: 11 s, not 24 s)."""
    constraints = {
        index: (name, kind, definition)
        for name, kind, definition, index in load.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid), conindid::regclass::text"
            " FROM pg_constraint WHERE conrelid = %s::regclass AND conindid <> 0",
            [table],
        )
    }
    recreate = []
    for index, definition in index_definitions(load, table):
        if index in constraints:
            name, kind, constraint = constraints[index]
            if kind == "p":
                continue  # the primary key stays: ids arrive in order, so it only appends
            load.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            recreate.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {constraint}')
        else:
            load.execute(f"DROP INDEX {index}")
            recreate.append(definition)
    load.commit()
    return recreate


# --- Workers -----------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when this script dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Worker:
    def __init__(self, index: int, concurrency: int, environment: dict, log_dir: Path):
        self.name = f"bench{index}@{socket.gethostname()}"
        self.log_path = log_dir / f"worker{index}.log"
        celery = Path(sys.executable).with_name("celery")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(celery), "-A", "config", "worker", "--loglevel", "INFO",
                 "--concurrency", str(concurrency), "--hostname", f"bench{index}@%h"],
                cwd=ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for the pool children
                preexec_fn=_die_with_parent,
            )  # fmt: skip
        self.peaks: dict[str, int] = {}
        self.stopped = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def task_seconds(self) -> list[float]:
        """Each task's run time as Celery logs it ("succeeded in 1.52s"): the whole task,
        including the commit that the run's total_ms cannot include."""
        try:
            return [float(s) for s in TASK_TIME.findall(self.log_path.read_text(errors="replace"))]
        except OSError:
            return []

    def children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ")".
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.pid:
                found.append(int(entry.name))
        return sorted(found)

    def record_peaks(self) -> None:
        """VmHWM (peak resident set) of the worker's main process and its pool processes."""
        for label, pid in [("main", self.pid)] + [(f"pool {p}", p) for p in self.children()]:
            kilobytes = vm_hwm(pid)
            if kilobytes is not None:
                self.peaks[label] = kilobytes

    def stop(self, grace: float = 30.0) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to the whole process group if it lingers."""
        if self.stopped:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # the group is this worker's alone
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.stopped = True


def vm_hwm(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def wait_until_ready(workers: list[Worker], timeout: float = 90.0) -> None:
    from config.celery import app

    wanted = {worker.name for worker in workers}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker {worker.name} exited:\n{worker.log_tail()}")
        replies = app.control.ping(destination=sorted(wanted), timeout=1.0)
        if wanted <= {name for reply in replies for name in reply}:
            return
    tails = "\n".join(worker.log_tail() for worker in workers)
    raise RuntimeError(f"workers not ready after {timeout:.0f} s:\n{tails}")


# --- The measured part -------------------------------------------------------------


def request_all_months(company) -> tuple[list[int], float, float]:
    """As ``manage.py recompute --all``: one run per month with data, enqueued on commit."""
    from django.db import transaction

    from scoring.models import RunTrigger
    from scoring.selectors import periods_with_data
    from scoring.services import request_recompute

    started = time.perf_counter()
    periods = periods_with_data(company.pk)
    listing = time.perf_counter() - started
    with transaction.atomic():
        runs = [request_recompute(company, month, trigger=RunTrigger.MANUAL) for month in periods]
    return [run.pk for run in runs], listing, time.time()


def wait_for_runs(run_ids: list[int], workers: list[Worker], timeout: float) -> Counter:
    """Poll until every run is done or failed; tally what the workers' sessions wait on."""
    from django.db import connection
    from django.db.models import Count

    from scoring.models import RunStatus, ScoreRun

    waits: Counter = Counter()
    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    while True:
        counts = dict(
            ScoreRun.objects.filter(pk__in=run_ids)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend' AND state = 'active'"
            )
            waits.update(row[0] for row in cursor.fetchall())
        finished = counts.get(RunStatus.DONE, 0) + counts.get(RunStatus.FAILED, 0)
        if finished == len(run_ids):
            return waits
        for worker in workers:
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker {worker.name} died:\n{worker.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"runs not finished after {timeout:.0f} s: {counts}")
        if time.monotonic() - last_report >= 10:
            last_report = time.monotonic()
            print(f"  {finished}/{len(run_ids)} runs finished {dict(counts)}", flush=True)
        time.sleep(0.5)


def summarise(run_ids: list[int], seen_done: float) -> dict:
    from scoring.models import RunStatus, ScoreRun, StationScore

    runs = list(ScoreRun.objects.filter(pk__in=run_ids).order_by("period"))
    done = [run for run in runs if run.status == RunStatus.DONE]
    starts = [t for run in runs for t in (run.enqueued_at, run.started_at) if t is not None]
    first = min(starts)
    last = max(run.finished_at for run in runs if run.finished_at is not None)
    waits = [
        (run.started_at - run.enqueued_at).total_seconds()
        for run in runs
        if run.started_at and run.enqueued_at
    ]
    return {
        "runs": runs,
        "done": done,
        "failed": [run for run in runs if run.status == RunStatus.FAILED],
        "wall": (last - first).total_seconds(),
        "seen_done": seen_done,
        "total_ms": [run.total_ms for run in done if run.total_ms is not None],
        "compute_ms": [run.compute_ms for run in done if run.compute_ms is not None],
        "queue_wait": waits,
        "retried": sum(1 for run in runs if run.attempts > 1),
        "unchanged": sum(1 for run in done if run.unchanged),
        "scores": StationScore.objects.filter(run_id__in=run_ids).count(),
        "size": database_size(),
    }


# --- A unit's method change (--units) ---------------------------------------------


def unit_weights(step: int) -> dict:
    """A weight version of the province: every active indicator, the ``step``-th one
    weighted three times the others (each step changes every month's scores)."""
    from decimal import Decimal

    from indicators.models import Indicator

    codes = list(
        Indicator.objects.filter(active=True)
        .order_by("display_order", "code")
        .values_list("code", flat=True)
    )
    return {code: Decimal(3 if n == step % len(codes) else 1) for n, code in enumerate(codes)}


def publish_and_wait(step: int, first: date, workers: list[Worker], timeout: float) -> dict:
    """The province publishes weight version ``step`` (from the first month: every month
    of every company); wait until every re-grade is done. Returns its figures."""
    from django.db.models import Max, Min

    from scoring.models import RunStatus, ScoreRun
    from scoring.services import publish_unit_weights
    from stations.models import OrgUnit

    province = OrgUnit.objects.get(code="BENCH")
    before = ScoreRun.objects.aggregate(last=Max("pk"))["last"] or 0
    started = time.time()
    publish_unit_weights(
        unit=province, weights=unit_weights(step), effective_from=first, reason=f"bench {step}"
    )
    requested = time.time() - started
    run_ids = list(ScoreRun.objects.filter(pk__gt=before).values_list("pk", flat=True))
    waits = wait_for_runs(run_ids, workers, timeout)
    seen = time.time() - started
    runs = ScoreRun.objects.filter(pk__in=run_ids)
    span = runs.aggregate(first=Min("created_at"), last=Max("finished_at"))
    done = runs.filter(status=RunStatus.DONE)
    return {
        "runs": len(run_ids),
        "failed": runs.filter(status=RunStatus.FAILED).count(),
        "companies": runs.values("company").distinct().count(),
        "waiting": done.filter(publish=False).count(),
        "requested": requested,
        "wall": (span["last"] - span["first"]).total_seconds(),
        "seen": seen,
        "total_ms": list(done.values_list("total_ms", flat=True)),
        "waits": waits,
    }


def report_units(args, load: dict, passes: list[tuple[str, dict]]) -> None:
    from django.db import connection

    months = len(load["months"])
    print()
    print(
        f"A province's method change: {args.stations:,} stations in {args.units} companies "
        f"under one province, {months} months each"
    )
    print(
        f"machine: {machine()}; PostgreSQL {connection.pg_version // 10000}."
        f"{connection.pg_version % 10000}"
    )
    print()
    print("Data load (not part of the measured time)")
    for label, seconds in load["timings"].items():
        print(f"  {label:<32} {seconds:>8.1f} s")
    print()
    for label, result in passes:
        per_run = result["total_ms"]
        median = statistics.median(per_run) if per_run else 0
        print(
            f"{label:<34} {result['wall']:>7.1f} s  ({result['runs']} runs of "
            f"{result['companies']} companies, {result['runs'] / result['wall']:.1f} runs/s, "
            f"median run {median:.0f} ms, {result['failed']} failed, "
            f"{result['waiting']} waiting re-grades)"
        )
        print(
            f"  {'':<32} publishing (saving the version, requesting the runs) "
            f"{result['requested']:.1f} s; publish → seen done {result['seen']:.1f} s"
        )
    timed = dict(passes)
    many, one = timed.get(f"re-grade, {args.workers} workers"), timed.get("re-grade, 1 worker")
    if many and one and many["wall"]:
        print()
        print(
            f"one worker / {args.workers} workers: {one['wall']:.1f} s / {many['wall']:.1f} s "
            f"= {one['wall'] / many['wall']:.2f}"
        )


def run_units(args, load: dict, workers: list[Worker]) -> int:
    """The first grading, a re-grade by every worker, then one by the first worker."""
    first = load["months"][0]
    passes = [("first grading (not compared)", publish_and_wait(1, first, workers, args.timeout))]
    print(f"bench_months: graded, {passes[0][1]['wall']:.1f} s; re-grading", flush=True)
    passes.append(
        (f"re-grade, {args.workers} workers", publish_and_wait(2, first, workers, args.timeout))
    )
    if len(workers) > 1:
        for worker in workers[1:]:
            worker.stop()
        print("bench_months: re-grading with one worker", flush=True)
        alone = publish_and_wait(3, first, workers[:1], args.timeout)
        passes.append(("re-grade, 1 worker", alone))
    for worker in workers:
        worker.record_peaks()
    report_units(args, load, passes)
    return 1 if any(result["failed"] for _label, result in passes) else 0


# --- Output ------------------------------------------------------------------------


def machine() -> str:
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
    return f"{os.cpu_count()} CPUs, {memory}, Python {sys.version.split()[0]}"


def report(args, load: dict, result: dict, listing: float, waits: Counter, workers) -> None:
    from django.db import connection

    stations, months = args.stations, len(load["months"])
    print()
    print(
        f"Recompute of every month: {months} months × {stations:,} stations, "
        f"{args.workers} worker(s) × concurrency {args.concurrency}"
    )
    print(
        f"machine: {machine()}; PostgreSQL {connection.pg_version // 10000}."
        f"{connection.pg_version % 10000}"
    )
    print()
    print("Data load (not part of the measured time)")
    for label, seconds in load["timings"].items():
        print(f"  {label:<32} {seconds:>8.1f} s")
    print(f"  {'total':<32} {sum(load['timings'].values()):>8.1f} s ({load['values']:,} values)")
    print(f"  database size after the load     {load['size'] / 2**30:>8.2f} GB")
    print(f"  listing the months with data     {listing:>8.1f} s (before the first enqueue)")
    print()
    done, runs = result["done"], result["runs"]
    wall = result["wall"]
    print(f"Runs: {len(done)} done, {len(result['failed'])} failed of {len(runs)}")
    print(f"  wall clock, first enqueue → last finished  {wall:>8.1f} s")
    print(f"  wall clock, commit → seen done (polled)     {result['seen_done']:>8.1f} s")
    print(f"  runs per second                            {len(runs) / wall:>8.2f}")
    if args.stations == 30_000 and months == 120 and args.workers * args.concurrency == 2:
        verdict = "met" if wall < TARGET_SECONDS and not result["failed"] else "NOT met"
        print(f"  requirement (< {TARGET_SECONDS} s with two workers)        {verdict:>8}")
    for label, key in (("total_ms", "total_ms"), ("compute_ms", "compute_ms")):
        values = result[key]
        if values:
            print(
                f"  per run {label:<10} median {statistics.median(values):>8.0f}"
                f"   max {max(values):>8}   min {min(values):>8}"
            )
    tasks = [seconds * 1000 for worker in workers for seconds in worker.task_seconds()]
    if tasks:
        print(
            f"  per task (Celery)  median {statistics.median(tasks):>8.0f}"
            f"   max {max(tasks):>8.0f}   min {min(tasks):>8.0f}   (ms, with the commit)"
        )
    if result["queue_wait"]:
        print(f"  last run's wait in the queue {max(result['queue_wait']):>8.1f} s")
    print(
        f"  retried runs {result['retried']}, unchanged {result['unchanged']}, "
        f"score rows {result['scores']:,} (expected {len(done) * stations:,})"
    )
    print(f"  database size after the runs               {result['size'] / 2**30:>8.2f} GB")
    for run in result["failed"][:5]:
        print(f"  FAILED {run.period_text}: {run.error}")
    samples = sum(waits.values())
    if samples:
        shares = ", ".join(
            f"{event} {count / samples:.0%}" for event, count in waits.most_common(6)
        )
        print(f"  worker sessions' state in {samples} samples: {shares}")
    print()
    print("Workers: tasks and peak resident memory (VmHWM)")
    for worker in workers:
        peaks = ", ".join(f"{label} {kb / 1024:.0f} MB" for label, kb in worker.peaks.items())
        print(f"  {worker.name}: {len(worker.task_seconds())} tasks; {peaks or 'not available'}")


# --- Main --------------------------------------------------------------------------


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main() -> int:
    global DB_NAME
    args = parse_args()
    DB_NAME = args.database
    server = server_url(args)
    bench_db_url = with_database(server, DB_NAME)
    environment = configure_environment(bench_db_url, args.redis_url)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    print(f"bench_months: database {DB_NAME} on {urlsplit(server).hostname}", flush=True)
    print(f"bench_months: broker {args.redis_url}", flush=True)
    try:
        redis_client = claim_redis(args.redis_url)
    except Exception as exc:
        sys.exit(f"bench_months: needs Redis at {args.redis_url}: {exc}")
    try:
        create_database(server)
    except Exception as exc:
        redis_client.flushdb()
        sys.exit(
            f"bench_months: needs PostgreSQL as a superuser at {urlsplit(server).netloc}: {exc}"
        )
    workers: list[Worker] = []
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"bench_months: migrated in {time.perf_counter() - started:.1f} s", flush=True)
        print(f"bench_months: generating {args.stations:,} stations × {args.months} months")
        company, load = generate_company(args, bench_db_url)
        with tempfile.TemporaryDirectory(prefix="bench_months_") as log_dir:
            workers = [
                Worker(index, args.concurrency, environment, Path(log_dir))
                for index in range(1, args.workers + 1)
            ]
            wait_until_ready(workers)
            if args.units:
                print(f"bench_months: {len(workers)} worker(s) ready; the province publishes")
                return run_units(args, load, workers)
            print(f"bench_months: {len(workers)} worker(s) ready; requesting every month")
            run_ids, listing, committed_at = request_all_months(company)
            waits = wait_for_runs(run_ids, workers, args.timeout)
            seen_done = time.time() - committed_at
            for worker in workers:
                worker.record_peaks()
            result = summarise(run_ids, seen_done)
            for worker in workers:
                worker.stop()
            report(args, load, result, listing, waits, workers)
        return 1 if result["failed"] else 0
    finally:
        for worker in workers:
            worker.stop()
        connections.close_all()
        drop_database(server)
        with contextlib.suppress(Exception):
            redis_client.flushdb()
        print(f"bench_months: workers stopped, database {DB_NAME} dropped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
