"""The page benchmark (scripts/bench_pages.py) builds its table: a row per page, with numbers.
Nothing here is timed: the benchmark only prints its figures."""

from __future__ import annotations

import re

import pytest

from scripts import bench_pages


@pytest.mark.django_db
def test_a_tiny_company_gets_a_row_per_page_with_its_time_ratio_and_bytes():
    company = bench_pages.build_company(5, months=2)
    rows = bench_pages.measure(company, repeat=1)

    assert [(row.page, row.viewer, row.url) for row in rows] == bench_pages.pages(company)
    assert {row.page for row in rows} >= {
        "login", "map (HTML)", "month JSON (stepper)", "ranking (100 rows)",
        "matrix (100 rows)", "history", "widget", "station", "review", "bulletin",
    }  # fmt: skip
    assert all(row.status == 200 for row in rows), [(r.url, r.status) for r in rows]
    assert all(row.cold_ms > 0 and row.median_ms > 0 and row.ratio > 0 for row in rows)
    assert all(row.raw_bytes > 0 and row.gzip_bytes > 0 for row in rows)
    assert rows[0].url == "/accounts/login/" and rows[0].ratio == 1

    lines = bench_pages.table(rows).splitlines()
    assert lines[0].startswith("| page | viewer | cold ms |")
    assert len(lines) == 2 + len(rows)
    number = re.compile(r"^[0-9][0-9,]*(\.[0-9]+)?( KB| MB)?$")
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert all(number.match(cell) for cell in cells[2:]), line


def test_sizes_and_the_quick_mode_are_read_from_the_command_line():
    assert bench_pages.parse_args(["--sizes", "60,3_000"]).sizes == [60, 3000]
    quick = bench_pages.parse_args(["--quick"])
    assert (quick.sizes, quick.repeat) == ([60, 3000], 3)
    assert bench_pages.parse_args(["--quick", "--sizes", "500"]).sizes == [500]
    for bad in (["--sizes", "many"], ["--sizes", "1"], ["--repeat", "0"]):
        with pytest.raises(SystemExit):
            bench_pages.parse_args(bad)
