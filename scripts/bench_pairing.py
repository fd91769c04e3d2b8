#!/usr/bin/env python3
"""Branch pairing and department help at scale (`make bench-pairing`, part of `make bench`).

The month's branch-pairing proposal (`propose_pairing`: both assignments and the pairs'
reasons) dense against sparse at 300, 3,000 and 30,000 stations graded by the league
table's quotas (a fifth of the stations in each colour), then the department-help proposal
(`department_help`) at the same sizes. Medians of --repeat runs (time) and the peak of
Python's allocations in a run of its own (tracemalloc sees numpy's arrays; tracing slows a
run down, so the timed runs are untraced). Pure engine: no database. Nothing is asserted.

The dense assignment is skipped where its matrices would need more than --dense-max-gb
(at 30,000 stations, 6,000 × 6,000 a side: about 1.8 GB and 70 s, measured by hand).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from improvement.engine import department_help, propose_pairing  # noqa: E402
from improvement.engine.sparse import CANDIDATES, DENSE_UP_TO  # noqa: E402
from scoring.engine import LEAGUE_TABLE, indicator_grades, score_period  # noqa: E402

SIZES = (300, 3_000, 30_000)
CODES = [
    "safety", "fault_outage", "frequent_outage", "line_loss", "customer_satisfaction",
    "getting_electricity", "party_building", "integrity_risk", "financial", "team_performance",
]  # fmt: skip
#: Bytes per cell of the dense assignment at its peak: the benefit, distance and cost
#: matrices and their temporaries (float64), as measured at 3,000 stations.
DENSE_BYTES_PER_CELL = 48


def month(stations: int, seed: int = 1):
    """A graded month: (normalised, grades, weights, coordinates, indicator grades)."""
    rng = np.random.default_rng(seed)
    values = rng.normal(50, 15, size=(stations, len(CODES)))
    values[rng.random(values.shape) < 0.01] = np.nan
    frame = pd.DataFrame(values, columns=CODES, index=pd.RangeIndex(stations, name="station"))
    weights = pd.Series(10.0, index=CODES)
    scored = score_period(frame, weights, pd.Series(True, index=CODES), LEAGUE_TABLE)
    grades = scored.stations["grade"]
    where = pd.DataFrame(
        {
            "latitude": rng.uniform(28.8, 30.4, stations),
            "longitude": rng.uniform(120.9, 122.3, stations),
        },
        index=grades.index,
    )
    by_indicator = indicator_grades(scored.normalised, scored.summary["indicator_thresholds"])
    return scored.normalised, grades, weights, where, by_indicator


def timed(function, repeat: int) -> tuple[float, float, object]:
    """(median wall-clock seconds, median processor seconds, the last result). On a
    shared machine the processor time is the steadier figure."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), result


def peak_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def dense_gb(grades: pd.Series) -> float:
    counts = grades.value_counts()
    cells = counts.get("yellow", 0) * counts.get("red", 0)
    cells = max(cells, counts.get("green", 0) * counts.get("orange", 0))
    return cells * DENSE_BYTES_PER_CELL / 2**30


def bench_pairing(sizes, repeat: int, dense_max_gb: float, memory: bool) -> None:
    print(
        "Branch pairing: propose_pairing, both assignments and the reasons "
        f"(median of {repeat}; sparse: {CANDIDATES} candidates a weak station, "
        f"the default above {DENSE_UP_TO:,} stations a side)"
    )
    header = (
        f"{'stations':>9} {'yellow × red':>13} {'green × orange':>15} {'dense s':>8} "
        f"{'cpu s':>6} {'dense MB':>9} {'sparse s':>9} {'cpu s':>6} {'sparse MB':>10} "
        f"{'dense total':>12} {'sparse total':>13} {'bound':>10}"
    )
    print(header)
    for size in sizes:
        normalised, grades, weights, where, _ = month(size)
        counts = grades.value_counts()
        yr = f"{counts.get('yellow', 0)} × {counts.get('red', 0)}"
        go = f"{counts.get('green', 0)} × {counts.get('orange', 0)}"

        def dense(n=normalised, g=grades, w=weights, c=where):
            return propose_pairing(n, g, w, coordinates=c, dense_up_to=10**9)

        def sparse(n=normalised, g=grades, w=weights, c=where):
            return propose_pairing(n, g, w, coordinates=c, dense_up_to=0)

        if dense_gb(grades) <= dense_max_gb:
            dense_s, dense_cpu, dense_result = timed(dense, repeat)
            dense_mb = f"{peak_mb(dense):>9.1f}" if memory else f"{'–':>9}"
            dense_cols = f"{dense_s:>8.2f} {dense_cpu:>6.2f} {dense_mb} "
            dense_total = f"{dense_result.total_benefit:>12.2f}"
        else:
            dense_cols = f"{'skipped':>8} {'':>6} {f'~{dense_gb(grades):.1f} GB':>9} "
            dense_total = f"{'–':>12}"
        sparse_s, sparse_cpu, found = timed(sparse, repeat)
        sparse_mb = f"{peak_mb(sparse):>10.1f}" if memory else f"{'–':>10}"
        print(
            f"{size:>9,} {yr:>13} {go:>15} {dense_cols}{sparse_s:>9.2f} {sparse_cpu:>6.2f} "
            f"{sparse_mb} "
            f"{dense_total} {found.total_benefit:>13.2f} {found.optimum_bound:>10.2f}"
        )
    print(
        "bound: the optimal total is at most this (the sparse proposal's own estimate); "
        "dense skipped: its matrices would need more than "
        f"{dense_max_gb:g} GB (--dense-max-gb)"
    )


def bench_help(sizes, repeat: int, memory: bool) -> None:
    print()
    print(f"Department help: department_help over station × indicator grades (median of {repeat})")
    print(f"{'stations':>9} {'rows':>8} {'ms':>8} {'cpu ms':>8} {'peak MB':>8}")
    departments = {code: f"dept-{n % 4}" for n, code in enumerate(CODES)}
    for size in sizes:
        *_, by_indicator = month(size)

        def proposal(grades=by_indicator):
            return department_help(grades, departments)

        seconds, cpu, rows = timed(proposal, repeat)
        mb = f"{peak_mb(proposal):>8.1f}" if memory else f"{'–':>8}"
        print(f"{size:>9,} {len(rows):>8,} {seconds * 1000:>8.1f} {cpu * 1000:>8.1f} {mb}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in SIZES),
        help="stations, comma-separated (default %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument(
        "--dense-max-gb",
        type=float,
        default=1.0,
        help="skip the dense assignment above this estimate (default %(default)s)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the traced runs")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    bench_pairing(sizes, args.repeat, args.dense_max_gb, not args.no_memory)
    bench_help(sizes, args.repeat, not args.no_memory)


if __name__ == "__main__":
    main()
