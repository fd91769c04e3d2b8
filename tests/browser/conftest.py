"""Browser fixtures: headless Chromium from Debian packages against pytest-django's live server.

Outside hosts are unreachable inside the browser (every name but 127.0.0.1 fails to
resolve, and everything not bypassed goes to a dead proxy), and every request the
page makes is recorded from Chrome's performance log so a test can assert that none
left 127.0.0.1.

Chromium and chromedriver are the Debian packages (``apt-get install chromium
chromium-driver``); Selenium never looks for or downloads a browser or driver.
When either is missing these tests are skipped locally and fail under CI=true,
the same policy tests/conftest.py applies to PostgreSQL and Redis.

BROWSER_CHROMIUM_PATH and BROWSER_CHROMEDRIVER_PATH override the binaries' paths.
Screenshots go to test-output/screenshots/, the chromedriver log to test-output/.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

REPO = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO / "test-output"
SCREENSHOT_DIR = OUTPUT_DIR / "screenshots"

DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"
DEFAULT_CHROMEDRIVER_PATH = "/usr/bin/chromedriver"
WINDOW_SIZE = (1366, 900)
LOCAL_HOST = "127.0.0.1"
# Requests with these schemes never leave the browser (chrome: is the browser's own
# pages, e.g. the new-tab page it opens with).
LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-untrusted"}
# Taller pages are cut off in screenshots (a runaway layout must not make a huge file).
MAX_SCREENSHOT_HEIGHT = 12000
PAGE_LOAD_TIMEOUT = 30
CHART_TIMEOUT = 10
DEMO_USER = "meilin"

CHROMIUM_ARGUMENTS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
    f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}",
    # Outside hosts are unreachable: no name resolves except 127.0.0.1 ...
    f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOCAL_HOST}",
    # ... and IP literals of outside hosts go to a proxy that is not there.
    f"--proxy-server=http://{LOCAL_HOST}:9",
    f"--proxy-bypass-list={LOCAL_HOST};localhost",
]

# pytest-django's live server listens on "localhost" unless told otherwise; the browser
# only reaches 127.0.0.1 (demo_site checks this took effect).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", LOCAL_HOST)


def chromium_path() -> str:
    return os.environ.get("BROWSER_CHROMIUM_PATH") or DEFAULT_CHROMIUM_PATH


def chromedriver_path() -> str:
    return os.environ.get("BROWSER_CHROMEDRIVER_PATH") or DEFAULT_CHROMEDRIVER_PATH


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def require_browser() -> None:
    """Skip (locally) or fail (CI=true) unless Chromium, chromedriver and Selenium are here."""
    missing = [
        f"{what} at {path}"
        for what, path in (("chromium", chromium_path()), ("chromedriver", chromedriver_path()))
        if not _is_executable(path)
    ]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[dev]')")
    if not missing:
        return
    reason = (
        f"browser tests need {' and '.join(missing)} "
        "(apt-get install chromium chromium-driver; "
        "or set BROWSER_CHROMIUM_PATH / BROWSER_CHROMEDRIVER_PATH)"
    )
    if in_ci():
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def is_local_url(url: str) -> bool:
    """True for URLs on 127.0.0.1 and for data:/blob:/about: URLs."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname == LOCAL_HOST


@contextmanager
def _no_selenium_manager() -> Iterator[None]:
    """Selenium Manager (which downloads browsers and drivers) must never run."""
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(
            "Selenium Manager was asked for a browser or driver; the browser tests must use "
            f"{chromium_path()} and {chromedriver_path()}"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")
        patch.setenv("SE_AVOID_STATS", "true")
        patch.setattr(SeleniumManager, "binary_paths", refuse)
        yield


def start_chromium(profile_dir: Path) -> WebDriver:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path()
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    service = Service(
        executable_path=chromedriver_path(),
        log_output=str(OUTPUT_DIR / "chromedriver.log"),
    )
    with _no_selenium_manager():
        driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
    return driver


@dataclass
class Browser:
    """A Chromium session plus what it logged since the last look."""

    driver: WebDriver
    _requests: list[str] = field(default_factory=list)
    _documents: list[tuple[str, int]] = field(default_factory=list)
    _console: list[dict[str, Any]] = field(default_factory=list)
    _console_errors_from: int = 0
    _csp_from: int = 0

    def _read_performance_log(self) -> None:
        # get_log empties Chrome's buffer, so everything is kept here until asked for.
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                self._requests.append(params["request"]["url"])
            elif method == "Network.webSocketCreated":
                self._requests.append(params["url"])
            elif method == "Network.responseReceived" and params.get("type") == "Document":
                response = params["response"]
                self._documents.append((response["url"], int(response["status"])))

    def forget_logs(self) -> None:
        self.outside_requests()
        self.documents()
        self.console_errors()
        self.csp_violations()

    def outside_requests(self) -> list[str]:
        """URLs requested since the last call that were not for 127.0.0.1 (nor data:/blob:)."""
        self._read_performance_log()
        requests, self._requests = self._requests, []
        return [url for url in requests if not is_local_url(url)]

    def documents(self) -> list[tuple[str, int]]:
        """(URL, HTTP status) of each HTML document received since the last call."""
        self._read_performance_log()
        documents, self._documents = self._documents, []
        return documents

    def _read_console(self) -> None:
        # get_log empties Chrome's buffer too: keep what it said until asked for.
        self._console.extend(self.driver.get_log("browser"))

    def console_errors(self) -> list[str]:
        """SEVERE console messages since the last call, except favicon misses."""
        self._read_console()
        entries = self._console
        errors = [
            entry["message"]
            for entry in entries[self._console_errors_from :]
            if entry["level"] == "SEVERE" and "favicon" not in entry["message"].lower()
        ]
        self._console_errors_from = len(entries)
        self._trim_console()
        return errors

    def csp_violations(self) -> list[str]:
        """Console messages (any level) since the last call that report a
        Content-Security-Policy violation: something the policy blocked."""
        self._read_console()
        entries = self._console
        violations = [
            entry["message"]
            for entry in entries[self._csp_from :]
            if "Content Security Policy" in entry["message"]
        ]
        self._csp_from = len(entries)
        self._trim_console()
        return violations

    def _trim_console(self) -> None:
        done = min(self._console_errors_from, self._csp_from)
        if done:
            del self._console[:done]
            self._console_errors_from -= done
            self._csp_from -= done

    def open(self, url: str) -> None:
        self.driver.get(url)
        self.wait_until_loaded()

    def wait_until_loaded(self) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, PAGE_LOAD_TIMEOUT).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )

    def wait_for_charts(self, timeout: float = CHART_TIMEOUT) -> list[str]:
        """Wait until every .js-plotly element has drawn (has an svg.main-svg).

        Returns a description of each chart still not drawn after ``timeout`` seconds.
        """
        script = """
            return Array.from(document.querySelectorAll(".js-plotly"))
                .filter((chart) => !chart.querySelector("svg.main-svg"))
                .map((chart) => chart.id || chart.dataset.figure || chart.outerHTML.slice(0, 80));
        """
        deadline = time.monotonic() + timeout
        while True:
            undrawn = self.driver.execute_script(script)
            if not undrawn or time.monotonic() > deadline:
                return undrawn
            time.sleep(0.1)

    def screenshot(self, name: str) -> Path:
        """Save the whole page (not only the window) as test-output/screenshots/<name>.png."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        content = metrics.get("cssContentSize") or metrics["contentSize"]
        width = max(math.ceil(content["width"]), 1)
        height = min(max(math.ceil(content["height"]), 1), MAX_SCREENSHOT_HEIGHT)
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
        )
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_browser()
    profile_dir = Path(tempfile.mkdtemp(prefix="browser-profile-"))
    try:
        driver = start_chromium(profile_dir)
        try:
            driver.get("about:blank")  # leave the start page before anything is recorded
            session = Browser(driver)
            session.forget_logs()
            yield session
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)


@dataclass
class DemoSite:
    """The live server with the demo loaded, and the browser logged in on it."""

    base_url: str
    browser: Browser

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_in(self, username: str = DEMO_USER) -> None:
        """Log in through the real login form, as a person would."""
        from selenium.webdriver.common.by import By

        from demo.company import DEMO_PASSWORD

        driver = self.browser.driver
        self.browser.open(self.url("/accounts/login/"))
        driver.find_element(By.ID, "id_username").send_keys(username)
        driver.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, ".login-box button[type=submit]").click()
        # The click starts a navigation; the login page itself is already "complete",
        # so wait for the address to leave it (or give up and report below).
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        with suppress(TimeoutException):
            WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(
                lambda d: urlsplit(d.current_url).path != "/accounts/login/"
            )
        self.browser.wait_until_loaded()
        path = urlsplit(driver.current_url).path
        assert path != "/accounts/login/", f"logging in as {username} failed: still on {path}"
        shown = driver.find_element(By.CSS_SELECTOR, ".site-header .user-name").text
        assert shown, f"logged in as {username}, but the header shows no user name"


@pytest.fixture
def demo_site(browser: Browser, live_server) -> DemoSite:
    """The demo company on the live server, the browser logged in as ``meilin``.

    live_server flushes the database after each test, so the demo is loaded afresh
    for every test that asks for it (a few seconds): keep such tests few.
    Tests using it need ``pytest.mark.django_db(transaction=True, serialized_rollback=True)``
    so the indicators seeded by migrations are back for the tests that run later.
    """
    from django.core.management import call_command

    from scoring.models import RunStatus, ScoreRun

    host = urlsplit(live_server.url).hostname
    assert host == LOCAL_HOST, (
        f"the live server runs on {host}, but the browser only reaches {LOCAL_HOST} "
        "(unset DJANGO_LIVE_TEST_SERVER_ADDRESS / --liveserver)"
    )
    call_command("load_demo", force=True, stdout=io.StringIO())
    statuses = set(ScoreRun.objects.filter(is_current=True).values_list("status", flat=True))
    assert statuses == {RunStatus.DONE}, f"demo months not all scored: {statuses}"

    site = DemoSite(base_url=live_server.url, browser=browser)
    # A fresh start: no session or language cookie from an earlier test.
    browser.open(site.url("/accounts/login/"))
    browser.driver.delete_all_cookies()
    site.log_in()
    browser.forget_logs()
    return site
