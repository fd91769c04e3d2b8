"""Drilling down (issue 18) in headless Chromium: from a province's page, click a city
company's area to its map, then a station's area to its page; the breadcrumbs lead back.
Fixtures and helpers: tests/browser/conftest.py and test_pages_in_browser.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from stations.models import Company, OrgUnit, Station
from tests.browser.conftest import PAGE_LOAD_TIMEOUT
from tests.browser.test_pages_in_browser import FIND_CLICK_POINT, STATION_PATH, live_db, map_fills

pytestmark = pytest.mark.browser


PROVINCE = "浙江省电力公司"


def _province() -> OrgUnit:
    """The demo's province (``load_demo``): 宁波 and 绍兴 under it, both with borders."""
    province = OrgUnit.objects.get(code="ZJ")
    assert province.name == PROVINCE
    assert set(province.companies.values_list("code", flat=True)) == {"NB", "SX"}
    return province


def _click_an_area(driver) -> None:
    point = driver.execute_script(FIND_CLICK_POINT)
    assert point is not None, "no area has a point where a click would land on it"
    click = ActionBuilder(driver)
    click.pointer_action.move_to_location(round(point["x"]), round(point["y"]))
    click.pointer_action.click()
    click.perform()


def _crumbs(driver) -> list[tuple[str, bool]]:
    items = driver.find_elements(By.CSS_SELECTOR, ".breadcrumbs li")
    return [(item.text, bool(item.find_elements(By.TAG_NAME, "a"))) for item in items]


@live_db
def test_clicking_from_the_province_to_a_company_to_a_station(demo_site):
    _province()
    browser, driver = demo_site.browser, demo_site.browser.driver
    driver.delete_all_cookies()
    demo_site.log_in("admin")  # a superuser: every unit
    browser.open(demo_site.url("/org/ZJ/"))
    assert len(map_fills(browser)) == 2  # an area for each city
    table = driver.find_element(By.CSS_SELECTOR, ".unit-shares").text
    assert "宁波供电公司" in table and "绍兴供电公司" in table
    browser.screenshot("unit-province")

    _click_an_area(driver)
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(lambda d: "/map/" in d.current_url)
    browser.wait_until_loaded()
    chosen = parse_qs(urlsplit(driver.current_url).query)["company"]
    city = Company.objects.get(pk=int(chosen[0]))  # the city whose area was clicked
    assert _crumbs(driver) == [(PROVINCE, True), (city.name, False)]
    assert len(map_fills(browser)) == Station.objects.filter(county__company=city).count()

    _click_an_area(driver)
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(
        lambda d: STATION_PATH.match(urlsplit(d.current_url).path)
    )
    browser.wait_until_loaded()
    code = STATION_PATH.match(urlsplit(driver.current_url).path)["code"]
    station = Station.objects.select_related("county").get(code=code)
    assert station.county.company_id == city.pk
    assert _crumbs(driver) == [
        (PROVINCE, True),
        (city.name, True),
        (station.county.name, True),
        (station.name, False),
    ]
    # The province's crumb leads back up.
    driver.find_element(By.LINK_TEXT, PROVINCE).click()
    WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(lambda d: "/org/ZJ/" in d.current_url)
    assert browser.outside_requests() == []
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
