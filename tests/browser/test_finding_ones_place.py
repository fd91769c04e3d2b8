"""Finding and keeping one's place (issue 19) in headless Chromium on the demo: the
header's station search (typed, chosen with the keyboard), the header on one line at
1280 px, the month and county carried from the map to the other month pages, and the
map's month slider moved with the keyboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from stations.models import County
from tests.browser.conftest import PAGE_LOAD_TIMEOUT

pytestmark = pytest.mark.browser
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEILIN_CODE = "33022601"  # 梅林供电所, the demo user meilin's station

HEADER_ROW = """
    const header = document.querySelector(".site-header").getBoundingClientRect();
    const parts = [".brand", ".main-nav", ".station-search", ".header-tools"].map((css) => {
        const box = document.querySelector(css).getBoundingClientRect();
        return [css, Math.round(box.top), Math.round(box.bottom), Math.round(box.right)];
    });
    return {height: header.height, parts: parts, width: window.innerWidth,
            scrollWidth: document.documentElement.scrollWidth};
"""


def wait(driver, condition, message: str):
    return WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(condition, message)


def assert_header_on_one_line(driver, label: str) -> None:
    row = driver.execute_script(HEADER_ROW)
    for css, top, bottom, right in row["parts"]:
        # Every part within the header's one row, none past the window's right edge.
        assert bottom - top < 45 and top < 20 and right <= row["width"], (label, css, row)
    assert row["height"] < 60, (label, row)
    assert row["scrollWidth"] <= row["width"], (label, row)


def suggestions(driver) -> list[str]:
    return [
        option.text
        for option in driver.find_elements(By.CSS_SELECTOR, "#station-search-list [role=option]")
    ]


@live_db
def test_the_header_search_finds_a_station_by_pinyin_and_opens_it(demo_site):
    browser, driver = demo_site.browser, demo_site.browser.driver
    driver.set_window_size(1280, 900)
    for username in ("admin", "meilin"):
        browser.open(demo_site.url("/accounts/login/"))
        driver.delete_all_cookies()  # logged out
        demo_site.log_in(username)
        for language in ("zh-hans", "en"):
            driver.add_cookie({"name": "django_language", "value": language})
            browser.open(demo_site.url("/ranking/"))
            assert_header_on_one_line(driver, f"{username} {language}")
            browser.screenshot(f"header-1280-{username}-{language}")
    driver.delete_cookie("django_language")

    browser.open(demo_site.url("/ranking/"))
    box = driver.find_element(By.ID, "station-search-input")
    label = driver.find_element(By.CSS_SELECTOR, "label[for=station-search-input]")
    assert label.get_attribute("textContent").strip()  # named for screen readers
    box.send_keys("ml")
    wait(driver, lambda d: suggestions(d), "no suggestion for “ml”")
    assert any(text.startswith("梅林供电所") for text in suggestions(driver))
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("aria-expanded") == "false"

    box.clear()
    box.send_keys("meilin")
    wait(
        driver,
        lambda d: (
            suggestions(d)[:1] == [f"梅林供电所\n{MEILIN_CODE} · 宁海"]
            or [t.split("\n")[0] for t in suggestions(d)] == ["梅林供电所"]
        ),
        "“meilin” lists 梅林",
    )
    browser.screenshot("search-suggestions")
    box.send_keys(Keys.ARROW_DOWN)
    active = box.get_attribute("aria-activedescendant")
    assert driver.find_element(By.ID, active).get_attribute("aria-selected") == "true"
    page = driver.find_element(By.TAG_NAME, "html")
    box.send_keys(Keys.ENTER)
    wait(driver, staleness_of(page), "Enter on a suggestion opened nothing")
    browser.wait_until_loaded()
    assert urlsplit(driver.current_url).path == f"/stations/{MEILIN_CODE}/"
    assert "梅林供电所" in driver.find_element(By.TAG_NAME, "h1").text

    # Enter without choosing: the results page (one station found: its page).
    box = driver.find_element(By.ID, "station-search-input")
    box.send_keys("mlgds")
    page = driver.find_element(By.TAG_NAME, "html")
    box.send_keys(Keys.ENTER)
    wait(driver, staleness_of(page), "Enter sent no search")
    browser.wait_until_loaded()
    assert urlsplit(driver.current_url).path == f"/stations/{MEILIN_CODE}/"

    driver.set_window_size(390, 844)
    browser.open(demo_site.url("/map/"))
    assert driver.find_element(By.ID, "station-search-input").is_displayed()
    browser.screenshot("header-390-meilin")
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
    assert browser.outside_requests() == []
    driver.set_window_size(1280, 900)


def chosen(driver, select_id: str) -> str:
    return Select(driver.find_element(By.ID, select_id)).first_selected_option.get_attribute(
        "value"
    )


def choose(browser, select_id: str, value: str) -> None:
    """Pick an option of an autosubmitting select and wait for the page it sends."""
    driver = browser.driver
    page = driver.find_element(By.TAG_NAME, "html")
    Select(driver.find_element(By.ID, select_id)).select_by_value(value)
    wait(driver, staleness_of(page), f"choosing {value} in #{select_id} sent nothing")
    browser.wait_until_loaded()


def follow(browser, href: str) -> None:
    driver = browser.driver
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, f'.main-nav a[href="{href}"]').click()
    wait(driver, staleness_of(page), f"the header link {href} opened nothing")
    browser.wait_until_loaded()


@live_db
def test_the_month_and_county_chosen_on_the_map_carry_to_the_other_pages(demo_site):
    browser, driver = demo_site.browser, demo_site.browser.driver
    driver.set_window_size(1280, 900)
    county = str(County.objects.get(name="宁海").pk)  # 梅林's county
    browser.open(demo_site.url("/map/"))
    months = [
        o.get_attribute("value")
        for o in Select(driver.find_element(By.ID, "period-select")).options
    ]
    month = months[3]
    choose(browser, "period-select", month)
    choose(browser, "county-select", county)
    assert (chosen(driver, "period-select"), chosen(driver, "county-select")) == (month, county)

    follow(browser, "/ranking/")
    assert (chosen(driver, "period-select"), chosen(driver, "county-select")) == (month, county)
    follow(browser, "/history/")
    assert (chosen(driver, "to-select"), chosen(driver, "county-select")) == (month, county)

    # Back on the map, the month slider (keyboard): one step left is the month before.
    follow(browser, "/")
    slider = driver.find_element(By.ID, "month-slider")
    assert slider.is_displayed() and slider.get_attribute("aria-valuetext") == month
    wait(
        driver,
        lambda d: d.find_element(By.ID, "station-map").get_attribute("data-ready") == "true",
        "the map was not drawn",
    )
    slider.send_keys(Keys.ARROW_LEFT)
    earlier = months[4]
    wait(
        driver,
        lambda d: d.find_element(By.CSS_SELECTOR, ".js-map-period").text == earlier,
        "the slider did not move the map to the month before",
    )
    assert slider.get_attribute("aria-valuetext") == earlier
    own = driver.find_element(By.CSS_SELECTOR, ".js-map-own").text
    assert own.startswith("梅林供电所 本月") or own.startswith("梅林供电所")
    browser.screenshot("map-slider-own-line")

    follow(browser, "/ranking/")  # the slider's month is the one remembered
    assert (chosen(driver, "period-select"), chosen(driver, "county-select")) == (earlier, county)
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
