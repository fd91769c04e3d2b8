#!/usr/bin/env python3
"""Benchmarks (`make bench`): engine speed and an end-to-end month recompute.

Runs against a throwaway test database on whatever DATABASE_URL points at
(make bench uses PostgreSQL when it answers). Prints a table; nothing is asserted.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from scoring.engine import score_period  # noqa: E402

SIZES = [60, 3_000, 30_000]
CODES = [
    "safety", "fault_outage", "frequent_outage", "line_loss", "customer_satisfaction",
    "getting_electricity", "party_building", "integrity_risk", "financial", "team_performance",
]  # fmt: skip


#: The synthetic values' valid range: the default (absolute) method scores against it.
VALID = {"valid_ranges": dict.fromkeys(CODES, (0.0, 100.0))}


def synthetic(stations: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.normal(50, 15, size=(stations, len(CODES)))
    values[rng.random(values.shape) < 0.01] = np.nan
    return pd.DataFrame(values, columns=CODES, index=pd.RangeIndex(stations, name="station"))


def best_of(function, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def bench_engine() -> list[tuple[int, float]]:
    weights = pd.Series(10.0, index=CODES)
    higher = pd.Series(
        [
            c not in {"fault_outage", "frequent_outage", "line_loss", "integrity_risk"}
            for c in CODES
        ],
        index=CODES,
    )
    rows = []
    for size in SIZES:
        values = synthetic(size)
        rows.append((size, best_of(lambda v=values: score_period(v, weights, higher, **VALID))))
    return rows


def bench_methods(size: int = 30_000) -> list[tuple[str, float]]:
    """Each method choice on its own at ``size`` stations, best of 5."""
    from dataclasses import replace

    from scoring.engine import LEAGUE_TABLE, ScoringMethod

    def league(**changes) -> ScoringMethod:
        return replace(LEAGUE_TABLE, **changes)

    weights = pd.Series(10.0, index=CODES)
    higher = pd.Series([c not in {"line_loss", "integrity_risk"} for c in CODES], index=CODES)
    values = synthetic(size)
    history = [synthetic(size, seed=2 + n) for n in range(3)]
    groups = pd.Series(np.where(np.arange(size) % 3 == 0, "urban", "rural"), index=values.index)
    valid = dict.fromkeys(CODES, (0.0, 100.0))
    choices = {
        "absolute: goalposts, thresholds (default)": ScoringMethod(),
        "league table: min-max, quotas": LEAGUE_TABLE,
        "winsorised min-max 5–95": league(winsor_pct=(5, 95)),
        "goalposts": league(normalisation="goalposts"),
        "z-score": league(normalisation="zscore"),
        "percentile": league(normalisation="percentile"),
        "fixed thresholds": league(grading="thresholds"),
        "natural breaks": league(grading="natural_breaks"),
        "peer groups (2)": league(peer_groups=True),
        "carry forward 1 indicator, 3 months": league(missing={"safety": "carry_forward"}),
        "cap on 1 indicator": league(
            caps=[{"indicator": "safety", "operator": "<", "value": 20, "grade": "blue"}]
        ),
    }
    return [
        (
            label,
            best_of(
                lambda m=method: score_period(
                    values,
                    weights,
                    higher,
                    m,
                    history=history,
                    peer_groups=groups,
                    valid_ranges=valid,
                ),
                repeat=5,
            ),
        )
        for label, method in choices.items()
    ]


def bench_sensitivity() -> list[tuple[int, str, float]]:
    """1,000 Monte Carlo draws of the weights (±20 %), best of 3, graded by the default
    (fixed thresholds) and by the league table's quotas (every run computes them)."""
    from scoring.engine import DEFAULT_METHOD, LEAGUE_TABLE
    from scoring.engine.sensitivity import weight_sensitivity

    weights = pd.Series(10.0, index=CODES)
    higher = pd.Series(True, index=CODES)
    results = []
    for size in SIZES:
        for label, method in (("thresholds", DEFAULT_METHOD), ("quotas", LEAGUE_TABLE)):
            month = score_period(synthetic(size), weights, higher, method, **VALID)
            graded = month.stations["rank"].notna()
            ms = best_of(
                lambda m=month, g=graded, method=method: weight_sensitivity(
                    m.normalised, weights, g, method
                ),
                repeat=3,
            )
            results.append((size, label, ms))
    return results


def bench_recompute(size: int) -> tuple[float, float, float]:
    """Import-free end to end: values already stored; time execute_run (read, compute, write)."""
    from datetime import date

    from indicators.models import ImportBatch, Indicator, IndicatorValue
    from scoring.models import RunTrigger, ScoreRun
    from scoring.services import execute_run
    from stations.models import County, Station
    from stations.services import create_company

    company = create_company(f"Bench {size}")
    county = County.objects.create(company=company, name="bench")
    Station.objects.bulk_create(
        Station(code=f"B{size}-{n}", name=f"S{n}", county=county, latitude=30, longitude=120)
        for n in range(size)
    )
    stations = list(Station.objects.filter(county=county).values_list("id", flat=True))
    indicators = dict(Indicator.objects.values_list("code", "id"))
    batch = ImportBatch.objects.create(company=company, file_name="bench", source="cli")
    period = date(2026, 9, 1)
    values = synthetic(size).fillna(50)
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                station_id=station_id,
                period=period,
                indicator_id=indicators[code],
                value=float(value),
                batch=batch,
            )
            for station_id, row in zip(stations, values.itertuples(index=False), strict=True)
            for code, value in zip(CODES, row, strict=True)
        ),
        batch_size=10_000,
    )

    def one_run(attempt: int) -> ScoreRun:
        # A changed value each time, so no run is skipped as "unchanged".
        IndicatorValue.objects.filter(
            station_id=stations[0], indicator_id=indicators["safety"]
        ).update(value=attempt)
        run = ScoreRun.objects.create(company=company, period=period, trigger=RunTrigger.MANUAL)
        execute_run(run.pk)
        run.refresh_from_db()
        return run

    timings, engine = [], []
    for attempt in range(3):
        started = time.perf_counter()
        run = one_run(attempt)
        timings.append((time.perf_counter() - started) * 1000)
        engine.append(run.compute_ms or 0)
    # Memory in a run of its own: tracing every allocation slows the run down.
    tracemalloc.start()
    one_run(3)
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return statistics.median(timings), float(statistics.median(engine)), peak


#: The real recompute's company: as scripts/bench_pages.py builds it (10 counties, 12 months
#: of the ten indicators, every month scored), with the party committee and station
#: secretaries told of every drop.
REAL_SIZE = 30_000
REAL_MONTHS = 12
SECRETARIES = 100


@dataclass(frozen=True)
class RealRecompute:
    """Medians (ms) of a real recompute of the company's newest month after its data
    changed, from the start of ``execute_run`` until it returns (eager Celery: what runs
    on commit runs inside it)."""

    stations: int
    months: int
    total: float  # execute_run, wall clock
    run: float  # the run's own total_ms: read values, compute, write scores (before commit)
    compute: float  # the engine
    after_run: float  # commit and everything on commit but the sensitivity step
    commit: float  # of which the run's commit (the deferred foreign-key checks)
    notices: float  # of which the grade-drop notices
    sensitivity: float  # the weight sensitivity (1,000 draws) and storing it
    drops: int  # grade drops found by the last repeat
    notices_created: int


def bench_real_recompute(
    size: int = REAL_SIZE, months: int = REAL_MONTHS, repeat: int = 3, keepdb: bool = False
) -> RealRecompute:
    """Issue 16: a real recompute of the newest month at ``size`` stations with ``months``
    of history, after its data changed (every value moved by ±5, alternately, as a
    re-imported month would), including the commit, the grade-drop notices (the month's
    drop notices are removed before each repeat, so each creates them anew) and the
    sensitivity step; median of ``repeat``. Builds the company in its own test database
    (kept with ``keepdb``: ``test_<database>_recompute_<size>``)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    test_name = database.get("TEST", {}).get("NAME")
    if keepdb:
        database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_recompute_{size}"
    # Not serialised for TransactionTestCase: that would read every row (minutes here).
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=keepdb, serialized_aliases=set()
    )
    try:
        return _measure_real_recompute(size, months, repeat, keepdb)
    finally:
        teardown_databases(old_config, verbosity=0, keepdb=keepdb)
        if keepdb:
            database["TEST"]["NAME"] = test_name


def _measure_real_recompute(size: int, months: int, repeat: int, keepdb: bool) -> RealRecompute:
    from improvement.models import Notification, NotificationKind
    from improvement.services import notices
    from scoring.models import RunStatus, RunTrigger, ScoreRun
    from scoring.services import runs
    from scripts import bench_pages

    company = bench_pages.kept_company(size) if keepdb else None
    if company is None:
        company = bench_pages.build_company(size, months=months)
    company_id = (
        ScoreRun.objects.filter(period__isnull=False).values_list("company_id", flat=True)[:1].get()
    )
    _secretaries(company_id)
    _league_table(company_id, max(company.periods))
    period = max(ScoreRun.objects.filter(company_id=company_id).values_list("period", flat=True))

    spent: dict[str, float] = {}

    inside: list[str] = []  # the timed steps under way

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            inside.append(name)
            try:
                return function(*args, **kwargs)
            finally:
                inside.pop()
                spent[name] = spent.get(name, 0.0) + (time.perf_counter() - started) * 1000

        return wrapper

    found = {}

    def counted(function):
        def wrapper(*args, **kwargs):
            outcome = function(*args, **kwargs)
            found["drops"], found["created"] = outcome.events, outcome.created
            return outcome

        return wrapper

    original = runs.store_sensitivity, notices.notify_grade_drops
    commits: list[float] = []

    def timed_commit(commit):
        def wrapper():
            started = time.perf_counter()
            try:
                return commit()
            finally:
                if not inside:  # not the notices' or the sensitivity's own commits
                    commits.append((time.perf_counter() - started) * 1000)

        return wrapper

    connection._commit = timed_commit(connection._commit)
    runs.store_sensitivity = timed("sensitivity", runs.store_sensitivity)
    notices.notify_grade_drops = timed("notices", counted(notices.notify_grade_drops))
    rows = []
    try:
        for attempt in range(repeat):
            _change_month(company_id, period, attempt)
            _vacuum()
            Notification.objects.filter(
                kind=NotificationKind.GRADE_DROP,
                period=period,
                station__county__company_id=company_id,
            ).delete()
            spent.clear()
            commits.clear()
            run = ScoreRun.objects.create(
                company_id=company_id, period=period, trigger=RunTrigger.IMPORT
            )
            started = time.perf_counter()
            runs.execute_run(run.pk)
            total = (time.perf_counter() - started) * 1000
            run.refresh_from_db()
            if run.status != RunStatus.DONE or run.unchanged or not run.is_current:
                raise RuntimeError(f"the recompute ended {run.status}: {run.error}")
            sensitivity = spent.get("sensitivity", 0.0)
            rows.append(
                (
                    total,
                    float(run.total_ms or 0),
                    float(run.compute_ms or 0),
                    total - (run.total_ms or 0) - sensitivity,
                    max(commits, default=0.0),  # the run's (the claim's is tiny)
                    spent.get("notices", 0.0),
                    sensitivity,
                )
            )
    finally:
        runs.store_sensitivity, notices.notify_grade_drops = original
        del connection._commit  # the class's again
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    return RealRecompute(
        company.stations,
        len(company.periods),
        *medians,
        found.get("drops", 0),
        found.get("created", 0),
    )


def _league_table(company_id: int, newest: str) -> None:
    """Grade the last two months by the league table (a fifth of the stations per colour):
    the generated values are independent from month to month, so many stations drop a
    grade (the default's seeded targets grade all of them yellow: no drops)."""
    from indicators.periods import add_months, parse_period
    from scoring.engine import LEAGUE_TABLE
    from scoring.models import MethodVersion
    from scoring.services import create_method_version
    from stations.models import Company

    newest_method = MethodVersion.objects.filter(company_id=company_id).order_by("-version").first()
    if newest_method is not None and newest_method.params == LEAGUE_TABLE.as_record():
        return
    create_method_version(
        company=Company.objects.get(pk=company_id),
        method=LEAGUE_TABLE,
        effective_from=add_months(parse_period(newest), -1),
        reason="bench: the league table",
    )


def _vacuum() -> None:
    """Each repeat starts from a vacuumed and analysed database, as autovacuum keeps one:
    the changed month's rows are new row versions, and the old ones (and a freshly built
    company's missing statistics) made the month's read 3–4 times slower, more with each
    repeat."""
    from improvement.models import Notification
    from indicators.models import IndicatorValue
    from scoring.models import StationScore
    from stations.models import Station

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (IndicatorValue, Station, StationScore, Notification):
            cursor.execute(f"VACUUM (ANALYZE) {quote(model._meta.db_table)}")


def _secretaries(company_id: int) -> None:
    """A secretary at every 300th station (at most SECRETARIES), told of its drops."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from stations.models import Station, StationMember
    from stations.roles import STATION_SECRETARY

    User = get_user_model()
    group = Group.objects.get(name=STATION_SECRETARY.group)
    ids = list(
        Station.objects.filter(county__company_id=company_id)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for n, station_id in enumerate(ids[:: max(1, len(ids) // SECRETARIES)][:SECRETARIES]):
        user, created = User.objects.get_or_create(username=f"bench-secretary-{n}")
        if created:
            user.groups.add(group)
            StationMember.objects.create(user=user, station_id=station_id)


def _change_month(company_id: int, period, attempt: int) -> None:
    """New data for the month: every value moves by 5 (up for half the stations, down for
    the other half, the other way round on the next attempt), kept in its valid range."""
    from indicators.models import Indicator, IndicatorValue
    from stations.models import Station

    quote = connection.ops.quote_name
    values = quote(IndicatorValue._meta.db_table)
    indicators = quote(Indicator._meta.db_table)
    stations = quote(Station._meta.db_table)
    from stations.models import County

    counties = quote(County._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {values} AS v
               SET value = GREATEST(i.min_value, LEAST(i.max_value,
                   v.value + CASE WHEN (v.station_id + %s) %% 2 = 0 THEN 5 ELSE -5 END))
              FROM {indicators} AS i, {stations} AS s, {counties} AS c
             WHERE v.indicator_id = i.id AND v.station_id = s.id AND s.county_id = c.id
               AND c.company_id = %s AND v.period = %s
            """,
            [attempt, company_id, period],
        )


PAGES = [
    ("map", "/"),
    ("map month (JSON, play control)", "/map/month.json?period={period}"),
    ("station", "/stations/33022601/"),
    ("ranking", "/ranking/"),
    ("indicator matrix", "/matrix/"),
    ("history", "/history/"),
    ("widget", "/widget/"),
]


def bench_pages() -> list[tuple[str, float, int, int]]:
    """The demo's pages as 梅林's staff see them: server time (median of 5 after a warm-up),
    HTML + embedded data in bytes, and gzipped. plotly.js is a cached static file, not counted."""
    import gzip

    from django.contrib.auth import get_user_model
    from django.test import Client

    from demo.company import ensure_users, load_demo
    from indicators.periods import format_period
    from scoring.models import ScoreRun

    load_demo()
    ensure_users()
    period = format_period(ScoreRun.objects.filter(is_current=True).latest("period").period)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="meilin"))
    results = []
    for name, url in PAGES:
        url = url.format(period=period)
        client.get(url)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content
        results.append((name, statistics.median(times), len(body), len(gzip.compress(body))))
    return results


def print_engine() -> None:
    print("Engine (score_period: normalise, aggregate, rank, grade), best of 7")
    print(f"{'stations':>10} {'ms':>10}")
    for size, ms in bench_engine():
        print(f"{size:>10} {ms:>10.2f}")


def print_methods() -> None:
    print("Engine by method at 30,000 stations, best of 5")
    for label, ms in bench_methods():
        print(f"{label:<40} {ms:>8.1f} ms")


def print_sensitivity() -> None:
    print("Weight sensitivity (1,000 draws, weights ±20 %), best of 3")
    print(f"{'stations':>10} {'grading':>12} {'ms':>10}")
    for size, label, ms in bench_sensitivity():
        print(f"{size:>10} {label:>12} {ms:>10.1f}")


def print_recompute_and_pages() -> None:
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"Recompute one month end to end on {connection.vendor} (median of 3)")
        print(f"{'stations':>10} {'total ms':>10} {'engine ms':>10} {'peak MB*':>10}")
        for size in SIZES:
            total, compute, peak = bench_recompute(size)
            print(f"{size:>10} {total:>10.1f} {compute:>10.1f} {peak:>10.1f}")
        print("* Python allocations traced by tracemalloc during the run")
        print()
        print(
            "Demo pages (60 stations, 24 months), server time median of 5, size without plotly.js"
        )
        print(f"{'page':<32} {'ms':>8} {'KB':>8} {'KB gzip':>8}")
        for name, ms, size, packed in bench_pages():
            print(f"{name:<32} {ms:>8.1f} {size / 1024:>8.1f} {packed / 1024:>8.1f}")
        from mapviews.staticfinders import PlotlyFinder, plotly_static_path

        plotly = Path(PlotlyFinder().find(plotly_static_path()))
        print(f"plotly.js (static, cached by the browser): {plotly.stat().st_size / 1024:.0f} KB")
    finally:
        teardown_databases(old_config, verbosity=0)


def print_real_recompute(size: int, repeat: int, keepdb: bool) -> None:
    if connection.vendor != "postgresql":
        print("A real recompute: PostgreSQL only (DATABASE_URL), skipped on", connection.vendor)
        return
    found = bench_real_recompute(size, repeat=repeat, keepdb=keepdb)
    print(
        f"A real recompute on {connection.vendor}: the newest month of {found.stations:,} "
        f"stations × {found.months} months after its data changed, median of {repeat} (ms)"
    )
    rows = [
        ("execute_run, wall clock (commit and on-commit work included)", found.total),
        ("  the run: read values, compute, write scores", found.run),
        ("    of which the engine", found.compute),
        ("  commit and on commit (FK checks, notices), without sensitivity", found.after_run),
        ("    of which the run's commit (deferred foreign-key checks)", found.commit),
        (f"    of which grade-drop notices ({found.drops:,} drops, "
         f"{found.notices_created:,} notices)", found.notices),
        ("  weight sensitivity (1,000 draws) and storing it", found.sensitivity),
        ("execute_run without the sensitivity step", found.total - found.sensitivity),
    ]  # fmt: skip
    for label, ms in rows:
        print(f"{label:<72} {ms:>8.0f}")


#: The sections of the benchmark, in the order they run (``--only`` matches their names).
#: Branch pairing and department help: scripts/bench_pairing.py (make bench-pairing).
SECTIONS = ("engine", "methods", "sensitivity", "recompute-and-pages", "real-recompute")


def parse_args(argv: list[str] | None = None):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", default="", help=f"run the sections matching this regex: {', '.join(SECTIONS)}"
    )
    parser.add_argument(
        "--real-size", type=int, default=REAL_SIZE, help="stations of the real recompute"
    )
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the real recompute")
    parser.add_argument(
        "--keepdb",
        action="store_true",
        help="keep the real recompute's database (its company takes ~2 minutes to build)",
    )
    return parser.parse_args(argv)


def main() -> None:
    import re

    args = parse_args()
    chosen = [name for name in SECTIONS if re.search(args.only, name)]
    for n, name in enumerate(chosen):
        if n:
            print()
        if name == "real-recompute":
            print_real_recompute(args.real_size, args.repeat, args.keepdb)
        else:
            globals()[f"print_{name.replace('-', '_')}"]()


if __name__ == "__main__":
    main()
