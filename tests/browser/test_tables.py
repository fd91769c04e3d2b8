"""The long tables (indicator matrix, ranking): the header row and the rank and station
columns stay in view while the table scrolls; the matrix fits a 1280 px window."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DemoSite
from tests.browser.test_phone_width import PHONE, window

pytestmark = pytest.mark.browser
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = (1280, 900)

# Scroll the table's box to its far bottom right; where its header row, a station cell in
# the middle of the box and the last column are then, and whether they are the topmost
# thing at their own centre (not hidden under other cells).
SCROLL_TABLE = """
const box = document.querySelector(".sticky-table");
box.scrollIntoView({block: "start"});
box.scrollTop = box.scrollHeight;
box.scrollLeft = box.scrollWidth;
const rect = (element) => element.getBoundingClientRect();
const onTop = (element) => {
    const r = rect(element);
    return element.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
};
const middle = rect(box).top + rect(box).height / 2;
const row = Array.from(box.querySelectorAll("tbody tr")).find(
    (tr) => rect(tr).top <= middle && rect(tr).bottom >= middle);
const head = box.querySelector("thead th.sticky-station");
const station = row.querySelector(".sticky-station");
const rank = row.querySelector(".sticky-rank");
const last = box.querySelector("thead th:last-child");
return {
    scrolledDown: box.scrollTop, scrolledRight: box.scrollLeft,
    boxTop: rect(box).top, boxLeft: rect(box).left, boxRight: rect(box).right,
    headTop: rect(head).top, headOnTop: onTop(head), headText: head.textContent.trim(),
    rankLeft: rect(rank).left, stationLeft: rect(station).left, rankRight: rect(rank).right,
    stationOnTop: onTop(station), rankOnTop: onTop(rank), station: station.textContent.trim(),
    lastRight: rect(last).right, fits: box.scrollWidth <= box.clientWidth,
    pageWidth: document.scrollingElement.scrollWidth, windowWidth: innerWidth,
};
"""


def scrolled(site: DemoSite, path: str) -> dict:
    site.browser.open(site.url(path))
    return site.browser.driver.execute_script(SCROLL_TABLE)


def assert_header_and_station_stay(table: dict) -> None:
    assert table["scrolledDown"] > 0, "the table's box did not scroll down"
    # The header row at the top of the box, over the rows scrolled under it.
    assert abs(table["headTop"] - table["boxTop"]) <= 2, table
    assert table["headOnTop"] and table["headText"].startswith(("供电所", "Station")), table
    # The rank and station columns at the left of the box, over the cells scrolled under.
    assert abs(table["rankLeft"] - table["boxLeft"]) <= 2, table
    assert abs(table["stationLeft"] - table["rankRight"]) <= 2, table
    assert table["rankOnTop"] and table["stationOnTop"] and "供电所" in table["station"], table
    assert table["pageWidth"] <= table["windowWidth"]


@live_db
def test_the_matrix_and_ranking_keep_their_header_and_station_column(demo_site: DemoSite):
    demo_site.browser.driver.delete_all_cookies()
    demo_site.log_in("committee")
    with window(demo_site.browser, *DESKTOP):
        matrix = scrolled(demo_site, "/matrix/")
        demo_site.browser.screenshot("tables-matrix-1280")
        # At 1280 px every indicator column is in view: nothing to scroll sideways.
        assert matrix["fits"] and matrix["lastRight"] <= matrix["boxRight"], matrix
        assert_header_and_station_stay(matrix)
        ranking = scrolled(demo_site, "/ranking/")
        assert_header_and_station_stay(ranking)
    with window(demo_site.browser, *PHONE):
        for path in ("/matrix/", "/ranking/"):
            table = scrolled(demo_site, path)
            assert table["scrolledRight"] > 0, f"{path}: the table did not scroll sideways"
            assert_header_and_station_stay(table)
        demo_site.browser.screenshot("tables-ranking-390")
    assert demo_site.browser.console_errors() == []
    assert demo_site.browser.csp_violations() == []
