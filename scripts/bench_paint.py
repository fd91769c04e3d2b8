#!/usr/bin/env python3
"""Benchmark (`make bench-paint`): how long the browser takes to draw the map, by company size.

Issue 16's third instrument. For each size in --sizes (60 = the demo) it serves the
database bench_pages.py keeps for that size (``test_<database>_pages_<N>``, built the first
time: about 2 minutes at 30,000 stations; scripts/benchsite.py) with gunicorn (2 sync
workers, DEBUG off, the Redis cache), opens headless Chromium (the Debian packages, set up
as the browser tests do: tests/browser/conftest.py), logs in through the login form and
loads each page --loads times after one uncounted load (which fills the server's cache and
the browser's, plotly.js included):

- the map (the home page) as the party committee, and one county's map (``?county=``);
- the homepage widget as a station's staff, its map fetched as JSON (revalidated by ETag).

For each load it reads what static/js/map.js records on the map's element: ``data-paint-ms``,
the time from the map's data being in hand (``Plotly.react`` called) to the map drawn (its
promise resolved), and, through an observer added before the page's scripts run, when
``data-ready`` was set, counted from the start of the navigation (``performance.now()``):
the whole wait of a user, the server's answer and the download included. It also reads
when the page's response had arrived (navigation timing's ``responseEnd``). Medians are
printed as a Markdown table. Chromium or chromedriver missing: says so and exits 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import benchsite  # noqa: E402
from scripts.bench_pages import parse_sizes  # noqa: E402

DEFAULT_SIZES = (60, 3_000, 30_000)
COMMITTEE = "committee"
STATION = "station staff"
#: (page, viewer, bench_pages' name of the page): the map as the committee sees it, whole
#: and one county's, and the widget as a station's staff sees it.
PAGES = (
    ("map", COMMITTEE, "map (HTML)"),
    ("map, one county", COMMITTEE, "map, one county (HTML)"),
    ("widget", STATION, "widget"),
)
MAP_SELECTOR = ".js-station-map"
LOGIN_TIMEOUT = 30
#: Added before every document's own scripts: notes when the map says it is drawn.
READY_OBSERVER = """
new MutationObserver(function (records) {
  records.forEach(function (record) {
    if (record.target.dataset && record.target.dataset.ready === "true"
        && window.__benchReadyAt === undefined) {
      window.__benchReadyAt = performance.now();
    }
  });
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-ready"]});
"""
READ_TIMES = f"""
var map = document.querySelector("{MAP_SELECTOR}");
var navigation = performance.getEntriesByType("navigation")[0];
return {{
  ready: map ? map.dataset.ready === "true" : false,
  paint: map && map.dataset.paintMs ? Number(map.dataset.paintMs) : null,
  readyAt: window.__benchReadyAt === undefined ? null : window.__benchReadyAt,
  responseEnd: navigation ? navigation.responseEnd : null
}};
"""


@dataclass(frozen=True)
class PaintRow:
    stations: int
    page: str
    viewer: str
    paint_ms: list[float]
    ready_ms: list[float]
    response_ms: list[float]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _ms(values: list[float]) -> str:
    return f"{median(values):,.0f}"


def _spread(values: list[float]) -> str:
    return "–".join(f"{value:,.0f}" for value in (min(values), max(values))) if values else ""


def table(rows: list[PaintRow]) -> str:
    """The rows as a Markdown table of medians (and the range of the loads)."""
    lines = [
        "| stations | page | viewer | paint ms (Plotly.react) | range "
        "| navigation → drawn ms | page received ms | loads |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.stations:,} | {row.page} | {row.viewer} | {_ms(row.paint_ms)} "
            f"| {_spread(row.paint_ms)} | {_ms(row.ready_ms)} | {_ms(row.response_ms)} "
            f"| {len(row.paint_ms)} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="stations per company, comma-separated (60 = the demo; default %(default)s)",
    )
    parser.add_argument("--loads", type=int, default=3, help="counted loads (default 3)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds for one load")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8350")))
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL"),
        help="the server's cache (default BENCH_REDIS_URL, else TEST_REDIS_URL)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = parse_sizes(args.sizes)
    except ValueError:
        parser.error(f"--sizes: whole numbers of at least 2, comma-separated, not {args.sizes!r}")
    if args.loads < 1 or args.timeout <= 0:
        parser.error("--loads at least 1, --timeout above 0")
    return args


# --- The browser -------------------------------------------------------------------------


def missing_browser() -> list[str]:
    """What is missing of Chromium, chromedriver and Selenium (nothing: an empty list)."""
    from tests.browser.conftest import chromedriver_path, chromium_path

    missing = [
        f"{what} at {path}"
        for what, path in (("chromium", chromium_path()), ("chromedriver", chromedriver_path()))
        if not (os.path.isfile(path) and os.access(path, os.X_OK))
    ]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
    return missing


def log_in(driver, base: str, username: str, password: str, timeout: float) -> None:
    """Through the login form, as a person would; fails unless it leaves the login page."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(base + benchsite.LOGIN_URL)
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, ".login-box button[type=submit]").click()
    try:
        WebDriverWait(driver, min(timeout, LOGIN_TIMEOUT)).until(
            lambda d: (
                urlsplit(d.current_url).path != benchsite.LOGIN_URL
                and d.execute_script("return document.readyState") == "complete"
            )
        )
    except TimeoutException:
        message = f"logging in as {username} failed: still on {driver.current_url}"
        raise SystemExit(message) from None


def load_once(driver, url: str, timeout: float) -> dict:
    """Open ``url`` and wait until the map is drawn; the times the page recorded."""
    driver.get(url)
    deadline = time.monotonic() + timeout
    while True:
        times = driver.execute_script(READ_TIMES)
        if times["ready"] and times["paint"] is not None and times["readyAt"] is not None:
            return times
        if time.monotonic() > deadline:
            raise SystemExit(f"{url}: the map was not drawn in {timeout:.0f} s ({times})")
        time.sleep(0.05)


def page_urls(site: benchsite.Site) -> list[tuple[str, str, str]]:
    """(page, viewer, url) of PAGES that the site has (bench_pages' table names them)."""
    urls = {(name, viewer): url for name, viewer, url in site.pages}
    return [
        (page, viewer, urls[name, viewer]) for page, viewer, name in PAGES if (name, viewer) in urls
    ]


def measure_site(
    driver, base: str, site: benchsite.Site, loads: int, timeout: float
) -> list[PaintRow]:
    rows = []
    for page, viewer, path in page_urls(site):
        username, password = site.logins[viewer]
        log_in(driver, base, username, password, timeout)
        load_once(driver, base + path, timeout)  # uncounted: fills the caches
        counted = [load_once(driver, base + path, timeout) for _ in range(loads)]
        row = PaintRow(
            stations=site.stations,
            page=page,
            viewer=viewer,
            paint_ms=[times["paint"] for times in counted],
            ready_ms=[times["readyAt"] for times in counted],
            response_ms=[times["responseEnd"] or 0.0 for times in counted],
        )
        print(
            f"  {site.stations:,} stations, {page}: paint {_ms(row.paint_ms)} ms, "
            f"navigation → drawn {_ms(row.ready_ms)} ms",
            file=sys.stderr,
            flush=True,
        )
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = missing_browser()
    if missing:
        print(
            f"bench_paint: needs {' and '.join(missing)} "
            "(apt-get install chromium chromium-driver; or set BROWSER_CHROMIUM_PATH / "
            "BROWSER_CHROMEDRIVER_PATH)",
            file=sys.stderr,
        )
        return 1
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print("bench_paint: needs DATABASE_URL of a PostgreSQL server", file=sys.stderr)
        return 1
    from tests.browser.conftest import start_chromium

    sites = [benchsite.prepare_in_subprocess(size) for size in args.sizes]
    benchsite.collect_static()
    profile = Path(tempfile.mkdtemp(prefix="bench-paint-profile-"))
    rows = []
    try:
        driver = start_chromium(profile)
        try:
            driver.set_page_load_timeout(args.timeout)
            driver.set_script_timeout(args.timeout)
            driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": READY_OBSERVER}
            )
            for site in sites:
                with benchsite.serve(base_url, site.database, args.port, args.redis_url) as base:
                    rows.extend(measure_site(driver, base, site, args.loads, args.timeout))
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    print()
    print(
        f"### Browser paint time: headless Chromium, medians of {args.loads} loads after one "
        "uncounted load (caches warm); gunicorn 2 sync workers, DEBUG off"
    )
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
