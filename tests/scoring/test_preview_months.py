"""The version forms' preview covers every month saving re-grades: per month, the
stations per colour published → new, and how many change colour."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from django.urls import reverse

from indicators.periods import parse_period
from scoring.engine.grades import ALL_GRADES
from scoring.models import ScoreRun
from scoring.views import common
from tests.factories import StationFactory, user_with_role
from tests.scoring.test_version_pages import SAFETY_FIRST, _score, _weights_post

AUGUST, SEPTEMBER, OCTOBER = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_months(company):
    county = company.counties.create(name="鄞州")
    stations = [StationFactory(code=f"T{n:02d}", county=county) for n in range(12)]
    for seed, period in enumerate((AUGUST, SEPTEMBER, OCTOBER), start=1):
        _score(company, period, stations, seed=seed)
    return company


@pytest.fixture
def admin_client(client, three_months):
    client.force_login(user_with_role("admin"))
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def save(admin_client, django_capture_on_commit_callbacks):
    """Preview, then save what the preview showed, running the re-grades it asks."""

    def post(url, data):
        shown = admin_client.post(url, {**data, "action": "preview"})
        token = shown.context["previewed"]
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(url, {**data, "action": "save", "previewed": token})

    return post


def _counts(run: ScoreRun) -> Counter:
    return Counter(run.scores.values_list("grade", flat=True))


def _table(page: str) -> dict[str, tuple[list[str], str]]:
    """Month → (each colour's "before → after", "changed of total") as the page shows."""
    rows = {}
    for month, cells in re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', page, re.S):
        texts = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        rows[month] = (texts[:-1], texts[-1])
    return rows


def test_a_preview_lists_every_month_saving_regrades_with_what_saving_produces(
    admin_client, three_months, save
):
    url = reverse("scoring:weight_new")
    data = _weights_post(three_months, SAFETY_FIRST, effective_from="2026-08")
    page = admin_client.post(url, {**data, "action": "preview"}).content.decode()
    assert "The 3 published months saving re-grades" in page
    table = _table(page)
    assert list(table) == ["2026-08", "2026-09", "2026-10"]

    published = {
        label: ScoreRun.objects.get(period=parse_period(label), is_current=True) for label in table
    }
    save(url, data)
    for label, (cells, changed) in table.items():
        before = published[label]
        after = ScoreRun.objects.get(period=before.period, weight_set__version=2)
        was, now = _counts(before), _counts(after)
        assert cells == [f"{was[code]} → {now[code]}" for code in ALL_GRADES], label
        grades = dict(before.scores.values_list("station_id", "grade"))
        moved = sum(grades[s] != g for s, g in after.scores.values_list("station_id", "grade"))
        assert changed == f"{moved} of 12", label
    assert any(changed != "0 of 12" for _cells, changed in table.values())


def test_the_method_preview_lists_the_months_too(admin_client, three_months):
    data = {
        "effective_from": "2026-09",
        "reason": "固定分数线",
        "normalisation": "minmax",
        "grading": "thresholds",
        "coverage_min_pct": "80",
        "threshold_red": "70",
        "threshold_orange": "60",
        "threshold_blue": "50",
        "threshold_green": "40",
    }
    page = admin_client.post(reverse("scoring:method_new"), {**data, "action": "preview"})
    assert list(_table(page.content.decode())) == ["2026-09", "2026-10"]


def test_months_beyond_the_cap_are_named_not_computed(admin_client, three_months, monkeypatch):
    monkeypatch.setattr(common, "PREVIEW_MONTHS_MAX", 2)
    data = _weights_post(three_months, SAFETY_FIRST, effective_from="2026-08")
    page = admin_client.post(reverse("scoring:weight_new"), {**data, "action": "preview"})
    text = page.content.decode()
    assert list(_table(text)) == ["2026-08", "2026-09"]
    assert "Not computed in this preview, to keep it quick: 1 more month (2026-10)." in text


def test_a_version_from_a_month_not_yet_published_lists_no_months(admin_client, three_months):
    data = _weights_post(three_months, SAFETY_FIRST, effective_from="2026-11")
    page = admin_client.post(reverse("scoring:weight_new"), {**data, "action": "preview"})
    assert _table(page.content.decode()) == {}
    assert "published months saving re-grades" not in page.content.decode()
