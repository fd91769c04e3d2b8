"""The browser paint benchmark (scripts/bench_paint.py): its options and its table. No
browser is started here: the benchmark only prints its figures."""

from __future__ import annotations

import pytest

from scripts import bench_paint
from scripts.bench_paint import PaintRow


def test_sizes_default_to_the_demo_3000_and_30000_stations():
    assert bench_paint.parse_args([]).sizes == [60, 3000, 30000]
    args = bench_paint.parse_args(["--sizes", "60,3_000", "--loads", "5"])
    assert (args.sizes, args.loads) == ([60, 3000], 5)
    for bad in (["--sizes", "many"], ["--sizes", "1"], ["--sizes", ""], ["--loads", "0"]):
        with pytest.raises(SystemExit):
            bench_paint.parse_args(bad)


def test_the_table_gives_the_median_paint_and_wait_of_each_page_and_size():
    rows = [
        PaintRow(60, "map", "committee", [110, 95, 130], [700, 650, 690], [40, 42, 41]),
        PaintRow(30000, "widget", "station staff", [9480, 9512], [14000, 15000], [2300, 2500]),
    ]
    lines = bench_paint.table(rows).splitlines()
    assert lines[0].startswith("| stations | page | viewer | paint ms (Plotly.react) |")
    assert len(lines) == 2 + len(rows)
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert cells[0] == ["60", "map", "committee", "110", "95–130", "690", "41", "3"]
    assert cells[1] == [
        "30,000", "widget", "station staff", "9,496", "9,480–9,512", "14,500", "2,400", "2",
    ]  # fmt: skip


def test_a_missing_browser_is_named(monkeypatch):
    monkeypatch.setenv("BROWSER_CHROMIUM_PATH", "/nonexistent/chromium")
    monkeypatch.setenv("BROWSER_CHROMEDRIVER_PATH", "/nonexistent/chromedriver")
    assert bench_paint.missing_browser() == [
        "chromium at /nonexistent/chromium",
        "chromedriver at /nonexistent/chromedriver",
    ]
    assert bench_paint.main(["--sizes", "60"]) == 1


def test_the_pages_are_the_map_whole_and_one_county_and_the_widget_of_the_benchmark_site():
    from scripts.benchsite import Site

    site = Site(
        database="test_x_pages_60",
        stations=60,
        logins={},
        pages=[
            ("login", "anonymous", "/accounts/login/"),
            ("map (HTML)", "committee", "/"),
            ("map (HTML)", "station staff", "/"),
            ("map, one county (HTML)", "committee", "/?county=7"),
            ("widget", "committee", "/widget/"),
            ("widget", "station staff", "/widget/"),
        ],
    )
    assert bench_paint.page_urls(site) == [
        ("map", "committee", "/"),
        ("map, one county", "committee", "/?county=7"),
        ("widget", "station staff", "/widget/"),
    ]
    without_counties = Site(site.database, 60, {}, [site.pages[1], site.pages[5]])
    assert [page for page, _v, _u in bench_paint.page_urls(without_counties)] == ["map", "widget"]
