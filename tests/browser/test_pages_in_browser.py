"""The demo in headless Chromium with every outside host unreachable.

Each page loads with HTTP 200 and draws its charts, the map draws 60 coloured
station areas, clicking one opens that station's page, no request leaves
127.0.0.1, the console shows no errors, and every page is saved as a screenshot
under test-output/screenshots/. Fixtures and helpers: tests/browser/conftest.py.

Run only these: ``make test PYTEST_ARGS="tests/browser"`` (or ``-m browser``);
leave them out: ``PYTEST_ARGS='-m "not browser"'``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from scoring.engine.grades import GRADE_COLOURS, GRADE_ORDER
from stations.models import Station
from tests.browser.conftest import (
    PAGE_LOAD_TIMEOUT,
    SCREENSHOT_DIR,
    Browser,
    DemoSite,
    is_local_url,
    require_browser,
)

pytestmark = pytest.mark.browser
# live_server flushes the database after each test; serialized_rollback puts the
# indicators seeded by migrations back for the tests that run later.
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEILIN_CODE = "33022601"  # 梅林供电所, the demo user meilin's station
# Screenshot name and path of each page as meilin (station staff) sees it; "/" is the
# map too (it may redirect to /map/).
PAGES = [
    ("home", "/"),
    ("map", "/map/"),
    ("ranking", "/ranking/"),
    (f"station-{MEILIN_CODE}", f"/stations/{MEILIN_CODE}/"),
    ("history", "/history/"),
    ("widget", "/widget/"),
    ("all-red", "/improvement/all-red/"),
    ("notifications", "/improvement/notifications/"),
]
# The pages of the other roles (demo user → pages).
ROLE_PAGES = {
    "committee": [
        ("matrix", "/matrix/"),
        ("review", "/improvement/review/"),
        ("pairing", "/improvement/pairing/"),
        ("help", "/improvement/help/"),
        ("bulletin", "/improvement/bulletin/"),
        ("committee-notifications", "/improvement/notifications/"),
    ],
    "secretary": [
        ("measure-new", f"/improvement/stations/{MEILIN_CODE}/measures/new/"),
        ("project-new", f"/improvement/stations/{MEILIN_CODE}/projects/new/"),
    ],
    "admin": [
        ("admin-index", "/admin/"),
        ("admin-stations", "/admin/stations/station/"),
        ("admin-station-add", "/admin/stations/station/add/"),
        ("admin-users", "/admin/auth/user/"),
        ("admin-api-tokens", "/admin/api/apitoken/"),
        ("admin-api-token-add", "/admin/api/apitoken/add/"),
        ("imports", "/manage/imports/"),
        ("password-change", "/accounts/password/"),
        ("weights", "/manage/weights/"),
        ("weights-new", "/manage/weights/new/"),
        ("methods-new", "/manage/methods/new/"),
    ],
}
MAP_PATHS = {"/", "/map/"}
MAP_AREAS = 60  # the demo's stations, all in the latest month (ungraded ones grey)
MAP_TIMEOUT = 15
# red, orange, blue, green, yellow
GRADE_FILLS = {GRADE_COLOURS[grade][0] for grade in GRADE_ORDER}
ERROR_TITLES = ("Page not found", "Not Found", "Server Error", "Bad Request", "Forbidden")
STATION_PATH = re.compile(r"^/stations/(?P<code>[^/]+)/$")


def hex_colour(css: str) -> str | None:
    """'rgb(215, 25, 28)' → '#d7191c'; None for no paint (none, transparent, empty)."""
    css = (css or "").strip().lower()
    if re.fullmatch(r"#[0-9a-f]{6}", css):
        return css
    match = re.fullmatch(r"rgba?\(\s*(\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\s*\)", css)
    if not match or (match.group(4) is not None and float(match.group(4)) == 0):
        return None
    return "#" + "".join(f"{int(match.group(n)):02x}" for n in (1, 2, 3))


def map_fills(browser: Browser) -> list[str | None]:
    """Wait for the map to be drawn; the fill of each station area, in DOM order."""
    driver = browser.driver
    try:
        WebDriverWait(driver, MAP_TIMEOUT).until(
            lambda d: d.execute_script(
                'const map = document.getElementById("station-map");'
                'return map !== null && map.getAttribute("data-ready") === "true";'
            )
        )
    except TimeoutException:
        raise AssertionError(
            f'no #station-map with data-ready="true" after {MAP_TIMEOUT}s'
        ) from None
    fills = driver.execute_script(
        'return Array.from(document.querySelectorAll("#station-map path.choroplethlocation"))'
        "    .map((area) => getComputedStyle(area).fill);"
    )
    return [hex_colour(fill) for fill in fills]


def map_problems(browser: Browser) -> list[str]:
    try:
        fills = map_fills(browser)
    except AssertionError as exc:
        return [str(exc)]
    problems = []
    if len(fills) != MAP_AREAS:
        problems.append(f"the map has {len(fills)} station areas, expected {MAP_AREAS}")
    uncoloured = sum(1 for fill in fills if fill is None)
    if uncoloured:
        problems.append(f"{uncoloured} station areas have no fill colour")
    if missing := GRADE_FILLS - set(fills):
        problems.append(f"grade colours missing from the map: {sorted(missing)}")
    return problems


def check_page(site: DemoSite, name: str, path: str, *, language: str) -> list[str]:
    """Open ``path``, check it, save its screenshot as ``name``; the problems found."""
    browser, driver = site.browser, site.browser.driver
    browser.forget_logs()
    problems = []
    try:
        browser.open(site.url(path))
    except TimeoutException:
        problems.append(f"did not finish loading within {PAGE_LOAD_TIMEOUT}s")

    final_url = driver.current_url.split("#")[0]
    final_path = urlsplit(final_url).path
    expected_paths = MAP_PATHS if path in MAP_PATHS else {path}
    if final_path not in expected_paths:
        problems.append(f"ended on {final_path}, expected {' or '.join(sorted(expected_paths))}")
    documents = browser.documents()
    statuses = [status for url, status in documents if url == final_url]
    if statuses[-1:] != [200]:
        problems.append(f"HTTP status {statuses[-1] if statuses else 'unknown'}, expected 200")
    problems += [f"HTTP {status} for {url}" for url, status in documents if status >= 400]
    title = driver.title
    if any(error.lower() in title.lower() for error in ERROR_TITLES):
        problems.append(f"error page: title {title!r}")
    if "Traceback" in driver.find_element(By.TAG_NAME, "body").text:
        problems.append("error page: the body shows a Traceback")
    lang = driver.execute_script("return document.documentElement.lang")
    if lang != language:
        problems.append(f'<html lang="{lang}">, expected {language}')

    if path in MAP_PATHS:
        problems += map_problems(browser)
    problems += [f"chart not drawn in time: {chart}" for chart in browser.wait_for_charts()]
    problems += [f"request to an outside host: {url}" for url in browser.outside_requests()]
    problems += [f"console error: {message}" for message in browser.console_errors()]
    problems += [f"CSP violation: {message}" for message in browser.csp_violations()]
    browser.screenshot(name)
    return [f"{path}: {problem}" for problem in problems]


def walk(site: DemoSite, *, language: str, prefix: str = "", pages=PAGES) -> list[str]:
    problems = []
    for name, path in pages:
        problems += check_page(site, prefix + name, path, language=language)
    return problems


# --- Without the demo: the isolation itself -------------------------------------------


FETCH_ALL = (
    "const done = arguments[arguments.length - 1];"
    "Promise.all(arguments[0].map((url) => fetch(url, {mode: 'no-cors', cache: 'no-store'})"
    "    .then(() => 'reached', () => 'failed'))).then(done);"
)


@live_db
def test_outside_hosts_are_unreachable_and_reported(browser, live_server):
    """The checks below can fail: an outside request is blocked and is reported.

    On the site's pages the Content-Security-Policy already stops such a request in the
    browser (connect-src falls back to 'self'); on a blank page, without a policy, the
    isolation itself must stop it, and the request is reported.
    """
    outside = ["https://cdn.plot.ly/plotly-3.0.0.min.js", "http://93.184.216.34/"]
    browser.open(live_server.url + "/accounts/login/")
    assert browser.outside_requests() == []
    assert browser.driver.execute_async_script(FETCH_ALL, outside) == ["failed", "failed"]
    violations = browser.csp_violations()  # blocked by the policy, never sent
    assert all(any(url in message for message in violations) for url in outside), violations
    assert browser.outside_requests() == []
    browser.console_errors()  # the same messages; not this test's subject
    browser.screenshot("login")

    browser.open("about:blank")
    browser.forget_logs()
    assert browser.driver.execute_async_script(FETCH_ALL, outside) == ["failed", "failed"]
    assert sorted(browser.outside_requests()) == sorted(outside)
    browser.console_errors()  # the failed fetches are logged there; not this test's subject


@live_db
def test_a_content_security_policy_violation_is_reported(browser, live_server):
    """The walk's CSP check can fail: an inline style and script are blocked and reported."""
    browser.forget_logs()
    browser.open(live_server.url + "/accounts/login/")
    assert browser.csp_violations() == []
    browser.driver.execute_script(
        "const style = document.createElement('style');"
        "style.textContent = 'body { background: red; }';"
        "document.head.appendChild(style);"
        "const script = document.createElement('script');"
        "script.textContent = 'window.injected = true;';"
        "document.body.appendChild(script);"
    )
    violations = browser.csp_violations()
    assert any("style" in message for message in violations), violations
    assert any("script" in message for message in violations), violations
    assert browser.driver.execute_script("return window.injected === undefined")
    browser.console_errors()  # the same messages; not this test's subject


def test_only_loopback_and_inline_urls_are_local():
    assert is_local_url("http://127.0.0.1:8000/static/js/app.js")
    assert is_local_url("data:image/png;base64,AAAA")
    assert is_local_url("blob:http://127.0.0.1:8000/0b1c")
    assert not is_local_url("http://localhost:8000/")
    assert not is_local_url("https://cdn.plot.ly/plotly-3.0.0.min.js")
    assert not is_local_url("http://93.184.216.34/")
    assert not is_local_url("http://127.0.0.1.example.com/")


def test_missing_browser_skips_locally_and_fails_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI=true: .*no-chromium"):
        require_browser()


# --- The demo ---------------------------------------------------------------------------


def work_pages() -> list[tuple[str, str]]:
    """梅林's measure and secretary project that the demo recorded (their ids vary)."""
    from improvement.models import Measure, SecretaryProject

    measure = Measure.objects.filter(station__code=MEILIN_CODE).order_by("pk").first()
    project = SecretaryProject.objects.get(station__code=MEILIN_CODE)
    return [
        ("measure", f"/improvement/measures/{measure.pk}/"),
        ("project", f"/improvement/projects/{project.pk}/"),
    ]


@live_db
def test_every_page_loads_locally_and_is_screenshotted(demo_site):
    problems = walk(demo_site, language="zh-hans", pages=PAGES + work_pages())
    # The secretary sees the same two pages with their forms.
    secretary = [(f"secretary-{name}", path) for name, path in work_pages()]
    role_pages = {**ROLE_PAGES, "secretary": ROLE_PAGES["secretary"] + secretary}
    for user, pages in role_pages.items():
        demo_site.browser.driver.delete_all_cookies()
        demo_site.log_in(user)
        problems += walk(demo_site, language="zh-hans", pages=pages)
    for name, _path in PAGES + [page for pages in ROLE_PAGES.values() for page in pages]:
        assert (SCREENSHOT_DIR / f"{name}.png").stat().st_size > 1000
    assert not problems, "\n".join(problems)


@live_db
def test_pages_in_english(demo_site):
    driver = demo_site.browser.driver
    demo_site.browser.open(demo_site.url("/ranking/"))
    page = driver.find_element(By.TAG_NAME, "html")
    # The real language switch (in the viewer's menu): choosing English submits the form.
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    Select(driver.find_element(By.ID, "language-select")).select_by_value("en")
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(staleness_of(page))
    demo_site.browser.wait_until_loaded()
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert urlsplit(driver.current_url).path == "/ranking/"
    assert "Station ranking" in driver.find_element(By.TAG_NAME, "h1").text
    problems = walk(demo_site, language="en", prefix="en-")
    assert not problems, "\n".join(problems)


# Picks a station area and a point inside it where a real click lands on that area:
# the point must be inside the area's outline (isPointInFill, so concave shapes are
# fine), inside no other area, in the window, and not covered by anything but the
# area itself or plotly's event rectangle (plotly draws the areas with
# pointer-events: none and listens on a rectangle under them).
FIND_CLICK_POINT = """
const map = document.getElementById("station-map");
map.scrollIntoView({block: "center"});
const areas = Array.from(map.querySelectorAll("path.choroplethlocation"));
const inside = (area, x, y) =>
    area.isPointInFill(new DOMPoint(x, y).matrixTransform(area.getScreenCTM().inverse()));
const bySize = areas.slice().sort((a, b) => {
    const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
    return rb.width * rb.height - ra.width * ra.height;
});
for (const area of bySize) {
    const box = area.getBoundingClientRect();
    const points = [];
    for (let i = 1; i < 12; i++) {
        for (let j = 1; j < 12; j++) {
            const x = box.left + (box.width * i) / 12, y = box.top + (box.height * j) / 12;
            if (x < 1 || y < 1 || x > innerWidth - 1 || y > innerHeight - 1) continue;
            if (!inside(area, x, y)) continue;
            if (areas.some((other) => other !== area && inside(other, x, y))) continue;
            const top = document.elementFromPoint(x, y);
            if (top !== area && !(map.contains(top) && top.tagName.toLowerCase() === "rect")) {
                continue;
            }
            points.push([x, y]);
        }
    }
    if (!points.length) continue;
    // The point nearest the middle of the usable ones: away from the outline.
    const mx = points.reduce((s, p) => s + p[0], 0) / points.length;
    const my = points.reduce((s, p) => s + p[1], 0) / points.length;
    points.sort((p, q) => Math.hypot(p[0] - mx, p[1] - my) - Math.hypot(q[0] - mx, q[1] - my));
    const datum = area.__data__ || {};
    return {x: points[0][0], y: points[0][1], index: areas.indexOf(area),
            location: datum.loc === undefined ? null : String(datum.loc)};
}
return null;
"""


@live_db
def test_clicking_a_station_area_opens_its_station_page(demo_site):
    browser, driver = demo_site.browser, demo_site.browser.driver
    browser.open(demo_site.url("/map/"))
    fills = map_fills(browser)
    assert len(fills) == MAP_AREAS
    # How long plotly took to draw it, in whole ms (read by scripts/bench_paint.py).
    paint_ms = driver.execute_script(
        'return document.getElementById("station-map").dataset.paintMs'
    )
    assert paint_ms is not None and paint_ms.isdigit(), paint_ms
    point = driver.execute_script(FIND_CLICK_POINT)
    assert point is not None, "no station area has a point where a click would land on it"
    # For the failure message: what plotly made of the click (the page is gone on success).
    driver.execute_script(
        "window.seenClicks = [];"
        'document.getElementById("station-map").on("plotly_click", (event) =>'
        "    window.seenClicks.push(event.points.map((p) => p.customdata || p.location)));"
    )

    click = ActionBuilder(driver)
    click.pointer_action.move_to_location(round(point["x"]), round(point["y"]))
    click.pointer_action.click()
    click.perform()
    try:
        WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(
            lambda d: STATION_PATH.match(urlsplit(d.current_url).path)
        )
    except TimeoutException:
        raise AssertionError(
            f"clicking station area #{point['index']} at ({point['x']:.0f}, {point['y']:.0f}) "
            f"did not open a station page; the browser is on {driver.current_url}; "
            f"plotly_click saw {driver.execute_script('return window.seenClicks')}"
        ) from None
    browser.wait_until_loaded()

    code = STATION_PATH.match(urlsplit(driver.current_url).path)["code"]
    station = Station.objects.get(code=code)
    assert station.name in driver.find_element(By.TAG_NAME, "h1").text
    codes = set(Station.objects.values_list("code", flat=True))
    if point["location"] in codes:  # plotly's location of the area is a station code
        assert code == point["location"], "the click opened another station than the area's"
    assert browser.outside_requests() == []
    assert browser.console_errors() == []
    assert browser.csp_violations() == []  # hovering drew no blocked style either
    browser.screenshot("map-click-station")


@live_db
def test_the_weights_form_shows_each_weights_share_as_it_is_typed(demo_site):
    driver = demo_site.browser.driver
    driver.delete_all_cookies()
    demo_site.log_in("admin")
    demo_site.browser.open(demo_site.url("/manage/weights/new/"))
    inputs = driver.find_elements(By.CSS_SELECTOR, ".weight-input")
    assert len(inputs) == 10
    for index, field in enumerate(inputs):
        field.clear()
        field.send_keys("1" if index < 3 else "0")
    shares = [s.text for s in driver.find_elements(By.CSS_SELECTOR, ".js-weight-share")]
    assert shares == ["(33.3 %)"] * 3 + ["(0.0 %)"] * 7
    assert driver.find_element(By.CSS_SELECTOR, ".js-weight-sum").text == "3.00"
    inputs[0].clear()
    inputs[0].send_keys("2")  # 2, 1, 1: a half and two quarters
    shares = [s.text for s in driver.find_elements(By.CSS_SELECTOR, ".js-weight-share")]
    assert shares[:3] == ["(50.0 %)", "(25.0 %)", "(25.0 %)"]
    for field in inputs[:3]:
        field.clear()
        field.send_keys("0")
    total = driver.find_element(By.CSS_SELECTOR, ".js-weight-sum")
    assert total.text == "0.00" and "sum-off" in total.get_attribute("class")


@live_db
def test_a_company_drawn_by_county_opens_a_county_on_click(demo_site, monkeypatch):
    """Above the drawing limit the map shows counties; a click draws one county's
    stations (the limit lowered so that the demo's 60 stations are "too many")."""
    from django.core.cache import cache

    from demo.company import COMPANY_NAME
    from mapviews.views import home
    from stations.models import County

    monkeypatch.setattr(home, "STATION_DRAW_LIMIT", 30)
    cache.clear()  # the log-in's home page kept the month drawn station by station
    browser, driver = demo_site.browser, demo_site.browser.driver
    browser.open(demo_site.url("/map/"))
    # the map is 宁波's (the demo's second city, 绍兴, has borders of its own)
    bordered = County.objects.filter(boundary__isnull=False, company__name=COMPANY_NAME).count()
    assert len(map_fills(browser)) == bordered
    point = driver.execute_script(FIND_CLICK_POINT)
    assert point is not None, "no county area has a point where a click would land on it"
    click = ActionBuilder(driver)
    click.pointer_action.move_to_location(round(point["x"]), round(point["y"]))
    click.pointer_action.click()
    click.perform()
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(lambda d: "county=" in d.current_url)
    browser.wait_until_loaded()
    county = int(re.search(r"county=(\d+)", driver.current_url).group(1))
    assert len(map_fills(browser)) == Station.objects.filter(county_id=county).count()
    assert browser.outside_requests() == []
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
    browser.screenshot("map-county-click")
