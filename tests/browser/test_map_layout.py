"""The map page on a phone (the map first), its print view and print styles (no header nor
controls; the legend and the month kept), and its image download (a PNG drawn in the
browser by plotly, with the title and the legend)."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import DemoSite
from tests.browser.test_pages_in_browser import map_fills
from tests.browser.test_phone_width import PHONE, window

pytestmark = pytest.mark.browser
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = (1280, 900)
DOWNLOAD_TIMEOUT = 20

TOPS = """
const top = (selector) => {
    const element = document.querySelector(selector);
    return element ? element.getBoundingClientRect().top + scrollY : null;
};
return {map: top("#station-map"), legend: top(".legend"), stepper: top(".period-stepper"),
        title: top("main h1")};
"""
SHOWN = """
const shown = (selector) => Array.from(document.querySelectorAll(selector)).some(
    (element) => element.getClientRects().length > 0
        && getComputedStyle(element).visibility !== "hidden");
return {header: shown(".site-header"), stepper: shown(".period-stepper"),
        play: shown(".js-map-play"), tools: shown(".map-tools"), legend: shown(".legend"),
        counts: Array.from(document.querySelectorAll(".legend [data-count-for]"))
            .map((count) => count.textContent.trim()),
        title: document.querySelector("main h1").textContent.replace(/\\s+/g, " ").trim(),
        map: shown("#station-map")};
"""


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


@live_db
def test_on_a_phone_the_map_comes_first(demo_site: DemoSite):
    browser = demo_site.browser
    with window(browser, *PHONE):
        browser.open(demo_site.url("/map/"))
        assert len(map_fills(browser)) == 60
        tops = browser.driver.execute_script(TOPS)
        browser.screenshot("map-phone")
    assert tops["title"] < tops["map"] < tops["legend"] < tops["stepper"], tops
    assert tops["map"] < PHONE[1] / 3, f"the map starts {tops['map']} px down"


@live_db
def test_the_print_view_and_the_printed_page_keep_the_map_legend_and_month(
    demo_site: DemoSite,
):
    browser, driver = demo_site.browser, demo_site.browser.driver
    with window(browser, *DESKTOP):
        browser.open(demo_site.url("/map/"))
        assert len(map_fills(browser)) == 60
        on_screen = driver.execute_script(SHOWN)
        assert on_screen["header"] and on_screen["stepper"] and on_screen["tools"]
        period = driver.find_element(By.CSS_SELECTOR, "main h1 .period").text
        # The page printed (the browser's own Print): the print styles.
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            printed = driver.execute_script(SHOWN)
        finally:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        # The print view, opened from the page's link.
        driver.find_element(By.CSS_SELECTOR, ".map-tools a[href*='print=1']").click()
        browser.wait_until_loaded()
        assert len(map_fills(browser)) == 60
        view = driver.execute_script(SHOWN)
        print_button = driver.find_element(By.CSS_SELECTOR, ".js-print")
        assert print_button.is_displayed()
        browser.screenshot("map-print-view")
    for shown in (printed, view):
        assert not shown["header"] and not shown["stepper"] and not shown["play"], shown
        assert not shown["tools"], shown
        assert shown["legend"] and shown["map"] and period in shown["title"], shown
        assert len(shown["counts"]) == 6 and all("个供电所" in c for c in shown["counts"])
    assert browser.console_errors() == []
    assert browser.csp_violations() == []


@live_db
def test_the_map_downloads_as_a_png_image(demo_site: DemoSite, tmp_path):
    browser, driver = demo_site.browser, demo_site.browser.driver
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    try:
        browser.open(demo_site.url("/map/"))
        assert len(map_fills(browser)) == 60
        period = driver.find_element(By.CSS_SELECTOR, "main h1 .period").text
        # "station-map", translated (五色地图 in Chinese).
        name = driver.find_element(By.ID, "station-map").get_attribute("data-image-name")
        button = driver.find_element(By.CSS_SELECTOR, ".js-map-image")
        assert button.is_displayed() and "PNG" in button.text and name
        button.click()
        deadline = time.monotonic() + DOWNLOAD_TIMEOUT
        while not (saved := list(tmp_path.glob("*.png"))) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "default"})
    assert [path.name for path in saved] == [f"{name}-{period}.png"]
    assert png_size(saved[0]) == (1200, 960)
    assert saved[0].stat().st_size > 20_000  # a drawn map, not an empty canvas
    assert browser.outside_requests() == []
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
