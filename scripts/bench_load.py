#!/usr/bin/env python3
"""Benchmark (`make bench-load`): every page's throughput under load through a real server.

Issue 16's second instrument. It

1. prepares the demo company (60 stations, 24 months) in the database bench_pages.py keeps
   for that size (``test_<database>_pages_60``: migrated, ``load_demo``, reused next time;
   scripts/benchsite.py; ``--size 3000``: bench_pages' generated company instead), and runs
   ``collectstatic`` as production does;
2. starts gunicorn on it: 2 sync workers, DEBUG off, the Redis cache on --redis-url (set as
   REDIS_URL for the server only), on 127.0.0.1:--port;
3. logs in through the login form (CSRF token and all, as a browser does; the right
   password, so django-axes counts no failure) as the party committee (``committee``) and
   梅林's staff (``meilin``);
4. for every page of bench_pages' table: one request that must answer 200, --warmup seconds
   of load not counted, then --seconds of load from --connections threads, each sending
   requests one after another on a new connection (scripts/loadtest.py: standard library,
   ``Accept-Encoding: gzip`` as a browser sends), and prints a Markdown table of
   requests/s, p50, p95, the bytes on the wire, and the ratio of the requests/s to the login
   page's in the same run, beside issue 16's target (≥ 0.5 for the widget's two requests,
   ≥ 0.25 for every other page). The login page is loaded three times (first, halfway and
   last) and counts by its middle run: the machine's load of the moment moves every figure.

The load generator runs on the same machine as the server (on a 2-core machine it takes
a share of the cores), so compare ratios, not requests/s, between machines and sessions.
Exits non-zero when a page answers anything but 200; gunicorn is stopped in every case.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import benchsite, loadtest  # noqa: E402

LOGIN = "login"
WIDGET_PAGES = ("widget", "widget map JSON")
WIDGET_TARGET = 0.5
PAGE_TARGET = 0.25
DEMO_SIZE = 60


@dataclass(frozen=True)
class LoadRow:
    page: str
    viewer: str
    url: str
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    bytes_per_response: float
    statuses: dict[str, int]
    ratio: float = 0.0  # requests/s over the login page's

    @property
    def only_200(self) -> bool:
        return set(self.statuses) == {"200"}


def target_for(page: str) -> float | None:
    """Issue 16's share of the login page's requests/s for a page (none for the login)."""
    if page == LOGIN:
        return None
    return WIDGET_TARGET if page in WIDGET_PAGES else PAGE_TARGET


def with_ratios(rows: list[LoadRow]) -> list[LoadRow]:
    """Each row's requests/s over the login page's (the first row named login)."""
    login = next((row.requests_per_second for row in rows if row.page == LOGIN), 0.0)
    return [replace(row, ratio=row.requests_per_second / login if login else 0.0) for row in rows]


def _company(stations: int) -> str:
    return f"the demo ({stations} stations)" if stations == DEMO_SIZE else f"{stations:,} stations"


def _kb(count: float) -> str:
    return f"{count / 1024:,.0f}" if count >= 10 * 1024 else f"{count / 1024:.1f}"


def _target(row: LoadRow) -> str:
    target = target_for(row.page)
    if target is None:
        return ""
    return f"≥ {target:.2f}: {'met' if row.ratio >= target else 'NOT met'}"


def table(rows: list[LoadRow]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| page | viewer | requests/s | p50 ms | p95 ms | KB (gzip) | × login | target "
        "| statuses |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(row.statuses.items()))
        lines.append(
            f"| {row.page} | {row.viewer} | {row.requests_per_second:,.1f} | {row.p50_ms:,.0f} "
            f"| {row.p95_ms:,.0f} | {_kb(row.bytes_per_response)} | {row.ratio:.2f} "
            f"| {_target(row)} | {statuses} |"
        )
    return "\n".join(lines)


def measure_page(
    target: loadtest.Target, connections: int, warmup: float, seconds: float
) -> tuple[list[float], dict[str, int], int, float]:
    """Latencies, statuses, bytes and elapsed seconds of ``seconds`` of load."""
    if warmup:
        loadtest.run(target, connections, warmup)
    results, elapsed = loadtest.run(target, connections, seconds)
    statuses = {str(status): count for status, count in results.statuses.items()}
    return results.latencies, statuses, results.bytes, elapsed


def _row(page, viewer, url, latencies, statuses, size, elapsed) -> LoadRow:
    done = len(latencies)
    return LoadRow(
        page=page,
        viewer=viewer,
        url=url,
        requests_per_second=done / elapsed if elapsed else 0.0,
        p50_ms=statistics.median(latencies) * 1000 if latencies else 0.0,
        p95_ms=loadtest._percentile(latencies, 0.95) * 1000,
        bytes_per_response=size / max(done, 1),
        statuses=statuses,
    )


def load_pages(
    base: str, site: benchsite.Site, args: argparse.Namespace
) -> tuple[list[LoadRow], list[LoadRow]]:
    """Every page of the site under load, in bench_pages' order, the login page first with
    the ratios to it; and the login page's runs (before the other pages, halfway through
    them and after them: on a shared machine the load of the moment moves every figure,
    so each page's ratio is to the middle one of these three)."""
    address = urlsplit(base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    sessions = {"anonymous": ""}
    for viewer, (username, password) in site.logins.items():
        login = loadtest.Target(host, port, benchsite.LOGIN_URL)
        jar = loadtest.log_in(login, username, password, benchsite.LOGIN_URL)
        sessions[viewer] = loadtest._cookie_header(jar)

    def load(page: str, viewer: str, url: str) -> LoadRow:
        headers = {"Accept-Encoding": "gzip"}
        if sessions[viewer]:
            headers["Cookie"] = sessions[viewer]
        target = loadtest.Target(host, port, url, headers)
        status, _headers, _set, _body = loadtest.request(target, url)
        if status != 200:
            raise SystemExit(f"{page} ({viewer}, {url}) answered {status}, not 200")
        started = time.perf_counter()
        latencies, statuses, size, elapsed = measure_page(
            target, args.connections, args.warmup, args.seconds
        )
        row = _row(page, viewer, url, latencies, statuses, size, elapsed)
        print(
            f"  {page} ({viewer}): {row.requests_per_second:.1f} requests/s "
            f"({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
        return row

    first, *others = site.pages
    others = [page for page in others if not args.only or re.search(args.only, page[0])]
    logins, rows = [load(*first)], []
    for number, page in enumerate(others):
        if number == len(others) // 2:
            logins.append(load(*first))
        rows.append(load(*page))
    logins.append(load(*first))
    return with_ratios([median_run(logins), *rows]), logins


def median_run(runs: list[LoadRow]) -> LoadRow:
    """The run with the median requests/s (of an odd number; the lower middle otherwise)."""
    ordered = sorted(runs, key=lambda run: run.requests_per_second)
    return ordered[(len(ordered) - 1) // 2]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=20, help="default %(default)s")
    parser.add_argument(
        "--seconds", type=float, default=5, help="measured load per page (default %(default)s)"
    )
    parser.add_argument(
        "--warmup", type=float, default=1, help="uncounted load first (default %(default)s)"
    )
    parser.add_argument("--workers", type=int, default=benchsite.WORKERS)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8350")))
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL"),
        help="the server's cache (default BENCH_REDIS_URL, else TEST_REDIS_URL)",
    )
    parser.add_argument("--only", default="", help="load only pages matching this regex")
    parser.add_argument(
        "--size",
        type=int,
        default=DEMO_SIZE,
        help="stations: 60 = the demo (default); another size is bench_pages' generated "
        "company in its kept database (slow pages take minutes at 20 connections: use --only)",
    )
    args = parser.parse_args(argv)
    if args.connections < 1 or args.seconds <= 0 or args.warmup < 0 or args.workers < 1:
        parser.error("--connections and --workers at least 1, --seconds above 0")
    if args.size < 2:
        parser.error("--size: at least 2 stations")
    if not 0 < args.port < 65536:
        parser.error("--port: 1 to 65535")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("bench_load: needs DATABASE_URL of a PostgreSQL server", file=sys.stderr)
        return 1
    started = time.perf_counter()
    site = benchsite.prepare_in_subprocess(args.size)
    benchsite.collect_static()
    print(f"(prepared in {time.perf_counter() - started:.0f} s)", flush=True)
    with benchsite.serve(
        base_url, site.database, args.port, args.redis_url, workers=args.workers
    ) as base:
        rows, logins = load_pages(base, site, args)
    print()
    print(
        f"### Under load: {_company(site.stations)}, gunicorn {args.workers} sync "
        f"workers, {args.connections} connections, {args.seconds:g} s per page after "
        f"{args.warmup:g} s of warm-up; cache: Redis {args.redis_url or '(none: local memory)'}"
    )
    print()
    print(table(rows))
    print()
    print(
        "The login page: the middle of "
        + ", ".join(f"{run.requests_per_second:.1f}" for run in logins)
        + " requests/s (before the other pages, halfway, after them)."
    )
    failed = [row for row in [*rows, *logins] if not row.only_200]
    if failed:
        for row in failed:
            print(f"bench_load: {row.page} ({row.viewer}) answered {row.statuses}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
