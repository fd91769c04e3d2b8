"""The homepage widget in its documented frame (docs/pages-and-maps.md: an iframe of
380 × 520): the map, the legend and every colour's count are inside the frame, and
nothing needs scrolling in it."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PAGE_LOAD_TIMEOUT, DemoSite

pytestmark = pytest.mark.browser
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FRAME = (380, 520)

# The portal's page: an iframe as the documented snippet has it (border 0).
FRAME_THE_WIDGET = """
document.body.replaceChildren();
const frame = document.createElement("iframe");
frame.id = "widget-frame";
frame.width = arguments[0];
frame.height = arguments[1];
frame.frameBorder = "0";
frame.title = "widget";
frame.src = "/widget/";
document.body.appendChild(frame);
"""
INSIDE_THE_FRAME = """
const rect = (element) => element.getBoundingClientRect();
const inside = (element) => {
    const r = rect(element);
    return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
        && r.bottom <= innerHeight && r.right <= innerWidth;
};
const counts = Array.from(document.querySelectorAll(".legend [data-count-for]"));
const map = document.getElementById("station-map");
return {
    frame: [innerWidth, innerHeight],
    scroll: [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight],
    legendInside: inside(document.querySelector(".legend")),
    counts: counts.map((count) => [count.textContent.trim(), inside(count)]),
    mapInside: inside(map), mapHeight: rect(map).height,
    areas: map.querySelectorAll("path.choroplethlocation").length,
};
"""


@live_db
@pytest.mark.parametrize("user", ["meilin", "committee"])
def test_the_widget_fits_its_frame_with_legend_and_counts(demo_site: DemoSite, settings, user):
    settings.WIDGET_FRAME_ANCESTORS = [demo_site.base_url]
    browser, driver = demo_site.browser, demo_site.browser.driver
    if user != "meilin":
        driver.delete_all_cookies()
        demo_site.log_in(user)
    browser.open(demo_site.url("/improvement/all-red/"))  # any page of the site as the portal
    driver.execute_script(FRAME_THE_WIDGET, *FRAME)
    driver.switch_to.frame("widget-frame")
    try:
        WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(
            lambda d: d.execute_script(
                'const map = document.getElementById("station-map");'
                'return map !== null && map.dataset.ready === "true";'
            )
        )
        seen = driver.execute_script(INSIDE_THE_FRAME)
    finally:
        driver.switch_to.default_content()
    browser.screenshot(f"widget-frame-{user}")

    assert seen["frame"] == list(FRAME)
    assert seen["scroll"] == list(FRAME), "the widget needs scrolling inside its frame"
    assert seen["legendInside"]
    assert len(seen["counts"]) == 6  # five grades and the ungraded
    assert all(inside for _text, inside in seen["counts"]), seen["counts"]
    assert all("个供电所" in text for text, _inside in seen["counts"]), seen["counts"]
    assert seen["mapInside"] and seen["mapHeight"] >= 160 and seen["areas"] == 60, seen
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
