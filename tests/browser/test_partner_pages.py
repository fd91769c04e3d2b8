"""Branch pairing and department help as the committee uses them: the proposal and its
buttons come first, a check's result is where the browser lands, and each department's
rows can be ticked at once."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import PAGE_LOAD_TIMEOUT, DemoSite
from tests.browser.test_phone_width import window

pytestmark = pytest.mark.browser
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = (1280, 900)

FIRST_SCREEN = """
const rect = (selector) => document.querySelector(selector).getBoundingClientRect();
const before = (a, b) => Boolean(document.querySelector(a).compareDocumentPosition(
    document.querySelector(b)) & Node.DOCUMENT_POSITION_FOLLOWING);
return {
    proposalFirst: before("#proposal-heading", "#in-force-heading"),
    buttonsBottom: rect("#proposal .span-fields .form-actions").bottom,
    windowHeight: innerHeight,
};
"""
IN_VIEW = """
const box = document.querySelector(arguments[0]);
if (!box) return null;
const r = box.getBoundingClientRect();
return {top: r.top, bottom: r.bottom, windowHeight: innerHeight, scrolled: scrollY};
"""
GROUPS = """
return Array.from(document.querySelectorAll(".help-table tbody")).map((group) => {
    const all = group.querySelector(".js-select-group");
    const rows = Array.from(group.querySelectorAll("input[name=rows]:not(:disabled)"));
    return {
        shown: all !== null && !all.closest("label").hidden,
        all: all && all.checked, some: all && all.indeterminate,
        ticked: rows.filter((box) => box.checked).length, rows: rows.length,
    };
});
"""


@live_db
def test_the_pairing_proposal_comes_first_and_a_check_lands_on_its_result(demo_site: DemoSite):
    browser, driver = demo_site.browser, demo_site.browser.driver
    driver.delete_all_cookies()
    demo_site.log_in("committee")
    with window(browser, *DESKTOP):
        browser.open(demo_site.url("/improvement/pairing/"))
        first = driver.execute_script(FIRST_SCREEN)
        assert first["proposalFirst"], "the pairings in force come before the proposal"
        assert first["buttonsBottom"] <= first["windowHeight"], first
        # The committee reads the proposal to its end and checks it from there.
        below = driver.find_element(By.CSS_SELECTOR, ".form-actions-below button[value=check]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", below)
        below.click()
        WebDriverWait(driver, PAGE_LOAD_TIMEOUT).until(
            lambda d: d.execute_script(IN_VIEW, "#pairing-check") is not None
        )
        browser.wait_until_loaded()
        result = driver.execute_script(IN_VIEW, "#pairing-check")
        browser.screenshot("pairing-checked")
    assert result["scrolled"] > 0 and result["top"] >= 0, result
    assert result["bottom"] <= result["windowHeight"], result
    assert "100" in driver.find_element(By.CSS_SELECTOR, "#pairing-check .pairing-share").text
    assert browser.console_errors() == []
    assert browser.csp_violations() == []


@live_db
def test_department_help_ticks_a_whole_department_at_once(demo_site: DemoSite):
    browser, driver = demo_site.browser, demo_site.browser.driver
    driver.delete_all_cookies()
    demo_site.log_in("committee")
    with window(browser, *DESKTOP):
        browser.open(demo_site.url("/improvement/help/"))
        first = driver.execute_script(FIRST_SCREEN)
        assert first["proposalFirst"] and first["buttonsBottom"] <= first["windowHeight"]
        groups = driver.execute_script(GROUPS)
        assert len(groups) >= 2 and all(group["shown"] for group in groups if group["rows"])
        assert all(group["ticked"] == 0 for group in groups)
        biggest = max(range(len(groups)), key=lambda index: groups[index]["rows"])
        boxes = driver.find_elements(By.CSS_SELECTOR, ".js-select-group")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", boxes[biggest])
        boxes[biggest].click()
        after = driver.execute_script(GROUPS)
        assert after[biggest]["ticked"] == after[biggest]["rows"] > 1
        assert after[biggest]["all"] and not after[biggest]["some"]
        others = [group["ticked"] for index, group in enumerate(after) if index != biggest]
        assert others == [0] * (len(groups) - 1)
        # One row cleared by hand: the group is partly ticked.
        row = driver.find_elements(By.CSS_SELECTOR, ".help-table tbody")[biggest]
        row.find_element(By.CSS_SELECTOR, "input[name=rows]:not(:disabled)").click()
        partly = driver.execute_script(GROUPS)[biggest]
        assert partly["ticked"] == partly["rows"] - 1 and partly["some"] and not partly["all"]
        boxes[biggest].click()  # a partly ticked group: the click ticks all again
        assert driver.execute_script(GROUPS)[biggest]["ticked"] == partly["rows"]
        boxes[biggest].click()
        assert driver.execute_script(GROUPS)[biggest]["ticked"] == 0
        browser.screenshot("help-select-all")
    assert browser.console_errors() == []
    assert browser.csp_violations() == []
