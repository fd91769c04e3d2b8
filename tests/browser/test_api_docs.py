"""The API docs (Swagger UI) draw in headless Chromium from our own static files: no
request leaves 127.0.0.1 and the site's Content-Security-Policy blocks nothing."""

from __future__ import annotations

import time

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DRAW_TIMEOUT = 20


def test_the_api_docs_draw_offline_under_the_csp(browser, live_server):
    from selenium.webdriver.common.by import By

    browser.forget_logs()
    browser.open(f"{live_server.url}/api/v1/docs/")
    deadline = time.monotonic() + DRAW_TIMEOUT
    operations = []
    while not operations and time.monotonic() < deadline:
        time.sleep(0.2)
        operations = browser.driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    paths = {element.text.replace("\u200b", "") for element in operations}
    browser.screenshot("api-docs")
    assert "/api/v1/values/" in paths and "/api/v1/months/{month}/scores/" in paths
    assert browser.csp_violations() == []
    assert browser.console_errors() == []
    assert browser.outside_requests() == []
