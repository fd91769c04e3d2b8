"""A page that shows a published run shows the raw values that run was computed with:
new data for a closed month waits as a re-grade, and meanwhile the station page and the
matrix keep the old values beside the old scores, and say that newer data waits."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from indicators.models import ImportSource
from indicators.services import import_indicator_file
from scoring.models import MonthRules, RunStatus, ScoreRun
from scoring.services import execute_run, publish_run
from scoring.services.monthclose import close_month
from tests.builders import score_month
from tests.conftest import TODAY
from tests.factories import SEPTEMBER, user_with_role

pytestmark = pytest.mark.django_db

#: The matrix's safety values of September, by rank (S3, S2, S1).
SHOWN = ["30", "20", "10"]
WAITS = "Newer data for this month waits for an administrator to publish a re-grade"


@pytest.fixture
def admin(client):
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def closed(company, three_stations):
    """September scored (S1 10, S2 20, S3 30 on every indicator) and closed."""
    MonthRules.objects.create(company=company, hold_new_months=True, review_days=7)
    score_month(three_stations, SEPTEMBER, [10, 20, 30])
    close_month(company=company, period=SEPTEMBER, user=user_with_role("admin"))
    return three_stations


def _import(write_file, rows: str) -> None:
    """Import new values of September and run the re-grade it asks for."""
    path = write_file("new.csv", "station_code,period,indicator_code,value\n" + rows)
    with translation.override("en"):
        import_indicator_file(path, source=ImportSource.COMMAND_LINE, today=TODAY)
    for run in ScoreRun.objects.filter(status=RunStatus.QUEUED):
        execute_run(run.pk)


def _safety(page: str) -> str:
    """The station page's raw value of the safety indicator (its unit dropped)."""
    found = re.search(
        r"Work safety index <span[^>]*>[^<]*</span></td>\s*<td class=\"num\">(\S+)", page
    )
    assert found, "no safety line"
    return found.group(1)


def _matrix_safety(page: str) -> list[str]:
    """The matrix's safety values, row by row (the cells' titles)."""
    return re.findall(r'title="Work safety index: (\S+)', page)


def test_the_station_page_keeps_the_published_values_while_a_regrade_waits(
    admin, closed, write_file
):
    url = reverse("mapviews:station", args=["S1"])
    before = admin.get(url, {"period": "2026-09"}).content.decode()
    assert _safety(before) == "10" and WAITS not in before
    _import(write_file, "S1,2026-09,safety,95\n")
    waiting = ScoreRun.objects.get(period=SEPTEMBER, is_current=False, publish=False)
    page = admin.get(url, {"period": "2026-09"}).content.decode()
    assert _safety(page) == "10"  # the value the published grades were computed with
    assert WAITS in page
    publish_run(waiting.pk, user=user_with_role("admin"))
    published = admin.get(url, {"period": "2026-09"}).content.decode()
    assert _safety(published) == "95" and WAITS not in published


def test_the_matrix_keeps_the_published_values_while_a_regrade_waits(admin, closed, write_file):
    url = reverse("mapviews:matrix")
    assert _matrix_safety(admin.get(url, {"period": "2026-09"}).content.decode()) == SHOWN
    _import(write_file, "S1,2026-09,safety,95\nS2,2026-09,safety,5\n")
    page = admin.get(url, {"period": "2026-09"}).content.decode()
    assert _matrix_safety(page) == SHOWN  # not 95 and 5
    assert WAITS in page


def test_a_value_replaced_twice_shows_the_one_the_run_read(admin, closed, write_file):
    _import(write_file, "S1,2026-09,safety,95\n")
    _import(write_file, "S1,2026-09,safety,96\n")
    page = admin.get(reverse("mapviews:station", args=["S1"]), {"period": "2026-09"})
    assert _safety(page.content.decode()) == "10"
