"""The load benchmark (scripts/bench_load.py): its options and its table. Nothing here
starts a server or is timed: the benchmark only prints its figures."""

from __future__ import annotations

import pytest

from scripts import bench_load
from scripts.bench_load import LoadRow


def _row(page: str, rps: float, statuses: dict[str, int] | None = None) -> LoadRow:
    return LoadRow(
        page=page,
        viewer="committee",
        url="/",
        requests_per_second=rps,
        p50_ms=36.4,
        p95_ms=41.2,
        bytes_per_response=26_300,
        statuses=statuses or {"200": 10},
    )


def test_the_defaults_are_issue_16s_twenty_connections_and_two_workers():
    args = bench_load.parse_args([])
    assert (args.connections, args.workers, args.seconds) == (20, 2, 5)
    args = bench_load.parse_args(["--connections", "5", "--seconds", "2", "--only", "widget"])
    assert (args.connections, args.seconds, args.only) == (5, 2, "widget")
    assert bench_load.parse_args(["--size", "3000"]).size == 3000
    for bad in (["--connections", "0"], ["--seconds", "0"], ["--port", "70000"], ["--size", "1"]):
        with pytest.raises(SystemExit):
            bench_load.parse_args(bad)


def test_the_widget_must_reach_half_the_login_page_and_the_other_pages_a_quarter():
    assert bench_load.target_for("login") is None
    assert bench_load.target_for("widget") == 0.5
    assert bench_load.target_for("widget map JSON") == 0.5
    assert bench_load.target_for("map (HTML)") == 0.25
    assert bench_load.target_for("bulletin") == 0.25


def test_the_table_gives_each_page_its_ratio_to_the_login_page_and_says_if_the_target_is_met():
    rows = bench_load.with_ratios(
        [_row("login", 800), _row("widget", 480), _row("map (HTML)", 100)]
    )
    assert [row.ratio for row in rows] == [1.0, 0.6, 0.125]

    lines = bench_load.table(rows).splitlines()
    assert lines[0].startswith("| page | viewer | requests/s | p50 ms | p95 ms |")
    assert len(lines) == 2 + len(rows)
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert cells[0][:8] == ["login", "committee", "800.0", "36", "41", "26", "1.00", ""]
    assert cells[1][6:8] == ["0.60", "≥ 0.50: met"]
    assert cells[2][6:8] == ["0.12", "≥ 0.25: NOT met"]
    assert cells[2][8] == "200: 10"


def test_a_page_that_answered_anything_but_200_under_load_is_noticed():
    assert _row("map (HTML)", 10).only_200
    assert not _row("map (HTML)", 10, {"200": 9, "502": 1}).only_200
    assert not _row("map (HTML)", 10, {"ConnectionResetError": 3, "200": 2}).only_200


def test_the_login_page_counts_by_the_middle_of_its_runs():
    runs = [_row("login", 150), _row("login", 80), _row("login", 120)]
    assert bench_load.median_run(runs).requests_per_second == 120
    assert bench_load.median_run(runs[:2]).requests_per_second == 80
