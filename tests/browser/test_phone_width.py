"""Every page at a phone's width (390 × 844): nothing makes the page scroll sideways.

A wide table scrolls inside its own box; the page itself never does. ``PHONE_PAGES`` names
every HTML page of the project (the route names of tests/config/test_role_matrix.py that
answer a GET with a page); a test without the browser fails when a new page is missing here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.browser.conftest import Browser, DemoSite
from tests.config.test_role_matrix import ACCESS

pytestmark = pytest.mark.browser
live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = (390, 844)
MEILIN_CODE = "33022601"

# Routes that answer a GET with something other than a page: data, files, redirects.
NOT_PAGES = {
    "mapviews:map_month",
    "mapviews:search_suggestions",
    "imports:template",
    "mapviews:widget_map",
    "mapviews:shape_file",
    "mapviews:ranking_export",
    "improvement:bulletin_download",
    "improvement:bulletin_list",
    "improvement:submissions_missing",
    "improvement:submissions_anomalies",
    "health",
    "api:schema",
    "api:imports",
    "api:import",
    "api:indicators",
    "api:counties",
    "api:stations",
    "api:station",
    "api:station-history",
    "api:months",
    "api:month",
    "api:month-scores",
}


def _ids() -> dict[str, str]:
    """The demo's record ids and months (ids differ from one load of the demo to the next)."""
    from improvement.models import Measure, SecretaryProject
    from indicators.models import ImportBatch
    from indicators.periods import format_period
    from scoring.models import MethodVersion, ScoreRun, WeightSet

    latest = ScoreRun.objects.filter(is_current=True).order_by("-period").first()
    _common_versions_of_the_province()
    return {
        "measure": str(Measure.objects.filter(station__code=MEILIN_CODE).order_by("pk")[0].pk),
        "project": str(SecretaryProject.objects.get(station__code=MEILIN_CODE).pk),
        "import": str(ImportBatch.objects.order_by("pk")[0].pk),
        "weights": str(WeightSet.objects.order_by("version")[0].version),
        "method": str(MethodVersion.objects.order_by("version")[0].version),
        "month": format_period(latest.period),
    }


def _common_versions_of_the_province() -> None:
    """Version 1 of 浙江's common weights and rules, for their pages: dated far ahead, so
    that they grade no month and change nothing else the walk shows."""
    from datetime import date
    from decimal import Decimal

    from indicators.models import Indicator
    from scoring.engine import ScoringMethod
    from scoring.services import publish_unit_method, publish_unit_weights
    from stations.models import OrgUnit

    unit = OrgUnit.objects.get(code="ZJ")
    later = date(2200, 1, 1)
    codes = Indicator.objects.filter(active=True).values_list("code", flat=True)
    weights = {code: Decimal(1) for code in codes}
    publish_unit_weights(unit=unit, weights=weights, effective_from=later, reason="phone walk")
    publish_unit_method(unit=unit, method=ScoringMethod(), effective_from=later, reason="walk")


#: route name → (demo user, or None for a visitor who is not logged in; the path).
PHONE_PAGES: dict[str, tuple[str | None, Callable[[dict[str, str]], str]]] = {
    "login": (None, lambda ids: "/accounts/login/"),
    "mapviews:widget": (None, lambda ids: "/widget/"),
    "mapviews:home": ("meilin", lambda ids: "/"),
    "mapviews:map": ("meilin", lambda ids: "/map/"),
    "mapviews:ranking": ("meilin", lambda ids: "/ranking/"),
    "mapviews:history": ("meilin", lambda ids: "/history/"),
    "mapviews:search": ("meilin", lambda ids: "/search/?q=l"),
    "mapviews:unit": ("zhejiang", lambda ids: "/org/ZJ/"),
    "scoring:unit_method": ("zhejiang", lambda ids: "/manage/units/ZJ/"),
    "scoring:unit_weights": ("zhejiang", lambda ids: "/manage/units/ZJ/weights/"),
    "scoring:unit_weight_detail": ("zhejiang", lambda ids: "/manage/units/ZJ/weights/1/"),
    "scoring:unit_methods": ("zhejiang", lambda ids: "/manage/units/ZJ/methods/"),
    "scoring:unit_method_detail": ("zhejiang", lambda ids: "/manage/units/ZJ/methods/1/"),
    "scoring:unit_targets": ("zhejiang", lambda ids: "/manage/units/ZJ/targets/"),
    "scoring:unit_weight_new": ("zj_admin", lambda ids: "/manage/units/ZJ/weights/new/"),
    "scoring:unit_method_new": ("zj_admin", lambda ids: "/manage/units/ZJ/methods/new/"),
    "scoring:unit_target_new": ("zj_admin", lambda ids: "/manage/units/ZJ/targets/new/"),
    "mapviews:station": ("meilin", lambda ids: f"/stations/{MEILIN_CODE}/"),
    "improvement:all_red": ("meilin", lambda ids: "/improvement/all-red/"),
    "improvement:notifications": ("meilin", lambda ids: "/improvement/notifications/"),
    "improvement:measure_detail": (
        "meilin",
        lambda ids: f"/improvement/measures/{ids['measure']}/",
    ),
    "improvement:project_detail": (
        "meilin",
        lambda ids: f"/improvement/projects/{ids['project']}/",
    ),
    "scoring:objection_new": (
        "meilin",
        lambda ids: f"/manage/stations/{MEILIN_CODE}/objection/?period={ids['month']}",
    ),
    "password_change": ("meilin", lambda ids: "/accounts/password/"),
    "password_change_done": ("meilin", lambda ids: "/accounts/password/done/"),
    "api:docs": ("meilin", lambda ids: "/api/v1/docs/"),
    "improvement:measure_new": (
        "secretary",
        lambda ids: f"/improvement/stations/{MEILIN_CODE}/measures/new/",
    ),
    "improvement:measure_edit": (
        "secretary",
        lambda ids: f"/improvement/measures/{ids['measure']}/edit/",
    ),
    "improvement:project_new": (
        "secretary",
        lambda ids: f"/improvement/stations/{MEILIN_CODE}/projects/new/",
    ),
    "improvement:project_edit": (
        "secretary",
        lambda ids: f"/improvement/projects/{ids['project']}/edit/",
    ),
    "mapviews:matrix": ("committee", lambda ids: "/matrix/"),
    "improvement:review": ("committee", lambda ids: "/improvement/review/"),
    "improvement:pairing": ("committee", lambda ids: "/improvement/pairing/"),
    "improvement:help": ("committee", lambda ids: "/improvement/help/"),
    "improvement:bulletin": ("committee", lambda ids: "/improvement/bulletin/"),
    "improvement:status_change": ("committee", lambda ids: "/improvement/status-change/"),
    "scoring:weights": ("committee", lambda ids: "/manage/weights/"),
    "scoring:weight_detail": ("committee", lambda ids: f"/manage/weights/{ids['weights']}/"),
    "scoring:methods": ("committee", lambda ids: "/manage/methods/"),
    "scoring:method_detail": ("committee", lambda ids: f"/manage/methods/{ids['method']}/"),
    "scoring:target_list": ("committee", lambda ids: "/manage/targets/"),
    "scoring:month_review": ("committee", lambda ids: f"/manage/months/{ids['month']}/"),
    "scoring:weight_new": ("admin", lambda ids: "/manage/weights/new/"),
    "scoring:method_new": ("admin", lambda ids: "/manage/methods/new/"),
    "scoring:target_new": ("admin", lambda ids: "/manage/targets/new/"),
    "scoring:month_close": ("admin", lambda ids: "/manage/month-close/"),
    "scoring:month_close_detail": ("admin", lambda ids: f"/manage/month-close/{ids['month']}/"),
    "scoring:month_close_confirm": (
        "admin",
        lambda ids: f"/manage/month-close/{ids['month']}/confirm-close/",
    ),
    "indicators:list": ("admin", lambda ids: "/manage/indicators/"),
    "indicators:add": ("admin", lambda ids: "/manage/indicators/add/"),
    "indicators:edit": ("admin", lambda ids: "/manage/indicators/safety/edit/"),
    "indicators:retire": ("admin", lambda ids: "/manage/indicators/safety/retire/"),
    "imports:upload": ("admin", lambda ids: "/manage/imports/"),
    "imports:job": ("admin", lambda ids: f"/manage/imports/{ids['import']}/"),
    "imports:rollback": ("admin", lambda ids: f"/manage/imports/{ids['import']}/rollback/"),
    "audit:list": ("admin", lambda ids: "/manage/audit/"),
    "improvement:submissions": ("admin", lambda ids: "/improvement/submissions/"),
    "admin:index": ("admin", lambda ids: "/admin/"),
}
# The Django admin's own pages an administrator uses most (not in the role matrix).
ADMIN_PAGES = [
    "/admin/stations/station/",
    "/admin/stations/station/add/",
    "/admin/auth/user/",
    "/admin/api/apitoken/",
]

# What makes a page wider than the window: the deepest elements sticking out on the right
# (inside a box that scrolls, they are clipped there and do not count).
WIDE_ELEMENTS = """
const clipped = (element) => {
    for (let box = element.parentElement; box; box = box.parentElement) {
        const overflow = getComputedStyle(box).overflowX;
        if (overflow !== "visible" && box !== document.body && box !== document.documentElement) {
            return box.getBoundingClientRect().right <= innerWidth + 1;
        }
    }
    return false;
};
const right = (e) => Math.round(e.getBoundingClientRect().right);
return Array.from(document.querySelectorAll("body *"))
    .filter((e) => right(e) > innerWidth + 1 && !clipped(e))
    .filter((e) => Array.from(e.children).every((c) => right(c) <= innerWidth + 1))
    .slice(0, 5)
    .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> right=${right(e)}`);
"""


@contextmanager
def window(browser: Browser, width: int, height: int) -> Iterator[None]:
    """The page laid out for a window of ``width`` × ``height`` CSS pixels (not a phone's
    zoomed-out layout viewport: a too-wide page scrolls sideways, as it would on a phone)."""
    driver = browser.driver
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def sideways(browser: Browser) -> str | None:
    """Why the page scrolls sideways, or None when it does not."""
    driver = browser.driver
    scroll_width, inner_width = driver.execute_script(
        "return [document.scrollingElement.scrollWidth, window.innerWidth];"
    )
    if scroll_width <= inner_width:
        return None
    return f"{scroll_width} px wide in a {inner_width} px window: " + "; ".join(
        driver.execute_script(WIDE_ELEMENTS)
    )


def test_every_page_is_checked_at_phone_width():
    """A new page needs a line in PHONE_PAGES (or NOT_PAGES when it is not a page)."""
    pages = {name for name, (method, *_rest) in ACCESS.items() if method == "get"}
    assert pages - NOT_PAGES - set(PHONE_PAGES) == set(), "add these pages to PHONE_PAGES"
    assert set(PHONE_PAGES) - pages == set()


@live_db
def test_no_page_scrolls_sideways_at_phone_width(demo_site: DemoSite):
    browser, driver = demo_site.browser, demo_site.browser.driver
    ids = _ids()
    visits = [(user, make(ids)) for user, make in PHONE_PAGES.values()]
    visits += [("admin", path) for path in ADMIN_PAGES]
    problems, checked = [], 0
    current: str | None = "meilin"  # demo_site logged in as meilin
    with window(browser, *PHONE):
        for user, path in sorted(visits, key=lambda visit: visit[0] or ""):
            if user != current:
                driver.delete_all_cookies()
                if user is not None:
                    demo_site.log_in(user)
                current = user
            browser.documents()  # forget the log-in's pages
            browser.open(demo_site.url(path))
            statuses = [status for url, status in browser.documents() if url.endswith(path)]
            if statuses[-1:] != [200]:
                problems.append(f"{path} as {user}: HTTP {statuses}, expected 200")
                continue
            assert driver.execute_script("return window.innerWidth") == PHONE[0]
            if why := sideways(browser):
                problems.append(f"{path} as {user}: {why}")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked == len(visits)


@live_db
def test_a_page_too_wide_for_a_phone_is_reported(browser: Browser, live_server):
    """The check above can fail: a page made wider than the window is reported."""
    with window(browser, *PHONE):
        browser.open(live_server.url + "/accounts/login/")
        assert sideways(browser) is None
        browser.driver.execute_script(
            "const wide = document.createElement('div');"
            "wide.className = 'too-wide';"
            "document.querySelector('main').appendChild(wide);"
            "wide.style.width = '700px'; wide.style.height = '1px';"
        )
        why = sideways(browser)
    assert why is not None and "too-wide" in why
    browser.forget_logs()
