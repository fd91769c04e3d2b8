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


def bench_pairing() -> list[tuple[int, str, float]]:
    """The month's branch-pairing proposal (both assignments, reasons), best of 3. Not at
    30,000 stations: the dense assignment grows with the cube (about a minute there)."""
    from improvement.engine import propose_pairing
    from scoring.engine import LEAGUE_TABLE

    weights = pd.Series(10.0, index=CODES)
    higher = pd.Series(True, index=CODES)
    rng = np.random.default_rng(3)
    results = []
    for size in SIZES[:2]:
        # The league table: quotas give every colour its fifth of the stations to pair.
        month = score_period(synthetic(size), weights, higher, LEAGUE_TABLE)
        grades = month.stations["grade"]
        where = pd.DataFrame(
            {
                "latitude": rng.uniform(28.8, 30.4, size),
                "longitude": rng.uniform(120.9, 122.3, size),
            },
            index=grades.index,
        )
        counts = grades.value_counts()
        sides = f"{counts.get('green', 0)} × {counts.get('orange', 0)}"
        ms = best_of(
            lambda m=month, g=grades, w=where: propose_pairing(
                m.normalised, g, weights, coordinates=w
            ),
            repeat=3,
        )
        results.append((size, sides, ms))
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


def main() -> None:
    print("Engine (score_period: normalise, aggregate, rank, grade), best of 7")
    print(f"{'stations':>10} {'ms':>10}")
    for size, ms in bench_engine():
        print(f"{size:>10} {ms:>10.2f}")

    print()
    print("Engine by method at 30,000 stations, best of 5")
    for label, ms in bench_methods():
        print(f"{label:<40} {ms:>8.1f} ms")

    print()
    print("Weight sensitivity (1,000 draws, weights ±20 %), best of 3")
    print(f"{'stations':>10} {'grading':>12} {'ms':>10}")
    for size, label, ms in bench_sensitivity():
        print(f"{size:>10} {label:>12} {ms:>10.1f}")

    print()
    print("Branch pairing (yellow–red and green–orange assignments, reasons), best of 3")
    print(f"{'stations':>10} {'green × orange':>16} {'ms':>10}")
    for size, sides, ms in bench_pairing():
        print(f"{size:>10} {sides:>16} {ms:>10.1f}")

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print()
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


if __name__ == "__main__":
    main()
